//! The one route from the archive into the index. Every new or changed report enters the
//! archive's outbox (`index_pending`) in the transaction that stores it; [`drain_outbox`]
//! writes the outbox into the index and clears it only after the index commit, so a
//! process killed between the two leaves the outbox full for the next writer.
//!
//! [`sync_index`] also reconciles both ways by id and content hash — a report missing
//! from the index or indexed with other text is written again, an indexed report the
//! archive does not hold is removed — so an index restored from an old copy, or written by
//! a crashed run, converges to what a clean run gives. [`reindex`] rebuilds it whole.

use serde::Serialize;
use xxgk_archive::Archive;
use xxgk_index::{Engine, Writer};

use crate::Result;

/// What reconciling found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub stored_reports: usize,
    /// Reports in the index before reconciling.
    pub indexed_before: usize,
    /// Reports written to the index (outbox, missing or stale).
    pub written: usize,
    /// Indexed reports the archive does not hold, removed.
    pub removed: usize,
}

/// How the archive and the index compare (without writing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub stored_reports: usize,
    pub indexed_reports: usize,
    /// In the outbox.
    pub pending: usize,
    /// Stored, but missing from the index or indexed with other text.
    pub missing_or_stale: Vec<String>,
    /// Indexed, but not stored.
    pub orphans: Vec<String>,
}

impl Drift {
    pub fn in_sync(&self) -> bool {
        self.pending == 0 && self.missing_or_stale.is_empty() && self.orphans.is_empty()
    }
}

/// Compares the archive with the index.
pub fn drift(archive: &Archive, engine: &Engine) -> Result<Drift> {
    let stored = archive.report_hashes()?;
    let indexed = engine.indexed_reports()?;
    let mut missing: Vec<String> = stored
        .iter()
        .filter(|(id, hash)| indexed.get(*id) != Some(*hash))
        .map(|(id, _)| id.clone())
        .collect();
    missing.sort();
    let mut orphans: Vec<String> = indexed
        .keys()
        .filter(|id| !stored.contains_key(*id))
        .cloned()
        .collect();
    orphans.sort();
    Ok(Drift {
        stored_reports: stored.len(),
        indexed_reports: indexed.len(),
        pending: archive.pending_count()?,
        missing_or_stale: missing,
        orphans,
    })
}

/// Drains the outbox into `writer` and repairs any drift, then commits the index and
/// clears the outbox (in that order). `engine` is the index `writer` writes. Reads every
/// indexed report's hash: run it when a writer starts, not per batch.
pub fn sync_index(archive: &Archive, engine: &Engine, writer: &mut Writer) -> Result<Reconciled> {
    let pending = archive.pending_ids()?;
    let drift = drift(archive, engine)?;
    let mut todo: Vec<&String> = pending
        .iter()
        .chain(drift.missing_or_stale.iter())
        .collect();
    todo.sort();
    todo.dedup();
    let written = write_index(archive, engine, writer, &todo, &drift.orphans, &pending)?;
    if written > 0 || !drift.orphans.is_empty() {
        tracing::info!(
            written,
            removed = drift.orphans.len(),
            "index reconciled with the archive"
        );
    }
    Ok(Reconciled {
        stored_reports: drift.stored_reports,
        indexed_before: drift.indexed_reports,
        written,
        removed: drift.orphans.len(),
    })
}

/// Drains only the outbox into `writer`, commits and clears it: the end of a batch whose
/// start ran [`sync_index`]. Returns the reports written.
pub fn drain_outbox(archive: &Archive, engine: &Engine, writer: &mut Writer) -> Result<usize> {
    let pending = archive.pending_ids()?;
    let todo: Vec<&String> = pending.iter().collect();
    write_index(archive, engine, writer, &todo, &[], &pending)
}

/// Rebuilds the whole index from the archive's reports; returns how many were written.
/// Each report's year is decided again by the year rule (issue 19:
/// [`xxgk_model::Report::apply_covered_year`]), and a report it relabels is stored so.
pub fn reindex(archive: &Archive, engine: &Engine, writer: &mut Writer) -> Result<usize> {
    writer.clear()?;
    let mut n = 0usize;
    let mut relabelled = 0usize;
    for mut report in archive.reports()? {
        if report.apply_covered_year() && archive.set_report_year(&report)? {
            relabelled += 1;
        }
        writer.upsert(&report)?;
        n += 1;
    }
    if relabelled > 0 {
        tracing::info!(relabelled, "years decided again by the year rule");
    }
    writer.commit()?;
    engine.reload()?;
    // Everything is indexed now: this only empties the outbox.
    drain_outbox(archive, engine, writer)?;
    Ok(n)
}

/// Upserts `ids` (deleting those no longer stored) and deletes `orphans`, commits, then
/// clears `pending` from the outbox. Returns the reports written.
fn write_index(
    archive: &Archive,
    engine: &Engine,
    writer: &mut Writer,
    ids: &[&String],
    orphans: &[String],
    pending: &[String],
) -> Result<usize> {
    let mut written = 0;
    for id in ids {
        match archive.report(id)? {
            Some(report) => {
                writer.upsert(&report)?;
                written += 1;
            }
            // In the outbox but no longer stored: make sure it is not indexed.
            None => writer.delete(id),
        }
    }
    for id in orphans {
        writer.delete(id);
    }
    if !ids.is_empty() || !orphans.is_empty() {
        writer.commit()?;
        engine.reload()?;
        archive.clear_pending(pending)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxgk_model::Report;

    fn report(url: &str, text: &str) -> Report {
        xxgk_testkit::report("甲大学", "2020-2021")
            .url(url)
            .text(text)
            .build()
    }

    #[test]
    fn a_crash_between_store_and_index_converges() {
        let archive = Archive::open_in_memory().expect("archive");
        let engine = Engine::create_in_ram().expect("index");
        // Stored, never indexed (killed before the index commit).
        let a = report("file:///a.txt", "学校公开了收费标准。");
        let b = report("file:///b.txt", "学校公开了招生章程。");
        archive.put_report(&a).expect("put");
        archive.put_report(&b).expect("put");
        // An orphan: indexed, not stored (an index from another archive).
        let orphan = report("file:///gone.txt", "旧内容。");
        let mut w = engine.writer(1).expect("writer");
        w.upsert(&orphan).expect("upsert");
        // b indexed with stale text.
        let mut stale = b.clone();
        stale.sections[0].text = "旧的招生章程。".into();
        stale.content_hash = Report::hash_sections(&stale.sections);
        w.upsert(&stale).expect("upsert");
        w.commit().expect("commit");
        engine.reload().expect("reload");

        let before = drift(&archive, &engine).expect("drift");
        assert_eq!(before.pending, 2);
        assert_eq!(before.missing_or_stale.len(), 2);
        assert_eq!(before.orphans, std::slice::from_ref(&orphan.id));
        assert!(!before.in_sync());

        let done = sync_index(&archive, &engine, &mut w).expect("sync");
        assert_eq!((done.written, done.removed), (2, 1));
        let after = drift(&archive, &engine).expect("drift");
        assert!(after.in_sync(), "{after:?}");
        let indexed = engine.indexed_reports().expect("indexed");
        assert_eq!(indexed.get(&b.id), Some(&b.content_hash));
        // Nothing to do the second time.
        let again = sync_index(&archive, &engine, &mut w).expect("sync");
        assert_eq!((again.written, again.removed), (0, 0));
    }

    #[test]
    fn reindex_rebuilds_from_the_archive_and_empties_the_outbox() {
        let archive = Archive::open_in_memory().expect("archive");
        let engine = Engine::create_in_ram().expect("index");
        let mut w = engine.writer(1).expect("writer");
        archive
            .put_report(&report("file:///a.txt", "学校公开了收费标准。"))
            .expect("put");
        w.upsert(&report("file:///stray.txt", "不在档案里。"))
            .expect("upsert");
        w.commit().expect("commit");
        assert_eq!(reindex(&archive, &engine, &mut w).expect("reindex"), 1);
        let indexed = engine.indexed_reports().expect("indexed");
        assert_eq!(indexed.len(), 1);
        assert_eq!(archive.pending_count().expect("pending"), 0);
    }

    /// Issue 19: `reindex` decides each stored report's year again, stores the new label
    /// and indexes it (a report titled 2017年度 that covers 2016-09 – 2017-08).
    #[test]
    fn issue_19_reindex_applies_the_year_rule_to_stored_reports() {
        let archive = Archive::open_in_memory().expect("archive");
        let engine = Engine::create_in_ram().expect("index");
        let mut w = engine.writer(1).expect("writer");
        let mut old = report(
            "file:///2017.txt",
            "本报告数据统计起止时间是2016年9月1日至2017年8月31日。",
        );
        old.title = "甲大学2017年度信息公开工作报告".into();
        old.year = Some("2017".into());
        archive.put_report(&old).expect("put");
        assert_eq!(reindex(&archive, &engine, &mut w).expect("reindex"), 1);
        let stored = archive.report(&old.id).expect("get").expect("stored");
        assert_eq!(stored.year.as_deref(), Some("2016-2017"));
        assert_eq!(stored.year_as_written.as_deref(), Some("2017年度"));
        assert_eq!(stored.period_end.as_deref(), Some("2017-08-31"));
        let indexed = engine.report(&old.id).expect("report").expect("indexed");
        assert_eq!(indexed.year.as_deref(), Some("2016-2017"));
    }
}
