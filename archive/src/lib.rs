//! The archive: the one owner of what xxgk knows — institutions (the ministry's registry
//! and the schools it lacks), crawl sources, pages and every version of them, reports,
//! crawl runs, report history and coverage — in one SQLite file whose schema is private
//! to this crate. The crawler writes through [`Archive`]; the web site reads through
//! [`ReadArchive`]; the index is rebuilt from [`Archive::reports`].
//!
//! ```
//! use xxgk_archive::{Archive, CoverageRequest, InstitutionFilter, Status};
//!
//! let archive = Archive::open_in_memory()?;
//! // The 2017 registry is loaded at open: every institution that must publish.
//! let pku = archive.find_institution("北京大學")?.expect("in the registry");
//! assert_eq!(pku.code.as_deref(), Some("4111010001"));
//! let req = CoverageRequest {
//!     filter: InstitutionFilter { province: Some("北京".into()), ..Default::default() },
//!     years: vec!["2019-2020".into()],
//!     ..Default::default()
//! };
//! let coverage = archive.coverage(&req)?;
//! assert_eq!(coverage.schools[0].years["2019-2020"].status, Status::NotCrawled);
//! # Ok::<(), xxgk_archive::Error>(())
//! ```

mod clock;
pub mod coverage;
pub mod diff;
mod error;
pub mod health;
pub mod history;
pub mod institutions;
pub mod judgments;
pub mod outbox;
mod pages;
mod read;
pub mod registry;
pub mod scorecard;
pub mod sources;
mod store;

pub use clock::Clock;
pub use coverage::{Cell, Coverage, CoverageRequest, NoReport, ReportRef, SchoolCoverage, Status};
pub use error::{Error, Result};
pub use health::{RunHealth, SourceHealth};
pub use history::{ChangeKind, ReportChange, ReportVersion};
pub use institutions::{Institution, InstitutionFilter};
pub use judgments::{JudgedPage, Judgment, PageKinds};
pub use pages::{
    ArchiveCounts, DocRecord, DocState, FetchLogEntry, PageInfo, PageWork, QueueItem, VersionInfo,
    WorkOutcome,
};
pub use read::{ReadArchive, Reader};
pub use scorecard::{ScorecardFilter, ScorecardRow};
pub use store::{Archive, PutOutcome};
