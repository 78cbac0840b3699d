//! The disclosure checklist, 《高等学校信息公开事项清单》: the 50 items in 10 categories
//! that every university must disclose, each with the query that finds a report's mention
//! of it ([`items`]), and the journalist's matrix over it: schools × items for one year,
//! each cell the evidence (report, section, snippet) or empty ([`Engine::checklist_matrix`]).
//!
//! The items live in one reviewed data file, `index/data/checklist.toml`, embedded in the
//! binary. Its queries are ordinary queries of [`crate::query`], so a cell of the matrix
//! means exactly what a search for the item's query finds in that school's report, and the
//! site can link each item to the "which schools" view of the same query.
//!
//! ```
//! use xxgk_index::checklist::{self, MatrixRequest};
//! use xxgk_index::{Engine, Report, Script, Section, SectionId};
//!
//! assert_eq!(checklist::items().len(), 50);
//! let fees = checklist::item(21).expect("item 21");
//! assert_eq!(fees.short, "收费标准");
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
//!         id: SectionId::Proactive,
//!         heading: "二、主動公開情況".into(),
//!         text: "學校公布了學費、住宿費收費標準。".into(),
//!     }],
//! })?;
//! writer.commit()?;
//! engine.reload()?;
//! let matrix = engine.checklist_matrix(&MatrixRequest::default())?;
//! assert_eq!(matrix.year, "2020-2021");
//! let row = &matrix.rows[0];
//! assert_eq!(row.covered, 1);
//! let cell = row.cells[20].as_ref().expect("item 21 is mentioned");
//! assert!(cell.snippet_html.contains("<mark>收費標準</mark>"));
//! # Ok::<(), xxgk_index::Error>(())
//! ```

mod build;
mod context;
mod evidence;
mod items;
mod matrix;
mod phrases;
#[cfg(test)]
mod tests;

pub use self::items::{item, items, Item, CATEGORIES, ITEM_COUNT};
pub use self::matrix::{
    row_order, Evidence, ItemCoverage, Matrix, MatrixRequest, MatrixSort, ReportRef, SchoolRow,
};
#[cfg(doc)]
use crate::engine::Engine;
