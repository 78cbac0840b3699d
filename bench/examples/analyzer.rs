//! Times the analyzer's token stream (what indexing runs) on a generated corpus's section
//! texts, one thread, for profiling (`perf record target/release/examples/analyzer mid`).
//!
//! `cargo run --release -p xxgk-bench --example analyzer -- [small|mid|full] [ROUNDS]`

use std::time::Instant;

use tantivy::tokenizer::{TokenStream, Tokenizer};
use xxgk_bench::corpus::Size;
use xxgk_index::analysis::ChineseTokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let size = match args.next() {
        Some(s) => Size::parse(&s).ok_or(format!("size must be small, mid or full, not {s}"))?,
        None => Size::Small,
    };
    let rounds: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let reports = size.spec(1).generate(2);
    let texts: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.sections.iter().map(|s| s.text.as_str()))
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let mut tokenizer = ChineseTokenizer;
    for round in 0..rounds {
        let t = Instant::now();
        let mut tokens = 0usize;
        for text in &texts {
            let mut stream = tokenizer.token_stream(text);
            while stream.advance() {
                tokens += 1;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "round {round}: {:.1} MB/s, {:.2} tokens a character",
            bytes as f64 / 1e6 / secs,
            tokens as f64 / texts.iter().map(|t| t.chars().count()).sum::<usize>() as f64
        );
    }
    Ok(())
}
