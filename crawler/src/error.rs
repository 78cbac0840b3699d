use thiserror::Error;

/// Errors of the crawler crate.
#[derive(Debug, Error)]
pub enum Error {
    /// The input is not something we can read as a report; the message says why.
    #[error("not a report: {0}")]
    NotAReport(String),
    #[error("store error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("stored report is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
