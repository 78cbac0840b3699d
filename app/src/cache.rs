//! The one cache of answers: search results, the "which schools" answer, the coverage
//! matrix, the checklist matrix, the change flags of search results and the names filters
//! are checked against — so that a burst
//! of the same search, or paging through a heavy answer and then downloading it, computes
//! it once.
//!
//! An entry is keyed by the question and stamped with what its answer was read from: the
//! index's searcher generation ([`xxgk_index::Engine::generation`], which changes when the
//! reader picks up a commit) and the archive's `data_version` (which changes when an
//! import or a crawl commits). An entry whose stamp is not the current one is never
//! served, and a newer stamp drops the older entries. [`MAX_AGE`] bounds what no stamp
//! sees (the date, an archive that cannot tell).
//!
//! Bounded: at most `searches` search results plus [`HEAVY_ENTRIES`] other answers, and
//! about [`MAX_BYTES`] (estimated, see [`Value::weigh`]); the least recently used go
//! first, and an answer larger than the whole budget is served but not kept.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lru::LruCache;
use xxgk_archive::{ChangeKind, Coverage};
use xxgk_index::checklist::Matrix;
use xxgk_index::{Group, SearchResults, SectionId, Sort};

use crate::filters::Known;
use crate::schools::SchoolsAnswer;
use crate::scorecard::Scorecard;
use crate::Result;

/// Search results kept by default (`xxgk serve --search-cache`).
pub const SEARCH_ENTRIES: usize = 1024;
/// Heavy answers (which schools, coverage, checklist, change flags) kept at most, beside
/// the search results.
pub const HEAVY_ENTRIES: usize = 48;
/// Estimated bytes kept at most, whatever the number of entries.
pub const MAX_BYTES: usize = 128 * 1024 * 1024;
/// Longest an answer is reused, whatever its stamp says.
pub const MAX_AGE: Duration = Duration::from_secs(600);

/// Report id → how it changed after publication (the newest change of each).
pub type ChangeFlags = HashMap<String, ChangeKind>;

/// What an answer was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    /// The index's searcher generation, when the answer reads the index.
    pub index: Option<u64>,
    /// The archive's data version, when the answer reads the archive.
    pub archive: Option<u64>,
}

/// The kinds of answer kept, for the counts of [`Cache::computed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Search,
    Schools,
    Coverage,
    Checklist,
    ChangeFlags,
    /// The names and years filters are checked against.
    Known,
    Scorecard,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Search,
        Kind::Schools,
        Kind::Coverage,
        Kind::Checklist,
        Kind::ChangeFlags,
        Kind::Known,
        Kind::Scorecard,
    ];

    fn slot(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// A question, as a key: everything its answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Search {
        query: String,
        schools: Vec<String>,
        years: Vec<String>,
        sections: Vec<SectionId>,
        limit: usize,
        offset: usize,
        sort: Sort,
        snippet_chars: usize,
        group: Group,
    },
    Schools {
        query: String,
        schools: Vec<String>,
        years: Vec<String>,
        sections: Vec<SectionId>,
    },
    Coverage {
        province: Option<String>,
        level: Option<String>,
        years: Vec<String>,
        in_sources_only: bool,
    },
    Checklist {
        year: Option<String>,
        provinces: Vec<String>,
        kinds: Vec<String>,
        schools: Vec<String>,
        without_snippets: bool,
    },
    ChangeFlags,
    Known,
    Scorecard {
        years: Vec<String>,
        schools: Vec<String>,
        province: Option<String>,
    },
}

impl Key {
    fn kind(&self) -> Kind {
        match self {
            Key::Search { .. } => Kind::Search,
            Key::Schools { .. } => Kind::Schools,
            Key::Coverage { .. } => Kind::Coverage,
            Key::Checklist { .. } => Kind::Checklist,
            Key::ChangeFlags => Kind::ChangeFlags,
            Key::Known => Kind::Known,
            Key::Scorecard { .. } => Kind::Scorecard,
        }
    }
}

/// An answer kept.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Search(Arc<SearchResults>),
    Schools(Arc<SchoolsAnswer>),
    Coverage(Arc<Coverage>),
    Checklist(Arc<Matrix>),
    ChangeFlags(Arc<ChangeFlags>),
    Known(Arc<Known>),
    Scorecard(Arc<Scorecard>),
}

impl Value {
    /// A rough size in bytes of the answer held in memory (its strings and a fixed cost
    /// a row).
    fn weigh(&self) -> usize {
        match self {
            Value::Search(r) => weigh_search(r),
            Value::Schools(a) => weigh_schools(a),
            Value::Coverage(c) => weigh_coverage(c),
            Value::Checklist(m) => weigh_matrix(m),
            Value::ChangeFlags(f) => f.keys().map(|k| 64 + k.len()).sum(),
            Value::Known(k) => k.weigh(),
            Value::Scorecard(s) => s.weigh(),
        }
    }
}

fn weigh_search(r: &SearchResults) -> usize {
    let hits: usize = r
        .hits
        .iter()
        .map(|h| {
            256 + h.report_id.len()
                + h.school.len()
                + h.heading.len()
                + h.heading_html.len()
                + h.title.len()
                + h.url.len()
                + h.snippet_html.len()
                + h.sections.as_ref().map_or(0, |s| {
                    s.iter()
                        .map(|x| 64 + x.heading.len() + x.snippet_html.len())
                        .sum()
                })
        })
        .sum();
    let facets: usize = [&r.facets.school, &r.facets.year, &r.facets.section]
        .iter()
        .flat_map(|m| m.keys())
        .map(|k| 48 + k.len())
        .sum();
    128 + r.query.len() + hits + facets
}

fn weigh_schools(a: &SchoolsAnswer) -> usize {
    let m = &a.matches;
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
    let no_report: usize = a
        .no_report
        .iter()
        .map(|r| 128 + r.school.len() + r.detail.len())
        .sum();
    matched + unmatched + no_report
}

fn weigh_coverage(c: &Coverage) -> usize {
    c.schools
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

fn weigh_matrix(m: &Matrix) -> usize {
    m.rows
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

struct Entry {
    stamp: Stamp,
    at: Instant,
    bytes: usize,
    value: Value,
}

struct Inner {
    lru: LruCache<Key, Entry>,
    bytes: usize,
    /// The newest stamp seen, part by part: entries stamped otherwise are stale.
    latest: Stamp,
}

impl Inner {
    fn pop(&mut self, key: &Key) {
        if let Some(e) = self.lru.pop(key) {
            self.bytes -= e.bytes;
        }
    }

    /// Drops the entries read from an older index generation or archive version.
    fn purge_stale(&mut self) {
        let latest = self.latest;
        let stale = |part: Option<u64>, now: Option<u64>| part.is_some() && part != now;
        let keys: Vec<Key> = self
            .lru
            .iter()
            .filter(|(_, e)| {
                stale(e.stamp.index, latest.index) || stale(e.stamp.archive, latest.archive)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in &keys {
            self.pop(k);
        }
    }
}

/// The cache (see the module).
pub(crate) struct Cache {
    inner: Mutex<Inner>,
    /// Whether search results are kept (`--search-cache 0` turns that off; the heavy
    /// answers are kept regardless).
    searches: bool,
    computed: [AtomicU64; Kind::ALL.len()],
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("searches", &self.searches)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// A cache of `searches` search results (0: none) beside the heavy answers.
    pub(crate) fn new(searches: usize) -> Cache {
        let cap = NonZeroUsize::new(searches + HEAVY_ENTRIES).unwrap_or(NonZeroUsize::MIN);
        Cache {
            inner: Mutex::new(Inner {
                lru: LruCache::new(cap),
                bytes: 0,
                latest: Stamp::default(),
            }),
            searches: searches > 0,
            computed: Default::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers of `kind` computed (not served from here) since the start.
    pub(crate) fn computed(&self, kind: Kind) -> u64 {
        self.computed[kind.slot()].load(Ordering::Relaxed)
    }

    /// Entries kept now.
    pub(crate) fn len(&self) -> usize {
        self.lock().lru.len()
    }

    fn keeps(&self, key: &Key) -> bool {
        self.searches || key.kind() != Kind::Search
    }

    /// The kept answer to `key` read at `stamp`, if any (cheap).
    pub(crate) fn get(&self, key: &Key, stamp: Stamp) -> Option<Value> {
        if !self.keeps(key) {
            return None;
        }
        let mut inner = self.lock();
        match inner.lru.get(key) {
            Some(e) if e.stamp == stamp && e.at.elapsed() < MAX_AGE => Some(e.value.clone()),
            Some(_) => {
                inner.pop(key);
                None
            }
            None => None,
        }
    }

    /// The answer to `key` at `stamp`: the kept one, or `compute`d and kept.
    pub(crate) fn get_or_compute(
        &self,
        key: Key,
        stamp: Stamp,
        compute: impl FnOnce() -> Result<Value>,
    ) -> Result<Value> {
        if let Some(hit) = self.get(&key, stamp) {
            return Ok(hit);
        }
        let value = compute()?;
        self.computed[key.kind().slot()].fetch_add(1, Ordering::Relaxed);
        self.put(key, stamp, value.clone());
        Ok(value)
    }

    fn put(&self, key: Key, stamp: Stamp, value: Value) {
        if !self.keeps(&key) {
            return;
        }
        let bytes = value.weigh();
        let mut inner = self.lock();
        inner.pop(&key);
        let before = inner.latest;
        // A racing older stamp does not move `latest` back.
        if stamp.index.is_some() && stamp.index > inner.latest.index {
            inner.latest.index = stamp.index;
        }
        if stamp.archive.is_some() && stamp.archive != inner.latest.archive {
            // The archive's data version only says "changed", not "newer".
            inner.latest.archive = stamp.archive;
        }
        if inner.latest != before {
            inner.purge_stale();
        }
        if bytes > MAX_BYTES {
            return;
        }
        let entry = Entry {
            stamp,
            at: Instant::now(),
            bytes,
            value,
        };
        inner.bytes += bytes;
        if let Some((_, evicted)) = inner.lru.push(key, entry) {
            inner.bytes -= evicted.bytes;
        }
        while inner.bytes > MAX_BYTES {
            match inner.lru.pop_lru() {
                Some((_, dropped)) => inner.bytes -= dropped.bytes,
                None => break,
            }
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(n: usize) -> Value {
        Value::ChangeFlags(Arc::new(
            (0..n)
                .map(|i| (format!("r{i}"), ChangeKind::Edited))
                .collect(),
        ))
    }

    fn key(i: usize) -> Key {
        Key::Checklist {
            year: Some(format!("{}-{}", 2000 + i, 2001 + i)),
            provinces: Vec::new(),
            kinds: Vec::new(),
            schools: Vec::new(),
            without_snippets: true,
        }
    }

    const AT_1: Stamp = Stamp {
        index: Some(1),
        archive: Some(7),
    };
    const AT_2: Stamp = Stamp {
        index: Some(2),
        archive: Some(7),
    };

    fn fetch(cache: &Cache, k: Key, stamp: Stamp, rows: usize) {
        cache
            .get_or_compute(k, stamp, || Ok(flags(rows)))
            .expect("computes");
    }

    #[test]
    fn an_answer_is_computed_once_per_key_and_stamp() {
        let cache = Cache::new(8);
        fetch(&cache, key(1), AT_1, 10);
        fetch(&cache, key(1), AT_1, 10);
        assert_eq!(cache.computed(Kind::Checklist), 1);
        fetch(&cache, key(2), AT_1, 10);
        assert_eq!(cache.computed(Kind::Checklist), 2);
        // A new generation: recomputed, and the old entries are gone.
        fetch(&cache, key(1), AT_2, 10);
        assert_eq!(cache.computed(Kind::Checklist), 3);
        assert_eq!(cache.len(), 1);
        fetch(&cache, key(1), AT_2, 10);
        assert_eq!(cache.computed(Kind::Checklist), 3);
        // An answer reading only the archive survives an index commit.
        let archive_only = Stamp {
            index: None,
            archive: Some(7),
        };
        cache
            .get_or_compute(Key::ChangeFlags, archive_only, || Ok(flags(1)))
            .expect("computes");
        fetch(&cache, key(1), AT_2, 10);
        let at_3 = Stamp {
            index: Some(3),
            archive: Some(7),
        };
        fetch(&cache, key(1), at_3, 10);
        assert!(cache.get(&Key::ChangeFlags, archive_only).is_some());
        assert!(cache.get(&key(1), AT_2).is_none());
    }

    #[test]
    fn the_cache_is_bounded_in_entries_and_bytes() {
        let cache = Cache::new(0);
        for i in 0..(HEAVY_ENTRIES + 5) {
            fetch(&cache, key(i), AT_1, 1);
        }
        assert_eq!(cache.len(), HEAVY_ENTRIES);
        // The least recently used went first: key 0 is recomputed, the newest is not.
        let before = cache.computed(Kind::Checklist);
        fetch(&cache, key(HEAVY_ENTRIES + 4), AT_1, 1);
        assert_eq!(cache.computed(Kind::Checklist), before);
        fetch(&cache, key(0), AT_1, 1);
        assert_eq!(cache.computed(Kind::Checklist), before + 1);

        // 64 + 3 bytes an entry of "r1xx"…: the byte count follows what is held.
        let cache = Cache::new(0);
        fetch(&cache, key(1), AT_1, 100);
        let one = cache.bytes();
        assert!(one > 100 * 64, "{one}");
        fetch(&cache, key(2), AT_1, 100);
        assert_eq!(cache.bytes(), 2 * one);
        fetch(&cache, key(2), AT_1, 100);
        assert_eq!(
            cache.bytes(),
            2 * one,
            "an entry already kept is not added again"
        );
        let huge = MAX_BYTES / 60;
        fetch(&cache, key(3), AT_1, huge);
        assert!(cache.bytes() <= MAX_BYTES);
        assert!(
            cache.get(&key(3), AT_1).is_none(),
            "over the budget: not kept"
        );
    }

    #[test]
    fn searches_are_not_kept_when_turned_off_but_heavy_answers_are() {
        let cache = Cache::new(0);
        let search = Key::Search {
            query: "收费".into(),
            schools: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            snippet_chars: 120,
            group: Group::Report,
        };
        let results = || {
            Ok(Value::Search(Arc::new(SearchResults {
                query: "收费".into(),
                total: 0,
                hits: Vec::new(),
                facets: xxgk_index::FacetCounts::default(),
            })))
        };
        cache
            .get_or_compute(search.clone(), AT_1, results)
            .expect("search");
        cache.get_or_compute(search, AT_1, results).expect("search");
        assert_eq!(cache.computed(Kind::Search), 2);
        fetch(&cache, key(1), AT_1, 1);
        fetch(&cache, key(1), AT_1, 1);
        assert_eq!(cache.computed(Kind::Checklist), 1);
    }

    #[test]
    fn errors_are_not_kept() {
        let cache = Cache::new(8);
        let err = cache.get_or_compute(key(1), AT_1, || Err(crate::Error::BadRequest("no".into())));
        assert!(err.is_err());
        assert_eq!(cache.len(), 0);
        assert_eq!(cache.computed(Kind::Checklist), 0);
    }
}
