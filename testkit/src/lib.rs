//! Test support shared by every crate's tests: one [`ReportBuilder`] instead of a
//! `report()` helper copied into each test module. Only ever a dev-dependency.
//!
//! ```
//! use xxgk_model::SectionId;
//! use xxgk_testkit::report;
//!
//! let r = report("翠谷大學", "2020-2021")
//!     .title("翠谷大學2020-2021學年信息公開年度報告")
//!     .section(SectionId::OnRequest, "三、依申請公開", "收到申請3件。")
//!     .build();
//! assert_eq!(r.year.as_deref(), Some("2020-2021"));
//! assert_eq!(r.script, xxgk_model::Script::Traditional);
//! assert_eq!(r.content_hash, xxgk_model::Report::hash_sections(&r.sections));
//! ```

use xxgk_model::fold::detect_script;
use xxgk_model::{Report, Script, Section, SectionId};

/// A report of `school` for `year` (empty: no year), with a title, URL and id derived
/// from them until set; sections added in order.
pub fn report(school: &str, year: &str) -> ReportBuilder {
    let year = (!year.is_empty()).then(|| year.to_string());
    let title = format!(
        "{school}{}信息公开年度报告",
        year.as_deref()
            .map(|y| format!("{y}学年"))
            .unwrap_or_default()
    );
    let url = format!(
        "https://example.edu.cn/{}/{}.htm",
        school.chars().count(),
        Report::id_for_url(&format!("{school}/{}", year.as_deref().unwrap_or("")))
    );
    ReportBuilder {
        report: Report {
            id: String::new(),
            school: school.to_string(),
            year,
            title,
            published: None,
            url,
            script: Script::Simplified,
            content_hash: String::new(),
            province: None,
            kind: None,
            institution: None,
            year_as_written: None,
            period_start: None,
            period_end: None,
            sections: Vec::new(),
        },
        id: None,
        script: None,
    }
}

/// Builds a [`Report`]; see [`report`].
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    report: Report,
    id: Option<String>,
    script: Option<Script>,
}

impl ReportBuilder {
    /// The source URL (the id follows it unless [`ReportBuilder::id`] is set).
    pub fn url(mut self, url: &str) -> Self {
        self.report.url = url.to_string();
        self
    }

    pub fn id(mut self, id: &str) -> Self {
        self.id = Some(id.to_string());
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.report.title = title.to_string();
        self
    }

    /// `YYYY-MM-DD`.
    pub fn published(mut self, date: &str) -> Self {
        self.report.published = Some(date.to_string());
        self
    }

    /// The year as the report writes it (`2022年度`) and the statistics period it states,
    /// from which its `year` (the year covered) was read.
    pub fn as_written(mut self, label: &str, start: &str, end: &str) -> Self {
        self.report.year_as_written = Some(label.to_string());
        self.report.period_start = Some(start.to_string());
        self.report.period_end = Some(end.to_string());
        self
    }

    pub fn province(mut self, province: &str) -> Self {
        self.report.province = Some(province.to_string());
        self
    }

    pub fn kind(mut self, kind: &str) -> Self {
        self.report.kind = Some(kind.to_string());
        self
    }

    pub fn institution(mut self, key: &str) -> Self {
        self.report.institution = Some(key.to_string());
        self
    }

    /// The script; by default detected from the title and sections.
    pub fn script(mut self, script: Script) -> Self {
        self.script = Some(script);
        self
    }

    pub fn section(mut self, id: SectionId, heading: &str, text: &str) -> Self {
        self.report.sections.push(Section {
            id,
            heading: heading.to_string(),
            text: text.to_string(),
        });
        self
    }

    /// One overview section holding `text` (the common case of a test).
    pub fn text(self, text: &str) -> Self {
        self.section(SectionId::Overview, "一、概述", text)
    }

    pub fn build(self) -> Report {
        let mut r = self.report;
        r.id = self.id.unwrap_or_else(|| Report::id_for_url(&r.url));
        r.content_hash = Report::hash_sections(&r.sections);
        r.script = self.script.unwrap_or_else(|| {
            let all: String = std::iter::once(r.title.as_str())
                .chain(r.sections.iter().map(|s| s.text.as_str()))
                .collect();
            detect_script(&all)
        });
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_urls_and_differ_by_school_and_year() {
        let a = report("甲大学", "2020-2021").text("正文").build();
        let b = report("甲大学", "2021-2022").text("正文").build();
        let c = report("乙大学", "2020-2021").text("正文").build();
        assert_ne!(a.id, b.id);
        assert_ne!(a.id, c.id);
        let d = report("甲大学", "2020-2021").url("file:///d.txt").build();
        assert_eq!(d.id, Report::id_for_url("file:///d.txt"));
        assert_eq!(report("甲大学", "").build().year, None);
    }

    #[test]
    fn the_hash_covers_the_sections() {
        let a = report("甲大学", "2020-2021").text("收费标准").build();
        let b = report("甲大学", "2020-2021").text("招生章程").build();
        assert_ne!(a.content_hash, b.content_hash);
        assert_eq!(a.script, Script::Simplified);
    }
}
