//! The checklist matrix as CSV: one row per school (`/checklist.csv`, `xxgk checklist
//! --csv`) or, `long`, one row per school and item with the evidence
//! (`/checklist.csv?layout=long`, `xxgk checklist --csv --long`).

use xxgk_index::checklist::{items, Matrix, SchoolRow};

use super::{csv_string, plain_text, text_cell};

/// Column names of the wide table: school, province, kind, year, covered, reports, then
/// one column per item headed `N 事项`.
pub fn wide_header() -> Vec<String> {
    let mut header: Vec<String> = ["school", "province", "kind", "year", "covered", "reports"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(items().iter().map(|i| format!("{} {}", i.number, i.short)));
    header
}

pub fn wide_row(m: &Matrix, r: &SchoolRow) -> Vec<String> {
    let mut row = vec![
        text_cell(&r.school),
        text_cell(r.province.as_deref().unwrap_or("")),
        text_cell(r.kind.as_deref().unwrap_or("")),
        m.year.clone(),
        r.covered.to_string(),
        r.reports
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    ];
    row.extend(
        r.cells
            .iter()
            .map(|c| if c.is_some() { "1" } else { "0" }.to_string()),
    );
    row
}

/// The matrix as CSV, one row per school: school, province, kind, year, covered, then
/// one column per item (`1` mentioned, `0` not), headed `N 事项`. The CLI's
/// `xxgk checklist --csv` prints the same.
pub fn checklist_csv(m: &Matrix) -> String {
    csv_string(&wide_header(), m.rows.iter().map(|r| wide_row(m, r)))
}

pub fn long_header() -> Vec<String> {
    [
        "school",
        "province",
        "kind",
        "year",
        "item",
        "category",
        "short",
        "mentioned",
        "report_id",
        "section",
        "heading",
        "snippet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub fn long_rows(m: &Matrix, r: &SchoolRow) -> Vec<Vec<String>> {
    items()
        .iter()
        .zip(&r.cells)
        .map(|(it, cell)| {
            let mut row = vec![
                text_cell(&r.school),
                text_cell(r.province.as_deref().unwrap_or("")),
                text_cell(r.kind.as_deref().unwrap_or("")),
                m.year.clone(),
                it.number.to_string(),
                it.category.clone(),
                it.short.clone(),
            ];
            match cell {
                Some(e) => row.extend([
                    "1".to_string(),
                    e.report_id.clone(),
                    e.section.as_str().to_string(),
                    text_cell(&e.heading),
                    text_cell(&plain_text(&e.snippet_html)),
                ]),
                None => row.extend([
                    "0".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]),
            }
            row
        })
        .collect()
}

/// The matrix as CSV, one row per school and item, with the evidence: report id, section,
/// heading and the snippet as plain text (`xxgk checklist --csv --long`).
pub fn checklist_long_csv(m: &Matrix) -> String {
    csv_string(&long_header(), m.rows.iter().flat_map(|r| long_rows(m, r)))
}
