//! Crawl health per source: its last run, what it fetched and found, its errors by class
//! and the paths robots.txt kept it from — for `/sources` and `xxgk stats`.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;

use crate::{Archive, Result};

/// Robots-blocked URLs listed per source at most.
const MAX_BLOCKED: usize = 20;

/// One crawl run, as health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunHealth {
    /// `crawl` or `recrawl`.
    pub mode: String,
    pub started: String,
    /// `None` while running, or when the run was killed and not resumed yet.
    pub finished: Option<String>,
    pub pages_ok: u64,
    pub reports_found: u64,
    pub errors: BTreeMap<String, u64>,
    /// Why no start page answered, when none did.
    pub start_error: Option<String>,
    /// URLs robots.txt disallowed in this run (at most 20).
    pub robots_blocked: Vec<String>,
}

/// One source's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHealth {
    pub source: String,
    pub institution: Option<String>,
    pub code: Option<String>,
    /// Reports held from this source's pages.
    pub reports_held: u64,
    pub last_run: Option<RunHealth>,
}

impl Archive {
    /// Every source, by name, with its last run.
    pub fn crawl_health(&self) -> Result<Vec<SourceHealth>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.name, i.name, i.code,
                    (SELECT count(DISTINCT report_id) FROM pages p WHERE p.school = s.name
                        AND p.report_id IS NOT NULL),
                    c.mode, c.started, c.finished, c.pages_ok, c.reports_found, c.errors,
                    c.start_error
             FROM sources s
             LEFT JOIN institutions i ON i.id = s.institution_id
             LEFT JOIN crawl_runs c ON c.id = (SELECT max(id) FROM crawl_runs WHERE school = s.name)
             ORDER BY s.name",
        )?;
        type Row = (
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (source, inst, code, held, mode, started, finished, pages, found, errors, start) in rows
        {
            let last_run = match (mode, started) {
                (Some(mode), Some(started)) => {
                    let errors: BTreeMap<String, u64> = match errors {
                        Some(json) => serde_json::from_str(&json)?,
                        None => self.run_errors(&source, &started)?,
                    };
                    Some(RunHealth {
                        robots_blocked: self.robots_blocked(&source, &started)?,
                        pages_ok: match pages {
                            Some(n) => n.max(0) as u64,
                            None => self.run_pages(&source, &started)?,
                        },
                        reports_found: found.unwrap_or(held).max(0) as u64,
                        mode,
                        started,
                        finished,
                        errors,
                        start_error: start,
                    })
                }
                _ => None,
            };
            out.push(SourceHealth {
                source,
                institution: inst,
                code,
                reports_held: held.max(0) as u64,
                last_run,
            });
        }
        Ok(out)
    }

    /// Distinct pages and attachments of `source` that answered since `since`.
    pub(crate) fn run_pages(&self, source: &str, since: &str) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(DISTINCT url) FROM fetch_log
             WHERE school = ?1 AND at >= ?2 AND status BETWEEN 200 AND 399",
            params![source, since],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Distinct URLs of `source` that failed since `since`, by error class (`http_404`
    /// for an HTTP error status): a run's errors, stored when it finishes.
    pub(crate) fn run_errors(&self, source: &str, since: &str) -> Result<BTreeMap<String, u64>> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, count(DISTINCT url) FROM (
                SELECT url, COALESCE(error_kind, 'http_' || status) AS kind FROM fetch_log
                WHERE school = ?1 AND at >= ?2 AND (error_kind IS NOT NULL OR status >= 400))
             GROUP BY kind",
        )?;
        let rows = stmt.query_map(params![source, since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn robots_blocked(&self, source: &str, since: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT url FROM fetch_log
             WHERE school = ?1 AND at >= ?2 AND error_kind = 'robots' ORDER BY url LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![source, since, MAX_BLOCKED as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
