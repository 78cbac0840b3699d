//! How long the checklist matrix takes: every school × the 50 items for one year, on the
//! benchmark corpus (`xxgk_bench::corpus`, the same reports `xxgk bench` uses).
//!
//! ```text
//! RUST_LOG=xxgk_index::checklist=debug \\
//!   cargo run --release --example checklist_matrix -- [SCHOOLS] [YEARS] [RUNS]
//! ```
//!
//! Defaults: 3,000 schools (every Chinese university) × 2 years, 3 timed runs. The index
//! is built on disk in a temporary folder (as `xxgk serve` reads it); the matrix is for
//! the newest year, so the other year is there to be filtered out.

use std::time::Instant;

use xxgk_bench::corpus::CorpusSpec;
use xxgk_index::checklist::{MatrixRequest, ITEM_COUNT};
use xxgk_index::Engine;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    // RUST_LOG=xxgk_index::checklist=debug shows each matrix's phases (reports loaded,
    // items scanned, total).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let spec = CorpusSpec {
        schools: arg(1, 3000),
        years: arg(2, 2),
        seed: 1,
    };
    let runs = arg(3, 3).max(1);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let t = Instant::now();
    let reports = spec.generate(threads);
    println!(
        "corpus: {} schools × {} years = {} reports, generated in {:.1} s",
        spec.schools,
        spec.years,
        reports.len(),
        t.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let engine = Engine::open_or_create(dir.path())?;
    let t = Instant::now();
    let mut writer = engine.writer(threads)?;
    for report in &reports {
        writer.upsert(report)?;
    }
    writer.commit()?;
    writer.finish()?;
    engine.reload()?;
    println!("indexed in {:.1} s", t.elapsed().as_secs_f64());
    drop(reports);

    for (label, without_snippets) in [("with snippets", false), ("without snippets", true)] {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let m = engine.checklist_matrix(&MatrixRequest {
                without_snippets,
                ..MatrixRequest::default()
            })?;
            times.push(t.elapsed().as_secs_f64());
            last = Some(m);
        }
        let Some(m) = last else { continue };
        let cells: usize = m.rows.iter().map(|r| r.covered).sum();
        times.sort_by(f64::total_cmp);
        println!(
            "matrix {} ({label}): {} schools × {ITEM_COUNT} items, {cells} cells mentioned \
             ({:.0}%); best {:.2} s, median {:.2} s over {runs} runs",
            m.year,
            m.rows.len(),
            100.0 * cells as f64 / (m.rows.len().max(1) * ITEM_COUNT) as f64,
            times[0],
            times[times.len() / 2],
        );
    }
    Ok(())
}
