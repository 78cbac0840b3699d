//! Pure functions from report text (or simple HTML) to a [`Report`]: school, academic year,
//! date, title, and the sections split at their numbered headings.
//!
//! All matching is done on folded text (`xxgk_model::fold`), which has the same character
//! count as the original, so what is cut out is cut from the original by character index
//! and stays as the school wrote it (traditional stays traditional).

use std::sync::Arc;

use scraper::Html;
use xxgk_model::fold::{detect_script, fold};
use xxgk_model::period::{covered_year, CoveredYear};
use xxgk_model::year::year_from_title;
use xxgk_model::Report;

use crate::dates::{find_date, is_date_line};
use crate::html::{html_to_text, page_title};
use crate::names::{name_starting_title, school_in, SchoolNames};
use crate::titles::names_report;
use crate::{Error, Result};

/// What the caller already knows about a report (from the crawl sources or the page).
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// Source URL; the report id derives from it.
    pub url: String,
    /// School name to use when the text does not say it.
    pub school: Option<String>,
    pub province: Option<String>,
    pub kind: Option<String>,
    /// Title from the page (`<title>`, a CMS meta tag) when the text has none.
    pub title: Option<String>,
    /// Publication date (`YYYY-MM-DD`) from the page metadata.
    pub published: Option<String>,
    /// Known school names (registry and aliases) to find the school in the text when
    /// `school` is not given (imports).
    pub names: Option<Arc<SchoolNames>>,
}

/// An article as the page model read it: its fields travel typed to extraction.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput {
    /// The page's own title (CMS title element or meta, `<title>` minus the site name).
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The main content, one line per block.
    pub body: String,
    /// The text of each attachment that was read, in page order.
    pub attachments: Vec<AttachmentText>,
}

/// One attachment's text, with the link that led to it.
#[derive(Debug, Clone, Default)]
pub struct AttachmentText {
    pub url: String,
    /// The link text (often the file name: 2019-2020学年信息公开年度报告.pdf).
    pub label: String,
    pub text: String,
}

/// Builds a crawled report from an article's typed fields. The school is the source's
/// (`hints.school`, required): the text never renames it. The title is the article's own
/// (else an attachment's label); the year comes from the title, the attachment labels, the
/// body, then the attachments' text; the sections from the body and the attachments.
pub fn report_from_page(input: &ArticleInput, hints: &Hints) -> Result<Report> {
    let school = hints
        .school
        .clone()
        .ok_or_else(|| Error::NotAReport("a crawled report needs its source's school".into()))?;
    let title = input
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            input
                .attachments
                .iter()
                .map(|a| strip_extension(&a.label))
                .find(|l| names_report(l))
        });
    let body_lines: Vec<&str> = input
        .body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_noise_line(l) && !is_date_line(l))
        .filter(|l| title.as_deref() != Some(*l))
        .collect();
    let mut lines: Vec<&str> = body_lines.clone();
    let labels: Vec<String> = input
        .attachments
        .iter()
        .map(|a| {
            let label = if a.label.is_empty() { &a.url } else { &a.label };
            format!("附件：{label}")
        })
        .collect();
    for (att, label) in input.attachments.iter().zip(&labels) {
        if att.text.trim().is_empty() {
            continue;
        }
        // A label line marks where an attachment starts, unless it is the whole report.
        if !body_lines.is_empty() || input.attachments.len() > 1 {
            lines.push(label);
        }
        lines.extend(att.text.lines().map(str::trim).filter(|l| !l.is_empty()));
    }
    // The year the report covers (issue 19), read from its title — else the label of an
    // attachment that names a year — and its whole text, body then attachments.
    let year_title = title
        .clone()
        .filter(|t| year_from_title(t).is_some())
        .or_else(|| {
            input
                .attachments
                .iter()
                .map(|a| strip_extension(&a.label))
                .find(|l| year_from_title(l).is_some())
        })
        .or_else(|| title.clone())
        .unwrap_or_default();
    let all = lines.join("\n");
    let covered = covered_year(&year_title, &all);
    let year = covered.as_ref().map(CoveredYear::label);
    // The date line itself is left out of the report's text, not out of its date.
    let published = input
        .published
        .clone()
        .or_else(|| {
            let raw: Vec<&str> = input
                .body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            find_date(&raw)
        })
        .or_else(|| {
            input.attachments.iter().find_map(|a| {
                let lines: Vec<&str> = a.text.lines().map(str::trim).collect();
                find_date(&lines)
            })
        });
    let sections = split_sections(&lines);
    if sections
        .iter()
        .all(|s| s.text.is_empty() && s.heading.is_empty())
    {
        return Err(Error::NotAReport("the page has no report text".into()));
    }
    let title = title.unwrap_or_else(|| match &year {
        Some(y) => format!("{school} {y} 信息公开年度报告"),
        None => format!("{school} 信息公开年度报告"),
    });
    Ok(Report {
        id: Report::id_for_url(&hints.url),
        school,
        year,
        title,
        published,
        url: hints.url.clone(),
        script: detect_script(&all),
        content_hash: Report::hash_sections(&sections),
        province: hints.province.clone(),
        kind: hints.kind.clone(),
        institution: None,
        year_as_written: covered.as_ref().map(|c| c.as_written.clone()),
        period_start: covered.as_ref().and_then(|c| c.period_start.clone()),
        period_end: covered.and_then(|c| c.period_end),
        sections,
    })
}

/// `2019-2020学年信息公开年度报告.pdf` → `2019-2020学年信息公开年度报告`.
fn strip_extension(label: &str) -> String {
    let l = label.trim().trim_end_matches(['】', ']', ')', '）']);
    match l.rsplit_once('.') {
        Some((stem, ext))
            if crate::discover::ATTACHMENT_EXTS.contains(&ext.to_ascii_lowercase().as_str()) =>
        {
            stem.trim_start_matches(['【', '[']).to_string()
        }
        _ => l.to_string(),
    }
}

/// When a crawled report's title names a school other than its source's (or the
/// source's aliases), the name it gives: to be logged, never used.
pub fn other_school_named(title: &str, school: &str, aliases: &[String]) -> Option<String> {
    let named = crate::names::name_starting_title(title)?;
    let key = xxgk_archive::registry::name_key(&named);
    let ours = std::iter::once(school)
        .chain(aliases.iter().map(String::as_str))
        .map(xxgk_archive::registry::name_key)
        .any(|k| k == key || k.contains(&key) || key.contains(&k));
    (!ours).then_some(named)
}

/// Builds a report from text as a reader copies it off the page.
pub fn report_from_text(text: &str, hints: &Hints) -> Result<Report> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
        .collect();
    if lines.iter().all(|l| l.is_empty()) {
        return Err(Error::NotAReport("the page has no text".into()));
    }
    let published = hints.published.clone().or_else(|| find_date(&lines));
    let kept: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.is_empty() && !is_noise_line(l))
        .collect();
    let title_idx = find_title_line(&kept);
    let title_line = title_idx.map(|i| kept[i].to_string());
    let body_lines: Vec<&str> = kept
        .iter()
        .enumerate()
        .filter(|(i, l)| Some(*i) != title_idx && !is_date_line(l))
        .map(|(_, l)| *l)
        .collect();
    let body = body_lines.join("\n");
    let title_hint = hints.title.as_deref();
    let school = match &hints.school {
        Some(s) => s.clone(),
        None => {
            let first_lines = kept.iter().take(8).copied().collect::<Vec<_>>().join("\n");
            let title = title_line.as_deref().or(title_hint);
            let found = match &hints.names {
                Some(names) => school_in(names, title, &first_lines, &body),
                None => title.and_then(name_starting_title),
            };
            found.ok_or_else(|| {
                Error::NotAReport(
                    "no known school name in the title or text; give it with --school".into(),
                )
            })?
        }
    };
    let covered = covered_year(title_line.as_deref().or(title_hint).unwrap_or(""), &body);
    let year = covered.as_ref().map(CoveredYear::label);
    let title = title_line
        .or_else(|| hints.title.clone())
        .unwrap_or_else(|| {
            // No title in the text: say plainly what the report is, in the report's script.
            match &year {
                Some(y) => format!("{school} {y} 信息公开年度报告"),
                None => format!("{school} 信息公开年度报告"),
            }
        });
    let sections = split_sections(&body_lines);
    if sections
        .iter()
        .all(|s| s.text.is_empty() && s.heading.is_empty())
    {
        return Err(Error::NotAReport("the page has no report text".into()));
    }
    let script = detect_script(&body);
    Ok(Report {
        id: Report::id_for_url(&hints.url),
        school,
        year,
        title,
        published,
        url: hints.url.clone(),
        script,
        content_hash: Report::hash_sections(&sections),
        province: hints.province.clone(),
        kind: hints.kind.clone(),
        institution: None,
        year_as_written: covered.as_ref().map(|c| c.as_written.clone()),
        period_start: covered.as_ref().and_then(|c| c.period_start.clone()),
        period_end: covered.and_then(|c| c.period_end),
        sections,
    })
}

/// Builds a report from a simple HTML page: its `<title>` (or CMS title meta) and body
/// text. (The crawler's CMS-aware extraction picks the main content first.)
pub fn report_from_html(html: &str, hints: &Hints) -> Result<Report> {
    let doc = Html::parse_document(html);
    let mut hints = hints.clone();
    if hints.title.is_none() {
        hints.title = page_title(&doc);
    }
    let text = html_to_text(&doc);
    report_from_text(&text, &hints)
}

/// Navigation and page furniture copied along with a report: breadcrumbs, share buttons,
/// click counters, "more about" and related-links boxes.
pub fn is_noise_line(line: &str) -> bool {
    let f = fold(line.trim());
    const EXACT: &[&str] = &[
        "微信",
        "微博",
        "qq",
        "qq空间",
        "分享到",
        "分享",
        "打印",
        "打印本页",
        "关闭",
        "关闭窗口",
        "【打印】",
        "【关闭】",
        "相关信息",
        "相关文章",
        "相关链接",
        "上一篇",
        "下一篇",
        "返回顶部",
        "收藏",
    ];
    const PREFIXES: &[&str] = &[
        "您的位置",
        "你的位置",
        "当前位置",
        "您现在的位置",
        "更多关于",
        "上一篇:",
        "下一篇:",
        "上一条:",
        "下一条:",
        "分享到:",
        "字号",
        "【字体",
    ];
    EXACT.contains(&f.as_str())
        || PREFIXES.iter().any(|p| f.starts_with(p))
        || (f.contains("点击次数") || f.contains("浏览次数") || f.contains("阅读次数"))
            && f.chars().count() < 60
            && !f.contains("发表时间")
            && !f.contains("发布时间")
}

/// The title: among the first lines, the first that names a report (words of the one
/// report-title rule, or 报告 in a short line).
fn find_title_line(lines: &[&str]) -> Option<usize> {
    lines.iter().take(6).position(|l| {
        let f = fold(l);
        let n = f.chars().count();
        (4..=80).contains(&n)
            && (names_report(&f) || f.contains("报告"))
            && !f.ends_with('。')
            && !f.contains(',')
    })
}

/// The report's year as written (the rule lives in [`xxgk_model::year`]): an academic
/// year stays `YYYY-YYYY` (2020-2021学年, 2019—2020學年度, 年报(2016-2017)); a calendar-year
/// report keeps its calendar label (`2023` for 2023年度); failing both, the statistics
/// period.
pub fn find_year(text: &str) -> Option<String> {
    xxgk_model::year::year_from_title(text)
        .or_else(|| xxgk_model::year::year_from_text(text))
        .map(xxgk_model::year::ReportYear::label)
}

// Headings and the template's sections: one detector, in the index crate (it also finds
// headings in collapsed one-line text, with stray spaces, running into their text, and
// in reports that begin at 二、).
pub use xxgk_model::sections::{classify_heading, split_sections};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_in_their_written_forms() {
        assert_eq!(
            find_year("2020-2021学年度湖南某大学"),
            Some("2020-2021".into())
        );
        assert_eq!(find_year("本报告为2019-2020學年"), Some("2019-2020".into()));
        assert_eq!(find_year("2020—2021学年度"), Some("2020-2021".into()));
        assert_eq!(
            find_year("２０１８～２０１９学年"),
            Some("2018-2019".into())
        );
        // A calendar-year report keeps its calendar label (issue 11: years as written).
        assert_eq!(
            find_year("某学院2020年度信息公开工作报告"),
            Some("2020".into())
        );
        assert_eq!(
            find_year("统计期限为2020年9月1日至2021年8月31日"),
            Some("2020-2021".into())
        );
        // Two years that are not consecutive are not an academic year.
        assert_eq!(find_year("2018-2021学年"), None);
        assert_eq!(
            find_year("某大学信息公开年报(2016-2017)"),
            Some("2016-2017".into())
        );
        assert_eq!(find_year("没有年份"), None);
    }

    #[test]
    fn noise_lines() {
        for line in [
            "您的位置:首页 -> 基本信息 -> 年度报告 -> 正文",
            "微信",
            "微博",
            "更多关于: 的信息",
            "相关信息",
            "點擊次數:128",
        ] {
            assert!(is_noise_line(line), "{line}");
        }
        for line in ["一、概述", "学校通过微信、微博等平台公开信息。"] {
            assert!(!is_noise_line(line), "{line}");
        }
    }

    #[test]
    fn a_whole_report_from_text() {
        let text = "您的位置:首页 -> 年度报告\n\
            2021-2022学年度东海海洋大学信息公开工作年度报告\n\
            发表时间:2022-10-20 09:00 点击次数:\n\
            \n\
            为做好信息公开工作,特编制本报告。\n\
            一、概述\n\
            东海海洋大学高度重视信息公开。\n\
            二、主动公开情况\n\
            本学年主动公开信息三百条,收费标准全部公开。\n\
            三、依申请公开和不予公开情况\n\
            收到依申请公开两件。\n\
            微信\n\
            微博\n";
        let hints = Hints {
            url: "file:///x.txt".into(),
            ..Hints::default()
        };
        let r = report_from_text(text, &hints).expect("report");
        assert_eq!(r.school, "东海海洋大学");
        assert_eq!(r.year.as_deref(), Some("2021-2022"));
        assert_eq!(r.published.as_deref(), Some("2022-10-20"));
        assert_eq!(r.title, "2021-2022学年度东海海洋大学信息公开工作年度报告");
        let ids: Vec<&str> = r.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["preamble", "overview", "proactive", "on_request"]);
        assert_eq!(r.sections[0].text, "为做好信息公开工作,特编制本报告。");
        assert_eq!(r.sections[3].text, "收到依申请公开两件。");
        assert_eq!(r.id, Report::id_for_url("file:///x.txt"));
    }

    #[test]
    fn empty_or_nameless_text_is_not_a_report() {
        let hints = Hints::default();
        assert!(matches!(
            report_from_text(" \n\n", &hints),
            Err(Error::NotAReport(_))
        ));
        assert!(matches!(
            report_from_text("一、概述\n没有校名的文字。", &hints),
            Err(Error::NotAReport(_))
        ));
        let hinted = Hints {
            school: Some("西山学院".into()),
            ..Hints::default()
        };
        let r = report_from_text("一、概述\n没有校名的文字。", &hinted).expect("hinted");
        assert_eq!(r.school, "西山学院");
    }

    /// An article page with no dated meta tag: the 发布时间 line at the top of its body
    /// dates the report (the scorecard's on time or late), and is not part of its text.
    #[test]
    fn a_page_report_is_dated_by_the_date_line_of_its_body() {
        let input = ArticleInput {
            title: Some("东海大学2020-2021学年信息公开工作年度报告".into()),
            published: None,
            body: "东海大学2020-2021学年信息公开工作年度报告\n\
                   发布时间：2021-11-12    来源：学校办公室\n\
                   一、概述\n学校重视信息公开。\n二、主动公开情况\n公开信息一百条。"
                .into(),
            attachments: vec![],
        };
        let hints = Hints {
            url: "http://a.edu.cn/info/1/2.htm".into(),
            school: Some("东海大学".into()),
            ..Hints::default()
        };
        let r = report_from_page(&input, &hints).expect("report");
        assert_eq!(r.published.as_deref(), Some("2021-11-12"));
        assert!(
            r.sections.iter().all(|s| !s.text.contains("发布时间")),
            "{:?}",
            r.sections
        );
    }

    /// Issue 10: a crawled report is its source's school, whatever its text says; its
    /// fields arrive typed; a notice's attachment carries the report.
    #[test]
    fn issue_10_the_source_names_the_school_of_a_page_report() {
        let input = ArticleInput {
            title: Some("关于公布福建某某大学2019-2020学年信息公开年度报告的通知".into()),
            published: Some("2020-10-30".into()),
            body: "现将年度报告予以公布。".into(),
            attachments: vec![AttachmentText {
                url: "http://a.edu.cn/f/1.pdf".into(),
                label: "2019-2020学年信息公开年度报告.pdf".into(),
                text: "一、概述\n学校重视信息公开。\n二、主动公开情况\n公开信息一百条。".into(),
            }],
        };
        let hints = Hints {
            url: "http://a.edu.cn/info/1.htm".into(),
            school: Some("甲大学".into()),
            ..Hints::default()
        };
        let r = report_from_page(&input, &hints).expect("report");
        assert_eq!(r.school, "甲大学");
        assert_eq!(r.year.as_deref(), Some("2019-2020"));
        assert_eq!(
            r.url, "http://a.edu.cn/info/1.htm",
            "the notice is the report's page"
        );
        let ids: Vec<&str> = r.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["preamble", "overview", "proactive"]);
        assert!(
            report_from_page(&input, &Hints::default()).is_err(),
            "a source is required"
        );
        // A title naming another school is told apart from one naming ours or an alias.
        assert_eq!(
            other_school_named("2020-2021学年乙山学院信息公开年度报告", "甲山大学", &[]).as_deref(),
            Some("乙山学院")
        );
        assert_eq!(
            other_school_named("2020-2021学年甲山大學信息公开年度报告", "甲山大学", &[]),
            None
        );
        assert_eq!(
            other_school_named(
                "2020-2021学年丙山学院信息公开年度报告",
                "甲山大学",
                &["丙山学院".into()]
            ),
            None
        );
    }

    /// Issue 19: extraction labels a report by the year it covers and keeps the label as
    /// written and the stated period; a notice titled without a year takes its
    /// attachment's label.
    #[test]
    fn issue_19_a_report_is_labelled_by_the_year_it_covers() {
        let hints = Hints {
            url: "http://xy.edu.cn/info/1.htm".into(),
            school: Some("咸阳某学院".into()),
            ..Hints::default()
        };
        let input = ArticleInput {
            title: Some("咸阳某学院2017年度信息公开工作报告".into()),
            published: Some("2017-10-30".into()),
            body: "本报告数据统计起止时间是2016年9月1日至2017年8月31日。\n一、概述\n学校重视信息公开。"
                .into(),
            attachments: Vec::new(),
        };
        let r = report_from_page(&input, &hints).expect("report");
        assert_eq!(r.year.as_deref(), Some("2016-2017"));
        assert_eq!(r.year_as_written.as_deref(), Some("2017年度"));
        assert_eq!(r.period_start.as_deref(), Some("2016-09-01"));
        assert_eq!(r.period_end.as_deref(), Some("2017-08-31"));
        let input = ArticleInput {
            title: Some("关于公布信息公开年度报告的通知".into()),
            published: None,
            body: "现将年度报告予以公布。".into(),
            attachments: vec![AttachmentText {
                url: "http://xy.edu.cn/f/1.pdf".into(),
                label: "2022年度信息公开工作年报.pdf".into(),
                text: "2021—2022年度，学校持续推进信息公开工作。\n一、概述\n学校重视信息公开。"
                    .into(),
            }],
        };
        let r = report_from_page(&input, &hints).expect("report");
        assert_eq!(r.year.as_deref(), Some("2021-2022"), "{r:?}");
        assert_eq!(r.year_as_written.as_deref(), Some("2022年度"));
        assert_eq!(r.period_start, None);
        // Text as a reader copies it.
        let r = report_from_text(
            "2020年度信息公开工作年度报告\n现将我校2020年度（2019年9月1日-2020年8月31日）信息公开工作情况报告如下。\n一、概述\n学校重视。",
            &hints,
        )
        .expect("report");
        assert_eq!(r.year.as_deref(), Some("2019-2020"));
        assert_eq!(r.year_as_written.as_deref(), Some("2020年度"));
    }

    #[test]
    fn simple_html_drops_scripts_and_keeps_blocks() {
        let html = "<html><head><title>北岭大学2020年度信息公开年度报告</title>\
            <script>var x = '<p>一、假</p>';</script></head><body>\
            <div>您的位置:首页</div><p>北岭大学信息公开。</p><p>一、概述</p>\
            <p>概述<b>正文</b>。<br>第二行</p><style>p{}</style></body></html>";
        let r = report_from_html(
            html,
            &Hints {
                url: "https://example.edu.cn/a.htm".into(),
                ..Hints::default()
            },
        )
        .expect("report");
        assert_eq!(r.title, "北岭大学2020年度信息公开年度报告");
        assert_eq!(r.school, "北岭大学");
        assert_eq!(r.year.as_deref(), Some("2020"), "a calendar year stays one");
        assert_eq!(r.sections[1].text, "概述正文。\n第二行");
        assert!(!r.sections.iter().any(|s| s.text.contains("var x")));
    }
}
