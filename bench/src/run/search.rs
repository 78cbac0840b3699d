//! xxgk's side of the query measurement: the query set timed per section and one result
//! per report, then each query's recall against the substring scan and its snippets.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use tracing::info;
use xxgk_index::Engine;

use super::report::{QueryRow, SnippetCheck};
use super::scan::{check_snippets, Scan};
use crate::queries::BenchQuery;
use crate::stats::{percent, Percentiles};
use crate::Result;

/// xxgk's timings over the query set.
pub(super) struct Timings {
    /// Per section, all queries.
    pub latency: Percentiles,
    /// One result per report (the site's default view, issue 11), all queries.
    pub grouped_latency: Percentiles,
    /// Each query's timed samples, per section.
    samples: Vec<Vec<Duration>>,
    /// Each query's `total`.
    totals: Vec<usize>,
    /// Searches that failed or panicked, labelled.
    pub errors: Vec<String>,
}

/// Times the query set on `engine`: one warm-up round, then `rounds`, per section and
/// then one result per report.
pub(super) fn time_queries(engine: &Engine, queries: &[BenchQuery], rounds: usize) -> Timings {
    info!(queries = queries.len(), rounds, "timing queries");
    let mut errors = Vec::new();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut totals = vec![0usize; queries.len()];
    for round in 0..=rounds {
        for (i, q) in queries.iter().enumerate() {
            let req = q.request(10);
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| engine.search(&req)));
            let elapsed = t.elapsed();
            match outcome {
                Ok(Ok(res)) => totals[i] = res.total,
                Ok(Err(e)) => errors.push(format!("{}: {e}", q.label())),
                Err(_) => errors.push(format!("{}: search panicked", q.label())),
            }
            // Round 0 warms the reader and the caches.
            if round > 0 {
                samples[i].push(elapsed);
            }
        }
    }
    let all: Vec<Duration> = samples.iter().flatten().copied().collect();
    let latency = Percentiles::of(&all);

    // The site's default view (issue 11): one result per report.
    let mut grouped = Vec::new();
    for round in 0..=rounds {
        for q in queries {
            let mut req = q.request(10);
            req.group = xxgk_index::Group::Report;
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| engine.search(&req)));
            let elapsed = t.elapsed();
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => errors.push(format!("{} (by report): {e}", q.label())),
                Err(_) => errors.push(format!("{} (by report): search panicked", q.label())),
            }
            if round > 0 {
                grouped.push(elapsed);
            }
        }
    }
    Timings {
        latency,
        grouped_latency: Percentiles::of(&grouped),
        samples,
        totals,
        errors,
    }
}

/// What the recall check found: one row per query (the peers' columns empty), the
/// snippet check, and the scan's sections per query (the peers are judged on them).
pub(super) struct Recall {
    pub rows: Vec<QueryRow>,
    pub snippets: SnippetCheck,
    pub expected: Vec<Vec<(String, u64)>>,
}

/// Each query's matching sections in xxgk against the scan's, and the snippet of every
/// match.
pub(super) fn recall(
    engine: &Engine,
    scan: &Scan<'_>,
    queries: &[BenchQuery],
    timings: &Timings,
) -> Result<Recall> {
    info!("recall against a substring scan");
    let mut rows = Vec::new();
    let mut snippets = SnippetCheck::default();
    let mut expected_sets = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let expected = scan.matches(q);
        let found = engine.matching_sections(&q.request(10))?;
        let found: HashSet<(String, u64)> = found.into_iter().collect();
        let hit = expected.iter().filter(|k| found.contains(*k)).count();
        let p = Percentiles::of(&timings.samples[i]);
        check_snippets(scan, q, &found, &mut snippets);
        rows.push(QueryRow {
            kind: q.kind.to_string(),
            label: q.label(),
            scan: expected.len(),
            xxgk_total: timings.totals[i],
            xxgk_recall: percent(hit, expected.len()),
            xxgk_extra: found.len() - hit,
            p50_ms: p.p50_ms,
            p99_ms: p.p99_ms,
            peer_total: None,
            peer_recall: None,
            peer_p50_ms: None,
            stock_total: None,
            stock_recall: None,
            stock_p50_ms: None,
        });
        expected_sets.push(expected);
    }
    Ok(Recall {
        rows,
        snippets,
        expected: expected_sets,
    })
}
