//! The xxgk domain, shared by every crate and dependent on none of the engines: the
//! [`Report`] and its [`Section`]s in the national template's order ([`report`]),
//! traditional → simplified folding ([`fold`]), the one year rule ([`year`]), the year a
//! report covers by the period it states ([`period`]), whether a text reads like a report
//! ([`body`]), section headings ([`sections`]), the keys school names are compared by
//! ([`names`]), the roles pages play in a crawl ([`role`]) and the transparency
//! scorecard read from a report's text ([`figures`]).
//!
//! ```
//! use xxgk_model::{fold::fold, year::year_from_title, names::name_key};
//!
//! assert_eq!(fold("信息公開"), "信息公开");
//! assert_eq!(year_from_title("2020-2021學年信息公開年度報告").map(|y| y.label()), Some("2020-2021".to_string()));
//! assert_eq!(name_key("翠谷大學"), name_key("翠谷大学"));
//! ```

pub mod body;
pub mod fetch_errors;
pub mod figures;
pub mod fold;
pub mod names;
pub mod period;
pub mod report;
pub mod role;
pub mod sections;
pub mod year;

pub use report::{Report, Script, Section, SectionId};
pub use role::PageRole;
