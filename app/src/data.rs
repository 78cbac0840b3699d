//! The data folder: one archive (`xxgk.sqlite`) and one index (`index/`), and the only
//! place that knows how they are laid out and opened.

use std::path::{Path, PathBuf};

use xxgk_archive::{Archive, Reader};
use xxgk_index::{Engine, Writer};

use crate::{Error, Result};

/// What [`DataDir::snapshot_to`] copied and reconciled.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub index: xxgk_index::CopiedIndex,
    /// The copy's index brought up to its archive.
    pub reconciled: crate::sync::Reconciled,
}

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

    /// The index, created when missing. An index of another schema version (written by
    /// an older xxgk) is moved aside to `index.schema-N` and rebuilt from the archive —
    /// the archive is the record, the index only a view of it — so an upgrade needs no
    /// manual step and loses nothing.
    pub fn open_engine(&self) -> Result<Engine> {
        let dir = self.index_dir();
        match Engine::open_or_create(&dir) {
            Err(xxgk_index::Error::OldSchema { found, .. }) => self.rebuild_index(found),
            other => Ok(other?),
        }
    }

    fn rebuild_index(&self, found: u32) -> Result<Engine> {
        let dir = self.index_dir();
        let mut aside = self.root.join(format!("index.schema-{found}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = self.root.join(format!("index.schema-{found}.{n}"));
        }
        tracing::warn!(
            old = %aside.display(),
            "the index was written by another version of xxgk (schema {found}); \
             it is kept aside and rebuilt from the archive"
        );
        std::fs::rename(&dir, &aside)?;
        let engine = Engine::open_or_create(&dir)?;
        if self.archive_path().exists() {
            let archive = self.open_archive()?;
            let mut writer = self.open_writer(&engine, 1)?;
            let written = crate::sync::reindex(&archive, &engine, &mut writer)?;
            tracing::info!(reports = written, "index rebuilt from the archive");
        }
        Ok(engine)
    }

    /// For a command that only reads: the folder must already hold an archive. Read
    /// commands never create one (a mistyped `--data` would answer with confident
    /// emptiness); only writing commands do.
    pub fn require_archive(&self) -> Result<()> {
        if self.archive_path().is_file() {
            Ok(())
        } else {
            Err(Error::NoArchive {
                root: self.root.clone(),
            })
        }
    }

    /// For the server: the folder must exist (a mistyped `--data` is refused), though it
    /// may hold no archive yet — an admin may start serving before the first crawl, and
    /// the site says it is empty until one commits.
    pub fn require_folder(&self) -> Result<()> {
        if self.root.is_dir() {
            Ok(())
        } else {
            Err(Error::NoArchive {
                root: self.root.clone(),
            })
        }
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

    /// A consistent copy of this data folder in `dest` (a new or empty folder), taken
    /// while a crawl or import may be writing: the index as of one commit, then the
    /// archive as of one transaction (SQLite's `VACUUM INTO`, at or after that commit),
    /// then the copy's index brought up to its archive (the reports stored in between
    /// written, any the archive no longer holds removed). The copy holds what the archive
    /// held at one moment, searchable, with nothing waiting: a replica to serve
    /// read-only (DEPLOY.md).
    pub fn snapshot_to(&self, dest: &DataDir) -> Result<Snapshot> {
        self.require_archive()?;
        if dest.root.exists() {
            let empty = std::fs::read_dir(&dest.root)?.next().is_none();
            if !empty {
                return Err(Error::BadRequest(format!(
                    "{} is not empty: a snapshot is written to a new or empty folder",
                    dest.root.display()
                )));
            }
        }
        std::fs::create_dir_all(&dest.root)?;
        let index = xxgk_index::copy_committed(&self.index_dir(), &dest.index_dir())?;
        self.open_archive()?.copy_to(&dest.archive_path())?;
        let archive = dest.open_archive()?;
        let engine = dest.open_engine()?;
        let mut writer = dest.open_writer(&engine, 1)?;
        let reconciled = crate::sync::sync_index(&archive, &engine, &mut writer)?;
        writer.finish()?;
        // The copy's writer is gone: no pid for the next one to read.
        let _ = std::fs::remove_file(dest.writer_pid_file());
        Ok(Snapshot { index, reconciled })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: an index written before reports carried their institution is not an
    /// error for the user: it is kept aside and rebuilt from the archive, and the
    /// rebuilt index knows each report's institution.
    #[test]
    fn an_index_of_the_previous_schema_is_rebuilt_from_the_archive() {
        let tmp = tempfile::tempdir().expect("tmp");
        let data = DataDir::new(tmp.path());
        let report = xxgk_testkit::report("北京大学", "2020-2021")
            .text("收费标准按规定公示。")
            .build();
        data.open_archive()
            .expect("archive")
            .put_report(&report)
            .expect("put");
        Engine::create_previous_version(&data.index_dir()).expect("old index");

        let engine = data.open_engine().expect("rebuilt, not refused");
        let back = engine.report(&report.id).expect("read").expect("indexed");
        assert_eq!(back.institution.as_deref(), Some("4111010001"));
        assert!(
            tmp.path().join("index.schema-1").is_dir(),
            "old index kept aside"
        );
        // Opened again, the rebuilt index is simply opened.
        drop(engine);
        let again = data.open_engine().expect("reopened");
        assert!(again.report(&report.id).expect("read").is_some());
        assert!(!tmp.path().join("index.schema-1.2").exists());
    }
}
