//! The transparency scorecard (issue 20): the figures a report states, whether it came out
//! on time and which parts of the national template it has — pure functions from a
//! [`Report`] to a [`Scorecard`], each figure with the sentence it was read from.
//!
//! - **Figures** ([`FigureKind`]): numbers in digits, full-width digits, thousands
//!   separators or Chinese numerals (十一、三百二十), read next to the cue words of
//!   `cues.txt`; a clear statement of none (未收到信息公开申请, 未发生举报、行政复议和行政诉讼,
//!   a section that says only 无) is `0` for exactly the figures it names; a figure the
//!   report does not state is `None`, never guessed.
//! - **Flags**: parts above their total (同意公开 + 部分公开 + … > 收到申请), a percentage
//!   above 100, two statements of one figure that disagree. Values are kept as written.
//! - **On time** ([`on_time`]): published by 31 October after the academic year covered.
//! - **Parts** ([`Parts`]): which parts of the template the report has.
//!
//! Extraction is linear in the report's length and reads at most [`MAX_CHARS`] characters.
//!
//! ```
//! use xxgk_model::figures::{scorecard, Date, FigureKind};
//! use xxgk_model::{sections::split_text, Report, Script};
//!
//! let text = "2020-2021学年度某大学信息公开工作年度报告\n三、依申请公开和不予公开情况\n\
//!             本学年共收到信息公开申请十二件,其中同意公开8件、不予公开4件。";
//! let report = Report {
//!     id: "r1".into(), school: "某大学".into(), year: Some("2020-2021".into()),
//!     title: "2020-2021学年度某大学信息公开工作年度报告".into(), published: None,
//!     url: "file:///r1".into(), script: Script::Simplified, content_hash: String::new(),
//!     province: None, kind: None, institution: None, year_as_written: None, period_start: None,
//!     period_end: None, sections: split_text(text),
//! };
//! let card = scorecard(&report, Date::parse("2021-10-28"));
//! let received = card.figures.get(FigureKind::RequestsReceived).expect("stated");
//! assert_eq!(received.value.as_f64(), 12.0);
//! assert!(received.quote.starts_with("本学年共收到"));
//! assert_eq!(card.figures.get(FigureKind::RequestsPartly), None);
//! assert_eq!(card.on_time, Some(true));
//! ```

mod cues;
mod date;
mod extract;
mod number;
mod parts;
mod table;
#[cfg(test)]
mod validation;

use serde::{Deserialize, Serialize};

pub use date::{covered_year, deadline, on_time, Date};
pub use parts::{Part, Parts};

use crate::report::{Report, SectionId};

/// At most this many characters of a report are read (a huge report cannot slow a store).
pub const MAX_CHARS: usize = 400_000;

/// The version of these rules (cue words included): raise it whenever a change could
/// read a stored report differently, and stored scorecards are computed again.
pub const RULES_VERSION: u32 = 1;

/// The ten figures, in the order of the scorecard's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// Items published proactively in the year: the total the report states.
    ProactiveItems,
    RequestsReceived,
    RequestsGranted,
    RequestsPartly,
    RequestsRefused,
    /// 信息不存在 / 不掌握.
    RequestsNotHeld,
    /// 举报 or 投诉 about disclosure.
    Complaints,
    /// 行政复议.
    Reviews,
    /// 行政诉讼.
    Lawsuits,
    SatisfactionPct,
}

impl FigureKind {
    pub const ALL: [FigureKind; 10] = [
        FigureKind::ProactiveItems,
        FigureKind::RequestsReceived,
        FigureKind::RequestsGranted,
        FigureKind::RequestsPartly,
        FigureKind::RequestsRefused,
        FigureKind::RequestsNotHeld,
        FigureKind::Complaints,
        FigureKind::Reviews,
        FigureKind::Lawsuits,
        FigureKind::SatisfactionPct,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::ProactiveItems => "proactive_items",
            FigureKind::RequestsReceived => "requests_received",
            FigureKind::RequestsGranted => "requests_granted",
            FigureKind::RequestsPartly => "requests_partly",
            FigureKind::RequestsRefused => "requests_refused",
            FigureKind::RequestsNotHeld => "requests_not_held",
            FigureKind::Complaints => "complaints",
            FigureKind::Reviews => "reviews",
            FigureKind::Lawsuits => "lawsuits",
            FigureKind::SatisfactionPct => "satisfaction_pct",
        }
    }

    /// Chinese column label.
    pub fn label(self) -> &'static str {
        match self {
            FigureKind::ProactiveItems => "主动公开",
            FigureKind::RequestsReceived => "收到申请",
            FigureKind::RequestsGranted => "同意公开",
            FigureKind::RequestsPartly => "部分公开",
            FigureKind::RequestsRefused => "不予公开",
            FigureKind::RequestsNotHeld => "信息不存在",
            FigureKind::Complaints => "举报投诉",
            FigureKind::Reviews => "行政复议",
            FigureKind::Lawsuits => "行政诉讼",
            FigureKind::SatisfactionPct => "满意度%",
        }
    }

    pub fn parse(s: &str) -> Option<FigureKind> {
        FigureKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The template section where the report is expected to state it.
    pub fn home(self) -> SectionId {
        match self {
            FigureKind::ProactiveItems => SectionId::Proactive,
            FigureKind::RequestsReceived
            | FigureKind::RequestsGranted
            | FigureKind::RequestsPartly
            | FigureKind::RequestsRefused
            | FigureKind::RequestsNotHeld => SectionId::OnRequest,
            FigureKind::Complaints | FigureKind::Reviews | FigureKind::Lawsuits => {
                SectionId::Complaints
            }
            FigureKind::SatisfactionPct => SectionId::Appraisal,
        }
    }

    /// The figure that a bare total (共计12件) in a sentence about this one is.
    fn total(self) -> Option<FigureKind> {
        match self {
            FigureKind::ProactiveItems => Some(FigureKind::ProactiveItems),
            FigureKind::RequestsReceived
            | FigureKind::RequestsGranted
            | FigureKind::RequestsPartly
            | FigureKind::RequestsRefused
            | FigureKind::RequestsNotHeld => Some(FigureKind::RequestsReceived),
            _ => None,
        }
    }

    /// A figure that is itself a total (a number after 其中 is never it).
    fn is_total(self) -> bool {
        self.total() == Some(self)
    }

    pub fn is_percent(self) -> bool {
        self == FigureKind::SatisfactionPct
    }
}

impl std::fmt::Display for FigureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A figure's value: a count, or a percentage for `satisfaction_pct`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Count(u64),
    Percent(f64),
}

impl Amount {
    pub fn as_f64(self) -> f64 {
        match self {
            // Counts in reports stay far below 2^53.
            Amount::Count(n) => n as f64,
            Amount::Percent(p) => p,
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "{p}"),
        }
    }
}

/// One figure and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: Amount,
    /// The number was written with 余、多、以上、近、约 (see `cues.txt`).
    pub approx: bool,
    /// The sentence as written (either script).
    pub quote: String,
    pub section: SectionId,
    /// Which of the report's sections (its index in `Report::sections`): two sections may
    /// share an id.
    pub section_index: usize,
    pub report_id: String,
    /// Character offsets of `quote` in the section's text.
    pub start: usize,
    pub end: usize,
}

/// The ten figures; `None` where the report does not state one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub proactive_items: Option<Figure>,
    pub requests_received: Option<Figure>,
    pub requests_granted: Option<Figure>,
    pub requests_partly: Option<Figure>,
    pub requests_refused: Option<Figure>,
    pub requests_not_held: Option<Figure>,
    pub complaints: Option<Figure>,
    pub reviews: Option<Figure>,
    pub lawsuits: Option<Figure>,
    pub satisfaction_pct: Option<Figure>,
}

impl Figures {
    pub fn get(&self, kind: FigureKind) -> Option<&Figure> {
        self.slot(kind).as_ref()
    }

    fn slot(&self, kind: FigureKind) -> &Option<Figure> {
        match kind {
            FigureKind::ProactiveItems => &self.proactive_items,
            FigureKind::RequestsReceived => &self.requests_received,
            FigureKind::RequestsGranted => &self.requests_granted,
            FigureKind::RequestsPartly => &self.requests_partly,
            FigureKind::RequestsRefused => &self.requests_refused,
            FigureKind::RequestsNotHeld => &self.requests_not_held,
            FigureKind::Complaints => &self.complaints,
            FigureKind::Reviews => &self.reviews,
            FigureKind::Lawsuits => &self.lawsuits,
            FigureKind::SatisfactionPct => &self.satisfaction_pct,
        }
    }

    fn slot_mut(&mut self, kind: FigureKind) -> &mut Option<Figure> {
        match kind {
            FigureKind::ProactiveItems => &mut self.proactive_items,
            FigureKind::RequestsReceived => &mut self.requests_received,
            FigureKind::RequestsGranted => &mut self.requests_granted,
            FigureKind::RequestsPartly => &mut self.requests_partly,
            FigureKind::RequestsRefused => &mut self.requests_refused,
            FigureKind::RequestsNotHeld => &mut self.requests_not_held,
            FigureKind::Complaints => &mut self.complaints,
            FigureKind::Reviews => &mut self.reviews,
            FigureKind::Lawsuits => &mut self.lawsuits,
            FigureKind::SatisfactionPct => &mut self.satisfaction_pct,
        }
    }

    pub fn set(&mut self, kind: FigureKind, figure: Option<Figure>) {
        *self.slot_mut(kind) = figure;
    }

    /// How many of the ten the report states.
    pub fn stated(&self) -> usize {
        FigureKind::ALL
            .iter()
            .filter(|k| self.get(**k).is_some())
            .count()
    }
}

/// Something about the figures a reader should check; the values stay as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// 同意公开 + 部分公开 + 不予公开 + 信息不存在 above 收到申请.
    PartsExceedTotal { total: u64, parts: u64 },
    /// A percentage above 100.
    PercentAbove100 { figure: FigureKind },
    /// The report states the figure twice with different values; the first is kept.
    Conflict {
        figure: FigureKind,
        kept: Amount,
        other: Amount,
    },
}

/// A report's row of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub report_id: String,
    /// The year label the report covers (`2019-2020`, `2023`), as [`covered_year`] reads it.
    pub year: Option<String>,
    pub published: Option<Date>,
    /// `published` is the day xxgk first saw the report (the page gives no date): an
    /// upper bound of its publication, so it can prove a report on time but never late.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub published_is_first_seen: bool,
    /// The ministry's deadline for the year covered (`None` for a calendar-year report).
    pub deadline: Option<Date>,
    /// `published <= deadline`; `None` when undated or without a deadline.
    pub on_time: Option<bool>,
    pub parts: Parts,
    pub figures: Figures,
    pub flags: Vec<Flag>,
}

/// The scorecard row of `report`, published on `published` (the date the page states).
pub fn scorecard(report: &Report, published: Option<Date>) -> Scorecard {
    let year = covered_year(report);
    let deadline = year.and_then(deadline);
    let figures = extract::figures(report);
    let flags = extract::flags(&figures.figures, figures.conflicts);
    Scorecard {
        report_id: report.id.clone(),
        year: year.map(|y| y.label()),
        published,
        published_is_first_seen: false,
        deadline,
        on_time: on_time(published, year),
        parts: parts::parts(report),
        figures: figures.figures,
        flags,
    }
}

/// The scorecard row of `report`, whose page states no date, first seen by xxgk on
/// `seen`: published no later than that. Seen on or before the deadline proves it on
/// time; seen after it proves nothing (a report crawled years later may have been
/// published on time), so `on_time` stays unknown rather than confidently late.
pub fn scorecard_first_seen(report: &Report, seen: Date) -> Scorecard {
    let mut card = scorecard(report, None);
    card.published = Some(seen);
    card.published_is_first_seen = true;
    card.on_time = card.deadline.filter(|d| seen <= *d).map(|_| true);
    card
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Script, Section};

    fn report(sections: Vec<Section>) -> Report {
        Report {
            id: "r".into(),
            school: "某大学".into(),
            year: Some("2020-2021".into()),
            title: "2020-2021学年度某大学信息公开工作年度报告".into(),
            published: None,
            url: "file:///r".into(),
            script: Script::Simplified,
            content_hash: String::new(),
            province: None,
            kind: None,
            institution: None,
            year_as_written: None,
            period_start: None,
            period_end: None,
            sections,
        }
    }

    fn section(id: SectionId, text: &str) -> Section {
        Section {
            id,
            heading: String::new(),
            text: text.into(),
        }
    }

    #[test]
    fn json_has_a_null_for_every_figure_not_stated() {
        let card = scorecard(
            &report(vec![section(SectionId::OnRequest, "本学年收到申请3件。")]),
            None,
        );
        let json = serde_json::to_value(&card).expect("json");
        let figures = &json["figures"];
        for kind in FigureKind::ALL {
            assert!(figures.get(kind.as_str()).is_some(), "{kind} is a key");
        }
        assert_eq!(figures["requests_received"]["value"], 3);
        assert_eq!(figures["requests_received"]["section"], "on_request");
        assert_eq!(figures["requests_received"]["quote"], "本学年收到申请3件");
        assert!(figures["complaints"].is_null());
        assert!(json["on_time"].is_null(), "undated");
        let back: Scorecard = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, card);
    }

    #[test]
    fn a_huge_report_is_read_up_to_the_bound_only() {
        // Filler of MAX_CHARS characters, then a figure: it is past the bound.
        let filler = "学校坚持公开。".repeat(MAX_CHARS / 7 + 1);
        let card = scorecard(
            &report(vec![
                section(SectionId::Overview, &filler),
                section(SectionId::OnRequest, "本学年收到申请3件。"),
            ]),
            None,
        );
        assert_eq!(card.figures.stated(), 0);
        // The same figure before the filler is read.
        let card = scorecard(
            &report(vec![
                section(SectionId::OnRequest, "本学年收到申请3件。"),
                section(SectionId::Overview, &filler),
            ]),
            None,
        );
        assert_eq!(card.figures.stated(), 1);
    }

    #[test]
    fn a_statement_of_none_names_exactly_its_figures() {
        let card = scorecard(
            &report(vec![section(
                SectionId::Complaints,
                "本学年未发生因信息公开引起的行政复议。",
            )]),
            None,
        );
        assert_eq!(
            card.figures.get(FigureKind::Reviews).map(|f| f.value),
            Some(Amount::Count(0))
        );
        assert_eq!(card.figures.get(FigureKind::Lawsuits), None);
        assert_eq!(card.figures.get(FigureKind::Complaints), None);
    }

    #[test]
    fn two_different_statements_of_one_figure_are_flagged() {
        let card = scorecard(
            &report(vec![
                section(SectionId::OnRequest, "本学年收到申请3件。"),
                section(SectionId::OnRequest, "另据统计收到申请4件。"),
            ]),
            None,
        );
        assert_eq!(
            card.figures
                .get(FigureKind::RequestsReceived)
                .map(|f| f.value),
            Some(Amount::Count(3))
        );
        assert!(card.flags.contains(&Flag::Conflict {
            figure: FigureKind::RequestsReceived,
            kept: Amount::Count(3),
            other: Amount::Count(4),
        }));
    }

    /// A date xxgk saw the report on can prove it on time, never late.
    #[test]
    fn first_seen_proves_on_time_but_never_late() {
        let r = report(Vec::new());
        let early = scorecard_first_seen(&r, Date::parse("2021-10-15").expect("date"));
        assert_eq!(early.on_time, Some(true));
        assert!(early.published_is_first_seen);
        let later = scorecard_first_seen(&r, Date::parse("2026-12-03").expect("date"));
        assert_eq!(later.on_time, None);
        assert_eq!(later.published, Date::parse("2026-12-03"));
        let dated = scorecard(&r, Date::parse("2021-11-20"));
        assert_eq!(dated.on_time, Some(false));
        assert!(!dated.published_is_first_seen);
    }
}
