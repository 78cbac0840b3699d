//! The corpus side of a run: its statistics, the single-thread rates of fold, raw jieba
//! and the analyzer on a sample, and xxgk's indexing at each thread count.

use std::path::Path;
use std::time::Instant;

use tantivy::tokenizer::{TokenStream, Tokenizer};
use tracing::info;
use xxgk_index::analysis::{analyze, ChineseTokenizer, JIEBA};
use xxgk_index::fold::fold;
use xxgk_index::{Engine, Report};

use super::report::{CorpusStats, IndexRun, Rate};
use super::MB;
use crate::sys::{dir_size, proc_status_kb, process_cpu_secs, reset_peak_rss};
use crate::Result;

pub(super) fn corpus_stats(reports: &[Report], generate_secs: f64) -> CorpusStats {
    let mut stats = CorpusStats {
        reports: reports.len(),
        sections: 0,
        traditional_reports: 0,
        chars: 0,
        bytes: 0,
        generate_secs,
    };
    for r in reports {
        if r.script == xxgk_index::Script::Traditional {
            stats.traditional_reports += 1;
        }
        for s in &r.sections {
            stats.sections += 1;
            stats.chars += s.heading.chars().count() + s.text.chars().count();
            stats.bytes += s.heading.len() + s.text.len();
        }
    }
    stats
}

/// Every k-th section text, so that the sample has about `bytes` bytes and spans the
/// corpus (both scripts, every section kind).
fn sample_texts(reports: &[Report], bytes: usize) -> Vec<&str> {
    let total: usize = reports
        .iter()
        .flat_map(|r| &r.sections)
        .map(|s| s.text.len())
        .sum();
    let stride = (total / bytes.max(1)).max(1);
    reports
        .iter()
        .flat_map(|r| &r.sections)
        .step_by(stride)
        .map(|s| s.text.as_str())
        .collect()
}

fn time_rate(bytes: usize, f: impl FnOnce()) -> Rate {
    let t = Instant::now();
    f();
    Rate::new(bytes, t.elapsed().as_secs_f64())
}

pub(super) fn index_corpus(
    dir: &Path,
    reports: &[Report],
    threads: usize,
    corpus: &CorpusStats,
) -> Result<IndexRun> {
    let rss_before = proc_status_kb("VmRSS").unwrap_or(0) * 1024;
    reset_peak_rss();
    let cpu_before = process_cpu_secs();
    let t = Instant::now();
    let engine = Engine::open_or_create(dir)?;
    let mut writer = engine.writer(threads)?;
    for r in reports {
        writer.upsert(r)?;
    }
    writer.commit()?;
    let commit_secs = t.elapsed().as_secs_f64();
    let cpu_secs = process_cpu_secs() - cpu_before;
    writer.finish()?;
    let total_secs = t.elapsed().as_secs_f64();
    let peak_rss = proc_status_kb("VmHWM").unwrap_or(0) * 1024;
    drop(engine);
    Ok(IndexRun {
        threads,
        commit_secs,
        total_secs,
        cpu_secs,
        mb_per_sec: corpus.bytes as f64 / MB / commit_secs,
        sections_per_sec: corpus.sections as f64 / commit_secs,
        index_bytes: dir_size(dir)?,
        rss_before,
        peak_rss,
    })
}

/// Fold, raw jieba `cut_for_search` and the analyzer's token stream (what indexing
/// runs), one thread each, on about
/// `sample_bytes` of the corpus's section texts.
pub(super) struct AnalysisRates {
    pub fold: Rate,
    pub jieba: Rate,
    pub analyzer: Rate,
}

pub(super) fn analysis_rates(reports: &[Report], sample_bytes: usize) -> AnalysisRates {
    let sample = sample_texts(reports, sample_bytes);
    let sample_bytes: usize = sample.iter().map(|t| t.len()).sum();
    // Load the dictionary and tables before timing.
    let _ = analyze("信息公開");
    info!(
        mb = sample_bytes as f64 / MB,
        "timing fold, jieba and the analyzer"
    );
    let fold_rate = time_rate(sample_bytes, || {
        for t in &sample {
            std::hint::black_box(fold(t));
        }
    });
    let jieba = time_rate(sample_bytes, || {
        for t in &sample {
            std::hint::black_box(JIEBA.cut_for_search(t, false));
        }
    });
    // The analyzer as indexing runs it: the token stream, one reused token.
    let analyzer = time_rate(sample_bytes, || {
        let mut tokenizer = ChineseTokenizer;
        for t in &sample {
            let mut stream = tokenizer.token_stream(t);
            let mut positions = 0usize;
            while stream.advance() {
                positions = positions.wrapping_add(stream.token().position);
            }
            std::hint::black_box(positions);
        }
    });
    AnalysisRates {
        fold: fold_rate,
        jieba,
        analyzer,
    }
}
