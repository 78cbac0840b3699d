//! `/`: the search page — the form, the hits with their snippets and the facets.

use super::*;

/// Facet values shown before the rest fold into "more".
const FACET_SHOWN: usize = 12;
/// Values listed under "更多" at most: with 3,000 schools the search page must stay
/// small. The rest are reached by the school filter below the list, or on `/schools`.
const FACET_MORE_MAX: usize = 60;

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
            let flags = state.change_flags().await;
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

fn search_page(params: &SearchParams, view: &SearchView, flags: &xxgk_app::ChangeFlags) -> Markup {
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
                        (facet_list(params, *dim, counts, total as u64))
                    }
                }
                section.results {
                    @if browsing {
                        p.intro {
                            "输入检索词，或用筛选按学校、年度、栏目浏览全部 "
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

/// One facet's values with their counts. In the one-result-per-report view the 栏目
/// facet counts reports — those that have the section when browsing, those that mention
/// the query in it otherwise — and says which; a section every report in scope has (or
/// mentions the query in) reads 全部, so the sections that some reports lack stand out
/// instead of one number repeated down the list (issue 18).
fn facet_list(
    params: &SearchParams,
    dim: Dim,
    counts: &BTreeMap<String, u64>,
    total: u64,
) -> Markup {
    let by_report = dim == Dim::Section && params.group == xxgk_app::Group::Report;
    let unit = match (by_report, params.q.is_empty()) {
        (false, _) => None,
        (true, true) => Some("有此栏目的报告数"),
        (true, false) => Some("在此栏目提到的报告数"),
    };
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
                    @if by_report && total > 0 && n == total {
                        span.n title=(format!("全部 {total} 份报告")) { "全部" }
                    } @else {
                        span.n { (count(n)) }
                    }
                }
            }
        }
    };
    html! {
        details.facet open data-facet=(dim.key()) {
            summary {
                (dim.label())
                @if let Some(unit) = unit { " " small.unit { "（" (unit) "）" } }
            }
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

fn hit_item(params: &SearchParams, hit: &Hit, flag: Option<&xxgk_app::ChangeKind>) -> Markup {
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
                (crate::render::change_badge(&hit.report_id, flag))
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
