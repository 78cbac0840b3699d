//! Filling the matrix: the year's reports read once, the items matched in memory.

use std::collections::{BTreeMap, BTreeSet};

use super::context;
use super::evidence::{evidence, evidence_snippet, window_snippet};
use super::items::{items, ITEM_COUNT};
use super::matrix::{
    Evidence, ItemCoverage, Matrix, MatrixRequest, MatrixSort, ReportRef, SchoolRow,
};
use super::phrases::PhraseMatcher;
use crate::engine::{Engine, SearchRequest};
use crate::fold::fold;
use crate::query::UserQuery;
use crate::report::Report;
use crate::{Error, Result};

impl Engine {
    /// The checklist matrix for one year: every school with a report for the year (within
    /// the filters) × the 50 items, each cell the first section of the school's report(s)
    /// that the item's query matches. Rows come sorted by coverage.
    ///
    /// One search finds the year's reports, which are read once; every item whose query
    /// is alternatives of exact phrases (all of the data file's) is then matched in
    /// memory by [`PhraseMatcher`], with exactly the index's semantics (a folded phrase
    /// occurring in a section's text or heading, or in the report's title and school
    /// line) — fifty searches would read every matching section back from the index's
    /// store, which costs far more at the scale of every school. Any other query is
    /// searched with [`Engine::matching_sections`].
    pub fn checklist_matrix(&self, req: &MatrixRequest) -> Result<Matrix> {
        let _span = tracing::info_span!("checklist_matrix", year = ?req.year).entered();
        let started = std::time::Instant::now();
        let stats = self.stats()?;
        let years: Vec<String> = stats.years.keys().rev().cloned().collect();
        let year = match &req.year {
            Some(y) if years.contains(y) => y.clone(),
            Some(y) => {
                return Err(Error::BadRequest(format!(
                    "no reports for the year {y:?}; years in the index: {}",
                    if years.is_empty() {
                        "none".to_string()
                    } else {
                        years.join(", ")
                    }
                )))
            }
            None => years.first().cloned().unwrap_or_default(),
        };
        let scoped = |query: &str| {
            let mut r = SearchRequest::new(query);
            r.years = vec![year.clone()];
            r.schools = req.schools.clone();
            r
        };

        // The year's reports, whole (section texts for snippets).
        let mut reports: BTreeMap<String, Report> = BTreeMap::new();
        if !year.is_empty() {
            let ids: Vec<String> = self
                .matching_sections(&scoped(""))?
                .into_iter()
                .map(|(id, _)| id)
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            let loaded = parallel_map(&ids, |id| self.report(id))?;
            reports.extend(loaded.into_iter().flatten().map(|r| (r.id.clone(), r)));
        }
        let loaded_ms = started.elapsed().as_millis();
        let provinces: BTreeSet<String> = reports
            .values()
            .filter_map(|r| r.province.clone())
            .collect();
        let kinds: BTreeSet<String> = reports.values().filter_map(|r| r.kind.clone()).collect();
        let wanted = |filter: &[String], value: &Option<String>| {
            filter.is_empty() || value.as_ref().is_some_and(|v| filter.contains(v))
        };
        reports.retain(|_, r| wanted(&req.provinces, &r.province) && wanted(&req.kinds, &r.kind));

        // Rows: one per school, its reports newest first.
        let mut by_school: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
        for report in reports.values() {
            by_school
                .entry(report.school.clone())
                .or_default()
                .push(report);
        }
        for list in by_school.values_mut() {
            list.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
        }

        // Per report: the first section matching each item.
        let list: Vec<&Report> = reports.values().collect();
        let matcher = PhraseMatcher::get();
        let mut found: BTreeMap<&str, Vec<Option<Found>>> = list
            .iter()
            .map(|r| r.id.as_str())
            .zip(parallel_map(&list, |r| Ok(matcher.scan(r)))?)
            .collect();
        // A phrase inside a complaint, a problem or a plan is a mention, not a disclosure:
        // such a cell moves to the next occurrence that discloses, or stays empty.
        let judged: Vec<bool> = items()
            .iter()
            .map(|it| context::applies_to(&it.query))
            .collect();
        for r in &list {
            let Some(cells) = found.get_mut(r.id.as_str()) else {
                continue;
            };
            for (i, cell) in cells.iter_mut().enumerate() {
                let Some(f) = *cell else { continue };
                if !judged[i] || !matcher.handles(i) {
                    continue;
                }
                let Some(section) = r.sections.get(f.section) else {
                    continue;
                };
                let folded = context::folded_chars(&section.text);
                if context::is_mention_only(section.id, &folded, f.at) {
                    *cell = next_disclosure(matcher, r, i, f);
                }
            }
        }
        let scanned_ms = started.elapsed().as_millis();
        // Items the matcher cannot take: ordinary searches.
        let searched: Vec<usize> = (0..ITEM_COUNT).filter(|&i| !matcher.handles(i)).collect();
        if !reports.is_empty() {
            let results = parallel_map(&searched, |&i| {
                self.matching_sections(&scoped(&items()[i].query))
            })?;
            for (&i, sections) in searched.iter().zip(results) {
                for (id, idx) in sections {
                    if let Some(cells) = found.get_mut(id.as_str()) {
                        let idx = idx as usize;
                        if cells[i].is_none_or(|f| idx < f.section) {
                            cells[i] = Some(Found {
                                section: idx,
                                at: None,
                            });
                        }
                    }
                }
            }
        }

        let needles: Vec<Vec<String>> = items()
            .iter()
            .map(|item| {
                UserQuery::parse(&item.query)
                    .map(|q| q.highlight_needles())
                    .unwrap_or_default()
            })
            .collect();
        // Rows, with their snippets, on every core.
        let schools: Vec<(&String, &Vec<&Report>)> = by_school.iter().collect();
        let rows: Vec<SchoolRow> = parallel_map(&schools, |(school, list)| {
            let cells: Vec<Option<Evidence>> = needles
                .iter()
                .enumerate()
                .map(|(i, needles)| {
                    list.iter().find_map(|r| {
                        let f = found.get(r.id.as_str())?[i]?;
                        let section = r.sections.get(f.section)?;
                        let snippet_html = match (req.without_snippets, f.at) {
                            (true, _) => String::new(),
                            (false, Some(at)) => window_snippet(&section.text, at, needles),
                            // Matched in the heading or the title line, or by a search.
                            (false, None) => evidence_snippet(
                                &section.heading,
                                &section.text,
                                &fold(&section.text),
                                needles,
                            ),
                        };
                        Some(evidence(r, f.section, snippet_html))
                    })
                })
                .collect();
            Ok(SchoolRow {
                school: (*school).clone(),
                institution: list.iter().find_map(|r| r.institution.clone()),
                province: list.iter().find_map(|r| r.province.clone()),
                kind: list.first().and_then(|r| r.kind.clone()),
                reports: list
                    .iter()
                    .map(|r| ReportRef {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        url: r.url.clone(),
                        published: r.published.clone(),
                    })
                    .collect(),
                covered: cells.iter().filter(|c| c.is_some()).count(),
                cells,
            })
        })?;
        let mut item_schools = vec![0usize; ITEM_COUNT];
        for row in &rows {
            for (n, cell) in item_schools.iter_mut().zip(&row.cells) {
                *n += usize::from(cell.is_some());
            }
        }
        let mut matrix = Matrix {
            year,
            years,
            provinces: provinces.into_iter().collect(),
            kinds: kinds.into_iter().collect(),
            filter_provinces: req.provinces.clone(),
            filter_kinds: req.kinds.clone(),
            items: items()
                .iter()
                .zip(item_schools)
                .map(|(item, schools)| ItemCoverage {
                    number: item.number,
                    category: item.category.clone(),
                    short: item.short.clone(),
                    wording: item.wording.clone(),
                    query: item.query.clone(),
                    schools,
                })
                .collect(),
            rows,
        };
        matrix.sort_rows(MatrixSort::Coverage, false);
        tracing::debug!(
            schools = matrix.rows.len(),
            year = %matrix.year,
            loaded_ms,
            scanned_ms,
            total_ms = started.elapsed().as_millis(),
            "checklist matrix"
        );
        Ok(matrix)
    }
}

/// Where a report first mentions an item: the section, and the character index of the
/// match in its text (`None` when the heading or the title line matched, or a search
/// found it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) section: usize,
    pub(super) at: Option<usize>,
}

/// The first occurrence of item `item` in `report` after `from` (a mention only) that
/// is a disclosure, in its text (the headings and title line matched only where `from`
/// was found).
fn next_disclosure(
    matcher: &PhraseMatcher,
    report: &Report,
    item: usize,
    from: Found,
) -> Option<Found> {
    for (idx, section) in report.sections.iter().enumerate().skip(from.section) {
        let text = fold(&section.text);
        let chars: Vec<char> = text.chars().collect();
        for byte in matcher.item_hits(&text, item) {
            let at = text[..byte].chars().count();
            let after = idx > from.section || from.at.is_none_or(|f| at > f);
            if after && !context::is_mention_only(section.id, &chars, Some(at)) {
                return Some(Found {
                    section: idx,
                    at: Some(at),
                });
            }
        }
    }
    None
}

/// `f` over `inputs` on the machine's cores (at most 8 threads), results in input order;
/// the first error wins.
pub(super) fn parallel_map<T: Sync, R: Send>(
    inputs: &[T],
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(inputs.len());
    if threads <= 1 {
        return inputs.iter().map(f).collect();
    }
    let f = &f;
    // Thread t takes inputs t, t + threads, …: item costs vary, neighbours alike.
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    inputs
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, x)| f(x).map(|r| (i, r)))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}
