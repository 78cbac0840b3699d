//! The coverage matrix as CSV, one row per institution and year: the site's
//! `/coverage.csv` and `xxgk coverage --csv`.

use xxgk_archive::Coverage;

use super::{csv_string, text_cell};

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
