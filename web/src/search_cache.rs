//! Search results kept per index generation: a news story that links a query brings a burst
//! of the same broad search, and every one after the first is answered from here.
//!
//! Keyed by everything the request says (query, filters, page, sort, grouping, snippet
//! length) and stamped with [`xxgk_index::Engine::generation`]: a result computed on other
//! segments is never served. Bounded by [`ENTRIES`] results and about [`MAX_BYTES`]
//! (estimated: a page of ten hits is a few kilobytes, a page of 100 with every school in
//! its facet a few hundred), least recently used dropped first.
//! `xxgk serve --search-cache 0` turns it off (the benchmark's uncached figures).

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use xxgk_index::{Engine, Group, SearchRequest, SearchResults, SectionId, Sort};

/// Results kept by default.
pub const ENTRIES: usize = 1024;
/// Estimated bytes kept at most, whatever the number of entries.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A rough size in bytes of results held in memory.
fn weigh(r: &SearchResults) -> usize {
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

/// The entries and their estimated bytes.
#[derive(Debug)]
struct Entries {
    lru: LruCache<Key, (u64, SearchResults)>,
    bytes: usize,
}

/// What a request asks, as a hashable key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    query: String,
    schools: Vec<String>,
    years: Vec<String>,
    sections: Vec<SectionId>,
    limit: usize,
    offset: usize,
    sort: Sort,
    snippet_chars: usize,
    group: Group,
}

impl From<&SearchRequest> for Key {
    fn from(r: &SearchRequest) -> Key {
        Key {
            query: r.query.clone(),
            schools: r.schools.clone(),
            years: r.years.clone(),
            sections: r.sections.clone(),
            limit: r.limit,
            offset: r.offset,
            sort: r.sort,
            snippet_chars: r.snippet_chars,
            group: r.group,
        }
    }
}

#[derive(Debug)]
pub(crate) struct SearchCache {
    /// `None`: caching off.
    entries: Option<Mutex<Entries>>,
}

impl SearchCache {
    /// A cache of `entries` results (0: none).
    pub(crate) fn new(entries: usize) -> SearchCache {
        SearchCache {
            entries: NonZeroUsize::new(entries).map(|n| {
                Mutex::new(Entries {
                    lru: LruCache::new(n),
                    bytes: 0,
                })
            }),
        }
    }

    /// The results of `req` on `engine`'s current generation, from the cache when it has
    /// them.
    pub(crate) fn search(
        &self,
        engine: &Engine,
        req: &SearchRequest,
    ) -> xxgk_index::Result<SearchResults> {
        let Some(entries) = &self.entries else {
            return engine.search(req);
        };
        let generation = engine.generation();
        if let Some(hit) = self.lookup_at(generation, req) {
            return Ok(hit);
        }
        let results = engine.search(req)?;
        let bytes = weigh(&results);
        if bytes <= MAX_BYTES {
            let mut entries = entries.lock().unwrap_or_else(|p| p.into_inner());
            let key = Key::from(req);
            if let Some((_, old)) = entries.lru.pop(&key) {
                entries.bytes -= weigh(&old);
            }
            if let Some((_, (_, evicted))) = entries.lru.push(key, (generation, results.clone())) {
                entries.bytes -= weigh(&evicted);
            }
            entries.bytes += bytes;
            while entries.bytes > MAX_BYTES {
                match entries.lru.pop_lru() {
                    Some((_, (_, dropped))) => entries.bytes -= weigh(&dropped),
                    None => break,
                }
            }
        }
        Ok(results)
    }

    /// The cached results of `req` on `engine`'s current generation, if any (cheap: no
    /// search, so it can run on an async thread).
    pub(crate) fn lookup(&self, engine: &Engine, req: &SearchRequest) -> Option<SearchResults> {
        self.entries.as_ref()?;
        self.lookup_at(engine.generation(), req)
    }

    fn lookup_at(&self, generation: u64, req: &SearchRequest) -> Option<SearchResults> {
        let mut entries = self
            .entries
            .as_ref()?
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match entries.lru.get(&Key::from(req)) {
            Some((stamp, results)) if *stamp == generation => Some(results.clone()),
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries
            .as_ref()
            .map_or(0, |e| e.lock().unwrap_or_else(|p| p.into_inner()).lru.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxgk_index::{Report, Script, Section};

    fn report(school: &str, text: &str) -> Report {
        let url = format!("https://xxgk.example.edu.cn/{school}.htm");
        Report {
            id: Report::id_for_url(&url),
            school: school.into(),
            year: Some("2020-2021".into()),
            title: format!("{school}信息公开年度报告"),
            published: None,
            url,
            script: Script::Simplified,
            content_hash: school.into(),
            province: None,
            kind: None,
            institution: None,
            sections: vec![Section {
                id: SectionId::Proactive,
                heading: "主动公开情况".into(),
                text: text.into(),
            }],
        }
    }

    fn index(engine: &Engine, reports: &[Report]) {
        let mut w = engine.writer(1).expect("writer");
        for r in reports {
            w.upsert(r).expect("upsert");
        }
        w.commit().expect("commit");
        w.finish().expect("merges");
        engine.reload().expect("reload");
    }

    /// The same request is answered from the cache until the index changes; then the new
    /// generation's answer is computed and kept.
    #[test]
    fn results_are_kept_per_generation() {
        let engine = Engine::create_in_ram().expect("engine");
        index(&engine, &[report("甲大学", "学校公布了收费标准。")]);
        let cache = SearchCache::new(8);
        let req = SearchRequest::new("收费标准");
        assert!(cache.lookup(&engine, &req).is_none());
        assert_eq!(cache.search(&engine, &req).expect("search").total, 1);
        assert_eq!(cache.lookup(&engine, &req).map(|r| r.total), Some(1));
        let mut other = req.clone();
        other.offset = 10;
        assert!(
            cache.lookup(&engine, &other).is_none(),
            "the page is part of the key"
        );

        index(&engine, &[report("乙大学", "乙校收费标准在网站公开。")]);
        assert!(cache.lookup(&engine, &req).is_none(), "a new generation");
        assert_eq!(cache.search(&engine, &req).expect("search").total, 2);
        assert_eq!(cache.lookup(&engine, &req).map(|r| r.total), Some(2));
        assert_eq!(cache.len(), 1);
    }

    /// The byte estimate is kept in step with what is held, and bounds it.
    #[test]
    fn the_cache_counts_its_bytes() {
        let engine = Engine::create_in_ram().expect("engine");
        index(&engine, &[report("甲大学", "学校公布了收费标准。")]);
        let cache = SearchCache::new(2);
        let bytes = |c: &SearchCache| {
            c.entries
                .as_ref()
                .map_or(0, |e| e.lock().unwrap_or_else(|p| p.into_inner()).bytes)
        };
        let mut expected = Vec::new();
        for q in ["收费标准", "学校", "公布"] {
            let r = cache
                .search(&engine, &SearchRequest::new(q))
                .expect("search");
            expected.push(weigh(&r));
        }
        // Two kept: the last two.
        assert_eq!(cache.len(), 2);
        assert_eq!(bytes(&cache), expected[1] + expected[2]);
        // A request already kept is answered from its entry, not added again.
        cache
            .search(&engine, &SearchRequest::new("公布"))
            .expect("search");
        assert_eq!(bytes(&cache), expected[1] + expected[2]);
        assert!(expected.iter().all(|&b| b > 128 && b < MAX_BYTES));
    }

    #[test]
    fn a_cache_of_nothing_keeps_nothing() {
        let engine = Engine::create_in_ram().expect("engine");
        index(&engine, &[report("甲大学", "学校公布了收费标准。")]);
        let cache = SearchCache::new(0);
        let req = SearchRequest::new("收费标准");
        assert_eq!(cache.search(&engine, &req).expect("search").total, 1);
        assert!(cache.lookup(&engine, &req).is_none());
        assert_eq!(cache.len(), 0);
    }
}
