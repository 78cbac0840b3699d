//! The one type the crawler and the index share: a report as the school published it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::fold::Script;
use crate::period::{covered_year, CoveredYear};

/// An annual information-disclosure report (信息公开年度报告), split into its sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Stable identity: derived from the source URL (see [`Report::id_for_url`]).
    pub id: String,
    /// School name as written in the report (or, failing that, in the crawl sources).
    pub school: String,
    /// The year the report covers: an academic year `YYYY-YYYY` or a calendar year `YYYY`
    /// ([`crate::year`]), decided by the period it states ([`crate::period`]).
    pub year: Option<String>,
    /// The year label as the report writes it (`2017年度`, `2019—2020學年度`), which may
    /// name another year than [`Report::year`]: a report titled by its year of publication
    /// covers the academic year before it.
    #[serde(default)]
    pub year_as_written: Option<String>,
    /// The first day of the statistics period the report states (`YYYY-MM-DD`); `None`
    /// when it states none.
    #[serde(default)]
    pub period_start: Option<String>,
    /// The last day of the stated statistics period (`YYYY-MM-DD`).
    #[serde(default)]
    pub period_end: Option<String>,
    pub title: String,
    /// Publication date as `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Where the report was found (`https://…`, or `file://…` for an import).
    pub url: String,
    pub script: Script,
    /// SHA-256 (hex) of the section texts; a new hash means a new version.
    pub content_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// 大学 / 学院 / 职业技术学院 …, from the crawl sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The institution the report belongs to, as the archive knows it: its registry code
    /// (`4111010001`) where it has one, else the archive's own key (`x42`). Set by the
    /// archive when it hands a report out; the index stores it so that answers joining
    /// the index with the archive join by institution, never by a name string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    pub sections: Vec<Section>,
}

/// One top-level part of a report, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: SectionId,
    /// The heading as written (`三、依申請公開和不予公開情況`); empty for the preamble.
    pub heading: String,
    pub text: String,
}

/// The canonical parts of the national report template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionId {
    /// Text before the first numbered heading.
    Preamble,
    /// 概述 / 基本情况
    Overview,
    /// 主动公开
    Proactive,
    /// 重点领域
    KeyAreas,
    /// 依申请公开 / 不予公开
    OnRequest,
    /// 评议
    Appraisal,
    /// 举报 / 投诉 / 复议 / 诉讼
    Complaints,
    /// 问题 / 改进
    Improvements,
    /// 其他需要报告的事项
    Other,
    /// 清单事项
    Checklist,
}

impl SectionId {
    pub const ALL: [SectionId; 10] = [
        SectionId::Preamble,
        SectionId::Overview,
        SectionId::Proactive,
        SectionId::KeyAreas,
        SectionId::OnRequest,
        SectionId::Appraisal,
        SectionId::Complaints,
        SectionId::Improvements,
        SectionId::Other,
        SectionId::Checklist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionId::Preamble => "preamble",
            SectionId::Overview => "overview",
            SectionId::Proactive => "proactive",
            SectionId::KeyAreas => "key_areas",
            SectionId::OnRequest => "on_request",
            SectionId::Appraisal => "appraisal",
            SectionId::Complaints => "complaints",
            SectionId::Improvements => "improvements",
            SectionId::Other => "other",
            SectionId::Checklist => "checklist",
        }
    }

    /// Chinese label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            SectionId::Preamble => "前言",
            SectionId::Overview => "概述",
            SectionId::Proactive => "主动公开",
            SectionId::KeyAreas => "重点领域",
            SectionId::OnRequest => "依申请公开",
            SectionId::Appraisal => "评议",
            SectionId::Complaints => "举报与复议",
            SectionId::Improvements => "问题与改进",
            SectionId::Other => "其他事项",
            SectionId::Checklist => "清单事项",
        }
    }

    pub fn parse(s: &str) -> Option<SectionId> {
        SectionId::ALL.into_iter().find(|id| id.as_str() == s)
    }
}

impl std::fmt::Display for SectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Report {
    /// The report id for a source URL: 16 hex digits of its SHA-256, so that fetching or
    /// importing the same page again replaces the report instead of adding a second one.
    pub fn id_for_url(url: &str) -> String {
        let digest = Sha256::digest(url.as_bytes());
        hex::encode(&digest[..8])
    }

    /// SHA-256 over headings and texts, separated so that moving text across a heading
    /// changes the hash.
    pub fn hash_sections(sections: &[Section]) -> String {
        let mut hasher = Sha256::new();
        for section in sections {
            hasher.update(section.id.as_str().as_bytes());
            hasher.update([0]);
            hasher.update(section.heading.as_bytes());
            hasher.update([0]);
            hasher.update(section.text.as_bytes());
            hasher.update([1]);
        }
        hex::encode(hasher.finalize())
    }

    /// Total characters of section text.
    pub fn char_len(&self) -> usize {
        self.sections.iter().map(|s| s.text.chars().count()).sum()
    }

    /// The year the report covers by its title and text ([`covered_year`]).
    pub fn covered_year(&self) -> Option<CoveredYear> {
        let text: Vec<&str> = self
            .sections
            .iter()
            .flat_map(|s| [s.heading.as_str(), s.text.as_str()])
            .filter(|t| !t.is_empty())
            .collect();
        covered_year(&self.title, &text.join("\n"))
    }

    /// Sets [`Report::year`], [`Report::year_as_written`] and the period by the year rule
    /// (what extraction does, and what `xxgk reindex` does again for stored reports). A
    /// report whose title and text name no year keeps the year it has. Returns whether
    /// anything changed.
    pub fn apply_covered_year(&mut self) -> bool {
        let Some(c) = self.covered_year() else {
            return false;
        };
        let before = (
            self.year.take(),
            self.year_as_written.take(),
            self.period_start.take(),
            self.period_end.take(),
        );
        self.year = Some(c.label());
        self.year_as_written = Some(c.as_written);
        self.period_start = c.period_start;
        self.period_end = c.period_end;
        before
            != (
                self.year.clone(),
                self.year_as_written.clone(),
                self.period_start.clone(),
                self.period_end.clone(),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_ids_round_trip_through_their_names() {
        for id in SectionId::ALL {
            assert_eq!(SectionId::parse(id.as_str()), Some(id));
            let json = serde_json::to_string(&id).expect("serialize");
            assert_eq!(json, format!("\"{}\"", id.as_str()));
        }
        assert_eq!(SectionId::parse("nope"), None);
    }

    #[test]
    fn id_depends_only_on_url() {
        let a = Report::id_for_url("https://xxgk.example.edu.cn/info/1044/1234.htm");
        assert_eq!(a.len(), 16);
        assert_eq!(
            a,
            Report::id_for_url("https://xxgk.example.edu.cn/info/1044/1234.htm")
        );
        assert_ne!(
            a,
            Report::id_for_url("https://xxgk.example.edu.cn/info/1044/1235.htm")
        );
    }

    fn report(title: &str, year: Option<&str>, preamble: &str) -> Report {
        let sections = vec![Section {
            id: SectionId::Preamble,
            heading: String::new(),
            text: preamble.into(),
        }];
        Report {
            id: "r".into(),
            school: "松陵师范学院".into(),
            year: year.map(String::from),
            year_as_written: None,
            period_start: None,
            period_end: None,
            title: title.into(),
            published: None,
            url: "https://xxgk.example.edu.cn/1.htm".into(),
            script: Script::Simplified,
            content_hash: Report::hash_sections(&sections),
            province: None,
            kind: None,
            institution: None,
            sections,
        }
    }

    /// Issue 19: a stored report is relabelled by the period it states; JSON written
    /// before the fields existed still reads.
    #[test]
    fn issue_19_apply_covered_year_relabels_a_stored_report() {
        let mut r = report(
            "松陵师范学院2017年度信息公开工作报告",
            Some("2017"),
            "本报告数据统计起止时间是2016年9月1日至2017年8月31日。",
        );
        assert!(r.apply_covered_year());
        assert_eq!(r.year.as_deref(), Some("2016-2017"));
        assert_eq!(r.year_as_written.as_deref(), Some("2017年度"));
        assert_eq!(r.period_start.as_deref(), Some("2016-09-01"));
        assert_eq!(r.period_end.as_deref(), Some("2017-08-31"));
        assert!(!r.apply_covered_year(), "applying it again changes nothing");
        // No year anywhere: the year it has stays.
        let mut r = report(
            "信息公开工作报告",
            Some("2019-2020"),
            "学校高度重视信息公开。",
        );
        assert!(!r.apply_covered_year());
        assert_eq!(r.year.as_deref(), Some("2019-2020"));

        let mut json = serde_json::to_value(&r).expect("json");
        let obj = json.as_object_mut().expect("object");
        for field in ["year_as_written", "period_start", "period_end"] {
            assert!(obj.remove(field).is_some(), "{field} is written");
        }
        let old: Report = serde_json::from_value(json).expect("old JSON reads");
        assert_eq!(old.year_as_written, None);
    }

    #[test]
    fn hash_sees_text_moving_across_a_heading() {
        let s = |h: &str, t: &str| Section {
            id: SectionId::Overview,
            heading: h.into(),
            text: t.into(),
        };
        let a = Report::hash_sections(&[s("一、概述", "甲乙"), s("二、", "丙")]);
        let b = Report::hash_sections(&[s("一、概述", "甲"), s("二、", "乙丙")]);
        assert_ne!(a, b);
    }
}
