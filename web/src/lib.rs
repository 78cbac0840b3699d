//! The xxgk web front end and JSON API: translates HTTP into [`xxgk_app::App`] calls
//! and renders the answers. It owns no data; crawling and importing stay with the CLI,
//! and the engine's reader picks up their commits without a restart.
//!
//! Routes (all `GET`):
//!
//! | path | what |
//! | --- | --- |
//! | `/` | search page: query, facets (school, year, section), pagination, sort |
//! | `/reports/{id}` | a whole report by section, matches of `?q=` highlighted |
//! | `/schools` | which schools match a query, and which do not; `/schools.csv` |
//! | `/about` | what is indexed, how to search |
//! | `/coverage` | institutions × academic years: report archived, or why not; `?province=&level=&year=&in_sources=1&page=` ([`coverage`]); `/coverage.csv`, `/api/coverage` |
//! | `/sources` | each crawl source's last run: pages, reports, errors, start-page failure, robots-blocked URLs |
//! | `/checklist`, `/compare`, `/reports/{id}/versions`, `/changes` | journalist tools ([`journalist`]); CSV/JSON `/checklist.csv`, `/api/checklist`, `/api/changes`, `/api/reports/{id}/diff` |
//! | `/feed`, `/changes.atom` | Atom feeds of a search and of edited or removed reports |
//! | `/api/search`, `/api/schools`, `/api/reports/{id}`, `/api/reports/{id}/versions`, `/api/stats` | JSON |
//! | `/robots.txt` | what crawlers may fetch ([`ROBOTS_TXT`]) |
//!
//! The heavy answers (which schools, coverage, checklist) are cached per index generation
//! and archive version by the application (`xxgk_app::cache`); their JSON and pages come 100 rows at
//! a time (`page`, `per_page` up to 500; see RELIABILITY.md) and their CSV downloads stream
//! every row.
//!
//! Every page works without JavaScript and ships its one stylesheet inside the binary.
//! Answers are compressed (gzip, brotli) for clients that accept it.
//! All text is escaped by construction (maud); the only pre-escaped HTML is what the
//! index's highlighter produced, which escapes everything but its own `<mark>`s.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let engine = xxgk_app::stores::Engine::open_or_create("xxgk-data/index".as_ref())
//!     .map_err(std::io::Error::other)?;
//! let state = xxgk_web::AppState::new(xxgk_app::App::new(engine));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! xxgk_web::serve(listener, state, xxgk_web::shutdown_signal()).await
//! # }
//! ```

mod api;
mod cost;
pub mod coverage;
mod error;
pub mod export;
mod figures;
pub mod journalist;
mod pages;
mod params;
mod render;
mod schools;
mod serve;
mod sources;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_http::CompressionLevel;
use xxgk_app::{App, SearchRequest, SearchResults};

pub use error::AppError;
pub use serve::{serve, serve_with, shutdown_signal, ServeLimits};

/// Default time a request may take before it is answered with 503.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub use xxgk_app::{ReadArchive, ReportVersion};

/// What every handler shares: the application ([`App`]: the index with one reader for
/// the whole process, the archive, the one answer cache) and the server's own limits.
#[derive(Clone)]
pub struct AppState {
    app: App,
    timeout: Duration,
    /// Searches running at once. A search is CPU work: more of them than cores only
    /// share the cores and raise every request's latency, so the rest wait here (and
    /// time out with 503 under overload) instead of in the blocking thread pool.
    searches: Arc<tokio::sync::Semaphore>,
    /// The site's address for absolute links (feeds), e.g. `https://xxgk.example.org`.
    public_url: Arc<str>,
    /// Heavy requests running or queued (see [`cost`]).
    heavy: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("app", &self.app)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The stored report `id` (404 when there is none).
    pub(crate) async fn report(&self, id: String) -> Result<xxgk_app::Report, AppError> {
        self.blocking(move |app| Ok(app.report(&id)?)).await
    }

    /// The reports flagged as changed after publication, for search results (read from the
    /// archive once per archive version; empty without an archive or when it fails).
    pub(crate) async fn change_flags(&self) -> Arc<xxgk_app::ChangeFlags> {
        if !self.app().has_archive() {
            return Arc::default();
        }
        let app = self.app().clone();
        tokio::task::spawn_blocking(move || app.change_flags())
            .await
            .unwrap_or_default()
    }

    /// The site over `app` (or over an index alone: `AppState::new(engine)`).
    pub fn new(app: impl Into<App>) -> Self {
        AppState {
            app: app.into(),
            timeout: DEFAULT_REQUEST_TIMEOUT,
            searches: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            heavy: Arc::new(tokio::sync::Semaphore::new(cost::heavy_slots())),
            public_url: Arc::from("http://localhost"),
        }
    }

    /// How many search results to keep (0: none; default
    /// [`xxgk_app::cache::SEARCH_ENTRIES`]).
    pub fn with_search_cache(mut self, entries: usize) -> Self {
        self.app = self.app.with_search_cache(entries);
        self
    }

    /// The application the handlers ask.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Runs a search off the async threads, answered from the cache when it can be.
    pub(crate) async fn search(&self, req: SearchRequest) -> Result<SearchResults, AppError> {
        if let Some(hit) = self.app.cached_search(&req) {
            return Ok(hit);
        }
        self.blocking(move |app| Ok(app.search(&req)?)).await
    }

    /// The index folder, so that `/about` can tell when the index last changed.
    pub fn with_index_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.app = self.app.with_index_dir(dir);
        self
    }

    /// The report archive, for version lists and the last crawl date.
    pub fn with_archive(mut self, archive: Arc<dyn ReadArchive>) -> Self {
        self.app = self.app.with_archive(archive);
        self
    }

    /// How many searches may run at once (default: the number of cores).
    pub fn with_max_searches(mut self, n: usize) -> Self {
        self.searches = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    /// The site's public address for absolute links (feeds); a trailing `/` is dropped.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url.trim().trim_end_matches('/'));
        self
    }

    /// How many heavy requests (whole-archive answers, exports) may run at once.
    pub fn with_max_heavy(mut self, n: usize) -> Self {
        self.heavy = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs blocking work on the index (searches, matrices) off the async threads, at
    /// most [`AppState::with_max_searches`] at once.
    async fn blocking<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&App) -> Result<T, AppError> + Send + 'static,
    {
        let permit = Arc::clone(&self.searches)
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("search limiter closed: {e}")))?;
        let app = self.app.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&app)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("search task failed: {e}")))?
    }

    /// Runs small blocking reads (the archive's version lists, crawl health) off the
    /// async threads, without waiting for a search slot.
    async fn read<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&App) -> xxgk_app::Result<T> + Send + 'static,
    {
        let app = self.app.clone();
        tokio::task::spawn_blocking(move || work(&app))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("archive task failed: {e}")))?
            .map_err(AppError::from)
    }
}

/// The whole site and API.
pub fn app(state: AppState) -> Router {
    let timeout = state.timeout;
    Router::new()
        .route("/", get(pages::search))
        .route("/reports/{id}", get(pages::report))
        .route("/schools", get(pages::schools))
        .route("/schools.csv", get(api::schools_csv))
        .route("/about", get(pages::about))
        .route("/assets/style.css", get(style))
        .route("/robots.txt", get(robots))
        .route("/api/search", get(api::search))
        .route("/api/schools", get(api::schools))
        .route("/api/reports/{id}", get(api::report))
        .route("/api/reports/{id}/versions", get(api::versions))
        .route("/api/stats", get(api::stats))
        .merge(journalist::routes())
        .route("/coverage", get(coverage::page))
        .route("/coverage.csv", get(coverage::csv))
        .route("/api/coverage", get(coverage::json))
        .route("/sources", get(sources::sources))
        .route("/api", get(api::not_found))
        .route("/api/", get(api::not_found))
        .route("/api/{*rest}", get(api::not_found))
        .fallback(pages::not_found)
        // Inside out: the timeout answers with an empty 503 and axum with an empty
        // 404/405; `fill_empty_errors` gives those our error body, and
        // `log_internal_errors` sees every error response once.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), cost::gate))
        .layer(middleware::from_fn(error::fill_empty_errors))
        .layer(middleware::from_fn(error::log_internal_errors))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("(unmatched)");
                    // The URI cut: a 32 KB query string is not worth logging whole.
                    let uri = req.uri().to_string();
                    let uri: String = uri.chars().take(200).collect();
                    tracing::info_span!("http", method = %req.method(), route, uri)
                })
                // Answers are logged once, by `error::log_internal_errors` (5xx at WARN, a
                // designed 503 included); the trace layer's own ERROR line would log them twice.
                .on_failure(()),
        )
        // gzip or brotli when the client asks (pages, CSS, JSON, CSV; not bodies under
        // 32 bytes). Level 4: a 200 kB coverage page shrinks about tenfold either way,
        // and brotli's default (11) costs tens of milliseconds a page for a few percent.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        // No scripts run (`script-src` falls back to 'none'); `connect-src 'self'` lets
        // tools that read /robots.txt from the page (Lighthouse's SEO audit) do so.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; base-uri 'none'; \
                 frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}

static STYLE: &str = include_str!("../assets/style.css");

async fn style() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// What crawlers may fetch: the pages people read (search, reports, the journalist
/// pages without parameters); not the API, downloads, feeds, version histories, or the
/// whole-archive answers with their endless combinations of filters (each is heavy, see
/// [`cost`]).
pub const ROBOTS_TXT: &str = "\
# xxgk: search pages and reports are open to crawlers; the API, downloads, feeds and
# the heavy whole-archive pages with filters are not.
User-agent: *
Disallow: /api/
Disallow: /*.csv
Disallow: /feed
Disallow: /changes.atom
Disallow: /schools
Disallow: /compare
Disallow: /coverage?
Disallow: /checklist?
Disallow: /reports/*/versions
Allow: /
";

async fn robots() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ROBOTS_TXT,
    )
}
