//! The transparency scorecard as the archive keeps it (issue 20): one row per report,
//! computed by [`xxgk_model::figures::scorecard`] when the report is stored — never per
//! request — and computed again, once, for stored reports whose row is missing or was
//! made by older rules ([`RULES_VERSION`]).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use xxgk_model::figures::{scorecard, scorecard_first_seen, Date, Scorecard, RULES_VERSION};
use xxgk_model::names::name_key;
use xxgk_model::Report;

use crate::coverage::academic_of;
use crate::institutions::institution_key;
use crate::registry::province_short;
use crate::{Archive, Result};

/// A report's scorecard with the institution it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardRow {
    /// The institution's name (the report's school name when it is linked to none).
    pub school: String,
    pub code: Option<String>,
    pub province: Option<String>,
    /// The institution's key ([`crate::institutions::institution_key`]).
    pub institution: Option<String>,
    pub title: String,
    pub url: String,
    /// The year as the report writes it (`2017年度`) when the year it covers
    /// (`card.year`) was read from its statistics period instead.
    pub year_as_written: Option<String>,
    /// The statistics period the report states (`YYYY-MM-DD`).
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    #[serde(flatten)]
    pub card: Scorecard,
}

/// Which rows to list; empty fields keep everything.
#[derive(Debug, Clone, Default)]
pub struct ScorecardFilter {
    /// Year labels as a report covers them (`2019-2020`); a calendar-year report counts
    /// for the academic year ending in it.
    pub years: Vec<String>,
    /// School names (either script, any registered name or alias of the institution).
    pub schools: Vec<String>,
    /// Province, long (湖南省) or short (湖南).
    pub province: Option<String>,
}

/// Computes and stores the scorecard of `report`, first seen at `first_seen` (ISO 8601):
/// published on the page's date, else no later than the day it was first seen.
pub(crate) fn store(conn: &Connection, report: &Report, first_seen: &str) -> Result<()> {
    let card = match (
        report.published.as_deref().and_then(Date::parse),
        Date::parse(first_seen),
    ) {
        (Some(page), _) => scorecard(report, Some(page)),
        (None, Some(seen)) => scorecard_first_seen(report, seen),
        (None, None) => scorecard(report, None),
    };
    conn.execute(
        "INSERT INTO scorecards (report_id, rules, json) VALUES (?1, ?2, ?3)
         ON CONFLICT(report_id) DO UPDATE SET rules = excluded.rules, json = excluded.json",
        params![report.id, RULES_VERSION, serde_json::to_string(&card)?],
    )?;
    Ok(())
}

/// Whether `report_id` has a scorecard made by the current rules.
pub(crate) fn is_current(conn: &Connection, report_id: &str) -> Result<bool> {
    let rules: Option<u32> = conn
        .query_row(
            "SELECT rules FROM scorecards WHERE report_id = ?1",
            [report_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(rules == Some(RULES_VERSION))
}

impl Archive {
    /// Computes the scorecards that are missing or were made by older rules; returns how
    /// many. Run when the archive is opened for writing, so that an upgrade needs no step.
    pub fn fill_scorecards(&self) -> Result<usize> {
        let stale: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT r.json, r.first_seen FROM reports r
                 LEFT JOIN scorecards s ON s.report_id = r.id
                 WHERE s.report_id IS NULL OR s.rules <> ?1",
            )?;
            let rows = stmt.query_map([RULES_VERSION], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if stale.is_empty() {
            return Ok(0);
        }
        // About 2 ms a report: say so before a large archive makes the caller wait.
        tracing::info!(
            reports = stale.len(),
            "computing the scorecards of stored reports (once, after an upgrade)"
        );
        let tx = self.conn.unchecked_transaction()?;
        for (json, first_seen) in &stale {
            let report: Report = serde_json::from_str(json)?;
            store(&tx, &report, first_seen)?;
        }
        tx.commit()?;
        Ok(stale.len())
    }

    /// The stored scorecard of one report (`None` for a report the archive does not hold).
    pub fn report_scorecard(&self, report_id: &str) -> Result<Option<Scorecard>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM scorecards WHERE report_id = ?1",
                [report_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match json {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        })
    }

    /// The scorecard rows in scope, by school name then year.
    pub fn scorecard(&self, filter: &ScorecardFilter) -> Result<Vec<ScorecardRow>> {
        let schools: Vec<String> = filter.schools.iter().map(|s| name_key(s)).collect();
        let want_institutions: Vec<i64> = {
            let mut ids = Vec::new();
            for school in &filter.schools {
                if let Some(inst) = self.find_institution(school)? {
                    ids.push(inst.id);
                }
            }
            ids
        };
        let mut stmt = self.conn.prepare(
            "SELECT s.json, r.school, i.name, i.code, i.province, r.institution_id, r.url,
                    json_extract(r.json, '$.title'), json_extract(r.json, '$.province'),
                    json_extract(r.json, '$.year_as_written'),
                    json_extract(r.json, '$.period_start'), json_extract(r.json, '$.period_end')
             FROM scorecards s JOIN reports r ON r.id = s.report_id
             LEFT JOIN institutions i ON i.id = r.institution_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                (
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                ),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                json,
                report_school,
                name,
                code,
                province,
                inst_id,
                url,
                title,
                report_province,
                (year_as_written, period_start, period_end),
            ) = row?;
            let card: Scorecard = serde_json::from_str(&json)?;
            let province = province.or(report_province);
            if !filter.years.is_empty() {
                let covered = card.year.as_deref().and_then(academic_of);
                if !covered.is_some_and(|y| filter.years.iter().any(|w| w.trim() == y)) {
                    continue;
                }
            }
            if !filter.schools.is_empty() {
                let by_institution = inst_id.is_some_and(|id| want_institutions.contains(&id));
                let by_name = schools.contains(&name_key(&report_school));
                if !by_institution && !by_name {
                    continue;
                }
            }
            if let Some(p) = &filter.province {
                if province.as_deref().map(province_short) != Some(province_short(p)) {
                    continue;
                }
            }
            out.push(ScorecardRow {
                school: name.unwrap_or(report_school),
                institution: inst_id.map(|id| institution_key(code.as_deref(), id)),
                code,
                province,
                title: title.unwrap_or_default(),
                url,
                year_as_written,
                period_start,
                period_end,
                card,
            });
        }
        out.sort_by(|a, b| {
            (
                a.school.as_str(),
                a.card.year.as_deref(),
                a.card.report_id.as_str(),
            )
                .cmp(&(
                    b.school.as_str(),
                    b.card.year.as_deref(),
                    b.card.report_id.as_str(),
                ))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use xxgk_model::figures::FigureKind;
    use xxgk_model::SectionId;

    use super::*;

    fn report(school: &str, year: &str, on_request: &str) -> Report {
        xxgk_testkit::report(school, year)
            .section(
                SectionId::Overview,
                "一、概述",
                "学校认真贯彻信息公开各项规定。",
            )
            .section(
                SectionId::OnRequest,
                "三、依申请公开和不予公开情况",
                on_request,
            )
            .published("2021-10-20")
            .build()
    }

    /// Issue 20: the scorecard is made when a report is stored and read back with the
    /// report's institution; filters by year, school (either script) and province.
    #[test]
    fn a_stored_report_has_its_scorecard_row() {
        let archive = Archive::open_in_memory().expect("archive");
        let beida = report(
            "北京大学",
            "2020-2021",
            "本学年共收到信息公开申请12件，其中同意公开8件、不予公开4件。",
        );
        let hunan = report("湖南商學院", "2019-2020", "本學年未收到信息公開申請。");
        archive.put_report(&beida).expect("put");
        archive.put_report(&hunan).expect("put");

        let all = archive
            .scorecard(&ScorecardFilter::default())
            .expect("rows");
        assert_eq!(all.len(), 2);
        let row = all
            .iter()
            .find(|r| r.card.report_id == beida.id)
            .expect("row");
        assert_eq!(row.school, "北京大学");
        assert_eq!(row.code.as_deref(), Some("4111010001"));
        assert_eq!(row.institution.as_deref(), Some("4111010001"));
        assert_eq!(row.province.as_deref(), Some("北京市"));
        assert_eq!(row.card.on_time, Some(true));
        let received = row
            .card
            .figures
            .get(FigureKind::RequestsReceived)
            .expect("stated");
        assert_eq!(received.value.as_f64(), 12.0);
        assert!(received.quote.contains("12件"), "{}", received.quote);

        let only = |filter: ScorecardFilter| -> Vec<String> {
            archive
                .scorecard(&filter)
                .expect("rows")
                .into_iter()
                .map(|r| r.card.report_id)
                .collect()
        };
        assert_eq!(
            only(ScorecardFilter {
                years: vec!["2019-2020".into()],
                ..Default::default()
            }),
            vec![hunan.id.clone()]
        );
        assert_eq!(
            only(ScorecardFilter {
                schools: vec!["湖南商学院".into()],
                ..Default::default()
            }),
            vec![hunan.id.clone()]
        );
        assert_eq!(
            only(ScorecardFilter {
                province: Some("北京".into()),
                ..Default::default()
            }),
            vec![beida.id.clone()]
        );
        // A statement of none is 0 for exactly the figures it names.
        let none = all
            .iter()
            .find(|r| r.card.report_id == hunan.id)
            .expect("row");
        let received = none
            .card
            .figures
            .get(FigureKind::RequestsReceived)
            .expect("0");
        assert_eq!(received.value.as_f64(), 0.0);
        assert_eq!(none.card.figures.get(FigureKind::Lawsuits), None);
    }

    /// An archive stored before scorecards existed (or by older rules) gets them when it
    /// is next opened for writing, once.
    #[test]
    fn missing_and_outdated_scorecards_are_filled_on_open() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("xxgk.sqlite");
        let stored = report("北京大学", "2020-2021", "共收到信息公开申请3件。");
        {
            let archive = Archive::open(&path).expect("archive");
            archive.put_report(&stored).expect("put");
            archive
                .conn
                .execute("DELETE FROM scorecards", [])
                .expect("forget");
            assert!(archive
                .scorecard(&ScorecardFilter::default())
                .expect("rows")
                .is_empty());
        }
        let archive = Archive::open(&path).expect("reopened");
        let rows = archive
            .scorecard(&ScorecardFilter::default())
            .expect("rows");
        assert_eq!(rows.len(), 1);
        archive
            .conn
            .execute("UPDATE scorecards SET rules = 0, json = '{}'", [])
            .expect("age");
        assert_eq!(archive.fill_scorecards().expect("fill"), 1);
        assert_eq!(archive.fill_scorecards().expect("fill"), 0);
    }
}
