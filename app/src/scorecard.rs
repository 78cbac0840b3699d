//! The transparency scorecard (issue 20) as the site and the command line show it: the
//! archive's stored rows (figures, publication, parts; computed when each report was
//! stored) joined with the index's checklist matrix (how many of the 50 items each
//! report's school discloses that year), and written as CSV.

use std::collections::HashMap;

use serde::Serialize;
use xxgk_archive::coverage::academic_of;
use xxgk_archive::{ReadArchive, ScorecardFilter, ScorecardRow};
use xxgk_index::checklist::MatrixRequest;
use xxgk_index::Engine;
use xxgk_model::figures::{FigureKind, Flag, Part};
use xxgk_model::names::name_key;
use xxgk_model::year::ReportYear;

use crate::{Error, Result};

/// Which rows to show.
#[derive(Debug, Clone, Default)]
pub struct ScorecardRequest {
    /// Years covered (`2020-2021`, or a calendar year `2021` meaning 2020-2021).
    pub years: Vec<String>,
    pub schools: Vec<String>,
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

impl ScorecardRequest {
    /// The filters checked once: a year that is not a year is the caller's mistake, not
    /// an empty scorecard.
    fn filter(&self) -> Result<ScorecardFilter> {
        let mut years = Vec::new();
        for label in self
            .years
            .iter()
            .map(|y| y.trim())
            .filter(|y| !y.is_empty())
        {
            let year = ReportYear::parse(label).ok_or_else(|| {
                Error::BadRequest(format!(
                    "年份“{label}”无法识别：请写学年（如 2020-2021）或年度（如 2021）"
                ))
            })?;
            years.extend(academic_of(&year.label()));
        }
        Ok(ScorecardFilter {
            years,
            schools: self
                .schools
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            province: self
                .province
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        })
    }
}

/// The scorecard rows in scope, each with its school's checklist count for its year.
pub fn scorecard(
    archive: &dyn ReadArchive,
    engine: &Engine,
    req: &ScorecardRequest,
) -> Result<Scorecard> {
    let rows = archive.scorecard(&req.filter()?)?;
    // One checklist matrix per academic year in the rows.
    let mut covered: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for row in &rows {
        let Some(year) = row.card.year.as_deref().and_then(academic_of) else {
            continue;
        };
        if covered.contains_key(&year) {
            continue;
        }
        let matrix = engine.checklist_matrix(&MatrixRequest {
            year: Some(year.clone()),
            without_snippets: true,
            ..MatrixRequest::default()
        })?;
        let mut by_school = HashMap::new();
        for r in matrix.rows {
            if let Some(key) = &r.institution {
                by_school.insert(key.clone(), r.covered);
            }
            by_school.insert(name_key(&r.school), r.covered);
        }
        covered.insert(year, by_school);
    }
    let rows: Vec<ScorecardLine> = rows
        .into_iter()
        .map(|row| {
            let checklist_items = row
                .card
                .year
                .as_deref()
                .and_then(academic_of)
                .and_then(|y| covered.get(&y))
                .and_then(|m| {
                    row.institution
                        .as_ref()
                        .and_then(|k| m.get(k))
                        .or_else(|| m.get(&name_key(&row.school)))
                        .copied()
                });
            ScorecardLine {
                row,
                checklist_items,
            }
        })
        .collect();
    Ok(Scorecard {
        total: rows.len(),
        rows,
    })
}

/// The scorecard as CSV, one row per report: who, when, the parts, the checklist count,
/// each figure's value (empty when not stated, `~` before an approximate one) and quote,
/// and the flags.
pub fn scorecard_csv(answer: &Scorecard) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "school",
        "code",
        "province",
        "year",
        "report_id",
        "title",
        "url",
        "published",
        "deadline",
        "on_time",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(Part::ALL.iter().map(|p| format!("part_{}", p.as_str())));
    header.push("checklist_items".into());
    for kind in FigureKind::ALL {
        header.push(kind.as_str().to_string());
        header.push(format!("{}_quote", kind.as_str()));
    }
    header.push("flags".into());
    w.write_record(&header).map_err(csv_error)?;
    for line in &answer.rows {
        let r = &line.row;
        let c = &r.card;
        let mut rec: Vec<String> = vec![
            r.school.clone(),
            r.code.clone().unwrap_or_default(),
            r.province.clone().unwrap_or_default(),
            c.year.clone().unwrap_or_default(),
            c.report_id.clone(),
            r.title.clone(),
            r.url.clone(),
            c.published.map(|d| d.to_string()).unwrap_or_default(),
            c.deadline.map(|d| d.to_string()).unwrap_or_default(),
            c.on_time.map(|t| t.to_string()).unwrap_or_default(),
        ];
        rec.extend(Part::ALL.iter().map(|p| c.parts.has(*p).to_string()));
        rec.push(
            line.checklist_items
                .map(|n| n.to_string())
                .unwrap_or_default(),
        );
        for kind in FigureKind::ALL {
            match c.figures.get(kind) {
                Some(f) => {
                    rec.push(format!("{}{}", if f.approx { "~" } else { "" }, f.value));
                    rec.push(f.quote.clone());
                }
                None => rec.extend([String::new(), String::new()]),
            }
        }
        rec.push(c.flags.iter().map(flag_text).collect::<Vec<_>>().join("; "));
        w.write_record(&rec).map_err(csv_error)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Task(format!("CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Task(format!("CSV: {e}")))
}

fn csv_error(e: csv::Error) -> Error {
    Error::Task(format!("CSV: {e}"))
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
