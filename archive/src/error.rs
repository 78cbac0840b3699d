use thiserror::Error;

/// Errors of the archive crate.
#[derive(Debug, Error)]
pub enum Error {
    #[error("archive database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The caller's configuration is wrong (a sources file, a school name, a filter).
    #[error("{0}")]
    Config(String),
    /// The archive file was written by a newer xxgk (its schema is ahead of ours).
    #[error("the archive has schema version {found}, newer than this xxgk knows ({known}); upgrade xxgk")]
    TooNew { found: usize, known: usize },
    /// The shipped institution registry does not parse (a bug in the data file).
    #[error("institution registry: {0}")]
    Registry(String),
}

impl Error {
    /// Whether this is the caller's mistake (bad input or configuration) rather than ours.
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::Config(_))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
