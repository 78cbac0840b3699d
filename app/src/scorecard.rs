//! The transparency scorecard (issue 20) as the site and the command line show it: the
//! archive's stored rows (figures, publication, parts; computed when each report was
//! stored) joined with the checklist matrix (how many of the 50 items each report's
//! school discloses that year). CSV in [`crate::export::scorecard`].

use serde::Serialize;
use xxgk_archive::ScorecardRow;
use xxgk_model::figures::Flag;

/// Which rows to show; empty fields keep everything.
#[derive(Debug, Clone, Default)]
pub struct ScorecardRequest {
    /// Years covered (`2020-2021`, or a calendar year `2021`).
    pub years: Vec<String>,
    /// Schools, in either script, by any registered name or alias.
    pub schools: Vec<String>,
    /// Province, long (湖南省) or short (湖南).
    pub province: Option<String>,
}

/// The scorecard answer: `xxgk scorecard --json`, `/api/scorecard`.
#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    pub rows: Vec<ScorecardLine>,
    pub total: usize,
}

/// One report's row.
#[derive(Debug, Clone, Serialize)]
pub struct ScorecardLine {
    #[serde(flatten)]
    pub row: ScorecardRow,
    /// Checklist items (of 50) the school's reports of the year disclose; `None` when
    /// the index does not hold the school for that year.
    pub checklist_items: Option<usize>,
}

impl Scorecard {
    /// A rough size in bytes (for the cache's budget).
    pub(crate) fn weigh(&self) -> usize {
        self.rows
            .iter()
            .map(|l| {
                let r = &l.row;
                let quotes: usize = xxgk_model::figures::FigureKind::ALL
                    .iter()
                    .filter_map(|k| r.card.figures.get(*k))
                    .map(|f| 96 + f.quote.len())
                    .sum();
                256 + r.school.len() + r.title.len() + r.url.len() + quotes
            })
            .sum()
    }
}

/// A flag in words, for a reader.
pub fn flag_text(flag: &Flag) -> String {
    match flag {
        Flag::PartsExceedTotal { total, parts } => {
            format!("各项之和 {parts} 超过收到申请总数 {total}")
        }
        Flag::PercentAbove100 { figure } => format!("{} 超过 100%", figure.label()),
        Flag::Conflict {
            figure,
            kept,
            other,
        } => format!("{} 前后不一：{kept} 与 {other}（取前者）", figure.label()),
    }
}

/// What the scorecard's rows are ordered by (`sort=`); missing values come last either
/// way, so a reversed column still starts with what reports state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScorecardSort {
    /// School, then year (the archive's order).
    #[default]
    School,
    Year,
    Published,
    /// Late first, then on time, then unknown.
    OnTime,
    Parts,
    Checklist,
    Figure(xxgk_model::figures::FigureKind),
}

impl ScorecardSort {
    /// `school`, `year`, `published`, `on_time`, `parts`, `checklist` or a figure's name
    /// (`requests_received` …); `""` is the default.
    pub fn parse(s: &str) -> Option<ScorecardSort> {
        Some(match s.trim() {
            "" | "school" => ScorecardSort::School,
            "year" => ScorecardSort::Year,
            "published" => ScorecardSort::Published,
            "on_time" => ScorecardSort::OnTime,
            "parts" => ScorecardSort::Parts,
            "checklist" => ScorecardSort::Checklist,
            other => ScorecardSort::Figure(xxgk_model::figures::FigureKind::parse(other)?),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScorecardSort::School => "school",
            ScorecardSort::Year => "year",
            ScorecardSort::Published => "published",
            ScorecardSort::OnTime => "on_time",
            ScorecardSort::Parts => "parts",
            ScorecardSort::Checklist => "checklist",
            ScorecardSort::Figure(k) => k.as_str(),
        }
    }

    /// The names `parse` takes, for an error message.
    pub fn names() -> String {
        let mut names = vec![
            "school",
            "year",
            "published",
            "on_time",
            "parts",
            "checklist",
        ];
        names.extend(
            xxgk_model::figures::FigureKind::ALL
                .iter()
                .map(|k| k.as_str()),
        );
        names.join(", ")
    }

    /// Positions of `rows` in this order (`reverse` turns it around, missing values
    /// still last; ties keep school then year).
    pub fn order(self, rows: &[ScorecardLine], reverse: bool) -> Vec<usize> {
        let key = |l: &ScorecardLine| -> Option<f64> {
            let c = &l.row.card;
            match self {
                ScorecardSort::School => Some(0.0),
                ScorecardSort::Year => c
                    .year
                    .as_deref()
                    .and_then(xxgk_model::year::ReportYear::parse)
                    .map(|y| {
                        let (a, b) = y.sort_key();
                        f64::from(a) * 10.0 + f64::from(b)
                    }),
                ScorecardSort::Published => c.published.map(|d| {
                    f64::from(d.year) * 10_000.0 + f64::from(d.month) * 100.0 + f64::from(d.day)
                }),
                ScorecardSort::OnTime => c.on_time.map(|t| if t { 1.0 } else { 0.0 }),
                ScorecardSort::Parts => Some(c.parts.count() as f64),
                ScorecardSort::Checklist => l.checklist_items.map(|n| n as f64),
                ScorecardSort::Figure(k) => c.figures.get(k).map(|f| f.value.as_f64()),
            }
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (ka, kb) = (key(&rows[a]), key(&rows[b]));
            match (ka, kb) {
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
                    if reverse {
                        o.reverse()
                    } else {
                        o
                    }
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(a.cmp(&b))
        });
        if self == ScorecardSort::School && reverse {
            order.reverse();
        }
        order
    }
}
