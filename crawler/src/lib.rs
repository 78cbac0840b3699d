//! The crawler side of xxgk: fetching pages politely ([`fetch`]), classifying each page
//! once ([`page`]: start, list, article, notice, attachment), turning reports into
//! [`xxgk_model::Report`]s ([`extract`]) and writing them to the archive
//! ([`xxgk_archive::Archive`]) as it goes ([`crawl`]).
//!
//! ```
//! use xxgk_crawler::extract::{report_from_text, Hints};
//!
//! let text = "2021-2022学年度东海海洋大学信息公开工作年度报告\n一、概述\n正文。";
//! let report = report_from_text(text, &Hints { url: "file:///r.txt".into(), ..Hints::default() })?;
//! assert_eq!(report.school, "东海海洋大学");
//! assert_eq!(report.year.as_deref(), Some("2021-2022"));
//! # Ok::<(), xxgk_crawler::Error>(())
//! ```

pub mod attach;
pub mod content;
pub mod crawl;
pub mod dates;
pub mod decode;
pub mod discover;
pub mod embedded;
mod error;
pub mod extract;
pub mod fetch;
/// Property checks for the fuzz targets (`fuzz/`) and the smoke tests; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod names;
pub mod navigate;
pub mod page;
pub mod response;
pub mod robots;
pub mod titles;

pub use error::{Error, Result};
