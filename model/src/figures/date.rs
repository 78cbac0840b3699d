//! Publication dates and the ministry's deadline.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::report::Report;
use crate::year::{year_from_title, ReportYear};

/// A calendar date (`YYYY-MM-DD` in JSON), ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && (1..=31).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    /// Reads `YYYY-MM-DD` at the start of `s` (`2021-10-28 15:47` is 2021-10-28; `/` and
    /// `.` also separate). Anything else is `None`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let head: String = s.chars().take(10).collect();
        let mut parts = head.split(['-', '/', '.']);
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.trim().parse().ok()?;
        if !(1990..=2100).contains(&year) {
            return None;
        }
        Date::new(year, month, day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date: {s}")))
    }
}

/// The period a report covers, by the model's one year rule: its `year` label, else its
/// title. The seam through which the scorecard learns "the academic year it covers".
pub fn covered_year(report: &Report) -> Option<ReportYear> {
    report
        .year
        .as_deref()
        .and_then(ReportYear::parse)
        .or_else(|| year_from_title(&report.title))
}

/// The ministry's deadline for a report: 31 October after the academic year it covers
/// (教育部办公厅 asks for the report by the end of October). A calendar-year report
/// (2023年度) covers no academic year, and we know of no deadline for it to hold it to:
/// `None`.
pub fn deadline(year: ReportYear) -> Option<Date> {
    match year {
        ReportYear::Academic(start) => Date::new(start + 1, 10, 31),
        ReportYear::Calendar(_) => None,
    }
}

/// Whether a report published on `published` met the deadline of `year`; `None` when
/// undated or without a deadline.
pub fn on_time(published: Option<Date>, year: Option<ReportYear>) -> Option<bool> {
    let deadline = deadline(year?)?;
    Some(published? <= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_from_page_dates_and_order_by_time() {
        assert_eq!(Date::parse("2021-10-28 15:47"), Date::new(2021, 10, 28));
        assert_eq!(Date::parse("2021/1/5"), Date::new(2021, 1, 5));
        assert_eq!(Date::parse("2021-13-01"), None);
        assert_eq!(Date::parse("昨天"), None);
        assert!(Date::new(2021, 10, 31) < Date::new(2021, 11, 1));
        let json = serde_json::to_string(&Date::new(2021, 1, 5)).expect("json");
        assert_eq!(json, "\"2021-01-05\"");
    }

    #[test]
    fn on_time_is_by_31_october_after_the_academic_year() {
        let y = Some(ReportYear::Academic(2020));
        assert_eq!(on_time(Date::new(2021, 10, 31), y), Some(true));
        assert_eq!(on_time(Date::new(2021, 11, 1), y), Some(false));
        assert_eq!(on_time(None, y), None);
        assert_eq!(on_time(Date::new(2021, 1, 1), None), None);
        assert_eq!(
            on_time(Date::new(2024, 3, 1), Some(ReportYear::Calendar(2023))),
            None
        );
    }
}
