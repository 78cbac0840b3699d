//! `xxgk scorecard`: one row per report — the figures it states (requests received,
//! granted, refused …, complaints, reviews, lawsuits, satisfaction), whether it came out
//! by the ministry's deadline, which parts of the template it has and how many checklist
//! items it discloses — as text, CSV or JSON (the site's `/scorecard.csv`, `/api/scorecard`).

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use xxgk_app::export::scorecard_csv;
use xxgk_app::scorecard::{flag_text, ScorecardRequest};
use xxgk_model::figures::{FigureKind, Part};

#[derive(Debug, Args)]
pub struct ScorecardArgs {
    /// Only reports covering this year: 2020-2021, or 2021 (repeat for several).
    #[arg(long)]
    pub year: Vec<String>,
    /// Only this province (湖南 or 湖南省).
    #[arg(long)]
    pub province: Option<String>,
    /// Only these schools, either script (repeat for several).
    #[arg(long)]
    pub school: Vec<String>,
    /// Print CSV (one row per report, as the site's /scorecard.csv).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print JSON (as the site's /api/scorecard).
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: ScorecardArgs) -> anyhow::Result<ExitCode> {
    let app = super::open_app(data)?;
    let answer = app.scorecard(&ScorecardRequest {
        years: args.year,
        schools: args.school,
        province: args.province,
    })?;
    let mut out = String::new();
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(&*answer)?);
        return super::emit(&out);
    }
    if args.csv {
        outp!(out, "{}", scorecard_csv(&answer));
        return super::emit(&out);
    }
    for line in &answer.rows {
        let r = &line.row;
        let c = &r.card;
        let on_time = match c.on_time {
            Some(true) => "按时",
            Some(false) => "逾期",
            None => "时间不明",
        };
        outln!(
            out,
            "{} {} 发布 {}{} {} 部分 {}/{} 清单 {}",
            r.school,
            c.year.as_deref().unwrap_or("年份不明"),
            c.published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            if c.published_is_first_seen {
                "（首次抓取）"
            } else {
                ""
            },
            on_time,
            Part::ALL.iter().filter(|p| c.parts.has(**p)).count(),
            Part::ALL.len(),
            line.checklist_items
                .map(|n| format!("{n}/50"))
                .unwrap_or_else(|| "—".into()),
        );
        let figures: Vec<String> = FigureKind::ALL
            .iter()
            .filter_map(|k| {
                c.figures.get(*k).map(|f| {
                    format!(
                        "{} {}{}",
                        k.label(),
                        if f.approx { "约" } else { "" },
                        f.value
                    )
                })
            })
            .collect();
        if figures.is_empty() {
            outln!(out, "  （未见数字）");
        } else {
            outln!(out, "  {}", figures.join("，"));
        }
        for flag in &c.flags {
            outln!(out, "  注意：{}", flag_text(flag));
        }
    }
    outln!(out, "{} 份报告", answer.total);
    super::emit(&out)
}
