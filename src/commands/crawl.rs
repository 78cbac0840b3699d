//! `xxgk crawl` and `xxgk recrawl`: fetch reports from the schools' disclosure sites into
//! the store and the index. Glue only: the crawler crate does the work.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use xxgk_crawler::crawl::{CrawlOptions, Crawler, Mode, Progress, ReportSink, Summary};
use xxgk_crawler::fetch::{FetchConfig, Fetcher};
use xxgk_crawler::sources::{School, Sources};

use super::{open_engine, open_store};

/// Settings shared by `crawl` and `recrawl`.
#[derive(Debug, Clone, Args)]
pub struct CrawlSettings {
    /// Page budget per school (a school's `max_pages` in the sources file overrides it).
    #[arg(long, default_value_t = 500)]
    pub max_pages: usize,
    /// Link depth from the start pages to report lists.
    #[arg(long, default_value_t = 4)]
    pub max_depth: u32,
    /// Pause between two requests to the same host, in milliseconds (robots.txt
    /// Crawl-delay can raise it).
    #[arg(long, env = "XXGK_CRAWL_DELAY_MS", default_value_t = 1000)]
    pub delay_ms: u64,
    /// Time limit for one request, body included, in seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Time limit for connecting, in seconds.
    #[arg(long, default_value_t = 10)]
    pub connect_timeout: u64,
    /// Retries after a timeout, a 5xx or a 429.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// First retry backoff in milliseconds (doubled on each retry; Retry-After wins).
    #[arg(long, default_value_t = 2000)]
    pub backoff_ms: u64,
    /// Largest page body in bytes.
    #[arg(long, default_value_t = 5 << 20)]
    pub max_body: usize,
    /// Schools crawled at the same time (each host still gets one request at a time).
    #[arg(long, default_value_t = 8)]
    pub parallel: usize,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

impl CrawlSettings {
    pub fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            connect_timeout: Duration::from_secs(self.connect_timeout.max(1)),
            timeout: Duration::from_secs(self.timeout.max(1)),
            retries: self.retries,
            backoff: Duration::from_millis(self.backoff_ms),
            max_body: self.max_body,
            delay: Duration::from_millis(self.delay_ms),
            ..FetchConfig::default()
        }
    }

    pub fn options(&self) -> CrawlOptions {
        CrawlOptions {
            max_pages: self.max_pages,
            max_depth: self.max_depth,
            parallel_schools: self.parallel.max(1),
            ..CrawlOptions::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Sources file (TOML, see README); default: sources.toml in the data folder.
    #[arg(long, env = "XXGK_SOURCES")]
    pub sources: Option<PathBuf>,
    /// Crawl only this school (repeatable); default: every school in the sources.
    #[arg(long = "school", value_name = "NAME")]
    pub schools: Vec<String>,
    #[command(flatten)]
    pub settings: CrawlSettings,
}

#[derive(Debug, Args)]
pub struct RecrawlArgs {
    /// Revisit this school (repeatable), as named in the sources it was crawled from.
    #[arg(long = "school", value_name = "NAME")]
    pub schools: Vec<String>,
    /// Revisit every school crawled before.
    #[arg(long, conflicts_with = "schools")]
    pub all: bool,
    #[command(flatten)]
    pub settings: CrawlSettings,
}

/// `xxgk crawl`.
pub fn run(data: &Path, args: CrawlArgs) -> anyhow::Result<ExitCode> {
    let path = args
        .sources
        .clone()
        .unwrap_or_else(|| data.join("sources.toml"));
    let sources = Sources::load(&path)?;
    let schools = sources.select(&args.schools)?;
    if schools.is_empty() {
        bail!("{} lists no schools", path.display());
    }
    finish(
        runtime()?.block_on(crawl_schools(
            data,
            schools,
            Mode::Crawl,
            &args.settings,
            progress(),
        )),
        args.settings.json,
    )
}

/// `xxgk recrawl`.
pub fn recrawl(data: &Path, args: RecrawlArgs) -> anyhow::Result<ExitCode> {
    if args.schools.is_empty() && !args.all {
        bail!("name the schools to recrawl with --school NAME, or pass --all");
    }
    let known = open_store(data)?.schools()?;
    let schools: Vec<School> = if args.all {
        known
    } else {
        args.schools
            .iter()
            .map(|name| {
                known
                    .iter()
                    .find(|s| s.name == *name)
                    .cloned()
                    .with_context(|| format!("{name} has not been crawled yet (run xxgk crawl)"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    if schools.is_empty() {
        bail!("nothing has been crawled yet (run xxgk crawl)");
    }
    finish(
        runtime()?.block_on(crawl_schools(
            data,
            schools,
            Mode::Recrawl,
            &args.settings,
            progress(),
        )),
        args.settings.json,
    )
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn finish(summary: anyhow::Result<Summary>, json: bool) -> anyhow::Result<ExitCode> {
    let summary = summary?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Crawls `schools` into the store and index of `data`, committing the index as it goes
/// (a running `xxgk serve` picks the commits up). Used by `crawl`, `recrawl` and `demo`.
pub async fn crawl_schools(
    data: &Path,
    schools: Vec<School>,
    mode: Mode,
    settings: &CrawlSettings,
    progress: Arc<dyn Progress>,
) -> anyhow::Result<Summary> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    let writer = engine
        .writer(1)
        .context("opening the index writer (is another crawl or import running?)")?;
    let fetcher = Fetcher::new(settings.fetch_config())?;
    let sink: Box<dyn ReportSink> = Box::new(writer);
    let crawler = Crawler::new(store, fetcher, settings.options(), Some(sink));
    let summary = crawler.run(schools, mode, progress).await?;
    Ok(summary)
}

/// A progress bar on a terminal, plain lines on stderr otherwise.
pub fn progress() -> Arc<dyn Progress> {
    if std::io::stderr().is_terminal() {
        Arc::new(Bar::new())
    } else {
        Arc::new(Lines)
    }
}

/// One line per page on stderr.
#[derive(Debug)]
pub struct Lines;

impl Progress for Lines {
    fn page(&self, school: &str, url: &str, what: &str) {
        eprintln!("{school}\t{what}\t{url}");
    }
    fn school_done(&self, school: &str) {
        eprintln!("{school}\tdone");
    }
}

struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Bar {
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn page(&self, school: &str, url: &str, what: &str) {
        self.0.inc(1);
        self.0.set_message(format!("{school} {what} {url}"));
        if what.starts_with("report") || what.starts_with("error") || what == "gone" {
            self.0.println(format!("{school}\t{what}\t{url}"));
        }
    }
    fn queued(&self, more: usize) {
        self.0.inc_length(more as u64);
    }
    fn school_done(&self, school: &str) {
        self.0.println(format!("{school}\tdone"));
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
