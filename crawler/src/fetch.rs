//! Fetching, politely: robots.txt, one request at a time per host with a delay between
//! requests (hosts run in parallel), connect and total timeouts, retries with exponential
//! backoff on timeouts, 5xx and 429 (honouring `Retry-After`), a body size cap enforced
//! while streaming, a redirect limit, conditional GET, and an honest User-Agent.
//!
//! Bodies come back as bytes; decoding is [`crate::decode`]'s job (never `text()`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::sync::OnceCell;
use url::Url;

pub use crate::response::{Attempt, ErrorKind, FetchError, Fetched, Validators};
use crate::robots::Robots;
use crate::{Error, Result};
use xxgk_archive::sources::host_key;

/// The User-Agent we send: who we are and why, so a webmaster can tell.
pub const USER_AGENT: &str = concat!(
    "xxgk/",
    env!("CARGO_PKG_VERSION"),
    " (archive of university information-disclosure reports; obeys robots.txt; token: xxgk)"
);

/// Fetch settings. The defaults suit real sites; tests shorten the waits.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Whole request, body included.
    pub timeout: Duration,
    /// Extra attempts after the first, for timeouts, 5xx and 429.
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// `Retry-After` is honoured up to this; longer waits are capped to it.
    pub max_retry_after: Duration,
    /// Body size cap for pages.
    pub max_body: usize,
    /// Body size cap for attachments (PDFs and spreadsheets are bigger than pages).
    pub max_attachment: usize,
    pub max_redirects: usize,
    /// Pause between two requests to the same host (robots.txt Crawl-delay raises it).
    pub delay: Duration,
    /// Obey robots.txt (always on outside tests of the policy itself).
    pub robots: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: USER_AGENT.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(120),
            max_body: 5 << 20,
            max_attachment: 40 << 20,
            max_redirects: 5,
            // One request per second per host: school servers are small.
            delay: Duration::from_secs(1),
            robots: true,
        }
    }
}

#[derive(Default)]
struct Host {
    /// Held for the whole request (body included): one request at a time per host.
    /// Holds when the last request to this host ended.
    gate: tokio::sync::Mutex<Option<Instant>>,
    robots: OnceCell<Arc<Robots>>,
}

/// The polite HTTP client. Cheap to share (`Arc`); hosts are independent.
pub struct Fetcher {
    client: reqwest::Client,
    cfg: FetchConfig,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

enum Try {
    Done(Fetched),
    Fail {
        kind: ErrorKind,
        message: String,
        retry_after: Option<Duration>,
    },
}

impl Fetcher {
    pub fn new(cfg: FetchConfig) -> Result<Fetcher> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::limited(cfg.max_redirects))
            .build()
            .map_err(|e| Error::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            cfg,
            hosts: Mutex::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.cfg
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(key.to_string()).or_default().clone()
    }

    /// The robots.txt policy for `url`'s host, fetched once per run.
    pub async fn robots(&self, url: &Url) -> Arc<Robots> {
        let Some(key) = host_key(url) else {
            return Arc::new(Robots::unreachable("URL has no host", None));
        };
        let host = self.host(&key);
        host.robots
            .get_or_init(|| async {
                let mut robots_url = url.clone();
                robots_url.set_path("/robots.txt");
                robots_url.set_query(None);
                robots_url.set_fragment(None);
                let policy = match self
                    .fetch_unchecked(&robots_url, None, &Validators::default(), 512 << 10, &host)
                    .await
                {
                    Ok(f) => Robots::from_response(f.status, &f.body),
                    Err(e) => match e.kind {
                        ErrorKind::Http(s) => Robots::from_response(s, b""),
                        _ => Robots::unreachable(&e.to_string(), Some(e.kind)),
                    },
                };
                tracing::debug!(host = %key, ?policy, "robots.txt");
                Arc::new(policy)
            })
            .await
            .clone()
    }

    /// GET `url` (conditionally, when `validators` has any), obeying robots.txt, with
    /// retries. `max_body` caps the body. 2xx, 304, 404 and 410 are `Ok`; anything else
    /// after the retries is an error.
    pub async fn fetch(
        &self,
        url: &Url,
        validators: &Validators,
        max_body: usize,
    ) -> std::result::Result<Fetched, FetchError> {
        self.fetch_form(url, None, validators, max_body).await
    }

    /// [`Fetcher::fetch`], or with `form` a POST of that urlencoded body (a page a CMS's
    /// script fetches so: Hanweb's `dataproxy.jsp` paging), never conditional.
    pub async fn fetch_form(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        max_body: usize,
    ) -> std::result::Result<Fetched, FetchError> {
        let Some(key) = host_key(url) else {
            return Err(FetchError {
                kind: ErrorKind::Other,
                message: format!("{url} has no host"),
                attempts: Vec::new(),
            });
        };
        if self.cfg.robots {
            let robots = self.robots(url).await;
            if !robots.allowed(url.as_str()) {
                let (kind, message) = robots.refusal();
                return Err(FetchError {
                    kind,
                    message,
                    attempts: Vec::new(),
                });
            }
        }
        let host = self.host(&key);
        let fetched = self
            .fetch_unchecked(url, form, validators, max_body, &host)
            .await?;
        // A redirect may lead where robots.txt (of that host) disallows: checked after the
        // fact (the client follows redirects itself), and the body is then dropped unseen.
        if self.cfg.robots && fetched.url != *url {
            let robots = self.robots(&fetched.url).await;
            if !robots.allowed(fetched.url.as_str()) {
                let (kind, message) = robots.refusal();
                return Err(FetchError {
                    kind,
                    message: format!("redirected to {}: {message}", fetched.url),
                    attempts: fetched.attempts,
                });
            }
        }
        Ok(fetched)
    }

    async fn fetch_unchecked(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        max_body: usize,
        host: &Host,
    ) -> std::result::Result<Fetched, FetchError> {
        let delay = match host.robots.get() {
            Some(r) => r.crawl_delay().unwrap_or_default().max(self.cfg.delay),
            None => self.cfg.delay,
        };
        let mut attempts = Vec::new();
        let mut attempt_no = 0;
        loop {
            let outcome = {
                let mut last = host.gate.lock().await;
                if let Some(at) = *last {
                    tokio::time::sleep_until((at + delay).into()).await;
                }
                let started = Instant::now();
                let at_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64);
                let outcome = self.try_once(url, form, validators, max_body).await;
                *last = Some(Instant::now());
                let (status, error, message, bytes) = match &outcome {
                    Try::Done(f) => (Some(f.status), None, None, f.body.len()),
                    Try::Fail { kind, message, .. } => {
                        let status = match kind {
                            ErrorKind::Http(s) => Some(*s),
                            _ => None,
                        };
                        (status, Some(*kind), Some(message.clone()), 0)
                    }
                };
                attempts.push(Attempt {
                    at_ms,
                    status,
                    error,
                    message,
                    elapsed: started.elapsed(),
                    bytes,
                });
                outcome
            };
            match outcome {
                Try::Done(mut f) => {
                    f.attempts = attempts;
                    return Ok(f);
                }
                Try::Fail {
                    kind,
                    message,
                    retry_after,
                } => {
                    if !kind.retryable() || attempt_no >= self.cfg.retries {
                        return Err(FetchError {
                            kind,
                            message,
                            attempts,
                        });
                    }
                    let backoff = self.cfg.backoff.saturating_mul(1 << attempt_no.min(16));
                    let wait = retry_after
                        .map(|r| r.min(self.cfg.max_retry_after))
                        .unwrap_or(backoff);
                    tracing::debug!(%url, kind = %kind.label(), ?wait, "retrying");
                    attempt_no += 1;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn try_once(
        &self,
        url: &Url,
        form: Option<&str>,
        validators: &Validators,
        max_body: usize,
    ) -> Try {
        let req = match form {
            Some(body) => self
                .client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.to_string()),
            None => {
                let mut req = self.client.get(url.clone());
                if let Some(etag) = &validators.etag {
                    req = req.header(header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &validators.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, lm);
                }
                req
            }
        };
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return fail(classify(&e), chain(&e), None),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let final_url = resp.url().clone();
        let ok = status.is_success()
            || status == StatusCode::NOT_MODIFIED
            || status == StatusCode::NOT_FOUND
            || status == StatusCode::GONE;
        if !ok {
            return fail(
                ErrorKind::Http(status.as_u16()),
                format!("HTTP {status}"),
                retry_after(&headers),
            );
        }
        let mut body = Vec::new();
        if status.is_success() {
            if resp.content_length().is_some_and(|n| n > max_body as u64) {
                return fail(
                    ErrorKind::TooLarge,
                    format!("Content-Length over the {max_body}-byte cap"),
                    None,
                );
            }
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        if body.len() + chunk.len() > max_body {
                            return fail(
                                ErrorKind::TooLarge,
                                format!("body over the {max_body}-byte cap"),
                                None,
                            );
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let kind = if e.is_timeout() {
                            ErrorKind::Timeout
                        } else {
                            ErrorKind::Body
                        };
                        return fail(kind, chain(&e), None);
                    }
                }
            }
        }
        let get = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        Try::Done(Fetched {
            url: final_url,
            status: status.as_u16(),
            content_type: get(header::CONTENT_TYPE),
            content_disposition: get(header::CONTENT_DISPOSITION),
            validators: Validators {
                etag: get(header::ETAG),
                last_modified: get(header::LAST_MODIFIED),
            },
            body,
            attempts: Vec::new(),
        })
    }
}

fn fail(kind: ErrorKind, message: String, retry_after: Option<Duration>) -> Try {
    Try::Fail {
        kind,
        message,
        retry_after,
    }
}

fn classify(e: &reqwest::Error) -> ErrorKind {
    if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_redirect() {
        ErrorKind::Redirects
    } else if e.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Other
    }
}

/// The error with its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_both_forms() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(100);
        let date = httpdate::fmt_http_date(later);
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&date).expect("header"),
        );
        let d = retry_after(&h).expect("date");
        assert!(
            d > Duration::from_secs(90) && d <= Duration::from_secs(100),
            "{d:?}"
        );
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn which_failures_are_retried() {
        assert!(ErrorKind::Timeout.retryable());
        assert!(ErrorKind::Http(503).retryable());
        assert!(ErrorKind::Http(429).retryable());
        assert!(!ErrorKind::Http(403).retryable());
        assert!(!ErrorKind::TooLarge.retryable());
        assert!(!ErrorKind::Redirects.retryable());
        assert_eq!(ErrorKind::Http(503).label(), "http_503");
    }
}
