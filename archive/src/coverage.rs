//! Coverage: for every institution × academic year since 2010-2011 (the disclosure rules
//! took effect in September 2010), what the archive holds and, when it holds nothing,
//! why — so that "this school does not disclose X" is only ever said of a report that
//! was read.
//!
//! | status | meaning | evidence |
//! | --- | --- | --- |
//! | `archived` | report(s) held | ids, URLs, first/last seen, versions |
//! | `not_found` | the school's site was crawled, no report for that year found | when, pages |
//! | `unreachable` | the last crawl got no answer from any start page | error class, when |
//! | `not_crawled` | no source for the institution (or its source never ran) | — |
//!
//! An institution with several sources takes the best crawl: one that answered beats
//! one that failed, which beats none.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::params;
use serde::Serialize;

use crate::institutions::{Institution, InstitutionFilter};
use crate::registry::name_key;
use crate::{Archive, Error, Result};

/// The first academic year reports are due for.
pub const FIRST_YEAR: i32 = 2010;

/// One cell's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Archived,
    NotFound,
    Unreachable,
    NotCrawled,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Archived,
        Status::NotFound,
        Status::Unreachable,
        Status::NotCrawled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Archived => "archived",
            Status::NotFound => "not_found",
            Status::Unreachable => "unreachable",
            Status::NotCrawled => "not_crawled",
        }
    }

    /// The label on the site.
    pub fn label(self) -> &'static str {
        match self {
            Status::Archived => "已存档",
            Status::NotFound => "抓取未见",
            Status::Unreachable => "无法访问",
            Status::NotCrawled => "未抓取",
        }
    }
}

/// A report held, as coverage's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRef {
    pub report_id: String,
    pub url: String,
    pub title: String,
    pub first_seen: String,
    pub last_seen: String,
    /// Stored versions of its page (0 for an imported report).
    pub versions: u64,
    /// The report's year as written (`2019-2020`, or a calendar year `2020`).
    pub year: Option<String>,
}

/// The academic year a report's year label counts for: an academic label for itself; a
/// calendar-year report (`2020`: January to December) for the academic year ending in
/// it (2019-2020), which holds eight of its twelve months.
pub fn academic_of(label: &str) -> Option<String> {
    let label = label.trim();
    if parse_year(label).is_ok() {
        return Some(label.to_string());
    }
    let y: i32 = label.parse().ok().filter(|y| (1990..2200).contains(y))?;
    Some(format!("{}-{y}", y - 1))
}

/// What the last crawl of an institution's source found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrawlEvidence {
    pub source: String,
    /// When the run finished (ISO 8601, UTC).
    pub at: String,
    /// Pages and attachments that answered.
    pub pages: u64,
    /// Why no start page answered (`connect`, `timeout`, `robots`, `http_503` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One institution × year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub status: Status,
    pub reports: Vec<ReportRef>,
    /// The evidence in a sentence.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl: Option<CrawlEvidence>,
}

/// One institution's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchoolCoverage {
    pub name: String,
    pub code: Option<String>,
    pub province: Option<String>,
    pub level: Option<String>,
    pub in_sources: bool,
    pub years: BTreeMap<String, Cell>,
    /// Reports held whose year could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undated: Vec<ReportRef>,
}

/// The coverage matrix (the JSON of `xxgk coverage --json` and `/api/coverage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub years: Vec<String>,
    pub schools: Vec<SchoolCoverage>,
    /// Cells per status.
    pub totals: BTreeMap<Status, usize>,
    /// Cells per status, per province (registry spelling; 未知 when none is known).
    pub provinces: BTreeMap<String, BTreeMap<Status, usize>>,
}

/// Which part of the matrix to compute.
#[derive(Debug, Clone, Default)]
pub struct CoverageRequest {
    pub filter: InstitutionFilter,
    /// Academic years (`2019-2020`); empty: every year from 2010-2011 to the latest.
    pub years: Vec<String>,
    /// Only institutions that have a crawl source.
    pub in_sources_only: bool,
}

/// An institution in scope with no report for the years in scope (the `no_report` group
/// of the "which schools" answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoReport {
    pub school: String,
    pub code: Option<String>,
    pub province: Option<String>,
    pub status: Status,
    pub detail: String,
    /// Whether the institution has a crawl source.
    pub in_sources: bool,
    /// The institution's key ([`crate::institutions::institution_key`]), to recognise it
    /// in the index's answer.
    #[serde(skip)]
    pub institution: String,
    /// Folded names and aliases, to recognise the school in the index's answer where its
    /// reports carry no institution.
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// Academic years from 2010-2011 to the last one that has ended by `today` (a year ends
/// on 31 August; its report is due by the end of October).
pub fn academic_years(today: time::Date) -> Vec<String> {
    let last_start = if u8::from(today.month()) >= 9 {
        today.year() - 1
    } else {
        today.year() - 2
    };
    (FIRST_YEAR..=last_start.max(FIRST_YEAR))
        .map(|y| format!("{y}-{}", y + 1))
        .collect()
}

/// Checks a year filter: `2019-2020`.
pub fn parse_year(s: &str) -> Result<String> {
    let s = s.trim();
    // The one year rule (`xxgk_model::year`): an academic year's label.
    let ok = matches!(
        xxgk_model::year::ReportYear::parse(s),
        Some(xxgk_model::year::ReportYear::Academic(_))
    );
    if ok {
        Ok(s.to_string())
    } else {
        Err(Error::Config(format!(
            "year must be an academic year like 2019-2020, not {s:?} (coverage counts a \
             calendar-year report, 2020, for the academic year ending in it, 2019-2020)"
        )))
    }
}

/// The crawl state of one institution (its best source).
#[derive(Debug, Clone)]
enum CrawlState {
    NoSource,
    NeverRan { source: String },
    Unreachable(CrawlEvidence),
    Crawled(CrawlEvidence),
}

impl CrawlState {
    fn rank(&self) -> u8 {
        match self {
            CrawlState::NoSource => 0,
            CrawlState::NeverRan { .. } => 1,
            CrawlState::Unreachable(_) => 2,
            CrawlState::Crawled(_) => 3,
        }
    }

    fn cell(&self, year: &str) -> Cell {
        let (status, detail, crawl) = match self {
            CrawlState::NoSource => (Status::NotCrawled, "没有该校的抓取来源".to_string(), None),
            CrawlState::NeverRan { source } => {
                (Status::NotCrawled, format!("来源 {source} 尚未抓取"), None)
            }
            CrawlState::Unreachable(e) => (
                Status::Unreachable,
                // Chinese for readers, whole; the class and the library's message stay
                // in the evidence (`crawl.error`, `crawl.message`) and the logs.
                format!(
                    "{} 抓取失败：{}",
                    day(&e.at),
                    xxgk_model::fetch_errors::error_label(e.error.as_deref().unwrap_or("other")),
                ),
                Some(e.clone()),
            ),
            CrawlState::Crawled(e) => (
                Status::NotFound,
                format!("{} 抓取 {} 页，未见 {year} 学年报告", day(&e.at), e.pages),
                Some(e.clone()),
            ),
        };
        Cell {
            status,
            reports: Vec::new(),
            detail,
            crawl,
        }
    }

    fn status(&self) -> Status {
        self.cell("").status
    }
}

fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// Everything coverage is computed from, read in a few queries.
struct Snapshot {
    institutions: Vec<Institution>,
    /// Reports per institution: (year, report).
    reports: HashMap<i64, Vec<(Option<String>, ReportRef)>>,
    crawl: HashMap<i64, CrawlState>,
    years_held: Vec<String>,
}

impl Archive {
    fn snapshot(&self, filter: &InstitutionFilter) -> Result<Snapshot> {
        let mut institutions = self.load_institutions(None)?;
        institutions.retain(|i| filter.keeps(i));

        let mut reports: HashMap<i64, Vec<(Option<String>, ReportRef)>> = HashMap::new();
        let mut years_held = HashSet::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT r.institution_id, r.year, r.id, r.url, json_extract(r.json, '$.title'),
                        COALESCE((SELECT min(first_fetched) FROM versions v WHERE v.report_id = r.id),
                                 r.first_seen),
                        COALESCE((SELECT max(last_seen) FROM versions v WHERE v.report_id = r.id),
                                 r.updated),
                        (SELECT count(*) FROM versions v WHERE v.report_id = r.id)
                 FROM reports r WHERE r.institution_id IS NOT NULL
                 ORDER BY r.year, r.url",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    ReportRef {
                        report_id: r.get(2)?,
                        url: r.get(3)?,
                        title: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        first_seen: r.get(5)?,
                        last_seen: r.get(6)?,
                        versions: r.get::<_, i64>(7)?.max(0) as u64,
                        year: None,
                    },
                ))
            })?;
            for row in rows {
                let (inst, written, mut rref) = row?;
                let year = written.as_deref().and_then(academic_of);
                rref.year = written;
                if let Some(y) = &year {
                    years_held.insert(y.clone());
                }
                reports.entry(inst).or_default().push((year, rref));
            }
        }

        let mut crawl: HashMap<i64, CrawlState> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT s.institution_id, s.name, c.finished, c.pages_ok, c.start_error,
                        c.start_message,
                        (SELECT count(*) FROM pages p WHERE p.school = s.name
                            AND p.last_status BETWEEN 200 AND 399)
                 FROM sources s
                 LEFT JOIN crawl_runs c ON c.id = (SELECT max(id) FROM crawl_runs
                                                   WHERE school = s.name AND finished IS NOT NULL)
                 WHERE s.institution_id IS NOT NULL",
            )?;
            let rows = stmt.query_map(params![], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?;
            for row in rows {
                let (inst, source, finished, pages_ok, start_error, message, pages_known) = row?;
                let state = match finished {
                    None => CrawlState::NeverRan { source },
                    Some(at) => {
                        let evidence = CrawlEvidence {
                            source,
                            at,
                            // Runs from before schema 3 did not count: the pages that answered.
                            pages: pages_ok.unwrap_or(pages_known).max(0) as u64,
                            error: start_error.clone(),
                            message,
                        };
                        if start_error.is_some() {
                            CrawlState::Unreachable(evidence)
                        } else {
                            CrawlState::Crawled(evidence)
                        }
                    }
                };
                let slot = crawl.entry(inst).or_insert(CrawlState::NoSource);
                if state.rank() > slot.rank() {
                    *slot = state;
                }
            }
        }
        let mut years_held: Vec<String> = years_held.into_iter().collect();
        years_held.sort();
        Ok(Snapshot {
            institutions,
            reports,
            crawl,
            years_held,
        })
    }

    /// The coverage matrix.
    pub fn coverage(&self, req: &CoverageRequest) -> Result<Coverage> {
        let _span = tracing::debug_span!("coverage").entered();
        req.filter.validate()?;
        let years: Vec<String> = req
            .years
            .iter()
            .map(|y| parse_year(y))
            .collect::<Result<_>>()?;
        let snap = self.snapshot(&req.filter)?;
        let years = if years.is_empty() {
            let mut all = academic_years(time::OffsetDateTime::now_utc().date());
            for y in &snap.years_held {
                // Later years that reports already name (and no odd labels).
                if parse_year(y).is_ok() && !all.contains(y) && y.as_str() > "2010" {
                    all.push(y.clone());
                }
            }
            all.sort();
            all
        } else {
            years
        };
        let mut totals: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
        let mut provinces: BTreeMap<String, BTreeMap<Status, usize>> = BTreeMap::new();
        let mut schools = Vec::new();
        for inst in &snap.institutions {
            let state = snap
                .crawl
                .get(&inst.id)
                .cloned()
                .unwrap_or(CrawlState::NoSource);
            let in_sources = !matches!(state, CrawlState::NoSource);
            if req.in_sources_only && !in_sources {
                continue;
            }
            let held = snap.reports.get(&inst.id);
            let mut row = BTreeMap::new();
            for year in &years {
                let found: Vec<ReportRef> = held
                    .into_iter()
                    .flatten()
                    .filter(|(y, _)| y.as_deref() == Some(year.as_str()))
                    .map(|(_, r)| r.clone())
                    .collect();
                let cell = if found.is_empty() {
                    state.cell(year)
                } else {
                    let versions: u64 = found.iter().map(|r| r.versions).sum();
                    Cell {
                        status: Status::Archived,
                        detail: format!(
                            "{} 份报告，首次存档 {}{}{}",
                            found.len(),
                            day(&found[0].first_seen),
                            if versions > 1 {
                                format!("，{versions} 个版本")
                            } else {
                                String::new()
                            },
                            match found
                                .iter()
                                .find_map(|r| { r.year.as_deref().filter(|w| w != year) })
                            {
                                Some(w) => format!("（按 {w} 年度报告计）"),
                                None => String::new(),
                            }
                        ),
                        reports: found,
                        crawl: None,
                    }
                };
                *totals.entry(cell.status).or_default() += 1;
                *provinces
                    .entry(inst.province.clone().unwrap_or_else(|| "未知".into()))
                    .or_default()
                    .entry(cell.status)
                    .or_default() += 1;
                row.insert(year.clone(), cell);
            }
            schools.push(SchoolCoverage {
                name: inst.name.clone(),
                code: inst.code.clone(),
                province: inst.province.clone(),
                level: inst.level.clone(),
                in_sources,
                years: row,
                undated: held
                    .into_iter()
                    .flatten()
                    .filter(|(y, _)| y.is_none())
                    .map(|(_, r)| r.clone())
                    .collect(),
            });
        }
        // Institutions with a source first (where the archive has something to say), then
        // the rest; each by province (in the ministry's order, the code's two province
        // digits), 本科 before 专科, then name — not by raw code, which put six 幼儿师范
        // 高等专科学校 before 北京大学 (issue 18).
        let province_rank: HashMap<String, u8> = schools
            .iter()
            .filter_map(|s| {
                let digits = s.code.as_deref()?.get(2..4)?.parse().ok()?;
                Some((s.province.clone()?, digits))
            })
            .collect();
        schools.sort_by_cached_key(|s| {
            (
                !s.in_sources,
                s.province
                    .as_ref()
                    .and_then(|p| province_rank.get(p).copied())
                    .unwrap_or(u8::MAX),
                s.province.clone(),
                s.level.as_deref() != Some("本科"),
                s.name.clone(),
            )
        });
        Ok(Coverage {
            years,
            schools,
            totals,
            provinces,
        })
    }

    /// Institutions in scope (registry and sources, narrowed by `filter` and, when given,
    /// to the named `schools`) that hold no report for any of `years` (any year at all
    /// when `years` is empty), each with its crawl status.
    pub fn no_report(
        &self,
        years: &[String],
        schools: &[String],
        filter: &InstitutionFilter,
    ) -> Result<Vec<NoReport>> {
        let snap = self.snapshot(filter)?;
        let wanted: HashSet<String> = schools.iter().map(|s| name_key(s)).collect();
        let mut out = Vec::new();
        for inst in &snap.institutions {
            let keys: Vec<String> = std::iter::once(&inst.name)
                .chain(inst.aliases.iter())
                .map(|n| name_key(n))
                .collect();
            if !wanted.is_empty() && !keys.iter().any(|k| wanted.contains(k)) {
                continue;
            }
            let has = snap.reports.get(&inst.id).is_some_and(|rs| {
                rs.iter()
                    .any(|(y, _)| years.is_empty() || y.as_ref().is_some_and(|y| years.contains(y)))
            });
            if has {
                continue;
            }
            let state = snap
                .crawl
                .get(&inst.id)
                .cloned()
                .unwrap_or(CrawlState::NoSource);
            let cell = state.cell(years.first().map_or("", String::as_str));
            out.push(NoReport {
                school: inst.name.clone(),
                code: inst.code.clone(),
                province: inst.province.clone(),
                status: state.status(),
                detail: cell.detail,
                in_sources: !matches!(state, CrawlState::NoSource),
                institution: inst.key(),
                keys,
            });
        }
        // Crawled schools first (the most telling absence), then by code and name.
        out.sort_by_key(|n| n.status);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18: the registry reads by province in the ministry's order, 本科 before 专科,
    /// then name: 北京大学's province first, not the junior colleges whose codes start 36.
    #[test]
    fn institutions_are_ordered_by_province_level_and_name() {
        let archive = Archive::open_in_memory().expect("archive");
        let c = archive
            .coverage(&CoverageRequest {
                years: vec!["2020-2021".into()],
                ..CoverageRequest::default()
            })
            .expect("coverage");
        let first = &c.schools[0];
        assert_eq!(first.province.as_deref(), Some("北京市"), "{}", first.name);
        assert_eq!(first.level.as_deref(), Some("本科"));
        let beijing: Vec<&SchoolCoverage> = c
            .schools
            .iter()
            .take_while(|s| s.province.as_deref() == Some("北京市"))
            .collect();
        assert!(beijing.len() > 50);
        assert!(beijing.iter().any(|s| s.name == "北京大学"));
        let first_zhuanke = beijing
            .iter()
            .position(|s| s.level.as_deref() == Some("专科"));
        if let Some(at) = first_zhuanke {
            assert!(beijing[at..]
                .iter()
                .all(|s| s.level.as_deref() != Some("本科")));
        }
        assert_eq!(c.schools[beijing.len()].province.as_deref(), Some("天津市"));
    }

    #[test]
    fn calendar_years_count_for_the_academic_year_ending_in_them() {
        assert_eq!(academic_of("2019-2020").as_deref(), Some("2019-2020"));
        assert_eq!(academic_of("2020").as_deref(), Some("2019-2020"));
        assert_eq!(academic_of("二〇二〇"), None);
        assert_eq!(academic_of("2018-2021"), None);
        assert!(parse_year("2020").is_err());
    }

    #[test]
    fn academic_years_end_with_the_last_one_over() {
        let nov = time::macros::date!(2026 - 11 - 26);
        let years = academic_years(nov);
        assert_eq!(years.first().map(String::as_str), Some("2010-2011"));
        assert_eq!(years.last().map(String::as_str), Some("2025-2026"));
        let july = time::macros::date!(2026 - 07 - 01);
        assert_eq!(
            academic_years(july).last().map(String::as_str),
            Some("2024-2025")
        );
    }
}
