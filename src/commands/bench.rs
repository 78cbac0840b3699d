//! `xxgk bench gen|run`: thin glue over the `xxgk-bench` crate.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use xxgk_bench::corpus::{CorpusSpec, Size};
use xxgk_bench::run::{HttpLoad, Options, ServeProbe};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write the generated corpus as JSON lines, one report a line.
    Gen(GenArgs),
    /// Generate the corpus, index and query it with xxgk and with SQLite FTS5, print the
    /// table (see BENCHMARKS.md).
    Run(RunArgs),
    /// Put a running server under HTTP load with the query set of a corpus size (the
    /// load of `run --http`, against a server you started, e.g. on `run --work-dir`'s
    /// index).
    Load(LoadArgs),
    /// From `run --json` files of several sizes: how the figures grow (a Markdown table on
    /// standard output and, with `--svg`, a chart).
    Scaling(ScalingArgs),
    /// Serve under steady load while writers run and are killed with SIGKILL; check that
    /// nothing breaks and the archive and index agree at the end (loopback only).
    Soak(super::soak::SoakArgs),
}

/// Which corpus: a named size, optionally overridden.
#[derive(Debug, Args)]
pub struct CorpusArgs {
    /// small (60 schools × 3 years, CI), mid (600 × 5) or full (3,000 × 10 ≈ 30k reports).
    #[arg(long, default_value = "small", value_parser = ["small", "mid", "full"])]
    pub size: String,
    /// Number of schools (overrides the size).
    #[arg(long)]
    pub schools: Option<usize>,
    /// Number of academic years (overrides the size).
    #[arg(long)]
    pub years: Option<usize>,
    /// Seed of the generator: the same seed gives the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl CorpusArgs {
    fn spec(&self) -> anyhow::Result<CorpusSpec> {
        let size = Size::parse(&self.size).context("unknown size")?;
        let mut spec = size.spec(self.seed);
        if let Some(n) = self.schools {
            spec.schools = n;
        }
        if let Some(n) = self.years {
            spec.years = n;
        }
        if spec.schools == 0 || spec.schools > xxgk_bench::corpus::MAX_SCHOOLS {
            bail!(
                "--schools must be between 1 and {}",
                xxgk_bench::corpus::MAX_SCHOOLS
            );
        }
        if spec.years == 0 || spec.years > xxgk_bench::corpus::MAX_YEARS {
            bail!(
                "--years must be between 1 and {}",
                xxgk_bench::corpus::MAX_YEARS
            );
        }
        Ok(spec)
    }
}

#[derive(Debug, Args)]
pub struct GenArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Output file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScalingArgs {
    /// `xxgk bench run --json` files, smallest corpus first.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Write the chart (SVG) here.
    #[arg(long)]
    pub svg: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server, e.g. 127.0.0.1:8080.
    #[arg(long)]
    pub addr: std::net::SocketAddr,
    /// Whose query set: small, mid or full (filter values depend on the corpus).
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// The endpoint the queries go to.
    #[arg(long, default_value = "/api/search")]
    pub endpoint: String,
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Where the indexes are built (default: a temporary folder, removed afterwards).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Timed rounds over the query set (after one warm-up round).
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Timed rounds for SQLite FTS5 (its short-word fallback scans everything).
    #[arg(long, default_value_t = 3)]
    pub peer_rounds: usize,
    /// Skip the SQLite FTS5 peer.
    #[arg(long)]
    pub no_peer: bool,
    /// Skip the out-of-the-box peer (stock Tantivy + tantivy-jieba).
    #[arg(long)]
    pub no_stock: bool,
    /// Indexing thread counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub threads: Vec<usize>,
    /// Megabytes of text on which raw jieba and the analyzer are timed.
    #[arg(long, default_value_t = 64)]
    pub sample_mb: usize,
    /// Put the started `xxgk serve` under HTTP load (`/api/search` and `/`, the query set
    /// rotating) and report requests per second, latency and both sides' CPU.
    #[arg(long)]
    pub http: bool,
    /// Seconds of load per endpoint (with `--http`).
    #[arg(long, default_value_t = 10.0)]
    pub http_seconds: f64,
    /// Keep-alive connections of the load generator (with `--http`).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Also write the measurements as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Fail when xxgk's recall against the substring scan is below this percentage on
    /// any query (a behaviour check, not a timing one; CI uses 99.5).
    #[arg(long)]
    pub min_recall: Option<f64>,
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        BenchCommand::Gen(args) => gen(args),
        BenchCommand::Run(args) => bench_run(args),
        BenchCommand::Load(args) => bench_load(args),
        BenchCommand::Scaling(args) => scaling(args),
        BenchCommand::Soak(args) => super::soak::run(args),
    }
}

fn gen(args: GenArgs) -> anyhow::Result<ExitCode> {
    let spec = args.corpus.spec()?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    for school in 0..spec.schools {
        for year in 0..spec.years {
            serde_json::to_writer(&mut out, &spec.report(school, year))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn bench_run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let spec = args.corpus.spec()?;
    let mut opts = Options::new(&args.corpus.size, spec);
    if args.corpus.schools.is_some() || args.corpus.years.is_some() {
        opts.size = format!("custom ({})", args.corpus.size);
    }
    opts.work_dir = args.work_dir;
    opts.rounds = args.rounds;
    opts.peer_rounds = args.peer_rounds;
    opts.peer = !args.no_peer;
    opts.stock = !args.no_stock;
    opts.threads = args.threads;
    opts.sample_bytes = args.sample_mb.max(1) * 1_000_000;
    opts.serve = serve_probe();
    if args.http {
        if !(args.http_seconds > 0.0 && args.http_seconds <= 600.0) || args.connections == 0 {
            bail!("--http-seconds must be in (0, 600] and --connections at least 1");
        }
        opts.http = Some(HttpLoad {
            connections: args.connections,
            seconds: args.http_seconds,
        });
    }
    let report = xxgk_bench::run::run(&opts)?;
    println!("{}", report.render());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if report.snippets.panics > 0 {
        bail!("{} snippet panics", report.snippets.panics);
    }
    if !report.search_errors.is_empty() {
        bail!("search errors: {}", report.search_errors.join("; "));
    }
    if let Some(min) = args.min_recall {
        if report.min_recall() < min {
            bail!(
                "recall regression: {:.2} % on the worst query, below {min} %",
                report.min_recall()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn scaling(args: ScalingArgs) -> anyhow::Result<ExitCode> {
    let mut points = Vec::new();
    for path in &args.runs {
        let json =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        points.push(
            xxgk_bench::scaling::Point::from_json(&json)
                .with_context(|| format!("{} is not a `bench run --json` file", path.display()))?,
        );
    }
    points.sort_by(|a, b| a.sections.total_cmp(&b.sections));
    print!("{}", xxgk_bench::scaling::table(&points));
    if let Some(path) = &args.svg {
        std::fs::write(path, xxgk_bench::scaling::svg(&points))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_load(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let spec = args.corpus.spec()?;
    if !(args.seconds > 0.0 && args.seconds <= 3600.0) || args.connections == 0 {
        bail!("--seconds must be in (0, 3600] and --connections at least 1");
    }
    if !args.endpoint.starts_with('/') {
        bail!("--endpoint is a path starting with /");
    }
    let paths: Vec<String> = xxgk_bench::queries::query_set(&spec)
        .iter()
        .map(|q| format!("{}?{}", args.endpoint, q.url_query()))
        .collect();
    let run = xxgk_bench::http::load(
        args.addr,
        &args.endpoint,
        &paths,
        args.connections,
        args.seconds,
        None,
    )?;
    println!(
        "{}: {} requests, {} errors, {:.0} req/s, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; generator {:.0} % of a core",
        run.endpoint,
        run.requests,
        run.errors,
        run.req_per_s,
        run.p50_ms,
        run.p90_ms,
        run.p99_ms,
        run.max_ms,
        100.0 * run.generator_cpu_secs / run.seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

/// How to start this binary's `serve` command, if it has one.
fn serve_probe() -> Option<ServeProbe> {
    let exe = std::env::current_exe().ok()?;
    let help = Command::new(&exe)
        .args(["serve", "--help"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !help.status.success() {
        return None;
    }
    Some(ServeProbe {
        exe,
        args: ["--data", "{data}", "serve", "--addr", "{addr}"]
            .map(String::from)
            .to_vec(),
        path: "/api/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80".into(),
        uncached: ["--search-cache", "0"].map(String::from).to_vec(),
    })
}
