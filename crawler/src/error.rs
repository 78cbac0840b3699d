use thiserror::Error;

/// Errors of the crawler crate.
#[derive(Debug, Error)]
pub enum Error {
    /// The input is not something we can read as a report; the message says why.
    #[error("not a report: {0}")]
    NotAReport(String),
    #[error("archive: {0}")]
    Archive(#[from] xxgk_archive::Error),
    #[error("stored report is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The caller's configuration is wrong (a sources file, a school name, an option).
    #[error("{0}")]
    Config(String),
    /// The HTTP client could not be set up.
    #[error("HTTP client: {0}")]
    Client(String),
    /// A background task died.
    #[error("crawl task failed: {0}")]
    Task(String),
}

impl Error {
    /// Whether this is the caller's mistake (bad input or configuration) rather than ours.
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::Config(_) | Error::NotAReport(_))
            || matches!(self, Error::Archive(e) if e.is_user_error())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
