//! What a run measures and how: the corpus size, thread counts, rounds, which peers, and
//! the `xxgk serve` probe.

use std::path::PathBuf;

use crate::corpus::CorpusSpec;

/// How `xxgk serve` is started for the start-up measurement.
#[derive(Debug, Clone)]
pub struct ServeProbe {
    /// The `xxgk` binary.
    pub exe: PathBuf,
    /// Arguments; `{data}` becomes the data folder, `{addr}` the listen address.
    pub args: Vec<String>,
    /// Path of the first request (`/api/search?q=…`).
    pub path: String,
    /// Arguments that turn the server's search cache off (for the uncached figures).
    pub uncached: Vec<String>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Name of the size, for the table.
    pub size: String,
    pub spec: CorpusSpec,
    /// Where indexes are written (a fresh temporary folder when `None`).
    pub work_dir: Option<PathBuf>,
    /// Indexing thread counts to measure; the last one's index is searched.
    pub threads: Vec<usize>,
    /// Timed rounds over the query set for xxgk (after one warm-up round).
    pub rounds: usize,
    /// Timed rounds for the peer (its one- and two-character queries scan everything).
    pub peer_rounds: usize,
    /// Measure the SQLite FTS5 peer.
    pub peer: bool,
    /// Measure the out-of-the-box peer (stock Tantivy + tantivy-jieba).
    pub stock: bool,
    /// Bytes of text on which raw jieba and the analyzer are timed.
    pub sample_bytes: usize,
    /// Start `xxgk serve` and time it to its first answer.
    pub serve: Option<ServeProbe>,
    /// Then put it under HTTP load (needs `serve`).
    pub http: Option<HttpLoad>,
}

/// The HTTP load of `--http`.
#[derive(Debug, Clone, Copy)]
pub struct HttpLoad {
    pub connections: usize,
    /// Per endpoint.
    pub seconds: f64,
}

impl Options {
    pub fn new(size: &str, spec: CorpusSpec) -> Options {
        Options {
            size: size.to_string(),
            spec,
            work_dir: None,
            threads: vec![1, 2],
            rounds: 20,
            peer_rounds: 3,
            peer: true,
            stock: true,
            sample_bytes: 64_000_000,
            serve: None,
            http: None,
        }
    }
}
