//! A report's year as written (issue 11). Most reports name an academic year
//! (2019-2020学年, 2019—2020學年度: September to August); some name a calendar year
//! (2023年度, 2025年信息公开工作年度报告: January to December). Each keeps its own kind:
//! a calendar-year report is labelled `2023`, never forced into an academic year it does
//! not cover.
//!
//! Labels sort by the end of the period they cover, so `2019-2020` (ends August 2020),
//! `2020` (ends December 2020) and `2020-2021` sort in that order — which is also their
//! string order, so a sorted list of labels needs no special comparison. A year filter
//! takes the label: `2020` is the calendar year only, `2019-2020` the academic year only.
//!
//! ```
//! use xxgk_model::year::{year_from_title, ReportYear};
//! assert_eq!(year_from_title("2019—2020學年度某大学信息公開年度報告"), Some(ReportYear::Academic(2019)));
//! assert_eq!(year_from_title("某大学2025年信息公开工作年度报告").map(|y| y.label()), Some("2025".to_string()));
//! ```

use crate::fold::fold;

/// The period a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportYear {
    /// The academic year starting in September of this year.
    Academic(u16),
    /// The calendar year.
    Calendar(u16),
}

impl ReportYear {
    /// `2019-2020` or `2023`: the index's year value and facet.
    pub fn label(self) -> String {
        match self {
            ReportYear::Academic(y) => format!("{y}-{}", y + 1),
            ReportYear::Calendar(y) => y.to_string(),
        }
    }

    /// Reads a label back (`2019-2020`, `2023`); anything else is `None`.
    pub fn parse(label: &str) -> Option<ReportYear> {
        let label = label.trim();
        if let Some((a, b)) = label.split_once('-') {
            let (a, b): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
            return (b == a + 1 && plausible(a)).then_some(ReportYear::Academic(a));
        }
        let y: u16 = label.parse().ok()?;
        plausible(y).then_some(ReportYear::Calendar(y))
    }

    /// What the label means, for a reader: `学年 2019-2020` / `2023 年度（自然年）`.
    pub fn describe(self) -> String {
        match self {
            ReportYear::Academic(y) => format!("{y}-{} 学年（{y}年9月至{}年8月）", y + 1, y + 1),
            ReportYear::Calendar(y) => format!("{y} 年度（{y}年1月至12月）"),
        }
    }

    /// Orders by the end of the covered period: 2019-2020 < 2020 < 2020-2021.
    pub fn sort_key(self) -> (u16, u8) {
        match self {
            ReportYear::Academic(y) => (y + 1, 0),
            ReportYear::Calendar(y) => (y, 1),
        }
    }
}

fn plausible(y: u16) -> bool {
    (1990..=2100).contains(&y)
}

/// The year a report's title names: an academic year written as two consecutive years
/// (2019-2020, 2019—2020, 2019至2020; followed by 学年, 学年度 or 年度, or by nothing), else
/// a calendar year written `YYYY年度` or `YYYY年` followed by the report's name
/// (…信息公开…报告). Either script, full- or half-width digits.
pub fn year_from_title(title: &str) -> Option<ReportYear> {
    let f: Vec<char> = fold(title).chars().collect();
    academic_at(&f, false).or_else(|| calendar_in_title(&f))
}

/// The year of a whole report's text: the title line among the first lines (a line that
/// names the report: 报告 with 信息公开 or 年度) by [`year_from_title`]; failing that, an
/// academic year written with 学年 near the top; failing that, the statistics period
/// (YYYY年9月1日 … YYYY+1年8月31日 is academic, YYYY年1月1日 … YYYY年12月31日 calendar);
/// failing that, `YYYY年度` near the top. Dates in the text (发布时间, the notice of 2021年 a
/// report answers) are never read as the report's year.
pub fn year_from_text(text: &str) -> Option<ReportYear> {
    let head: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(12)
        .collect();
    for line in &head {
        let f = fold(line);
        if f.chars().count() <= 80
            && f.contains("报告")
            && (f.contains("信息公开") || f.contains("年度"))
        {
            if let Some(y) = year_from_title(line) {
                return Some(y);
            }
        }
    }
    let top: Vec<char> = fold(text).chars().take(3000).collect();
    academic_at(&top, true)
        .or_else(|| statistics_period(&top))
        .or_else(|| annual(&top))
}

/// Whether `text` names a year at all (four digits, 1990–2100, not part of a longer
/// number), in either script and width: what a report's title must carry.
pub fn names_a_year(text: &str) -> bool {
    let f: Vec<char> = fold(text).chars().collect();
    (0..f.len()).any(|i| number_at(&f, i).is_some())
}

fn number_at(f: &[char], i: usize) -> Option<u16> {
    if i > 0 && f.get(i - 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let digits = f.get(i..i + 4)?;
    if !digits.iter().all(char::is_ascii_digit) || f.get(i + 4).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let s: String = digits.iter().collect();
    s.parse().ok().filter(|y| plausible(*y))
}

fn skip_spaces(f: &[char], mut i: usize) -> usize {
    while f.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn starts_with(f: &[char], i: usize, s: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    f.get(i..i + s.len()) == Some(&s[..])
}

/// Two consecutive years joined by a dash (or 至/到/~//) — in a title also bare, in text
/// only before 学年 (a body's "2020-2021" could be anything).
fn academic_at(f: &[char], need_xuenian: bool) -> Option<ReportYear> {
    for i in 0..f.len() {
        let Some(y1) = number_at(f, i) else { continue };
        let j = skip_spaces(f, i + 4);
        if !matches!(
            f.get(j),
            Some('-' | '—' | '–' | '―' | '~' | '至' | '到' | '/')
        ) {
            continue;
        }
        let k = skip_spaces(f, j + 1);
        let Some(y2) = number_at(f, k) else { continue };
        if y2 != y1 + 1 {
            continue;
        }
        let after = skip_spaces(f, k + 4);
        let xuenian = starts_with(f, after, "学年");
        if xuenian
            || (!need_xuenian
                && (starts_with(f, after, "年") || !f.get(after).is_some_and(char::is_ascii_digit)))
        {
            return Some(ReportYear::Academic(y1));
        }
    }
    None
}

fn calendar_in_title(f: &[char]) -> Option<ReportYear> {
    for i in 0..f.len() {
        let Some(y) = number_at(f, i) else { continue };
        let j = skip_spaces(f, i + 4);
        if starts_with(f, j, "年度") {
            return Some(ReportYear::Calendar(y));
        }
        if starts_with(f, j, "年") && !f.get(j + 1).is_some_and(char::is_ascii_digit) {
            let rest: String = f[j + 1..].iter().collect();
            if rest.contains("报告") && (rest.contains("信息公开") || rest.contains("年度"))
            {
                return Some(ReportYear::Calendar(y));
            }
        }
    }
    None
}

fn statistics_period(f: &[char]) -> Option<ReportYear> {
    let s: String = f.iter().collect();
    for (marker, years_later, end_marker, academic) in [
        ("年9月1日", 1u16, "年8月31日", true),
        ("年1月1日", 0, "年12月31日", false),
    ] {
        let Some(at) = s.find(marker) else { continue };
        let Some(y) = at
            .checked_sub(4)
            .and_then(|from| s.get(from..at))
            .and_then(|d| d.parse::<u16>().ok())
        else {
            continue;
        };
        if s[at..].contains(&format!("{}{end_marker}", y + years_later)) {
            return Some(if academic {
                ReportYear::Academic(y)
            } else {
                ReportYear::Calendar(y)
            });
        }
    }
    None
}

fn annual(f: &[char]) -> Option<ReportYear> {
    (0..f.len()).find_map(|i| {
        let y = number_at(f, i)?;
        starts_with(f, skip_spaces(f, i + 4), "年度").then_some(ReportYear::Calendar(y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: the one rule for "a title names a year" (the crawler's titles, the
    /// archive's year filters and the index all read years here).
    #[test]
    fn a_year_is_four_plausible_digits_standing_alone() {
        for yes in [
            "2019-2020学年报告",
            "２０２１年度報告",
            "年报(1999)",
            "2100年",
        ] {
            assert!(names_a_year(yes), "{yes}");
        }
        for no in ["第12345号", "1980年", "2101年", "共2020125件", "没有年份"] {
            assert!(!names_a_year(no), "{no}");
        }
    }

    #[test]
    fn issue_11_academic_years_stay_academic() {
        for title in [
            "2019-2020学年北辰职业技术学院信息公开工作年度报告",
            "2019—2020學年度河南機電職業學院信息公開工作報告",
            "某大学2019至2020学年信息公开年度报告",
            "某大学2019-2020年度信息公开工作报告",
            "２０１９－２０２０学年度信息公开年度报告",
        ] {
            assert_eq!(
                year_from_title(title),
                Some(ReportYear::Academic(2019)),
                "{title}"
            );
        }
        assert_eq!(ReportYear::Academic(2019).label(), "2019-2020");
    }

    #[test]
    fn issue_11_calendar_years_keep_a_calendar_label() {
        for (title, y) in [
            ("南岭师范大学2023年度信息公开工作年度报告", 2023),
            ("2025年信息公开工作年度报告", 2025),
            ("某學院2024年度信息公開年度報告", 2024),
        ] {
            let got = year_from_title(title);
            assert_eq!(got, Some(ReportYear::Calendar(y)), "{title}");
            assert_eq!(got.map(ReportYear::label), Some(y.to_string()));
        }
        // A date in a title is not a year of report.
        assert_eq!(year_from_title("关于2021年10月28日的通知"), None);
    }

    #[test]
    fn issue_11_text_reads_the_title_line_not_the_dates() {
        let text = "您的位置:首页 -> 年度报告\n2020-2021学年度湖南工商大学信息公开工作年度报告\n\
                    发表时间:2021-10-28 15:47\n按照《关于做好2021年高校信息公开年度报告工作的通知》要求";
        assert_eq!(year_from_text(text), Some(ReportYear::Academic(2020)));
        let text = "首页\n2023年度某大学信息公开工作年度报告\n发布时间:2024-01-20\n一、概述";
        assert_eq!(year_from_text(text), Some(ReportYear::Calendar(2023)));
        // No title line: the statistics period decides.
        let text = "本报告数据统计期限为2020年9月1日至2021年8月31日。";
        assert_eq!(year_from_text(text), Some(ReportYear::Academic(2020)));
        let text = "统计期限为2022年1月1日至2022年12月31日。";
        assert_eq!(year_from_text(text), Some(ReportYear::Calendar(2022)));
        let text = "正文\n2019-2020學年,學校堅持以公開為常態";
        assert_eq!(year_from_text(text), Some(ReportYear::Academic(2019)));
        assert_eq!(year_from_text("没有年份的文字"), None);
    }

    #[test]
    fn issue_11_labels_sort_by_the_end_of_their_period_and_round_trip() {
        let mut years = [
            ReportYear::Academic(2020),
            ReportYear::Calendar(2020),
            ReportYear::Academic(2019),
            ReportYear::Calendar(2021),
        ];
        years.sort_by_key(|y| y.sort_key());
        let labels: Vec<String> = years.iter().map(|y| y.label()).collect();
        assert_eq!(labels, ["2019-2020", "2020", "2020-2021", "2021"]);
        let mut sorted = labels.clone();
        sorted.sort();
        assert_eq!(sorted, labels, "string order is period order");
        for label in &labels {
            assert_eq!(
                ReportYear::parse(label).map(|y| y.label()).as_ref(),
                Some(label)
            );
        }
        assert_eq!(ReportYear::parse("2019-2021"), None);
        assert_eq!(ReportYear::parse("学年"), None);
    }
}
