//! The time to build the transparency scorecard (issue 20) for a generated corpus:
//!
//! ```text
//! cargo run --release -p xxgk-bench --example scorecard -- full   # ≈ 30,000 reports
//! ```
//!
//! Prints three figures: the rules alone (`figures::scorecard` over every report, one
//! thread), storing every report into a fresh archive (which computes each scorecard as
//! it stores), and filling the scorecards of an archive that has none (an upgrade).

use std::time::Instant;

use xxgk_archive::{Archive, ScorecardFilter};
use xxgk_bench::corpus::Size;
use xxgk_model::figures::{scorecard, FigureKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size = std::env::args()
        .nth(1)
        .map(|s| Size::parse(&s).ok_or(format!("size must be small, mid or full, not {s}")))
        .transpose()?
        .unwrap_or(Size::Small);
    let spec = size.spec(42);
    let t = Instant::now();
    let reports = spec.generate(2);
    println!(
        "corpus: {} reports ({size:?}) generated in {:.1} s",
        reports.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut stated = [0usize; FigureKind::ALL.len()];
    for report in &reports {
        let card = scorecard(report, None);
        for (i, kind) in FigureKind::ALL.iter().enumerate() {
            stated[i] += usize::from(card.figures.get(*kind).is_some());
        }
    }
    let rules = t.elapsed().as_secs_f64();
    println!(
        "rules alone: {rules:.2} s ({:.0} µs a report)",
        rules * 1e6 / reports.len() as f64
    );
    for (kind, n) in FigureKind::ALL.iter().zip(stated) {
        println!("  {:<18} stated in {n} reports", kind.as_str());
    }

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("xxgk.sqlite");
    let archive = Archive::open(&path)?;
    let t = Instant::now();
    for report in &reports {
        archive.put_report(report)?;
    }
    println!(
        "store with scorecards: {:.1} s for {} reports",
        t.elapsed().as_secs_f64(),
        reports.len()
    );
    drop(archive);

    rusqlite::Connection::open(&path)?.execute("DELETE FROM scorecards", [])?;
    let t = Instant::now();
    let archive = Archive::open(&path)?;
    let filled = archive.scorecard(&ScorecardFilter::default())?.len();
    println!(
        "fill on open (an archive without scorecards): {:.1} s for {filled} reports",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let rows = archive.scorecard(&ScorecardFilter::default())?.len();
    println!(
        "read every row back: {:.2} s ({rows} rows)",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
