//! HTML pages. Handlers validate, run the engine in `spawn_blocking`, and render with maud.

use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use xxgk_app::text::{highlight_all, match_ranges, UserQuery};
use xxgk_app::year::ReportYear;
use xxgk_app::{
    App, FacetCounts, Hit, IndexStats, NoReport, Report, SearchResults, SectionId, Sort, Stats,
    Status,
};

use crate::api::{schools_page_href, SchoolsPage};
use crate::params::{href, Dim, Paging, Params, RawSearch, SearchParams, PAGE_SIZE};
use crate::render::{
    count, encode_path, error_box, external_link, highlighted, page, pagination, section_anchor,
    section_label, Nav, SITE, SITE_DESCRIPTION,
};
use crate::{AppError, AppState, ReportVersion};

/// Facet values shown before the rest fold into "more".
const FACET_SHOWN: usize = 12;
/// Values listed under "更多" at most: with 3,000 schools the search page must stay
/// small. The rest are reached by the school filter below the list, or on `/schools`.
const FACET_MORE_MAX: usize = 60;

/// An [`AppError`] answered with a page instead of JSON.
#[derive(Debug)]
pub struct HtmlError(pub AppError);

impl From<AppError> for HtmlError {
    fn from(err: AppError) -> Self {
        HtmlError(err)
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let err = self.0;
        let description = format!("{}：{}（{SITE}）", error_title(&err), err.message());
        let markup = page(
            error_title(&err),
            &description,
            Nav::None,
            html! {
                h1 { (error_title(&err)) }
                (error_box(&err.message()))
                p { a href="/" { "返回检索首页" } }
            },
        );
        err.finish(html_response(markup))
    }
}

fn error_title(err: &AppError) -> &'static str {
    match err {
        AppError::BadRequest(_) | AppError::BadQuery(_) => "请求有误",
        AppError::NotFound(_) => "未找到",
        AppError::MethodNotAllowed => "不支持的请求方法",
        AppError::Timeout => "请求超时",
        AppError::Busy => "服务器繁忙",
        AppError::Internal(_) => "服务器内部错误",
    }
}

fn html_response(markup: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

pub async fn not_found() -> HtmlError {
    HtmlError(AppError::NotFound("页面不存在".into()))
}

/// What the search page shows: the page of hits and, per facet, counts computed without
/// that facet's own filter (so choosing 2021 still shows the other years to add).
struct SearchView {
    results: SearchResults,
    facets: Vec<(Dim, BTreeMap<String, u64>)>,
}

fn run_search(app: &App, params: &SearchParams) -> Result<SearchView, AppError> {
    let results = app.search_page(&params.to_request())?;
    let facets = Dim::ALL
        .into_iter()
        .map(|dim| (dim, pick(&results.facets, dim).clone()))
        .collect();
    Ok(SearchView { results, facets })
}

fn pick(facets: &FacetCounts, dim: Dim) -> &BTreeMap<String, u64> {
    match dim {
        Dim::School => &facets.school,
        Dim::Year => &facets.year,
        Dim::Section => &facets.section,
    }
}

/// `/`: the search page.
pub async fn search(
    State(state): State<AppState>,
    raw: Result<Params<RawSearch>, AppError>,
) -> Response {
    let params = match raw.and_then(|Params(raw)| SearchParams::try_from(raw)) {
        Ok(params) => params,
        Err(err) => return search_page_error(&SearchParams::default(), err),
    };
    let p = params.clone();
    match state.blocking(move |app| run_search(app, &p)).await {
        Ok(view) => {
            let flags = crate::journalist::change_flags(&state).await;
            html_response(search_page(&params, &view, &flags))
        }
        Err(err @ (AppError::BadQuery(_) | AppError::BadRequest(_))) => {
            search_page_error(&params, err)
        }
        Err(err) => HtmlError(err).into_response(),
    }
}

/// The search page with the form kept and the reason it could not search.
fn search_page_error(params: &SearchParams, err: AppError) -> Response {
    let markup = page(
        "检索",
        SITE_DESCRIPTION,
        Nav::Search,
        html! {
            h1.sr-only { "检索信息公开年度报告" }
            (search_form(params))
            (error_box(&format!("无法检索：{}", err.message())))
            (syntax_hint())
        },
    );
    err.finish(html_response(markup))
}

fn search_form(params: &SearchParams) -> Markup {
    html! {
        form.search action="/" method="get" role="search" {
            input type="search" name="q" value=(params.q) maxlength="256"
                placeholder="例如：收费标准、依申請公開" aria-label="检索词" autofocus;
            @for dim in Dim::ALL {
                @for v in params.values(dim) {
                    input type="hidden" name=(dim.key()) value=(v);
                }
            }
            @if params.sort == Sort::Date {
                input type="hidden" name="sort" value="date";
            }
            button type="submit" { "检索" }
        }
    }
}

/// The search page's `<meta name=description>`: what was searched and how much was found.
fn search_description(params: &SearchParams, total: usize) -> String {
    if params.q.is_empty() && !params.has_filters() {
        return SITE_DESCRIPTION.to_string();
    }
    let what = if params.q.is_empty() {
        "按筛选条件浏览".to_string()
    } else {
        format!("检索“{}”", params.q)
    };
    format!(
        "在高校信息公开年度报告中{what}：共 {} 条结果。",
        count(total as u64)
    )
}

fn syntax_hint() -> Markup {
    html! {
        p.hint {
            "简体、繁体均可检索，结果保留原文字形。空格分隔的词须同时出现；"
            code { "\"依申请公开\"" } " 为精确短语；"
            code { "A OR B" } " 任一；" code { "-词" } " 排除。"
            a href="/about#syntax" { "更多说明" }
        }
    }
}

fn search_page(
    params: &SearchParams,
    view: &SearchView,
    flags: &crate::journalist::ChangeFlags,
) -> Markup {
    let browsing = params.q.is_empty() && !params.has_filters();
    let total = view.results.total;
    let title = if params.q.is_empty() {
        "检索".to_string()
    } else {
        format!("{} - 检索", params.q)
    };
    html! {
        (page(&title, &search_description(params, total), Nav::Search, html! {
            // The outline for screen readers: the page, then its results (each hit an h3).
            h1.sr-only { "检索信息公开年度报告" }
            (search_form(params))
            @if params.has_filters() {
                div.active-filters {
                    span { "筛选：" }
                    @for dim in Dim::ALL {
                        @for v in params.values(dim) {
                            a.chip href=(params.toggled(dim, &v).href("/"))
                                title="移除此筛选" {
                                (dim.label()) "：" (facet_value_label(dim, &v)) " ×"
                            }
                        }
                    }
                    a.clear href=(params.without_filters().href("/")) { "清除全部" }
                }
            }
            div.layout {
                aside.facets aria-label="筛选" {
                    @for (dim, counts) in &view.facets {
                        (facet_list(params, *dim, counts))
                    }
                }
                section.results {
                    @if browsing {
                        p.intro {
                            "输入检索词，或在左侧按学校、年度、栏目浏览全部 "
                            (count(total as u64))
                            (if params.group == xxgk_app::Group::Report { " 份报告。" } else { " 个段落。" })
                        }
                        (syntax_hint())
                    } @else {
                        h2.sr-only { "检索结果" }
                        div.summary {
                            p.count {
                                "共 " strong #total { (count(total as u64)) } " 条结果"
                                @if total > 0 {
                                    "，第 " (params.page) " / "
                                    (params.last_page(total)) " 页"
                                }
                            }
                            p.sort {
                                "排序："
                                (sort_link(params, Sort::Relevance, "相关度"))
                                " · "
                                (sort_link(params, Sort::Date, "发布日期"))
                            }
                        }
                        @if view.results.hits.is_empty() {
                            p.empty {
                                @if total > 0 {
                                    "此页没有结果。"
                                    a href=(params.with_page(1).href("/")) { "回到第 1 页" }
                                } @else {
                                    "没有找到匹配的内容。可以换个说法，或去掉一些筛选条件。"
                                }
                            }
                        } @else {
                            ol.hits start=((params.page - 1) * params.limit + 1) {
                                @for hit in &view.results.hits {
                                    (hit_item(params, hit, flags.get(&hit.report_id)))
                                }
                            }
                            (pagination(params.page, params.last_page(total), |p| {
                                params.with_page(p).href("/")
                            }))
                        }
                        p.more-links {
                            a href=(params.with_page(1).href("/schools")) {
                                "哪些学校提到了？哪些没有？"
                            }
                            " · "
                            a href=(params.href("/api/search")) { "JSON" }
                        }
                    }
                }
            }
        }))
    }
}

fn facet_value_label(dim: Dim, value: &str) -> String {
    match dim {
        Dim::Section => section_label(value),
        _ => value.to_string(),
    }
}

fn facet_list(params: &SearchParams, dim: Dim, counts: &BTreeMap<String, u64>) -> Markup {
    let mut values: Vec<(&String, &u64)> = counts.iter().collect();
    match dim {
        Dim::School => values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0))),
        Dim::Year => values.sort_by(|a, b| b.0.cmp(a.0)),
        Dim::Section => values.sort_by_key(|(v, _)| SectionId::parse(v)),
    }
    // Selected values stay visible even when they fall in the folded part.
    let (shown, rest): (Vec<_>, Vec<_>) = values
        .into_iter()
        .enumerate()
        .partition(|(i, (v, _))| *i < FACET_SHOWN || params.is_active(dim, v));
    let item = |value: &str, n: u64| {
        let active = params.is_active(dim, value);
        // A year filter names which year it means: academic (September to August) or
        // calendar (a report titled 2023年度).
        let meaning = match dim {
            Dim::Year => ReportYear::parse(value).map(|y| y.describe()),
            _ => None,
        };
        html! {
            li {
                a.active[active] href=(params.toggled(dim, value).href("/"))
                    title=[meaning]
                    aria-current=[active.then_some("true")] {
                    span.name { (facet_value_label(dim, value)) }
                    span.n { (count(n)) }
                }
            }
        }
    };
    html! {
        details.facet open data-facet=(dim.key()) {
            summary { (dim.label()) }
            @if shown.is_empty() {
                p.none { "无" }
            }
            ul {
                @for (_, (v, n)) in &shown { (item(v, **n)) }
            }
            @if !rest.is_empty() {
                details.more {
                    summary { "更多（" (rest.len()) "）" }
                    ul {
                        @for (_, (v, n)) in rest.iter().take(FACET_MORE_MAX) { (item(v, **n)) }
                    }
                    @if rest.len() > FACET_MORE_MAX {
                        p.hint {
                            "另有 " (rest.len() - FACET_MORE_MAX) " 项未列出。"
                            @if dim == Dim::School {
                                a href=(href("/schools", &[("q", params.q.clone())])) { "全部学校" }
                            }
                        }
                    }
                }
            }
            @if dim == Dim::School && counts.len() > FACET_SHOWN {
                // Any school by name, without listing them all.
                form.facet-filter action="/" method="get" {
                    input type="hidden" name="q" value=(params.q);
                    @for d in Dim::ALL {
                        @for v in params.values(d) {
                            input type="hidden" name=(d.key()) value=(v);
                        }
                    }
                    input type="search" name="school" maxlength="64"
                        placeholder="学校全称" aria-label="按学校筛选";
                    button type="submit" { "筛选" }
                }
            }
        }
    }
}

fn sort_link(params: &SearchParams, sort: Sort, label: &str) -> Markup {
    html! {
        @if params.sort == sort {
            strong { (label) }
        } @else {
            a href=(params.with_sort(sort).href("/")) { (label) }
        }
    }
}

fn report_href(id: &str, q: &str, anchor: Option<&str>) -> String {
    let pairs = if q.is_empty() {
        vec![]
    } else {
        vec![("q", q.to_string())]
    };
    let mut link = href(&format!("/reports/{}", encode_path(id)), &pairs);
    if let Some(a) = anchor {
        link.push('#');
        link.push_str(a);
    }
    link
}

fn hit_item(
    params: &SearchParams,
    hit: &Hit,
    flag: Option<&crate::journalist::ChangeKind>,
) -> Markup {
    let title = if hit.title.is_empty() {
        format!("{}信息公开年度报告", hit.school)
    } else {
        hit.title.clone()
    };
    html! {
        li.hit {
            h3 {
                a href=(report_href(&hit.report_id, &params.q, Some(hit.section.as_str()))) {
                    (title)
                }
            }
            p.meta {
                span.school { (hit.school) }
                @if let Some(year) = &hit.year { span.year { (year_label(year)) } }
                span.section { (hit.section.label()) }
                @if !hit.heading.is_empty() { span.heading { (highlighted(&hit.heading_html)) } }
                (crate::journalist::change_badge(&hit.report_id, flag))
            }
            p.snippet { (highlighted(&hit.snippet_html)) }
            @if let Some(sections) = &hit.sections {
                @if !sections.is_empty() {
                    ul.also aria-label="本报告其他匹配栏目" {
                        @for s in sections {
                            li {
                                a href=(report_href(&hit.report_id, &params.q, Some(s.section.as_str()))) {
                                    (if s.heading.is_empty() { s.section.label().to_string() } else { s.heading.clone() })
                                }
                                " "
                                span.snippet { (highlighted(&s.snippet_html)) }
                            }
                        }
                    }
                }
            }
            @let more = hit.matching_sections.unwrap_or(1).saturating_sub(1 + hit.sections.as_ref().map_or(0, Vec::len));
            @if more > 0 {
                p.more-sections {
                    a href=(report_href(&hit.report_id, &params.q, None)) {
                        "本报告另有 " (more) " 处匹配"
                    }
                }
            }
            p.source {
                @if let Some(p) = &hit.published { span { "发布于 " (p) } " · " }
                (external_link(&hit.url, "原文"))
            }
        }
    }
}

/// `2019-2020学年` or `2023年度`: a year label as the kind of year it is (issue 11).
fn year_label(year: &str) -> String {
    match ReportYear::parse(year) {
        Some(ReportYear::Calendar(_)) => format!("{year}年度"),
        _ => format!("{year}学年"),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawReportParams {
    q: String,
    /// A sentence to mark: `SECTION:START-END` (a scorecard figure's evidence).
    at: String,
}

/// `/reports/{id}`: the whole report by section.
pub async fn report(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Params<RawReportParams>, AppError>,
) -> Result<Response, HtmlError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let Params(params) = params?;
    let at = crate::figures::At::parse(&params.at)?;
    let report = load_report(&state, id).await?;
    let report_id = report.id.clone();
    // The figures stored with the report; a failing archive costs them, not the report.
    let card = match state
        .read(move |app| app.report_scorecard(&report_id))
        .await
    {
        Ok(card) => card,
        Err(err) => {
            tracing::warn!(error = %format!("{:#}", err), "cannot read the report's scorecard");
            None
        }
    };
    let report_id = report.id.clone();
    // A failing archive costs the version list, not the report.
    let versions = match state.read(move |app| app.versions(&report_id)).await {
        Ok(v) => v,
        Err(err) => {
            tracing::warn!(error = %format!("{:#}", err), "cannot list report versions");
            Vec::new()
        }
    };
    Ok(html_response(report_page(
        &report,
        params.q.trim(),
        &versions,
        card.as_ref(),
        at,
    )))
}

pub(crate) async fn load_report(state: &AppState, id: String) -> Result<Report, AppError> {
    state.blocking(move |app| Ok(app.report(&id)?)).await
}

fn report_page(
    report: &Report,
    q: &str,
    versions: &[ReportVersion],
    card: Option<&xxgk_app::figures::Scorecard>,
    at: Option<crate::figures::At>,
) -> Markup {
    let (needles, query_problem) = if q.is_empty() {
        (Vec::new(), None)
    } else {
        match UserQuery::parse(q) {
            Ok(uq) => (uq.highlight_needles(), None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        }
    };
    // The marked sentence, when it is still where the link says (else a note).
    let evidence = at.and_then(|at| {
        let s = report.sections.get(at.section)?;
        Some((
            at.section,
            crate::figures::mark_range(&s.text, at.start, at.end)?,
        ))
    });
    let mut seen: BTreeMap<SectionId, usize> = BTreeMap::new();
    let sections: Vec<(String, usize, &xxgk_app::Section)> = report
        .sections
        .iter()
        .map(|s| {
            let nth = seen.entry(s.id).or_default();
            let anchor = section_anchor(s.id, *nth);
            *nth += 1;
            let matches = if needles.is_empty() {
                0
            } else {
                match_ranges(&s.text, &needles).len() + match_ranges(&s.heading, &needles).len()
            };
            (anchor, matches, s)
        })
        .collect();
    let total_matches: usize = sections.iter().map(|(_, m, _)| m).sum();
    let title = if report.title.is_empty() {
        format!("{}信息公开年度报告", report.school)
    } else {
        report.title.clone()
    };
    let description = format!(
        "{title}全文：{}{}，{} 个栏目{}。",
        report.school,
        report
            .year
            .as_deref()
            .map(|y| format!("（{y}）"))
            .unwrap_or_default(),
        report.sections.len(),
        if q.is_empty() {
            String::new()
        } else {
            format!("，“{q}”共 {total_matches} 处")
        },
    );
    page(
        &title,
        &description,
        Nav::None,
        html! {
            article.report {
                p.back {
                    @if q.is_empty() {
                        a href="/" { "‹ 检索" }
                    } @else {
                        a href=(href("/", &[("q", q.to_string())])) { "‹ 返回检索结果" }
                    }
                }
                h1 { (title) }
                p.meta {
                    span.school {
                        a href=(href("/", &[("school", report.school.clone())])) { (report.school) }
                    }
                    @if let Some(year) = &report.year {
                        span.year { (year) (if year.contains('-') { "学年" } else { "年度" }) }
                    }
                    // The year as the report writes it, when it differs from the year it
                    // covers (a report titled by its publication year: issue 19).
                    @if let Some(written) = report.year_as_written.as_deref().filter(|w| Some(*w) != report.year.as_deref()) {
                        span.year-as-written {
                            "报告自称“" (written) "”"
                            @if let (Some(a), Some(b)) = (&report.period_start, &report.period_end) {
                                "，统计期 " (a) " 至 " (b)
                            }
                        }
                    }
                    @if let Some(p) = &report.published { span { "发布于 " (p) } }
                    span { (match report.script {
                        xxgk_app::Script::Traditional => "繁体",
                        xxgk_app::Script::Simplified => "简体",
                        xxgk_app::Script::Mixed => "简繁混合",
                    }) }
                }
                p.source {
                    "原文："
                    (external_link(&report.url, &report.url))
                    " · "
                    a href=(format!("/api/reports/{}", encode_path(&report.id))) { "JSON" }
                }
                @if let Some(card) = card {
                    (crate::figures::summary(card, &report.school))
                }
                @if at.is_some() && evidence.is_none() {
                    (error_box("链接所指的句子不在这份报告的当前版本中（报告可能已更新）。"))
                }
                @if let Some(problem) = &query_problem {
                    (error_box(&format!("无法高亮检索词：{problem}")))
                } @else if !q.is_empty() {
                    p.highlight-note {
                        "已高亮 “" (q) "” 的 " strong { (total_matches) } " 处匹配。"
                        a href=(report_href(&report.id, "", None)) { "取消高亮" }
                    }
                }
                nav.toc aria-label="目录" {
                    h2 { "目录" }
                    ol {
                        @for (anchor, matches, s) in &sections {
                            li {
                                a href=(format!("#{anchor}")) {
                                    (if s.heading.is_empty() { s.id.label() } else { &s.heading })
                                }
                                @if *matches > 0 { " " span.n { (matches) } }
                            }
                        }
                    }
                }
                @if !versions.is_empty() {
                    details.versions {
                        summary { "已存档的版本（" (versions.len()) "）" }
                        ol {
                            @for (i, v) in versions.iter().enumerate() {
                                li {
                                    "首次抓取 " (v.first_fetched)
                                    " · 最后确认 " (v.last_seen)
                                    " · " (count(v.bytes)) " 字节"
                                    " · " code { (v.hash.get(..12).unwrap_or(&v.hash)) }
                                    @if i + 1 == versions.len() { " " strong { "（最新）" } }
                                }
                            }
                        }
                        @if versions.len() >= 2 {
                            p { a href=(format!("/reports/{}/versions", encode_path(&report.id))) { "比较版本差异" } }
                        }
                    }
                }
                @for (i, (anchor, _, s)) in sections.iter().enumerate() {
                    section id=(anchor) {
                        h2 {
                            @if s.heading.is_empty() {
                                (s.id.label())
                            } @else {
                                (highlighted(&highlight_all(&s.heading, &needles)))
                            }
                        }
                        @if let Some(card) = card {
                            (crate::figures::section_figures(card, i))
                        }
                        @match &evidence {
                            Some((n, marked)) if *n == i => div.text { (highlighted(marked)) },
                            _ => div.text { (highlighted(&highlight_all(&s.text, &needles))) },
                        }
                    }
                }
            }
        },
    )
}

/// `/schools`: which schools match, and which do not, [`Paging`] rows a page (matched,
/// then unmatched, then no report, as in the CSV).
pub async fn schools(
    State(state): State<AppState>,
    raw: Result<Params<RawSearch>, AppError>,
) -> Result<Response, HtmlError> {
    let (params, paging) = crate::api::schools_params(raw)?;
    let stats = state.blocking(|app| Ok(app.index_stats()?)).await?;
    let answer = if params.q.is_empty() {
        None
    } else {
        match crate::api::schools_answer(&state, params.to_schools_request()).await {
            Ok(answer) => Some(Ok(answer)),
            Err(err @ (AppError::BadQuery(_) | AppError::BadRequest(_))) => Some(Err(err)),
            Err(other) => return Err(HtmlError(other)),
        }
    };
    let shown = answer.as_ref().map(|a| {
        a.as_ref().map_err(AppError::message).and_then(|a| {
            SchoolsPage::new(a, paging, |p| schools_page_href("/schools", &params, p))
                .map_err(|e| e.message())
        })
    });
    let markup = schools_page(&params, &stats, shown.as_ref());
    let response = html_response(markup);
    Ok(match (&answer, &shown) {
        (Some(Err(err)), _) => err.finish(response),
        (_, Some(Err(message))) => AppError::BadRequest(message.clone()).finish(response),
        _ => response,
    })
}

fn schools_page(
    params: &SearchParams,
    stats: &IndexStats,
    answer: Option<&Result<SchoolsPage<'_>, String>>,
) -> Markup {
    let mut years: Vec<&String> = stats.years.keys().collect();
    years.reverse();
    let title = if params.q.is_empty() {
        "哪些学校".to_string()
    } else {
        format!("{} - 哪些学校", params.q)
    };
    let description = if params.q.is_empty() {
        "哪些高校的信息公开年度报告提到了某个词：列出提到与没有提到的学校，可下载 CSV。".to_string()
    } else {
        format!(
            "哪些高校的信息公开年度报告提到了“{}”，哪些没有提到。",
            params.q
        )
    };
    page(
        &title,
        &description,
        Nav::Schools,
        html! {
            h1 { "哪些学校公开了……？" }
            p.intro {
                "列出报告中提到检索词的每一所学校（匹配的段落数、最相关的片段），"
                "以及同样范围内没有提到的学校。"
            }
            form.schools action="/schools" method="get" {
                div.row {
                    input type="search" name="q" value=(params.q) maxlength="256"
                        placeholder="例如：收费标准" aria-label="检索词";
                    button type="submit" { "查询" }
                }
                fieldset {
                    legend { "年度" }
                    @for y in &years {
                        label {
                            input type="checkbox" name="year" value=(y)
                                checked[params.is_active(Dim::Year, y)];
                            (y)
                        }
                    }
                }
                fieldset {
                    legend { "栏目" }
                    @for s in SectionId::ALL {
                        label {
                            input type="checkbox" name="section" value=(s.as_str())
                                checked[params.sections.contains(&s)];
                            (s.label())
                        }
                    }
                }
                @for school in &params.schools {
                    input type="hidden" name="school" value=(school);
                }
            }
            @match answer {
                None => { p.hint { "输入检索词后查询。" } }
                Some(Err(message)) => { (error_box(&format!("无法查询：{message}"))) }
                Some(Ok(page)) => { (schools_answer(params, page)) }
            }
        },
    )
}

fn schools_answer(params: &SearchParams, page: &SchoolsPage<'_>) -> Markup {
    let totals = &page.totals;
    // Downloads carry the query and filters only.
    let download = SearchParams {
        sort: Sort::Relevance,
        page: 1,
        limit: PAGE_SIZE,
        ..params.clone()
    };
    let info = &page.paging;
    let first_row = (info.page - 1) * info.per_page;
    let end_row = first_row + page.matched.len() + page.unmatched.len() + page.no_report.len();
    // Whether a group of `len` rows from row `at` has its heading on this page: it has
    // rows here, or it is empty and would start here.
    let here = |at: usize, len: usize| {
        if len > 0 {
            at < end_row && first_row < at + len
        } else {
            first_row <= at && (at < end_row || info.next_page.is_none())
        }
    };
    let mut no_report_by_status: BTreeMap<Status, Vec<&NoReport>> = BTreeMap::new();
    for row in page.no_report {
        no_report_by_status.entry(row.status).or_default().push(row);
    }
    html! {
        p.answer-summary {
            strong #matched-count { (totals.matched) } " 所学校提到了 “" (page.query) "”，"
            strong #unmatched-count { (totals.unmatched) } " 所的报告没有提到，"
            strong #no-report-count { (totals.no_report) } " 所在此范围内没有可读的报告。"
            "下载："
            a href=(download.href("/schools.csv")) download { "CSV" }
            " · "
            a href=(download.href("/api/schools")) { "JSON" }
        }
        @if info.pages > 1 {
            p.hint #rows-shown {
                "共 " (count(info.total as u64)) " 行，每页 " (info.per_page) " 行；本页第 "
                (first_row + 1) "–" (end_row)
                " 行（提到的学校在前，其次是没有提到的，最后是没有报告的）。"
            }
        }
        @if here(0, totals.matched) {
            h2 { "提到的学校" }
            @if totals.matched == 0 { p.empty { "没有学校提到。" } }
        }
        @if !page.matched.is_empty() {
            div.table-wrap {
                table.matched {
                    thead { tr { th { "学校" } th { "匹配段落" } th { "年度" } th { "最相关的片段" } } }
                    tbody {
                        @for row in page.matched {
                            tr {
                                td.school {
                                    a href=(SearchParams {
                                        schools: vec![row.school.clone()],
                                        ..params.with_page(1)
                                    }.href("/")) { (row.school) }
                                }
                                td.n { (row.matching_sections) " / " (row.sections_in_scope) }
                                td.years {
                                    @for (y, n) in &row.years { span { (y) "（" (n) "）" } " " }
                                }
                                td {
                                    a href=(report_href(&row.best.report_id, &params.q, Some(row.best.section.as_str()))) {
                                        (row.best.title)
                                    }
                                    " · " (row.best.section.label())
                                    p.snippet { (highlighted(&row.best.snippet_html)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if here(totals.matched, totals.unmatched) {
            h2 { "没有提到的学校" }
            @if totals.unmatched == 0 { p.empty { "所有学校都提到了。" } }
        }
        @if !page.unmatched.is_empty() {
            ul.unmatched {
                @for row in page.unmatched {
                    li {
                        span.school { (row.school) }
                        @if row.sections_in_scope == 0 {
                            span.note { "（此范围内无报告）" }
                        } @else {
                            span.note { "（" (row.years_in_scope.join("、")) "）" }
                        }
                    }
                }
            }
        }
        @if here(totals.matched + totals.unmatched, totals.no_report) {
            h2 #no-report { "没有报告的学校" }
            p.intro {
                "这些学校在此范围内没有存档的报告，所以无法判断它们是否公开了该事项——"
                "不是“没有提到”。原因见 " a href="/coverage" { "覆盖情况" } "："
            }
            @if totals.no_report == 0 {
                p.empty { "范围内每所学校都有报告。" }
            }
            @for (status, rows) in &no_report_by_status {
                details.no-report open {
                    summary {
                        span class=(format!("cov-mark cov-{}", status.as_str())) {}
                        " " (status.label()) "：本页 " strong { (rows.len()) } " 所"
                    }
                    ul.unmatched {
                        @for row in rows {
                            li title=(row.detail) {
                                span.school { (row.school) }
                                @if let Some(p) = &row.province { span.note { "（" (p) "）" } }
                            }
                        }
                    }
                }
            }
        }
        (pagination(info.page, info.pages, |p| {
            schools_page_href("/schools", params, Paging { page: p, per_page: info.per_page })
        }))
    }
}

/// `/about`: what is indexed and how to search.
pub async fn about(State(state): State<AppState>) -> Result<Response, HtmlError> {
    let stats = state.blocking(|app| Ok(app.stats()?)).await?;
    let last_crawl = match state.read(|app| app.last_crawl()).await {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(error = %format!("{:#}", err), "cannot read the last crawl date");
            None
        }
    };
    let updated = state
        .app()
        .index_updated()
        .and_then(|modified| time::OffsetDateTime::from(modified).format(&Rfc3339).ok());
    Ok(html_response(about_page(
        &stats,
        updated.as_deref(),
        last_crawl.as_deref(),
    )))
}

fn about_page(stats: &Stats, updated: Option<&str>, last_crawl: Option<&str>) -> Markup {
    let pending = stats.pending_index;
    let stats = &stats.index;
    let examples: [(&str, &str); 6] = [
        ("收费标准", "“收费”与“标准”都出现的段落，连在一起的排在前面"),
        ("收費標準", "繁体检索同样找到简体报告，反之亦然"),
        ("\"依申请公开\"", "引号内为精确短语（也可用 “ ” 或 「 」）"),
        ("招生 OR 招聘", "任一词出现即可（也可写 招生 | 招聘）"),
        ("财务 -预算", "出现“财务”但不出现“预算”"),
        ("依申請公開 不予公开", "两个词都要出现，简繁可以混用"),
    ];
    page(
        "关于",
        "本站收录的高校信息公开年度报告范围、检索语法（简繁通查、精确短语、OR、排除）与数据更新时间。",
        Nav::About,
        html! {
            h1 { "关于本站" }
            p {
                "本站收录高等学校按《高等学校信息公开办法》发布的信息公开年度报告，"
                "按报告的栏目（概述、主动公开、依申请公开等）分段检索。"
                "报告以原文字形显示：繁体报告仍为繁体，检索词以简体或繁体输入均可。"
            }
            h2 { "收录情况" }
            dl.stats {
                dt { "学校" } dd #stat-schools { (count(stats.schools.len() as u64)) }
                dt { "报告" } dd #stat-reports { (count(stats.reports as u64)) }
                dt { "段落" } dd { (count(stats.sections as u64)) }
                dt { "年度" } dd {
                    @for (y, n) in stats.years.iter().rev() {
                        a href=(href("/", &[("year", y.clone())])) { (y) } "（" (count(*n)) "） "
                    }
                }
                dt { "最近抓取" } dd #stat-last-crawl { (last_crawl.unwrap_or("无记录")) }
                dt { "索引更新" } dd { (updated.unwrap_or("未知")) }
                @if pending > 0 {
                    dt { "待入索引" }
                    dd #stat-pending {
                        (count(pending as u64)) " 份报告已存档、尚未进入索引，检索暂时找不到它们"
                        "（抓取或导入中断时会这样）。管理员运行 " code { "xxgk stats" }
                        " 即可补入索引，无需重启本站。"
                    }
                }
            }
            h2 #syntax { "检索语法" }
            table.syntax {
                thead { tr { th { "输入" } th { "含义" } } }
                tbody {
                    @for (q, meaning) in examples {
                        tr {
                            td { a href=(href("/", &[("q", q.to_string())])) { code { (q) } } }
                            td { (meaning) }
                        }
                    }
                }
            }
            p {
                "结果可按学校、年度、栏目筛选；同一类中选多个值表示“任一”。"
                "“哪些学校”页面列出提到与没有提到某项内容的学校，可下载 CSV / JSON。"
            }
            h2 { "JSON API" }
            ul {
                li { code { "/api/search?q=收费标准&year=2021-2022&section=proactive&page=1&limit=10&sort=relevance" } }
                li { code { "/api/schools?q=收费标准" } " · " code { "/schools.csv?q=收费标准" } }
                li { code { "/api/reports/{id}" } " · " code { "/api/reports/{id}/versions" } " · " code { "/api/stats" } }
            }
            p { "错误以 " code { "{\"error\": {\"code\", \"message\"}}" } " 返回，参数有误时状态码为 4xx。" }
        },
    )
}
