//! The crawl tables (migration 2): sources (`sources`, called `schools` before migration 7), pages, versions, the fetch log,
//! the frontier and crawl runs. One page and its attachments are written in one
//! transaction ([`Archive::record_page`]), together with the frontier row that marks the
//! page done, so a crawl killed at any moment either has all of a page or none of it,
//! and resumes.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use xxgk_model::{PageRole, Report};

use crate::sources::Source;
use crate::store::{PutOutcome, NOW};
use crate::{Archive, Result};

/// One HTTP attempt, as logged.
#[derive(Debug, Clone, Default)]
pub struct FetchLogEntry {
    pub url: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub status: Option<u16>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub error_kind: Option<String>,
    pub message: Option<String>,
    pub elapsed_ms: i64,
    pub bytes: i64,
}

/// What fetching one document (page or attachment) gave.
#[derive(Debug, Clone)]
pub enum DocState {
    Fetched {
        etag: Option<String>,
        last_modified: Option<String>,
        content_type: Option<String>,
        encoding: Option<String>,
        body: Vec<u8>,
        /// Extracted text (attachments).
        text: Option<String>,
    },
    /// 304: the stored version is still current.
    NotModified,
    /// 404 or 410.
    Gone,
    /// Nothing usable (the fetch log says why).
    Failed,
}

/// One document fetched in a unit of work.
#[derive(Debug, Clone)]
pub struct DocRecord {
    pub url: String,
    pub role: PageRole,
    /// The form body it was fetched with (a list page a CMS's script pages by POST).
    pub form: Option<String>,
    pub state: DocState,
}

/// Everything one frontier entry produced, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct PageWork {
    pub school: String,
    /// The frontier entry this work completes.
    pub frontier_url: String,
    pub log: Vec<FetchLogEntry>,
    pub docs: Vec<DocRecord>,
    /// The report extracted from the page (the first doc), if it is one.
    pub report: Option<Report>,
    /// Links to add to the school's frontier.
    pub enqueue: Vec<QueueItem>,
    /// What the crawler judged the page (the first doc) to be, kept with its version.
    pub judgment: Option<crate::judgments::Judgment>,
}

/// What [`Archive::record_page`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkOutcome {
    /// Documents whose bytes differ from their current version (first versions included).
    pub new_versions: usize,
    /// Documents answered 304 or with the bytes of their current version.
    pub unchanged: usize,
    /// Documents that existed and now 404 / 410.
    pub gone: usize,
    /// Documents never stored that 404 / 410 (dead links).
    pub dead: usize,
    pub report: Option<PutOutcome>,
    /// Links newly added to the frontier (already queued or done ones are not).
    pub queued: usize,
}

/// A queued frontier entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub url: String,
    pub depth: u32,
    pub role: PageRole,
    pub link_text: String,
    /// Fetch with this form body by POST (Hanweb's `dataproxy.jsp` paging), not by GET.
    pub form: Option<String>,
}

impl QueueItem {
    /// A page reached by GET, with no link text (a seed).
    pub fn seed(url: impl Into<String>, depth: u32, role: PageRole) -> QueueItem {
        QueueItem {
            url: url.into(),
            depth,
            role,
            link_text: String::new(),
            form: None,
        }
    }
}

/// Queues `item` on `school`'s frontier unless it is there already; 1 when it was added.
fn insert_queued(tx: &rusqlite::Transaction<'_>, school: &str, item: &QueueItem) -> Result<usize> {
    Ok(tx.execute(
        "INSERT OR IGNORE INTO frontier (school, url, depth, role, link_text, form)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            school,
            item.url,
            item.depth,
            item.role.as_str(),
            item.link_text,
            item.form
        ],
    )?)
}

/// A role read back from the archive (whose schema admits only [`PageRole`]'s names).
pub(crate) fn role_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<PageRole> {
    let name: String = r.get(i)?;
    name.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// What the archive holds, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveCounts {
    /// Pages and attachments known.
    pub pages: usize,
    /// Distinct stored versions of them.
    pub versions: usize,
    /// Fetch attempts logged.
    pub fetches: usize,
    /// Pages that now answer 404/410.
    pub gone: usize,
    /// Pages and attachments with a stored version.
    pub stored_documents: usize,
    pub institutions: usize,
    pub sources: usize,
}

/// One stored version of a document, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: i64,
    pub url: String,
    pub hash: String,
    pub first_fetched: String,
    pub last_seen: String,
    pub size: i64,
    pub report_id: Option<String>,
}

/// What the store knows about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    pub url: String,
    pub school: String,
    pub role: PageRole,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub current_version: Option<i64>,
    pub gone: bool,
    pub report_id: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Archive {
    /// Remembers a source's settings (recrawls need them without a sources file) and
    /// links it to its institution (see [`Archive::institutions`]).
    pub fn put_source(&self, school: &Source) -> Result<()> {
        let json = serde_json::to_string(school)?;
        let tx = self.conn.unchecked_transaction()?;
        let institution = crate::institutions::link_source(&tx, school)?;
        tx.execute(
            &format!(
                "INSERT INTO sources (name, json, updated, institution_id) VALUES (?1, ?2, {NOW}, ?3)
                 ON CONFLICT(name) DO UPDATE SET json = excluded.json, updated = excluded.updated,
                    institution_id = excluded.institution_id"
            ),
            params![school.name, json, institution],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records every source of a sources file (linked to their institutions), so that
    /// coverage knows which institutions have a source before any crawl ran.
    pub fn sync_sources(&self, schools: &[Source]) -> Result<()> {
        for school in schools {
            self.put_source(school)?;
        }
        Ok(())
    }

    /// Sources crawled before (at least one run started), by name: what `recrawl`
    /// revisits. Sources only listed by a sources file are not among them.
    pub fn crawled_sources(&self) -> Result<Vec<Source>> {
        let mut stmt = self.conn.prepare(
            "SELECT json FROM sources
             WHERE name IN (SELECT school FROM crawl_runs) ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|j| Ok(serde_json::from_str(&j?)?)).collect()
    }

    /// What is known about `url`.
    pub fn page(&self, url: &str) -> Result<Option<PageInfo>> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, school, role, etag, last_modified, current_version,
                        gone_since IS NOT NULL, report_id
                 FROM pages WHERE url = ?1",
                [url],
                |r| {
                    Ok(PageInfo {
                        url: r.get(0)?,
                        school: r.get(1)?,
                        role: role_at(r, 2)?,
                        etag: r.get(3)?,
                        last_modified: r.get(4)?,
                        current_version: r.get(5)?,
                        gone: r.get(6)?,
                        report_id: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// The body, content type and extracted text of a stored version.
    #[allow(clippy::type_complexity)]
    pub fn version_body(
        &self,
        id: i64,
    ) -> Result<Option<(Vec<u8>, Option<String>, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body, content_type, text FROM versions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Every stored version of the page at `url`, oldest first (a report's history, by
    /// report id: [`Archive::report_history`]).
    pub fn page_versions(&self, url: &str) -> Result<Vec<VersionInfo>> {
        self.version_rows("url = ?1", url)
    }

    /// Every stored version of the page a report came from, oldest first (the report's
    /// history).
    pub(crate) fn report_page_versions(&self, report_id: &str) -> Result<Vec<VersionInfo>> {
        self.version_rows("report_id = ?1", report_id)
    }

    /// The report as extracted from one stored version.
    pub fn report_of_version(&self, version_id: i64) -> Result<Option<Report>> {
        let json: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT report_json FROM versions WHERE id = ?1",
                [version_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json
            .flatten()
            .map(|j| serde_json::from_str(&j))
            .transpose()?)
    }

    fn version_rows(&self, filter: &str, value: &str) -> Result<Vec<VersionInfo>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, url, hash, first_fetched, last_seen, size, report_id
             FROM versions WHERE {filter} ORDER BY id"
        ))?;
        let rows = stmt.query_map([value], |r| {
            Ok(VersionInfo {
                id: r.get(0)?,
                url: r.get(1)?,
                hash: r.get(2)?,
                first_fetched: r.get(3)?,
                last_seen: r.get(4)?,
                size: r.get(5)?,
                report_id: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Starts (or resumes) a crawl run of `school`. When the school's last run did not
    /// finish, its queue is kept and only `seeds` not seen in it are added: the crawl
    /// resumes where it stopped. Otherwise the frontier starts afresh from `seeds`.
    /// Returns whether a run was resumed.
    pub fn begin_run(&self, school: &str, mode: &str, seeds: &[QueueItem]) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM crawl_runs WHERE school = ?1 AND finished IS NULL
                 ORDER BY id DESC LIMIT 1",
                [school],
                |r| r.get(0),
            )
            .optional()?;
        let resumed = open.is_some();
        if !resumed {
            tx.execute("DELETE FROM frontier WHERE school = ?1", [school])?;
            tx.execute(
                &format!("INSERT INTO crawl_runs (school, mode, started) VALUES (?1, ?2, {NOW})"),
                params![school, mode],
            )?;
        }
        for seed in seeds {
            insert_queued(&tx, school, seed)?;
        }
        tx.commit()?;
        Ok(resumed)
    }

    /// The next queued URL of `school`, in discovery order.
    pub fn next_queued(&self, school: &str) -> Result<Option<QueueItem>> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, depth, role, link_text, form FROM frontier
                 WHERE school = ?1 AND state = 'queued' ORDER BY seq LIMIT 1",
                [school],
                |r| {
                    Ok(QueueItem {
                        url: r.get(0)?,
                        depth: r.get(1)?,
                        role: role_at(r, 2)?,
                        link_text: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        form: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Frontier entries of `school` done in this run.
    pub fn done_count(&self, school: &str) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM frontier WHERE school = ?1 AND state = 'done'",
            [school],
            |r| r.get(0),
        )?)
    }

    /// Frontier entries of `school` still queued.
    pub fn queued_count(&self, school: &str) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM frontier WHERE school = ?1 AND state = 'queued'",
            [school],
            |r| r.get(0),
        )?)
    }

    /// Marks the school's current run finished (its queue is dropped at the next run)
    /// and records what it found, from the fetch log since the run started (so a run
    /// resumed after a kill counts its first part too): pages answered, reports held,
    /// errors by class, and — when no start page answered — why (`unreachable` in
    /// coverage).
    pub fn finish_run(&self, school: &str) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        let run: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, started FROM crawl_runs WHERE school = ?1 AND finished IS NULL
                 ORDER BY id DESC LIMIT 1",
                [school],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((run, started)) = run else {
            return Ok(());
        };
        let pages_ok = self.run_pages(school, &started)?;
        let reports: i64 = tx.query_row(
            "SELECT count(DISTINCT report_id) FROM pages
             WHERE school = ?1 AND report_id IS NOT NULL AND gone_since IS NULL",
            [school],
            |r| r.get(0),
        )?;
        let errors = self.run_errors(school, &started)?;
        // The last attempt at each start page: did any answer?
        let starts: Vec<(Option<u16>, Option<String>, Option<String>)> = {
            let mut stmt = tx.prepare(
                "SELECT l.status, l.error_kind, l.message FROM frontier f
                 LEFT JOIN fetch_log l ON l.id = (
                     SELECT max(id) FROM fetch_log
                     WHERE url = f.url AND school = ?1 AND at >= ?2)
                 WHERE f.school = ?1 AND f.role = 'start' AND f.depth = 0",
            )?;
            let rows = stmt.query_map(params![school, started], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let answered = starts
            .iter()
            .any(|(status, kind, _)| kind.is_none() && status.is_some_and(|s| s < 400));
        let (start_error, start_message) = if answered || starts.is_empty() {
            (None, None)
        } else {
            let (status, kind, message) = &starts[0];
            (
                Some(
                    kind.clone()
                        .or_else(|| status.map(|s| format!("http_{s}")))
                        .unwrap_or_else(|| "not_fetched".into()),
                ),
                message.clone(),
            )
        };
        tx.execute(
            &format!(
                "UPDATE crawl_runs SET finished = {NOW}, pages_ok = ?2, reports_found = ?3,
                    errors = ?4, start_error = ?5, start_message = ?6 WHERE id = ?1"
            ),
            params![
                run,
                pages_ok,
                reports,
                serde_json::to_string(&errors)?,
                start_error,
                start_message
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// When the last crawl run finished, if any did.
    pub fn last_crawl(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT max(finished) FROM crawl_runs", [], |r| r.get(0))?)
    }

    /// The pages (not attachments) known for `school`, in first-seen order, as frontier
    /// entries at `depth` (a recrawl's seeds): each with its role and its form body.
    pub fn known_pages(&self, school: &str, depth: u32) -> Result<Vec<QueueItem>> {
        let mut stmt = self.conn.prepare(
            "SELECT url, role, form FROM pages WHERE school = ?1 AND role != 'attachment'
             ORDER BY first_seen, url",
        )?;
        let rows = stmt.query_map([school], |r| {
            Ok(QueueItem {
                url: r.get(0)?,
                depth,
                role: role_at(r, 1)?,
                link_text: String::new(),
                form: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes one unit of crawl work in one transaction: the fetch log, each document's
    /// new version (or its 304, or its being gone), the report, the frontier entry marked
    /// done and the links found queued.
    pub fn record_page(&self, work: &PageWork) -> Result<WorkOutcome> {
        let tx = self.conn.unchecked_transaction()?;
        let mut out = WorkOutcome::default();
        for e in &work.log {
            tx.execute(
                "INSERT INTO fetch_log (url, school, at, status, etag, last_modified, error_kind,
                                        message, elapsed_ms, bytes)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1000.0, 'unixepoch'),
                         ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    e.url,
                    work.school,
                    e.at_ms,
                    e.status,
                    e.etag,
                    e.last_modified,
                    e.error_kind,
                    e.message,
                    e.elapsed_ms,
                    e.bytes
                ],
            )?;
        }
        let mut page_version: Option<i64> = None;
        for (i, doc) in work.docs.iter().enumerate() {
            tx.execute(
                &format!(
                    "INSERT INTO pages (url, school, role, form, first_seen)
                     VALUES (?1, ?2, ?3, ?4, {NOW})
                     ON CONFLICT(url) DO UPDATE SET form = excluded.form, role = CASE
                        WHEN pages.role IN ('report', 'attachment') THEN pages.role
                        ELSE excluded.role END"
                ),
                params![doc.url, work.school, doc.role.as_str(), doc.form],
            )?;
            let (current, was_gone): (Option<i64>, bool) = tx.query_row(
                "SELECT current_version, gone_since IS NOT NULL FROM pages WHERE url = ?1",
                [&doc.url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            match &doc.state {
                DocState::Fetched {
                    etag,
                    last_modified,
                    content_type,
                    encoding,
                    body,
                    text,
                } => {
                    let hash = sha256_hex(body);
                    let id: i64 = tx.query_row(
                        &format!(
                            "INSERT INTO versions (url, hash, first_fetched, last_seen, content_type,
                                                   encoding, size, body, text)
                             VALUES (?1, ?2, {NOW}, {NOW}, ?3, ?4, ?5, ?6, ?7)
                             ON CONFLICT(url, hash) DO UPDATE SET last_seen = excluded.last_seen
                             RETURNING id"
                        ),
                        params![doc.url, hash, content_type, encoding, body.len() as i64, body, text],
                        |r| r.get(0),
                    )?;
                    if current == Some(id) {
                        out.unchanged += 1;
                    } else {
                        out.new_versions += 1;
                    }
                    tx.execute(
                        &format!(
                            "UPDATE pages SET current_version = ?2, etag = ?3, last_modified = ?4,
                                gone_since = NULL, last_fetched = {NOW}, last_status = 200
                             WHERE url = ?1"
                        ),
                        params![doc.url, id, etag, last_modified],
                    )?;
                    if i == 0 {
                        page_version = Some(id);
                    }
                }
                DocState::NotModified => {
                    out.unchanged += 1;
                    tx.execute(
                        &format!(
                            "UPDATE pages SET last_fetched = {NOW}, last_status = 304,
                                gone_since = NULL WHERE url = ?1"
                        ),
                        [&doc.url],
                    )?;
                    if i == 0 {
                        page_version = current;
                    }
                }
                DocState::Gone => {
                    if current.is_some() && !was_gone {
                        out.gone += 1;
                    } else if current.is_none() {
                        out.dead += 1;
                    }
                    tx.execute(
                        &format!(
                            "UPDATE pages SET last_fetched = {NOW}, last_status = 404,
                                gone_since = COALESCE(gone_since, {NOW}) WHERE url = ?1"
                        ),
                        [&doc.url],
                    )?;
                }
                DocState::Failed => {
                    tx.execute(
                        &format!("UPDATE pages SET last_fetched = {NOW} WHERE url = ?1"),
                        [&doc.url],
                    )?;
                }
            }
        }
        if let Some(report) = &work.report {
            // The source names the school: its report belongs to the source's institution.
            let institution: Option<i64> = tx
                .query_row(
                    "SELECT institution_id FROM sources WHERE name = ?1",
                    [&work.school],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let institution = match institution {
                Some(id) => id,
                None => crate::institutions::resolve_or_create(
                    &tx,
                    &work.school,
                    report.province.as_deref(),
                    "source",
                )?,
            };
            let outcome = self.put_report_of(report, institution)?;
            if let Some(version) = page_version {
                tx.execute(
                    "UPDATE versions SET report_id = ?2, report_json = ?3 WHERE id = ?1",
                    params![version, report.id, serde_json::to_string(report)?],
                )?;
            }
            if let Some(doc) = work.docs.first() {
                tx.execute(
                    "UPDATE pages SET report_id = ?2, role = 'report' WHERE url = ?1",
                    params![doc.url, report.id],
                )?;
            }
            out.report = Some(outcome);
        }
        if let (Some(j), Some(version)) = (&work.judgment, page_version) {
            tx.execute(
                "UPDATE versions SET kind = ?2, title = ?3, reasons = ?4 WHERE id = ?1",
                params![version, j.kind, j.title, serde_json::to_string(&j.reasons)?],
            )?;
        }
        tx.execute(
            "UPDATE frontier SET state = 'done' WHERE school = ?1 AND url = ?2",
            params![work.school, work.frontier_url],
        )?;
        for item in &work.enqueue {
            out.queued += insert_queued(&tx, &work.school, item)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Counts for `xxgk stats`.
    pub fn archive_counts(&self) -> Result<ArchiveCounts> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM versions),
                    (SELECT count(*) FROM fetch_log),
                    (SELECT count(*) FROM pages WHERE gone_since IS NOT NULL),
                    (SELECT count(*) FROM pages WHERE current_version IS NOT NULL),
                    (SELECT count(*) FROM institutions),
                    (SELECT count(*) FROM sources)",
            [],
            |r| {
                Ok(ArchiveCounts {
                    pages: r.get(0)?,
                    versions: r.get(1)?,
                    fetches: r.get(2)?,
                    gone: r.get(3)?,
                    stored_documents: r.get(4)?,
                    institutions: r.get(5)?,
                    sources: r.get(6)?,
                })
            },
        )?)
    }

    /// The fetch log of `url`, oldest first.
    pub fn fetch_log(&self, url: &str) -> Result<Vec<FetchLogEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT url, CAST(round((julianday(at) - 2440587.5) * 86400000) AS INTEGER), status,
                    etag, last_modified, error_kind, message, elapsed_ms, bytes
             FROM fetch_log WHERE url = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([url], |r| {
            Ok(FetchLogEntry {
                url: r.get(0)?,
                at_ms: r.get(1)?,
                status: r.get(2)?,
                etag: r.get(3)?,
                last_modified: r.get(4)?,
                error_kind: r.get(5)?,
                message: r.get(6)?,
                elapsed_ms: r.get::<_, Option<i64>>(7)?.unwrap_or(0),
                bytes: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests;
