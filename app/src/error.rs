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
    /// A filter or parameter the question cannot take (the caller's mistake).
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist (a report id).
    #[error("{0}")]
    NotFound(String),
    /// A command that only reads was pointed at a folder with no archive in it.
    #[error(
        "{} 里没有 xxgk 的数据：先用 `xxgk crawl` 或 `xxgk import` 建立，\
         或用 --data（环境变量 XXGK_DATA）指向已有的数据文件夹",
        root.display()
    )]
    NoArchive { root: std::path::PathBuf },
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

/// What kind of failure an [`Error`] is, for an adapter to pick its answer (a status
/// code, an exit code) without matching messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The query text cannot be searched.
    BadQuery,
    /// Another parameter or filter is wrong.
    BadRequest,
    /// No such thing.
    NotFound,
    /// Our own fault (or the machine's).
    Internal,
}

impl Error {
    /// Whether this is the caller's mistake (a bad filter, query or configuration)
    /// rather than ours.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::BadQuery | ErrorKind::BadRequest | ErrorKind::NotFound
        )
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Index(xxgk_index::Error::BadQuery(_)) => ErrorKind::BadQuery,
            Error::Index(e) if e.is_user_error() => ErrorKind::BadRequest,
            Error::Archive(e) if e.is_user_error() => ErrorKind::BadRequest,
            Error::Crawler(e) if e.is_user_error() => ErrorKind::BadRequest,
            Error::BadRequest(_) => ErrorKind::BadRequest,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::NoArchive { .. } => ErrorKind::BadRequest,
            _ => ErrorKind::Internal,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
