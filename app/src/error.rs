use thiserror::Error;

/// Errors of the application layer: the stores' own, and the caller's mistakes.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Archive(#[from] xxgk_archive::Error),
    #[error(transparent)]
    Index(#[from] xxgk_index::Error),
    #[error(transparent)]
    Crawler(#[from] xxgk_crawler::Error),
    /// The caller's request is wrong (a filter that is not a year …); the message says
    /// how, in words a reader of the site understands.
    #[error("{0}")]
    BadRequest(String),
    /// Another process holds the index's one writer.
    #[error("another import, crawl or reindex is running{holder}; wait for it to finish")]
    WriterBusy {
        /// `": pid 123"` when the holder left its pid, else empty.
        holder: String,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A background task died.
    #[error("task failed: {0}")]
    Task(String),
}

impl Error {
    /// Whether this is the caller's mistake (a bad filter, query or configuration)
    /// rather than ours.
    pub fn is_user_error(&self) -> bool {
        match self {
            Error::Archive(e) => e.is_user_error(),
            Error::Index(e) => e.is_user_error(),
            Error::Crawler(e) => e.is_user_error(),
            Error::BadRequest(_) => true,
            Error::WriterBusy { .. } | Error::Io(_) | Error::Task(_) => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
