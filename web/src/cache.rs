//! One small cache for the heavy answers — the "which schools" answer, the coverage
//! matrix, the checklist matrix — so that paging through one, then downloading it,
//! computes it once.
//!
//! An entry is keyed by the request and stamped with what the answer was read from: the
//! index's searcher generation ([`xxgk_index::Engine::generation`], which changes when the
//! reader picks up a commit) and the archive's `data_version` (which changes when an
//! import or a crawl commits). An entry whose stamp is not the current one is never
//! served, and storing an answer under a new stamp drops the others. [`MAX_AGE`] bounds
//! what no stamp sees (the date, an archive that cannot tell).
//!
//! Bounded: at most [`MAX_ENTRIES`] answers and about [`MAX_BYTES`] (estimated, see
//! [`Weigh`]) per cache, the least recently used dropped first; an answer larger than the
//! whole budget is served but not kept.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xxgk_app::schools::SchoolsAnswer;
use xxgk_archive::Coverage;
use xxgk_index::checklist::Matrix;

use crate::{AppError, AppState};

/// Answers kept per cache.
pub const MAX_ENTRIES: usize = 16;
/// Estimated bytes kept per cache (three caches: about 96 MiB at most).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Longest an answer is reused, whatever its stamp says.
pub const MAX_AGE: Duration = Duration::from_secs(600);

/// What an answer was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// The index's searcher generation, when the answer reads the index.
    pub index: Option<u64>,
    /// The archive's data version, when the answer reads the archive.
    pub archive: Option<u64>,
}

impl AppState {
    /// The stamp of an answer reading the index (`index`) and/or the archive (`archive`).
    pub(crate) async fn stamp(&self, index: bool, archive: bool) -> Result<Stamp, AppError> {
        let index = index.then(|| self.engine.generation());
        let archive = if archive {
            self.archive(|a| a.data_version()).await?
        } else {
            None
        };
        Ok(Stamp { index, archive })
    }
}

/// A rough size in bytes of an answer held in memory (strings and a fixed cost a row).
pub(crate) trait Weigh {
    fn weigh(&self) -> usize;
}

impl Weigh for SchoolsAnswer {
    fn weigh(&self) -> usize {
        let m = &self.matches;
        let matched: usize = m
            .matched
            .iter()
            .map(|r| {
                let b = &r.best;
                256 + r.school.len()
                    + 32 * r.years.len()
                    + b.report_id.len()
                    + b.title.len()
                    + b.url.len()
                    + b.heading_html.len()
                    + b.snippet_html.len()
            })
            .sum();
        let unmatched: usize = m
            .unmatched
            .iter()
            .map(|r| 64 + r.school.len() + 32 * r.years_in_scope.len())
            .sum();
        let no_report: usize = self
            .no_report
            .iter()
            .map(|r| 128 + r.school.len() + r.detail.len())
            .sum();
        matched + unmatched + no_report
    }
}

impl Weigh for Coverage {
    fn weigh(&self) -> usize {
        self.schools
            .iter()
            .map(|s| {
                128 + s.name.len()
                    + s.years
                        .values()
                        .map(|c| {
                            96 + c.detail.len()
                                + c.reports
                                    .iter()
                                    .map(|r| 128 + r.report_id.len() + r.url.len() + r.title.len())
                                    .sum::<usize>()
                        })
                        .sum::<usize>()
            })
            .sum()
    }
}

impl Weigh for Matrix {
    fn weigh(&self) -> usize {
        self.rows
            .iter()
            .map(|r| {
                128 + r.school.len()
                    + r.reports
                        .iter()
                        .map(|x| 64 + x.id.len() + x.title.len() + x.url.len())
                        .sum::<usize>()
                    + r.cells
                        .iter()
                        .map(|c| {
                            c.as_ref().map_or(8, |e| {
                                96 + e.report_id.len() + e.heading.len() + e.snippet_html.len()
                            })
                        })
                        .sum::<usize>()
            })
            .sum()
    }
}

struct Entry<K, V> {
    key: K,
    stamp: Stamp,
    at: Instant,
    bytes: usize,
    value: Arc<V>,
}

/// A bounded cache of answers of one kind (see the module).
pub(crate) struct AnswerCache<K, V> {
    /// Most recently used last.
    entries: Mutex<Vec<Entry<K, V>>>,
    computed: AtomicU64,
}

impl<K, V> Default for AnswerCache<K, V> {
    fn default() -> Self {
        AnswerCache {
            entries: Mutex::new(Vec::new()),
            computed: AtomicU64::new(0),
        }
    }
}

impl<K, V> std::fmt::Debug for AnswerCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerCache")
            .field("computed", &self.computed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<K: PartialEq, V: Weigh> AnswerCache<K, V> {
    /// How many answers were computed (cache misses) since the start (for tests).
    #[cfg(test)]
    pub(crate) fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    /// The answer for `key` under `stamp`: the kept one, or `compute`d and kept.
    pub(crate) async fn get_or_compute<F, Fut>(
        &self,
        key: K,
        stamp: Stamp,
        compute: F,
    ) -> Result<Arc<V>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, AppError>>,
    {
        if let Some(hit) = self.get(&key, stamp) {
            return Ok(hit);
        }
        let value = Arc::new(compute().await?);
        self.computed.fetch_add(1, Ordering::Relaxed);
        self.put(key, stamp, Arc::clone(&value));
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry<K, V>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &K, stamp: Stamp) -> Option<Arc<V>> {
        let mut entries = self.lock();
        let i = entries
            .iter()
            .position(|e| e.key == *key && e.stamp == stamp && e.at.elapsed() < MAX_AGE)?;
        let entry = entries.remove(i);
        let value = Arc::clone(&entry.value);
        entries.push(entry);
        Some(value)
    }

    fn put(&self, key: K, stamp: Stamp, value: Arc<V>) {
        let bytes = value.weigh();
        let mut entries = self.lock();
        // Another stamp is an older (or, racing, a newer) state of the data: either way
        // those entries are dropped, the older ones can never be served again.
        entries.retain(|e| e.stamp == stamp && e.key != key && e.at.elapsed() < MAX_AGE);
        if bytes > MAX_BYTES {
            return;
        }
        entries.push(Entry {
            key,
            stamp,
            at: Instant::now(),
            bytes,
            value,
        });
        let mut total: usize = entries.iter().map(|e| e.bytes).sum();
        while entries.len() > MAX_ENTRIES || total > MAX_BYTES {
            let dropped = entries.remove(0);
            total -= dropped.bytes;
        }
    }

    /// Entries kept now (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The caches of the heavy answers, shared by the whole server.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    pub schools: AnswerCache<xxgk_index::SchoolsRequest, SchoolsAnswer>,
    pub coverage: AnswerCache<crate::coverage::CacheKey, Coverage>,
    pub checklist: AnswerCache<xxgk_index::checklist::MatrixRequest, Matrix>,
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Blob(usize);
    impl Weigh for Blob {
        fn weigh(&self) -> usize {
            self.0
        }
    }

    const AT_1: Stamp = Stamp {
        index: Some(1),
        archive: None,
    };
    const AT_2: Stamp = Stamp {
        index: Some(2),
        archive: None,
    };

    async fn fetch(cache: &AnswerCache<u32, Blob>, key: u32, stamp: Stamp, size: usize) -> usize {
        let got = cache
            .get_or_compute(key, stamp, || async move { Ok(Blob(size)) })
            .await
            .expect("computes");
        got.0
    }

    #[tokio::test]
    async fn an_answer_is_computed_once_per_key_and_stamp() {
        let cache = AnswerCache::<u32, Blob>::default();
        fetch(&cache, 1, AT_1, 10).await;
        fetch(&cache, 1, AT_1, 10).await;
        assert_eq!(cache.computed(), 1);
        fetch(&cache, 2, AT_1, 10).await;
        assert_eq!(cache.computed(), 2);
        // A new generation: recomputed, and the old entries are gone.
        fetch(&cache, 1, AT_2, 10).await;
        assert_eq!(cache.computed(), 3);
        assert_eq!(cache.len(), 1);
        fetch(&cache, 1, AT_2, 10).await;
        assert_eq!(cache.computed(), 3);
    }

    #[tokio::test]
    async fn the_cache_is_bounded_in_entries_and_bytes() {
        let cache = AnswerCache::<u32, Blob>::default();
        for key in 0..(MAX_ENTRIES as u32 + 5) {
            fetch(&cache, key, AT_1, 10).await;
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        // The least recently used went first: key 0 is recomputed, the newest is not.
        let before = cache.computed();
        fetch(&cache, MAX_ENTRIES as u32 + 4, AT_1, 10).await;
        assert_eq!(cache.computed(), before);
        fetch(&cache, 0, AT_1, 10).await;
        assert_eq!(cache.computed(), before + 1);

        let cache = AnswerCache::<u32, Blob>::default();
        fetch(&cache, 1, AT_1, MAX_BYTES / 2).await;
        fetch(&cache, 2, AT_1, MAX_BYTES / 2).await;
        fetch(&cache, 3, AT_1, MAX_BYTES / 2).await;
        assert_eq!(cache.len(), 2, "three halves do not fit");
        fetch(&cache, 4, AT_1, MAX_BYTES + 1).await;
        assert_eq!(cache.len(), 2, "an answer over the budget is not kept");
        fetch(&cache, 4, AT_1, MAX_BYTES + 1).await;
        assert_eq!(cache.computed(), 5);
    }

    #[tokio::test]
    async fn errors_are_not_kept() {
        let cache = AnswerCache::<u32, Blob>::default();
        let err = cache
            .get_or_compute(1, AT_1, || async { Err(AppError::BadRequest("no".into())) })
            .await;
        assert!(err.is_err());
        assert_eq!(cache.len(), 0);
        assert_eq!(cache.computed(), 0);
    }
}
