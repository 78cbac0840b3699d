//! `/coverage`: every institution that must publish × every academic year — is its report
//! archived, and if not, why (the site was crawled and had none, the site did not answer,
//! or it was never crawled); `/coverage.csv` and `/api/coverage` for download. `/sources`:
//! each crawl source's last run, where the evidence of the `not_found` and `unreachable`
//! cells lives.
//!
//! The archive computes the matrix ([`xxgk_app::Coverage`]) from scratch on each call,
//! which for the whole registry takes longer than a page should (86–114 ms in a release
//! build, 230–270 ms in a debug one, for 2,631 institutions × 16 years with 1,500 crawled
//! sources and 12,000 reports), so answers are cached until the archive changes
//! (`xxgk_app::cache`): paging through the matrix, then downloading it, computes it once.
//! The page and the JSON show `Paging` rows at a time; the CSV streams them all.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use serde::Deserialize;
use xxgk_app::archive_rules::{academic_years, province_short, FIRST_YEAR};
use xxgk_app::{Cell, Coverage, CoverageRequest, InstitutionFilter, SchoolCoverage, Status};

use crate::error::HtmlError;
use crate::export::{coverage_rows, csv_download, COVERAGE_CSV_HEADER};
use crate::journalist::{report_href, stylesheet};
use crate::params::{href, PageInfo, Paging, Params};
use crate::render::{count, error_box, page as frame, pagination, Nav};
use crate::{AppError, AppState};

/// Institutions per page of the HTML matrix unless `per_page` says otherwise (the JSON
/// pages have [`crate::params::ROWS_PER_PAGE`]). Each row is 21 cells and about 40
/// elements; at 100 rows the page's layout alone blocked a phone's main thread
/// (Lighthouse, 4× CPU slowdown) for 200–400 ms, at 50 it stays near the 100-point mark.
pub const PAGE_ROWS: usize = 50;

/// The parameters as sent (strings, so that a bad value gets our message).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawCoverage {
    province: String,
    level: String,
    year: String,
    in_sources: String,
    page: String,
    per_page: String,
}

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CoverageParams {
    province: Option<String>,
    /// 本科 or 专科.
    level: Option<String>,
    /// One academic year (`2019-2020`); every year when `None`.
    year: Option<String>,
    /// Only institutions that have a crawl source.
    in_sources: bool,
    /// Which institutions of the matrix to show.
    paging: Paging,
}

impl TryFrom<RawCoverage> for CoverageParams {
    type Error = AppError;

    fn try_from(raw: RawCoverage) -> Result<Self, AppError> {
        let given = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        // Province, level and year are checked by the application, as for the CLI.
        let level = given(raw.level);
        let year = given(raw.year);
        let in_sources = match raw.in_sources.trim() {
            "" | "0" | "false" | "off" => false,
            "1" | "true" | "on" | "yes" => true,
            other => {
                return Err(AppError::BadRequest(format!(
                    "in_sources is 1 or left out, not {other:?}"
                )))
            }
        };
        Ok(CoverageParams {
            province: given(raw.province),
            level,
            year,
            in_sources,
            paging: Paging::parse(&raw.page, &raw.per_page)?,
        })
    }
}

impl CoverageParams {
    fn request(&self) -> CoverageRequest {
        CoverageRequest {
            filter: InstitutionFilter {
                province: self.province.clone(),
                level: self.level.clone(),
            },
            years: self.year.iter().cloned().collect(),
            in_sources_only: self.in_sources,
        }
    }

    fn has_filters(&self) -> bool {
        self.province.is_some() || self.level.is_some() || self.year.is_some() || self.in_sources
    }

    /// The parameters as `key=value` pairs, defaults and the page left out.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(p) = &self.province {
            pairs.push(("province", p.clone()));
        }
        if let Some(l) = &self.level {
            pairs.push(("level", l.clone()));
        }
        if let Some(y) = &self.year {
            pairs.push(("year", y.clone()));
        }
        if self.in_sources {
            pairs.push(("in_sources", "1".into()));
        }
        pairs
    }

    fn href(&self, path: &str) -> String {
        href(path, &self.pairs())
    }

    fn page_href(&self, path: &str, paging: Paging) -> String {
        let mut pairs = self.pairs();
        pairs.extend(paging.pairs());
        href(path, &pairs)
    }

    /// These filters with another province or year (back on page 1).
    fn with(&self, province: Option<&str>, year: Option<&str>) -> String {
        CoverageParams {
            province: province.map(str::to_string),
            year: year.map(str::to_string),
            paging: Paging {
                page: 1,
                ..self.paging
            },
            ..self.clone()
        }
        .href("/coverage")
    }
}

type Raw = Result<Params<RawCoverage>, AppError>;

fn validate(raw: Raw) -> Result<CoverageParams, AppError> {
    raw.and_then(|Params(raw)| CoverageParams::try_from(raw))
}

/// The matrix for `params` ([`xxgk_app::App::coverage`]: filters checked, cached while
/// the archive is unchanged); `None` when the site has no archive.
async fn coverage(
    state: &AppState,
    params: &CoverageParams,
) -> Result<Option<Arc<Coverage>>, AppError> {
    let req = params.request();
    state.blocking(move |app| Ok(app.coverage(&req)?)).await
}

/// The provinces of the matrix's institutions in the registry's order: by the province's
/// GB/T 2260 number, digits 3–4 of its institutions' codes (北京 11, 天津 12 … 新疆 65),
/// then those without a code by name.
fn provinces_in_order(cov: &Coverage) -> Vec<&str> {
    let mut number: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &cov.schools {
        if let Some(p) = s.province.as_deref() {
            let n = s.code.as_deref().and_then(|c| c.get(2..4)).unwrap_or("~");
            let entry = number.entry(p).or_insert(n);
            *entry = (*entry).min(n);
        }
    }
    let mut order: Vec<(&str, &str)> = number.into_iter().map(|(p, n)| (n, p)).collect();
    order.sort_unstable();
    order.into_iter().map(|(_, p)| p).collect()
}

/// The provinces to choose from: those of the whole registry, whatever the filters.
async fn province_options(
    state: &AppState,
    params: &CoverageParams,
    cov: &Arc<Coverage>,
) -> Result<Vec<String>, AppError> {
    let all = if params.province.is_none() && params.level.is_none() && !params.in_sources {
        Arc::clone(cov)
    } else {
        // One year is enough to list every institution.
        let everything = CoverageParams {
            province: None,
            level: None,
            year: Some(format!("{FIRST_YEAR}-{}", FIRST_YEAR + 1)),
            in_sources: false,
            paging: Paging::default(),
        };
        coverage(state, &everything)
            .await?
            .unwrap_or_else(|| Arc::clone(cov))
    };
    let mut out: Vec<String> = Vec::new();
    for p in provinces_in_order(&all) {
        let short = province_short(p).to_string();
        if !out.contains(&short) {
            out.push(short);
        }
    }
    if let Some(p) = &params.province {
        let short = province_short(p).to_string();
        if !out.contains(&short) {
            out.push(short);
        }
    }
    Ok(out)
}

/// The anchor of a source on `/sources` (its name; whitespace would end an id).
pub fn source_anchor(source: &str) -> String {
    let name: String = source
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    format!("source-{name}")
}

/// `/sources#…` for a source. Only ASCII punctuation is percent-encoded: a Chinese name
/// stays as written (valid in an HTML `href`, and a third of the bytes in a page that
/// has one such link per crawled cell).
pub(crate) fn source_href(source: &str) -> String {
    let mut href = String::from("/sources#");
    for c in source_anchor(source).chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~') || !c.is_ascii() {
            href.push(c);
        } else {
            href.push_str(&format!("%{:02X}", c as u32));
        }
    }
    href
}

fn coverage_frame(content: Markup) -> Markup {
    frame(
        "年报存档覆盖情况",
        "各高校各学年的信息公开年度报告是否已存档；未存档的，注明未发布、未能抓取或未列入来源。",
        Nav::Coverage,
        html! { (stylesheet()) (content) },
    )
}

/// The page for a request the matrix cannot answer (bad parameters), with its status.
fn coverage_error(err: AppError) -> Response {
    let markup = coverage_frame(html! {
        h1 { "年报存档覆盖情况" }
        (error_box(&err.message()))
        p { a href="/coverage" { "查看全部学校" } }
    });
    err.finish(Html(markup.into_string()).into_response())
}

pub(crate) fn no_archive_note() -> Markup {
    html! {
        p.empty #no-archive {
            "本站没有抓取存档（服务启动时未指定存档文件），无法说明哪些学校的年报已存档、"
            "哪些没有。检索仍可使用。"
        }
    }
}

/// `/coverage`: the matrix page.
pub(crate) async fn page(State(state): State<AppState>, raw: Raw) -> Result<Response, HtmlError> {
    let per_page_given = matches!(&raw, Ok(Params(r)) if !r.per_page.trim().is_empty());
    let params = match validate(raw) {
        Ok(mut p) => {
            if !per_page_given {
                p.paging.per_page = PAGE_ROWS;
            }
            p
        }
        Err(err @ AppError::BadRequest(_)) => return Ok(coverage_error(err)),
        Err(err) => return Err(err.into()),
    };
    let cov = match coverage(&state, &params).await {
        Ok(Some(cov)) => cov,
        Ok(None) => {
            let markup = coverage_frame(html! { h1 { "年报存档覆盖情况" } (no_archive_note()) });
            return Ok(Html(markup.into_string()).into_response());
        }
        Err(err @ AppError::BadRequest(_)) => return Ok(coverage_error(err)),
        Err(err) => return Err(err.into()),
    };
    let rows = match params.paging.window(cov.schools.len()) {
        Ok(rows) => rows,
        Err(err) => return Ok(coverage_error(err)),
    };
    let provinces = province_options(&state, &params, &cov).await?;
    let markup = coverage_page(&cov, &params, &provinces, rows);
    Ok(Html(markup.into_string()).into_response())
}

fn coverage_page(
    cov: &Coverage,
    params: &CoverageParams,
    provinces: &[String],
    rows: std::ops::Range<usize>,
) -> Markup {
    let shown = &cov.schools[rows];
    let last_page = params.paging.pages(cov.schools.len());
    let mut years = academic_years(time::OffsetDateTime::now_utc().date());
    years.extend(cov.years.iter().cloned());
    years.sort();
    years.dedup();
    let cells: usize = cov.totals.values().sum();
    let chosen_province = params.province.as_deref().map(province_short);
    coverage_frame(html! {
        h1 { "年报存档覆盖情况" }
        p.intro {
            "每所应当发布信息公开年度报告的高校（教育部 2017 年《全国普通高等学校名单》，"
            "加上抓取来源中名单以外的学校）× 自 2010-2011 起的每个学年：本站是否存有该学年的报告；"
            "没有时说明原因。点击色块看证据：已存档的打开报告，其余的看抓取记录。"
            "“抓取未见”“无法访问”“未抓取”都不等于学校没有发布——只是本站没有读到。"
        }
        form.checklist-filters action="/coverage" method="get" {
            label {
                "省份 "
                select name="province" {
                    option value="" { "全部" }
                    @for p in provinces {
                        option value=(p) selected[chosen_province == Some(p.as_str())] { (p) }
                    }
                }
            }
            label {
                "层次 "
                select name="level" {
                    option value="" { "全部" }
                    @for l in ["本科", "专科"] {
                        option value=(l) selected[params.level.as_deref() == Some(l)] { (l) }
                    }
                }
            }
            label {
                "学年 "
                select name="year" {
                    option value="" { "全部" }
                    @for y in &years {
                        option value=(y) selected[params.year.as_ref() == Some(y)] { (y) }
                    }
                }
            }
            label {
                input type="checkbox" name="in_sources" value="1" checked[params.in_sources];
                " 只看有抓取来源的学校"
            }
            button type="submit" { "查看" }
            @if params.has_filters() {
                a href="/coverage" { "清除筛选" }
            }
        }
        (legend(&cov.totals))
        p.matrix-summary {
            strong #school-count { (count(cov.schools.len() as u64)) } " 所学校 × "
            (cov.years.len()) " 个学年 = " (count(cells as u64)) " 格。下载："
            a href=(params.href("/coverage.csv")) download { "CSV（每校每学年一行）" }
            " · "
            a href=(params.href("/api/coverage")) { "JSON" }
            " · 抓取记录："
            a href="/sources" { "抓取来源" }
        }
        @if cov.schools.is_empty() {
            p.empty { "此范围内没有学校。" }
        } @else {
            div.matrix-wrap {
                table.matrix.coverage {
                    thead {
                        tr {
                            th.school-h { "学校" }
                            th { "代码" }
                            th { "省份" }
                            th { "层次" }
                            th title="是否有抓取来源" { "来源" }
                            @for y in &cov.years {
                                th.year {
                                    a href=(params.with(params.province.as_deref(), Some(y)))
                                        title=(format!("只看 {y} 学年")) { (year_short(y)) }
                                }
                            }
                        }
                    }
                    tbody {
                        @for s in shown {
                            (school_row(s, &cov.years))
                        }
                    }
                }
            }
            (pagination(params.paging.page, last_page, |page| {
                params.page_href("/coverage", Paging { page, ..params.paging })
            }))
        }
        h2 #provinces { "各省份" }
        (province_table(cov, params))
    })
}

/// `2019-2020` → `2019–20` (the header of a year column).
fn year_short(year: &str) -> String {
    match year.split_once('-') {
        Some((a, b)) if b.len() == 4 => format!("{a}–{}", &b[2..]),
        _ => year.to_string(),
    }
}

/// The four statuses with their marks, labels and counts.
fn legend(totals: &BTreeMap<Status, usize>) -> Markup {
    html! {
        ul.cov-legend #totals {
            @for s in Status::ALL {
                li {
                    span class=(format!("cov-mark cov-{}", s.as_str())) {}
                    " " (s.label()) " "
                    strong data-status=(s.as_str()) { (count(totals.get(&s).copied().unwrap_or(0) as u64)) }
                }
            }
        }
    }
}

fn school_row(s: &SchoolCoverage, years: &[String]) -> Markup {
    html! {
        tr {
            th.school scope="row" title=(s.name) { (s.name) }
            td.code { (s.code.as_deref().unwrap_or("")) }
            td.province { (s.province.as_deref().unwrap_or("")) }
            td.level { (s.level.as_deref().unwrap_or("")) }
            td.src { @if s.in_sources { "✓" } @else { "—" } }
            @for y in years {
                td {
                    @if let Some(cell) = s.years.get(y) {
                        (cell_mark(cell))
                    }
                }
            }
        }
    }
}

/// One cell: a coloured mark linking to its evidence, with the evidence in a sentence as
/// its title (the year is in the sticky column header; every byte here is 1,600 bytes a
/// page).
fn cell_mark(cell: &Cell) -> Markup {
    let class = format!("cov-mark cov-{}", cell.status.as_str());
    let title = format!("{}：{}", cell.status.label(), cell.detail);
    let link = match (cell.status, cell.reports.first(), &cell.crawl) {
        (Status::Archived, Some(r), _) => Some(report_href(&r.report_id, "", None)),
        (Status::NotFound | Status::Unreachable, _, Some(c)) => Some(source_href(&c.source)),
        _ => None,
    };
    html! {
        @if let Some(link) = link {
            a class=(class) href=(link) title=(title) {}
        } @else {
            span class=(class) title=(title) {}
        }
    }
}

fn province_table(cov: &Coverage, params: &CoverageParams) -> Markup {
    let mut order: Vec<&str> = provinces_in_order(cov);
    for p in cov.provinces.keys() {
        if !order.contains(&p.as_str()) {
            order.push(p);
        }
    }
    html! {
        div.table-wrap {
            table.cov-provinces {
                thead {
                    tr {
                        th { "省份" }
                        @for s in Status::ALL {
                            th.n { span class=(format!("cov-mark cov-{}", s.as_str())) {} " " (s.label()) }
                        }
                        th.n { "合计" }
                        th.n { "已存档比例" }
                    }
                }
                tbody {
                    @for p in order {
                        @if let Some(counts) = cov.provinces.get(p) {
                            @let total: usize = counts.values().sum();
                            @let archived = counts.get(&Status::Archived).copied().unwrap_or(0);
                            tr {
                                th scope="row" {
                                    @if p == "未知" {
                                        (p)
                                    } @else {
                                        a href=(params.with(Some(province_short(p)), params.year.as_deref())) { (p) }
                                    }
                                }
                                @for s in Status::ALL {
                                    td.n { (count(counts.get(&s).copied().unwrap_or(0) as u64)) }
                                }
                                td.n { (count(total as u64)) }
                                td.n {
                                    @if total > 0 {
                                        (format!("{:.1}%", archived as f64 * 100.0 / total as f64))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A page of the coverage matrix: the whole matrix's `years`, `totals` and `provinces`,
/// this page's institutions in `schools`, and the paging fields (`page`, `per_page`, `pages`, `total`, `next_page`, `next`).
#[derive(Debug, serde::Serialize)]
pub struct CoveragePage<'a> {
    pub years: &'a [String],
    pub schools: &'a [SchoolCoverage],
    pub totals: &'a BTreeMap<Status, usize>,
    pub provinces: &'a BTreeMap<String, BTreeMap<Status, usize>>,
    #[serde(flatten)]
    pub paging: PageInfo,
}

/// `/api/coverage`: a page of the matrix as JSON (`?page=`, `?per_page=`, see [`Paging`]).
pub(crate) async fn json(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let cov = coverage(&state, &params).await?.ok_or_else(no_archive)?;
    let rows = params.paging.window(cov.schools.len())?;
    let page = CoveragePage {
        years: &cov.years,
        schools: &cov.schools[rows],
        totals: &cov.totals,
        provinces: &cov.provinces,
        paging: params
            .paging
            .info(cov.schools.len(), |p| params.page_href("/api/coverage", p)),
    };
    Ok(Json(page).into_response())
}

fn no_archive() -> AppError {
    AppError::NotFound("this site has no crawl archive, so it has no coverage".into())
}

/// `/coverage.csv`: one row per institution and year ([`crate::export::coverage_csv`], as
/// `xxgk coverage --csv` prints), the whole matrix streamed.
pub(crate) async fn csv(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let cov = coverage(&state, &params).await?.ok_or_else(no_archive)?;
    let name = match &params.year {
        Some(y) => format!("coverage-{y}.csv"),
        None => "coverage.csv".to_string(),
    };
    let items = cov.schools.len();
    Ok(csv_download(
        &name,
        cov,
        items,
        COVERAGE_CSV_HEADER.map(String::from).to_vec(),
        coverage_rows,
    ))
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;
