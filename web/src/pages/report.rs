//! `/reports/{id}`: a whole report by section, with highlights, its scorecard figures
//! beside the sections they came from, and its archived versions.

use super::*;

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
    let report = state.report(id).await?;
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
    let versions = match state.read(move |app| app.report_history(&report_id)).await {
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
                    @if let Some(year) = &report.year { span.year { (year_label(year)) } }
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
