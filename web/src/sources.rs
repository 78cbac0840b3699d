//! `/sources`: every crawl source's last run — pages, reports, errors, the start page's
//! failure, robots-blocked addresses — and, for a source where nothing was found, what
//! was fetched by kind and why each candidate was not a report (issue 19).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use xxgk_app::{PageKinds, SourceHealth};

use crate::coverage::{no_archive_note, source_anchor};
use crate::error::HtmlError;
use crate::journalist::stylesheet;
use crate::render::{count, external_link, page as frame, Nav};
use crate::AppState;

/// `/sources`: each crawl source with its last run.
pub(crate) async fn sources(State(state): State<AppState>) -> Result<Response, HtmlError> {
    let health = state.read(|app| app.crawl_health()).await?;
    let content = match health {
        None => html! { h1 { "抓取来源" } (no_archive_note()) },
        Some(list) => {
            // Where a crawl ran, reached its start page and found nothing: what it fetched.
            let empty: Vec<String> = list
                .iter()
                .filter(|h| {
                    h.reports_held == 0
                        && h.last_run.as_ref().is_some_and(|r| r.start_error.is_none())
                })
                .map(|h| h.source.clone())
                .collect();
            let kinds = state
                .read(move |app| {
                    empty
                        .into_iter()
                        .map(|s| Ok((s.clone(), app.page_kinds(&s, NOT_REPORTS_SHOWN)?)))
                        .collect::<xxgk_app::Result<BTreeMap<_, _>>>()
                })
                .await?;
            sources_page(&list, &kinds)
        }
    };
    let markup = frame(
        "抓取来源",
        "每个抓取来源最近一次运行的情况：页面数、报告数、错误、首页失败与被 robots.txt 拦截的地址。",
        Nav::Sources, html! { (stylesheet()) (content) });
    Ok(Html(markup.into_string()).into_response())
}

/// Pages that were not reports shown per source where nothing was found.
const NOT_REPORTS_SHOWN: usize = 8;

fn sources_page(list: &[SourceHealth], kinds: &BTreeMap<String, PageKinds>) -> Markup {
    let unreachable = list
        .iter()
        .filter(|h| h.last_run.as_ref().is_some_and(|r| r.start_error.is_some()))
        .count();
    let never = list.iter().filter(|h| h.last_run.is_none()).count();
    html! {
        h1 { "抓取来源" }
        p.intro {
            "每个抓取来源（一所学校的信息公开网站）最近一次抓取的情况：抓取了多少页面、"
            "找到多少份报告、出了哪些错误、哪些地址被 robots.txt 禁止。"
            "覆盖情况中“抓取未见”“无法访问”的证据就在这里。"
        }
        p.matrix-summary {
            strong #source-count { (count(list.len() as u64)) } " 个来源"
            @if unreachable > 0 {
                "，" span class="cov-mark cov-unreachable" {} " " (unreachable) " 个最近一次无法访问"
            }
            @if never > 0 {
                "，" span class="cov-mark cov-not_crawled" {} " " (never) " 个尚未抓取"
            }
            "。" a href="/coverage?in_sources=1" { "这些学校的覆盖情况" }
        }
        @if list.is_empty() {
            p.empty { "存档中还没有抓取来源。" }
        } @else {
            div.table-wrap {
                table.sources {
                    thead {
                        tr {
                            th { "来源" }
                            th { "学校" }
                            th { "最近一次抓取" }
                            th.n { "页面" }
                            th.n title="本次找到 / 存档中来自此来源" { "报告" }
                            th { "错误" }
                            th { "起始页" }
                            th { "robots.txt 禁止" }
                        }
                    }
                    tbody {
                        @for h in list {
                            (source_row(h))
                        }
                    }
                }
            }
        }
        @if kinds.values().any(|k| !k.counts.is_empty()) {
            h2 #nothing-found { "没有找到报告的来源：抓取了什么" }
            p.intro {
                "这些来源的首页可以访问，却没有找到年度报告。下面是抓取到的页面按类型的数量，"
                "以及不是报告的候选页面和判断的理由（标题像报告的排在前面）。"
            }
            @for (source, k) in kinds {
                @if !k.counts.is_empty() {
                    (what_was_fetched(source, k))
                }
            }
        }
    }
}

/// `2024-05-01T08:00:00.123Z` → `2024-05-01 16:00（北京时间）`.
fn when(at: &str) -> String {
    crate::render::beijing_time(at)
}

fn source_row(h: &SourceHealth) -> Markup {
    let unreachable = h.last_run.as_ref().is_some_and(|r| r.start_error.is_some());
    html! {
        tr id=(source_anchor(&h.source)) class=[unreachable.then_some("unreachable")] {
            th scope="row" { (h.source) }
            td {
                (h.institution.as_deref().unwrap_or(""))
                @if let Some(code) = &h.code { br; span.code { (code) } }
            }
            @match &h.last_run {
                None => {
                    td colspan="6" {
                        span class="cov-mark cov-not_crawled" {} " 尚未抓取"
                        @if h.reports_held > 0 { "（存档中有 " (h.reports_held) " 份报告）" }
                    }
                }
                Some(run) => {
                    td.run {
                        (run.mode) " "
                        time datetime=(run.started) { (when(&run.started)) }
                        " → "
                        @match &run.finished {
                            Some(f) => { time datetime=(f) { (when(f)) } }
                            None => { em { "未完成" } }
                        }
                    }
                    td.n { (count(run.pages_ok)) }
                    td.n { (run.reports_found) " / " (h.reports_held) }
                    td.errors {
                        @if run.errors.is_empty() { "—" }
                        @for (i, (kind, n)) in run.errors.iter().enumerate() {
                            @if i > 0 { " · " }
                            span title=(kind) { (xxgk_app::fetch_errors::error_label(kind)) } " " (n)
                        }
                    }
                    td.start {
                        @match &run.start_error {
                            Some(e) => {
                                strong.start-error {
                                    span class="cov-mark cov-unreachable" {} " 无法访问："
                                    span title=(e) { (xxgk_app::fetch_errors::error_label(e)) }
                                }
                            }
                            None => { "正常" }
                        }
                    }
                    td.robots {
                        @if !run.robots_blocked.is_empty() {
                            details {
                                summary { (run.robots_blocked.len()) " 个地址" }
                                ul {
                                    @for url in &run.robots_blocked {
                                        li { (external_link(url, url)) }
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

/// A page kind in Chinese.
fn kind_label(kind: &str) -> &str {
    match kind {
        "start" => "起始页",
        "list" => "列表页",
        "article" => "文章",
        "notice" => "通知",
        "attachment" => "附件",
        "other" => "其他",
        other => other,
    }
}

fn what_was_fetched(source: &str, k: &PageKinds) -> Markup {
    html! {
        details.fetched open {
            summary {
                strong { (source) } "："
                @for (i, (kind, n)) in k.counts.iter().enumerate() {
                    @if i > 0 { " · " }
                    (kind_label(kind)) " " (count(*n as u64))
                }
            }
            @if k.not_reports.is_empty() {
                p.empty { "没有文章或通知可判断。" }
            } @else {
                ul {
                    @for p in &k.not_reports {
                        li {
                            (external_link(&p.url, p.judgment.title.as_deref().unwrap_or(&p.url)))
                            " （" (kind_label(&p.judgment.kind)) "）"
                            @if !p.judgment.reasons.is_empty() {
                                " " span.reasons { (p.judgment.reasons.join("；")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
