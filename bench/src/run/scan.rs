//! The truth the recall is judged against: a plain substring scan over the folded corpus,
//! and the snippet check of every match.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use xxgk_index::fold::fold;
use xxgk_index::highlight::{snippet, SNIPPET_CHARS};
use xxgk_index::query::UserQuery;
use xxgk_index::Report;

use super::report::SnippetCheck;
use crate::queries::BenchQuery;

/// The plain substring scan: every section's folded heading and text, and its report's
/// folded title and school — the same fields xxgk searches.
pub(super) struct Scan<'a> {
    sections: Vec<ScanSection<'a>>,
}

struct ScanSection<'a> {
    key: (String, u64),
    report: &'a Report,
    section: &'a xxgk_index::Section,
    heading: String,
    text: String,
    meta: std::sync::Arc<String>,
}

impl<'a> Scan<'a> {
    pub(super) fn new(reports: &'a [Report]) -> Scan<'a> {
        let mut sections = Vec::new();
        for r in reports {
            let meta = std::sync::Arc::new(fold(&format!("{} {}", r.title, r.school)));
            for (i, s) in r.sections.iter().enumerate() {
                sections.push(ScanSection {
                    key: (r.id.clone(), i as u64),
                    report: r,
                    section: s,
                    heading: fold(&s.heading),
                    text: fold(&s.text),
                    meta: meta.clone(),
                });
            }
        }
        Scan { sections }
    }

    pub(super) fn matches(&self, q: &BenchQuery) -> Vec<(String, u64)> {
        self.sections
            .iter()
            .filter(|s| {
                (q.schools.is_empty() || q.schools.contains(&s.report.school))
                    && (q.years.is_empty()
                        || q.years.iter().any(|y| Some(y) == s.report.year.as_ref()))
                    && (q.sections.is_empty() || q.sections.contains(&s.section.id))
                    && q.needles.iter().all(|n| {
                        s.text.contains(n.as_str())
                            || s.heading.contains(n.as_str())
                            || s.meta.contains(n.as_str())
                    })
            })
            .map(|s| s.key.clone())
            .collect()
    }
}

/// Makes the snippet of every matching section, as xxgk would for a hit, counting panics
/// and snippets that fail to mark a match the text has. Two threads: at full size this is
/// millions of snippets.
pub(super) fn check_snippets(
    scan: &Scan<'_>,
    q: &BenchQuery,
    found: &HashSet<(String, u64)>,
    out: &mut SnippetCheck,
) {
    let Ok(parsed) = UserQuery::parse(&q.text) else {
        return;
    };
    let needles = parsed.highlight_needles();
    let hits: Vec<&ScanSection<'_>> = scan
        .sections
        .iter()
        .filter(|s| found.contains(&s.key))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = hits.len().div_ceil(threads).max(1);
    let results: Vec<(usize, usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = hits
            .chunks(chunk)
            .map(|part| {
                let needles = &needles;
                scope.spawn(move || {
                    let (mut checked, mut panics, mut unmarked) = (0, 0, 0);
                    for s in part {
                        checked += 1;
                        let text = &s.section.text;
                        match catch_unwind(AssertUnwindSafe(|| {
                            snippet(text, needles, SNIPPET_CHARS)
                        })) {
                            Ok(html) => {
                                let has = needles.iter().any(|n| s.text.contains(n.as_str()));
                                if has && !html.contains("<mark>") {
                                    unmarked += 1;
                                }
                            }
                            Err(_) => panics += 1,
                        }
                    }
                    (checked, panics, unmarked)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 1, 0)))
            .collect()
    });
    for (c, p, u) in results {
        out.checked += c;
        out.panics += p;
        out.unmarked += u;
    }
}
