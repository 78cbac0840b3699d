//! Report history: the stored versions of a report's page, the report extracted from any
//! of them (for the diff between two, [`crate::diff`]) and the list of reports edited or
//! removed after they were first stored (`/changes` and its feed).
//!
//! What counts as a change is decided on the *extracted report*, not the page bytes: a
//! page whose click counter or layout changed gets a new stored version, but the same
//! report text (the same `content_hash`) is no edit.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use xxgk_model::Report;

use crate::{Archive, Result};

/// One stored version of a report page: (version id, first fetched, report text hash).
type VersionRow = (i64, String, Option<String>);

/// One fetched version of a report's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportVersion {
    /// SHA-256 of the fetched bytes.
    pub hash: String,
    pub first_fetched: String,
    pub last_seen: String,
    pub bytes: u64,
}

/// How a report changed after it was first stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A later fetch found different report text.
    Edited,
    /// The page now answers 404 / 410 (its versions are kept).
    Gone,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Edited => "内容被修改",
            ChangeKind::Gone => "页面已删除",
        }
    }
}

/// A report that changed or vanished after it was first stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportChange {
    pub report_id: String,
    pub school: String,
    pub year: Option<String>,
    pub title: String,
    pub url: String,
    pub kind: ChangeKind,
    /// When: the fetch that found the new text, or when the page was first found gone
    /// (ISO 8601, UTC).
    pub at: String,
    /// When the report was first stored.
    pub first_seen: String,
    /// Distinct texts stored.
    pub versions: usize,
}

impl Archive {
    /// The stored versions of a report's page, oldest first.
    pub fn report_history(&self, report_id: &str) -> Result<Vec<ReportVersion>> {
        Ok(self
            .report_page_versions(report_id)?
            .into_iter()
            .map(|v| ReportVersion {
                hash: v.hash,
                first_fetched: v.first_fetched,
                last_seen: v.last_seen,
                bytes: u64::try_from(v.size).unwrap_or(0),
            })
            .collect())
    }

    /// The report extracted from the version of `report_id`'s page whose bytes hash to
    /// `hash`.
    pub fn report_at_version(&self, report_id: &str, hash: &str) -> Result<Option<Report>> {
        let versions = self.report_page_versions(report_id)?;
        match versions.iter().find(|v| v.hash == hash) {
            Some(v) => self.report_of_version(v.id),
            None => Ok(None),
        }
    }

    /// Reports edited (a later version holds a different report text: one entry per edit) or
    /// gone (their page now answers 404/410), newest first, at or after `since`.
    ///
    /// Read from `versions.report_json` and `pages.gone_since`.
    pub fn changes(&self, since: Option<&str>, limit: usize) -> Result<Vec<ReportChange>> {
        let conn = &self.conn;
        // Every version of every report page that has more than one, oldest first.
        let mut stmt = conn.prepare(
            "SELECT report_id, id, first_fetched, json_extract(report_json, '$.content_hash')
         FROM versions
         WHERE report_id IN (SELECT report_id FROM versions WHERE report_id IS NOT NULL
                             GROUP BY report_id HAVING count(*) > 1)
         ORDER BY report_id, id",
        )?;
        let mut by_report: BTreeMap<String, Vec<VersionRow>> = BTreeMap::new();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get(1)?, r.get(2)?, r.get::<_, Option<String>>(3)?),
            ))
        })?;
        for row in rows {
            let (report_id, version) = row?;
            by_report.entry(report_id).or_default().push(version);
        }
        // (report id, kind, at, distinct texts)
        let mut events: Vec<(String, ChangeKind, String, usize)> = Vec::new();
        for (report_id, versions) in &by_report {
            let distinct = {
                let mut hashes: Vec<&String> =
                    versions.iter().filter_map(|v| v.2.as_ref()).collect();
                hashes.sort();
                hashes.dedup();
                hashes.len()
            };
            let mut previous: Option<&String> = None;
            for (_, fetched, hash) in versions {
                // A version without a report (extraction failed that time) is no edit.
                let Some(hash) = hash else { continue };
                if previous.is_some_and(|p| p != hash) {
                    events.push((
                        report_id.clone(),
                        ChangeKind::Edited,
                        fetched.clone(),
                        distinct,
                    ));
                }
                previous = Some(hash);
            }
        }
        let mut stmt = conn.prepare(
            "SELECT report_id, gone_since FROM pages
         WHERE gone_since IS NOT NULL AND report_id IS NOT NULL",
        )?;
        let gone = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in gone {
            let (report_id, at) = row?;
            let distinct = by_report.get(&report_id).map_or(1, |versions| {
                let mut hashes: Vec<&String> =
                    versions.iter().filter_map(|v| v.2.as_ref()).collect();
                hashes.sort();
                hashes.dedup();
                hashes.len().max(1)
            });
            events.push((report_id, ChangeKind::Gone, at, distinct));
        }
        if let Some(since) = since {
            events.retain(|(_, _, at, _)| at.as_str() >= since);
        }
        events.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        events.truncate(limit);

        let mut out = Vec::with_capacity(events.len());
        for (report_id, kind, at, versions) in events {
            let first_seen: Option<String> = conn.query_row(
                "SELECT min(first_fetched) FROM versions WHERE report_id = ?1",
                params![report_id],
                |r| r.get(0),
            )?;
            // The report as last stored (its columns, not the whole text); else as extracted
            // from its newest version.
            let stored: Option<(String, Option<String>, String, String)> = conn
                .query_row(
                    "SELECT school, year, json_extract(json, '$.title'), url FROM reports
                 WHERE id = ?1",
                    params![report_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (school, year, title, url) = match stored {
                Some(row) => row,
                None => match self.latest_version_report(&report_id)? {
                    Some(r) => (r.school, r.year, r.title, r.url),
                    None => continue,
                },
            };
            out.push(ReportChange {
                report_id,
                school,
                year,
                title,
                url,
                kind,
                first_seen: first_seen.unwrap_or_else(|| at.clone()),
                at,
                versions,
            });
        }
        Ok(out)
    }

    fn latest_version_report(&self, report_id: &str) -> Result<Option<Report>> {
        for v in self.report_page_versions(report_id)?.iter().rev() {
            if let Some(r) = self.report_of_version(v.id)? {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff_reports, Piece, Status};
    use crate::{DocRecord, DocState, PageWork};
    use xxgk_model::SectionId;

    fn report(url: &str, school: &str, texts: &[(SectionId, &str)]) -> Report {
        let builder = xxgk_testkit::report(school, "2020-2021")
            .url(url)
            .published("2021-10-28");
        texts
            .iter()
            .fold(builder, |b, (id, t)| b.section(*id, id.label(), t))
            .build()
    }

    /// Stores one fetch of `url` the way the crawler does: the page bytes and, when it
    /// is a report, the report extracted from them.
    fn fetch(store: &Archive, url: &str, body: &str, report: Option<Report>) {
        let state = if body.is_empty() {
            DocState::Gone
        } else {
            DocState::Fetched {
                etag: None,
                last_modified: None,
                content_type: Some("text/html".into()),
                encoding: Some("UTF-8".into()),
                body: body.as_bytes().to_vec(),
                text: None,
            }
        };
        store
            .record_page(&PageWork {
                school: "甲大学".into(),
                frontier_url: url.into(),
                docs: vec![DocRecord {
                    url: url.into(),
                    role: xxgk_model::PageRole::Report,
                    form: None,
                    state,
                }],
                report,
                ..PageWork::default()
            })
            .expect("record");
    }

    #[test]
    fn two_stored_versions_diff_by_section_and_count_as_one_edit() {
        let store = Archive::open_in_memory().expect("store");
        let a = "https://xxgk.a.edu.cn/info/1044/1001.htm";
        let v1 = report(
            a,
            "甲大学",
            &[
                (SectionId::Overview, "学校重视信息公开工作。"),
                (SectionId::Proactive, "学校公开了学费、住宿费收费标准。"),
                (SectionId::OnRequest, "本学年收到依申请公开3件。"),
            ],
        );
        let mut v2 = v1.clone();
        v2.sections[1].text = "学校公开了学费标准。".into();
        v2.sections[2].text = "本学年收到依申请公开5件。".into();
        v2.content_hash = Report::hash_sections(&v2.sections);
        fetch(&store, a, "<p>v1</p>", Some(v1.clone()));
        // Same report text, different bytes (a click counter): a version, no edit.
        fetch(&store, a, "<p>v1</p><span>点击 12</span>", Some(v1.clone()));
        fetch(&store, a, "<p>v2</p>", Some(v2.clone()));
        // A second report that never changed.
        let b = "https://xxgk.b.edu.cn/2021/1028/c1a2/page.htm";
        let other = report(b, "乙学院", &[(SectionId::Overview, "无变化。")]);
        fetch(&store, b, "<p>b</p>", Some(other.clone()));

        let versions = store.report_page_versions(&v1.id).expect("versions");
        assert_eq!(versions.len(), 3);
        let old = store
            .report_at_version(&v1.id, &versions[0].hash)
            .expect("read")
            .expect("v1");
        let new = store
            .report_at_version(&v1.id, &versions[2].hash)
            .expect("read")
            .expect("v2");
        assert_eq!(old, v1);
        assert_eq!(new, v2);
        assert!(store
            .report_at_version(&v1.id, "0".repeat(64).as_str())
            .expect("read")
            .is_none());

        let d = diff_reports(&old, &new);
        let statuses: Vec<Status> = d.sections.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [Status::Unchanged, Status::Changed, Status::Changed]
        );
        // 住宿费收费 and a 、 went, nothing came; which 费 stays is the aligner's choice.
        let removed: String = d.sections[1]
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Removed(t) => Some(t.as_str()),
                Piece::Added(_) => panic!("nothing was added: {:?}", d.sections[1]),
                Piece::Same(_) => None,
            })
            .collect();
        assert_eq!(removed.chars().count(), 6, "{:?}", d.sections[1]);
        assert!(d.sections[2].pieces.contains(&Piece::Removed("3".into())));
        assert!(d.sections[2].pieces.contains(&Piece::Added("5".into())));

        let list = store.changes(None, 10).expect("changes");
        assert_eq!(list.len(), 1, "{list:?}");
        let c = &list[0];
        assert_eq!(c.report_id, v1.id);
        assert_eq!(c.kind, ChangeKind::Edited);
        assert_eq!(c.versions, 2, "two distinct texts in three stored versions");
        assert_eq!(c.at, versions[2].first_fetched);
        assert_eq!(c.first_seen, versions[0].first_fetched);
        assert_eq!(c.school, "甲大学");
    }

    #[test]
    fn a_vanished_page_is_listed_as_gone_newest_first_and_since_filters() {
        let store = Archive::open_in_memory().expect("store");
        let clock = crate::Clock::manual(1_700_000_000_000);
        store.set_clock(clock.clone()).expect("clock");
        let a = "https://xxgk.a.edu.cn/info/1044/1001.htm";
        let r = report(
            a,
            "甲大学",
            &[(SectionId::Overview, "学校重视信息公开工作。")],
        );
        fetch(&store, a, "<p>v1</p>", Some(r.clone()));
        let mut edited = r.clone();
        edited.sections[0].text = "学校高度重视信息公开工作。".into();
        edited.content_hash = Report::hash_sections(&edited.sections);
        fetch(&store, a, "<p>v2</p>", Some(edited));
        clock.advance(std::time::Duration::from_millis(5));
        fetch(&store, a, "", None);
        let list = store.changes(None, 10).expect("changes");
        let kinds: Vec<ChangeKind> = list.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChangeKind::Gone, ChangeKind::Edited], "{list:?}");
        assert!(list[0].at > list[1].at);
        assert_eq!(list[0].title, r.title);
        let since = store.changes(Some(&list[0].at), 10).expect("changes");
        assert_eq!(since.len(), 1);
        assert_eq!(since[0].kind, ChangeKind::Gone);
        assert_eq!(store.changes(None, 1).expect("changes").len(), 1);
        assert!(store
            .changes(Some("2999-01-01"), 10)
            .expect("changes")
            .is_empty());
    }
}
