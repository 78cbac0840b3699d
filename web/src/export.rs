//! Downloads: the "which schools" answer and the coverage matrix as CSV (the CLI's
//! `xxgk schools --csv` and `xxgk coverage --csv` print the same tables), row by row so
//! that the server streams them (`csv_download`) and the CLI prints them whole.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use xxgk_app::schools::SchoolsAnswer;
use xxgk_archive::Coverage;

/// Column names of [`schools_csv`], one row per school: matched schools first, then
/// those whose reports do not mention it, then institutions with no report in scope
/// (`matched` = `yes`, `no`, `no_report`; `coverage` says why there is no report:
/// `not_found`, `unreachable`, `not_crawled`).
pub const SCHOOLS_CSV_HEADER: [&str; 13] = [
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
];

/// Rows written to a streamed download at a time (see `csv_download`).
pub const CSV_CHUNK_ROWS: usize = 256;

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
        return vec![
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
    }
    let i = i - m.matched.len();
    let mut cells = if let Some(row) = m.unmatched.get(i) {
        vec![
            text_cell(&row.school),
            String::new(),
            "no".into(),
            "archived".into(),
            "0".into(),
            row.sections_in_scope.to_string(),
            row.years_in_scope.join(" "),
        ]
    } else if let Some(row) = answer.no_report.get(i - m.unmatched.len()) {
        vec![
            text_cell(&row.school),
            row.code.clone().unwrap_or_default(),
            "no_report".into(),
            row.status.as_str().into(),
            "0".into(),
            "0".into(),
        ]
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

/// Column names of [`coverage_csv`]: one row per institution and year.
pub const COVERAGE_CSV_HEADER: [&str; 10] = [
    "name",
    "code",
    "province",
    "level",
    "in_sources",
    "year",
    "status",
    "report_ids",
    "urls",
    "detail",
];

/// The rows of [`coverage_csv`] for institution `i` of the matrix, one per year.
pub fn coverage_rows(c: &Coverage, i: usize) -> Vec<Vec<String>> {
    let Some(s) = c.schools.get(i) else {
        return Vec::new();
    };
    s.years
        .iter()
        .map(|(year, cell)| {
            let ids: Vec<&str> = cell.reports.iter().map(|r| r.report_id.as_str()).collect();
            let urls: Vec<&str> = cell.reports.iter().map(|r| r.url.as_str()).collect();
            vec![
                text_cell(&s.name),
                s.code.clone().unwrap_or_default(),
                text_cell(s.province.as_deref().unwrap_or("")),
                s.level.clone().unwrap_or_default(),
                if s.in_sources { "yes" } else { "no" }.to_string(),
                year.clone(),
                cell.status.as_str().to_string(),
                ids.join(" "),
                text_cell(&urls.join(" ")),
                text_cell(&cell.detail),
            ]
        })
        .collect()
}

/// The coverage matrix as CSV (RFC 4180, UTF-8, no BOM), one row per institution × year;
/// several reports of one cell are joined with spaces.
pub fn coverage_csv(c: &Coverage) -> String {
    csv_string(
        &COVERAGE_CSV_HEADER.map(String::from),
        (0..c.schools.len()).flat_map(|i| coverage_rows(c, i)),
    )
}

/// Records as CSV text.
pub(crate) fn csv_string(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A CSV download streamed from an answer already in memory: a byte-order mark (so that
/// spreadsheet programs read the Chinese text as UTF-8) and the header, then the rows of
/// each of `items` items ([`CSV_CHUNK_ROWS`] items a chunk). No row cap: the answer is
/// held once (shared with the cache) and the body never holds more than one chunk, so
/// the whole registry's coverage (42,000 rows) costs what one chunk costs.
pub(crate) fn csv_download<T: Send + Sync + 'static>(
    filename: &str,
    data: Arc<T>,
    items: usize,
    columns: Vec<String>,
    rows: impl Fn(&T, usize) -> Vec<Vec<String>> + Send + Sync + 'static,
) -> Response {
    let chunks = items.div_ceil(CSV_CHUNK_ROWS).max(1);
    let stream = futures_util::stream::iter(0..chunks).map(move |chunk| {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
        if chunk == 0 {
            let _ = w.write_record(&columns);
        }
        let from = chunk * CSV_CHUNK_ROWS;
        for i in from..(from + CSV_CHUNK_ROWS).min(items) {
            for row in rows(&data, i) {
                // Writing to a Vec cannot fail.
                let _ = w.write_record(&row);
            }
        }
        let mut bytes = w.into_inner().unwrap_or_default();
        if chunk == 0 {
            bytes.splice(0..0, "\u{feff}".bytes());
        }
        Ok::<_, std::convert::Infallible>(Bytes::from(bytes))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// A text cell that a spreadsheet would take for a formula gets a leading `'`.
pub(crate) fn text_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Highlighter output back to the text a reader sees: marks dropped, entities decoded.
pub fn plain_text(snippet_html: &str) -> String {
    xxgk_index::highlight::html_text(snippet_html, "", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(
            plain_text("a &lt;b&gt; <mark>收费</mark> &amp;amp; &#39;"),
            "a <b> 收费 &amp; '"
        );
    }

    #[test]
    fn formula_like_cells_are_defused() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("甲大学"), "甲大学");
    }
}
