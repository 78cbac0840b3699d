//! Whether a text reads like an annual disclosure report (issue 19): the rule for a page
//! whose own title names no year (安徽大学信息公开年度报告), which is a report when its
//! body plainly is one. Three signs, each a reviewed piece of the domain:
//!
//! - **the template's headings**: at least [`MIN_TEMPLATE_PARTS`] parts of the national
//!   template (概述, 主动公开, 依申请公开, 评议, 举报, 问题与改进 …) as numbered headings, by
//!   the one heading rule ([`crate::sections`]);
//! - **a statistics period** it states ([`crate::period::stated_period`]);
//! - **its own name near the top**: a disclosure word and a report word
//!   (信息公开 + 年度报告 / 工作报告 / 年报, `model/data/report-words.txt`).
//!
//! Two of the three make a report: one alone is what a news item about the report, or a
//! page of rules with numbered headings, also has. The reasons are kept, in order, for
//! `xxgk crawl --explain`.
//!
//! ```
//! let text = "某大学信息公开年度报告\n本报告数据统计期限为2019年9月1日至2020年8月31日。\n\
//!             一、概述\n学校……\n二、主动公开情况\n……\n三、依申请公开情况\n……";
//! let reading = xxgk_model::body::reads_like_report(text);
//! assert!(reading.is_report, "{:?}", reading.reasons);
//! assert!(!xxgk_model::body::reads_like_report("学校召开信息公开工作会议。").is_report);
//! ```

use crate::fold::fold;
use crate::period::{stated_period, words, Kind};
use crate::report::SectionId;
use crate::sections::split_text;

/// Parts of the template that make the headings a sign.
pub const MIN_TEMPLATE_PARTS: usize = 3;
/// Signs that make a report.
pub const MIN_SIGNS: usize = 2;
/// How far into the text its own name is looked for (characters).
const NAME_REACH: usize = 400;

/// The verdict on a text, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyReading {
    pub is_report: bool,
    /// One sentence per sign, found or not, then the verdict.
    pub reasons: Vec<String>,
}

/// Reads `text` (a page's body) for the signs of a report.
pub fn reads_like_report(text: &str) -> BodyReading {
    let mut reasons = Vec::new();
    let mut signs = 0;

    let sections = split_text(text);
    let mut parts: Vec<SectionId> = Vec::new();
    let mut headings: Vec<&str> = Vec::new();
    for s in &sections {
        let template = !matches!(
            s.id,
            SectionId::Preamble | SectionId::Other | SectionId::Checklist
        );
        if template && !parts.contains(&s.id) {
            parts.push(s.id);
            headings.push(&s.heading);
        }
    }
    if parts.len() >= MIN_TEMPLATE_PARTS {
        signs += 1;
        reasons.push(format!(
            "the template's headings: {} ({} parts)",
            headings.join(" / "),
            parts.len()
        ));
    } else {
        reasons.push(format!(
            "not the template's headings ({} of the {MIN_TEMPLATE_PARTS} parts needed)",
            parts.len()
        ));
    }

    match stated_period(text) {
        Some(p) => {
            signs += 1;
            reasons.push(format!(
                "states a statistics period: {} ({})",
                p.as_written,
                p.year.label()
            ));
        }
        None => reasons.push("states no statistics period".into()),
    }

    let head = fold(&text.chars().take(NAME_REACH).collect::<String>());
    let public = words(Kind::Public).into_iter().find(|w| head.contains(w));
    let report = words(Kind::Report).into_iter().find(|w| head.contains(w));
    match (public, report) {
        (Some(p), Some(r)) => {
            signs += 1;
            reasons.push(format!("names itself near the top: {p} + {r}"));
        }
        _ => reasons.push("does not name itself a disclosure report near the top".into()),
    }

    let is_report = signs >= MIN_SIGNS;
    reasons.push(if is_report {
        format!("its text reads like a report ({signs} of 3 signs)")
    } else {
        format!("its text does not read like a report ({signs} of 3 signs; {MIN_SIGNS} needed)")
    });
    BodyReading { is_report, reasons }
}
