//! The outbox: every new or changed report enters `index_pending` in the same
//! transaction that stores it, and leaves it only when whoever drains it (the application
//! layer, `xxgk-app`'s `sync`) has committed it to the index. A process killed between
//! the two leaves the outbox full, and the next writer drains it. This module is the one
//! interface to that table; the archive itself never sees the index.

use std::collections::HashMap;

use crate::{Archive, Result};

impl Archive {
    /// Every stored report's id and content hash.
    pub fn report_hashes(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.conn.prepare("SELECT id, content_hash FROM reports")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The reports waiting in the outbox, by id.
    pub fn pending_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT report_id FROM index_pending ORDER BY report_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many reports wait in the outbox.
    pub fn pending_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM index_pending", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Marks reports as written to a committed index.
    pub fn clear_pending(&self, ids: &[String]) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for id in ids {
            tx.execute("DELETE FROM index_pending WHERE report_id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }
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
    fn stored_reports_wait_in_the_outbox_until_cleared() {
        let archive = Archive::open_in_memory().expect("archive");
        let a = report("file:///a.txt", "学校公开了收费标准。");
        let b = report("file:///b.txt", "学校公开了招生章程。");
        archive.put_report(&a).expect("put");
        archive.put_report(&b).expect("put");
        let mut ids = vec![a.id.clone(), b.id.clone()];
        ids.sort();
        assert_eq!(archive.pending_ids().expect("pending"), ids);
        assert_eq!(archive.pending_count().expect("count"), 2);
        archive.clear_pending(&ids[..1]).expect("clear");
        assert_eq!(archive.pending_ids().expect("pending"), ids[1..]);
        // Storing the same text again does not queue it again.
        archive.clear_pending(&ids).expect("clear");
        archive.put_report(&a).expect("put");
        assert_eq!(archive.pending_count().expect("count"), 0);
        let hashes = archive.report_hashes().expect("hashes");
        assert_eq!(hashes.get(&a.id), Some(&a.content_hash));
    }
}
