//! Benchmarks for xxgk at the scale of every Chinese university, side by side with the
//! tool a reader would otherwise pick, SQLite FTS5 with the trigram tokenizer.
//!
//! - [`corpus`] generates a deterministic corpus of reports (our own vocabulary and
//!   templates, the national section structure, one school in five in traditional
//!   characters) from a seed;
//! - [`queries`] is the fixed mixed query set;
//! - [`peer`] loads the corpus into FTS5 and answers the same queries;
//! - [`stock`] is the out-of-the-box peer: stock Tantivy + tantivy-jieba, no folding;
//! - [`http`] is the HTTP load generator (`--http`);
//! - [`scaling`] turns the JSON of runs at several sizes into a growth table and chart;
//! - [`run`] measures both in one run — indexing, segmentation ceiling, latency
//!   percentiles, recall against a plain substring scan, snippet panics, start-up — and
//!   renders the table that `BENCHMARKS.md` quotes.
//!
//! ```
//! use xxgk_bench::corpus::Size;
//!
//! let spec = Size::Small.spec(1);
//! let report = spec.report(0, 0);
//! assert_eq!(report, spec.report(0, 0)); // deterministic
//! assert!(report.char_len() > 5_000);
//! ```

pub mod corpus;
mod error;
pub mod http;
pub mod peer;
pub mod queries;
pub mod run;
pub mod scaling;
mod stats;
pub mod stock;
mod sys;
mod vocab;

pub use error::{Error, Result};
