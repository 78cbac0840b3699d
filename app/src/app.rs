//! [`App`]: the archive and the index held together, each question answered once (and
//! cached once, see [`crate::cache`]) for the site, the API and the command line.
//!
//! Every method blocks (searches are CPU work, the archive is SQLite): an async caller
//! runs them off its async threads (`spawn_blocking`), the CLI calls them directly.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;
use xxgk_archive::{
    Coverage, CoverageRequest, InstitutionFilter, NoReport, ReadArchive, ReportChange,
    ReportVersion, SourceHealth,
};
use xxgk_index::checklist::{Matrix, MatrixRequest};
use xxgk_index::{Engine, FacetCounts, IndexStats, SchoolsRequest, SearchRequest, SearchResults};
use xxgk_model::Report;

use crate::cache::{Cache, ChangeFlags, Key, Kind, Stamp, Value, SEARCH_ENTRIES};
use crate::compare::{self, Comparison};
use crate::data::DataDir;
use crate::filters::{self, Known};
use crate::schools::SchoolsAnswer;
use crate::{Error, Result};

/// Longest report id looked up (ids are 16 hex digits; anything much longer is not one).
pub const MAX_REPORT_ID: usize = 128;
/// Most changes read for the change flags of search results.
const MAX_FLAGS: usize = 100_000;

/// What the index holds, and what waits to enter it: `/api/stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub index: IndexStats,
    /// Reports stored in the archive and waiting in its outbox for the index (0 without
    /// an archive): a crawl or import still running, or one that was interrupted.
    pub pending_index: usize,
}

/// The application: one index (one reader for the process), the archive when there is
/// one, and the one cache. Cheap to clone (shared parts).
#[derive(Clone)]
pub struct App {
    engine: Arc<Engine>,
    pub(crate) archive: Option<Arc<dyn ReadArchive>>,
    index_dir: Option<Arc<PathBuf>>,
    pub(crate) cache: Arc<Cache>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("archive", &self.archive.is_some())
            .field("index_dir", &self.index_dir)
            .finish_non_exhaustive()
    }
}

impl From<Engine> for App {
    fn from(engine: Engine) -> App {
        App::new(engine)
    }
}

impl App {
    /// The application over `engine` alone (no archive: no versions, coverage or
    /// no-report rows).
    pub fn new(engine: Engine) -> App {
        App {
            engine: Arc::new(engine),
            archive: None,
            index_dir: None,
            cache: Arc::new(Cache::new(SEARCH_ENTRIES)),
        }
    }

    /// The data folder's index and archive, for a command that reads them.
    pub fn open(data: &DataDir) -> Result<App> {
        let engine = data.open_engine()?;
        let archive = data.open_reader()?;
        Ok(App::new(engine)
            .with_index_dir(data.index_dir())
            .with_archive(Arc::new(archive)))
    }

    /// The report archive (versions, changes, coverage, the no-report rows).
    pub fn with_archive(mut self, archive: Arc<dyn ReadArchive>) -> App {
        self.archive = Some(archive);
        self
    }

    /// The index folder, so that [`App::index_updated`] can tell when it last changed.
    pub fn with_index_dir(mut self, dir: impl Into<PathBuf>) -> App {
        self.index_dir = Some(Arc::new(dir.into()));
        self
    }

    /// How many search results to keep (0: none; default [`SEARCH_ENTRIES`]). The
    /// heavy answers are kept regardless.
    pub fn with_search_cache(mut self, entries: usize) -> App {
        self.cache = Arc::new(Cache::new(entries));
        self
    }

    /// Makes the index's latest commit visible now (the reader also picks it up by
    /// itself shortly after).
    pub fn reload(&self) -> Result<()> {
        Ok(self.engine.reload()?)
    }

    /// The index itself, for the commands that write it (through
    /// [`crate::data::DataDir::open_writer`]) and for tests.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn has_archive(&self) -> bool {
        self.archive.is_some()
    }

    /// Answers of `kind` computed rather than served from the cache since the start
    /// (for tests and benchmarks).
    pub fn computed(&self, kind: Kind) -> u64 {
        self.cache.computed(kind)
    }

    /// Answers kept in the cache now.
    pub fn cached_answers(&self) -> usize {
        self.cache.len()
    }

    fn archive_version(&self) -> Result<Option<u64>> {
        match &self.archive {
            Some(a) => Ok(Some(a.data_version()?)),
            None => Ok(None),
        }
    }

    pub(crate) fn stamp(&self, index: bool, archive: bool) -> Result<Stamp> {
        Ok(Stamp {
            index: index.then(|| self.engine.generation()),
            archive: if archive {
                self.archive_version()?
            } else {
                None
            },
        })
    }

    /// The names, provinces and years the filters are checked against (once per index
    /// generation).
    ///
    /// Stamped by the index generation alone: a search with a school filter then never
    /// waits for the archive's lock (held for seconds by a coverage matrix). The
    /// archive's institutions change with a crawl, whose reports move the generation
    /// too, and [`crate::cache::MAX_AGE`] bounds the rest.
    pub fn known(&self) -> Result<Arc<Known>> {
        let stamp = self.stamp(true, false)?;
        let value = self.cache.get_or_compute(Key::Known, stamp, || {
            let stats = self.engine.stats()?;
            let institutions = match &self.archive {
                Some(a) => a.institutions(&InstitutionFilter::default())?,
                None => Vec::new(),
            };
            Ok(Value::Known(Arc::new(Known::new(
                stats.schools.keys(),
                stats.years.keys(),
                &institutions,
            ))))
        })?;
        match value {
            Value::Known(k) => Ok(k),
            _ => Err(mixed()),
        }
    }

    // --- search ---

    /// A search's filters checked and resolved (the query is checked by the engine):
    /// years well formed, school names as the index writes them.
    pub fn check_search(&self, req: &SearchRequest) -> Result<SearchRequest> {
        let mut req = req.clone();
        req.years = filters::years(&req.years)?;
        if !req.schools.is_empty() || !req.years.is_empty() {
            let known = self.known()?;
            req.years = known.held_years(&req.years)?;
            req.schools = known.schools(&req.schools)?;
        }
        Ok(req)
    }

    /// The results of `req` when the cache has them for the current index (cheap: no
    /// search, so an async caller may run it on its own thread).
    pub fn cached_search(&self, req: &SearchRequest) -> Option<SearchResults> {
        let stamp = Stamp {
            index: Some(self.engine.generation()),
            archive: None,
        };
        match self.cache.get(&search_key(req), stamp)? {
            Value::Search(r) => Some((*r).clone()),
            _ => None,
        }
    }

    /// A search: one page of hits with the facet counts.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let req = &self.check_search(req)?;
        let stamp = self.stamp(true, false)?;
        let value = self.cache.get_or_compute(search_key(req), stamp, || {
            Ok(Value::Search(Arc::new(self.engine.search(req)?)))
        })?;
        match value {
            Value::Search(r) => Ok((*r).clone()),
            _ => Err(mixed()),
        }
    }

    /// The search page's answer: one page of hits, and each facet counted without its own
    /// filter (choosing 2021 still shows the other years to add), each count a cached
    /// search of its own.
    pub fn search_page(&self, req: &SearchRequest) -> Result<SearchResults> {
        let mut results = self.search(req)?;
        let open = |clear: fn(&mut SearchRequest)| -> Result<FacetCounts> {
            let mut r = req.clone();
            clear(&mut r);
            r.limit = 1;
            r.offset = 0;
            r.snippet_chars = 10;
            Ok(self.search(&r)?.facets)
        };
        if !req.schools.is_empty() {
            results.facets.school = open(|r| r.schools.clear())?.school;
        }
        if !req.years.is_empty() {
            results.facets.year = open(|r| r.years.clear())?.year;
        }
        if !req.sections.is_empty() {
            results.facets.section = open(|r| r.sections.clear())?.section;
        }
        Ok(results)
    }

    /// The reports flagged as changed after publication, for search results: read from
    /// the archive once per archive version; empty without an archive or when it fails
    /// (a flag is worth less than the results).
    pub fn change_flags(&self) -> Arc<ChangeFlags> {
        let Some(archive) = &self.archive else {
            return Arc::default();
        };
        let flags = self.stamp(false, true).and_then(|stamp| {
            self.cache.get_or_compute(Key::ChangeFlags, stamp, || {
                let mut flags = ChangeFlags::new();
                // Newest first: the first entry of a report is its latest change.
                for c in archive.changes(None, MAX_FLAGS)? {
                    flags.entry(c.report_id).or_insert(c.kind);
                }
                Ok(Value::ChangeFlags(Arc::new(flags)))
            })
        });
        match flags {
            Ok(Value::ChangeFlags(f)) => f,
            Ok(_) => Arc::default(),
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "cannot read report changes");
                Arc::default()
            }
        }
    }

    // --- reports ---

    /// The stored report `id`.
    pub fn report(&self, id: &str) -> Result<Report> {
        if id.len() > MAX_REPORT_ID {
            return Err(Error::NotFound("没有这个编号的报告".into()));
        }
        self.engine.report(id)?.ok_or_else(|| {
            Error::NotFound(format!(
                "没有编号为 {id:?} 的报告（报告可能已被删除，或链接有误）"
            ))
        })
    }

    /// Loads what the first search would load lazily (jieba's dictionary, the folding
    /// tables, the index's term dictionaries), so that the first visitor does not wait
    /// for it: about 0.45 s in a debug build, seconds on a busy machine while a crawl
    /// starts beside it (the slow first requests of the soak, issue 22). Bypasses the
    /// cache; an error is only logged.
    pub fn warm_up(&self) {
        let started = std::time::Instant::now();
        match self.engine.search(&SearchRequest::new("信息公开年度报告")) {
            Ok(_) => tracing::debug!(ms = started.elapsed().as_millis() as u64, "warmed up"),
            Err(e) => tracing::warn!("warming up the search failed: {e}"),
        }
    }

    /// What was fetched from source `source`, by kind, and up to `limit` pages that were
    /// not reports with the reasons (empty without an archive).
    pub fn page_kinds(&self, source: &str, limit: usize) -> Result<xxgk_archive::PageKinds> {
        match &self.archive {
            Some(a) => Ok(a.page_kinds(source, limit)?),
            None => Ok(xxgk_archive::PageKinds::default()),
        }
    }

    /// The report's scorecard as stored with it (`None` without an archive, or for a
    /// report the archive does not hold).
    pub fn report_scorecard(&self, id: &str) -> Result<Option<xxgk_model::figures::Scorecard>> {
        match &self.archive {
            Some(a) => Ok(a.report_scorecard(id)?),
            None => Ok(None),
        }
    }

    /// The stored versions of a report's page, oldest first (empty without an archive).
    pub fn report_history(&self, report_id: &str) -> Result<Vec<ReportVersion>> {
        match &self.archive {
            Some(a) => Ok(a.report_history(report_id)?),
            None => Ok(Vec::new()),
        }
    }

    /// The report as extracted from its stored version `hash` (`None` without an
    /// archive, or when that fetch gave no report).
    pub fn report_at_version(&self, report_id: &str, hash: &str) -> Result<Option<Report>> {
        match &self.archive {
            Some(a) => Ok(a.report_at_version(report_id, hash)?),
            None => Ok(None),
        }
    }

    /// Reports edited or removed after publication, newest first (`None` without an
    /// archive).
    pub fn changes(&self, since: Option<&str>, limit: usize) -> Result<Option<Vec<ReportChange>>> {
        match &self.archive {
            Some(a) => Ok(Some(a.changes(since, limit)?)),
            None => Ok(None),
        }
    }

    // --- the cross-store questions ---

    /// Which schools mention the query, which have reports that do not, and which have
    /// no report in scope (empty without an archive).
    pub fn schools(&self, req: &SchoolsRequest) -> Result<Arc<SchoolsAnswer>> {
        let SchoolsRequest {
            query,
            schools,
            years,
            sections,
        } = req;
        let known = self.known()?;
        let req = SchoolsRequest {
            query: query.clone(),
            schools: known.schools(schools)?,
            years: known.held_years(years)?,
            sections: sections.clone(),
        };
        // The archive matches names by their folded key: the names as asked and as the
        // index writes them.
        let mut archive_names = schools.clone();
        archive_names.extend(req.schools.iter().cloned());
        let key = Key::Schools {
            query: req.query.clone(),
            schools: req.schools.clone(),
            years: req.years.clone(),
            sections: req.sections.clone(),
        };
        let stamp = self.stamp(true, true)?;
        let value = self.cache.get_or_compute(key, stamp, || {
            let matches = self.engine.schools(&req)?;
            let no_report = match &self.archive {
                Some(a) => {
                    a.no_report(&req.years, &archive_names, &InstitutionFilter::default())?
                }
                None => Vec::new(),
            };
            Ok(Value::Schools(Arc::new(SchoolsAnswer::new(
                matches, no_report,
            ))))
        })?;
        match value {
            Value::Schools(a) => Ok(a),
            _ => Err(mixed()),
        }
    }

    /// The institution × academic year matrix (`None` without an archive).
    pub fn coverage(&self, req: &CoverageRequest) -> Result<Option<Arc<Coverage>>> {
        // The filters first: a bad one is the caller's mistake, archive or not.
        let known = self.known()?;
        known.institution_filter(&req.filter)?;
        let today = time::OffsetDateTime::now_utc().date();
        let ended = xxgk_archive::coverage::academic_years(today);
        let last = ended.last().map_or("", String::as_str);
        let years = filters::coverage_years(&req.years, last, &known.years)?;
        let Some(archive) = &self.archive else {
            return Ok(None);
        };
        let key = Key::Coverage {
            province: req.filter.province.clone(),
            level: req.filter.level.clone(),
            years: years.clone(),
            in_sources_only: req.in_sources_only,
        };
        let req = CoverageRequest {
            filter: req.filter.clone(),
            years,
            in_sources_only: req.in_sources_only,
        };
        let stamp = self.stamp(false, true)?;
        let value = self.cache.get_or_compute(key, stamp, || {
            let started = std::time::Instant::now();
            let computed = archive.coverage(&req)?;
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                schools = computed.schools.len(),
                years = computed.years.len(),
                "coverage computed"
            );
            Ok(Value::Coverage(Arc::new(computed)))
        })?;
        match value {
            Value::Coverage(c) => Ok(Some(c)),
            _ => Err(mixed()),
        }
    }

    /// The checklist matrix: schools × the 50 items for one year.
    pub fn checklist(&self, req: &MatrixRequest) -> Result<Arc<Matrix>> {
        let MatrixRequest {
            year,
            provinces,
            kinds,
            schools,
            without_snippets,
        } = req;
        let known = self.known()?;
        let year = match year {
            Some(y) => known.held_years(std::slice::from_ref(y))?.pop(),
            None => None,
        };
        for p in provinces {
            known.institution_filter(&InstitutionFilter {
                province: Some(p.clone()),
                level: None,
            })?;
        }
        let schools = &known.schools(schools)?;
        let req = MatrixRequest {
            year: year.clone(),
            provinces: provinces.clone(),
            kinds: kinds.clone(),
            schools: schools.clone(),
            without_snippets: *without_snippets,
        };
        let key = Key::Checklist {
            year,
            provinces: provinces.clone(),
            kinds: kinds.clone(),
            schools: schools.clone(),
            without_snippets: *without_snippets,
        };
        let stamp = self.stamp(true, false)?;
        let value = self.cache.get_or_compute(key, stamp, || {
            Ok(Value::Checklist(Arc::new(
                self.engine.checklist_matrix(&req)?,
            )))
        })?;
        let m = match value {
            Value::Checklist(m) => m,
            _ => return Err(mixed()),
        };
        // A kind no school of the year has would give an empty matrix: say what exists.
        if let Some(k) = kinds
            .iter()
            .find(|k| !m.kinds.is_empty() && !m.kinds.iter().any(|x| x == k.trim()))
        {
            return Err(Error::BadRequest(format!(
                "{} 年度没有“{}”这类学校；可选：{}",
                m.year,
                k.trim(),
                m.kinds.join("、")
            )));
        }
        Ok(m)
    }

    /// Crawled institutions (those with a source) in `provinces` (all when empty) with no
    /// report for `year`: the checklist's "无报告" rows. Empty without an archive.
    pub fn checklist_no_report(&self, year: &str, provinces: &[String]) -> Result<Vec<NoReport>> {
        let Some(archive) = &self.archive else {
            return Ok(Vec::new());
        };
        let mut all = Vec::new();
        let filters: Vec<Option<String>> = if provinces.is_empty() {
            vec![None]
        } else {
            provinces.iter().cloned().map(Some).collect()
        };
        for province in filters {
            let filter = InstitutionFilter {
                province,
                level: None,
            };
            all.extend(
                archive
                    .no_report(std::slice::from_ref(&year.to_string()), &[], &filter)?
                    .into_iter()
                    .filter(|n| n.in_sources),
            );
        }
        Ok(all)
    }

    /// Schools side by side for one year, or one school across its years.
    pub fn compare(&self, schools: &[String], year: Option<&str>) -> Result<Comparison> {
        let known = self.known()?;
        let year = match year {
            Some(y) => known.held_years(&[y.to_string()])?.pop(),
            None => None,
        };
        let mut resolved = Vec::new();
        for s in schools {
            resolved.extend(known.schools(std::slice::from_ref(s))?);
        }
        resolved.dedup();
        compare::build(&self.engine, &resolved, year.as_deref())
    }

    // --- what is held ---

    /// What the index holds.
    pub fn index_stats(&self) -> Result<IndexStats> {
        Ok(self.engine.stats()?)
    }

    /// What the index holds, and the reports waiting to enter it.
    pub fn stats(&self) -> Result<Stats> {
        let pending_index = match &self.archive {
            Some(a) => a.pending_count()?,
            None => 0,
        };
        Ok(Stats {
            index: self.engine.stats()?,
            pending_index,
        })
    }

    /// When the last crawl run finished (ISO 8601), if the archive knows.
    pub fn last_crawl(&self) -> Result<Option<String>> {
        match &self.archive {
            Some(a) => Ok(a.last_crawl()?),
            None => Ok(None),
        }
    }

    /// When the index last changed on disk (its `meta.json`), if known.
    pub fn index_updated(&self) -> Option<SystemTime> {
        let dir = self.index_dir.as_ref()?;
        std::fs::metadata(dir.join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Every crawl source with its last run (`None` without an archive).
    pub fn crawl_health(&self) -> Result<Option<Vec<SourceHealth>>> {
        match &self.archive {
            Some(a) => Ok(Some(a.crawl_health()?)),
            None => Ok(None),
        }
    }
}

fn search_key(r: &SearchRequest) -> Key {
    let SearchRequest {
        query,
        schools,
        years,
        sections,
        limit,
        offset,
        sort,
        snippet_chars,
        group,
    } = r;
    Key::Search {
        query: query.clone(),
        schools: schools.clone(),
        years: years.clone(),
        sections: sections.clone(),
        limit: *limit,
        offset: *offset,
        sort: *sort,
        snippet_chars: *snippet_chars,
        group: *group,
    }
}

/// A key answered with another kind of value: cannot happen (each key kind stores its
/// own value kind), reported rather than panicking.
pub(crate) fn mixed() -> Error {
    Error::Task("the answer cache returned another kind of answer".into())
}

mod scorecard;
#[cfg(test)]
mod tests;
