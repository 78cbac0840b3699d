//! Size limits on what is indexed (issue 11). One 30 MB text file once became one
//! 11-million-character section: 933 MB of memory while indexing, 0.6–0.8 s searches and a
//! 31.5 MB API answer. So a report is cut at [`MAX_REPORT_BYTES`] of text, with a logged
//! warning and a note at its end saying so, and a section longer than
//! [`MAX_SECTION_BYTES`] is split into parts (same section, same heading) at line or
//! sentence ends, so that no search ever reads, highlights or returns more than that.

use crate::report::{Report, Section, SectionId};

/// Most text (UTF-8 bytes, all sections) indexed of one report.
pub const MAX_REPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most text (UTF-8 bytes) in one indexed section.
pub const MAX_SECTION_BYTES: usize = 256 * 1024;
/// Heading of the note added to a report that was cut.
pub const CUT_NOTE_HEADING: &str = "说明：原文过长，已截断";

/// How much of a report was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub original_bytes: usize,
    pub kept_bytes: usize,
}

/// The report as it will be indexed, when it exceeds a limit (`None`: index it as it is),
/// and whether it was cut.
pub fn bound(report: &Report) -> Option<(Report, Option<Cut>)> {
    let total: usize = report.sections.iter().map(|s| s.text.len()).sum();
    let too_long = |s: &Section| s.text.len() > MAX_SECTION_BYTES;
    if total <= MAX_REPORT_BYTES && !report.sections.iter().any(too_long) {
        return None;
    }
    let mut budget = MAX_REPORT_BYTES;
    let mut sections = Vec::new();
    for section in &report.sections {
        if budget == 0 {
            break;
        }
        let text = if section.text.len() > budget {
            &section.text[..break_before(&section.text, budget)]
        } else {
            section.text.as_str()
        };
        // Once a section is cut, nothing after it is kept.
        budget = if text.len() < section.text.len() {
            0
        } else {
            budget.saturating_sub(text.len())
        };
        let mut rest = text;
        loop {
            let end = if rest.len() > MAX_SECTION_BYTES {
                break_before(rest, MAX_SECTION_BYTES)
            } else {
                rest.len()
            };
            sections.push(Section {
                id: section.id,
                heading: section.heading.clone(),
                text: rest[..end].trim().to_string(),
            });
            rest = &rest[end..];
            if rest.trim().is_empty() {
                break;
            }
        }
    }
    let kept: usize = sections.iter().map(|s| s.text.len()).sum();
    let cut = (total > MAX_REPORT_BYTES).then_some(Cut {
        original_bytes: total,
        kept_bytes: kept,
    });
    if let Some(cut) = cut {
        sections.push(Section {
            id: SectionId::Other,
            heading: CUT_NOTE_HEADING.to_string(),
            text: format!(
                "原文共 {} 字节，超过 {} 字节的上限；此处只收录并检索前 {} 字节。全文见原始链接。",
                cut.original_bytes, MAX_REPORT_BYTES, cut.kept_bytes
            ),
        });
    }
    Some((
        Report {
            sections,
            ..report.clone()
        },
        cut,
    ))
}

/// A byte index at most `max` (and above zero when `text` is not empty) at a character
/// boundary, preferably just after a line end or a sentence end in the last quarter.
fn break_before(text: &str, max: usize) -> usize {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        // Always make progress: at least one character.
        return text.chars().next().map_or(0, char::len_utf8);
    }
    let window_start = end - end / 4;
    let window = &text[..end];
    let natural = ['\n', '。', '；', ';', '！', '？']
        .iter()
        .filter_map(|c| window.rfind(*c).map(|i| i + c.len_utf8()))
        .filter(|&i| i >= window_start)
        .max();
    natural.unwrap_or(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Script;

    fn report(sections: Vec<Section>) -> Report {
        let builder = xxgk_testkit::report("甲大学", "2020-2021")
            .id("r")
            .url("https://example.edu.cn/r")
            .title("甲大学信息公开年度报告")
            .script(Script::Simplified);
        sections
            .iter()
            .fold(builder, |b, s| b.section(s.id, &s.heading, &s.text))
            .build()
    }

    fn section(id: SectionId, text: String) -> Section {
        Section {
            id,
            heading: format!("{}、", id.as_str()),
            text,
        }
    }

    #[test]
    fn small_reports_are_left_alone() {
        let r = report(vec![section(SectionId::Overview, "学校公开信息。".into())]);
        assert!(bound(&r).is_none());
    }

    #[test]
    fn issue_11_long_sections_are_split_at_sentence_ends() {
        let sentence = "学校依法公开信息，接受社会监督。";
        let text = sentence.repeat(MAX_SECTION_BYTES * 2 / sentence.len() + 7);
        let r = report(vec![section(SectionId::Proactive, text.clone())]);
        let (bounded, cut) = bound(&r).expect("bounded");
        assert_eq!(cut, None);
        assert!(bounded.sections.len() >= 3);
        for s in &bounded.sections {
            assert!(s.text.len() <= MAX_SECTION_BYTES);
            assert!(s.text.ends_with('。'), "cut at a sentence end");
            assert_eq!(s.id, SectionId::Proactive);
            assert_eq!(s.heading, "proactive、");
        }
        let joined: String = bounded.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text, "nothing lost");
    }

    #[test]
    fn issue_11_huge_reports_are_cut_with_a_note() {
        let line = "附表第一行数据、第二列数据、第三列数据\n";
        let text = line.repeat(3 * MAX_REPORT_BYTES / line.len());
        let r = report(vec![
            section(SectionId::Overview, "概述。".into()),
            section(SectionId::Checklist, text.clone()),
            section(SectionId::Other, "无。".into()),
        ]);
        let (bounded, cut) = bound(&r).expect("bounded");
        let cut = cut.expect("cut");
        assert!(cut.original_bytes > 3 * MAX_REPORT_BYTES - line.len());
        assert!(cut.kept_bytes <= MAX_REPORT_BYTES);
        let kept: usize = bounded.sections.iter().map(|s| s.text.len()).sum();
        let note = bounded.sections.last().expect("note");
        assert_eq!(note.heading, CUT_NOTE_HEADING);
        assert!(kept - note.text.len() <= MAX_REPORT_BYTES);
        assert!(bounded
            .sections
            .iter()
            .all(|s| s.text.len() <= MAX_SECTION_BYTES));
        assert_eq!(bounded.sections[0].text, "概述。");
        assert!(
            !bounded.sections.iter().any(|s| s.text == "无。"),
            "what follows the cut is dropped"
        );
    }

    #[test]
    fn breaks_fall_on_character_boundaries() {
        let text = "信".repeat(1000);
        for max in [1, 2, 3, 4, 100, 2999] {
            let end = break_before(&text, max);
            assert!(text.is_char_boundary(end), "{max}");
            assert!(end <= max.max(3));
        }
    }
}
