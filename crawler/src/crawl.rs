//! The crawl: schools in parallel (each host one request at a time, see [`crate::fetch`]),
//! each school's frontier worked through in discovery order, every page written to the
//! store in one transaction with its attachments. The crawler writes only the archive: a
//! new or changed report enters the archive's outbox in the transaction that stores it,
//! and the application layer (`xxgk-app`) drains the outbox into the index as the crawl
//! goes and at its end.
//!
//! Resuming: the frontier lives in the store. A run that was killed left its school's
//! run open; the next run keeps that queue and carries on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::discover::LinkKind;
use crate::extract::{other_school_named, report_from_page, ArticleInput, AttachmentText, Hints};
use crate::fetch::{ErrorKind, FetchError, Fetched, Fetcher, Validators};
use crate::page::{classify, is_report_title, Page, PageKind};
use crate::{attach, Error, Result};
use xxgk_archive::sources::{host_key, School};
use xxgk_archive::{Archive, DocRecord, DocState, FetchLogEntry, PageWork, PutOutcome, QueueItem};

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

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Pages and attachments that got an HTTP answer (200, 304, 404/410).
    pub fetched: usize,
    /// Of those, answered 304 Not Modified.
    pub not_modified: usize,
    /// Answered 304 or with the same bytes as the stored version.
    pub unchanged: usize,
    pub new_versions: usize,
    pub new_reports: usize,
    pub changed_reports: usize,
    /// Pages that existed and now answer 404/410 (their versions are kept).
    pub gone: usize,
    /// Failures by kind (`timeout`, `http_503`, `robots`, `too_large`, `not_found` …).
    pub errors: BTreeMap<String, usize>,
    /// Schools whose interrupted run was resumed.
    pub resumed: usize,
    /// Reports written to the index (new, changed, and left over from a killed run);
    /// filled in by whoever drains the outbox (the application layer), 0 from the crawler.
    pub indexed: usize,
}

impl Summary {
    fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fetched {} (304: {}), unchanged {}, new versions {}, new reports {}, \
             changed reports {}, gone {}, indexed {}",
            self.fetched,
            self.not_modified,
            self.unchanged,
            self.new_versions,
            self.new_reports,
            self.changed_reports,
            self.gone,
            self.indexed
        )?;
        if self.errors.is_empty() {
            write!(f, ", errors 0")
        } else {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            write!(f, ", errors: {}", list.join(", "))
        }
    }
}

/// Told about each page as it is done (for a progress bar or log lines).
pub trait Progress: Send + Sync {
    /// `what`: `new`, `unchanged`, `304`, `gone`, `dead`, `report new`, `error timeout` …
    fn page(&self, school: &str, url: &str, what: &str);
    /// More work was queued (`queued` frontier entries in all running schools).
    fn queued(&self, _more: usize) {}
    fn school_done(&self, _school: &str) {}
}

/// Progress that only emits tracing events (debug level).
#[derive(Debug, Default)]
pub struct LogProgress;

impl Progress for LogProgress {
    fn page(&self, school: &str, url: &str, what: &str) {
        tracing::debug!(school, url, what, "page");
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

/// The frontier role of a file linked as a report (revisited by a recrawl, unlike the
/// `attachment`s of an article, which are fetched with it).
const ROLE_REPORT_FILE: &str = "report_file";

/// The frontier role of a further page of a split article (fetched with its first page).
const ROLE_PART: &str = "part";

/// List pages one school's crawl reads at most: a list that paginates forever stops here
/// (counted as `pagination_cap`), whatever the page budget.
const MAX_LIST_PAGES: usize = 200;

/// What one school's crawl has seen so far (for the caps).
#[derive(Debug, Default)]
struct SchoolState {
    list_pages: usize,
    capped: bool,
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
        schools: Vec<School>,
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

    async fn crawl_school(
        &self,
        school: &School,
        mode: Mode,
        progress: &dyn Progress,
    ) -> Result<()> {
        let mut seeds: Vec<(String, u32, String)> = school
            .start_urls()?
            .into_iter()
            .map(|u| (u.to_string(), 0, "start".to_string()))
            .collect();
        let resumed = {
            let store = lock(&self.store);
            store.put_school(school)?;
            if mode == Mode::Recrawl {
                for (url, role) in store.known_pages(&school.name)? {
                    if role != ROLE_PART {
                        seeds.push((url, 1, role));
                    }
                }
            }
            store.begin_run(&school.name, mode.as_str(), &seeds)?
        };
        if resumed {
            tracing::info!(school = %school.name, "resuming an interrupted run");
            lock(&self.summary).resumed += 1;
        }
        progress.queued(lock(&self.store).queued_count(&school.name)?);
        let hosts = school.allowed_hosts();
        let mut state = SchoolState::default();
        let budget = school.max_pages.unwrap_or(self.opts.max_pages);
        loop {
            let (item, done) = {
                let store = lock(&self.store);
                (
                    store.next_queued(&school.name)?,
                    store.done_count(&school.name)?,
                )
            };
            let Some(item) = item else { break };
            if done >= budget {
                tracing::info!(school = %school.name, budget, "page budget reached");
                break;
            }
            let (work, what) = self.process(school, &hosts, &item, &mut state).await?;
            let store = self.store.clone();
            let (work, outcome) = blocking(move || {
                let outcome = lock(&store).record_page(&work)?;
                Ok((work, outcome))
            })
            .await?;
            let mut label = what;
            {
                let mut s = lock(&self.summary);
                s.new_versions += outcome.new_versions;
                s.unchanged += outcome.unchanged;
                s.gone += outcome.gone;
                for _ in 0..outcome.dead {
                    s.error("not_found");
                }
                if outcome.gone > 0 {
                    label = "gone".into();
                } else if outcome.dead > 0 {
                    label = "dead link".into();
                }
                match outcome.report {
                    Some(PutOutcome::New) => s.new_reports += 1,
                    Some(PutOutcome::Changed) => s.changed_reports += 1,
                    _ => {}
                }
            }
            if let (Some(_), Some(o)) = (&work.report, outcome.report) {
                if o != PutOutcome::Unchanged {
                    label = format!(
                        "report {}",
                        if o == PutOutcome::New {
                            "new"
                        } else {
                            "changed"
                        }
                    );
                }
            }
            progress.queued(outcome.queued);
            progress.page(&school.name, &item.url, &label);
        }
        lock(&self.store).finish_run(&school.name)?;
        Ok(())
    }

    fn log_attempts(
        work: &mut PageWork,
        url: &Url,
        result: &std::result::Result<Fetched, FetchError>,
    ) {
        let (attempts, validators) = match result {
            Ok(f) => (&f.attempts, Some(&f.validators)),
            Err(e) => (&e.attempts, None),
        };
        if attempts.is_empty() {
            if let Err(e) = result {
                // Refused before any request (robots.txt): still logged.
                work.log.push(FetchLogEntry {
                    url: url.to_string(),
                    at_ms: std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as i64),
                    error_kind: Some(e.kind.label()),
                    message: Some(e.message.clone()),
                    ..FetchLogEntry::default()
                });
            }
        }
        let last = attempts.len().saturating_sub(1);
        for (i, a) in attempts.iter().enumerate() {
            let v = validators.filter(|_| i == last);
            work.log.push(FetchLogEntry {
                url: url.to_string(),
                at_ms: a.at_ms,
                status: a.status,
                etag: v.and_then(|v| v.etag.clone()),
                last_modified: v.and_then(|v| v.last_modified.clone()),
                error_kind: a.error.map(ErrorKind::label),
                message: a.message.clone(),
                elapsed_ms: a.elapsed.as_millis() as i64,
                bytes: a.bytes as i64,
            });
        }
    }

    fn count_fetch(&self, result: &std::result::Result<Fetched, FetchError>) {
        let mut s = lock(&self.summary);
        match result {
            Ok(f) => {
                s.fetched += 1;
                if f.not_modified() {
                    s.not_modified += 1;
                }
            }
            Err(e) => s.error(&e.kind.label()),
        }
    }

    async fn validators(&self, url: &str) -> Result<(Validators, Option<i64>)> {
        let info = lock(&self.store).page(url)?;
        Ok(match info {
            Some(p) => (
                Validators {
                    etag: p.etag,
                    last_modified: p.last_modified,
                },
                p.current_version,
            ),
            None => (Validators::default(), None),
        })
    }

    /// Fetches and analyses one frontier entry (and, for a report, its attachments).
    async fn process(
        &self,
        school: &School,
        hosts: &[String],
        item: &QueueItem,
        state: &mut SchoolState,
    ) -> Result<(PageWork, String)> {
        let mut work = PageWork {
            school: school.name.clone(),
            frontier_url: item.url.clone(),
            ..PageWork::default()
        };
        let doc = |state| DocRecord {
            url: item.url.clone(),
            role: item.role.clone(),
            state,
        };
        let Ok(url) = Url::parse(&item.url) else {
            lock(&self.summary).error("bad_url");
            return Ok((work, "error bad_url".into()));
        };
        let (validators, current) = self.validators(&item.url).await?;
        // A file linked as a report may be as big as any attachment.
        // A file linked as a report; after its first crawl the archive knows it as a
        // `report` page, so its extension tells on a recrawl.
        let as_file = item.role == ROLE_REPORT_FILE
            || (item.role == "report" && crate::discover::attachment_ext(&url, "").is_some());
        let max_body = if as_file {
            self.fetcher.config().max_attachment
        } else {
            self.fetcher.config().max_body
        };
        let result = self.fetcher.fetch(&url, &validators, max_body).await;
        Self::log_attempts(&mut work, &url, &result);
        self.count_fetch(&result);
        let fetched = match result {
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "fetch failed");
                work.docs.push(doc(DocState::Failed));
                return Ok((work, format!("error {}", e.kind.label())));
            }
            Ok(f) if f.gone() => {
                work.docs.push(doc(DocState::Gone));
                return Ok((work, "gone".into()));
            }
            Ok(f) => f,
        };
        if !host_key(&fetched.url).is_some_and(|h| hosts.contains(&h)) {
            lock(&self.summary).error("offsite");
            work.docs.push(doc(DocState::Failed));
            return Ok((work, format!("error offsite redirect to {}", fetched.url)));
        }
        if as_file {
            return self
                .attachment_report(school, work, item, fetched, current)
                .await;
        }
        // The body to analyse: the new one, or the stored one on 304.
        let (body, content_type, what) = if fetched.not_modified() {
            work.docs.push(doc(DocState::NotModified));
            let stored = match current {
                Some(id) => lock(&self.store).version_body(id)?,
                None => None,
            };
            match stored {
                Some((body, ct, _)) => (body, ct, "304"),
                None => return Ok((work, "304".into())),
            }
        } else {
            (
                fetched.body.clone(),
                fetched.content_type.clone(),
                "fetched",
            )
        };
        let page = {
            let url = fetched.url.clone();
            let role = item.role.clone();
            let hosts = hosts.to_vec();
            let body = body.clone();
            let ct = content_type.clone();
            blocking(move || Ok(classify(&body, ct.as_deref(), &url, &role, &hosts))).await?
        };
        tracing::debug!(url = %item.url, kind = page.kind.as_str(), reasons = ?page.reasons, "page");
        if !fetched.not_modified() {
            work.docs.push(doc(fetched_state(
                fetched,
                Some(page.encoding.to_string()),
                None,
            )));
        }
        let max_depth = school.max_depth.unwrap_or(self.opts.max_depth);
        work.enqueue = self.enqueue(school, &page, item, max_depth, state);
        if !page.report {
            return Ok((work, format!("{what} {}", page.kind.as_str())));
        }
        // A report: the rest of a split article, its attachments, then the report itself.
        let mut input = ArticleInput {
            title: page.article.title.clone(),
            published: page.article.published.clone(),
            body: page.article.text.clone(),
            attachments: Vec::new(),
        };
        let mut attachments = page.article.attachments.clone();
        for part in &page.continuation {
            if let Some(more) = self.part(&mut work, part, hosts).await? {
                input.body.push('\n');
                input.body.push_str(&more.article.text);
                for a in more.article.attachments {
                    if !attachments.iter().any(|b| b.0 == a.0) {
                        attachments.push(a);
                    }
                }
            }
        }
        for (att_url, label, ext) in attachments.iter().take(self.opts.max_attachments) {
            if !host_key(att_url).is_some_and(|h| hosts.contains(&h)) {
                continue;
            }
            if let Some(text) = self.attachment(&mut work, att_url, ext).await? {
                input.attachments.push(AttachmentText {
                    url: att_url.to_string(),
                    label: label.clone(),
                    text,
                });
            }
        }
        if let Some(title) = &input.title {
            if let Some(other) = other_school_named(title, &school.name, &school.aliases) {
                tracing::warn!(url = %item.url, source = %school.name, named = %other,
                    "the page names another school; kept under its source's school");
            }
        }
        match report_from_page(&input, &self.hints(school, &item.url)) {
            Ok(report) => work.report = Some(report),
            Err(e) => {
                tracing::info!(url = %item.url, error = %e, "not a report after all");
                lock(&self.summary).error("no_report_text");
            }
        }
        Ok((work, format!("{what} {}", page.kind.as_str())))
    }

    fn hints(&self, school: &School, url: &str) -> Hints {
        Hints {
            url: url.to_string(),
            school: Some(school.name.clone()),
            province: school.province.clone(),
            kind: school.kind.clone(),
            ..Hints::default()
        }
    }

    /// The links of a start or list page to queue, with their depth and role.
    fn enqueue(
        &self,
        school: &School,
        page: &Page,
        item: &QueueItem,
        max_depth: u32,
        state: &mut SchoolState,
    ) -> Vec<(String, u32, String, String)> {
        if page.kind == PageKind::List {
            state.list_pages += 1;
        }
        let follow_next = state.list_pages < MAX_LIST_PAGES;
        if !follow_next && !state.capped {
            state.capped = true;
            tracing::warn!(school = %school.name, max = MAX_LIST_PAGES,
                "list pages keep paginating; no further pages followed");
            lock(&self.summary).error("pagination_cap");
        }
        let mut out = Vec::new();
        for link in &page.links {
            let (depth, role) = match link.kind {
                LinkKind::Report => (item.depth + 1, "report"),
                // A file linked under a report title is the report.
                LinkKind::Attachment if is_report_title(&link.text) => {
                    (item.depth + 1, ROLE_REPORT_FILE)
                }
                LinkKind::List if item.depth < max_depth => (item.depth + 1, "list"),
                // Pagination stays at the list's depth: page 9 of a list is no deeper.
                LinkKind::Next
                    if follow_next && matches!(page.kind, PageKind::List | PageKind::Start) =>
                {
                    (item.depth, "list")
                }
                _ => continue,
            };
            out.push((
                link.url.to_string(),
                depth,
                role.to_string(),
                link.text.clone(),
            ));
        }
        out
    }

    /// Fetches a document that belongs to the page being processed (a further part of a
    /// split article, an attachment): conditional GET with the stored validators, logged
    /// and counted. A failure or a 404 is recorded in `work` and gives `None`; a 304 is
    /// recorded and gives the stored version's id.
    async fn fetch_linked(
        &self,
        work: &mut PageWork,
        url: &Url,
        role: &str,
        max_body: usize,
    ) -> Result<Option<Linked>> {
        let (validators, current) = self.validators(url.as_str()).await?;
        let result = self.fetcher.fetch(url, &validators, max_body).await;
        Self::log_attempts(work, url, &result);
        self.count_fetch(&result);
        let mut record = |state| {
            work.docs.push(DocRecord {
                url: url.to_string(),
                role: role.into(),
                state,
            })
        };
        Ok(match result {
            Err(e) => {
                tracing::warn!(%url, role, error = %e, "linked document failed");
                record(DocState::Failed);
                None
            }
            Ok(f) if f.gone() => {
                record(DocState::Gone);
                None
            }
            Ok(f) if f.not_modified() => {
                record(DocState::NotModified);
                Some(Linked::Stored(current))
            }
            Ok(f) => Some(Linked::Fresh(Box::new(f))),
        })
    }

    /// One further page of a split article, fetched and stored beside it.
    async fn part(&self, work: &mut PageWork, url: &Url, hosts: &[String]) -> Result<Option<Page>> {
        if !host_key(url).is_some_and(|h| hosts.contains(&h)) {
            return Ok(None);
        }
        let max = self.fetcher.config().max_body;
        let (body, ct, fresh) = match self.fetch_linked(work, url, ROLE_PART, max).await? {
            None => return Ok(None),
            Some(Linked::Stored(None)) => return Ok(None),
            Some(Linked::Stored(Some(id))) => match lock(&self.store).version_body(id)? {
                Some((body, ct, _)) => (body, ct, None),
                None => return Ok(None),
            },
            Some(Linked::Fresh(f)) => (f.body.clone(), f.content_type.clone(), Some(*f)),
        };
        let final_url = fresh
            .as_ref()
            .map_or_else(|| url.clone(), |f| f.url.clone());
        let hosts = hosts.to_vec();
        let page = blocking(move || {
            Ok(classify(
                &body,
                ct.as_deref(),
                &final_url,
                ROLE_PART,
                &hosts,
            ))
        })
        .await?;
        if let Some(f) = fresh {
            work.docs.push(DocRecord {
                url: url.to_string(),
                role: ROLE_PART.into(),
                state: fetched_state(f, Some(page.encoding.to_string()), None),
            });
        }
        Ok(Some(page))
    }

    /// A file linked from a list as a report (…年度报告.pdf): its text is the report, its
    /// URL the report's.
    async fn attachment_report(
        &self,
        school: &School,
        mut work: PageWork,
        item: &QueueItem,
        fetched: Fetched,
        current: Option<i64>,
    ) -> Result<(PageWork, String)> {
        let ext = crate::discover::attachment_ext(&fetched.url, &item.link_text).unwrap_or("pdf");
        let doc = |state| DocRecord {
            url: item.url.clone(),
            role: item.role.clone(),
            state,
        };
        let (text, what) = if fetched.not_modified() {
            work.docs.push(doc(DocState::NotModified));
            let stored = match current {
                Some(id) => lock(&self.store).version_body(id)?,
                None => None,
            };
            (stored.and_then(|(_, _, text)| text), "304")
        } else {
            let url = fetched.url.clone();
            let text = self.read_attachment(&mut work, &url, ext, &fetched).await?;
            work.docs
                .push(doc(fetched_state(fetched, None, text.clone())));
            (text, "fetched")
        };
        let Some(text) = text else {
            return Ok((work, format!("{what} attachment (no text)")));
        };
        let label = item.link_text.trim().to_string();
        let title = is_report_title(&label).then(|| match label.rsplit_once('.') {
            Some((stem, e)) if e.eq_ignore_ascii_case(ext) => stem.to_string(),
            _ => label.clone(),
        });
        let input = ArticleInput {
            title,
            published: None,
            body: String::new(),
            attachments: vec![AttachmentText {
                url: item.url.clone(),
                label,
                text,
            }],
        };
        match report_from_page(&input, &self.hints(school, &item.url)) {
            Ok(report) => work.report = Some(report),
            Err(e) => {
                tracing::info!(url = %item.url, error = %e, "attachment holds no report");
                lock(&self.summary).error("no_report_text");
            }
        }
        Ok((work, format!("{what} attachment")))
    }

    /// The text of a fetched attachment, or `None` with a logged, counted reason (not our
    /// kind of file, a parser failure, a PDF with no text layer).
    async fn read_attachment(
        &self,
        work: &mut PageWork,
        url: &Url,
        ext: &'static str,
        fetched: &Fetched,
    ) -> Result<Option<String>> {
        let timeout = self.opts.attachment_timeout;
        let bytes = fetched.body.clone();
        let extracted =
            tokio::task::spawn_blocking(move || attach::extract_text(bytes, ext, timeout))
                .await
                .map_err(|e| Error::Task(e.to_string()))?;
        let (kind, reason) = match extracted {
            Ok(t) if !t.trim().is_empty() => return Ok(Some(t)),
            Ok(_) => (
                "no_text_layer".to_string(),
                "no text layer (a scanned or encrypted document?); stored without text".to_string(),
            ),
            Err(reason) => (ErrorKind::Extract.label(), reason),
        };
        tracing::warn!(%url, %reason, "attachment text not extracted");
        lock(&self.summary).error(&kind);
        work.log.push(FetchLogEntry {
            url: url.to_string(),
            at_ms: fetched.attempts.last().map_or(0, |a| a.at_ms),
            status: Some(fetched.status),
            error_kind: Some(kind),
            message: Some(reason),
            ..FetchLogEntry::default()
        });
        Ok(None)
    }

    /// Fetches one attachment and returns its text (stored text on 304).
    async fn attachment(
        &self,
        work: &mut PageWork,
        url: &Url,
        ext: &'static str,
    ) -> Result<Option<String>> {
        let max = self.fetcher.config().max_attachment;
        let fetched = match self.fetch_linked(work, url, "attachment", max).await? {
            None => return Ok(None),
            Some(Linked::Stored(current)) => {
                let stored = match current {
                    Some(id) => lock(&self.store).version_body(id)?,
                    None => None,
                };
                return Ok(stored.and_then(|(_, _, text)| text));
            }
            Some(Linked::Fresh(f)) => *f,
        };
        let text = self.read_attachment(work, url, ext, &fetched).await?;
        work.docs.push(DocRecord {
            url: url.to_string(),
            role: "attachment".into(),
            state: fetched_state(fetched, None, text.clone()),
        });
        Ok(text)
    }
}

/// What [`Crawler::fetch_linked`] got: new bytes, or a 304 for the stored version.
enum Linked {
    Fresh(Box<Fetched>),
    Stored(Option<i64>),
}

/// A fetched document as stored: its validators, type, encoding, bytes and text.
fn fetched_state(f: Fetched, encoding: Option<String>, text: Option<String>) -> DocState {
    DocState::Fetched {
        etag: f.validators.etag,
        last_modified: f.validators.last_modified,
        content_type: f.content_type,
        encoding,
        body: f.body,
        text,
    }
}

/// `xxgk crawl --explain URL`: fetches one page (obeying robots.txt) and classifies it as
/// the crawl would, reached by a link: its kind, own title, the report-title verdict, the
/// reasons and its links by kind.
pub async fn explain(fetcher: &Fetcher, url: &str) -> Result<Page> {
    let url = &Url::parse(url).map_err(|e| Error::Config(format!("{url} is not a URL: {e}")))?;
    let fetched = fetcher
        .fetch(url, &Validators::default(), fetcher.config().max_body)
        .await
        .map_err(|e| Error::Config(format!("cannot fetch {url}: {e}")))?;
    if fetched.gone() {
        return Err(Error::Config(format!("{url} answers {}", fetched.status)));
    }
    let hosts: Vec<String> = host_key(&fetched.url).into_iter().collect();
    let final_url = fetched.url.clone();
    blocking(move || {
        Ok(classify(
            &fetched.body,
            fetched.content_type.as_deref(),
            &final_url,
            crate::page::ROLE_UNKNOWN,
            &hosts,
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_well() {
        let mut s = Summary {
            fetched: 3,
            not_modified: 2,
            ..Summary::default()
        };
        s.error("timeout");
        s.error("timeout");
        assert!(s.to_string().starts_with("fetched 3 (304: 2)"));
        assert!(s.to_string().ends_with("errors: timeout 2"));
    }
}
