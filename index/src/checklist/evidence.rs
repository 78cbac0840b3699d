//! A cell's evidence: which section, and the snippet around the first match.

use crate::highlight::{highlight_all, match_ranges, snippet, SNIPPET_CHARS};
use crate::report::Report;

use super::matrix::Evidence;

/// The evidence for a match in section `idx` (which exists) of `report`.
pub(super) fn evidence(report: &Report, idx: usize, snippet_html: String) -> Evidence {
    let section = &report.sections[idx];
    let nth = report.sections[..idx]
        .iter()
        .filter(|s| s.id == section.id)
        .count();
    Evidence {
        report_id: report.id.clone(),
        section: section.id,
        section_index: idx,
        section_nth: nth,
        heading: section.heading.clone(),
        snippet_html,
    }
}

/// The snippet of a matching section: [`snippet`] run on a window around the first match
/// only, so that a long section is not folded and scanned again for every item (`folded`
/// is `fold(text)`, computed once per section). When only the heading matched, the
/// heading, highlighted.
pub(super) fn evidence_snippet(
    heading: &str,
    text: &str,
    folded: &str,
    needles: &[String],
) -> String {
    match first_match_at(folded, needles) {
        // Folding keeps the number of characters, so a character index in `folded` is
        // one in `text`.
        Some(at) => window_snippet(text, at, needles),
        None if !match_ranges(heading, needles).is_empty() => highlight_all(heading, needles),
        None => snippet(text, needles, SNIPPET_CHARS),
    }
}

/// Character index of the first occurrence of any needle in `text`.
fn first_match_at(text: &str, needles: &[String]) -> Option<usize> {
    let byte = needles
        .iter()
        .filter(|n| !n.is_empty())
        .filter_map(|n| text.find(n.as_str()))
        .min()?;
    Some(text[..byte].chars().count())
}

/// [`snippet`] of the text around character `at`, with `…` where the window cut it.
pub(super) fn window_snippet(text: &str, at: usize, needles: &[String]) -> String {
    let start = at.saturating_sub(SNIPPET_CHARS);
    let mut chars = text.chars();
    let window: String = chars.by_ref().skip(start).take(2 * SNIPPET_CHARS).collect();
    let cut_end = chars.next().is_some();
    let mut out = snippet(&window, needles, SNIPPET_CHARS);
    if start > 0 && !out.starts_with('…') {
        out.insert(0, '…');
    }
    if cut_end && !out.ends_with('…') {
        out.push('…');
    }
    out
}
