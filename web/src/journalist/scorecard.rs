//! `/scorecard`: one row per report — the figures it states, on time or late, its parts
//! and checklist count — filtered, sorted by any column, 50 rows a page, every value a
//! link to its sentence marked in the report; with one school, its series over the years
//! as small SVG charts. `/scorecard.csv` and `/api/scorecard` give the same rows (issue 20).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use serde::{Deserialize, Serialize};
use xxgk_app::export::scorecard::{scorecard_header, scorecard_row};
use xxgk_app::figures::{FigureKind, Part};
use xxgk_app::scorecard::{flag_text, Scorecard, ScorecardLine, ScorecardRequest, ScorecardSort};

use super::{html_response, report_href, split_list, stylesheet};
use crate::error::HtmlError;
use crate::export::csv_download;
use crate::figures::{evidence_href, on_time_text, value_text};
use crate::params::{href, PageInfo, Paging, Params};
use crate::render::{count, error_box, page as frame, Nav};
use crate::{AppError, AppState};

/// Rows a page unless `per_page` says otherwise.
const ROWS_PER_PAGE: usize = 50;
/// Most values of one filter.
const MAX_FILTER_VALUES: usize = 50;

/// The parameters as sent (strings, so that a bad value gets our message).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawScorecard {
    year: Vec<String>,
    province: String,
    school: Vec<String>,
    sort: String,
    order: String,
    page: String,
    per_page: String,
}

/// Validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardParams {
    pub years: Vec<String>,
    pub province: Option<String>,
    pub schools: Vec<String>,
    pub sort: ScorecardSort,
    pub reverse: bool,
    pub paging: Paging,
}

impl TryFrom<RawScorecard> for ScorecardParams {
    type Error = AppError;

    fn try_from(raw: RawScorecard) -> Result<Self, AppError> {
        let clean = |values: Vec<String>, name: &str| -> Result<Vec<String>, AppError> {
            let out = split_list("", &values);
            if out.len() > MAX_FILTER_VALUES {
                return Err(AppError::BadRequest(format!(
                    "{name} 最多 {MAX_FILTER_VALUES} 个（收到 {} 个）",
                    out.len()
                )));
            }
            Ok(out)
        };
        let sort = ScorecardSort::parse(&raw.sort).ok_or_else(|| {
            AppError::BadRequest(format!(
                "无法按 {:?} 排序；可用：{}",
                raw.sort,
                ScorecardSort::names()
            ))
        })?;
        let reverse = match raw.order.trim() {
            "" => false,
            "reverse" => true,
            other => {
                return Err(AppError::BadRequest(format!(
                    "order={other:?} 无效：不写，或写 reverse（倒序）"
                )))
            }
        };
        let mut paging = Paging::parse(&raw.page, &raw.per_page)?;
        if raw.per_page.trim().is_empty() {
            paging.per_page = ROWS_PER_PAGE;
        }
        let province = Some(raw.province.trim().to_string()).filter(|p| !p.is_empty());
        Ok(ScorecardParams {
            years: clean(raw.year, "year")?,
            province,
            schools: clean(raw.school, "school")?,
            sort,
            reverse,
            paging,
        })
    }
}

impl ScorecardParams {
    fn request(&self) -> ScorecardRequest {
        ScorecardRequest {
            years: self.years.clone(),
            schools: self.schools.clone(),
            province: self.province.clone(),
        }
    }

    /// The filters and sort as link parameters, defaults left out.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> =
            self.years.iter().map(|y| ("year", y.clone())).collect();
        if let Some(p) = &self.province {
            pairs.push(("province", p.clone()));
        }
        pairs.extend(self.schools.iter().map(|s| ("school", s.clone())));
        if self.sort != ScorecardSort::School {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if self.reverse {
            pairs.push(("order", "reverse".into()));
        }
        pairs
    }

    fn page_href(&self, path: &str, paging: Paging) -> String {
        let mut pairs = self.pairs();
        if paging.page != 1 {
            pairs.push(("page", paging.page.to_string()));
        }
        if paging.per_page != ROWS_PER_PAGE {
            pairs.push(("per_page", paging.per_page.to_string()));
        }
        href(path, &pairs)
    }

    /// A column header's link: sorted by `sort`, the same sort again turns it around;
    /// back to the first page.
    fn sorted(&self, sort: ScorecardSort) -> String {
        let next = ScorecardParams {
            sort,
            reverse: self.sort == sort && !self.reverse,
            ..self.clone()
        };
        next.page_href(
            "/scorecard",
            Paging {
                page: 1,
                ..self.paging
            },
        )
    }
}

type Raw = Result<Params<RawScorecard>, AppError>;

fn validate(raw: Raw) -> Result<ScorecardParams, AppError> {
    raw.and_then(|Params(raw)| ScorecardParams::try_from(raw))
}

async fn answer(state: &AppState, params: &ScorecardParams) -> Result<Arc<Scorecard>, AppError> {
    let req = params.request();
    state.read(move |app| app.scorecard(&req)).await
}

/// The JSON answer: this page's rows and the paging fields.
#[derive(Serialize)]
struct ScorecardPage<'a> {
    rows: Vec<&'a ScorecardLine>,
    #[serde(flatten)]
    paging: PageInfo,
}

/// `/api/scorecard`: the rows of one page, in the order asked.
pub async fn json(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let card = answer(&state, &params).await?;
    let order = params.sort.order(&card.rows, params.reverse);
    let window = params.paging.window(order.len())?;
    let page = ScorecardPage {
        rows: order[window].iter().map(|&i| &card.rows[i]).collect(),
        paging: params
            .paging
            .info(order.len(), |p| params.page_href("/api/scorecard", p)),
    };
    Ok(Json(page).into_response())
}

/// `/scorecard.csv`: every row in the order asked, streamed.
pub async fn csv(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let params = validate(raw)?;
    let card = answer(&state, &params).await?;
    let order = params.sort.order(&card.rows, params.reverse);
    let items = order.len();
    let data = Arc::new((card, order));
    Ok(csv_download(
        "scorecard.csv",
        data,
        items,
        scorecard_header(),
        |(card, order), i| vec![scorecard_row(&card.rows[order[i]])],
    ))
}

/// `/scorecard`: the table.
pub async fn page(State(state): State<AppState>, raw: Raw) -> Result<Response, HtmlError> {
    let params = validate(raw)?;
    let card = match answer(&state, &params).await {
        Ok(card) => card,
        Err(err @ (AppError::BadRequest(_) | AppError::BadQuery(_))) => {
            let markup = page_frame(html! {
                h1 { "透明度记分卡" }
                (error_box(&err.message()))
                p { a href="/scorecard" { "查看全部" } }
            });
            return Ok(err.finish(html_response(markup)));
        }
        Err(err) => return Err(err.into()),
    };
    let order = params.sort.order(&card.rows, params.reverse);
    let window = params.paging.window(order.len())?;
    let last_page = params.paging.pages(order.len());
    let shown: Vec<&ScorecardLine> = order[window].iter().map(|&i| &card.rows[i]).collect();
    Ok(html_response(table_page(&card, &params, &shown, last_page)))
}

fn page_frame(content: Markup) -> Markup {
    frame(
        "透明度记分卡",
        "每份信息公开年度报告写明的数字（收到、同意、不予公开的申请，举报、复议、诉讼，满意度）、是否按时发布、是否完整，每个数字都链接到报告原句。",
        Nav::Scorecard,
        html! { (stylesheet()) (content) },
    )
}

fn table_page(
    card: &Scorecard,
    params: &ScorecardParams,
    shown: &[&ScorecardLine],
    last_page: usize,
) -> Markup {
    let late = card
        .rows
        .iter()
        .filter(|l| l.row.card.on_time == Some(false))
        .count();
    let on_time = card
        .rows
        .iter()
        .filter(|l| l.row.card.on_time == Some(true))
        .count();
    let complete = card
        .rows
        .iter()
        .filter(|l| l.row.card.parts.count() == Part::ALL.len())
        .count();
    let one_school = single_school(card, params);
    let head = |label: &str, sort: ScorecardSort| {
        let arrow = if params.sort == sort {
            if params.reverse {
                " ↓"
            } else {
                " ↑"
            }
        } else {
            ""
        };
        html! {
            th scope="col" aria-sort=(aria_sort(params, sort)) {
                a href=(params.sorted(sort)) { (label) (arrow) }
            }
        }
    };
    page_frame(html! {
        h1 {
            "透明度记分卡"
            @if let Some(school) = one_school { "：" (school) }
        }
        p.intro {
            "每行是一份年度报告：报告写明的数字、是否在学年结束后的 10 月 31 日前发布、"
            "是否具备国家模板的 7 个部分，以及《信息公开事项清单》50 项中提到几项。"
            "点数字打开报告并标出原句；空白表示报告没有写明这一数字（不是 0）。"
        }
        form.scorecard-filters action="/scorecard" method="get" {
            label { "年度 " input type="text" name="year" value=(params.years.join("，")) placeholder="2020-2021" size="12"; }
            label { "省份 " input type="text" name="province" value=(params.province.clone().unwrap_or_default()) placeholder="湖南" size="6"; }
            label { "学校 " input type="text" name="school" value=(params.schools.join("，")) placeholder="简体或繁体" size="16"; }
            @if params.sort != ScorecardSort::School {
                input type="hidden" name="sort" value=(params.sort.as_str());
            }
            @if params.reverse { input type="hidden" name="order" value="reverse"; }
            button type="submit" { "查看" }
        }
        p.matrix-summary {
            strong #report-count { (count(card.total as u64)) } " 份报告"
            "：按时 " (count(on_time as u64)) "，逾期 " (count(late as u64))
            "，7 个部分齐全 " (count(complete as u64)) "。下载："
            a href=(params.page_href("/scorecard.csv", Paging { page: 1, per_page: ROWS_PER_PAGE })) download { "CSV" }
            " · "
            a href=(params.page_href("/api/scorecard", params.paging)) { "JSON" }
        }
        @if one_school.is_some() && card.rows.len() >= 2 {
            (series(card))
        }
        @if card.rows.is_empty() {
            p { "没有符合条件的报告。" }
        } @else {
            div.table-wrap {
                table.scorecard {
                    thead {
                        tr {
                            (head("学校", ScorecardSort::School))
                            (head("年度", ScorecardSort::Year))
                            (head("发布", ScorecardSort::Published))
                            (head("按时", ScorecardSort::OnTime))
                            (head("部分", ScorecardSort::Parts))
                            (head("清单", ScorecardSort::Checklist))
                            @for kind in FigureKind::ALL {
                                (head(kind.label(), ScorecardSort::Figure(kind)))
                            }
                        }
                    }
                    tbody {
                        @for line in shown {
                            (row(line))
                        }
                    }
                }
            }
            (pager(params, last_page))
        }
    })
}

/// The one school all rows are of, when the filter named one.
fn single_school<'a>(card: &'a Scorecard, params: &ScorecardParams) -> Option<&'a str> {
    let first = card.rows.first()?;
    (params.schools.len() == 1 && card.rows.iter().all(|l| l.row.school == first.row.school))
        .then_some(first.row.school.as_str())
}

fn aria_sort(params: &ScorecardParams, sort: ScorecardSort) -> &'static str {
    match (params.sort == sort, params.reverse) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    }
}

fn row(line: &ScorecardLine) -> Markup {
    let r = &line.row;
    let c = &r.card;
    let missing: Vec<&str> = Part::ALL
        .iter()
        .filter(|p| !c.parts.has(**p))
        .map(|p| p.label())
        .collect();
    let flags: Vec<String> = c.flags.iter().map(flag_text).collect();
    html! {
        tr {
            th scope="row" {
                a href=(href("/scorecard", &[("school", r.school.clone())])) { (r.school) }
                @if !flags.is_empty() {
                    " " span.flag title=(flags.join("；")) aria-label=(flags.join("；")) { "⚠" }
                }
            }
            td {
                a href=(report_href(&c.report_id, "", None)) { (c.year.as_deref().unwrap_or("—")) }
            }
            td.date title=(on_time_text(c)) {
                (c.published.map(|d| d.to_string()).unwrap_or_else(|| "—".into()))
                @if c.published_is_first_seen { "*" }
            }
            td {
                @match c.on_time {
                    Some(true) => span.ok { "按时" },
                    Some(false) => span.late { "逾期" },
                    None => span.muted { "不明" },
                }
            }
            td title=(if missing.is_empty() { "7 个部分齐全".to_string() } else { format!("缺：{}", missing.join("、")) }) {
                (c.parts.count()) "/7"
            }
            td { (line.checklist_items.map(|n| n.to_string()).unwrap_or_else(|| "—".into())) }
            @for kind in FigureKind::ALL {
                td.num {
                    @if let Some(f) = c.figures.get(kind) {
                        a href=(evidence_href(f)) title=(f.quote) { (value_text(kind, f)) }
                    }
                }
            }
        }
    }
}

fn pager(params: &ScorecardParams, last_page: usize) -> Markup {
    if last_page <= 1 {
        return html! {};
    }
    let page = params.paging.page;
    let link = |n: usize| {
        params.page_href(
            "/scorecard",
            Paging {
                page: n,
                ..params.paging
            },
        )
    };
    html! {
        nav.pagination aria-label="分页" {
            @if page > 1 { a rel="prev" href=(link(page - 1)) { "‹ 上一页" } " " }
            span { "第 " (page) " / " (last_page) " 页" }
            @if page < last_page { " " a rel="next" href=(link(page + 1)) { "下一页 ›" } }
        }
    }
}

/// A figure over the years: (year, value; `None` where the report does not state it).
type Series = Vec<(String, Option<f64>)>;

/// One school's figures over the years: a small bar chart per figure it states at least
/// twice, drawn on the server (no script), each bar titled with its year and value.
fn series(card: &Scorecard) -> Markup {
    let mut lines: Vec<&ScorecardLine> = card.rows.iter().collect();
    lines.sort_by_key(|l| {
        l.row
            .card
            .year
            .as_deref()
            .and_then(xxgk_app::year::ReportYear::parse)
            .map(|y| y.sort_key())
    });
    let charts: Vec<(FigureKind, Series)> = FigureKind::ALL
        .iter()
        .map(|k| {
            let points = lines
                .iter()
                .map(|l| {
                    let year = l.row.card.year.clone().unwrap_or_else(|| "?".into());
                    (year, l.row.card.figures.get(*k).map(|f| f.value.as_f64()))
                })
                .collect::<Vec<_>>();
            (*k, points)
        })
        .filter(|(_, points)| points.iter().filter(|(_, v)| v.is_some()).count() >= 2)
        .collect();
    if charts.is_empty() {
        return html! {};
    }
    html! {
        section.series aria-label="历年变化" {
            h2 { "历年变化" }
            div.charts {
                @for (kind, points) in &charts {
                    figure.chart {
                        (PreEscaped(bar_chart(points)))
                        figcaption { (kind.label()) }
                    }
                }
            }
        }
    }
}

/// An SVG bar chart of `points` (label, value; a missing value is a gap), 160 × 64.
fn bar_chart(points: &[(String, Option<f64>)]) -> String {
    const W: f64 = 160.0;
    const H: f64 = 64.0;
    const BASE: f64 = 14.0;
    let max = points
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let slot = W / points.len().max(1) as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        xxgk_app::text::escape_html(
            &points
                .iter()
                .map(|(y, v)| format!(
                    "{y}：{}",
                    v.map(|v| v.to_string()).unwrap_or_else(|| "未写明".into())
                ))
                .collect::<Vec<_>>()
                .join("，")
        )
    );
    for (i, (year, value)) in points.iter().enumerate() {
        let x = i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let label = year.get(2..4).unwrap_or(year);
        if let Some(v) = value {
            let h = ((H - BASE - 4.0) * v / max).max(1.0);
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"bar\"><title>{}：{v}</title></rect>",
                H - BASE - h,
                xxgk_app::text::escape_html(year)
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
            x + w / 2.0,
            H - 3.0,
            xxgk_app::text::escape_html(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
