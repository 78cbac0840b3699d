//! The data folder: one archive (`xxgk.sqlite`) and one index (`index/`), and the only
//! place that knows how they are laid out and opened.

use std::path::{Path, PathBuf};

use xxgk_archive::{Archive, Reader};
use xxgk_index::{Engine, Writer};

use crate::{Error, Result};

/// A data folder (`--data`, `XXGK_DATA`).
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The Tantivy index inside the data folder.
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// The SQLite archive inside the data folder.
    pub fn archive_path(&self) -> PathBuf {
        self.root.join("xxgk.sqlite")
    }

    /// The file the index writer's holder leaves its pid in.
    fn writer_pid_file(&self) -> PathBuf {
        self.root.join("writer.pid")
    }

    pub fn open_engine(&self) -> Result<Engine> {
        Ok(Engine::open_or_create(&self.index_dir())?)
    }

    /// The archive, for a command that writes (created when missing).
    pub fn open_archive(&self) -> Result<Archive> {
        Ok(Archive::open(&self.archive_path())?)
    }

    /// The archive for the web site (reads only).
    pub fn open_reader(&self) -> Result<Reader> {
        Ok(Reader::open(&self.archive_path())?)
    }

    /// The index's one writer, for a command that writes (import, crawl, recrawl,
    /// reindex). When another process holds it, the error names the holder's pid (from
    /// the pid file it left); the new holder writes its own pid for the next one to read.
    pub fn open_writer(&self, engine: &Engine, threads: usize) -> Result<Writer> {
        match engine.writer(threads) {
            Ok(writer) => {
                // Best effort: the pid only makes the "busy" message more useful.
                let _ = std::fs::write(self.writer_pid_file(), std::process::id().to_string());
                Ok(writer)
            }
            Err(xxgk_index::Error::WriterBusy) => {
                let holder = std::fs::read_to_string(self.writer_pid_file())
                    .map(|p| format!(": pid {}", p.trim()))
                    .unwrap_or_default();
                Err(Error::WriterBusy { holder })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The writer when no other process holds it; `None` when one does.
    pub fn try_writer(&self, engine: &Engine, threads: usize) -> Result<Option<Writer>> {
        match self.open_writer(engine, threads) {
            Ok(w) => Ok(Some(w)),
            Err(Error::WriterBusy { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
