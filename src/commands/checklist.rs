//! `xxgk checklist`: which of the 50 items of 《高等学校信息公开事项清单》 each school's
//! report mentions, for one year — the same matrix as the site's `/checklist`, as a text
//! table, CSV or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use xxgk_index::checklist::{items, MatrixRequest, MatrixSort, CATEGORIES, ITEM_COUNT};
use xxgk_web::journalist::{checklist_csv, checklist_long_csv};

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
    let engine = super::open_engine(data)?;
    let text = !(args.csv || args.json);
    let mut matrix = engine.checklist_matrix(&MatrixRequest {
        year: args.year,
        provinces: args.province,
        kinds: args.kind,
        schools: args.school,
        // The text table shows marks only; CSV (wide) has no room for evidence.
        without_snippets: text || (args.csv && !args.long),
    })?;
    matrix.sort_rows(sort, false);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&matrix)?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.csv {
        if args.long {
            print!("{}", checklist_long_csv(&matrix));
        } else {
            print!("{}", checklist_csv(&matrix));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if matrix.rows.is_empty() {
        println!(
            "no reports for {}",
            if matrix.year.is_empty() {
                "any year (the index is empty)"
            } else {
                &matrix.year
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
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
        println!(
            "  {}{} {:>2}/{ITEM_COUNT}  {marks}",
            row.school,
            "　".repeat(pad),
            row.covered
        );
    }
    println!("\nschools mentioning each item:");
    for (it, cov) in items().iter().zip(&matrix.items) {
        println!(
            "  {:>2}. {} — {}/{}",
            it.number,
            it.short,
            cov.schools,
            matrix.rows.len()
        );
        if args.items {
            println!("      {}", it.wording);
            println!("      query: {}", it.query);
        }
    }
    // A pointer to the evidence for the first school, so the table is not a dead end.
    if let Some(first) = matrix.rows.first() {
        if let Some(report) = first.reports.first() {
            println!(
                "\n(--json or --csv --long give each cell's report and snippet; {}'s report is {})",
                first.school, report.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
