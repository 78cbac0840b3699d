//! Two or more schools side by side for one year, or one school across its years,
//! section by section, with the checklist items each report mentions (`/compare`).

use std::collections::{BTreeMap, BTreeSet};

use xxgk_index::checklist::{items, MatrixRequest};
use xxgk_index::{Engine, SearchRequest};
use xxgk_model::{Report, SectionId};

use crate::{Error, Result};

/// Most columns side by side.
pub const MAX_COLUMNS: usize = 6;

/// One column: a school's report for a year, or the lack of one.
#[derive(Debug, Clone)]
pub struct Column {
    pub school: String,
    pub year: String,
    pub report: Option<Report>,
    /// Checklist items mentioned (1-based numbers) with the section that mentions each.
    pub items: BTreeMap<u32, (SectionId, usize)>,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub columns: Vec<Column>,
    /// Every year in the index, newest first.
    pub years: Vec<String>,
    /// The year the columns are for, when they share one.
    pub year: Option<String>,
    /// Schools asked for that are not in the index at all.
    pub unknown: Vec<String>,
}

/// Every report of `school` (within `year` if given), newest year first.
fn reports_of(engine: &Engine, school: &str, year: Option<&str>) -> Result<Vec<Report>> {
    let mut req = SearchRequest::new("");
    req.schools = vec![school.to_string()];
    req.years = year.map(|y| vec![y.to_string()]).unwrap_or_default();
    let ids: BTreeSet<String> = engine
        .matching_sections(&req)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut reports = Vec::new();
    for id in ids {
        if let Some(r) = engine.report(&id)? {
            reports.push(r);
        }
    }
    reports.sort_by(|a, b| {
        b.year
            .cmp(&a.year)
            .then_with(|| b.published.cmp(&a.published))
    });
    Ok(reports)
}

/// The checklist cells of one school for one year.
fn items_of(
    engine: &Engine,
    school: &str,
    year: &str,
) -> Result<BTreeMap<u32, (SectionId, usize)>> {
    let m = engine.checklist_matrix(&MatrixRequest {
        year: Some(year.to_string()),
        schools: vec![school.to_string()],
        without_snippets: true,
        ..MatrixRequest::default()
    })?;
    let mut out = BTreeMap::new();
    if let Some(row) = m.rows.iter().find(|r| r.school == school) {
        for (it, cell) in items().iter().zip(&row.cells) {
            if let Some(e) = cell {
                out.insert(it.number, (e.section, e.section_nth));
            }
        }
    }
    Ok(out)
}

/// Builds the comparison of `schools` (for `year`, or across the years of one school).
pub(crate) fn build(engine: &Engine, schools: &[String], year: Option<&str>) -> Result<Comparison> {
    let stats = engine.stats()?;
    let years: Vec<String> = stats.years.keys().rev().cloned().collect();
    if let Some(y) = year {
        if !years.iter().any(|x| x == y) {
            return Err(Error::BadRequest(format!(
                "no reports for the year {y:?}; years in the index: {}",
                years.join(", ")
            )));
        }
    }
    let (known, unknown): (Vec<String>, Vec<String>) = schools
        .iter()
        .cloned()
        .partition(|s| stats.schools.contains_key(s));
    let mut columns = Vec::new();
    let asked = year;
    let mut year = asked.map(str::to_string);
    if known.len() == 1 && asked.is_none() {
        // One school across its years.
        let school = &known[0];
        for report in reports_of(engine, school, None)?
            .into_iter()
            .take(MAX_COLUMNS)
        {
            let y = report.year.clone().unwrap_or_default();
            let items = if y.is_empty() {
                BTreeMap::new()
            } else {
                items_of(engine, school, &y)?
            };
            columns.push(Column {
                school: school.clone(),
                year: y,
                report: Some(report),
                items,
            });
        }
    } else if !known.is_empty() {
        let mut per_school: Vec<(String, Vec<Report>)> = Vec::new();
        for school in &known {
            per_school.push((school.clone(), reports_of(engine, school, None)?));
        }
        if year.is_none() {
            // The newest year every school has, else the newest year any has.
            let has = |y: &String| {
                per_school
                    .iter()
                    .all(|(_, rs)| rs.iter().any(|r| r.year.as_ref() == Some(y)))
            };
            year = years
                .iter()
                .find(|y| has(y))
                .or_else(|| {
                    years.iter().find(|y| {
                        per_school
                            .iter()
                            .any(|(_, rs)| rs.iter().any(|r| r.year.as_ref() == Some(*y)))
                    })
                })
                .cloned();
        }
        let y = year.clone().unwrap_or_default();
        for (school, reports) in per_school {
            let report = reports.into_iter().find(|r| r.year.as_deref() == Some(&y));
            let items = if report.is_some() {
                items_of(engine, &school, &y)?
            } else {
                BTreeMap::new()
            };
            columns.push(Column {
                school,
                year: y.clone(),
                report,
                items,
            });
        }
    }
    Ok(Comparison {
        columns,
        years,
        year: if known.len() == 1 && asked.is_none() {
            None
        } else {
            year
        },
        unknown,
    })
}
