//! One benchmark run: generate the corpus, measure xxgk and the FTS5 peer on it, check
//! recall against a substring scan, and render the table.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::info;
use xxgk_index::analysis::{analyze, JIEBA};
use xxgk_index::fold::fold;
use xxgk_index::highlight::{snippet, SNIPPET_CHARS};
use xxgk_index::query::UserQuery;
use xxgk_index::{Engine, Report};

use crate::corpus::{CorpusSpec, MAX_SCHOOLS, MAX_YEARS};
use crate::http::{load, LoadRun};
use crate::peer::{Fts5, PeerResults};
use crate::queries::{query_set, BenchQuery};
use crate::stock::Stock;
use crate::{Error, Result};

const MB: f64 = 1_000_000.0;

/// How `xxgk serve` is started for the start-up measurement.
#[derive(Debug, Clone)]
pub struct ServeProbe {
    /// The `xxgk` binary.
    pub exe: PathBuf,
    /// Arguments; `{data}` becomes the data folder, `{addr}` the listen address.
    pub args: Vec<String>,
    /// Path of the first request (`/api/search?q=…`).
    pub path: String,
    /// Arguments that turn the server's search cache off (for the uncached figures).
    pub uncached: Vec<String>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Name of the size, for the table.
    pub size: String,
    pub spec: CorpusSpec,
    /// Where indexes are written (a fresh temporary folder when `None`).
    pub work_dir: Option<PathBuf>,
    /// Indexing thread counts to measure; the last one's index is searched.
    pub threads: Vec<usize>,
    /// Timed rounds over the query set for xxgk (after one warm-up round).
    pub rounds: usize,
    /// Timed rounds for the peer (its one- and two-character queries scan everything).
    pub peer_rounds: usize,
    /// Measure the SQLite FTS5 peer.
    pub peer: bool,
    /// Measure the out-of-the-box peer (stock Tantivy + tantivy-jieba).
    pub stock: bool,
    /// Bytes of text on which raw jieba and the analyzer are timed.
    pub sample_bytes: usize,
    /// Start `xxgk serve` and time it to its first answer.
    pub serve: Option<ServeProbe>,
    /// Then put it under HTTP load (needs `serve`).
    pub http: Option<HttpLoad>,
}

/// The HTTP load of `--http`.
#[derive(Debug, Clone, Copy)]
pub struct HttpLoad {
    pub connections: usize,
    /// Per endpoint.
    pub seconds: f64,
}

impl Options {
    pub fn new(size: &str, spec: CorpusSpec) -> Options {
        Options {
            size: size.to_string(),
            spec,
            work_dir: None,
            threads: vec![1, 2],
            rounds: 20,
            peer_rounds: 3,
            peer: true,
            stock: true,
            sample_bytes: 64_000_000,
            serve: None,
            http: None,
        }
    }
}

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
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gb: f64,
    pub kernel: String,
    /// 1-minute load average when the run started and when it ended: other work on the
    /// machine slows every wall-clock figure.
    pub load_before: f64,
    pub load_after: f64,
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
    fn new(bytes: usize, secs: f64) -> Rate {
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

#[derive(Debug, Clone, Default, Serialize)]
pub struct Percentiles {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    pub(crate) fn of(samples: &[Duration]) -> Percentiles {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| nearest_rank(&ms, q);
        Percentiles {
            samples: ms.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

/// The `q` quantile (0–1) of sorted milliseconds by the nearest rank; 0 when empty.
pub(crate) fn nearest_rank(sorted_ms: &[f64], q: f64) -> f64 {
    if sorted_ms.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted_ms.len() as f64).ceil() as usize).clamp(1, sorted_ms.len());
    sorted_ms[rank - 1]
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
    fn new(corpus: &CorpusStats, load_secs: f64, db_bytes: u64, latency: Percentiles) -> Self {
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
    fn new(
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
    let corpus = corpus_stats(&reports, generate_secs);
    info!(
        mb = corpus.bytes as f64 / MB,
        sections = corpus.sections,
        "corpus ready"
    );

    let sample = sample_texts(&reports, opts.sample_bytes);
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
    let analyzer = time_rate(sample_bytes, || {
        for t in &sample {
            std::hint::black_box(analyze(t));
        }
    });

    let mut indexing = Vec::new();
    let mut searched_dir = PathBuf::new();
    for &threads in &opts.threads {
        let data = work.join(format!("xxgk-{threads}t"));
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        let dir = data.join("index");
        info!(threads, dir = %dir.display(), "indexing");
        indexing.push(index_corpus(&dir, &reports, threads, &corpus)?);
        searched_dir = data;
    }

    let engine = Engine::open_or_create(&searched_dir.join("index"))?;
    let queries = query_set(&spec);
    info!(
        queries = queries.len(),
        rounds = opts.rounds,
        "timing queries"
    );
    let mut search_errors = Vec::new();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut totals = vec![0usize; queries.len()];
    for round in 0..=opts.rounds {
        for (i, q) in queries.iter().enumerate() {
            let req = q.request(10);
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| engine.search(&req)));
            let elapsed = t.elapsed();
            match outcome {
                Ok(Ok(res)) => totals[i] = res.total,
                Ok(Err(e)) => search_errors.push(format!("{}: {e}", q.label())),
                Err(_) => search_errors.push(format!("{}: search panicked", q.label())),
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
    for round in 0..=opts.rounds {
        for q in &queries {
            let mut req = q.request(10);
            req.group = xxgk_index::Group::Report;
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| engine.search(&req)));
            let elapsed = t.elapsed();
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => search_errors.push(format!("{} (by report): {e}", q.label())),
                Err(_) => search_errors.push(format!("{} (by report): search panicked", q.label())),
            }
            if round > 0 {
                grouped.push(elapsed);
            }
        }
    }
    let grouped_latency = Percentiles::of(&grouped);

    info!("recall against a substring scan");
    let scan = Scan::new(&reports);
    let mut rows = Vec::new();
    let mut snippets = SnippetCheck::default();
    let mut expected_sets = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let expected = scan.matches(q);
        let found = engine.matching_sections(&q.request(10))?;
        let found: HashSet<(String, u64)> = found.into_iter().collect();
        let hit = expected.iter().filter(|k| found.contains(*k)).count();
        let p = Percentiles::of(&samples[i]);
        check_snippets(&scan, q, &found, &mut snippets);
        rows.push(QueryRow {
            kind: q.kind.to_string(),
            label: q.label(),
            scan: expected.len(),
            xxgk_total: totals[i],
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

    let peer = if opts.peer {
        Some(run_peer(
            &work,
            &reports,
            &corpus,
            &queries,
            opts.peer_rounds,
            &expected_sets,
            &mut rows,
        )?)
    } else {
        None
    };

    let stock = if opts.stock {
        Some(run_stock(
            &work,
            &reports,
            &corpus,
            &queries,
            opts.rounds,
            &expected_sets,
            &mut rows,
            opts.threads.last().copied().unwrap_or(1),
        )?)
    } else {
        None
    };

    let (startup, http_runs) = match &opts.serve {
        Some(probe) => measure_server(probe, &searched_dir, &queries, opts.http)?,
        None => (
            Startup::Skipped {
                reason: "no `xxgk serve` command to start".into(),
            },
            Vec::new(),
        ),
    };
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
        fold: fold_rate,
        jieba,
        analyzer,
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

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn corpus_stats(reports: &[Report], generate_secs: f64) -> CorpusStats {
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

fn index_corpus(
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

/// The plain substring scan: every section's folded heading and text, and its report's
/// folded title and school — the same fields xxgk searches.
struct Scan<'a> {
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
    fn new(reports: &'a [Report]) -> Scan<'a> {
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

    fn matches(&self, q: &BenchQuery) -> Vec<(String, u64)> {
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
fn check_snippets(
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

fn run_peer(
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
fn run_stock(
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

/// Times `search` over the query set (one warm-up round, then `rounds`), then measures
/// recall of `matching` against the scan's `expected` sections.
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

/// Kills the server when the measurement ends, however it ends.
struct ServerGuard(Child);

impl ServerGuard {
    /// The server's peak resident set (VmHWM), 0 when unknown.
    fn peak_rss(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .ok()
            .and_then(|s| status_field_kb(&s, "VmHWM"))
            .unwrap_or(0)
            * 1024
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `xxgk serve` on `data`, times it to its first answer, answers the query set
/// once, reads its peak RSS, and with `http` puts it under load: `/api/search` and `/`
/// with the query set's searches, rotating.
fn measure_server(
    probe: &ServeProbe,
    data: &Path,
    queries: &[BenchQuery],
    http: Option<HttpLoad>,
) -> Result<(Startup, Vec<LoadRun>)> {
    // Start-up, RSS and the load that the targets judge: the search cache off, so every
    // request is a search.
    let (server, addr, first_answer_ms) = match start_server(probe, data, &probe.uncached)? {
        Ok(started) => started,
        Err(reason) => return Ok((Startup::Skipped { reason }, Vec::new())),
    };
    for q in queries {
        let _ = http_get(addr, &format!("/api/search?{}", q.url_query()));
    }
    let server_peak_rss = server.peak_rss();
    let mut runs = Vec::new();
    if let Some(http) = http {
        for endpoint in ["/api/search", "/"] {
            runs.push(load_endpoint(
                &server, addr, endpoint, queries, http, false,
            )?);
        }
        drop(server);
        // The same load with the server's default search cache: what a burst of the same
        // searches costs once they have been asked.
        if let Ok((server, addr, _)) = start_server(probe, data, &[])? {
            runs.push(load_endpoint(
                &server,
                addr,
                "/api/search",
                queries,
                http,
                true,
            )?);
        }
    }
    Ok((
        Startup::Measured {
            first_answer_ms,
            server_peak_rss,
        },
        runs,
    ))
}

/// `endpoint` with the query set's searches, rotating, under `http`'s load.
fn load_endpoint(
    server: &ServerGuard,
    addr: SocketAddr,
    endpoint: &str,
    queries: &[BenchQuery],
    http: HttpLoad,
    cached: bool,
) -> Result<LoadRun> {
    let paths: Vec<String> = queries
        .iter()
        .map(|q| format!("{endpoint}?{}", q.url_query()))
        .collect();
    info!(
        endpoint,
        cached,
        connections = http.connections,
        "HTTP load"
    );
    let mut run = load(
        addr,
        endpoint,
        &paths,
        http.connections,
        http.seconds,
        Some(server.0.id()),
    )?;
    run.cached = cached;
    run.server_peak_rss = Some(server.peak_rss());
    Ok(run)
}

/// Starts `xxgk serve` with `extra` arguments and waits for its first answer: the server,
/// its address and the milliseconds to that answer, or why it did not answer.
fn start_server(
    probe: &ServeProbe,
    data: &Path,
    extra: &[String],
) -> Result<std::result::Result<(ServerGuard, SocketAddr, f64), String>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let args: Vec<String> = probe
        .args
        .iter()
        .chain(extra)
        .map(|a| {
            a.replace("{data}", &data.display().to_string())
                .replace("{addr}", &addr.to_string())
        })
        .collect();
    info!(?args, "starting xxgk serve");
    let started = Instant::now();
    let child = Command::new(&probe.exe)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut server = ServerGuard(child);
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait()? {
            return Ok(Err(format!(
                "xxgk serve exited with {status} before answering"
            )));
        }
        if let Ok(200) = http_get(addr, &probe.path) {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(Ok((server, addr, ms)));
        }
        if Instant::now() > deadline {
            return Ok(Err("xxgk serve did not answer within 30 s".to_string()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// One HTTP/1.1 GET on a fresh connection; the status code.
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let head = String::from_utf8_lossy(&response[..response.len().min(64)]).to_string();
    head.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))
}

/// User + system CPU seconds of this process (all threads), from /proc/self/stat.
pub(crate) fn process_cpu_secs() -> f64 {
    proc_cpu_secs("self").unwrap_or(0.0)
}

/// CPU seconds (user + system) of a process (`self` or a pid), from `/proc/…/stat`.
pub(crate) fn proc_cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14, stime 15, in USER_HZ ticks (100 on Linux).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    Some((tick(11)? + tick(12)?) / 100.0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|l| l.parse().ok()))
        .unwrap_or(0.0)
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn status_field_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_field_kb(&status, field)
}

/// Resets VmHWM to the current RSS (Linux: write 5 to clear_refs). Best effort: without
/// it the peak covers the whole process so far, which the table says.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or_else(|| "unknown".to_string(), |s| s.trim().to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gb = status_field_kb(&meminfo, "MemTotal").unwrap_or(0) as f64 / 1024.0 / 1024.0;
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_gb,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string(),
        load_before: 0.0,
        load_after: 0.0,
    }
}

/// Met, missed, or not measured in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Met,
    Missed,
    Unmeasured,
}

/// One target of issue 5 with this run's figure.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub goal: &'static str,
    pub figure: String,
    pub verdict: Verdict,
}

impl BenchReport {
    fn indexing_with(&self, threads: usize) -> Option<&IndexRun> {
        self.indexing.iter().find(|r| r.threads == threads)
    }

    /// Lowest recall of xxgk over the query set, in %.
    pub fn min_recall(&self) -> f64 {
        self.queries
            .iter()
            .map(|q| q.xxgk_recall)
            .fold(100.0, f64::min)
    }

    /// Lowest recall of the out-of-the-box peer over the query set, in % (100 when it
    /// was not run).
    pub fn stock_min_recall(&self) -> f64 {
        self.queries
            .iter()
            .filter_map(|q| q.stock_recall)
            .fold(100.0, f64::min)
    }

    /// The targets of issues 5 and 12, judged on this run.
    pub fn targets(&self) -> Vec<Target> {
        let judge = |ok: bool| if ok { Verdict::Met } else { Verdict::Missed };
        let mut out = Vec::new();
        let two = self.indexing_with(2).or(self.indexing.last());
        let one = self.indexing_with(1);
        if let Some(two) = two {
            out.push(Target {
                name: "indexing speed",
                goal: "≥ 35 MB/s with 2 threads, with folding",
                figure: format!("{:.1} MB/s ({} threads)", two.mb_per_sec, two.threads),
                verdict: judge(two.threads >= 2 && two.mb_per_sec >= 35.0),
            });
        }
        if let Some(one) = one {
            let ratio = one.mb_per_sec / self.jieba.mb_per_sec;
            out.push(Target {
                name: "indexing vs raw jieba",
                goal: "≥ 0.5 × jieba search-mode MB/s (1 thread each)",
                figure: format!(
                    "{ratio:.2} × ({:.1} vs {:.1} MB/s; 2 threads: {:.2} ×)",
                    one.mb_per_sec,
                    self.jieba.mb_per_sec,
                    two.map_or(0.0, |t| t.mb_per_sec / self.jieba.mb_per_sec)
                ),
                verdict: judge(ratio >= 0.5),
            });
        }
        let g = &self.grouped_latency;
        out.push(Target {
            name: "query p50",
            goal: "≤ 1 ms (one result per report: top 10, snippets, 3 facets)",
            figure: format!(
                "{:.2} ms (per section: {:.2} ms)",
                g.p50_ms, self.latency.p50_ms
            ),
            verdict: judge(g.p50_ms <= 1.0),
        });
        out.push(Target {
            name: "query p99",
            goal: "≤ 15 ms, common-word phrases included (one result per report)",
            figure: format!(
                "{:.2} ms (per section: {:.2} ms)",
                g.p99_ms, self.latency.p99_ms
            ),
            verdict: judge(g.p99_ms <= 15.0),
        });
        match &self.peer {
            Some(peer) => {
                let ratio = peer.latency.p50_ms / self.latency.p50_ms.max(1e-9);
                out.push(Target {
                    name: "vs FTS5 at p50",
                    goal: "≥ 100 × faster",
                    figure: format!("{ratio:.0} × faster"),
                    verdict: judge(ratio >= 100.0),
                });
            }
            None => out.push(Target {
                name: "vs FTS5 at p50",
                goal: "≥ 100 × faster",
                figure: "peer not run".into(),
                verdict: Verdict::Unmeasured,
            }),
        }
        match &self.stock {
            Some(stock) => {
                let theirs = stock.grouped_latency.as_ref().unwrap_or(&stock.latency);
                for (name, ours, theirs) in [
                    ("vs out-of-the-box at p50", g.p50_ms, theirs.p50_ms),
                    ("vs out-of-the-box at p99", g.p99_ms, theirs.p99_ms),
                ] {
                    out.push(Target {
                        name,
                        goal: "≤ 0.5 × stock Tantivy + tantivy-jieba (both one result per report)",
                        figure: format!(
                            "{:.2} × ({ours:.2} vs {theirs:.2} ms; its recall min {:.1} %)",
                            ours / theirs.max(1e-9),
                            self.stock_min_recall()
                        ),
                        verdict: judge(ours <= 0.5 * theirs),
                    });
                }
            }
            None => out.push(Target {
                name: "vs out-of-the-box at p50",
                goal: "≤ 0.5 × stock Tantivy + tantivy-jieba",
                figure: "stock peer not run".into(),
                verdict: Verdict::Unmeasured,
            }),
        }
        out.push(Target {
            name: "recall",
            goal: "≥ 99.5 % of the substring scan, every query",
            figure: format!("min {:.2} %", self.min_recall()),
            verdict: judge(self.min_recall() >= 99.5),
        });
        out.push(Target {
            name: "snippet panics",
            goal: "0 over all hits",
            figure: format!(
                "{} in {} snippets",
                self.snippets.panics, self.snippets.checked
            ),
            verdict: judge(self.snippets.panics == 0),
        });
        if let Some(two) = two {
            let ratio = two.index_bytes as f64 / self.corpus.bytes as f64;
            out.push(Target {
                name: "index size",
                goal: "≤ 1 × raw text",
                figure: format!("{ratio:.2} × ({})", human_bytes(two.index_bytes)),
                verdict: judge(ratio <= 1.0),
            });
        }
        match &self.startup {
            Startup::Measured {
                first_answer_ms,
                server_peak_rss,
            } => {
                out.push(Target {
                    name: "serve start-up",
                    goal: "first answer ≤ 1 s from start",
                    figure: format!("{first_answer_ms:.0} ms"),
                    verdict: judge(*first_answer_ms <= 1000.0),
                });
                out.push(Target {
                    name: "server RSS",
                    goal: "≤ 500 MB",
                    figure: format!(
                        "{} (peak, after the query set)",
                        human_bytes(*server_peak_rss)
                    ),
                    verdict: judge(*server_peak_rss <= 500_000_000),
                });
            }
            Startup::Skipped { reason } => out.push(Target {
                name: "serve start-up",
                goal: "first answer ≤ 1 s from start",
                figure: format!("TODO: {reason}"),
                verdict: Verdict::Unmeasured,
            }),
        }
        let goal = "/api/search ≥ 1,500 req/s at p99 ≤ 50 ms, 16 connections";
        out.push(match &self.http {
            Some(h) => Target {
                name: "HTTP load",
                goal,
                figure: format!(
                    "{:.0} req/s, p99 {:.1} ms ({} connections; generator {:.0} % of a core)",
                    h.req_per_s,
                    h.p99_ms,
                    h.connections,
                    100.0 * h.generator_cpu_secs / h.seconds.max(1e-9)
                ),
                verdict: judge(h.req_per_s >= 1500.0 && h.p99_ms <= 50.0),
            },
            None => Target {
                name: "HTTP load",
                goal,
                figure: "not run (`--http`)".into(),
                verdict: Verdict::Unmeasured,
            },
        });
        out
    }

    /// The whole result as Markdown tables (readable in a terminal, pasted into
    /// BENCHMARKS.md).
    pub fn render(&self) -> String {
        let mut o = String::new();
        let c = &self.corpus;
        let m = &self.machine;
        o.push_str(&format!(
            "## xxgk bench — size {} ({} schools × {} years, seed {})\n\n",
            self.size, self.spec.schools, self.spec.years, self.spec.seed
        ));
        o.push_str(&format!(
            "Machine: {}, {} cores, {:.1} GB RAM, Linux {}; load average {:.1} at the start, {:.1} at the end\n\n",
            m.cpu, m.cores, m.memory_gb, m.kernel, m.load_before, m.load_after
        ));
        o.push_str(&format!(
            "Corpus: {} reports ({} traditional), {} sections, {:.1} M chars, {:.1} MB of text (UTF-8), generated in {:.1} s\n\n",
            c.reports,
            c.traditional_reports,
            c.sections,
            c.chars as f64 / 1e6,
            c.bytes as f64 / MB,
            c.generate_secs
        ));

        o.push_str("### Indexing\n\n");
        o.push_str("| engine | threads | MB/s | sections/s | time | MB per CPU-s | index size | size / text | peak RSS (before) |\n");
        o.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.indexing {
            o.push_str(&format!(
                "| xxgk | {} | {:.1} | {:.0} | {:.1} s (+{:.1} s merges) | {:.1} | {} | {:.2} | {} ({}) |\n",
                r.threads,
                r.mb_per_sec,
                r.sections_per_sec,
                r.commit_secs,
                r.total_secs - r.commit_secs,
                c.bytes as f64 / MB / r.cpu_secs.max(1e-9),
                human_bytes(r.index_bytes),
                r.index_bytes as f64 / c.bytes as f64,
                human_bytes(r.peak_rss),
                human_bytes(r.rss_before),
            ));
        }
        if let Some(p) = &self.peer {
            o.push_str(&format!(
                "| FTS5 trigram | 1 | {:.1} | {:.0} | {:.1} s | — | {} | {:.2} | — |\n",
                p.mb_per_sec,
                p.sections_per_sec,
                p.load_secs,
                human_bytes(p.db_bytes),
                p.db_bytes as f64 / c.bytes as f64,
            ));
        }
        if let Some(p) = &self.stock {
            o.push_str(&format!(
                "| stock Tantivy + jieba | {} | {:.1} | {:.0} | {:.1} s | — | {} | {:.2} | — |\n",
                self.indexing.last().map_or(1, |r| r.threads),
                p.mb_per_sec,
                p.sections_per_sec,
                p.load_secs,
                human_bytes(p.db_bytes),
                p.db_bytes as f64 / c.bytes as f64,
            ));
        }
        o.push_str(&format!(
            "\nOne thread on a {:.0} MB sample: fold {:.1} MB/s, raw jieba `cut_for_search` {:.1} MB/s, analyzer `analyze` {:.1} MB/s (analyzer / jieba = {:.2})\n\n",
            self.jieba.bytes as f64 / MB,
            self.fold.mb_per_sec,
            self.jieba.mb_per_sec,
            self.analyzer.mb_per_sec,
            self.analyzer.mb_per_sec / self.jieba.mb_per_sec,
        ));

        o.push_str("### Queries (top 10 + snippets + 3 facets, reader warm)\n\n");
        o.push_str(
            "| engine | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n",
        );
        let l = &self.latency;
        o.push_str(&format!(
            "| xxgk | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            l.samples, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
        ));
        let g = &self.grouped_latency;
        o.push_str(&format!(
            "| xxgk, one result per report | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            g.samples, g.p50_ms, g.p95_ms, g.p99_ms, g.max_ms
        ));
        if let Some(p) = &self.peer {
            let pl = &p.latency;
            o.push_str(&format!(
                "| FTS5 trigram | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                pl.samples, pl.p50_ms, pl.p95_ms, pl.p99_ms, pl.max_ms
            ));
            let two = self.indexing_with(2).or(self.indexing.last());
            o.push_str("\nRatios xxgk / FTS5 (indexing speed: higher is better; size and latency: lower is better):\n\n");
            o.push_str(
                "| indexing MB/s | index size | p50 | p95 | p99 |\n|---:|---:|---:|---:|---:|\n",
            );
            o.push_str(&format!(
                "| {} | {} | {:.4} | {:.4} | {:.4} |\n",
                two.map_or("—".into(), |t| format!(
                    "{:.1}",
                    t.mb_per_sec / p.mb_per_sec
                )),
                two.map_or("—".into(), |t| format!(
                    "{:.2}",
                    t.index_bytes as f64 / p.db_bytes as f64
                )),
                l.p50_ms / pl.p50_ms,
                l.p95_ms / pl.p95_ms,
                l.p99_ms / pl.p99_ms,
            ));
        }

        if let Some(st) = &self.stock {
            let sl = &st.latency;
            o.push_str(
                "\n| engine | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n",
            );
            o.push_str(&format!(
                "| stock Tantivy + jieba | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                sl.samples, sl.p50_ms, sl.p95_ms, sl.p99_ms, sl.max_ms
            ));
            if st.snippet_panics > 0 {
                o.push_str(&format!(
                    "\nTantivy's `SnippetGenerator` panicked on {} of the stock peer's snippets (overlapping jieba tokens; caught, left empty).\n\n",
                    st.snippet_panics
                ));
            }
            if let Some(sg) = &st.grouped_latency {
                o.push_str(&format!(
                    "| stock Tantivy + jieba, one result per report | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
                    sg.samples, sg.p50_ms, sg.p95_ms, sg.p99_ms, sg.max_ms
                ));
                o.push_str(&format!(
                    "\nOne result per report, xxgk / out-of-the-box: p50 {:.2}, p99 {:.2}\n",
                    g.p50_ms / sg.p50_ms.max(1e-9),
                    g.p99_ms / sg.p99_ms.max(1e-9),
                ));
            }
            o.push_str(&format!(
                "\nRatios xxgk / out-of-the-box (lower is better): p50 {:.2}, p95 {:.2}, p99 {:.2}; \
                 its recall against the substring scan: min {:.1} %, mean {:.1} % (xxgk: min {:.1} %)\n",
                l.p50_ms / sl.p50_ms.max(1e-9),
                l.p95_ms / sl.p95_ms.max(1e-9),
                l.p99_ms / sl.p99_ms.max(1e-9),
                self.stock_min_recall(),
                {
                    let r: Vec<f64> = self.queries.iter().filter_map(|q| q.stock_recall).collect();
                    r.iter().sum::<f64>() / r.len().max(1) as f64
                },
                self.min_recall(),
            ));
        }

        o.push_str("\n### Per query: latency and recall against a substring scan\n\n");
        o.push_str("| kind | query | scan | xxgk total | xxgk recall | xxgk extra | xxgk p50 | xxgk p99 | FTS5 total | FTS5 recall | FTS5 p50 | stock total | stock recall | stock p50 |\n");
        o.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for q in &self.queries {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {:.2} % | {} | {:.2} ms | {:.2} ms | {} | {} | {} | {} | {} | {} |\n",
                q.kind,
                q.label.replace('|', "\\|"),
                q.scan,
                q.xxgk_total,
                q.xxgk_recall,
                q.xxgk_extra,
                q.p50_ms,
                q.p99_ms,
                q.peer_total.map_or("—".into(), |n| n.to_string()),
                q.peer_recall.map_or("—".into(), |r| format!("{r:.2} %")),
                q.peer_p50_ms.map_or("—".into(), |ms| format!("{ms:.1} ms")),
                q.stock_total.map_or("—".into(), |n| n.to_string()),
                q.stock_recall.map_or("—".into(), |r| format!("{r:.2} %")),
                q.stock_p50_ms.map_or("—".into(), |ms| format!("{ms:.2} ms")),
            ));
        }
        o.push_str(&format!(
            "\nSnippets over all matching sections of all queries: {} made, {} panics, {} without a mark although the text matches.\n",
            self.snippets.checked, self.snippets.panics, self.snippets.unmarked
        ));
        if !self.search_errors.is_empty() {
            o.push_str(&format!(
                "\nSearch errors: {}\n",
                self.search_errors.join("; ")
            ));
        }
        match &self.startup {
            Startup::Measured {
                first_answer_ms,
                server_peak_rss,
            } => o.push_str(&format!(
                "\n`xxgk serve`: first answer {first_answer_ms:.0} ms after start; server peak RSS {} after the query set.\n",
                human_bytes(*server_peak_rss)
            )),
            Startup::Skipped { reason } => {
                o.push_str(&format!("\n`xxgk serve` start-up: TODO ({reason}).\n"))
            }
        }

        if !self.http_runs.is_empty() {
            o.push_str("\n### HTTP (16 keep-alive connections on loopback; the generator on one thread of the same machine)\n\n");
            o.push_str("| endpoint | requests | errors | req/s | p50 | p90 | p99 | max | generator CPU | server CPU | server peak RSS |\n");
            o.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for h in &self.http_runs {
                o.push_str(&format!(
                    "| `{}`{} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} % | {} | {} |\n",
                    h.endpoint,
                    if h.cached { ", search cache on" } else { "" },
                    h.requests,
                    h.errors,
                    h.req_per_s,
                    h.p50_ms,
                    h.p90_ms,
                    h.p99_ms,
                    h.max_ms,
                    100.0 * h.generator_cpu_secs / h.seconds.max(1e-9),
                    h.server_cpu_secs
                        .map_or("—".into(), |c| format!("{:.0} %", 100.0 * c / h.seconds.max(1e-9))),
                    h.server_peak_rss.map_or("—".into(), human_bytes),
                ));
            }
        }

        o.push_str("\n### Targets (issues 5 and 12)\n\n| target | goal | this run | verdict |\n|---|---|---|---|\n");
        for t in self.targets() {
            let verdict = match t.verdict {
                Verdict::Met => "met",
                Verdict::Missed => "**missed**",
                Verdict::Unmeasured => "not measured",
            };
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                t.name, t.goal, t.figure, verdict
            ));
        }
        o
    }
}

fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.0} kB", n / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = Percentiles::of(&samples);
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p95_ms, 95.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
        assert_eq!(Percentiles::of(&[]).samples, 0);
    }

    #[test]
    fn reads_proc_status_fields() {
        let status = "Name:\txxgk\nVmHWM:\t  123456 kB\nVmRSS:\t  1000 kB\n";
        assert_eq!(status_field_kb(status, "VmHWM"), Some(123_456));
        assert_eq!(status_field_kb(status, "VmRSS"), Some(1000));
        assert_eq!(status_field_kb(status, "VmSwap"), None);
        assert!(proc_status_kb("VmRSS").is_some_and(|kb| kb > 0));
    }

    /// A tiny end-to-end run: every number is filled in and recall is complete.
    #[test]
    fn a_tiny_run_measures_everything_and_finds_what_the_scan_finds() {
        let spec = CorpusSpec {
            schools: 6,
            years: 2,
            seed: 3,
        };
        let mut opts = Options::new("tiny", spec);
        opts.rounds = 2;
        opts.peer_rounds = 1;
        opts.sample_bytes = 200_000;
        let report = run(&opts).expect("run");
        assert_eq!(report.corpus.reports, 12);
        assert_eq!(report.indexing.len(), 2);
        assert!(report.indexing.iter().all(|r| r.index_bytes > 0));
        assert!(
            report.search_errors.is_empty(),
            "{:?}",
            report.search_errors
        );
        assert_eq!(report.snippets.panics, 0);
        for q in &report.queries {
            assert!(
                q.scan > 0 || q.kind == "filter",
                "{} finds nothing",
                q.label
            );
            assert_eq!(q.xxgk_recall, 100.0, "{}", q.label);
            assert_eq!(q.peer_recall, Some(100.0), "{}", q.label);
        }
        // The out-of-the-box peer ran on every query; without folding, a query in one
        // script misses the other script's reports, which the scan (folded) counts.
        assert!(report.queries.iter().all(|q| q.stock_recall.is_some()));
        assert!(report.stock.is_some());
        let cross_script = report
            .queries
            .iter()
            .filter(|q| q.kind.contains("trad"))
            .filter_map(|q| q.stock_recall)
            .fold(100.0, f64::min);
        assert!(
            cross_script < 100.0,
            "stock jieba cannot find simplified text from a traditional query"
        );
        let table = report.render();
        assert!(table.contains("| xxgk | 2 |"), "{table}");
        assert!(table.contains("FTS5 trigram"), "{table}");
        assert!(table.contains("stock Tantivy + jieba"), "{table}");
    }
}
