//! A crawl into the data folder: the crawler writes the archive, and this module drains
//! the archive's outbox into the index while it runs (every `commit_every`, so a running
//! `xxgk serve` shows new reports within seconds) and once more at the end.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use xxgk_archive::sources::Source;
use xxgk_archive::Archive;
use xxgk_crawler::crawl::{CrawlOptions, Crawler, Mode, Progress, Summary};
use xxgk_crawler::fetch::{FetchConfig, Fetcher};
use xxgk_index::{Engine, Writer};

use crate::data::DataDir;
use crate::{sync, Error, Result};

/// How often the index is committed during a crawl.
pub const COMMIT_EVERY: Duration = Duration::from_secs(5);

/// The index side of a crawl: its own archive connection, the engine and its writer.
struct Drain {
    archive: Archive,
    engine: Engine,
    writer: Writer,
}

impl Drain {
    fn run(drain: &Mutex<Drain>) -> Result<usize> {
        let mut guard = drain.lock().unwrap_or_else(PoisonError::into_inner);
        let Drain {
            archive,
            engine,
            writer,
        } = &mut *guard;
        sync::drain_outbox(archive, engine, writer)
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

/// Crawls `sources` (`Mode::Crawl`) or revisits them (`Mode::Recrawl`) into `data`,
/// committing the index as it goes. Reports a killed run left in the outbox are indexed
/// first (with any other drift between archive and index).
pub async fn crawl(
    data: &DataDir,
    sources: Vec<Source>,
    mode: Mode,
    fetch: FetchConfig,
    opts: CrawlOptions,
    progress: Arc<dyn Progress>,
) -> Result<Summary> {
    let archive = data.open_archive()?;
    let engine = data.open_engine()?;
    let mut writer = data.open_writer(&engine, 1)?;
    let reconciled = sync::sync_index(&archive, &engine, &mut writer)?;
    if reconciled.written > 0 {
        tracing::info!(
            reports = reconciled.written,
            "indexed reports left over from an interrupted run"
        );
    }
    let drain = Arc::new(Mutex::new(Drain {
        archive: data.open_archive()?,
        engine,
        writer,
    }));
    let crawler = Crawler::new(archive, Fetcher::new(fetch)?, opts);
    let mut run = tokio::spawn(crawler.run(sources, mode, progress));
    let mut indexed = reconciled.written;
    let mut ticker = tokio::time::interval(COMMIT_EVERY);
    ticker.tick().await;
    let result = loop {
        tokio::select! {
            joined = &mut run => break joined.map_err(|e| Error::Task(e.to_string())),
            _ = ticker.tick() => {
                let drain = Arc::clone(&drain);
                indexed += blocking(move || Drain::run(&drain)).await?;
            }
        }
    };
    // Commit what was stored even when the crawl failed part way.
    let last = {
        let drain = Arc::clone(&drain);
        blocking(move || Drain::run(&drain)).await
    };
    let finished = Arc::into_inner(drain)
        .map(|d| d.into_inner().unwrap_or_else(PoisonError::into_inner))
        .map(|d| d.writer.finish());
    let mut summary = result??;
    indexed += last?;
    if let Some(finished) = finished {
        finished?;
    }
    summary.indexed = indexed;
    Ok(summary)
}
