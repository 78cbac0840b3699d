//! Splitting a report's body into the sections of the national template (issue 11): a
//! pure function, meant to replace `crawler::extract::split_sections` (same signature,
//! same [`SectionId`] mapping) and to also find headings that the line-based splitter
//! misses:
//!
//! - text collapsed onto one line (`…完成。二、主动公开情况 学校通过…`);
//! - stray spaces (`一 、概述`);
//! - a heading running into its text (`一、概述2012-2013学年…`, `五、对信息公开的评议情况一年来,…`);
//! - reports that begin at 二、 (the first heading lost to the page layout).
//!
//! Headings must still count up (一, 二, 三 …), so a numbered list inside a section does not
//! start new sections; a heading found inside a line must also name a part of the template
//! (概述, 主动公开, 依申请, 评议, 举报 …).

use crate::fold::{fold, is_han};
use crate::report::{Section, SectionId};

const NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// A heading line longer than this (in characters) is text, unless its start names a
/// part of the template.
const MAX_HEADING_LINE: usize = 70;
/// How far a heading found inside text may run before its end is looked for.
const MAX_HEADING_SPAN: usize = 60;

/// The words that end a template heading (…情况, …概述, …措施): where a heading runs into
/// its text, it is cut after the last of them.
const HEADING_ENDINGS: [&str; 7] = ["情况表", "情况", "概述", "概况", "措施", "事项", "工作"];

/// A numbered heading found in the text.
#[derive(Debug, Clone)]
struct Candidate {
    /// Character offsets of the heading in the text.
    start: usize,
    end: usize,
    level: u8,
    number: usize,
}

/// Splits body lines into the preamble and one section per top-level numbered heading
/// (drop-in for `crawler::extract::split_sections`). Top level is 一、 (or 第一部分) when
/// the text has 一、 or 二、 at that level, else (一). The preamble is left out when empty.
pub fn split_sections(lines: &[&str]) -> Vec<Section> {
    split_text(&lines.join("\n"))
}

/// [`split_sections`] over the text as one string (lines separated by `\n`).
pub fn split_text(text: &str) -> Vec<Section> {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = fold(text).chars().collect();
    let candidates = candidates(&folded);
    let level = if candidates.iter().any(|c| c.level == 1 && c.number <= 2) {
        1
    } else {
        2
    };
    let at_level: Vec<&Candidate> = candidates.iter().filter(|c| c.level == level).collect();
    let first_number = if at_level.iter().any(|c| c.number == 1) {
        1
    } else {
        2
    };
    let mut chosen: Vec<&Candidate> = Vec::new();
    let mut next = first_number;
    for c in at_level {
        if c.number == next && chosen.last().is_none_or(|last| c.start >= last.end) {
            chosen.push(c);
            next += 1;
        }
    }
    let cut = |from: usize, to: usize| -> String {
        chars[from..to]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    };
    let mut sections = Vec::with_capacity(chosen.len() + 1);
    let preamble_end = chosen.first().map_or(chars.len(), |c| c.start);
    let preamble = cut(0, preamble_end);
    if !preamble.is_empty() {
        sections.push(Section {
            id: SectionId::Preamble,
            heading: String::new(),
            text: preamble,
        });
    }
    for (i, c) in chosen.iter().enumerate() {
        let text_end = chosen.get(i + 1).map_or(chars.len(), |n| n.start);
        let heading = cut(c.start, c.end);
        sections.push(Section {
            id: classify_heading(&heading),
            heading,
            text: cut(c.end, text_end),
        });
    }
    sections
}

/// The canonical section of a top-level heading, from its words in either script (the
/// same mapping as `crawler::extract::classify_heading`).
pub fn classify_heading(heading: &str) -> SectionId {
    template_section(heading).unwrap_or(SectionId::Other)
}

/// The template section a heading's words name, `None` when they name none.
fn template_section(heading: &str) -> Option<SectionId> {
    let f = fold(heading);
    let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
    Some(if has(&["清单"]) {
        SectionId::Checklist
    } else if has(&["依申请", "不予公开"]) {
        SectionId::OnRequest
    } else if has(&["举报", "投诉", "复议", "诉讼", "申诉"]) {
        SectionId::Complaints
    } else if has(&["评议"]) {
        SectionId::Appraisal
    } else if has(&["重点领域"]) {
        SectionId::KeyAreas
    } else if has(&["主动公开"]) {
        SectionId::Proactive
    } else if has(&["问题", "改进", "不足", "努力方向", "下一步"]) {
        SectionId::Improvements
    } else if has(&["其他", "其它"]) {
        SectionId::Other
    } else if has(&["概述", "基本情况", "总体情况", "概况", "总体"]) {
        SectionId::Overview
    } else {
        return None;
    })
}

fn numeral_at(f: &[char], i: usize) -> Option<(usize, usize)> {
    NUMERALS
        .iter()
        .enumerate()
        .rev()
        .find(|(_, n)| n.chars().zip(i..).all(|(c, j)| f.get(j) == Some(&c)))
        .map(|(k, n)| (k + 1, n.chars().count()))
}

fn skip_spaces(f: &[char], mut i: usize) -> usize {
    while matches!(f.get(i), Some(' ' | '\t')) {
        i += 1;
    }
    i
}

fn starts_with(f: &[char], i: usize, s: &str) -> bool {
    s.chars().zip(i..).all(|(c, j)| f.get(j) == Some(&c))
}

/// Every numbered heading: at the start of a line, or inside a line after the end of a
/// sentence (then it must name a part of the template).
fn candidates(f: &[char]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for p in 0..f.len() {
        let line_start = p == 0 || f[p - 1] == '\n';
        let after_sentence = p > 0 && matches!(f[p - 1], '。' | ';' | '!' | '?' | ' ' | '\t');
        if !(line_start || after_sentence) {
            continue;
        }
        let Some((level, number, title_start)) = marker(f, p, line_start) else {
            continue;
        };
        let line_end = (p..f.len()).find(|&i| f[i] == '\n').unwrap_or(f.len());
        let cut_end = running_heading_end(f, title_start, line_end);
        let cut_names_template = cut_end
            .map(|e| template_section(&f[p..e].iter().collect::<String>()).is_some())
            .unwrap_or(false);
        let end = if line_start && line_end - p <= MAX_HEADING_LINE && !cut_names_template {
            // A short line of its own: the whole line is the heading (as the line-based
            // splitter always did).
            Some(line_end)
        } else if cut_names_template {
            cut_end
        } else {
            None
        };
        if let Some(end) = end {
            out.push(Candidate {
                start: p,
                end,
                level,
                number,
            });
        }
    }
    out
}

/// A heading marker at `p`: `(一)` (level 2), or `一、`, `一 、`, `一.`, `第一部分`, `第一章`,
/// or at a line start `一 概述` (level 1). Returns (level, number, where the title starts).
fn marker(f: &[char], p: usize, line_start: bool) -> Option<(u8, usize, usize)> {
    if f.get(p) == Some(&'(') {
        let (n, len) = numeral_at(f, p + 1)?;
        return (f.get(p + 1 + len) == Some(&')')).then_some((2, n, p + 2 + len));
    }
    let di = f.get(p) == Some(&'第');
    let at = if di { p + 1 } else { p };
    let (n, len) = numeral_at(f, at)?;
    let after = at + len;
    let sep = skip_spaces(f, after);
    if matches!(f.get(sep), Some('、' | '.')) {
        return Some((1, n, sep + 1));
    }
    if starts_with(f, after, "部分") {
        return Some((1, n, after + 2));
    }
    if di && starts_with(f, after, "章") {
        return Some((1, n, after + 1));
    }
    if line_start && sep > after && f.get(sep).is_some_and(|c| is_han(*c)) {
        return Some((1, n, sep));
    }
    None
}

/// Where a heading that may run into its text ends: at the end of the line, a sentence
/// mark, a digit (after two characters of title) or [`MAX_HEADING_SPAN`], then cut back to
/// after the last template ending (…情况, …概述) inside. `None` when the title is empty.
fn running_heading_end(f: &[char], title_start: usize, line_end: usize) -> Option<usize> {
    let limit = line_end.min(title_start + MAX_HEADING_SPAN);
    let stop = (title_start..limit)
        .find(|&i| {
            matches!(f[i], '。' | ',' | ';' | ':' | '!' | '?' | '(')
                || (f[i].is_ascii_digit() && i >= title_start + 2)
        })
        .unwrap_or(limit);
    let span: String = f[title_start..stop].iter().collect();
    let cut = HEADING_ENDINGS
        .iter()
        .filter_map(|e| span.rfind(e).map(|b| span[..b + e.len()].chars().count()))
        .max();
    let end = title_start + cut.unwrap_or(stop - title_start);
    (end > title_start).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(sections: &[Section]) -> Vec<SectionId> {
        sections.iter().map(|s| s.id).collect()
    }

    #[test]
    fn sections_split_at_counting_headings_only() {
        let lines = [
            "前言一句。",
            "一、概述",
            "概述正文。",
            "一、列表项不是新章节",
            "二、主动公开情况",
            "（一）方式",
            "正文二。",
            "四、跳号不算",
            "三、依申请公开情况",
            "无。",
        ];
        let sections = split_sections(&lines);
        assert_eq!(
            ids(&sections),
            [
                SectionId::Preamble,
                SectionId::Overview,
                SectionId::Proactive,
                SectionId::OnRequest
            ]
        );
        assert_eq!(sections[1].text, "概述正文。\n一、列表项不是新章节");
        assert_eq!(sections[2].text, "（一）方式\n正文二。\n四、跳号不算");
        assert_eq!(sections[3].heading, "三、依申请公开情况");
    }

    #[test]
    fn second_level_is_top_when_there_is_no_first() {
        let lines = ["（一）概述", "甲。", "（二）主动公开", "乙。"];
        assert_eq!(
            ids(&split_sections(&lines)),
            [SectionId::Overview, SectionId::Proactive]
        );
    }

    #[test]
    fn issue_11_text_collapsed_onto_one_line() {
        let text = "根据要求编制本报告。一、信息公开工作概述 2020-2021学年,学校坚持公开。\
                    二、主动公开情况 学校公开信息222条。三、依申请公开和不予公开情况 收到申请2件。\
                    四、对信息公开的评议情况 满意。五、因学校信息公开工作遭到举报的情况 未收到举报。";
        let sections = split_text(text);
        assert_eq!(
            ids(&sections),
            [
                SectionId::Preamble,
                SectionId::Overview,
                SectionId::Proactive,
                SectionId::OnRequest,
                SectionId::Appraisal,
                SectionId::Complaints
            ]
        );
        assert_eq!(sections[1].heading, "一、信息公开工作概述");
        assert_eq!(sections[1].text, "2020-2021学年,学校坚持公开。");
        assert_eq!(sections[2].heading, "二、主动公开情况");
        assert_eq!(sections[5].text, "未收到举报。");
    }

    #[test]
    fn issue_11_stray_spaces_and_headings_running_into_their_text() {
        let lines = [
            "一 、概述",
            "学校概况。",
            "二、主动公开情况学校通过网站公开信息,共计222条。",
            "三 .依申請公開情況本學年未收到申請。",
        ];
        let sections = split_sections(&lines);
        assert_eq!(
            ids(&sections),
            [
                SectionId::Overview,
                SectionId::Proactive,
                SectionId::OnRequest
            ]
        );
        assert_eq!(sections[0].heading, "一 、概述");
        assert_eq!(sections[1].heading, "二、主动公开情况");
        assert_eq!(sections[1].text, "学校通过网站公开信息,共计222条。");
        assert_eq!(sections[2].heading, "三 .依申請公開情況");
        assert_eq!(sections[2].text, "本學年未收到申請。");
        let running = split_text("一、概述2012-2013学年,学校坚持公开。\n二、主动公开情况\n公开。");
        assert_eq!(running[0].heading, "一、概述");
        assert_eq!(running[0].text, "2012-2013学年,学校坚持公开。");
    }

    #[test]
    fn issue_11_a_report_that_begins_at_two() {
        let lines = [
            "学校依法公开信息。",
            "二、主动公开情况",
            "公开了招生信息。",
            "三、依申请公开情况",
            "无。",
            "四、其他需要报告的事项",
            "无。",
        ];
        assert_eq!(
            ids(&split_sections(&lines)),
            [
                SectionId::Preamble,
                SectionId::Proactive,
                SectionId::OnRequest,
                SectionId::Other
            ]
        );
    }

    #[test]
    fn lists_and_sentences_are_not_headings() {
        let text = "一是学校高度重视。二是机制健全。\n一般情况下,学校公开。";
        assert_eq!(ids(&split_text(text)), [SectionId::Preamble]);
        // A long line starting with a numeral that names no template part is text.
        let long = format!("一、{}", "学校召开会议部署工作".repeat(10));
        assert_eq!(ids(&split_text(&long)), [SectionId::Preamble]);
    }

    #[test]
    fn headings_map_to_canonical_sections() {
        for (heading, id) in [
            ("一、信息公开工作概述", SectionId::Overview),
            ("一、基本情况", SectionId::Overview),
            ("二、主動公開情況", SectionId::Proactive),
            ("三、重點領域信息公開情況", SectionId::KeyAreas),
            ("四、依申請公開和不予公開情況", SectionId::OnRequest),
            ("五、對信息公開的評議情況", SectionId::Appraisal),
            ("六、行政复议、诉讼情况", SectionId::Complaints),
            (
                "六、因学校信息公开工作遭到举报的情况",
                SectionId::Complaints,
            ),
            ("七、存在的主要问题及改进措施", SectionId::Improvements),
            ("八、其他需要報告的事項", SectionId::Other),
            ("九、清单事项公开情况表", SectionId::Checklist),
        ] {
            assert_eq!(classify_heading(heading), id, "{heading}");
        }
    }
}
