//! The Tantivy index: schema, writer, search with snippets and facets.

mod bigrams;
mod facets;
mod group;
mod query;
mod read_only;
mod reports;
mod request;
mod schema;
mod search;
mod shared;
pub mod snapshot;
#[cfg(test)]
mod tests;
mod writer;

use std::path::Path;

use tantivy::schema::{Field, Value};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument};

use self::facets::{FacetNames, FacetRoot, SegmentFacets, NO_FACET, NO_SECTION};
pub use self::group::{Group, SectionHit, SECTIONS_SHOWN};
pub use self::request::{
    FacetCounts, Hit, IndexStats, SearchRequest, SearchResults, Sort, MAX_LIMIT, MAX_OFFSET,
};
pub use self::schema::SCHEMA_VERSION;
use self::schema::{schema, Fields, VERSION_FILE};
pub use self::writer::Writer;
use crate::analysis;
use crate::{Error, Result};

/// The index, with one reader that reloads on commit (also on a commit made by another
/// process, such as a crawl while `xxgk serve` runs).
pub struct Engine {
    index: Index,
    reader: IndexReader,
    f: Fields,
    facet_names: FacetNames,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the index in `dir`, creating it (and the folder) if needed. An index built
    /// with another [`SCHEMA_VERSION`] is refused with [`Error::OldSchema`] (the caller
    /// rebuilds it from the archive).
    pub fn open_or_create(dir: &Path) -> Result<Engine> {
        std::fs::create_dir_all(dir)?;
        let open = |source| Error::Open {
            path: dir.to_path_buf(),
            source,
        };
        let directory = shared::SharedDirectory::open(dir).map_err(open)?;
        let exists = Index::exists(&directory).map_err(|e| open(e.into()))?;
        let index = if exists {
            let index = Index::open(directory).map_err(open)?;
            check_version(dir, &index)?;
            index
        } else {
            // The version first: an index without the file reads as version 1.
            std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION.to_string())?;
            Index::create(directory, schema().0, IndexSettings::default()).map_err(open)?
        };
        Engine::from_index(index)
    }

    /// Opens an existing index without writing anything in `dir` — no lock files, no
    /// writer (one is refused) — for serving a copy on read-only media. Its reader does
    /// not watch for commits: nobody commits to a read-only copy.
    pub fn open_read_only(dir: &Path) -> Result<Engine> {
        let open = |source| Error::Open {
            path: dir.to_path_buf(),
            source,
        };
        let directory = read_only::ReadOnlyDirectory::open(dir).map_err(open)?;
        let index = Index::open(directory).map_err(open)?;
        check_version(dir, &index)?;
        Engine::with_reload(index, ReloadPolicy::Manual)
    }

    /// Creates an empty index of the previous schema version in `dir` (without the
    /// report's institution), for tests of the upgrade path. Not an API.
    #[doc(hidden)]
    pub fn create_previous_version(dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let current = schema().0;
        let mut b = tantivy::schema::Schema::builder();
        for (_, entry) in current.fields() {
            if entry.name() != "institution" {
                b.add_field(entry.clone());
            }
        }
        let index = Index::create_in_dir(dir, b.build())?;
        analysis::register(&index);
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.commit()?;
        Ok(())
    }

    /// A throw-away index in memory (tests, benchmarks).
    pub fn create_in_ram() -> Result<Engine> {
        Engine::from_index(Index::create_in_ram(schema().0))
    }

    fn from_index(index: Index) -> Result<Engine> {
        Engine::with_reload(index, ReloadPolicy::OnCommitWithDelay)
    }

    fn with_reload(mut index: Index, policy: ReloadPolicy) -> Result<Engine> {
        analysis::register(&index);
        let threads = search_threads();
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let (_, f) = schema();
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        Ok(Engine {
            index,
            reader,
            f,
            facet_names: FacetNames::default(),
        })
    }

    /// Makes the latest commit visible now (the reader also does it by itself shortly
    /// after each commit).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// What the searcher that the next search will use holds: a hash of its segments and
    /// their deletes. It changes when the reader picks up a commit or a merge, not when it
    /// is merely reloaded onto the same segments, so an answer computed under one value is
    /// still right while the value stays the same.
    pub fn generation(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let searcher = self.reader.searcher();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (segment, deletes) in searcher.generation().segments() {
            segment.hash(&mut hasher);
            deletes.hash(&mut hasher);
        }
        hasher.finish()
    }
}

/// Most threads one search spreads its segments over (issue 21): a broad query's cost is
/// per matching section, and an index has several segments of similar size, so searching
/// them side by side divides one search's latency by about the number of cores. Under
/// load every core is busy anyway and this changes little either way.
const MAX_SEARCH_THREADS: usize = 4;

/// Threads for one search: `XXGK_SEARCH_THREADS` when set to a number from 1 (segments
/// one after another) to 64, else the machine's cores, at most [`MAX_SEARCH_THREADS`].
/// Another value is not taken for a number: it is logged and the default used.
fn search_threads() -> usize {
    let default = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_SEARCH_THREADS);
    let Ok(value) = std::env::var("XXGK_SEARCH_THREADS") else {
        return default;
    };
    match search_threads_value(&value) {
        Some(n) => n,
        None => {
            tracing::warn!(
                value = %value,
                default,
                "XXGK_SEARCH_THREADS is not a number from 1 to 64; searching with the default"
            );
            default
        }
    }
}

/// `XXGK_SEARCH_THREADS` as a thread count, when it is one (1 to 64).
fn search_threads_value(value: &str) -> Option<usize> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=64).contains(n))
}

/// Refuses an index in `dir` built with another schema version (by its version file, and
/// by its schema, which must be ours to the field).
fn check_version(dir: &Path, index: &Index) -> Result<()> {
    let found = match std::fs::read_to_string(dir.join(VERSION_FILE)) {
        // Unreadable contents: no version we know.
        Ok(text) => text.trim().parse().unwrap_or(0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 1,
        Err(e) => return Err(e.into()),
    };
    if found != SCHEMA_VERSION || index.schema() != schema().0 {
        return Err(Error::OldSchema {
            path: dir.to_path_buf(),
            found,
        });
    }
    Ok(())
}

fn get_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
