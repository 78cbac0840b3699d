//! `xxgk checklist`: which of the 50 items of 《高等学校信息公开事项清单》 each school's
//! report mentions, for one year — the same matrix as the site's `/checklist`, as a text
//! table, CSV or JSON.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use xxgk_app::checklist::{items, Matrix, MatrixRequest, MatrixSort, CATEGORIES, ITEM_COUNT};
use xxgk_app::export::{checklist_csv, checklist_long_csv};

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    /// Academic year, e.g. 2020-2021 (default: the newest in the index).
    #[arg(long)]
    pub year: Option<String>,
    /// Only schools of this province (repeat for several; from the crawl sources).
    #[arg(long)]
    pub province: Vec<String>,
    /// Only schools of this kind: 大学, 学院, 职业技术学院 … (repeat for several).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Only this school (repeat for several).
    #[arg(long)]
    pub school: Vec<String>,
    /// Row order: coverage, school, province or item:N.
    #[arg(long, default_value = "coverage")]
    pub sort: String,
    /// Print CSV: one row per school, one column per item (1 = mentioned).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// With --csv: one row per school and item, with the evidence (report, section,
    /// snippet).
    #[arg(long, requires = "csv")]
    pub long: bool,
    /// Print JSON (as the site's /api/checklist), with evidence snippets.
    #[arg(long)]
    pub json: bool,
    /// Also list the 50 items with their queries (text output).
    #[arg(long)]
    pub items: bool,
}

pub fn run(data: &Path, args: ChecklistArgs) -> anyhow::Result<ExitCode> {
    let sort = MatrixSort::parse(&args.sort).ok_or_else(|| {
        anyhow!(
            "unknown sort {:?}; use coverage, school, province or item:N (1–{ITEM_COUNT})",
            args.sort
        )
    })?;
    let app = super::open_app(data)?;
    let text = !(args.csv || args.json);
    let mut matrix = (*app.checklist(&MatrixRequest {
        year: args.year,
        provinces: args.province,
        kinds: args.kind,
        schools: args.school,
        // The text table shows marks only; CSV (wide) has no room for evidence.
        without_snippets: text || (args.csv && !args.long),
    })?)
    .clone();
    matrix.sort_rows(sort, false);
    let out = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&matrix)?)
    } else if args.csv && args.long {
        checklist_long_csv(&matrix)
    } else if args.csv {
        checklist_csv(&matrix)
    } else {
        table(&matrix, args.items)
    };
    super::emit(&out)
}

/// The matrix as a text table: a row of marks per school, grouped by category, then the
/// number of schools mentioning each item.
fn table(matrix: &Matrix, with_queries: bool) -> String {
    let mut out = String::new();
    if matrix.rows.is_empty() {
        let _ = writeln!(
            out,
            "no reports for {}",
            if matrix.year.is_empty() {
                "any year (the index is empty)"
            } else {
                &matrix.year
            }
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{}: {} schools × {ITEM_COUNT} items (● mentioned, · not; groups: {})",
        matrix.year,
        matrix.rows.len(),
        CATEGORIES.join(" | ")
    );
    let width = matrix
        .rows
        .iter()
        .map(|r| r.school.chars().count())
        .max()
        .unwrap_or(0);
    for row in &matrix.rows {
        let mut marks = String::new();
        for (i, (it, cell)) in items().iter().zip(&row.cells).enumerate() {
            if i > 0 && items()[i - 1].category != it.category {
                marks.push(' ');
            }
            marks.push(if cell.is_some() { '●' } else { '·' });
        }
        let pad = width - row.school.chars().count();
        let _ = writeln!(
            out,
            "  {}{} {:>2}/{ITEM_COUNT}  {marks}",
            row.school,
            "　".repeat(pad),
            row.covered
        );
    }
    let _ = writeln!(out, "\nschools mentioning each item:");
    for (it, cov) in items().iter().zip(&matrix.items) {
        let _ = writeln!(
            out,
            "  {:>2}. {} — {}/{}",
            it.number,
            it.short,
            cov.schools,
            matrix.rows.len()
        );
        if with_queries {
            let _ = writeln!(out, "      {}", it.wording);
            let _ = writeln!(out, "      query: {}", it.query);
        }
    }
    // A pointer to the evidence for the first school, so the table is not a dead end.
    if let Some(first) = matrix.rows.first() {
        if let Some(report) = first.reports.first() {
            let _ = writeln!(
                out,
                "\n(--json or --csv --long give each cell's report and snippet; {}'s report is {})",
                first.school, report.id
            );
        }
    }
    out
}
