//! `xxgk crawl` and `xxgk recrawl`: fetch reports from the schools' disclosure sites into
//! the store and the index. Glue only: the crawler crate does the work.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use xxgk_archive::sources::{Source, Sources};
use xxgk_crawler::crawl::{CrawlOptions, Mode, Progress, Summary};
use xxgk_crawler::fetch::{FetchConfig, Fetcher};

use super::open_store;

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
    /// Classify one page and print why (page kind, its own title, the report-title
    /// verdict, its links by kind); nothing is stored.
    #[arg(long, value_name = "URL", conflicts_with = "schools")]
    pub explain: Option<String>,
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

/// `xxgk crawl --explain URL`.
fn explain(url: &str, settings: &CrawlSettings) -> anyhow::Result<ExitCode> {
    let fetcher = Fetcher::new(settings.fetch_config())?;
    let page = runtime()?.block_on(xxgk_crawler::crawl::explain(&fetcher, url))?;
    let title = page.article.title.as_deref().unwrap_or("(none)");
    let verdict = if page
        .article
        .title
        .as_deref()
        .is_some_and(xxgk_crawler::titles::is_report_title)
    {
        "names an annual disclosure report"
    } else {
        "names no report"
    };
    let mut out = format!(
        "{url}\nkind: {}{}\ntitle: {title}\nreport-title rule: {verdict}\nencoding: {}\nreasons:\n",
        page.kind.as_str(),
        if page.report { " (a report)" } else { "" },
        page.encoding,
    );
    for r in &page.reasons {
        out.push_str(&format!("  - {r}\n"));
    }
    for (url, label, ext) in &page.article.attachments {
        out.push_str(&format!("attachment ({ext}): {url} {label}\n"));
    }
    for part in &page.continuation {
        out.push_str(&format!("continues on: {part}\n"));
    }
    let mut by_kind: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for l in &page.links {
        by_kind
            .entry(format!("{:?}", l.kind).to_lowercase())
            .or_default()
            .push(match &l.form {
                Some(form) => format!("{} {} (POST {form})", l.url, l.text),
                None => format!("{} {}", l.url, l.text),
            });
    }
    if page.links.is_empty() {
        out.push_str("links followed: none\n");
    }
    for (kind, links) in by_kind {
        out.push_str(&format!("links ({kind}): {}\n", links.len()));
        for l in links {
            out.push_str(&format!("  {l}\n"));
        }
    }
    super::emit(&out)
}

/// `xxgk crawl`.
pub fn run(data: &Path, args: CrawlArgs) -> anyhow::Result<ExitCode> {
    if let Some(url) = &args.explain {
        return explain(url, &args.settings);
    }
    let path = args
        .sources
        .clone()
        .unwrap_or_else(|| data.join("sources.toml"));
    let sources = Sources::load(&path)?;
    let schools = sources.select(&args.schools)?;
    if schools.is_empty() {
        bail!("{} lists no schools", path.display());
    }
    // Every source of the file, crawled now or not, links its institution: coverage then
    // tells "has a source, not crawled yet" from "no source".
    open_store(data)?.sync_sources(&sources.school)?;
    let names: Vec<String> = schools.iter().map(|s| s.name.clone()).collect();
    finish(
        data,
        &names,
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
    let store = open_store(data)?;
    // Sources with a crawl run (a sources file's other schools are only listed).
    let known: Vec<Source> = store.crawled_sources()?;
    drop(store);
    let schools: Vec<Source> = if args.all {
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
    let names: Vec<String> = schools.iter().map(|s| s.name.clone()).collect();
    finish(
        data,
        &names,
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

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Prints the run's summary, then each crawled school's health (pages, reports found,
/// or why its site could not be reached) on stderr.
fn finish(
    data: &Path,
    schools: &[String],
    summary: anyhow::Result<Summary>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let summary = summary?;
    let out = if json {
        format!("{}\n", serde_json::to_string_pretty(&summary)?)
    } else {
        format!("{summary}\n")
    };
    for h in open_store(data)?.crawl_health()? {
        if schools.contains(&h.source) {
            eprintln!("{}", super::health_line(&h));
        }
    }
    super::emit(&out)
}

/// Crawls `schools` into the store and index of `data`, committing the index as it goes
/// (a running `xxgk serve` picks the commits up). Used by `crawl`, `recrawl` and `demo`.
pub async fn crawl_schools(
    data: &Path,
    schools: Vec<Source>,
    mode: Mode,
    settings: &CrawlSettings,
    progress: Arc<dyn Progress>,
) -> anyhow::Result<Summary> {
    let summary = xxgk_app::crawl::crawl(
        &super::data_dir(data),
        schools,
        mode,
        settings.fetch_config(),
        settings.options(),
        progress,
    )
    .await?;
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
