//! The xxgk application layer: the archive (what xxgk knows) and the index (how it is
//! searched) held together, and the one place that
//!
//! - moves reports from the archive into the index ([`sync`]: the outbox drain,
//!   reconciliation, `reindex`; [`crawl`] drains while the crawler writes the archive);
//! - answers the questions that need both stores ([`schools`]: which schools disclose X,
//!   and which have no report to read);
//! - answers the transparency scorecard ([`scorecard`]: the archive's stored figures with
//!   the index's checklist counts);
//! - knows the data folder's layout ([`data`]).
//!
//! The web site and the command line are adapters over this crate: they parse a request
//! or arguments, call it, and render.
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
//! # Ok::<(), xxgk_app::Error>(())
//! ```

pub mod crawl;
pub mod data;
mod error;
pub mod schools;
pub mod scorecard;
pub mod sync;

pub use error::{Error, Result};
