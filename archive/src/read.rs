//! The archive as the web site reads it: [`ReadArchive`], implemented by [`Reader`] over
//! the SQLite file (and by fakes in tests). Reads only; the site never writes.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use xxgk_model::figures::Scorecard;
use xxgk_model::Report;

use crate::coverage::{Coverage, CoverageRequest, NoReport};
use crate::health::SourceHealth;
use crate::history::{ReportChange, ReportVersion};
use crate::institutions::{Institution, InstitutionFilter};
use crate::scorecard::{ScorecardFilter, ScorecardRow};
use crate::{Archive, Result};

/// What the web site reads from the archive.
pub trait ReadArchive: Send + Sync + 'static {
    /// The stored versions of a report's page, oldest first.
    fn report_history(&self, report_id: &str) -> Result<Vec<ReportVersion>>;
    /// When the last crawl run finished (ISO 8601), if one did.
    fn last_crawl(&self) -> Result<Option<String>>;
    /// The report as extracted from its stored version `hash`; `None` when that fetch
    /// gave no report (or there is no such version).
    fn report_at_version(&self, report_id: &str, hash: &str) -> Result<Option<Report>>;
    /// Reports whose text changed, or whose page vanished, after they were first stored,
    /// newest change first (at most `limit`; at or after `since` when given).
    fn changes(&self, since: Option<&str>, limit: usize) -> Result<Vec<ReportChange>>;
    /// The institution × year coverage matrix.
    fn coverage(&self, req: &CoverageRequest) -> Result<Coverage>;
    /// Institutions in scope with no report for `years` (see [`Archive::no_report`]).
    fn no_report(
        &self,
        years: &[String],
        schools: &[String],
        filter: &InstitutionFilter,
    ) -> Result<Vec<NoReport>>;
    /// Every crawl source with its last run.
    fn crawl_health(&self) -> Result<Vec<SourceHealth>>;
    /// The scorecard rows in scope (see [`Archive::scorecard`]); an archive that keeps
    /// none (a fixed one) answers none.
    fn scorecard(&self, filter: &ScorecardFilter) -> Result<Vec<ScorecardRow>> {
        let _ = filter;
        Ok(Vec::new())
    }
    /// A source's fetched pages by kind and those that were not reports (see
    /// [`Archive::page_kinds`]).
    fn page_kinds(&self, source: &str, limit: usize) -> Result<crate::PageKinds> {
        let _ = (source, limit);
        Ok(crate::PageKinds::default())
    }
    /// The stored scorecard of one report (see [`Archive::report_scorecard`]).
    fn report_scorecard(&self, report_id: &str) -> Result<Option<Scorecard>> {
        let _ = report_id;
        Ok(None)
    }
    /// A number that changes whenever another connection (an import, a crawl) commits
    /// to the archive, so that an answer read from it can be reused while it stays the
    /// same. An archive that cannot tell (a fixed one) answers 0.
    fn data_version(&self) -> Result<u64> {
        Ok(0)
    }
    /// Reports stored and waiting in the outbox for the index.
    fn pending_count(&self) -> Result<usize> {
        Ok(0)
    }
    /// Institutions passing `filter` (see [`Archive::institutions`]): the names and
    /// provinces a filter is checked against. A fixed archive may know none.
    fn institutions(&self, filter: &InstitutionFilter) -> Result<Vec<Institution>> {
        let _ = filter;
        Ok(Vec::new())
    }
}

/// One archive connection behind a lock: the site's reads are small (a report's
/// versions, `/changes`) or cached by the caller (coverage).
pub struct Reader(Mutex<Archive>);

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").finish_non_exhaustive()
    }
}

impl Reader {
    /// Opens the archive at `path` for reading (bringing its schema up to date first).
    pub fn open(path: &Path) -> Result<Reader> {
        Ok(Reader(Mutex::new(Archive::open(path)?)))
    }

    /// Opens the archive at `path` without writing anything (see
    /// [`Archive::open_read_only`]).
    pub fn open_read_only(path: &Path) -> Result<Reader> {
        Ok(Reader(Mutex::new(Archive::open_read_only(path)?)))
    }

    pub fn new(archive: Archive) -> Reader {
        Reader(Mutex::new(archive))
    }

    fn archive(&self) -> MutexGuard<'_, Archive> {
        // A panic while holding the lock leaves the connection usable.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ReadArchive for Reader {
    fn report_history(&self, report_id: &str) -> Result<Vec<ReportVersion>> {
        self.archive().report_history(report_id)
    }

    fn last_crawl(&self) -> Result<Option<String>> {
        self.archive().last_crawl()
    }

    fn report_at_version(&self, report_id: &str, hash: &str) -> Result<Option<Report>> {
        self.archive().report_at_version(report_id, hash)
    }

    fn changes(&self, since: Option<&str>, limit: usize) -> Result<Vec<ReportChange>> {
        self.archive().changes(since, limit)
    }

    fn coverage(&self, req: &CoverageRequest) -> Result<Coverage> {
        self.archive().coverage(req)
    }

    fn no_report(
        &self,
        years: &[String],
        schools: &[String],
        filter: &InstitutionFilter,
    ) -> Result<Vec<NoReport>> {
        self.archive().no_report(years, schools, filter)
    }

    fn crawl_health(&self) -> Result<Vec<SourceHealth>> {
        self.archive().crawl_health()
    }

    fn scorecard(&self, filter: &ScorecardFilter) -> Result<Vec<ScorecardRow>> {
        self.archive().scorecard(filter)
    }

    fn report_scorecard(&self, report_id: &str) -> Result<Option<Scorecard>> {
        self.archive().report_scorecard(report_id)
    }

    fn page_kinds(&self, source: &str, limit: usize) -> Result<crate::PageKinds> {
        self.archive().page_kinds(source, limit)
    }

    fn data_version(&self) -> Result<u64> {
        self.archive().data_version()
    }

    fn pending_count(&self) -> Result<usize> {
        self.archive().pending_count()
    }

    fn institutions(&self, filter: &InstitutionFilter) -> Result<Vec<Institution>> {
        self.archive().institutions(filter)
    }
}
