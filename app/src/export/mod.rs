//! The output formats the site and the command line share byte for byte: the CSV
//! tables ([`schools`], [`coverage`], [`checklist`], [`scorecard`]), row by row so that the server can
//! stream them and the CLI print them whole, and highlighter output as plain text.
//!
//! CSV is RFC 4180, UTF-8; text cells that a spreadsheet would take for a formula get a
//! leading `'`. (The server's downloads add a byte-order mark; the CLI prints none.)

pub mod checklist;
pub mod coverage;
pub mod schools;
pub mod scorecard;

pub use checklist::{checklist_csv, checklist_long_csv};
pub use coverage::{coverage_csv, coverage_rows, COVERAGE_CSV_HEADER};
pub use schools::{schools_csv, schools_row, schools_rows, SCHOOLS_CSV_HEADER};
pub use scorecard::scorecard_csv;

/// Records as CSV text.
pub fn csv_string(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A text cell that a spreadsheet would take for a formula gets a leading `'`.
pub fn text_cell(text: &str) -> String {
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
