//! The disclosure checklist, 《高等学校信息公开事项清单》: the 50 items in 10 categories
//! that every university must disclose, each with the query that finds a report's mention
//! of it ([`items`]), and the journalist's matrix over it: schools × items for one year,
//! each cell the evidence (report, section, snippet) or empty ([`Engine::checklist_matrix`]).
//!
//! The items live in one reviewed data file, `index/data/checklist.toml`, embedded in the
//! binary. Its queries are ordinary queries of [`crate::query`], so a cell of the matrix
//! means exactly what a search for the item's query finds in that school's report, and the
//! site can link each item to the "which schools" view of the same query.
//!
//! ```
//! use xxgk_index::checklist::{self, MatrixRequest};
//! use xxgk_index::{Engine, Report, Script, Section, SectionId};
//!
//! assert_eq!(checklist::items().len(), 50);
//! let fees = checklist::item(21).expect("item 21");
//! assert_eq!(fees.short, "收费标准");
//!
//! let engine = Engine::create_in_ram()?;
//! let mut writer = engine.writer(1)?;
//! writer.upsert(&Report {
//!     id: "r1".into(),
//!     school: "示例大學".into(),
//!     year: Some("2020-2021".into()),
//!     title: "示例大學信息公開年度報告".into(),
//!     published: None,
//!     url: "https://example.edu.cn/1.htm".into(),
//!     script: Script::Traditional,
//!     content_hash: String::new(),
//!     province: None,
//!     kind: None,
//!     institution: None,
//!     sections: vec![Section {
//!         id: SectionId::Proactive,
//!         heading: "二、主動公開情況".into(),
//!         text: "學校公布了學費、住宿費收費標準。".into(),
//!     }],
//! })?;
//! writer.commit()?;
//! engine.reload()?;
//! let matrix = engine.checklist_matrix(&MatrixRequest::default())?;
//! assert_eq!(matrix.year, "2020-2021");
//! let row = &matrix.rows[0];
//! assert_eq!(row.covered, 1);
//! let cell = row.cells[20].as_ref().expect("item 21 is mentioned");
//! assert!(cell.snippet_html.contains("<mark>收費標準</mark>"));
//! # Ok::<(), xxgk_index::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, SearchRequest};
use crate::fold::{fold, is_han};
use crate::highlight::{highlight_all, match_ranges, snippet, SNIPPET_CHARS};
use crate::query::UserQuery;
use crate::report::{Report, SectionId};
use crate::{Error, Result};

/// The ten categories of the list, in its order.
pub const CATEGORIES: [&str; 10] = [
    "基本信息",
    "招生考试信息",
    "财务资产及收费信息",
    "人事师资信息",
    "教学质量信息",
    "学生管理服务信息",
    "学风建设信息",
    "学位学科信息",
    "对外交流与合作信息",
    "其他",
];

/// How many items the list has.
pub const ITEM_COUNT: usize = 50;

static DATA: &str = include_str!("../data/checklist.toml");

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 1–50, the list's order.
    pub number: u32,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// A label for table headers.
    pub short: String,
    /// The official wording.
    pub wording: String,
    /// The query (our query language) that finds a report's mention of the item.
    pub query: String,
    /// Sentences the query must match (tested).
    #[serde(default, skip_serializing)]
    pub examples: Vec<String>,
    /// Sentences the query must not match (tested).
    #[serde(default, skip_serializing)]
    pub near_misses: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    item: Vec<Item>,
}

/// Parses and checks a checklist file: 50 items numbered 1–50 in order, categories from
/// [`CATEGORIES`] in order, every query valid.
fn parse(data: &str) -> std::result::Result<Vec<Item>, String> {
    let file: DataFile = toml::from_str(data).map_err(|e| e.to_string())?;
    let items = file.item;
    if items.len() != ITEM_COUNT {
        return Err(format!("{} items, expected {ITEM_COUNT}", items.len()));
    }
    let mut last_category = 0;
    for (i, item) in items.iter().enumerate() {
        if item.number as usize != i + 1 {
            return Err(format!("item {} is numbered {}", i + 1, item.number));
        }
        let Some(category) = CATEGORIES.iter().position(|c| *c == item.category) else {
            return Err(format!(
                "item {}: unknown category {:?}",
                item.number, item.category
            ));
        };
        if category < last_category {
            return Err(format!("item {}: category out of order", item.number));
        }
        last_category = category;
        if item.short.is_empty() || item.wording.is_empty() {
            return Err(format!("item {}: empty label or wording", item.number));
        }
        UserQuery::parse(&item.query).map_err(|e| format!("item {}: {e}", item.number))?;
    }
    Ok(items)
}

static ITEMS: LazyLock<Vec<Item>> = LazyLock::new(|| {
    // The file is part of the source and checked by the tests below; a broken file is a
    // build we must not ship, not an input error.
    parse(DATA).unwrap_or_else(|e| panic!("index/data/checklist.toml is invalid: {e}"))
});

/// The 50 items, in the list's order.
pub fn items() -> &'static [Item] {
    &ITEMS
}

/// Item `number` (1–50).
pub fn item(number: u32) -> Option<&'static Item> {
    items().iter().find(|i| i.number == number)
}

/// Which part of the index the matrix covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixRequest {
    /// Academic year (`2020-2021`); `None` is the newest year in the index.
    pub year: Option<String>,
    /// Only schools in these provinces (empty: all). Schools without a province in the
    /// crawl sources are left out when this is set.
    pub provinces: Vec<String>,
    /// Only schools of these kinds (大学, 学院, 职业技术学院 …; empty: all).
    pub kinds: Vec<String>,
    /// Only these schools (empty: all).
    pub schools: Vec<String>,
    /// Leave the snippets out (the cells still name report and section): the page of
    /// the whole matrix links to the evidence instead of printing it.
    pub without_snippets: bool,
}

/// The JSON contract of `xxgk checklist --json` and `/api/checklist`.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The year shown.
    pub year: String,
    /// Every year in the index, newest first.
    pub years: Vec<String>,
    /// Provinces and kinds of the year's schools, before the province and kind filters
    /// (what a filter form can offer).
    pub provinces: Vec<String>,
    pub kinds: Vec<String>,
    /// The filters applied.
    pub filter_provinces: Vec<String>,
    pub filter_kinds: Vec<String>,
    /// The 50 items with how many schools mention each.
    pub items: Vec<ItemCoverage>,
    /// One row per school with a report for the year (within the filters).
    pub rows: Vec<SchoolRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemCoverage {
    pub number: u32,
    pub category: String,
    pub short: String,
    pub wording: String,
    pub query: String,
    /// Schools (rows) whose report mentions the item.
    pub schools: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    pub school: String,
    pub province: Option<String>,
    pub kind: Option<String>,
    /// The school's reports for the year (usually one), newest first.
    pub reports: Vec<ReportRef>,
    /// Items mentioned, out of [`ITEM_COUNT`].
    pub covered: usize,
    /// One cell per item, in item order: the evidence, or `None`.
    pub cells: Vec<Option<Evidence>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub published: Option<String>,
}

/// Where a report mentions an item: the first matching section in document order.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub report_id: String,
    pub section: SectionId,
    /// Position of the section in the report.
    pub section_index: usize,
    /// Which occurrence of `section` it is (0 for the first; reports may repeat a part).
    pub section_nth: usize,
    pub heading: String,
    /// Escaped text around the match, the match in `<mark>` (empty when the request left
    /// snippets out).
    pub snippet_html: String,
}

/// Orders for [`Matrix::sort_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatrixSort {
    /// Most items covered first (then by name).
    #[default]
    Coverage,
    /// By school name.
    School,
    /// By province, then name.
    Province,
    /// Schools mentioning item N first (then by coverage).
    Item(u32),
}

impl MatrixSort {
    /// `coverage`, `school`, `province` or `item:N`.
    pub fn parse(s: &str) -> Option<MatrixSort> {
        match s {
            "" | "coverage" => Some(MatrixSort::Coverage),
            "school" => Some(MatrixSort::School),
            "province" => Some(MatrixSort::Province),
            other => {
                let n: u32 = other.strip_prefix("item:")?.parse().ok()?;
                item(n).map(|_| MatrixSort::Item(n))
            }
        }
    }

    pub fn as_string(self) -> String {
        match self {
            MatrixSort::Coverage => "coverage".into(),
            MatrixSort::School => "school".into(),
            MatrixSort::Province => "province".into(),
            MatrixSort::Item(n) => format!("item:{n}"),
        }
    }
}

impl Matrix {
    /// Sorts the rows; `reverse` turns the order around.
    pub fn sort_rows(&mut self, sort: MatrixSort, reverse: bool) {
        let order = row_order(&self.rows, sort, reverse);
        let mut rows: Vec<Option<SchoolRow>> = self.rows.drain(..).map(Some).collect();
        self.rows = order.into_iter().filter_map(|i| rows[i].take()).collect();
    }
}

/// The positions of `rows` in the order `sort` (turned around with `reverse`) puts them,
/// for a caller that shares the matrix and cannot sort it in place.
pub fn row_order(rows: &[SchoolRow], sort: MatrixSort, reverse: bool) -> Vec<usize> {
    let by_coverage = |a: &SchoolRow, b: &SchoolRow| {
        b.covered
            .cmp(&a.covered)
            .then_with(|| a.school.cmp(&b.school))
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    match sort {
        MatrixSort::Coverage => order.sort_by(|&a, &b| by_coverage(&rows[a], &rows[b])),
        MatrixSort::School => order.sort_by(|&a, &b| rows[a].school.cmp(&rows[b].school)),
        MatrixSort::Province => order.sort_by(|&a, &b| {
            let key = |r: &SchoolRow| (r.province.is_none(), r.province.clone(), r.school.clone());
            // Schools without a province go last.
            key(&rows[a]).cmp(&key(&rows[b]))
        }),
        MatrixSort::Item(n) => {
            let i = n as usize - 1;
            let has = |r: &SchoolRow| r.cells.get(i).is_some_and(Option::is_some);
            order.sort_by(|&a, &b| {
                has(&rows[b])
                    .cmp(&has(&rows[a]))
                    .then_with(|| by_coverage(&rows[a], &rows[b]))
            })
        }
    }
    if reverse {
        order.reverse();
    }
    order
}

impl Engine {
    /// The checklist matrix for one year: every school with a report for the year (within
    /// the filters) × the 50 items, each cell the first section of the school's report(s)
    /// that the item's query matches. Rows come sorted by coverage.
    ///
    /// One search finds the year's reports, which are read once; every item whose query
    /// is alternatives of exact phrases (all of the data file's) is then matched in
    /// memory by [`PhraseMatcher`], with exactly the index's semantics (a folded phrase
    /// occurring in a section's text or heading, or in the report's title and school
    /// line) — fifty searches would read every matching section back from the index's
    /// store, which costs far more at the scale of every school. Any other query is
    /// searched with [`Engine::matching_sections`].
    pub fn checklist_matrix(&self, req: &MatrixRequest) -> Result<Matrix> {
        let _span = tracing::info_span!("checklist_matrix", year = ?req.year).entered();
        let started = std::time::Instant::now();
        let stats = self.stats()?;
        let years: Vec<String> = stats.years.keys().rev().cloned().collect();
        let year = match &req.year {
            Some(y) if years.contains(y) => y.clone(),
            Some(y) => {
                return Err(Error::BadRequest(format!(
                    "no reports for the year {y:?}; years in the index: {}",
                    if years.is_empty() {
                        "none".to_string()
                    } else {
                        years.join(", ")
                    }
                )))
            }
            None => years.first().cloned().unwrap_or_default(),
        };
        let scoped = |query: &str| {
            let mut r = SearchRequest::new(query);
            r.years = vec![year.clone()];
            r.schools = req.schools.clone();
            r
        };

        // The year's reports, whole (section texts for snippets).
        let mut reports: BTreeMap<String, Report> = BTreeMap::new();
        if !year.is_empty() {
            let ids: Vec<String> = self
                .matching_sections(&scoped(""))?
                .into_iter()
                .map(|(id, _)| id)
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            let loaded = parallel_map(&ids, |id| self.report(id))?;
            reports.extend(loaded.into_iter().flatten().map(|r| (r.id.clone(), r)));
        }
        let loaded_ms = started.elapsed().as_millis();
        let provinces: BTreeSet<String> = reports
            .values()
            .filter_map(|r| r.province.clone())
            .collect();
        let kinds: BTreeSet<String> = reports.values().filter_map(|r| r.kind.clone()).collect();
        let wanted = |filter: &[String], value: &Option<String>| {
            filter.is_empty() || value.as_ref().is_some_and(|v| filter.contains(v))
        };
        reports.retain(|_, r| wanted(&req.provinces, &r.province) && wanted(&req.kinds, &r.kind));

        // Rows: one per school, its reports newest first.
        let mut by_school: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
        for report in reports.values() {
            by_school
                .entry(report.school.clone())
                .or_default()
                .push(report);
        }
        for list in by_school.values_mut() {
            list.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
        }

        // Per report: the first section matching each item.
        let list: Vec<&Report> = reports.values().collect();
        let matcher = PhraseMatcher::get();
        let mut found: BTreeMap<&str, Vec<Option<Found>>> = list
            .iter()
            .map(|r| r.id.as_str())
            .zip(parallel_map(&list, |r| Ok(matcher.scan(r)))?)
            .collect();
        let scanned_ms = started.elapsed().as_millis();
        // Items the matcher cannot take: ordinary searches.
        let searched: Vec<usize> = (0..ITEM_COUNT).filter(|&i| !matcher.handles(i)).collect();
        if !reports.is_empty() {
            let results = parallel_map(&searched, |&i| {
                self.matching_sections(&scoped(&items()[i].query))
            })?;
            for (&i, sections) in searched.iter().zip(results) {
                for (id, idx) in sections {
                    if let Some(cells) = found.get_mut(id.as_str()) {
                        let idx = idx as usize;
                        if cells[i].is_none_or(|f| idx < f.section) {
                            cells[i] = Some(Found {
                                section: idx,
                                at: None,
                            });
                        }
                    }
                }
            }
        }

        let needles: Vec<Vec<String>> = items()
            .iter()
            .map(|item| {
                UserQuery::parse(&item.query)
                    .map(|q| q.highlight_needles())
                    .unwrap_or_default()
            })
            .collect();
        // Rows, with their snippets, on every core.
        let schools: Vec<(&String, &Vec<&Report>)> = by_school.iter().collect();
        let rows: Vec<SchoolRow> = parallel_map(&schools, |(school, list)| {
            let cells: Vec<Option<Evidence>> = needles
                .iter()
                .enumerate()
                .map(|(i, needles)| {
                    list.iter().find_map(|r| {
                        let f = found.get(r.id.as_str())?[i]?;
                        let section = r.sections.get(f.section)?;
                        let snippet_html = match (req.without_snippets, f.at) {
                            (true, _) => String::new(),
                            (false, Some(at)) => window_snippet(&section.text, at, needles),
                            // Matched in the heading or the title line, or by a search.
                            (false, None) => evidence_snippet(
                                &section.heading,
                                &section.text,
                                &fold(&section.text),
                                needles,
                            ),
                        };
                        Some(evidence(r, f.section, snippet_html))
                    })
                })
                .collect();
            Ok(SchoolRow {
                school: (*school).clone(),
                province: list.iter().find_map(|r| r.province.clone()),
                kind: list.first().and_then(|r| r.kind.clone()),
                reports: list
                    .iter()
                    .map(|r| ReportRef {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        url: r.url.clone(),
                        published: r.published.clone(),
                    })
                    .collect(),
                covered: cells.iter().filter(|c| c.is_some()).count(),
                cells,
            })
        })?;
        let mut item_schools = vec![0usize; ITEM_COUNT];
        for row in &rows {
            for (n, cell) in item_schools.iter_mut().zip(&row.cells) {
                *n += usize::from(cell.is_some());
            }
        }
        let mut matrix = Matrix {
            year,
            years,
            provinces: provinces.into_iter().collect(),
            kinds: kinds.into_iter().collect(),
            filter_provinces: req.provinces.clone(),
            filter_kinds: req.kinds.clone(),
            items: items()
                .iter()
                .zip(item_schools)
                .map(|(item, schools)| ItemCoverage {
                    number: item.number,
                    category: item.category.clone(),
                    short: item.short.clone(),
                    wording: item.wording.clone(),
                    query: item.query.clone(),
                    schools,
                })
                .collect(),
            rows,
        };
        matrix.sort_rows(MatrixSort::Coverage, false);
        tracing::debug!(
            schools = matrix.rows.len(),
            year = %matrix.year,
            loaded_ms,
            scanned_ms,
            total_ms = started.elapsed().as_millis(),
            "checklist matrix"
        );
        Ok(matrix)
    }
}

/// Where a report first mentions an item: the section, and the character index of the
/// match in its text (`None` when the heading or the title line matched, or a search
/// found it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    section: usize,
    at: Option<usize>,
}

/// The items' queries as folded phrases, all searched in one pass (Aho–Corasick,
/// overlapping matches: 财务预算决算 holds both 财务预算 and 预算决算).
///
/// Only a query of alternatives of quoted phrases of two or more Han characters is taken:
/// for those the index matches exactly where the folded phrase is a substring of the
/// folded text (see [`crate::analysis`]), which is what this does. The tests hold it to
/// the index on random reports.
#[derive(Debug)]
pub(crate) struct PhraseMatcher {
    ac: AhoCorasick,
    /// Pattern → the items (0-based) it belongs to.
    owners: Vec<Vec<usize>>,
    /// Item (0-based) → taken by the matcher.
    handled: Vec<bool>,
}

static MATCHER: LazyLock<PhraseMatcher> = LazyLock::new(PhraseMatcher::build);

/// The phrases of `query` if it is only alternatives of Han phrases.
fn phrases_of(query: &str) -> Option<Vec<String>> {
    let q = UserQuery::parse(query).ok()?;
    let [clause] = q.clauses.as_slice() else {
        return None;
    };
    if clause.negated {
        return None;
    }
    clause
        .alternatives
        .iter()
        .map(|a| {
            let han = a.text.chars().count() >= 2 && a.text.chars().all(is_han);
            (a.phrase && han).then(|| a.text.clone())
        })
        .collect()
}

impl PhraseMatcher {
    fn get() -> &'static PhraseMatcher {
        &MATCHER
    }

    fn build() -> PhraseMatcher {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut handled = vec![false; ITEM_COUNT];
        for (i, item) in items().iter().enumerate() {
            let Some(phrases) = phrases_of(&item.query) else {
                continue;
            };
            handled[i] = true;
            for phrase in phrases {
                match patterns.iter().position(|p| *p == phrase) {
                    Some(k) => owners[k].push(i),
                    None => {
                        patterns.push(phrase);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        // Patterns are a few hundred short strings of our own data file.
        let ac = AhoCorasick::new(&patterns)
            .unwrap_or_else(|e| panic!("checklist phrases do not build a matcher: {e}"));
        PhraseMatcher {
            ac,
            owners,
            handled,
        }
    }

    fn handles(&self, item: usize) -> bool {
        self.handled[item]
    }

    /// The items (0-based) with a phrase in `folded`, each with the byte offset of its
    /// first occurrence.
    fn first_hits(&self, folded: &str) -> BTreeMap<usize, usize> {
        let mut first: BTreeMap<usize, usize> = BTreeMap::new();
        for m in self.ac.find_overlapping_iter(folded) {
            for &item in &self.owners[m.pattern().as_usize()] {
                first
                    .entry(item)
                    .and_modify(|b| *b = (*b).min(m.start()))
                    .or_insert(m.start());
            }
        }
        first
    }

    /// The first section of `report` matching each item the matcher takes.
    fn scan(&self, report: &Report) -> Vec<Option<Found>> {
        let mut found: Vec<Option<Found>> = vec![None; ITEM_COUNT];
        // The index searches the title-and-school line with every section (as the engine
        // writes it), so a phrase there matches the first section.
        let school = if report.school.is_empty() {
            "(未知)"
        } else {
            report.school.as_str()
        };
        let in_meta = self.first_hits(&fold(&format!("{} {school}", report.title)));
        for (idx, section) in report.sections.iter().enumerate() {
            let text = fold(&section.text);
            let mut in_text: Vec<(usize, usize)> = self
                .first_hits(&text)
                .into_iter()
                .filter(|(item, _)| found[*item].is_none())
                .map(|(item, byte)| (byte, item))
                .collect();
            // Character indices of the byte offsets, counted in one pass.
            in_text.sort_unstable();
            let (mut byte, mut chars) = (0usize, 0usize);
            for (at, item) in in_text {
                chars += text[byte..at].chars().count();
                byte = at;
                found[item] = Some(Found {
                    section: idx,
                    at: Some(chars),
                });
            }
            let heading = fold(&section.heading);
            let others = self.first_hits(&heading).into_keys().chain(if idx == 0 {
                in_meta.keys().copied().collect::<Vec<_>>()
            } else {
                Vec::new()
            });
            for item in others {
                found[item].get_or_insert(Found {
                    section: idx,
                    at: None,
                });
            }
        }
        found
    }
}

/// The evidence for a match in section `idx` (which exists) of `report`.
fn evidence(report: &Report, idx: usize, snippet_html: String) -> Evidence {
    let section = &report.sections[idx];
    let nth = report.sections[..idx]
        .iter()
        .filter(|s| s.id == section.id)
        .count();
    Evidence {
        report_id: report.id.clone(),
        section: section.id,
        section_index: idx,
        section_nth: nth,
        heading: section.heading.clone(),
        snippet_html,
    }
}

/// The snippet of a matching section: [`snippet`] run on a window around the first match
/// only, so that a long section is not folded and scanned again for every item (`folded`
/// is `fold(text)`, computed once per section). When only the heading matched, the
/// heading, highlighted.
fn evidence_snippet(heading: &str, text: &str, folded: &str, needles: &[String]) -> String {
    match first_match_at(folded, needles) {
        // Folding keeps the number of characters, so a character index in `folded` is
        // one in `text`.
        Some(at) => window_snippet(text, at, needles),
        None if !match_ranges(heading, needles).is_empty() => highlight_all(heading, needles),
        None => snippet(text, needles, SNIPPET_CHARS),
    }
}

/// Character index of the first occurrence of any needle in `text`.
fn first_match_at(text: &str, needles: &[String]) -> Option<usize> {
    let byte = needles
        .iter()
        .filter(|n| !n.is_empty())
        .filter_map(|n| text.find(n.as_str()))
        .min()?;
    Some(text[..byte].chars().count())
}

/// [`snippet`] of the text around character `at`, with `…` where the window cut it.
fn window_snippet(text: &str, at: usize, needles: &[String]) -> String {
    let start = at.saturating_sub(SNIPPET_CHARS);
    let mut chars = text.chars();
    let window: String = chars.by_ref().skip(start).take(2 * SNIPPET_CHARS).collect();
    let cut_end = chars.next().is_some();
    let mut out = snippet(&window, needles, SNIPPET_CHARS);
    if start > 0 && !out.starts_with('…') {
        out.insert(0, '…');
    }
    if cut_end && !out.ends_with('…') {
        out.push('…');
    }
    out
}

/// `f` over `inputs` on the machine's cores (at most 8 threads), results in input order;
/// the first error wins.
fn parallel_map<T: Sync, R: Send>(
    inputs: &[T],
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(inputs.len());
    if threads <= 1 {
        return inputs.iter().map(f).collect();
    }
    let f = &f;
    // Thread t takes inputs t, t + threads, …: item costs vary, neighbours alike.
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    inputs
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, x)| f(x).map(|r| (i, r)))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Script, Section};

    #[test]
    fn the_data_file_has_fifty_items_in_ten_categories() {
        let items = items();
        assert_eq!(items.len(), ITEM_COUNT);
        let per_category: Vec<usize> = CATEGORIES
            .iter()
            .map(|c| items.iter().filter(|i| i.category == *c).count())
            .collect();
        // The list's own counts per category.
        assert_eq!(per_category, [6, 8, 7, 5, 9, 4, 3, 4, 2, 2]);
        let shorts: BTreeSet<&str> = items.iter().map(|i| i.short.as_str()).collect();
        assert_eq!(shorts.len(), ITEM_COUNT, "short labels must be unique");
        for item in items {
            assert!(
                !item.examples.is_empty(),
                "item {} has no example sentence",
                item.number
            );
        }
    }

    #[test]
    fn broken_data_files_are_refused_with_a_reason() {
        let one = |number: u32, category: &str, query: &str| {
            format!(
                "[[item]]\nnumber = {number}\ncategory = \"{category}\"\nshort = \"s{number}\"\n\
                 wording = \"w\"\nquery = '{query}'\n"
            )
        };
        let file = |f: &dyn Fn(u32) -> String| (1..=50).map(f).collect::<String>();
        let good = file(&|n| one(n, "基本信息", "收费"));
        assert!(parse(&good).is_ok());
        for (data, reason) in [
            (
                file(&|n| one(if n == 7 { 8 } else { n }, "基本信息", "收费")),
                "numbered",
            ),
            (
                file(&|n| one(n, if n == 3 { "财务" } else { "基本信息" }, "收费")),
                "unknown category",
            ),
            (
                file(&|n| one(n, if n == 1 { "其他" } else { "基本信息" }, "收费")),
                "out of order",
            ),
            (
                file(&|n| one(n, "基本信息", if n == 9 { "-收费" } else { "收费" })),
                "item 9",
            ),
            (one(1, "基本信息", "收费"), "1 items"),
            ("[[item]]\nnumber = 1\ncolour = 2\n".to_string(), "colour"),
        ] {
            match parse(&data) {
                Err(e) => assert!(e.contains(reason), "{reason}: {e}"),
                Ok(_) => panic!("accepted a file with {reason}"),
            }
        }
    }

    fn report(id: &str, school: &str, year: &str, texts: &[(SectionId, &str)]) -> Report {
        Report {
            id: id.into(),
            school: school.into(),
            year: Some(year.into()),
            title: format!("{school}{year}学年信息公开工作年度报告"),
            published: Some(format!("{}-10-30", &year[5..])),
            url: format!("https://example.edu.cn/{id}.htm"),
            script: Script::Simplified,
            content_hash: String::new(),
            province: None,
            kind: None,
            institution: None,
            sections: texts
                .iter()
                .map(|(id, text)| Section {
                    id: *id,
                    heading: id.label().into(),
                    text: (*text).into(),
                })
                .collect(),
        }
    }

    /// Every example of every item matches its query, as written and in traditional
    /// characters; no near-miss does. Each sentence is one report of one section, as a
    /// report's mention would be, searched through the real index.
    #[test]
    fn every_item_query_finds_its_examples_and_not_its_near_misses_in_both_scripts() {
        let engine = Engine::create_in_ram().expect("ram index");
        let mut writer = engine.writer(1).expect("writer");
        // (report id, item, sentence, must match)
        let mut cases: Vec<(String, u32, String, bool)> = Vec::new();
        for item in items() {
            let sentences = item
                .examples
                .iter()
                .map(|s| (s, true))
                .chain(item.near_misses.iter().map(|s| (s, false)));
            for (k, (sentence, positive)) in sentences.enumerate() {
                let traditional = hanconv::s2t(sentence);
                assert_ne!(
                    &traditional, sentence,
                    "item {}: no conversion",
                    item.number
                );
                for (script, text) in [("s", sentence.clone()), ("t", traditional)] {
                    let id = format!("i{}-{k}-{script}", item.number);
                    let mut r = report(
                        &id,
                        "测试学校",
                        "2020-2021",
                        &[(SectionId::Proactive, &text)],
                    );
                    r.title = "测试".into();
                    writer.upsert(&r).expect("upsert");
                    cases.push((id, item.number, text, positive));
                }
            }
        }
        writer.commit().expect("commit");
        engine.reload().expect("reload");
        let mut failures = Vec::new();
        for item in items() {
            let found: BTreeSet<String> = engine
                .matching_sections(&SearchRequest::new(item.query.clone()))
                .expect("search")
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            for (id, number, text, positive) in &cases {
                if *number != item.number {
                    continue;
                }
                if found.contains(id) != *positive {
                    failures.push(format!(
                        "item {number} {:?}: {} {text:?}",
                        item.short,
                        if *positive {
                            "misses"
                        } else {
                            "wrongly matches"
                        }
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Every item has at least one near-miss or says why not: the tricky ones all do.
        let without: Vec<u32> = items()
            .iter()
            .filter(|i| i.near_misses.is_empty())
            .map(|i| i.number)
            .collect();
        assert!(without.is_empty(), "items without a near-miss: {without:?}");
    }

    fn matrix_engine() -> Engine {
        let engine = Engine::create_in_ram().expect("ram index");
        let mut w = engine.writer(1).expect("writer");
        let mut reports = vec![
            report(
                "a1",
                "甲大学",
                "2020-2021",
                &[
                    (SectionId::Overview, "学校修订了信息公开目录。"),
                    (
                        SectionId::Proactive,
                        "学校公布了学费、住宿费等收费标准，以及本科招生章程。",
                    ),
                    (SectionId::Checklist, "收费标准：已在财务处网站公开。"),
                ],
            ),
            report(
                "a0",
                "甲大学",
                "2019-2020",
                &[(SectionId::Proactive, "学校公开了学术委员会年度报告。")],
            ),
            report(
                "b1",
                "乙學院",
                "2020-2021",
                &[(SectionId::Proactive, "學院公布了收費標準和學生申訴辦法。")],
            ),
            report(
                "c1",
                "丙职业技术学院",
                "2020-2021",
                &[(SectionId::Proactive, "学院依申请公开不收取费用。")],
            ),
        ];
        reports[0].province = Some("湖南".into());
        reports[0].kind = Some("大学".into());
        reports[2].province = Some("广东".into());
        reports[2].kind = Some("学院".into());
        reports[2].script = Script::Traditional;
        reports[3].province = Some("湖南".into());
        reports[3].kind = Some("职业技术学院".into());
        for r in &reports {
            w.upsert(r).expect("upsert");
        }
        w.commit().expect("commit");
        engine.reload().expect("reload");
        engine
    }

    fn covered(m: &Matrix) -> Vec<(String, usize, Vec<u32>)> {
        m.rows
            .iter()
            .map(|r| {
                let numbers = r
                    .cells
                    .iter()
                    .zip(items())
                    .filter(|(c, _)| c.is_some())
                    .map(|(_, i)| i.number)
                    .collect();
                (r.school.clone(), r.covered, numbers)
            })
            .collect()
    }

    #[test]
    fn matrix_cells_coverage_and_evidence() {
        let engine = matrix_engine();
        let m = engine
            .checklist_matrix(&MatrixRequest::default())
            .expect("matrix");
        assert_eq!(m.year, "2020-2021", "newest year by default");
        assert_eq!(m.years, ["2020-2021", "2019-2020"]);
        assert_eq!(
            covered(&m),
            [
                ("甲大学".to_string(), 3, vec![6, 7, 21]),
                ("乙學院".to_string(), 2, vec![21, 39]),
                ("丙职业技术学院".to_string(), 0, vec![]),
            ]
        );
        assert_eq!(m.items[20].schools, 2);
        assert_eq!(m.items[38].schools, 1);
        assert_eq!(m.items[0].schools, 0);
        // The first matching section in document order is the evidence.
        let fees = m.rows[0].cells[20].as_ref().expect("甲 mentions fees");
        assert_eq!(fees.report_id, "a1");
        assert_eq!(fees.section, SectionId::Proactive);
        assert_eq!(fees.section_index, 1);
        assert!(
            fees.snippet_html.contains("<mark>收费标准</mark>"),
            "{fees:?}"
        );
        // Traditional reports show their own characters.
        let yi = m.rows[1].cells[38].as_ref().expect("乙 mentions appeals");
        assert!(yi.snippet_html.contains("<mark>學生申訴</mark>"), "{yi:?}");
        assert_eq!(m.provinces, ["广东", "湖南"]);
        assert_eq!(m.kinds, ["大学", "学院", "职业技术学院"]);

        // Another year.
        let old = engine
            .checklist_matrix(&MatrixRequest {
                year: Some("2019-2020".into()),
                ..MatrixRequest::default()
            })
            .expect("matrix");
        assert_eq!(covered(&old), [("甲大学".to_string(), 1, vec![4])]);
    }

    #[test]
    fn matrix_filters_by_province_and_kind_and_rejects_unknown_years() {
        let engine = matrix_engine();
        let hunan = engine
            .checklist_matrix(&MatrixRequest {
                provinces: vec!["湖南".into()],
                ..MatrixRequest::default()
            })
            .expect("matrix");
        let names: Vec<&str> = hunan.rows.iter().map(|r| r.school.as_str()).collect();
        assert_eq!(names, ["甲大学", "丙职业技术学院"]);
        assert_eq!(hunan.items[20].schools, 1, "coverage counts filtered rows");
        assert_eq!(hunan.provinces, ["广东", "湖南"], "choices stay");

        let colleges = engine
            .checklist_matrix(&MatrixRequest {
                kinds: vec!["学院".into(), "职业技术学院".into()],
                ..MatrixRequest::default()
            })
            .expect("matrix");
        let names: Vec<&str> = colleges.rows.iter().map(|r| r.school.as_str()).collect();
        assert_eq!(names, ["乙學院", "丙职业技术学院"]);

        let err = engine
            .checklist_matrix(&MatrixRequest {
                year: Some("1999-2000".into()),
                ..MatrixRequest::default()
            })
            .expect_err("unknown year");
        assert!(err.is_user_error());
        assert!(err.to_string().contains("2020-2021"), "{err}");

        let bare = engine
            .checklist_matrix(&MatrixRequest {
                without_snippets: true,
                ..MatrixRequest::default()
            })
            .expect("matrix");
        let cell = bare.rows[0].cells[20].as_ref().expect("cell");
        assert!(cell.snippet_html.is_empty());
        assert_eq!(cell.report_id, "a1");
    }

    #[test]
    fn evidence_snippets_window_the_first_match_of_long_sections() {
        let filler = "学校坚持以公开为常态、不公开为例外。".repeat(120);
        let text = format!("{filler}學校公布了學費、住宿費收費標準。{filler}");
        let needles = vec!["收费标准".to_string()];
        let out = evidence_snippet("二、主動公開", &text, &fold(&text), &needles);
        assert!(out.contains("<mark>收費標準</mark>"), "{out}");
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(!out.starts_with("……"), "{out}");
        let shown = out.replace("<mark>", "").replace("</mark>", "");
        assert!(shown.chars().count() <= SNIPPET_CHARS + 2, "{shown}");
        // Only the heading matches: the heading is the evidence.
        let out = evidence_snippet("收費標準公示", "正文", "正文", &needles);
        assert_eq!(out, "<mark>收費標準</mark>公示");
        // Short sections are shown whole.
        let out = evidence_snippet("", "公開收費標準。", "公开收费标准。", &needles);
        assert_eq!(out, "公開<mark>收費標準</mark>。");
    }

    #[test]
    fn parallel_map_keeps_order_and_returns_the_error() {
        let inputs: Vec<u32> = (0..101).collect();
        let out = parallel_map(&inputs, |x| Ok(x * 2)).expect("map");
        assert_eq!(out, inputs.iter().map(|x| x * 2).collect::<Vec<_>>());
        let err = parallel_map(&inputs, |x| {
            if *x == 77 {
                Err(Error::BadRequest("seventy-seven".into()))
            } else {
                Ok(*x)
            }
        })
        .expect_err("error");
        assert!(err.to_string().contains("seventy-seven"));
        assert!(parallel_map(&[] as &[u32], |x| Ok(*x))
            .expect("empty")
            .is_empty());
    }

    /// The in-memory matcher against its naive twin, the index: on random reports built
    /// from item phrases, near-misses and filler (in either script, in text, heading and
    /// title), every cell names the first section that the item's own search finds.
    mod twin {
        use super::*;
        use proptest::prelude::*;

        fn fragments() -> Vec<String> {
            let mut out: Vec<String> = vec![
                "学校坚持以公开为常态。".into(),
                "财务预算决算".into(),
                "同等学历".into(),
                "安全巡查".into(),
                "不收取费用".into(),
                "信息公开年度报告".into(),
                "、".into(),
                "\n".into(),
                "ABC１２３".into(),
            ];
            for item in items() {
                if let Some(phrases) = phrases_of(&item.query) {
                    out.extend(phrases);
                }
                out.extend(item.near_misses.iter().cloned());
            }
            out
        }

        fn text(picks: &[(usize, bool)], pool: &[String]) -> String {
            picks
                .iter()
                .map(|(i, trad)| {
                    let f = &pool[i % pool.len()];
                    if *trad {
                        hanconv::s2t(f)
                    } else {
                        f.clone()
                    }
                })
                .collect()
        }

        type SectionPicks = (Vec<(usize, bool)>, Vec<(usize, bool)>);

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]
            #[test]
            fn matrix_cells_are_what_each_items_search_finds(
                schools in prop::collection::vec(
                    (
                        prop::collection::vec((any::<usize>(), any::<bool>()), 0..2),
                        prop::collection::vec(
                            (
                                prop::collection::vec((any::<usize>(), any::<bool>()), 0..2),
                                prop::collection::vec((any::<usize>(), any::<bool>()), 0..6),
                            ),
                            1..5,
                        ),
                    ),
                    1..6,
                )
            ) {
                let pool = fragments();
                let engine = Engine::create_in_ram().expect("ram index");
                let mut w = engine.writer(1).expect("writer");
                for (n, (title, sections)) in schools.iter().enumerate() {
                    let sections: &Vec<SectionPicks> = sections;
                    let texts: Vec<(String, String)> = sections
                        .iter()
                        .map(|(h, t)| (text(h, &pool), text(t, &pool)))
                        .collect();
                    // The school's name may hold a phrase too (it is searched with the title).
                    let name_picks: Vec<(usize, bool)> =
                        title.iter().map(|(i, t)| (i.wrapping_add(1), *t)).collect();
                    let school = format!("学校{n}{}", text(&name_picks, &pool).replace('\n', ""));
                    let mut r = report(&format!("r{n}"), &school, "2020-2021", &[]);
                    r.title = format!("报告{}", text(title, &pool));
                    r.sections = texts
                        .into_iter()
                        .enumerate()
                        .map(|(k, (heading, text))| Section {
                            id: SectionId::ALL[k % SectionId::ALL.len()],
                            heading,
                            text,
                        })
                        .collect();
                    w.upsert(&r).expect("upsert");
                }
                w.commit().expect("commit");
                engine.reload().expect("reload");
                let m = engine.checklist_matrix(&MatrixRequest::default()).expect("matrix");
                prop_assert_eq!(m.rows.len(), schools.len());
                for (i, item) in items().iter().enumerate() {
                    let mut first: BTreeMap<String, u64> = BTreeMap::new();
                    for (id, idx) in engine
                        .matching_sections(&SearchRequest::new(item.query.clone()))
                        .expect("search")
                    {
                        let e = first.entry(id).or_insert(idx);
                        *e = (*e).min(idx);
                    }
                    for row in &m.rows {
                        let got = row.cells[i].as_ref().map(|e| (e.report_id.clone(), e.section_index as u64));
                        let id = &row.reports[0].id;
                        let want = first.get(id).map(|idx| (id.clone(), *idx));
                        prop_assert_eq!(got, want, "item {} school {}", item.number, row.school);
                    }
                }
            }
        }
    }

    #[test]
    fn empty_index_gives_an_empty_matrix() {
        let engine = Engine::create_in_ram().expect("ram index");
        let m = engine
            .checklist_matrix(&MatrixRequest::default())
            .expect("matrix");
        assert!(m.rows.is_empty());
        assert_eq!(m.items.len(), ITEM_COUNT);
        assert_eq!(m.year, "");
    }

    #[test]
    fn rows_sort_by_coverage_name_province_or_item() {
        let engine = matrix_engine();
        let mut m = engine
            .checklist_matrix(&MatrixRequest::default())
            .expect("matrix");
        let order =
            |m: &Matrix| -> Vec<String> { m.rows.iter().map(|r| r.school.clone()).collect() };
        m.sort_rows(MatrixSort::Item(39), false);
        assert_eq!(order(&m)[0], "乙學院");
        m.sort_rows(MatrixSort::Coverage, true);
        assert_eq!(order(&m)[0], "丙职业技术学院");
        m.sort_rows(MatrixSort::Province, false);
        assert_eq!(order(&m), ["乙學院", "丙职业技术学院", "甲大学"]);
        assert_eq!(MatrixSort::parse("item:21"), Some(MatrixSort::Item(21)));
        assert_eq!(MatrixSort::parse("item:51"), None);
        assert_eq!(MatrixSort::parse("item:x"), None);
        assert_eq!(MatrixSort::parse("school"), Some(MatrixSort::School));
        for s in [
            MatrixSort::Coverage,
            MatrixSort::Item(3),
            MatrixSort::Province,
        ] {
            assert_eq!(MatrixSort::parse(&s.as_string()), Some(s));
        }
    }
}
