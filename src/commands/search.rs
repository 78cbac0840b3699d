//! `xxgk search QUERY`: search from the command line, as text or as the JSON contract.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use xxgk_app::{Group, SearchRequest, Sort};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: words (all must occur), "quoted phrases", OR, -excluded; either script.
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Only this school (repeat for several).
    #[arg(long)]
    pub school: Vec<String>,
    /// Only this academic year, e.g. 2020-2021 (repeat for several).
    #[arg(long)]
    pub year: Vec<String>,
    /// Only this section: preamble, overview, proactive, key_areas, on_request, appraisal,
    /// complaints, improvements, other, checklist (repeat for several).
    #[arg(long)]
    pub section: Vec<String>,
    /// Number of hits.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many hits.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Newest first instead of best first.
    #[arg(long)]
    pub by_date: bool,
    /// Print the JSON contract instead of text.
    #[arg(long)]
    pub json: bool,
    /// `report`: one result per report, its other matching sections beneath (default);
    /// `section`: one result per matching section.
    #[arg(long, default_value = "report", value_parser = parse_group)]
    pub group: Group,
}

fn parse_group(s: &str) -> Result<Group, String> {
    Group::parse(s).ok_or_else(|| format!("unknown group {s:?}; use report or section"))
}

pub fn run(data: &Path, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    let sections = super::parse_sections(&args.section)?;
    let app = super::open_app(data)?;
    let request = SearchRequest {
        schools: args.school,
        years: args.year,
        sections,
        limit: args.limit,
        offset: args.offset,
        sort: if args.by_date {
            Sort::Date
        } else {
            Sort::Relevance
        },
        group: args.group,
        ..SearchRequest::new(args.query)
    };
    let results = app.search(&request)?;
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(&results)?);
        return super::emit(&out);
    }
    let unit = match args.group {
        Group::Report => "matching reports",
        Group::Section => "matching sections",
    };
    outln!(out, "{} {unit} for {:?}", results.total, results.query);
    for (i, hit) in results.hits.iter().enumerate() {
        outln!(
            out,
            "\n{}. {} {} · {} · {}",
            args.offset + i + 1,
            hit.school,
            hit.year.as_deref().unwrap_or("?"),
            hit.section.label(),
            if hit.heading.is_empty() {
                "(前言)"
            } else {
                &hit.heading
            },
        );
        outln!(out, "   {}", terminal_text(&hit.snippet_html));
        for s in hit.sections.iter().flatten() {
            let heading = if s.heading.is_empty() {
                s.section.label()
            } else {
                &s.heading
            };
            outln!(out, "   · {heading}: {}", terminal_text(&s.snippet_html));
        }
        let shown = 1 + hit.sections.as_ref().map_or(0, Vec::len);
        let more = hit.matching_sections.unwrap_or(1).saturating_sub(shown);
        if more > 0 {
            outln!(out, "   ({more} more in this report)");
        }
        outln!(out, "   {} · report {}", hit.url, hit.report_id);
    }
    if !results.facets.school.is_empty() {
        let schools: Vec<String> = results
            .facets
            .school
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        outln!(out, "\nschools: {}", schools.join(", "));
    }
    super::emit(&out)
}

/// Snippet HTML for a terminal: marks as 【】, entities decoded.
fn terminal_text(html: &str) -> String {
    xxgk_app::text::html_text(html, "【", "】")
}
