//! Stored versions of a report (`/reports/{id}/versions`, with a diff between any two)
//! and the reports edited or removed after publication (`/changes`).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use xxgk_app::Report;

use super::{html_response, report_href, stylesheet};
use crate::error::HtmlError;
use crate::params::{href, Params};
use crate::render::{error_box, page as frame, section_anchor, Nav};
use crate::{AppError, AppState, ReportVersion};
use xxgk_app::archive_rules::{diff_reports, DiffStatus as Status, Piece, ReportDiff};
pub use xxgk_app::{ChangeKind, ReportChange};

/// Most changes listed on `/changes` and in its feed.
pub const MAX_CHANGES: usize = 200;
/// Unchanged text inside a changed section longer than this is shortened on the page.
const SAME_SHOWN: usize = 60;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawVersions {
    from: String,
    to: String,
}

/// A version named in a link: its hash, or a prefix of at least 8 hex digits.
fn pick<'a>(versions: &'a [ReportVersion], wanted: &str) -> Result<&'a ReportVersion, AppError> {
    let wanted = wanted.trim().to_ascii_lowercase();
    if wanted.len() < 8 || !wanted.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest(format!(
            "a version is named by its hash (at least 8 hex digits), not {wanted:?}"
        )));
    }
    let mut found = versions.iter().filter(|v| v.hash.starts_with(&wanted));
    match (found.next(), found.next()) {
        (Some(v), None) => Ok(v),
        (Some(_), Some(_)) => Err(AppError::BadRequest(format!(
            "more than one version starts with {wanted}; give more digits"
        ))),
        (None, _) => Err(AppError::NotFound(format!(
            "this report has no stored version {wanted}"
        ))),
    }
}

/// What the versions page and the diff API need.
struct Versions {
    report: Report,
    versions: Vec<ReportVersion>,
    /// The two versions compared and their texts, when there are two to compare.
    compared: Option<Compared>,
}

struct Compared {
    from: ReportVersion,
    to: ReportVersion,
    diff: Result<ReportDiff, String>,
}

async fn load(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
    raw: Result<Params<RawVersions>, AppError>,
) -> Result<Versions, AppError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let Params(raw) = raw?;
    let report = state.report(id).await?;
    let report_id = report.id.clone();
    let versions = state
        .read(move |app| app.report_history(&report_id))
        .await?;
    let compared = match (raw.from.trim(), raw.to.trim()) {
        ("", "") if versions.len() >= 2 => Some((
            versions[versions.len() - 2].clone(),
            versions[versions.len() - 1].clone(),
        )),
        ("", "") => None,
        (from, to) if !from.is_empty() && !to.is_empty() => {
            Some((pick(&versions, from)?.clone(), pick(&versions, to)?.clone()))
        }
        _ => {
            return Err(AppError::BadRequest(
                "give both from and to (version hashes), or neither".into(),
            ))
        }
    };
    let compared = match compared {
        None => None,
        Some((from, to)) => {
            let id = report.id.clone();
            let (a, b) = (from.hash.clone(), to.hash.clone());
            let texts = state
                .read(move |app| {
                    Ok((
                        app.report_at_version(&id, &a)?,
                        app.report_at_version(&id, &b)?,
                    ))
                })
                .await?;
            let diff = match texts {
                (Some(old), Some(new)) => Ok(diff_reports(&old, &new)),
                _ => Err("其中一个版本没有可比较的报告正文（该次抓取未能提取报告）".to_string()),
            };
            Some(Compared { from, to, diff })
        }
    };
    Ok(Versions {
        report,
        versions,
        compared,
    })
}

/// `/reports/{id}/versions`: every stored version with its fetch dates, and the diff
/// between two (`?from=HASH&to=HASH`; by default the last two).
pub async fn page(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    raw: Result<Params<RawVersions>, AppError>,
) -> Result<Response, HtmlError> {
    let has_archive = state.app().has_archive();
    let v = load(&state, id, raw).await?;
    Ok(html_response(versions_page(&v, has_archive)))
}

/// The API form of the diff: `/api/reports/{id}/diff?from=HASH&to=HASH`.
#[derive(Debug, Serialize)]
pub struct DiffAnswer {
    pub report_id: String,
    pub from: ReportVersion,
    pub to: ReportVersion,
    pub diff: ReportDiff,
}

pub async fn diff_json(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    raw: Result<Params<RawVersions>, AppError>,
) -> Result<Json<DiffAnswer>, AppError> {
    let v = load(&state, id, raw).await?;
    let Some(c) = v.compared else {
        return Err(AppError::NotFound(
            "this report has fewer than two stored versions".into(),
        ));
    };
    let diff = c.diff.map_err(|_| {
        AppError::NotFound("one of the versions has no extracted report text".into())
    })?;
    Ok(Json(DiffAnswer {
        report_id: v.report.id,
        from: c.from,
        to: c.to,
        diff,
    }))
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn versions_page(v: &Versions, has_archive: bool) -> Markup {
    let r = &v.report;
    let title = format!("{} - 版本记录", r.title);
    let description = format!("{}的历次抓取版本，以及版本之间正文的增删。", r.title);
    frame(
        &title,
        &description,
        Nav::None,
        html! {
            (stylesheet())
            p.back { a href=(report_href(&r.id, "", None)) { "‹ 返回报告" } }
            h1 { (r.title) }
            p.meta { (r.school) @if let Some(y) = &r.year { " · " (y) "学年" } }
            h2 { "已存档的版本" }
            @if !has_archive {
                p.empty { "本站没有连接抓取存档，无法显示版本。" }
            } @else if v.versions.is_empty() {
                p.empty { "此报告没有存档的抓取版本（例如由文件导入）。" }
            } @else {
                form.versions action=(format!("/reports/{}/versions", super::encode_path(&r.id))) method="get" {
                    table.versions {
                        thead { tr { th { "旧" } th { "新" } th { "#" } th { "首次抓取" } th { "最后一次见到" } th { "字节" } th { "内容摘要" } } }
                        tbody {
                            @for (i, ver) in v.versions.iter().enumerate() {
                                @let from = v.compared.as_ref().is_some_and(|c| c.from.hash == ver.hash);
                                @let to = v.compared.as_ref().is_some_and(|c| c.to.hash == ver.hash);
                                tr.current[i + 1 == v.versions.len()] {
                                    td { input type="radio" name="from" value=(ver.hash) checked[from] aria-label="作为旧版本"; }
                                    td { input type="radio" name="to" value=(ver.hash) checked[to] aria-label="作为新版本"; }
                                    td { (i + 1) }
                                    td { (ver.first_fetched) }
                                    td { (ver.last_seen) }
                                    td.n { (ver.bytes) }
                                    td { code { (short(&ver.hash)) } @if i + 1 == v.versions.len() { " （最新）" } }
                                }
                            }
                        }
                    }
                    @if v.versions.len() >= 2 {
                        button type="submit" { "比较所选版本" }
                    }
                }
            }
            @if let Some(c) = &v.compared {
                h2 #diff { "差异：" code { (short(&c.from.hash)) } "（" (c.from.first_fetched) "）→ " code { (short(&c.to.hash)) } "（" (c.to.first_fetched) "）" }
                @match &c.diff {
                    Err(why) => { (error_box(why)) }
                    Ok(d) => { (diff_view(d, &r.id)) }
                }
            } @else if v.versions.len() == 1 {
                p { "只有一个版本：报告自首次抓取以来没有变化。" }
            }
        },
    )
}

fn diff_view(d: &ReportDiff, report_id: &str) -> Markup {
    let changed = d
        .sections
        .iter()
        .filter(|s| s.status != Status::Unchanged)
        .count();
    html! {
        @if d.is_empty() {
            p.same { "两个版本的报告正文相同（网页的其他部分有变化，如点击次数）。" }
        } @else {
            p.diff-summary {
                (changed) " 个栏目有变化，"
                span.added-n { "新增 " (d.added_chars) " 字" } "，"
                span.removed-n { "删除 " (d.removed_chars) " 字" } "。"
            }
            @if !d.fields.is_empty() {
                ul.field-changes {
                    @for f in &d.fields {
                        li {
                            (field_label(f.field)) "："
                            del { (f.old) } " → " ins { (f.new) }
                        }
                    }
                }
            }
            @for s in &d.sections {
                @let heading = s.new_heading.as_deref().or(s.old_heading.as_deref()).unwrap_or("");
                @let label = if heading.is_empty() { s.section.label() } else { heading };
                section.diff-section.(format!("status-{}", status_name(s.status))) {
                    h3 {
                        @if s.status == Status::Removed {
                            (label)
                        } @else {
                            a href=(report_href(report_id, "", Some(&section_anchor(s.section, s.nth)))) { (label) }
                        }
                        " " span.status { (status_label(s.status)) }
                    }
                    @if s.old_heading.is_some() && s.new_heading.is_some() && s.old_heading != s.new_heading {
                        p.heading-change { "标题：" del { (s.old_heading.as_deref().unwrap_or("")) } " → " ins { (s.new_heading.as_deref().unwrap_or("")) } }
                    }
                    @if s.status != Status::Unchanged {
                        div.diff-text {
                            @for p in &s.pieces {
                                @match p {
                                    Piece::Same(t) => { span.same { (shorten(t)) } }
                                    Piece::Added(t) => { ins { (t) } }
                                    Piece::Removed(t) => { del { (t) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Long unchanged text keeps its ends.
fn shorten(text: &str) -> String {
    let n = text.chars().count();
    if n <= SAME_SHOWN * 2 + 10 {
        return text.to_string();
    }
    let head: String = text.chars().take(SAME_SHOWN).collect();
    let tail: String = text.chars().skip(n - SAME_SHOWN).collect();
    format!("{head} …（未变 {} 字）… {tail}", n - 2 * SAME_SHOWN)
}

fn field_label(field: &str) -> &str {
    match field {
        "title" => "标题",
        "school" => "学校",
        "year" => "学年",
        "published" => "发布日期",
        other => other,
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Unchanged => "unchanged",
        Status::Changed => "changed",
        Status::Added => "added",
        Status::Removed => "removed",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Unchanged => "未变",
        Status::Changed => "有修改",
        Status::Added => "新增栏目",
        Status::Removed => "删除栏目",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawChanges {
    since: String,
}

/// `since` as given: a date (`2021-10-01`) or a date and time, compared as text with the
/// archive's ISO 8601 times.
pub(super) fn validate_since(
    raw: Result<Params<RawChanges>, AppError>,
) -> Result<Option<String>, AppError> {
    let Params(raw) = raw?;
    let since = raw.since.trim();
    if since.is_empty() {
        return Ok(None);
    }
    let b = since.as_bytes();
    let date_ok = b.len() >= 10
        && b.len() <= 30
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && since
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:.+".contains(c));
    if !date_ok {
        return Err(AppError::BadRequest(format!(
            "since must be a date like 2021-10-01, not {since:?}"
        )));
    }
    Ok(Some(since.to_string()))
}

pub(super) async fn load_changes(
    state: &AppState,
    since: Option<String>,
) -> Result<Option<Vec<ReportChange>>, AppError> {
    state
        .read(move |app| app.changes(since.as_deref(), MAX_CHANGES))
        .await
}

/// `/changes`: reports edited or removed after they were first stored, newest first.
pub async fn changes_page(
    State(state): State<AppState>,
    raw: Result<Params<RawChanges>, AppError>,
) -> Result<Response, HtmlError> {
    let since = validate_since(raw)?;
    let changes = load_changes(&state, since.clone()).await?;
    Ok(html_response(changes_view(
        changes.as_deref(),
        since.as_deref(),
    )))
}

/// `/api/changes`: the same as JSON (an empty list without an archive).
pub async fn changes_json(
    State(state): State<AppState>,
    raw: Result<Params<RawChanges>, AppError>,
) -> Result<Json<Vec<ReportChange>>, AppError> {
    let since = validate_since(raw)?;
    Ok(Json(load_changes(&state, since).await?.unwrap_or_default()))
}

fn changes_view(changes: Option<&[ReportChange]>, since: Option<&str>) -> Markup {
    let feed = href("/changes.atom", &[]);
    frame(
        "报告变动",
        "发布后正文被修改或整篇被删除的高校信息公开年度报告，附版本对比与 Atom 订阅。",
        Nav::Changes,
        html! {
            (stylesheet())
            h1 { "发布后被修改或删除的报告" }
            p.intro {
                "本站每次抓取都保存报告网页的每一个不同版本。下面列出首次收录后正文被修改、"
                "或网页已被删除（其存档仍保留）的报告，最近的在前。"
                a href=(feed) { "订阅（Atom）" }
            }
            form.since action="/changes" method="get" {
                label { "自 " input type="date" name="since" value=(since.unwrap_or("")); " 以来" }
                button type="submit" { "筛选" }
            }
            @match changes {
                None => { p.empty { "本站没有连接抓取存档，无法列出变动。" } }
                Some([]) => { p.empty { "没有发现发布后被修改或删除的报告。" } }
                Some(list) => {
                    div.table-wrap {
                        table.changes {
                            thead { tr { th { "时间" } th { "学校" } th { "学年" } th { "报告" } th { "变动" } th { "版本" } } }
                            tbody {
                                @for c in list {
                                    tr class=(format!("change-{}", match c.kind { ChangeKind::Edited => "edited", ChangeKind::Gone => "gone" })) {
                                        td { (c.at) }
                                        td { (c.school) }
                                        td { (c.year.as_deref().unwrap_or("")) }
                                        td { a href=(report_href(&c.report_id, "", None)) { (c.title) } }
                                        td.kind { (c.kind.label()) }
                                        td { a href=(format!("/reports/{}/versions", super::encode_path(&c.report_id))) { (c.versions) " 个版本" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
