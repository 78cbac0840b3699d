//! `/compare`: two or more schools side by side for one year, or one school across its
//! years, section by section, with the checklist items each report mentions.
//!
//! - `/compare?schools=甲大学,乙学院&year=2020-2021` — one column per school (the year
//!   defaults to the newest one that all of them have);
//! - `/compare?schools=甲大学` — one column per year of that school, newest first.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use xxgk_app::checklist::{items, ITEM_COUNT};
pub use xxgk_app::compare::MAX_COLUMNS;
use xxgk_app::compare::{Column, Comparison as View};
use xxgk_app::text::{highlight_all, UserQuery};
use xxgk_app::{Report, SectionId};

use super::{html_response, report_href, split_list, stylesheet};
use crate::error::HtmlError;
use crate::params::{href, Params};
use crate::render::{error_box, highlighted, page as frame, section_anchor, Nav};
use crate::{AppError, AppState};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawCompare {
    schools: String,
    school: Vec<String>,
    year: String,
    q: String,
    only: String,
}

#[derive(Debug, Clone)]
struct CompareParams {
    schools: Vec<String>,
    year: Option<String>,
    q: String,
    /// Only the checklist items where the columns differ.
    only_differences: bool,
}

impl TryFrom<RawCompare> for CompareParams {
    type Error = AppError;

    fn try_from(raw: RawCompare) -> Result<Self, AppError> {
        let schools = split_list(&raw.schools, &raw.school);
        if schools.len() > MAX_COLUMNS {
            return Err(AppError::BadRequest(format!(
                "at most {MAX_COLUMNS} schools side by side ({} given)",
                schools.len()
            )));
        }
        let q = raw.q.trim().to_string();
        if !q.is_empty() {
            xxgk_app::text::parse_query(&q)?;
        }
        let only_differences = match raw.only.trim() {
            "" => false,
            "diff" => true,
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown only={other:?}; use only=diff"
                )))
            }
        };
        Ok(CompareParams {
            schools,
            year: Some(raw.year.trim().to_string()).filter(|y| !y.is_empty()),
            q,
            only_differences,
        })
    }
}

/// `/compare`.
pub async fn page(
    State(state): State<AppState>,
    raw: Result<Params<RawCompare>, AppError>,
) -> Result<Response, HtmlError> {
    let p = raw.and_then(|Params(raw)| CompareParams::try_from(raw))?;
    let params = p.clone();
    let view = state
        .blocking(move |app| Ok(app.compare(&params.schools, params.year.as_deref())?))
        .await?;
    Ok(html_response(compare_page(&p, &view)))
}

fn compare_page(p: &CompareParams, v: &View) -> Markup {
    let needles = UserQuery::parse(&p.q)
        .map(|q| q.highlight_needles())
        .unwrap_or_default();
    let with_report: Vec<&Column> = v.columns.iter().filter(|c| c.report.is_some()).collect();
    // Section rows: every (section, occurrence) any column has, in canonical order.
    let mut keys: BTreeSet<(SectionId, usize)> = BTreeSet::new();
    for c in &with_report {
        if let Some(r) = &c.report {
            let mut seen: BTreeMap<SectionId, usize> = BTreeMap::new();
            for s in &r.sections {
                let n = seen.entry(s.id).or_default();
                keys.insert((s.id, *n));
                *n += 1;
            }
        }
    }
    let section = |r: &Report, key: (SectionId, usize)| {
        r.sections
            .iter()
            .filter(|s| s.id == key.0)
            .nth(key.1)
            .cloned()
    };
    let across_years = v.year.is_none() && !v.columns.is_empty();
    let title = if v.columns.is_empty() {
        "对比".to_string()
    } else {
        format!("{} - 对比", p.schools.join("、"))
    };
    let ncols = v.columns.len().max(1);
    frame(
        &title,
        "多所高校同一学年，或一所高校历年的信息公开年度报告，逐栏目并排对比原文。",
        Nav::Compare,
        html! {
            (stylesheet())
            h1 { "对比报告" }
            p.intro {
                "多所学校同一年度并排对比，或一所学校历年对比：逐栏目并排显示报告原文，"
                "并对照《高等学校信息公开事项清单》各项是否提到。"
            }
            form.compare action="/compare" method="get" {
                label {
                    "学校 "
                    input type="text" name="schools" value=(p.schools.join("，")) size="40"
                        placeholder="一所或多所，用逗号分隔" aria-label="学校";
                }
                label {
                    "年度 "
                    select name="year" {
                        option value="" selected[p.year.is_none()] { "（一所学校：历年；多所：最近共同年度）" }
                        @for y in &v.years {
                            option value=(y) selected[p.year.as_ref() == Some(y)] { (y) }
                        }
                    }
                }
                label { "高亮 " input type="search" name="q" value=(p.q) maxlength="256" aria-label="高亮检索词"; }
                button type="submit" { "对比" }
            }
            @if !v.unknown.is_empty() {
                (error_box(&format!("索引中没有这些学校：{}（学校名称需与报告一致，可在“哪些学校”页面查找）", v.unknown.join("、"))))
            }
            @if v.columns.is_empty() {
                @if p.schools.is_empty() {
                    p.hint { "输入学校名称。也可以从" a href="/checklist" { "清单对照" } "页面点学校进入。" }
                }
            } @else {
                @if let Some(y) = &v.year { p.compare-summary { (y) " 学年" } }
                @if across_years {
                    p.compare-summary { (v.columns[0].school) " 历年报告" }
                }
                h2 { "清单事项对照" }
                p.hint {
                    @if p.only_differences {
                        "只显示各栏不同的事项。"
                        a href=(self_href(p, false)) { "显示全部 50 项" }
                    } @else {
                        a href=(self_href(p, true)) { "只看不同的事项" }
                    }
                }
                div.table-wrap {
                    table.compare-items {
                        thead {
                            tr {
                                th { "事项" }
                                @for c in &v.columns {
                                    th { (column_label(c, across_years)) }
                                }
                            }
                            tr.coverage {
                                th { "提到的项数" }
                                @for c in &v.columns {
                                    td.n { @if c.report.is_some() { (c.items.len()) " / " (ITEM_COUNT) } @else { "—" } }
                                }
                            }
                        }
                        tbody {
                            @for it in items() {
                                @let marks: Vec<bool> = v.columns.iter().map(|c| c.items.contains_key(&it.number)).collect();
                                @let differs = marks.iter().any(|m| *m != marks[0]);
                                @if differs || !p.only_differences {
                                    tr.differs[differs] {
                                        th scope="row" title=(it.wording) { (it.number) ". " (it.short) }
                                        @for c in &v.columns {
                                            @match (c.items.get(&it.number), &c.report) {
                                                (Some((sec, nth)), Some(r)) => {
                                                    td.y { a href=(report_href(&r.id, &it.query, Some(&section_anchor(*sec, *nth)))) title=(format!("见“{}”", sec.label())) { "●" } }
                                                }
                                                (None, Some(_)) => { td.n {} }
                                                _ => { td.none { "无报告" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "逐栏目对照" }
                div.compare-grid.(format!("cols-{ncols}")) {
                    @for c in &v.columns {
                        div.col-head {
                            strong { (column_label(c, across_years)) }
                            @if let Some(r) = &c.report {
                                br;
                                a href=(report_href(&r.id, &p.q, None)) { (r.title) }
                                @if let Some(pubd) = &r.published { br; span.meta { "发布于 " (pubd) } }
                            } @else {
                                br; span.none { "该年度无报告" }
                            }
                        }
                    }
                    @for key in &keys {
                        @for c in &v.columns {
                            div.cell {
                                @match c.report.as_ref().and_then(|r| section(r, *key)) {
                                    Some(s) => {
                                        h3 { (if s.heading.is_empty() { key.0.label().to_string() } else { s.heading.clone() }) }
                                        div.text { (highlighted(&highlight_all(&s.text, &needles))) }
                                    }
                                    None => {
                                        h3.missing { (key.0.label()) }
                                        p.none { "（无此栏目）" }
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

fn column_label(c: &Column, across_years: bool) -> String {
    if across_years {
        format!("{} 学年", c.year)
    } else {
        c.school.clone()
    }
}

fn self_href(p: &CompareParams, only_differences: bool) -> String {
    let mut pairs = vec![("schools", p.schools.join(","))];
    if let Some(y) = &p.year {
        pairs.push(("year", y.clone()));
    }
    if !p.q.is_empty() {
        pairs.push(("q", p.q.clone()));
    }
    if only_differences {
        pairs.push(("only", "diff".into()));
    }
    href("/compare", &pairs)
}
