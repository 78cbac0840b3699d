//! The SQLite file under the data folder: every extracted report (the index is rebuilt
//! from here by `xxgk reindex`). WAL mode, one transaction per write, so killing the
//! process at any moment loses nothing already stored.
//!
//! The schema is private to this crate. It evolves through numbered [`MIGRATIONS`]
//! recorded in `PRAGMA user_version` and checked at every open: an older file is brought
//! up to date, a newer one is refused.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use xxgk_model::Report;

use crate::institutions::with_institution;
use crate::scorecard;
use crate::{Error, Result};

/// A stored report with the code and id of its institution (see [`report_row`]).
const REPORT_ROW: &str = "SELECT r.json, i.code, r.institution_id
     FROM reports r LEFT JOIN institutions i ON i.id = r.institution_id";

type ReportRow = (String, Option<String>, Option<i64>);

fn report_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

/// Schema steps, applied in order; never edit a released step, add one.
const MIGRATIONS: &[&str] = &[
    // 1: reports, one row per report id (the source URL's hash), the latest extraction.
    "CREATE TABLE reports (
        id           TEXT PRIMARY KEY,
        url          TEXT NOT NULL,
        school       TEXT NOT NULL,
        year         TEXT,
        content_hash TEXT NOT NULL,
        json         TEXT NOT NULL,
        first_seen   TEXT NOT NULL,
        updated      TEXT NOT NULL
    );
    CREATE INDEX reports_school ON reports(school);",
    // 2: the crawl archive. Every distinct version of every page and attachment (by
    // SHA-256 of its bytes), the fetch log, the per-school frontier (so a killed crawl
    // resumes), crawl runs, and the reports still to be written to the index.
    "CREATE TABLE schools (
        name    TEXT PRIMARY KEY,
        json    TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE pages (
        url             TEXT PRIMARY KEY,
        school          TEXT NOT NULL,
        role            TEXT NOT NULL,
        first_seen      TEXT NOT NULL,
        last_fetched    TEXT,
        last_status     INTEGER,
        etag            TEXT,
        last_modified   TEXT,
        current_version INTEGER,
        gone_since      TEXT,
        report_id       TEXT
    );
    CREATE INDEX pages_school ON pages(school);
    CREATE TABLE versions (
        id            INTEGER PRIMARY KEY,
        url           TEXT NOT NULL,
        hash          TEXT NOT NULL,
        first_fetched TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        content_type  TEXT,
        encoding      TEXT,
        size          INTEGER NOT NULL,
        body          BLOB NOT NULL,
        text          TEXT,
        report_id     TEXT,
        report_json   TEXT,
        UNIQUE (url, hash)
    );
    CREATE INDEX versions_report ON versions(report_id);
    CREATE TABLE fetch_log (
        id            INTEGER PRIMARY KEY,
        url           TEXT NOT NULL,
        school        TEXT,
        at            TEXT NOT NULL,
        status        INTEGER,
        etag          TEXT,
        last_modified TEXT,
        error_kind    TEXT,
        message       TEXT,
        elapsed_ms    INTEGER,
        bytes         INTEGER
    );
    CREATE INDEX fetch_log_url ON fetch_log(url);
    CREATE TABLE crawl_runs (
        id       INTEGER PRIMARY KEY,
        school   TEXT NOT NULL,
        mode     TEXT NOT NULL,
        started  TEXT NOT NULL,
        finished TEXT
    );
    CREATE INDEX crawl_runs_school ON crawl_runs(school, id);
    CREATE TABLE frontier (
        seq       INTEGER PRIMARY KEY,
        school    TEXT NOT NULL,
        url       TEXT NOT NULL,
        depth     INTEGER NOT NULL,
        role      TEXT NOT NULL,
        link_text TEXT,
        state     TEXT NOT NULL DEFAULT 'queued',
        UNIQUE (school, url)
    );
    CREATE INDEX frontier_queue ON frontier(school, state, seq);
    CREATE TABLE index_pending (report_id TEXT PRIMARY KEY);",
    // 3: institutions (the registry, and sources or reports not in it), the names and
    // aliases they are known by (folded), each source's and report's institution, and
    // what each crawl run found (for coverage and crawl health).
    "CREATE TABLE institutions (
        id        INTEGER PRIMARY KEY,
        code      TEXT UNIQUE,
        name      TEXT NOT NULL UNIQUE,
        province  TEXT,
        city      TEXT,
        authority TEXT,
        level     TEXT,
        remark    TEXT,
        origin    TEXT NOT NULL
    );
    CREATE TABLE institution_names (
        key            TEXT PRIMARY KEY,
        institution_id INTEGER NOT NULL REFERENCES institutions(id),
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL
    );
    CREATE INDEX institution_names_inst ON institution_names(institution_id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    ALTER TABLE schools ADD COLUMN institution_id INTEGER;
    ALTER TABLE reports ADD COLUMN institution_id INTEGER;
    CREATE INDEX reports_institution ON reports(institution_id, year);
    ALTER TABLE crawl_runs ADD COLUMN pages_ok INTEGER;
    ALTER TABLE crawl_runs ADD COLUMN reports_found INTEGER;
    ALTER TABLE crawl_runs ADD COLUMN errors TEXT;
    ALTER TABLE crawl_runs ADD COLUMN start_error TEXT;
    ALTER TABLE crawl_runs ADD COLUMN start_message TEXT;
    CREATE INDEX fetch_log_school ON fetch_log(school, at);",
    // 4: each report's transparency scorecard (issue 20), as computed by the figures
    // rules of version `rules` when the report was stored.
    "CREATE TABLE scorecards (
        report_id TEXT PRIMARY KEY,
        rules     INTEGER NOT NULL,
        json      TEXT NOT NULL
    );",
    // 5: what the crawler judged each stored page version to be (issue 19): its kind
    // (start, list, article, notice, attachment, other), its own title and the reasons,
    // so /sources can say what was fetched where nothing was found.
    "ALTER TABLE versions ADD COLUMN kind TEXT;
    ALTER TABLE versions ADD COLUMN title TEXT;
    ALTER TABLE versions ADD COLUMN reasons TEXT;",
    // 6: page roles are `xxgk_model::PageRole`'s names and nothing else (issue 17): older
    // names are read as parts, and triggers refuse any other; a page a script fetches by
    // POST (Hanweb's dataproxy.jsp paging, issue 19) keeps its form body, queued and
    // stored, so a recrawl asks for it the same way.
    "UPDATE pages SET role = 'part' WHERE role NOT IN
        ('start', 'list', 'report', 'report_file', 'part', 'attachment', 'unknown');
    DELETE FROM frontier WHERE role NOT IN
        ('start', 'list', 'report', 'report_file', 'part', 'attachment', 'unknown');
    ALTER TABLE pages ADD COLUMN form TEXT;
    ALTER TABLE frontier ADD COLUMN form TEXT;
    CREATE TRIGGER pages_role_insert BEFORE INSERT ON pages
    WHEN NEW.role NOT IN ('start', 'list', 'report', 'report_file', 'part', 'attachment', 'unknown')
    BEGIN SELECT RAISE(ABORT, 'not a page role'); END;
    CREATE TRIGGER pages_role_update BEFORE UPDATE OF role ON pages
    WHEN NEW.role NOT IN ('start', 'list', 'report', 'report_file', 'part', 'attachment', 'unknown')
    BEGIN SELECT RAISE(ABORT, 'not a page role'); END;
    CREATE TRIGGER frontier_role_insert BEFORE INSERT ON frontier
    WHEN NEW.role NOT IN ('start', 'list', 'report', 'report_file', 'part', 'attachment', 'unknown')
    BEGIN SELECT RAISE(ABORT, 'not a page role'); END;",
    // 7: the table of crawl sources is called what it holds (issue 17: a source is where a
    // crawl starts; the school is the institution).
    "ALTER TABLE schools RENAME TO sources;",
];

pub(crate) use crate::clock::NOW;
use crate::clock::{Clock, NOW_SECONDS};

/// What storing a report changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    New,
    Changed,
    Unchanged,
}

/// The archive: one connection to the SQLite file. Writers (the crawler, `import`) hold
/// one each; the web site reads through [`crate::Reader`].
pub struct Archive {
    pub(crate) conn: Connection,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").finish_non_exhaustive()
    }
}

impl Archive {
    /// The archive on `conn`, its time read from the system clock.
    fn on(conn: Connection) -> Result<Archive> {
        Clock::system().install(&conn)?;
        Ok(Archive { conn })
    }

    /// Reads the time this archive stamps on what it writes from `clock` from now on (a
    /// test's manual clock, moved on instead of sleeping).
    pub fn set_clock(&self, clock: Clock) -> Result<()> {
        clock.install(&self.conn)?;
        Ok(())
    }

    /// Opens (creating if needed) the archive at `path`, bringing its schema up to date
    /// and its registry and institution links current.
    pub fn open(path: &Path) -> Result<Archive> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut archive = Archive::on(conn)?;
        archive.migrate()?;
        archive.sync_registry()?;
        archive.fill_scorecards()?;
        Ok(archive)
    }

    /// Writes a consistent copy of the whole archive to `dest` (a new file), as of one
    /// read transaction: SQLite's `VACUUM INTO`, safe while another connection writes.
    /// The copy is compact and has no write-ahead log.
    pub fn copy_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(Error::Config(format!(
                "{} exists; a copy is written to a new file",
                dest.display()
            )));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| Error::Config(format!("{} is not a UTF-8 path", dest.display())))?;
        self.conn.execute("VACUUM INTO ?1", [dest])?;
        Ok(())
    }

    /// SQLite's `data_version` of this connection: it changes whenever another
    /// connection commits to the archive (never for this connection's own writes).
    pub fn data_version(&self) -> Result<u64> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?;
        Ok(v as u64)
    }

    /// Opens the archive at `path` for reading only, writing nothing next to it: for
    /// serving a copy on read-only media (`xxgk serve --read-only`). The file must be at
    /// this xxgk's schema (open it once normally to upgrade it). A file whose write-ahead
    /// log still holds transactions is read through it (SQLite then needs its `-shm`
    /// file); a checkpointed one is opened immutable, touching nothing.
    pub fn open_read_only(path: &Path) -> Result<Archive> {
        use rusqlite::OpenFlags;
        let wal = {
            let mut p = path.as_os_str().to_owned();
            p.push("-wal");
            std::path::PathBuf::from(p)
        };
        let pending_wal = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
        // A URI path: escape what a URI gives meaning to.
        let escaped: String = path
            .to_string_lossy()
            .chars()
            .map(|c| match c {
                '%' => "%25".to_string(),
                '?' => "%3f".to_string(),
                '#' => "%23".to_string(),
                c => c.to_string(),
            })
            .collect();
        let uri = if pending_wal {
            format!("file:{escaped}?mode=ro")
        } else {
            format!("file:{escaped}?immutable=1")
        };
        if !path.exists() {
            return Err(Error::Config(format!(
                "no archive at {} (nothing to serve read-only)",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )?;
        let archive = Archive::on(conn)?;
        let version = archive.schema_version()?;
        if version != MIGRATIONS.len() {
            return Err(Error::Config(format!(
                "the archive {} is at schema {version}, this xxgk reads {}: open it once \
                 without --read-only to upgrade it",
                path.display(),
                MIGRATIONS.len()
            )));
        }
        Ok(archive)
    }

    /// An in-memory archive (tests).
    pub fn open_in_memory() -> Result<Archive> {
        let mut archive = Archive::on(Connection::open_in_memory()?)?;
        archive.migrate()?;
        archive.sync_registry()?;
        archive.fill_scorecards()?;
        Ok(archive)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > MIGRATIONS.len() {
            return Err(Error::TooNew {
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version) {
            // Immediate: two processes opening a fresh folder at once (serve and crawl)
            // queue on the write lock instead of failing on a read-to-write upgrade; the
            // second re-reads the version and skips what the first applied.
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if now > i {
                continue;
            }
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version of the open file (the number of migrations applied).
    pub fn schema_version(&self) -> Result<usize> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Stores an imported `report`, replacing the row with the same id. Its institution
    /// is the one its school name (or an alias) names, else a new one of that name.
    pub fn put_report(&self, report: &Report) -> Result<PutOutcome> {
        let tx = self.conn.unchecked_transaction()?;
        let institution = crate::institutions::resolve_or_create(
            &tx,
            &report.school,
            report.province.as_deref(),
            "report",
        )?;
        let outcome = self.put_report_of(report, institution)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Stores `report` as a report of institution `institution`. A new or changed report
    /// goes into the outbox (`index_pending`) in the same transaction, so the index can
    /// never miss it: the outbox is drained only after an index commit
    /// (the application layer drains it).
    pub(crate) fn put_report_of(&self, report: &Report, institution: i64) -> Result<PutOutcome> {
        let old: Option<String> = self
            .conn
            .query_row(
                "SELECT content_hash FROM reports WHERE id = ?1",
                [&report.id],
                |r| r.get(0),
            )
            .optional()?;
        let json = serde_json::to_string(report)?;
        let outcome = match old {
            None => PutOutcome::New,
            Some(h) if h == report.content_hash => PutOutcome::Unchanged,
            Some(_) => PutOutcome::Changed,
        };
        self.conn.execute(
            &format!(
                "INSERT INTO reports (id, url, school, year, content_hash, json, first_seen,
                                      updated, institution_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW_SECONDS}, {NOW_SECONDS}, ?7)
                 ON CONFLICT(id) DO UPDATE SET
                    url = excluded.url, school = excluded.school, year = excluded.year,
                    content_hash = excluded.content_hash, json = excluded.json,
                    updated = excluded.updated, institution_id = excluded.institution_id"
            ),
            params![
                report.id,
                report.url,
                report.school,
                report.year,
                report.content_hash,
                json,
                institution
            ],
        )?;
        if outcome != PutOutcome::Unchanged {
            self.conn.execute(
                "INSERT OR IGNORE INTO index_pending (report_id) VALUES (?1)",
                [&report.id],
            )?;
        }
        if outcome != PutOutcome::Unchanged || !scorecard::is_current(&self.conn, &report.id)? {
            let first_seen: String = self.conn.query_row(
                "SELECT first_seen FROM reports WHERE id = ?1",
                [&report.id],
                |r| r.get(0),
            )?;
            scorecard::store(&self.conn, report, &first_seen)?;
        }
        Ok(outcome)
    }

    /// One report by id, with its institution's key.
    pub fn report(&self, id: &str) -> Result<Option<Report>> {
        let row = self
            .conn
            .query_row(&format!("{REPORT_ROW} WHERE r.id = ?1"), [id], report_row)
            .optional()?;
        row.map(|(json, code, inst)| {
            let report = serde_json::from_str(&json)?;
            Ok(with_institution(report, code.as_deref(), inst))
        })
        .transpose()
    }

    /// All reports, in id order, with their institutions' keys.
    pub fn reports(&self) -> Result<Vec<Report>> {
        let mut stmt = self.conn.prepare(&format!("{REPORT_ROW} ORDER BY r.id"))?;
        let rows = stmt.query_map([], report_row)?;
        rows.map(|row| {
            let (json, code, inst) = row?;
            let report = serde_json::from_str(&json)?;
            Ok(with_institution(report, code.as_deref(), inst))
        })
        .collect()
    }

    /// Rewrites a stored report's year fields (`xxgk reindex` applying the year rule again):
    /// the row's `year` and its JSON, only while its text is the one stored — same
    /// version, same institution, no outbox entry. Returns whether a row changed.
    pub fn set_report_year(&self, report: &Report) -> Result<bool> {
        let json = serde_json::to_string(report)?;
        let n = self.conn.execute(
            "UPDATE reports SET year = ?2, json = ?3 WHERE id = ?1 AND content_hash = ?4",
            params![report.id, report.year, json, report.content_hash],
        )?;
        if n > 0 {
            // The year decides the deadline: the scorecard follows it.
            let first_seen: String = self.conn.query_row(
                "SELECT first_seen FROM reports WHERE id = ?1",
                [&report.id],
                |r| r.get(0),
            )?;
            scorecard::store(&self.conn, report, &first_seen)?;
        }
        Ok(n > 0)
    }

    pub fn count_reports(&self) -> Result<usize> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests;
