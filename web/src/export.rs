//! Downloads: the "which schools" answer and the coverage matrix as CSV (the CLI's
//! `xxgk schools --csv` and `xxgk coverage --csv` print the same tables).

use xxgk_archive::{Coverage, SchoolsAnswer};

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

/// The answer as CSV (RFC 4180, UTF-8, no BOM). Text cells that a spreadsheet would take
/// for a formula (`=`, `+`, `-`, `@` first) get a leading `'`.
pub fn schools_csv(answer: &SchoolsAnswer) -> String {
    let m = &answer.matches;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> =
        vec![SCHOOLS_CSV_HEADER.iter().map(|h| h.to_string()).collect()];
    for row in &m.matched {
        let years: Vec<String> = row.years.iter().map(|(y, n)| format!("{y}:{n}")).collect();
        let b = &row.best;
        rows.push(vec![
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
        ]);
    }
    for row in &m.unmatched {
        rows.push(vec![
            text_cell(&row.school),
            String::new(),
            "no".into(),
            "archived".into(),
            "0".into(),
            row.sections_in_scope.to_string(),
            row.years_in_scope.join(" "),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for row in &answer.no_report {
        let mut cells = vec![
            text_cell(&row.school),
            row.code.clone().unwrap_or_default(),
            "no_report".into(),
            row.status.as_str().into(),
            "0".into(),
            "0".into(),
        ];
        cells.resize(SCHOOLS_CSV_HEADER.len(), String::new());
        rows.push(cells);
    }
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
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

/// The coverage matrix as CSV (RFC 4180, UTF-8, no BOM), one row per institution × year;
/// several reports of one cell are joined with spaces.
pub fn coverage_csv(c: &Coverage) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COVERAGE_CSV_HEADER);
    for s in &c.schools {
        for (year, cell) in &s.years {
            let ids: Vec<&str> = cell.reports.iter().map(|r| r.report_id.as_str()).collect();
            let urls: Vec<&str> = cell.reports.iter().map(|r| r.url.as_str()).collect();
            // Writing to a Vec cannot fail.
            let _ = w.write_record([
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
            ]);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn text_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Highlighter output back to the text a reader sees: marks dropped, entities decoded.
pub fn plain_text(snippet_html: &str) -> String {
    snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
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
