//! The one integration-test binary of the workspace (see `Cargo.toml`: `autotests = false`).
//! One module per feature; tests that run the CLI use `env!("CARGO_BIN_EXE_xxgk")`.

mod common;

/// `xxgk import/search/reindex/stats` over our fixture reports and the real seeds.
mod search;

/// The judged set: queries with the sections that must rank in the top 3 (issue 11).
mod judged;

/// Error handling of the command line: one clear line, non-zero exit, nothing lost.
mod cli;

/// The crawler against a fixture disclosure web on 127.0.0.1: layouts, encodings, faults,
/// attachments, versions, 304 recrawls and resuming after kill -9.
mod crawl;

/// Issue 10: one fixture site per CMS family (WebPlus, TRS, Hanweb, DedeCMS/PHPCMS, a
/// GB2312 site with a sub-site) and a site of bad input.
mod families;

/// The real `xxgk serve` / `xxgk demo` on 127.0.0.1: reload on import, graceful shutdown,
/// and a headless-Chromium run through search, facets and a report.
mod web;

/// The journalist's tools: the checklist matrix against the hand-made expectation, and
/// the real server's versions, diff, changes and Atom feeds over a store with versions.
mod journalist;

/// Coverage: archived, not found, unreachable and not crawled, with their evidence; the
/// "which schools" answer's `no_report` group.
mod coverage;
