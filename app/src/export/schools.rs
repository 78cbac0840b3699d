//! The "which schools" answer as CSV, one row per school: the site's `/schools.csv`
//! and `xxgk schools --csv`.

use super::{csv_string, plain_text, text_cell};
use crate::schools::SchoolsAnswer;

/// Column names of [`schools_csv`], one row per school: matched schools first, then
/// those whose reports do not mention it, then institutions with no report in scope
/// (`matched` = `yes`, `no`, `no_report`; `coverage` says why there is no report:
/// `not_found`, `unreachable`, `not_crawled`).
pub const SCHOOLS_CSV_HEADER: [&str; 16] = [
    "school",
    "code",
    "matched",
    "coverage",
    "matching_sections",
    "sections_in_scope",
    "years",
    "best_report_id",
    "best_title",
    "best_year",
    "best_section",
    "best_url",
    "best_snippet",
    // Issue 18: the evidence of a "no" row. For a school that does not mention the
    // query, `best_*` name the newest report that was read; for one with no report,
    // why (the coverage status's evidence), where, and whether it has a crawl source.
    "detail",
    "province",
    "in_sources",
];

/// The rows of [`schools_csv`], one per school: matched, then unmatched, then no report.
pub fn schools_rows(answer: &SchoolsAnswer) -> usize {
    let m = &answer.matches;
    m.matched.len() + m.unmatched.len() + answer.no_report.len()
}

/// Row `i` of [`schools_csv`] (after the header), in the order of [`schools_rows`].
pub fn schools_row(answer: &SchoolsAnswer, i: usize) -> Vec<String> {
    let m = &answer.matches;
    if let Some(row) = m.matched.get(i) {
        let years: Vec<String> = row.years.iter().map(|(y, n)| format!("{y}:{n}")).collect();
        let b = &row.best;
        let mut cells = vec![
            text_cell(&row.school),
            String::new(),
            "yes".into(),
            "archived".into(),
            row.matching_sections.to_string(),
            row.sections_in_scope.to_string(),
            years.join(" "),
            text_cell(&b.report_id),
            text_cell(&b.title),
            b.year.clone().unwrap_or_default(),
            b.section.as_str().to_string(),
            text_cell(&b.url),
            text_cell(&plain_text(&b.snippet_html)),
        ];
        // Every row as wide as the header: a short one would make the CSV writer refuse
        // the record and the file lose it.
        cells.resize(SCHOOLS_CSV_HEADER.len(), String::new());
        return cells;
    }
    let i = i - m.matched.len();
    let mut cells = if let Some(row) = m.unmatched.get(i) {
        let mut cells = vec![
            text_cell(&row.school),
            String::new(),
            "no".into(),
            "archived".into(),
            "0".into(),
            row.sections_in_scope.to_string(),
            row.years_in_scope.join(" "),
        ];
        if let Some(r) = row.reports_read.first() {
            cells.extend([
                text_cell(&r.report_id),
                text_cell(&r.title),
                r.year.clone().unwrap_or_default(),
                String::new(),
                text_cell(&r.url),
                String::new(),
                format!("读过 {} 份报告，均未提到", row.reports_read.len()),
            ]);
        }
        cells
    } else if let Some(row) = answer.no_report.get(i - m.unmatched.len()) {
        let mut cells = vec![
            text_cell(&row.school),
            row.code.clone().unwrap_or_default(),
            "no_report".into(),
            row.status.as_str().into(),
            "0".into(),
            "0".into(),
        ];
        cells.resize(SCHOOLS_CSV_HEADER.len() - 3, String::new());
        cells.extend([
            text_cell(&row.detail),
            row.province.clone().unwrap_or_default(),
            row.in_sources.to_string(),
        ]);
        cells
    } else {
        Vec::new()
    };
    cells.resize(SCHOOLS_CSV_HEADER.len(), String::new());
    cells
}

/// The answer as CSV (RFC 4180, UTF-8, no BOM). Text cells that a spreadsheet would take
/// for a formula (`=`, `+`, `-`, `@` first) get a leading `'`.
pub fn schools_csv(answer: &SchoolsAnswer) -> String {
    csv_string(
        &SCHOOLS_CSV_HEADER.map(String::from),
        (0..schools_rows(answer)).map(|i| schools_row(answer, i)),
    )
}
