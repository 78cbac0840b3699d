//! `xxgk coverage`: every institution × academic year — archived, not found on a crawled
//! site, unreachable, or not crawled — with the evidence (`--json`, `--csv`), as the
//! site's `/coverage`. `xxgk institutions`: the registry and the schools not in it.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use xxgk_app::{CoverageRequest, InstitutionFilter, Status};

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Only this province (湖南 or 湖南省).
    #[arg(long)]
    pub province: Option<String>,
    /// Only this level: 本科 or 专科.
    #[arg(long)]
    pub level: Option<String>,
    /// Only this academic year, e.g. 2020-2021 (repeat for several; default: every year
    /// from 2010-2011 to the last one ended).
    #[arg(long)]
    pub year: Vec<String>,
    /// Only institutions with a crawl source.
    #[arg(long)]
    pub in_sources: bool,
    /// Print CSV (one row per institution and year, as the site's /coverage.csv).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print JSON (as the site's /api/coverage).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InstitutionsArgs {
    /// Only this province (湖南 or 湖南省).
    #[arg(long)]
    pub province: Option<String>,
    /// Only this level: 本科 or 专科.
    #[arg(long)]
    pub level: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// One character per status in the text matrix.
fn mark(status: Status) -> char {
    match status {
        Status::Archived => '●',
        Status::NotFound => '○',
        Status::Unreachable => '×',
        Status::NotCrawled => '·',
    }
}

pub fn run(data: &Path, args: CoverageArgs) -> anyhow::Result<ExitCode> {
    let app = super::open_app(data)?;
    let started = std::time::Instant::now();
    let coverage = app
        .coverage(&CoverageRequest {
            filter: InstitutionFilter {
                province: args.province,
                level: args.level,
            },
            years: args.year,
            in_sources_only: args.in_sources,
        })?
        .ok_or_else(|| anyhow::anyhow!("no archive in the data folder"))?;
    tracing::debug!(elapsed = ?started.elapsed(), schools = coverage.schools.len(), "coverage");
    let mut out = String::new();
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(&*coverage)?);
        return super::emit(&out);
    }
    if args.csv {
        outp!(out, "{}", xxgk_app::export::coverage_csv(&coverage));
        return super::emit(&out);
    }
    let totals: Vec<String> = coverage
        .totals
        .iter()
        .map(|(s, n)| format!("{} {} {n}", mark(*s), s.as_str()))
        .collect();
    outln!(
        out,
        "{} institutions × {} years ({} to {}): {}",
        coverage.schools.len(),
        coverage.years.len(),
        coverage.years.first().map_or("", String::as_str),
        coverage.years.last().map_or("", String::as_str),
        totals.join(", ")
    );
    for school in &coverage.schools {
        let row: String = coverage
            .years
            .iter()
            .map(|y| school.years.get(y).map_or(' ', |c| mark(c.status)))
            .collect();
        outln!(
            out,
            "  {row}  {}{}{}",
            school.name,
            school
                .code
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default(),
            if school.in_sources { " [source]" } else { "" }
        );
    }
    super::emit(&out)
}

pub fn institutions(data: &Path, args: InstitutionsArgs) -> anyhow::Result<ExitCode> {
    let archive = super::open_store(data)?;
    let filter = InstitutionFilter {
        province: args.province,
        level: args.level,
    };
    filter.validate()?;
    let list = archive.institutions(&filter)?;
    let mut out = String::new();
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(&list)?);
        return super::emit(&out);
    }
    for i in &list {
        outln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}{}",
            i.code.as_deref().unwrap_or("-"),
            i.name,
            i.province.as_deref().unwrap_or(""),
            i.level.as_deref().unwrap_or(""),
            i.origin,
            if i.aliases.is_empty() {
                String::new()
            } else {
                format!("aka {}", i.aliases.join("、"))
            },
            if i.sources.is_empty() {
                String::new()
            } else {
                format!(" [source: {}]", i.sources.join(", "))
            }
        );
    }
    outln!(out, "{} institutions", list.len());
    super::emit(&out)
}
