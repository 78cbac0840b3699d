use thiserror::Error;

/// Errors of the benchmark. [`Error::BadOption`] is the caller's mistake; the rest are
/// failures of the engines or the machine under test.
#[derive(Debug, Error)]
pub enum Error {
    /// An option is out of range (too many schools, no thread counts …).
    #[error("{0}")]
    BadOption(String),
    #[error(transparent)]
    Index(#[from] xxgk_index::Error),
    #[error("SQLite FTS5 peer: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("benchmark I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("HTTP load: {0}")]
    Http(String),
    #[error("corpus file: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
