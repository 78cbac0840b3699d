//! What a fetch gives back: a response ([`Fetched`]) with the attempts it took, or why it
//! failed ([`FetchError`], [`ErrorKind`]). Shared by the fetcher and the robots.txt policy.

use std::time::Duration;

use url::Url;

/// Why a fetch failed, for the fetch log and the summary's "errors by kind".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    Timeout,
    Connect,
    TooLarge,
    Redirects,
    /// An HTTP error status that is not "gone" (404/410 are a result, not an error).
    Http(u16),
    Robots,
    /// Redirected off the school's hosts.
    Offsite,
    /// Reading the body failed midway.
    Body,
    /// An attachment whose text could not be extracted.
    Extract,
    Other,
}

impl ErrorKind {
    pub fn label(self) -> String {
        match self {
            ErrorKind::Timeout => "timeout".into(),
            ErrorKind::Connect => "connect".into(),
            ErrorKind::TooLarge => "too_large".into(),
            ErrorKind::Redirects => "redirects".into(),
            ErrorKind::Http(s) => format!("http_{s}"),
            ErrorKind::Robots => "robots".into(),
            ErrorKind::Offsite => "offsite".into(),
            ErrorKind::Body => "body".into(),
            ErrorKind::Extract => "extract".into(),
            ErrorKind::Other => "other".into(),
        }
    }

    pub(crate) fn retryable(self) -> bool {
        matches!(self, ErrorKind::Timeout)
            || matches!(self, ErrorKind::Http(s) if s == 429 || s >= 500)
    }
}

/// One HTTP attempt, for the fetch log.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Milliseconds since the Unix epoch when the attempt started.
    pub at_ms: i64,
    pub status: Option<u16>,
    pub error: Option<ErrorKind>,
    pub message: Option<String>,
    pub elapsed: Duration,
    pub bytes: usize,
}

/// ETag / Last-Modified from an earlier fetch, sent back as a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A response: 2xx with its body, 304 (body empty), or 404/410.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the body came from, after redirects.
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub content_disposition: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
    pub attempts: Vec<Attempt>,
}

impl Fetched {
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
    pub fn gone(&self) -> bool {
        self.status == 404 || self.status == 410
    }
}

/// A fetch that did not produce a usable response.
#[derive(Debug, Clone)]
pub struct FetchError {
    pub kind: ErrorKind,
    pub message: String,
    pub attempts: Vec<Attempt>,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.label(), self.message)
    }
}
