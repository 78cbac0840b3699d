//! The year a report covers, as the report itself states it (issue 19).
//!
//! Reports are often titled by the year they are published and cover the academic year
//! before it: 咸阳师范学院2017年度信息公开工作报告 states 数据统计起止时间是2016年9月1日至
//! 2017年8月31日. Read by its title alone that report is the calendar year 2017; it covers
//! the academic year 2016-2017. [`covered_year`] decides, in this order:
//!
//! 1. **A stated statistics period** (数据统计期限, 统计起止时间, 统计时间为…至…, or a 年度
//!    label with its dates: `2020年度(2019年9月1日-2020年8月31日)`): September to August is
//!    an academic year, January to December a calendar year, whatever the title says.
//! 2. **The title**, by the one title rule ([`year_from_title`]) — except that a calendar
//!    title (`2022年度`) whose text opens with an academic label (`2021—2022年度`,
//!    `2021-2022学年`) covers that academic year.
//! 3. **The body**, when the title names no year: the report's title line among the first
//!    lines, else an academic label (`2021—2022年度`), else a `YYYY年度` near the top.
//!
//! The label as written (`2017年度`, `2019—2020學年度`) is kept beside the label the index
//! uses (`2016-2017`), with the stated period when there is one, so a reader sees both.
//! The words that introduce a period are reviewed data (`model/data/report-words.txt`).
//!
//! ```
//! use xxgk_model::period::{covered_year, Basis};
//! let y = covered_year(
//!     "咸阳某学院2017年度信息公开工作报告",
//!     "本报告数据统计起止时间是2016年9月1日至2017年8月31日。",
//! ).expect("a year");
//! assert_eq!(y.label(), "2016-2017");
//! assert_eq!(y.as_written, "2017年度");
//! assert_eq!(y.period_start.as_deref(), Some("2016-09-01"));
//! assert_eq!(y.period_end.as_deref(), Some("2017-08-31"));
//! assert_eq!(y.basis, Basis::StatedPeriod);
//! ```

use std::sync::LazyLock;

use crate::fold::fold;
use crate::year::{year_from_title, ReportYear};

/// How far into a body a period, label or title line is looked for (characters): the
/// preamble and the overview, where reports state them.
const HEAD: usize = 3000;
/// How far into a body an academic label still counts as the report's opening (what
/// overrides a calendar title).
const OPENING: usize = 600;
/// How far after a period word its date range may start (characters):
/// 本报告中所列数据的统计期限为 … is a few characters of 为/自/是.
const MARKER_REACH: usize = 12;
/// Lines at the top of a body in which the report's own title line is looked for.
const TITLE_LINES: usize = 12;

/// What decided a report's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The statistics period the report states.
    StatedPeriod,
    /// A year label in the body (the title names none, or names a calendar year the body
    /// states as an academic one).
    BodyLabel,
    /// The title.
    Title,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::StatedPeriod => "stated period",
            Basis::BodyLabel => "body label",
            Basis::Title => "title",
        }
    }
}

/// The year a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredYear {
    pub year: ReportYear,
    /// The label as the report writes it (`2017年度`, `2019—2020學年度`): from the title when
    /// it has one, else from the body, else the stated period itself.
    pub as_written: String,
    /// The first day of the stated statistics period (`YYYY-MM-DD`); `None` when the report
    /// states none.
    pub period_start: Option<String>,
    /// The last day of the stated statistics period.
    pub period_end: Option<String>,
    pub basis: Basis,
}

impl CoveredYear {
    /// The index's label: `2016-2017` or `2023`.
    pub fn label(&self) -> String {
        self.year.label()
    }

    /// One line for `crawl --explain`: `2016-2017 (written 2017年度; stated period
    /// 2016-09-01 – 2017-08-31)`.
    pub fn explain(&self) -> String {
        let mut s = format!(
            "year {} by the {} (written {}",
            self.label(),
            self.basis.as_str(),
            self.as_written
        );
        if let (Some(a), Some(b)) = (&self.period_start, &self.period_end) {
            s.push_str(&format!("; covering {a} – {b}"));
        }
        s.push(')');
        s
    }
}

/// The year `title` and `body` say the report covers (see the module doc for the order).
/// `None` when neither names one.
pub fn covered_year(title: &str, body: &str) -> Option<CoveredYear> {
    let title_year = year_from_title(title);
    let title_label = title_year.map(|y| label_as_written(title, y, false));
    if let Some(p) = stated_period(body).or_else(|| stated_period(title)) {
        let as_written = title_label
            .or_else(|| body_label(body).map(|(_, w)| w))
            .unwrap_or(p.as_written);
        return Some(CoveredYear {
            year: p.year,
            as_written,
            period_start: Some(p.start.iso()),
            period_end: Some(p.end.iso()),
            basis: Basis::StatedPeriod,
        });
    }
    if let (Some(year), Some(as_written)) = (title_year, title_label) {
        // A calendar title over a text that opens with the academic year it covers.
        let opening = academic_label_near_top(body, OPENING).filter(|(y, _)| match (year, y) {
            (ReportYear::Calendar(c), ReportYear::Academic(a)) => *a == c || *a + 1 == c,
            _ => false,
        });
        return Some(match opening {
            Some((y, _)) => CoveredYear {
                year: y,
                as_written,
                period_start: None,
                period_end: None,
                basis: Basis::BodyLabel,
            },
            None => CoveredYear {
                year,
                as_written,
                period_start: None,
                period_end: None,
                basis: Basis::Title,
            },
        });
    }
    let (year, as_written) = body_label(body)?;
    Some(CoveredYear {
        year,
        as_written,
        period_start: None,
        period_end: None,
        basis: Basis::BodyLabel,
    })
}

/// A day as a report writes it (`2016年9月1日`, `2016.9.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Day {
    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A statistics period the text states, with the year it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedPeriod {
    pub start: Day,
    pub end: Day,
    pub year: ReportYear,
    /// The range as written (`2016年9月1日至2017年8月31日`).
    pub as_written: String,
}

/// The statistics period `text` states: the first date range introduced by a period word
/// (数据统计期限, 统计起止时间 …) or in brackets right after a year label
/// (`2020年度(2019年9月1日-2020年8月31日)`) that spans a year; failing that, a range near
/// the top running exactly from 1 September to 31 August or from 1 January to 31 December.
/// A range that spans neither an academic nor a calendar year decides nothing.
pub fn stated_period(text: &str) -> Option<StatedPeriod> {
    let f: Vec<char> = fold(text).chars().collect();
    let o: Vec<char> = text.chars().collect();
    let mut exact = None;
    for i in 0..f.len() {
        let Some((start, end, to)) = range_at(&f, i) else {
            continue;
        };
        let Some(year) = period_year(start, end) else {
            continue;
        };
        let period = || StatedPeriod {
            start,
            end,
            year,
            as_written: o[i..to].iter().collect(),
        };
        if marked(&f, i) {
            return Some(period());
        }
        if exact.is_none() && i < HEAD && exact_bounds(start, end) {
            exact = Some(period());
        }
    }
    exact
}

/// The year a body names when its title names none: the report's title line among the
/// first lines, else an academic label near the top (`2021—2022年度`, `2021-2022学年`),
/// else `YYYY年度` near the top. With the label as written.
pub fn body_label(body: &str) -> Option<(ReportYear, String)> {
    for line in body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(TITLE_LINES)
    {
        let f = fold(line);
        if f.chars().count() <= 80
            && f.contains("报告")
            && (f.contains("信息公开") || f.contains("年度"))
        {
            if let Some(y) = year_from_title(line) {
                return Some((y, label_as_written(line, y, false)));
            }
        }
    }
    academic_label_near_top(body, HEAD).or_else(|| {
        let head: String = body.chars().take(HEAD).collect();
        let f: Vec<char> = fold(&head).chars().collect();
        let o: Vec<char> = head.chars().collect();
        labels(&f, true)
            .into_iter()
            .find(|l| matches!(l.year, ReportYear::Calendar(_)) && l.nian_du)
            .map(|l| (l.year, o[l.start..l.end].iter().collect()))
    })
}

/// The first academic label (two consecutive years with 学年 or 年度) in the first `reach`
/// characters of `body`.
fn academic_label_near_top(body: &str, reach: usize) -> Option<(ReportYear, String)> {
    let head: String = body.chars().take(reach).collect();
    let f: Vec<char> = fold(&head).chars().collect();
    let o: Vec<char> = head.chars().collect();
    labels(&f, true)
        .into_iter()
        .find(|l| matches!(l.year, ReportYear::Academic(_)))
        .map(|l| (l.year, o[l.start..l.end].iter().collect()))
}

/// The label in `text` that names `year`, as written; the plain label when none is found.
fn label_as_written(text: &str, year: ReportYear, need_suffix: bool) -> String {
    let f: Vec<char> = fold(text).chars().collect();
    let o: Vec<char> = text.chars().collect();
    labels(&f, need_suffix)
        .into_iter()
        .find(|l| l.year == year)
        .map(|l| o[l.start..l.end].iter().collect())
        .unwrap_or_else(|| year.label())
}

/// A year label found in folded text: `[start, end)` in characters.
#[derive(Debug)]
struct Label {
    year: ReportYear,
    start: usize,
    end: usize,
    /// Written `YYYY年度` (not a bare `YYYY年`).
    nian_du: bool,
}

/// Every year label in `f`, in order: `2019-2020`, `2019—2020学年度`, `2019至2020学年`
/// (academic; with `need_suffix` only those followed by 学年 or 年度), `2023年度`, `2023年`
/// (calendar, not a date: no month follows).
fn labels(f: &[char], need_suffix: bool) -> Vec<Label> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < f.len() {
        let Some(y1) = year_at(f, i) else {
            i += 1;
            continue;
        };
        let j = skip_spaces(f, i + 4);
        if matches!(f.get(j), Some(c) if is_dash(*c) || matches!(c, '至' | '到' | '/')) {
            let k = skip_spaces(f, j + 1);
            if year_at(f, k) == Some(y1 + 1) {
                let after = skip_spaces(f, k + 4);
                let suffix = ["学年度", "学年", "年度"]
                    .into_iter()
                    .find(|s| starts_with(f, after, s))
                    .map(|s| s.chars().count());
                if suffix.is_some() || !need_suffix {
                    let end = suffix.map_or(k + 4, |n| after + n);
                    out.push(Label {
                        year: ReportYear::Academic(y1),
                        start: i,
                        end,
                        nian_du: false,
                    });
                    i = end;
                    continue;
                }
            }
        }
        if starts_with(f, j, "年度") {
            out.push(Label {
                year: ReportYear::Calendar(y1),
                start: i,
                end: j + 2,
                nian_du: true,
            });
            i = j + 2;
            continue;
        }
        if starts_with(f, j, "年")
            && !f
                .get(skip_spaces(f, j + 1))
                .is_some_and(|c| c.is_ascii_digit())
        {
            out.push(Label {
                year: ReportYear::Calendar(y1),
                start: i,
                end: j + 1,
                nian_du: false,
            });
            i = j + 1;
            continue;
        }
        i += 4;
    }
    out
}

/// The year of a period running from `start` to `end`: an academic year when it runs from
/// August–October to July–September of the next year, a calendar year when it runs from
/// January to December of one year.
fn period_year(start: Day, end: Day) -> Option<ReportYear> {
    if end.year == start.year + 1 && (8..=10).contains(&start.month) && (7..=9).contains(&end.month)
    {
        Some(ReportYear::Academic(start.year))
    } else if end.year == start.year && start.month == 1 && end.month == 12 {
        Some(ReportYear::Calendar(start.year))
    } else {
        None
    }
}

/// 1 September – 31 August, or 1 January – 31 December.
fn exact_bounds(start: Day, end: Day) -> bool {
    matches!(
        (start.month, start.day, end.month, end.day),
        (9, 1, 8, 31) | (1, 1, 12, 31)
    )
}

/// Whether the range starting at `i` is introduced by a period word, or stands in brackets
/// right after a year label (`2020年度(2019年9月1日…`).
fn marked(f: &[char], i: usize) -> bool {
    let from = i.saturating_sub(MARKER_REACH + 8);
    let before: String = f[from..i].iter().collect();
    let reach: String = f[i.saturating_sub(MARKER_REACH)..i].iter().collect();
    if words(Kind::Period).iter().any(|w| {
        before.rfind(w.as_str()).is_some_and(|at| {
            // The word ends within MARKER_REACH characters of the range.
            let end = before[..at + w.len()].chars().count();
            before.chars().count() - end <= MARKER_REACH
        })
    }) {
        return true;
    }
    let tail = reach.trim_end_matches([' ', '(', '[', '【', '〔', ':']);
    tail.len() < reach.len()
        && (tail.ends_with("年度") || tail.ends_with("学年"))
        && tail
            .chars()
            .rev()
            .nth(2)
            .is_some_and(|c| c.is_ascii_digit())
}

/// A date range at `i`: a day, a separator (至, 到, a dash, 起至 …), a day (its year may be
/// left out: 2022年1月1日至12月31日). Returns the days and where the range ends.
fn range_at(f: &[char], i: usize) -> Option<(Day, Day, usize)> {
    let (start, mut j) = day_at(f, i, None)?;
    j = skip_spaces(f, j);
    if f.get(j) == Some(&'起') {
        j += 1;
    }
    let sep = f.get(j).copied()?;
    if !(is_dash(sep) || matches!(sep, '至' | '到' | '~' | '〜' | '一')) {
        return None;
    }
    j = skip_spaces(f, j + 1);
    if matches!(f.get(j), Some('至' | '到')) {
        j = skip_spaces(f, j + 1);
    }
    let (end, mut k) = day_at(f, j, Some(start.year))?;
    if f.get(k) == Some(&'止') {
        k += 1;
    }
    Some((start, end, k))
}

/// A day at `i`: `2016年9月1日` (or `1号`; a month alone means its first day, or its last
/// when it ends a range), `2016.9.1`, `2016/9/1`, `2016-09-01`; with `year_of_start`
/// also `9月1日` in that year.
fn day_at(f: &[char], i: usize, year_of_start: Option<u16>) -> Option<(Day, usize)> {
    let ends_range = year_of_start.is_some();
    if let Some(year) = year_at(f, i) {
        let j = skip_spaces(f, i + 4);
        if f.get(j) == Some(&'年') {
            return month_day(f, skip_spaces(f, j + 1), year, ends_range);
        }
        let sep = f.get(j).copied().filter(|c| matches!(c, '.' | '/' | '-'))?;
        let (month, k) = small_number(f, j + 1)?;
        if f.get(k) != Some(&sep) {
            return None;
        }
        let (day, l) = small_number(f, k + 1)?;
        return Some((valid(year, month, day)?, l));
    }
    let year = year_of_start?;
    if i > 0 && f[i - 1].is_ascii_digit() {
        return None;
    }
    month_day(f, i, year, ends_range)
}

/// `9月1日`, `9月1号`, `9月` at `i` of `year`.
fn month_day(f: &[char], i: usize, year: u16, ends_range: bool) -> Option<(Day, usize)> {
    let (month, j) = small_number(f, i)?;
    if f.get(j) != Some(&'月') {
        return None;
    }
    if let Some((day, k)) = small_number(f, j + 1) {
        if matches!(f.get(k), Some('日' | '号')) {
            return Some((valid(year, month, day)?, k + 1));
        }
    }
    let day = if ends_range {
        days_in_month(year, month)?
    } else {
        1
    };
    Some((valid(year, month, day)?, j + 1))
}

fn valid(year: u16, month: u8, day: u8) -> Option<Day> {
    (day >= 1 && day <= days_in_month(year, month)?).then_some(Day { year, month, day })
}

fn days_in_month(year: u16, month: u8) -> Option<u8> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    })
}

/// One or two ASCII digits at `i` (not part of a longer number).
fn small_number(f: &[char], i: usize) -> Option<(u8, usize)> {
    let n = f[i.min(f.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=2).contains(&n) {
        return None;
    }
    let s: String = f[i..i + n].iter().collect();
    Some((s.parse().ok()?, i + n))
}

/// A plausible four-digit year at `i`, not part of a longer number.
fn year_at(f: &[char], i: usize) -> Option<u16> {
    if i > 0 && f.get(i - 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let digits = f.get(i..i + 4)?;
    if !digits.iter().all(char::is_ascii_digit) || f.get(i + 4).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let y: u16 = digits.iter().collect::<String>().parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

/// The dashes reports join years and days with (after folding: `－` is `-`).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '—' | '–' | '―' | '‐' | '‑' | '−' | '─')
}

fn skip_spaces(f: &[char], mut i: usize) -> usize {
    while f.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn starts_with(f: &[char], i: usize, s: &str) -> bool {
    s.chars().zip(i..).all(|(c, j)| f.get(j) == Some(&c))
}

/// The kinds of word in `model/data/report-words.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Period,
    Public,
    Report,
}

static WORDS: LazyLock<Vec<(Kind, String)>> = LazyLock::new(|| {
    include_str!("../data/report-words.txt")
        .lines()
        .filter_map(|line| line.split('#').next())
        .filter_map(|entry| {
            let mut parts = entry.split_whitespace();
            let kind = match parts.next()? {
                "period" => Kind::Period,
                "public" => Kind::Public,
                "report" => Kind::Report,
                _ => return None,
            };
            Some((kind, fold(parts.next()?)))
        })
        .collect()
});

/// The reviewed words of one kind, folded.
pub(crate) fn words(kind: Kind) -> Vec<String> {
    WORDS
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, w)| w.clone())
        .collect()
}

#[cfg(test)]
mod tests;
