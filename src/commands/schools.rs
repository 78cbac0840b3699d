//! `xxgk schools QUERY`: which schools mention it, and which do not — the same answer as
//! the site's `/schools` page, as text, CSV or JSON.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use xxgk_app::export::{plain_text, schools_csv};
use xxgk_app::{SchoolsRequest, Status};

#[derive(Debug, Args)]
pub struct SchoolsArgs {
    /// Query: words (all must occur), "quoted phrases", OR, -excluded; either script.
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Only these schools (repeat for several).
    #[arg(long)]
    pub school: Vec<String>,
    /// Only this academic year, e.g. 2020-2021 (repeat for several).
    #[arg(long)]
    pub year: Vec<String>,
    /// Only this section: preamble, overview, proactive, key_areas, on_request, appraisal,
    /// complaints, improvements, other, checklist (repeat for several).
    #[arg(long)]
    pub section: Vec<String>,
    /// Print CSV (one row per school, as the site's /schools.csv).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print JSON (as the site's /api/schools).
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: SchoolsArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let sections = super::parse_sections(&args.section)?;
    let app = super::open_app(data)?;
    let answer = app.schools(&SchoolsRequest {
        query: args.query,
        schools: args.school,
        years: args.year,
        sections,
    })?;
    let answer = &*answer;
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(answer)?);
        return super::emit(&out);
    }
    if args.csv {
        outp!(out, "{}", schools_csv(answer));
        return super::emit(&out);
    }
    let no_report = answer.no_report_totals();
    let answer_ref = answer;
    let answer = &answer_ref.matches;
    outln!(
        out,
        "{} schools mention {:?}, {} have reports that do not, {} have no report in scope",
        answer.matched.len(),
        answer.query,
        answer.unmatched.len(),
        answer_ref.no_report.len()
    );
    if !answer.matched.is_empty() {
        outln!(out, "\nmention it:");
    }
    for m in &answer.matched {
        let years: Vec<String> = m.years.iter().map(|(y, n)| format!("{y}:{n}")).collect();
        outln!(
            out,
            "  {} — {} of {} sections ({})",
            m.school,
            m.matching_sections,
            m.sections_in_scope,
            years.join(" ")
        );
        outln!(
            out,
            "      {} · {}: {}",
            m.best.title,
            m.best.section.label(),
            plain_text(&m.best.snippet_html).replace('\n', " ")
        );
        outln!(out, "      report {}", m.best.report_id);
    }
    if !answer.unmatched.is_empty() {
        outln!(out, "\ndo not:");
    }
    for u in &answer.unmatched {
        if u.sections_in_scope == 0 {
            outln!(out, "  {} — no report in scope", u.school);
        } else {
            outln!(out, "  {} — {}", u.school, u.years_in_scope.join(" "));
        }
    }
    if !answer_ref.no_report.is_empty() {
        let counts: Vec<String> = no_report
            .iter()
            .map(|(s, n)| format!("{} {n}", s.as_str()))
            .collect();
        outln!(
            out,
            "\nno report to read ({}; `xxgk coverage` has the evidence):",
            counts.join(", ")
        );
    }
    for n in answer_ref
        .no_report
        .iter()
        .filter(|n| n.status != Status::NotCrawled)
    {
        outln!(out, "  {} — {}: {}", n.school, n.status.as_str(), n.detail);
    }
    if let Some(n) = no_report.get(&Status::NotCrawled) {
        outln!(
            out,
            "  … and {n} institutions not crawled (no source); --json lists them"
        );
    }
    super::emit(&out)
}
