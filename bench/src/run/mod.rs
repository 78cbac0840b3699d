//! One benchmark run: generate the corpus, measure xxgk and the peers on it, check recall
//! against a substring scan, and render the table.
//!
//! - [`config`]: what to run ([`Options`]);
//! - `index`: the corpus statistics, analysis rates and xxgk's indexing;
//! - `search`: xxgk's query timings and recall; `scan`: the substring scan it is judged by;
//! - `peers`: SQLite FTS5 and the out-of-the-box peer on the same queries;
//! - `server`: `xxgk serve` start-up, resident set and HTTP load;
//! - [`report`]: what was measured; `targets`: the verdicts; `print`: the tables.

mod config;
mod index;
mod peers;
mod print;
mod report;
mod scan;
mod search;
mod server;
mod targets;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Instant;

use tracing::info;
use xxgk_index::Engine;

pub use self::config::{HttpLoad, Options, ServeProbe};
pub use self::report::{
    BenchReport, CorpusStats, IndexRun, PeerFigures, PeerSummary, Peers, QueryRow, Rate,
    SnippetCheck, Startup,
};
pub use self::targets::{Target, Verdict};
pub use crate::stats::Percentiles;
pub use crate::sys::Machine;

use crate::corpus::{MAX_SCHOOLS, MAX_YEARS};
use crate::queries::query_set;
use crate::sys::{load_average, machine};
use crate::{Error, Result};

const MB: f64 = 1_000_000.0;

/// Runs the benchmark.
pub fn run(opts: &Options) -> Result<BenchReport> {
    let spec = opts.spec;
    if spec.schools == 0 || spec.schools > MAX_SCHOOLS || spec.years == 0 || spec.years > MAX_YEARS
    {
        return Err(Error::BadOption(format!(
            "schools must be 1..={MAX_SCHOOLS} and years 1..={MAX_YEARS}"
        )));
    }
    if opts.threads.is_empty() || opts.rounds == 0 {
        return Err(Error::BadOption(
            "need at least one thread count and one round".into(),
        ));
    }
    let load_before = load_average();
    let temp;
    let work = match &opts.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };

    info!(reports = spec.reports(), "generating the corpus");
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let reports = spec.generate(cores);
    let generate_secs = started.elapsed().as_secs_f64();
    let corpus = index::corpus_stats(&reports, generate_secs);
    info!(
        mb = corpus.bytes as f64 / MB,
        sections = corpus.sections,
        "corpus ready"
    );
    let rates = index::analysis_rates(&reports, opts.sample_bytes);

    let mut indexing = Vec::new();
    let mut searched_dir = PathBuf::new();
    for &threads in &opts.threads {
        let data = work.join(format!("xxgk-{threads}t"));
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        let dir = data.join("index");
        info!(threads, dir = %dir.display(), "indexing");
        indexing.push(index::index_corpus(&dir, &reports, threads, &corpus)?);
        searched_dir = data;
    }

    let engine = Engine::open_or_create(&searched_dir.join("index"))?;
    let queries = query_set(&spec);
    let timings = search::time_queries(&engine, &queries, opts.rounds);
    let scan = scan::Scan::new(&reports);
    let search::Recall {
        mut rows,
        snippets,
        expected,
    } = search::recall(&engine, &scan, &queries, &timings)?;

    let peer = if opts.peer {
        Some(peers::run_peer(
            &work,
            &reports,
            &corpus,
            &queries,
            opts.peer_rounds,
            &expected,
            &mut rows,
        )?)
    } else {
        None
    };

    let stock = if opts.stock {
        Some(peers::run_stock(
            &work,
            &reports,
            &corpus,
            &queries,
            opts.rounds,
            &expected,
            &mut rows,
            opts.threads.last().copied().unwrap_or(1),
        )?)
    } else {
        None
    };

    let (startup, http_runs) = match &opts.serve {
        Some(probe) => server::measure_server(probe, &searched_dir, &queries, opts.http)?,
        None => (
            Startup::Skipped {
                reason: "no `xxgk serve` command to start".into(),
            },
            Vec::new(),
        ),
    };
    let search::Timings {
        latency,
        grouped_latency,
        errors: search_errors,
        ..
    } = timings;
    let peers = Peers {
        fts5: peer
            .as_ref()
            .map(|p| PeerFigures::new(p, &latency, &grouped_latency, &rows, |r| r.peer_recall)),
        tantivy_jieba: stock
            .as_ref()
            .map(|p| PeerFigures::new(p, &latency, &grouped_latency, &rows, |r| r.stock_recall)),
    };

    let mut machine = machine();
    machine.load_before = load_before;
    machine.load_after = load_average();
    Ok(BenchReport {
        size: opts.size.clone(),
        spec,
        machine,
        corpus,
        fold: rates.fold,
        jieba: rates.jieba,
        analyzer: rates.analyzer,
        indexing,
        latency,
        grouped_latency,
        queries: rows,
        snippets,
        search_errors,
        peer,
        stock,
        peers,
        startup,
        http: http_runs.first().cloned(),
        http_runs,
    })
}
