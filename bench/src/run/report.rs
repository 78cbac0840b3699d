//! What one run measured: the figures every part fills in, serialised as `--json`.

use serde::Serialize;

use super::MB;
use crate::corpus::CorpusSpec;
use crate::http::LoadRun;
use crate::stats::Percentiles;
use crate::sys::Machine;

/// Everything one run measured. Serialised as the `--json` output.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub size: String,
    pub spec: CorpusSpec,
    pub machine: Machine,
    pub corpus: CorpusStats,
    pub fold: Rate,
    pub jieba: Rate,
    pub analyzer: Rate,
    pub indexing: Vec<IndexRun>,
    pub latency: Percentiles,
    /// The same queries one result per report (the site's default view, issue 11).
    pub grouped_latency: Percentiles,
    pub queries: Vec<QueryRow>,
    pub snippets: SnippetCheck,
    pub search_errors: Vec<String>,
    pub peer: Option<PeerSummary>,
    /// The out-of-the-box peer: Tantivy + tantivy-jieba, stock query parser, no folding.
    pub stock: Option<PeerSummary>,
    /// Both peers' headline figures side by side (the same as `peer` and `stock`).
    pub peers: Peers,
    pub startup: Startup,
    /// `/api/search` under load (`--http`): the first of `http_runs`.
    pub http: Option<LoadRun>,
    /// Every endpoint put under load.
    pub http_runs: Vec<LoadRun>,
}

/// Each peer's latency and worst recall, and xxgk's latency as a share of it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Peers {
    pub fts5: Option<PeerFigures>,
    pub tantivy_jieba: Option<PeerFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerFigures {
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Lowest recall of any query against the substring scan, in %.
    pub recall_min: f64,
    pub recall_mean: f64,
    /// xxgk's p50 and p99 divided by the peer's (below 1: xxgk is faster).
    pub xxgk_p50_ratio: f64,
    pub xxgk_p99_ratio: f64,
    /// The same, for the one-result-per-report search against the peer's grouped one.
    pub grouped_p50_ms: Option<f64>,
    pub grouped_p99_ms: Option<f64>,
    pub xxgk_grouped_p50_ratio: Option<f64>,
    pub xxgk_grouped_p99_ratio: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorpusStats {
    pub reports: usize,
    pub sections: usize,
    pub traditional_reports: usize,
    /// Characters of headings and section texts.
    pub chars: usize,
    /// UTF-8 bytes of headings and section texts: the "MB of text" of every rate.
    pub bytes: usize,
    pub generate_secs: f64,
}

/// Throughput on a sample of the corpus, one thread.
#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    pub bytes: usize,
    pub secs: f64,
    pub mb_per_sec: f64,
}

impl Rate {
    pub(super) fn new(bytes: usize, secs: f64) -> Rate {
        Rate {
            bytes,
            secs,
            mb_per_sec: bytes as f64 / MB / secs.max(1e-9),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexRun {
    pub threads: usize,
    /// Until the commit returned (every section searchable).
    pub commit_secs: f64,
    /// Including the wait for background merges.
    pub total_secs: f64,
    /// CPU time of the whole process until the commit (all threads): less sensitive to
    /// other work on the machine than wall time.
    pub cpu_secs: f64,
    pub mb_per_sec: f64,
    pub sections_per_sec: f64,
    pub index_bytes: u64,
    /// Resident set before indexing (the corpus in memory, the jieba dictionary).
    pub rss_before: u64,
    /// Peak resident set during indexing (VmHWM, reset before the run when the kernel
    /// allows it).
    pub peak_rss: u64,
}

/// One query: its cost and its recall against the substring scan.
#[derive(Debug, Clone, Serialize)]
pub struct QueryRow {
    pub kind: String,
    pub label: String,
    /// Sections a plain substring scan finds.
    pub scan: usize,
    /// Sections xxgk matches (its `total`).
    pub xxgk_total: usize,
    /// Of the scan's sections, how many xxgk matches, in %.
    pub xxgk_recall: f64,
    /// Sections xxgk matches that the scan does not (a plain chunk split into words
    /// matches more; anything else would be a false hit).
    pub xxgk_extra: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peer_total: Option<usize>,
    pub peer_recall: Option<f64>,
    pub peer_p50_ms: Option<f64>,
    pub stock_total: Option<usize>,
    pub stock_recall: Option<f64>,
    pub stock_p50_ms: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SnippetCheck {
    /// Snippets made: one per matching section per query.
    pub checked: usize,
    pub panics: usize,
    /// Snippets with no `<mark>` although the section's text contains a needle.
    pub unmarked: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerSummary {
    pub load_secs: f64,
    pub mb_per_sec: f64,
    pub sections_per_sec: f64,
    pub db_bytes: u64,
    pub latency: Percentiles,
    /// One result per report, where the peer has a way to give it.
    pub grouped_latency: Option<Percentiles>,
    /// Searches whose snippet made the peer's own snippet generator panic (caught).
    pub snippet_panics: usize,
}

impl PeerSummary {
    pub(super) fn new(
        corpus: &CorpusStats,
        load_secs: f64,
        db_bytes: u64,
        latency: Percentiles,
    ) -> Self {
        PeerSummary {
            load_secs,
            mb_per_sec: corpus.bytes as f64 / MB / load_secs,
            sections_per_sec: corpus.sections as f64 / load_secs,
            db_bytes,
            latency,
            grouped_latency: None,
            snippet_panics: 0,
        }
    }
}

impl PeerFigures {
    pub(super) fn new(
        peer: &PeerSummary,
        xxgk: &Percentiles,
        xxgk_grouped: &Percentiles,
        rows: &[QueryRow],
        recall: impl Fn(&QueryRow) -> Option<f64>,
    ) -> PeerFigures {
        let recalls: Vec<f64> = rows.iter().filter_map(recall).collect();
        let ratio = |a: f64, b: f64| a / b.max(1e-9);
        let grouped = peer.grouped_latency.as_ref();
        PeerFigures {
            p50_ms: peer.latency.p50_ms,
            p99_ms: peer.latency.p99_ms,
            recall_min: recalls.iter().copied().fold(100.0, f64::min),
            recall_mean: recalls.iter().sum::<f64>() / recalls.len().max(1) as f64,
            xxgk_p50_ratio: ratio(xxgk.p50_ms, peer.latency.p50_ms),
            xxgk_p99_ratio: ratio(xxgk.p99_ms, peer.latency.p99_ms),
            grouped_p50_ms: grouped.map(|g| g.p50_ms),
            grouped_p99_ms: grouped.map(|g| g.p99_ms),
            xxgk_grouped_p50_ratio: grouped.map(|g| ratio(xxgk_grouped.p50_ms, g.p50_ms)),
            xxgk_grouped_p99_ratio: grouped.map(|g| ratio(xxgk_grouped.p99_ms, g.p99_ms)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Startup {
    Measured {
        /// From spawning `xxgk serve` to the first HTTP 200.
        first_answer_ms: f64,
        /// Server peak RSS after answering the whole query set once.
        server_peak_rss: u64,
    },
    Skipped {
        reason: String,
    },
}
