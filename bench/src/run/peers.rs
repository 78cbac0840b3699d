//! The peers, measured on the same corpus and queries as xxgk: SQLite FTS5 (trigram) and
//! the out-of-the-box stock Tantivy + tantivy-jieba; their load time, latency, and recall
//! against the scan, filled into xxgk's per-query rows.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use tracing::{info, warn};
use xxgk_index::Report;

use super::report::{CorpusStats, PeerSummary, QueryRow};
use crate::peer::{Fts5, PeerResults};
use crate::queries::BenchQuery;
use crate::stats::{percent, Percentiles};
use crate::stock::Stock;
use crate::sys::dir_size;
use crate::Result;

pub(super) fn run_peer(
    work: &Path,
    reports: &[Report],
    corpus: &CorpusStats,
    queries: &[BenchQuery],
    rounds: usize,
    expected: &[Vec<(String, u64)>],
    rows: &mut [QueryRow],
) -> Result<PeerSummary> {
    let path = work.join("peer-fts5.sqlite");
    if path.exists() {
        std::fs::remove_file(&path)?;
    }
    info!(path = %path.display(), "loading SQLite FTS5 (trigram)");
    let t = Instant::now();
    let fts = Fts5::load(&path, reports)?;
    let load_secs = t.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(&path)?.len();
    info!(load_secs, rounds, "timing peer queries");
    let timed = time_peer(
        queries,
        rounds,
        expected,
        |q| fts.search(q),
        |q| fts.matching(q),
    )?;
    for (row, t) in rows.iter_mut().zip(&timed.per_query) {
        row.peer_total = Some(t.0);
        row.peer_recall = Some(t.1);
        row.peer_p50_ms = Some(t.2);
    }
    Ok(PeerSummary::new(corpus, load_secs, db_bytes, timed.latency))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn run_stock(
    work: &Path,
    reports: &[Report],
    corpus: &CorpusStats,
    queries: &[BenchQuery],
    rounds: usize,
    expected: &[Vec<(String, u64)>],
    rows: &mut [QueryRow],
    threads: usize,
) -> Result<PeerSummary> {
    let dir = work.join("stock-tantivy-jieba");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    info!(dir = %dir.display(), threads, "indexing with stock Tantivy + tantivy-jieba");
    let t = Instant::now();
    let stock = Stock::load(&dir, reports, threads)?;
    let load_secs = t.elapsed().as_secs_f64();
    let db_bytes = dir_size(&dir)?;
    info!(load_secs, rounds, "timing the stock peer's queries");
    let timed = time_peer(
        queries,
        rounds,
        expected,
        |q| stock.search(q),
        |q| stock.matching(q),
    )?;
    for (row, t) in rows.iter_mut().zip(&timed.per_query) {
        row.stock_total = Some(t.0);
        row.stock_recall = Some(t.1);
        row.stock_p50_ms = Some(t.2);
    }
    let grouped = time_rounds(queries, rounds, |_, q| stock.search_grouped(q))?;
    let mut summary = PeerSummary::new(corpus, load_secs, db_bytes, timed.latency);
    summary.snippet_panics = stock.snippet_panics();
    if summary.snippet_panics > 0 {
        // Caught and counted in `Stock::snippet`, quietly (no backtrace per panic).
        warn!(
            panics = summary.snippet_panics,
            "the out-of-the-box peer's snippet generator panicked (caught; those snippets left empty)"
        );
    }
    summary.grouped_latency = Some(Percentiles::of(
        &grouped.into_iter().flatten().collect::<Vec<_>>(),
    ));
    Ok(summary)
}

/// A peer's timings: all samples, and per query (total, recall %, p50 ms).
struct Timed {
    latency: Percentiles,
    per_query: Vec<(usize, f64, f64)>,
}

/// Each query's timed samples over `rounds` rounds, after one warm-up round.
fn time_rounds(
    queries: &[BenchQuery],
    rounds: usize,
    mut search: impl FnMut(usize, &BenchQuery) -> Result<PeerResults>,
) -> Result<Vec<Vec<Duration>>> {
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    for round in 0..=rounds.max(1) {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            search(i, q)?;
            let elapsed = t.elapsed();
            if round > 0 {
                samples[i].push(elapsed);
            }
        }
    }
    Ok(samples)
}

/// Times `search` over the query set (one warm-up round, then `rounds`), then measures
/// recall of `matching` against the scan's `expected` sections.
fn time_peer(
    queries: &[BenchQuery],
    rounds: usize,
    expected: &[Vec<(String, u64)>],
    search: impl Fn(&BenchQuery) -> Result<PeerResults>,
    matching: impl Fn(&BenchQuery) -> Result<Vec<(String, u64)>>,
) -> Result<Timed> {
    let mut totals = vec![0u64; queries.len()];
    let samples = time_rounds(queries, rounds, |i, q| {
        let res = search(q)?;
        totals[i] = res.total;
        Ok(res)
    })?;
    let mut per_query = Vec::with_capacity(queries.len());
    for (i, q) in queries.iter().enumerate() {
        let found: HashSet<(String, u64)> = matching(q)?.into_iter().collect();
        let hit = expected[i].iter().filter(|k| found.contains(*k)).count();
        per_query.push((
            totals[i] as usize,
            percent(hit, expected[i].len()),
            Percentiles::of(&samples[i]).p50_ms,
        ));
    }
    let all: Vec<Duration> = samples.iter().flatten().copied().collect();
    Ok(Timed {
        latency: Percentiles::of(&all),
        per_query,
    })
}
