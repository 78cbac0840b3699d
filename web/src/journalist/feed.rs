//! Atom feeds (RFC 4287): `/feed?q=…&school=…&year=…&section=…` — the newest reports
//! matching a search, one entry per report — and `/changes.atom`, the reports edited or
//! removed after publication. Written with `atom_syndication`.

use std::collections::BTreeSet;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use time::format_description::well_known::Rfc3339;
use xxgk_app::{Hit, Sort, MAX_LIMIT};

use super::versions::{load_changes, ChangeKind, RawChanges};
use super::{base_url, encode_path, plain};
use crate::params::{href, Params, RawSearch, SearchParams};
use crate::render::SITE;
use crate::{AppError, AppState};

/// Entries in a search feed.
pub const FEED_ENTRIES: usize = 30;

fn now() -> FixedDateTime {
    let now = time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into());
    FixedDateTime::parse_from_rfc3339(&now).unwrap_or_default()
}

/// `2021-10-28` (a report's publication date, China time) or an ISO 8601 time from the
/// archive (`2021-10-28T09:30:00.123Z`).
fn parse_time(s: &str) -> Option<FixedDateTime> {
    if let Ok(t) = FixedDateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let date = s.get(..10)?;
    FixedDateTime::parse_from_rfc3339(&format!("{date}T00:00:00+08:00")).ok()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_string));
    l
}

fn atom_response(feed: &Feed) -> Response {
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response()
}

fn new_feed(id: String, title: String, self_href: String, page_href: String) -> Feed {
    let mut feed = Feed::default();
    feed.set_id(id);
    feed.set_title(Text::plain(title));
    feed.set_lang(Some("zh-CN".to_string()));
    feed.set_links(vec![
        link(self_href, "self", Some("application/atom+xml")),
        link(page_href, "alternate", Some("text/html")),
    ]);
    let mut author = Person::default();
    author.set_name(SITE);
    feed.set_authors(vec![author]);
    feed
}

/// `/feed`: the newest reports matching a search (the search page's parameters), one
/// entry per report with its best snippet, newest publication first.
pub async fn search(
    State(state): State<AppState>,
    raw: Result<Params<RawSearch>, AppError>,
) -> Result<Response, AppError> {
    let params = raw.and_then(|Params(raw)| SearchParams::try_from(raw))?;
    let mut req = params.to_request();
    req.sort = Sort::Date;
    req.limit = MAX_LIMIT;
    req.offset = 0;
    let results = state.blocking(move |app| Ok(app.search(&req)?)).await?;
    let base = base_url(&state);
    let page_params = SearchParams {
        sort: Sort::Date,
        page: 1,
        ..params.clone()
    };
    let feed_params = SearchParams {
        sort: Sort::Relevance,
        page: 1,
        limit: crate::params::PAGE_SIZE,
        ..params.clone()
    };
    let what = if params.q.is_empty() {
        "全部报告".to_string()
    } else {
        format!("“{}”", params.q)
    };
    let mut scope: Vec<String> = params.schools.clone();
    scope.extend(params.years.iter().map(|y| format!("{y}学年")));
    let title = if scope.is_empty() {
        format!("{SITE}：{what}")
    } else {
        format!("{SITE}：{what}（{}）", scope.join("、"))
    };
    let query_string = feed_params.href("").trim_start_matches('?').to_string();
    let mut feed = new_feed(
        format!("urn:xxgk:feed:search:{query_string}"),
        title,
        format!("{base}{}", feed_params.href("/feed")),
        format!("{base}{}", page_params.href("/")),
    );
    // One entry per report: its best-ranked (here: first, by date) matching section.
    let mut seen = BTreeSet::new();
    let hits: Vec<&Hit> = results
        .hits
        .iter()
        .filter(|h| seen.insert(h.report_id.clone()))
        .take(FEED_ENTRIES)
        .collect();
    let fallback = now();
    let mut entries = Vec::with_capacity(hits.len());
    for hit in hits {
        let updated = hit
            .published
            .as_deref()
            .and_then(parse_time)
            .unwrap_or(fallback);
        let mut entry = Entry::default();
        entry.set_id(format!("urn:xxgk:report:{}", hit.report_id));
        let year = hit
            .year
            .as_deref()
            .map(|y| format!("（{y}学年）"))
            .unwrap_or_default();
        entry.set_title(Text::plain(format!("{}{year}：{}", hit.school, hit.title)));
        entry.set_updated(updated);
        entry.set_published(Some(updated));
        let page_link = format!(
            "{base}{}#{}",
            href(
                &format!("/reports/{}", encode_path(&hit.report_id)),
                &if params.q.is_empty() {
                    vec![]
                } else {
                    vec![("q", params.q.clone())]
                }
            ),
            hit.section.as_str()
        );
        let mut links = vec![link(page_link, "alternate", Some("text/html"))];
        let lower = hit.url.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            links.push(link(hit.url.clone(), "via", None));
        }
        entry.set_links(links);
        entry.set_summary(Some(Text::plain(format!(
            "{}：{}",
            hit.section.label(),
            plain(&hit.snippet_html)
        ))));
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        content.set_value(Some(format!(
            "<p><strong>{}</strong></p><p>{}</p>",
            super::esc(if hit.heading.is_empty() {
                hit.section.label()
            } else {
                &hit.heading
            }),
            hit.snippet_html
        )));
        entry.set_content(Some(content));
        entries.push(entry);
    }
    feed.set_updated(
        entries
            .iter()
            .map(|e| *e.updated())
            .max()
            .unwrap_or(fallback),
    );
    feed.set_entries(entries);
    Ok(atom_response(&feed))
}

/// `/changes.atom`: reports edited or removed after publication, newest change first.
pub async fn changes(
    State(state): State<AppState>,
    raw: Result<Params<RawChanges>, AppError>,
) -> Result<Response, AppError> {
    let since = super::versions::validate_since(raw)?;
    let changes = load_changes(&state, since).await?.unwrap_or_default();
    let base = base_url(&state);
    let mut feed = new_feed(
        "urn:xxgk:feed:changes".to_string(),
        format!("{SITE}：发布后被修改或删除的报告"),
        format!("{base}/changes.atom"),
        format!("{base}/changes"),
    );
    let fallback = now();
    let mut entries = Vec::with_capacity(changes.len());
    for c in &changes {
        let at = parse_time(&c.at).unwrap_or(fallback);
        let mut entry = Entry::default();
        // One entry per change: a report edited twice gives two entries.
        entry.set_id(format!(
            "urn:xxgk:change:{}:{}:{}",
            c.report_id,
            match c.kind {
                ChangeKind::Edited => "edited",
                ChangeKind::Gone => "gone",
            },
            c.at
        ));
        entry.set_title(Text::plain(format!(
            "{}：{}（{}）",
            c.school,
            c.title,
            c.kind.label()
        )));
        entry.set_updated(at);
        let versions = format!("{base}/reports/{}/versions", encode_path(&c.report_id));
        let mut links = vec![link(versions, "alternate", Some("text/html"))];
        let lower = c.url.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            links.push(link(c.url.clone(), "via", None));
        }
        entry.set_links(links);
        entry.set_summary(Some(Text::plain(format!(
            "{}{}，首次收录于 {}，共存档 {} 个不同版本。",
            c.year
                .as_deref()
                .map(|y| format!("{y}学年报告"))
                .unwrap_or_else(|| "报告".into()),
            c.kind.label(),
            c.first_seen,
            c.versions
        ))));
        entries.push(entry);
    }
    feed.set_updated(
        entries
            .iter()
            .map(|e| *e.updated())
            .max()
            .unwrap_or(fallback),
    );
    feed.set_entries(entries);
    Ok(atom_response(&feed))
}
