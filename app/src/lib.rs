//! The xxgk application layer: the archive (what xxgk knows) and the index (how it is
//! searched) held together, and the one place that
//!
//! - moves reports from the archive into the index ([`sync`]: the outbox drain,
//!   reconciliation, `reindex`; [`crawl`] drains while the crawler writes the archive);
//! - answers the questions that need both stores ([`App`]: search with its report
//!   links, which schools disclose X and which have no report to read ([`schools`]),
//!   coverage, the checklist matrix, compare ([`compare`]), changes, stats), each
//!   checking its filters once ([`filters`]);
//! - keeps one bounded cache of those answers, stamped with the index generation and the
//!   archive's data version ([`cache`]);
//! - writes the output formats the site and the command line share ([`export`]);
//! - answers the transparency scorecard ([`scorecard`]: the archive's stored figures with
//!   the index's checklist counts);
//! - knows the data folder's layout ([`data`]).
//!
//! The web site and the command line are adapters over this crate: they parse a request
//! or arguments, call it, and render. They name the stores' types through the
//! re-exports below, never the store crates.
//!
//! ```
//! use xxgk_app::sync;
//! use xxgk_archive::Archive;
//! use xxgk_index::Engine;
//!
//! let archive = Archive::open_in_memory()?;
//! let engine = Engine::create_in_ram()?;
//! let mut writer = engine.writer(1)?;
//! let done = sync::sync_index(&archive, &engine, &mut writer)?;
//! assert_eq!(done.written, 0);
//!
//! let app = xxgk_app::App::new(engine);
//! let bad = xxgk_app::SchoolsRequest { years: vec!["abc".into()], ..xxgk_app::SchoolsRequest::new("收费标准") };
//! assert!(app.schools(&bad).unwrap_err().is_user_error());
//! # Ok::<(), xxgk_app::Error>(())
//! ```

mod app;
pub mod cache;
pub mod compare;
pub mod crawl;
pub mod data;
mod error;
pub mod export;
pub mod filters;
pub mod schools;
pub mod scorecard;
pub mod sync;

pub use app::{App, Stats, MAX_REPORT_ID};
pub use cache::{ChangeFlags, Kind as CachedKind};
pub use error::{Error, ErrorKind, Result};

// The questions' and answers' types, under the names the adapters use.
pub use xxgk_archive::{
    Cell, ChangeKind, Coverage, CoverageRequest, InstitutionFilter, JudgedPage, NoReport,
    PageKinds, ReadArchive, ReportChange, ReportRef, ReportVersion, SchoolCoverage, SourceHealth,
    Status,
};
pub use xxgk_index::{
    FacetCounts, Group, Hit, IndexStats, SchoolMatch, SchoolMatches, SchoolNoMatch, SchoolsRequest,
    SearchRequest, SearchResults, SectionHit, Sort, MAX_LIMIT, MAX_OFFSET,
};
pub use xxgk_model::{Report, Script, Section, SectionId};

/// The stores themselves, for the binary that opens them and for tests that build an
/// [`App`] over a RAM index or a fake archive. Adapters otherwise ask the [`App`].
pub mod stores {
    pub use xxgk_archive::{Archive, Error as ArchiveError, Reader, Result as ArchiveResult};
    pub use xxgk_index::{Engine, Writer};
    /// The whole crates, for test fixtures (crawl records, a RAM index).
    pub use {xxgk_archive as archive, xxgk_index as index, xxgk_model as model};
}

/// Report years as people write them (the one year rule).
pub mod year {
    pub use xxgk_model::year::ReportYear;
}

/// The checklist of 《高等学校信息公开事项清单》: its items and the matrix types.
pub mod checklist {
    pub use xxgk_index::checklist::*;
}

/// Query parsing and the highlighter (escaped HTML with `<mark>`s), for pages that show
/// report text.
/// Fetch error classes in Chinese, for the pages.
pub mod fetch_errors {
    pub use xxgk_model::fetch_errors::error_label;
}

/// The scorecard's domain types (figures, parts, dates), for the pages that show them.
pub mod figures {
    pub use xxgk_model::figures::*;
}

pub mod text {
    pub use xxgk_index::highlight::{escape_html, highlight_all, html_text, match_ranges};
    pub use xxgk_index::query::UserQuery;
    pub use xxgk_model::fold::fold;

    /// The query parsed, or the caller's mistake said why.
    pub fn parse_query(q: &str) -> crate::Result<UserQuery> {
        Ok(UserQuery::parse(q)?)
    }
}

/// The archive's rules the pages show: academic years, provinces, version diffs.
pub mod archive_rules {
    pub use xxgk_archive::coverage::{academic_years, FIRST_YEAR};
    pub use xxgk_archive::diff::{diff_reports, Piece, ReportDiff, Status as DiffStatus};
    pub use xxgk_archive::registry::province_short;
}
