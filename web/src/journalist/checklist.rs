//! `/checklist`: schools × the 50 checklist items for one year; `/checklist.csv` and
//! `/api/checklist` for download.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use serde::Deserialize;
use xxgk_app::checklist::{
    items, row_order, Matrix, MatrixRequest, MatrixSort, SchoolRow, CATEGORIES, ITEM_COUNT,
};
use xxgk_app::export::checklist::{long_header, long_rows, wide_header, wide_row};

use super::{html_response, matrix, report_href, stylesheet};
use crate::error::HtmlError;
use crate::export::csv_download;
use crate::params::{href, PageInfo, Paging, Params};
use crate::render::{count, error_box, page as frame, section_anchor, Nav};
use crate::{AppError, AppState};

/// Most values of one filter.
const MAX_FILTER_VALUES: usize = 50;

/// The parameters as sent (strings, so that a bad value gets our message).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawChecklist {
    year: String,
    province: Vec<String>,
    kind: Vec<String>,
    school: Vec<String>,
    sort: String,
    order: String,
    page: String,
    per_page: String,
    layout: String,
}

/// Validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistParams {
    pub year: Option<String>,
    pub provinces: Vec<String>,
    pub kinds: Vec<String>,
    pub schools: Vec<String>,
    pub sort: MatrixSort,
    /// The sort turned around.
    pub reverse: bool,
    /// Which schools of the matrix to show (the page and the JSON).
    pub paging: Paging,
    /// `long`: one CSV row per school and item.
    pub long: bool,
}

impl TryFrom<RawChecklist> for ChecklistParams {
    type Error = AppError;

    fn try_from(raw: RawChecklist) -> Result<Self, AppError> {
        let clean = |values: Vec<String>, name: &str| -> Result<Vec<String>, AppError> {
            let out = super::split_list("", &values);
            if out.len() > MAX_FILTER_VALUES {
                return Err(AppError::BadRequest(format!(
                    "too many {name} values ({}; at most {MAX_FILTER_VALUES})",
                    out.len()
                )));
            }
            Ok(out)
        };
        let sort = MatrixSort::parse(raw.sort.trim()).ok_or_else(|| {
            AppError::BadRequest(format!(
                "unknown sort {:?}; use coverage, school, province or item:N (1–{ITEM_COUNT})",
                raw.sort
            ))
        })?;
        let reverse = match raw.order.trim() {
            "" => false,
            "reverse" => true,
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown order {other:?}; leave it out or use reverse"
                )))
            }
        };
        let paging = Paging::parse(&raw.page, &raw.per_page)?;
        let long = match raw.layout.trim() {
            "" | "wide" => false,
            "long" => true,
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown layout {other:?}; use wide or long"
                )))
            }
        };
        let year = Some(raw.year.trim().to_string()).filter(|y| !y.is_empty());
        Ok(ChecklistParams {
            year,
            provinces: clean(raw.province, "province")?,
            kinds: clean(raw.kind, "kind")?,
            schools: clean(raw.school, "school")?,
            sort,
            reverse,
            paging,
            long,
        })
    }
}

impl ChecklistParams {
    fn request(&self, without_snippets: bool) -> MatrixRequest {
        MatrixRequest {
            year: self.year.clone(),
            provinces: self.provinces.clone(),
            kinds: self.kinds.clone(),
            schools: self.schools.clone(),
            without_snippets,
        }
    }

    /// The parameters as `key=value` pairs, defaults left out (`layout` and `page` are
    /// set per link).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(y) = &self.year {
            pairs.push(("year", y.clone()));
        }
        for p in &self.provinces {
            pairs.push(("province", p.clone()));
        }
        for k in &self.kinds {
            pairs.push(("kind", k.clone()));
        }
        for s in &self.schools {
            pairs.push(("school", s.clone()));
        }
        if self.sort != MatrixSort::Coverage {
            pairs.push(("sort", self.sort.as_string()));
        }
        if self.reverse {
            pairs.push(("order", "reverse".into()));
        }
        pairs
    }

    fn href(&self, path: &str) -> String {
        href(path, &self.pairs())
    }

    fn with_page(&self, page: usize) -> String {
        self.page_href(
            "/checklist",
            Paging {
                page,
                ..self.paging
            },
        )
    }

    fn page_href(&self, path: &str, paging: Paging) -> String {
        let mut pairs = self.pairs();
        pairs.extend(paging.pairs());
        href(path, &pairs)
    }

    /// A link sorting by `sort`: the same sort again turns it around.
    fn sorted(&self, sort: MatrixSort) -> String {
        let next = ChecklistParams {
            sort,
            reverse: self.sort == sort && !self.reverse,
            paging: Paging {
                page: 1,
                ..self.paging
            },
            ..self.clone()
        };
        next.href("/checklist")
    }
}

type Raw = Result<Params<RawChecklist>, AppError>;

fn validate(raw: Raw) -> Result<ChecklistParams, AppError> {
    raw.and_then(|Params(raw)| ChecklistParams::try_from(raw))
}

/// `/checklist`: the matrix page. Computed without snippets (each mentioned cell links to
/// its evidence in the report instead) and cached, so sorting and paging are cheap.
pub async fn page(State(state): State<AppState>, raw: Raw) -> Result<Response, HtmlError> {
    let params = validate(raw)?;
    let m = match matrix(&state, params.request(true)).await {
        Ok(m) => m,
        Err(err @ (AppError::BadRequest(_) | AppError::BadQuery(_))) => {
            let markup = page_frame(html! {
                h1 { "信息公开事项清单对照" }
                (error_box(&err.message()))
                p { a href="/checklist" { "查看最新年度" } }
            });
            return Ok(err.finish(html_response(markup)));
        }
        Err(err) => return Err(err.into()),
    };
    let order = row_order(&m.rows, params.sort, params.reverse);
    let rows = params.paging.window(order.len())?;
    let last_page = params.paging.pages(order.len());
    // Crawled schools with no report for the year: their rows say so on the last page,
    // instead of leaving them out (a blank would read as "mentions nothing").
    let (year, provinces) = (m.year.clone(), params.provinces.clone());
    let no_report = if params.paging.page == last_page && params.schools.is_empty() {
        state
            .read(move |app| app.checklist_no_report(&year, &provinces))
            .await?
    } else {
        Vec::new()
    };
    Ok(html_response(matrix_page(
        &m,
        &params,
        &order[rows],
        last_page,
        &no_report,
    )))
}

fn page_frame(content: Markup) -> Markup {
    frame(
        "信息公开事项清单对照",
        "对照《高等学校信息公开事项清单》，逐校逐项查看年度报告提到了哪些应公开事项，可下载 CSV。",
        Nav::Checklist,
        html! { (stylesheet()) (content) },
    )
}

fn matrix_page(
    m: &Matrix,
    params: &ChecklistParams,
    shown: &[usize],
    last_page: usize,
    no_report: &[xxgk_app::NoReport],
) -> Markup {
    let shown: Vec<&SchoolRow> = shown.iter().map(|&i| &m.rows[i]).collect();
    let per_category: Vec<(usize, &str, usize)> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| (i, *c, items().iter().filter(|it| it.category == *c).count()))
        .collect();
    let category_of = |number: u32| {
        CATEGORIES
            .iter()
            .position(|c| items()[number as usize - 1].category == *c)
            .unwrap_or(0)
    };
    let year_pairs = |extra: Vec<(&'static str, String)>| {
        let mut pairs = vec![("year", m.year.clone())];
        pairs.extend(extra);
        pairs
    };
    let mean = if m.rows.is_empty() {
        0.0
    } else {
        m.rows.iter().map(|r| r.covered).sum::<usize>() as f64 / m.rows.len() as f64
    };
    page_frame(html! {
        h1 { "信息公开事项清单对照" }
        p.intro {
            "按教育部《高等学校信息公开事项清单》的 50 项，逐校查看年度报告是否提到每一项。"
            "● 表示该校当年报告中有相应表述（点开看原文出处）；空白表示报告没有提到，"
            "不等于学校没有公开。举报、投诉、存在的问题和改进计划里的提及不算公开"
            "（如“举报……收费公示不及时”），所以这里的数字可能少于检索的结果。"
            "每一项用下方列出的检索式查找，点列号可看“哪些学校提到了、哪些没有”。"
        }
        form.checklist-filters action="/checklist" method="get" {
            label {
                "年度 "
                select name="year" {
                    @for y in &m.years {
                        option value=(y) selected[*y == m.year] { (y) }
                    }
                }
            }
            @if !m.provinces.is_empty() {
                fieldset {
                    legend { "省份" }
                    @for p in &m.provinces {
                        label {
                            input type="checkbox" name="province" value=(p)
                                checked[params.provinces.contains(p)];
                            (p)
                        }
                    }
                }
            }
            @if !m.kinds.is_empty() {
                fieldset {
                    legend { "学校类型" }
                    @for k in &m.kinds {
                        label {
                            input type="checkbox" name="kind" value=(k)
                                checked[params.kinds.contains(k)];
                            (k)
                        }
                    }
                }
            }
            label {
                "排序 "
                select name="sort" {
                    option value="coverage" selected[params.sort == MatrixSort::Coverage] { "提到的项数" }
                    option value="school" selected[params.sort == MatrixSort::School] { "学校名称" }
                    option value="province" selected[params.sort == MatrixSort::Province] { "省份" }
                    @for it in items() {
                        option value=(format!("item:{}", it.number))
                            selected[params.sort == MatrixSort::Item(it.number)] {
                            "第 " (it.number) " 项：" (it.short)
                        }
                    }
                }
            }
            @for s in &params.schools {
                input type="hidden" name="school" value=(s);
            }
            button type="submit" { "查看" }
        }
        p.matrix-summary {
            (m.year) " 学年，" strong #school-count { (count(m.rows.len() as u64)) } " 所学校"
            @if !m.rows.is_empty() {
                "，平均提到 " (format!("{mean:.1}")) " / " (ITEM_COUNT) " 项"
            }
            "。下载："
            a href=(params.href("/checklist.csv")) download { "CSV（每校一行）" }
            " · "
            a href=({
                let mut p = params.pairs();
                p.push(("layout", "long".into()));
                href("/checklist.csv", &p)
            }) download { "CSV（每校每项一行，含出处）" }
            " · "
            a href=(params.href("/api/checklist")) { "JSON" }
        }
        @if m.rows.is_empty() {
            p.empty { "此范围内没有报告。" }
        } @else {
            div.matrix-wrap {
                table.matrix {
                    thead {
                        tr.categories {
                            th colspan="3" {}
                            th.covered-h rowspan="3" {
                                a href=(params.sorted(MatrixSort::Coverage)) title="按提到的项数排序" { "项数" }
                            }
                            @for (i, name, n) in &per_category {
                                th.cat.(format!("c{}", i % 2)) colspan=(n) title=(name) { (name) }
                            }
                        }
                        tr.numbers {
                            th.school-h {
                                a href=(params.sorted(MatrixSort::School)) { "学校" }
                            }
                            th { a href=(params.sorted(MatrixSort::Province)) { "省份" } }
                            th { "类型" }
                            @for it in items() {
                                th.item.(format!("c{}", category_of(it.number) % 2)) {
                                    a href=(href("/schools", &year_pairs(vec![("q", it.query.clone())])))
                                        title=(format!("第 {} 项 {}：{}（点开看哪些学校提到、哪些没有）", it.number, it.short, it.wording)) {
                                        (it.number)
                                    }
                                }
                            }
                        }
                        tr.coverage {
                            th colspan="3" { "提到的学校数（点击按此项排序）" }
                            @for (it, cov) in items().iter().zip(&m.items) {
                                td {
                                    a href=(params.sorted(MatrixSort::Item(it.number)))
                                        title=(format!("{}：{} 所学校提到；按此项排序", it.short, cov.schools)) {
                                        (cov.schools)
                                    }
                                }
                            }
                        }
                    }
                    tbody {
                        @for row in &shown {
                            (matrix_row(row, &m.year))
                        }
                    }
                    @if !no_report.is_empty() {
                        tbody.no-report {
                            @for n in no_report {
                                tr {
                                    th.school scope="row" { (n.school) }
                                    td.province { (n.province.as_deref().unwrap_or("")) }
                                    td.kind {}
                                    td.covered { "—" }
                                    td.no-report colspan=(ITEM_COUNT) title=(n.detail) {
                                        span class=(format!("cov-mark cov-{}", n.status.as_str())) {}
                                        " 无报告（" (n.status.label()) "）：" (n.detail)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if last_page > 1 {
                nav.pages aria-label="分页" {
                    @if params.paging.page > 1 {
                        a rel="prev" href=(params.with_page(params.paging.page - 1)) { "‹ 上一页" }
                    }
                    span { "第 " (params.paging.page) " / " (last_page) " 页" }
                    @if params.paging.page < last_page {
                        a rel="next" href=(params.with_page(params.paging.page + 1)) { "下一页 ›" }
                    }
                }
            }
        }
        h2 #items { "50 个事项与检索式" }
        div.table-wrap {
            table.items {
                thead {
                    tr { th { "#" } th { "类别" } th { "事项" } th { "清单原文" } th { "检索式" } th { "提到的学校" } }
                }
                tbody {
                    @for (it, cov) in items().iter().zip(&m.items) {
                        tr id=(format!("item-{}", it.number)) {
                            td { (it.number) }
                            td { (it.category) }
                            td { (it.short) }
                            td.wording { (it.wording) }
                            td { code { (it.query) } }
                            td.n {
                                a href=(href("/schools", &year_pairs(vec![("q", it.query.clone())]))) {
                                    (cov.schools) " / " (m.rows.len())
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

fn matrix_row(row: &SchoolRow, year: &str) -> Markup {
    html! {
        tr {
            th.school scope="row" {
                a href=(href("/compare", &[("schools", row.school.clone()), ("year", year.to_string())]))
                    title="与其他学校或其他年度对比" { (row.school) }
            }
            td.province { (row.province.as_deref().unwrap_or("")) }
            td.kind { (row.kind.as_deref().unwrap_or("")) }
            td.covered {
                (row.covered)
                meter min="0" max=(ITEM_COUNT) value=(row.covered) {}
            }
            @for (it, cell) in items().iter().zip(&row.cells) {
                @match cell {
                    Some(e) => {
                        td.y {
                            a href=(report_href(&e.report_id, &it.query, Some(&section_anchor(e.section, e.section_nth))))
                                title=(format!("{}：见“{}”", it.short, if e.heading.is_empty() { e.section.label() } else { &e.heading })) {
                                "●"
                            }
                        }
                    }
                    None => { td.n {} }
                }
            }
        }
    }
}

/// A page of the matrix: its fields (`year`, `years`, `provinces`, `kinds`, the filters,
/// `items`) with this page's `rows`, sorted as asked, and the paging fields
/// ([`PageInfo`]).
#[derive(Debug, serde::Serialize)]
pub struct MatrixPage<'a> {
    pub year: &'a str,
    pub years: &'a [String],
    pub provinces: &'a [String],
    pub kinds: &'a [String],
    pub filter_provinces: &'a [String],
    pub filter_kinds: &'a [String],
    pub items: &'a [xxgk_app::checklist::ItemCoverage],
    pub rows: Vec<&'a SchoolRow>,
    #[serde(flatten)]
    pub paging: PageInfo,
}

/// `/api/checklist`: a page of the matrix with evidence snippets, sorted as asked
/// (`?page=`, `?per_page=`, see [`Paging`]).
pub async fn json(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let m = matrix(&state, params.request(false)).await?;
    let order = row_order(&m.rows, params.sort, params.reverse);
    let rows = params.paging.window(order.len())?;
    let page = MatrixPage {
        year: &m.year,
        years: &m.years,
        provinces: &m.provinces,
        kinds: &m.kinds,
        filter_provinces: &m.filter_provinces,
        filter_kinds: &m.filter_kinds,
        items: &m.items,
        rows: order[rows].iter().map(|&i| &m.rows[i]).collect(),
        paging: params
            .paging
            .info(order.len(), |p| params.page_href("/api/checklist", p)),
    };
    Ok(Json(page).into_response())
}

/// `/checklist.csv`: one row per school (`layout=long`: per school and item, with the
/// evidence), the whole matrix sorted as asked and streamed ([`csv_download`]).
pub async fn csv(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let m = matrix(&state, params.request(!params.long)).await?;
    let order = row_order(&m.rows, params.sort, params.reverse);
    let name = format!(
        "{}-{}.csv",
        if params.long {
            "checklist-long"
        } else {
            "checklist"
        },
        m.year
    );
    let items = order.len();
    let data = Arc::new((m, order));
    Ok(if params.long {
        csv_download(&name, data, items, long_header(), |(m, order), i| {
            long_rows(m, &m.rows[order[i]])
        })
    } else {
        csv_download(&name, data, items, wide_header(), |(m, order), i| {
            vec![wide_row(m, &m.rows[order[i]])]
        })
    })
}
