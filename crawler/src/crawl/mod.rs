//! The crawl: schools in parallel (each host one request at a time, see [`crate::fetch`]),
//! each school's frontier worked through in discovery order, every page written to the
//! store in one transaction with its attachments. The crawler writes only the archive: a
//! new or changed report enters the archive's outbox in the transaction that stores it,
//! and the application layer (`xxgk-app`) drains the outbox into the index as the crawl
//! goes and at its end.
//!
//! Resuming: the frontier lives in the store. A run that was killed left its school's
//! run open; the next run keeps that queue and carries on.

mod explain;
mod frontier;
mod linked;
mod process;
mod summary;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::fetch::Fetcher;
use crate::{Error, Result};
use xxgk_archive::sources::Source;
use xxgk_archive::Archive;

pub use explain::explain;
pub use summary::{LogProgress, Progress, Summary};

/// Crawl run settings (fetch settings are [`crate::fetch::FetchConfig`]).
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Page budget per school (a school's own `max_pages` overrides it).
    pub max_pages: usize,
    /// Link depth from the start pages to list pages (reports may be one deeper).
    pub max_depth: u32,
    /// Schools crawled at the same time.
    pub parallel_schools: usize,
    /// Attachments fetched per report.
    pub max_attachments: usize,
    /// Time one attachment's text extraction may take.
    pub attachment_timeout: Duration,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: 500,
            max_depth: 4,
            parallel_schools: 8,
            max_attachments: 10,
            attachment_timeout: Duration::from_secs(60),
        }
    }
}

/// `crawl` discovers from the start pages; `recrawl` also revisits every page already
/// stored for the school (conditionally, so unchanged pages cost a 304).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Crawl,
    Recrawl,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Crawl => "crawl",
            Mode::Recrawl => "recrawl",
        }
    }
}

/// A crawler over one archive.
pub struct Crawler {
    store: Arc<Mutex<Archive>>,
    fetcher: Arc<Fetcher>,
    opts: CrawlOptions,
    summary: Arc<Mutex<Summary>>,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

impl Crawler {
    pub fn new(store: Archive, fetcher: Fetcher, opts: CrawlOptions) -> Crawler {
        Crawler {
            store: Arc::new(Mutex::new(store)),
            fetcher: Arc::new(fetcher),
            opts,
            summary: Arc::new(Mutex::new(Summary::default())),
        }
    }

    /// Crawls `schools` (`Mode::Crawl`) or revisits them (`Mode::Recrawl`). Fetch
    /// failures are counted, not returned; an `Err` means the archive failed.
    pub async fn run(
        self,
        schools: Vec<Source>,
        mode: Mode,
        progress: Arc<dyn Progress>,
    ) -> Result<Summary> {
        let this = Arc::new(self);
        let sem = Arc::new(tokio::sync::Semaphore::new(
            this.opts.parallel_schools.max(1),
        ));
        let mut tasks = tokio::task::JoinSet::new();
        for school in schools {
            let this = this.clone();
            let sem = sem.clone();
            let progress = progress.clone();
            tasks.spawn(async move {
                let _permit = sem
                    .acquire_owned()
                    .await
                    .map_err(|e| Error::Task(e.to_string()))?;
                this.crawl_school(&school, mode, progress.as_ref()).await?;
                progress.school_done(&school.name);
                Ok::<(), Error>(())
            });
        }
        let mut first_err = None;
        while let Some(joined) = tasks.join_next().await {
            let result = joined
                .map_err(|e| Error::Task(e.to_string()))
                .and_then(|r| r);
            if let Err(e) = result {
                tracing::error!(error = %e, "school crawl failed");
                first_err.get_or_insert(e);
            }
        }
        if let Some(e) = first_err {
            return Err(e);
        }
        let summary = lock(&this.summary).clone();
        Ok(summary)
    }
}
