//! The search engine of xxgk: Chinese analysis over the model's traditional → simplified
//! folding ([`analysis`]), the query language
//! ([`query`]), our own highlighter ([`highlight`]) and the Tantivy index itself
//! ([`Engine`]): one document per report section, with the report's fields copied on it
//! and facets for school, year and section.
//!
//! ```
//! use xxgk_index::{Engine, Report, SearchRequest, Section, SectionId, Script};
//!
//! let engine = Engine::create_in_ram()?;
//! let mut writer = engine.writer(1)?;
//! writer.upsert(&Report {
//!     id: "r1".into(),
//!     school: "示例大學".into(),
//!     year: Some("2020-2021".into()),
//!     title: "示例大學信息公開年度報告".into(),
//!     published: None,
//!     url: "https://example.edu.cn/1.htm".into(),
//!     script: Script::Traditional,
//!     content_hash: String::new(),
//!     province: None,
//!     kind: None,
//!     institution: None,
//!     year_as_written: None,
//!     period_start: None,
//!     period_end: None,
//!     sections: vec![Section {
//!         id: SectionId::OnRequest,
//!         heading: "三、依申請公開".into(),
//!         text: "本學年收到依申請公開3件。".into(),
//!     }],
//! })?;
//! writer.commit()?;
//! engine.reload()?;
//! let results = engine.search(&SearchRequest::new("依申请公开"))?;
//! assert_eq!(results.total, 1);
//! assert!(results.hits[0].snippet_html.contains("<mark>依申請公開</mark>"));
//! # Ok::<(), xxgk_index::Error>(())
//! ```

pub mod analysis;
pub mod checklist;
mod engine;
mod error;
/// Property checks for the fuzz targets (`fuzz/`) and the smoke tests; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod highlight;
pub mod limits;
pub mod query;
mod schools;

pub use engine::snapshot::{copy_committed, CopiedIndex};
pub use engine::{
    Engine, FacetCounts, Group, Hit, IndexStats, SearchRequest, SearchResults, SectionHit, Sort,
    Writer, MAX_LIMIT, MAX_OFFSET, SCHEMA_VERSION, SECTIONS_SHOWN,
};
pub use error::{Error, Result};
// The domain types the index stores, re-exported so that engine code and its callers
// name one type (they live in `xxgk-model`, which needs no engine).
pub use schools::{ReportRead, SchoolMatch, SchoolMatches, SchoolNoMatch, SchoolsRequest};
pub use xxgk_model::{fold, report, sections, year};
pub use xxgk_model::{Report, Script, Section, SectionId};
