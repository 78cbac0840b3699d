//! Times the benchmark's query set against an index a `bench run --work-dir` left, without
//! rebuilding it: for profiling (`perf record -g target/release/examples/queries …`).
//!
//! `cargo run --release -p xxgk-bench --example queries -- DIR SIZE ROUNDS [report|section] [LABEL]`
//!
//! With `LABEL`, only the query of that label is timed, or those whose label contains it.

use std::time::Instant;

use xxgk_bench::corpus::Size;
use xxgk_bench::queries::query_set;
use xxgk_index::{Engine, Group};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, size, rounds, group @ ..] = args.as_slice() else {
        return Err("usage: queries DIR small|mid|full ROUNDS [report|section]".into());
    };
    let size = match size.as_str() {
        "small" => Size::Small,
        "mid" => Size::Mid,
        "full" => Size::Full,
        other => return Err(format!("unknown size {other}").into()),
    };
    let rounds: usize = rounds.parse()?;
    let only = group.get(1).cloned();
    let group = match group.first().map(String::as_str) {
        None | Some("report") => Group::Report,
        Some("section") => Group::Section,
        Some(other) => return Err(format!("unknown group {other}").into()),
    };
    let engine = Engine::open_or_create(std::path::Path::new(dir))?;
    let mut queries = query_set(&size.spec(1));
    if let Some(only) = &only {
        if queries.iter().any(|q| q.label() == *only) {
            queries.retain(|q| q.label() == *only);
        } else {
            queries.retain(|q| q.label().contains(only.as_str()));
        }
    }
    let mut per_query = vec![Vec::new(); queries.len()];
    for round in 0..=rounds {
        for (i, q) in queries.iter().enumerate() {
            let mut req = q.request(10);
            req.group = group;
            let t = Instant::now();
            let res = engine.search(&req)?;
            std::hint::black_box(res.total);
            if round > 0 {
                per_query[i].push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let mut all = Vec::new();
    for (q, ms) in queries.iter().zip(&mut per_query) {
        ms.sort_by(f64::total_cmp);
        println!("{:>8.2} ms  {}", ms[ms.len() / 2], q.label());
        all.extend_from_slice(ms);
    }
    all.sort_by(f64::total_cmp);
    let at = |p: f64| all[((p * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1];
    println!("p50 {:.2} ms  p99 {:.2} ms", at(0.5), at(0.99));
    Ok(())
}
