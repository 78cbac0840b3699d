//! What the crawler judged each fetched page to be, kept with the page's version
//! (migration 5, issue 19): for a source where nothing was found, `/sources` says what
//! was fetched by kind and why each candidate was not a report.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::{Archive, Result};

/// One page's judgment: its kind (`start`, `list`, `article`, `notice`, `attachment`,
/// `other`), its own title, and the reasons the page model gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgment {
    pub kind: String,
    pub title: Option<String>,
    pub reasons: Vec<String>,
}

/// A page of a source that is not a report, as judged at its last fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JudgedPage {
    pub url: String,
    #[serde(flatten)]
    pub judgment: Judgment,
}

/// A source's fetched pages by kind, and the pages that are not reports, those whose
/// title names a report first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageKinds {
    pub counts: Vec<(String, usize)>,
    pub not_reports: Vec<JudgedPage>,
}

impl Archive {
    /// The judged pages of source `source`: counts by kind, and at most `limit` pages
    /// that were not reports (articles, notices and others; lists and start pages are
    /// counted only).
    pub fn page_kinds(&self, source: &str, limit: usize) -> Result<PageKinds> {
        let mut stmt = self.conn.prepare(
            "SELECT v.kind, count(*) FROM pages p JOIN versions v ON v.id = p.current_version
             WHERE p.school = ?1 AND v.kind IS NOT NULL GROUP BY v.kind ORDER BY count(*) DESC, v.kind",
        )?;
        let counts = stmt
            .query_map([source], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT p.url, v.kind, v.title, v.reasons FROM pages p
             JOIN versions v ON v.id = p.current_version
             WHERE p.school = ?1 AND p.report_id IS NULL
               AND v.kind IN ('article', 'notice', 'other')
             ORDER BY (coalesce(v.title, '') LIKE '%报告%' OR coalesce(v.title, '') LIKE '%報告%') DESC,
                      p.url
             LIMIT ?2",
        )?;
        let not_reports = stmt
            .query_map(params![source, limit as i64], |r| {
                let reasons: Option<String> = r.get(3)?;
                Ok(JudgedPage {
                    url: r.get(0)?,
                    judgment: Judgment {
                        kind: r.get(1)?,
                        title: r.get(2)?,
                        reasons: reasons
                            .and_then(|j| serde_json::from_str(&j).ok())
                            .unwrap_or_default(),
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(PageKinds {
            counts,
            not_reports,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocRecord, DocState, PageWork};

    fn page(url: &str, kind: &str, title: &str, reasons: &[&str]) -> PageWork {
        PageWork {
            school: "甲大学".into(),
            frontier_url: url.into(),
            docs: vec![DocRecord {
                url: url.into(),
                role: xxgk_model::PageRole::List,
                form: None,
                state: DocState::Fetched {
                    etag: None,
                    last_modified: None,
                    content_type: Some("text/html".into()),
                    encoding: Some("UTF-8".into()),
                    body: url.as_bytes().to_vec(),
                    text: None,
                },
            }],
            judgment: Some(Judgment {
                kind: kind.into(),
                title: Some(title.into()),
                reasons: reasons.iter().map(|r| r.to_string()).collect(),
            }),
            ..PageWork::default()
        }
    }

    #[test]
    fn a_sources_pages_are_kept_with_their_kind_and_reasons() {
        let archive = Archive::open_in_memory().expect("archive");
        for w in [
            page("http://a.edu.cn/", "start", "甲大学", &[]),
            page("http://a.edu.cn/xxgk/", "list", "信息公开", &[]),
            page(
                "http://a.edu.cn/1.htm",
                "other",
                "关于开展校园开放日的通知",
                &["no report title"],
            ),
            page(
                "http://a.edu.cn/2.htm",
                "article",
                "信息公开工作报告",
                &["title names no year", "text does not read like a report"],
            ),
        ] {
            archive.record_page(&w).expect("record");
        }
        let kinds = archive.page_kinds("甲大学", 10).expect("kinds");
        assert_eq!(kinds.counts.len(), 4, "{kinds:?}");
        assert!(kinds.counts.iter().all(|(_, n)| *n == 1));
        let urls: Vec<&str> = kinds.not_reports.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            ["http://a.edu.cn/2.htm", "http://a.edu.cn/1.htm"],
            "report-like titles first"
        );
        assert_eq!(
            kinds.not_reports[0].judgment.reasons,
            ["title names no year", "text does not read like a report"]
        );
        assert!(archive
            .page_kinds("乙大学", 10)
            .expect("none")
            .counts
            .is_empty());
    }
}
