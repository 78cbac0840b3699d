use thiserror::Error;

/// Errors of the index crate. [`Error::BadQuery`] and [`Error::BadRequest`] are the
/// caller's mistakes (a front end answers 400); the rest are ours.
#[derive(Debug, Error)]
pub enum Error {
    /// The query text cannot be searched; the message says why, for the user.
    #[error("{0}")]
    BadQuery(String),
    /// A parameter other than the query is out of range.
    #[error("{0}")]
    BadRequest(String),
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open the index in {path}: {source}")]
    Open {
        path: std::path::PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored report is corrupt: {0}")]
    Corrupt(String),
    /// The index was built by another version of xxgk, with another schema: it must be
    /// rebuilt from the archive (the application does it when it opens the data folder).
    #[error(
        "the index in {path} has schema version {found}, this xxgk needs version {}; \
         any xxgk command that opens the data folder \
         writably (such as `xxgk reindex`) rebuilds it from the archive",
        crate::SCHEMA_VERSION
    )]
    OldSchema {
        path: std::path::PathBuf,
        /// The version found (1 for an index from before versions were recorded, 0 when
        /// the version file is unreadable).
        found: u32,
    },
    /// Another process (an import, crawl or reindex) holds the index's one writer.
    #[error("the index is being written by another process")]
    WriterBusy,
}

impl Error {
    /// Whether the caller (not the index) is at fault.
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::BadQuery(_) | Error::BadRequest(_))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
