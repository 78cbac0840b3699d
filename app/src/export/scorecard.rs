//! The scorecard as CSV, one row per report: who, when, the parts, the checklist count,
//! each figure's value (empty when not stated, `~` before an approximate one) and quote,
//! and the flags in words.

use xxgk_model::figures::{FigureKind, Part};

use super::{csv_string, text_cell};
use crate::scorecard::{flag_text, Scorecard, ScorecardLine};

/// The header of [`scorecard_csv`].
pub fn scorecard_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "school",
        "code",
        "province",
        "year",
        "report_id",
        "title",
        "url",
        "published",
        "published_is_first_seen",
        "deadline",
        "on_time",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(Part::ALL.iter().map(|p| format!("part_{}", p.as_str())));
    header.push("checklist_items".into());
    for kind in FigureKind::ALL {
        header.push(kind.as_str().to_string());
        header.push(format!("{}_quote", kind.as_str()));
    }
    header.push("flags".into());
    // Issue 19, last so that existing columns keep their places: the year as the report
    // writes it when the year it covers was read from the statistics period it states.
    header.extend(["year_as_written", "period_start", "period_end"].map(String::from));
    header
}

/// One report's CSV record.
pub fn scorecard_row(line: &ScorecardLine) -> Vec<String> {
    let r = &line.row;
    let c = &r.card;
    let mut rec: Vec<String> = vec![
        text_cell(&r.school),
        r.code.clone().unwrap_or_default(),
        r.province.clone().unwrap_or_default(),
        c.year.clone().unwrap_or_default(),
        c.report_id.clone(),
        text_cell(&r.title),
        text_cell(&r.url),
        c.published.map(|d| d.to_string()).unwrap_or_default(),
        c.published_is_first_seen.to_string(),
        c.deadline.map(|d| d.to_string()).unwrap_or_default(),
        c.on_time.map(|t| t.to_string()).unwrap_or_default(),
    ];
    rec.extend(Part::ALL.iter().map(|p| c.parts.has(*p).to_string()));
    rec.push(
        line.checklist_items
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    for kind in FigureKind::ALL {
        match c.figures.get(kind) {
            Some(f) => {
                rec.push(format!("{}{}", if f.approx { "~" } else { "" }, f.value));
                rec.push(text_cell(&f.quote));
            }
            None => rec.extend([String::new(), String::new()]),
        }
    }
    rec.push(text_cell(
        &c.flags.iter().map(flag_text).collect::<Vec<_>>().join("; "),
    ));
    rec.extend([
        text_cell(r.year_as_written.as_deref().unwrap_or_default()),
        r.period_start.clone().unwrap_or_default(),
        r.period_end.clone().unwrap_or_default(),
    ]);
    rec
}

/// The whole scorecard as CSV.
pub fn scorecard_csv(answer: &Scorecard) -> String {
    csv_string(&scorecard_header(), answer.rows.iter().map(scorecard_row))
}
