//! `/schools`: which schools mention a query, which do not, and which have no report.

use super::*;

/// `/schools`: which schools match, and which do not, [`Paging`] rows a page (matched,
/// then unmatched, then no report, as in the CSV).
pub async fn schools(
    State(state): State<AppState>,
    raw: Result<Params<RawSearch>, AppError>,
) -> Result<Response, HtmlError> {
    let (params, paging) = crate::schools::schools_params(raw)?;
    let stats = state.blocking(|app| Ok(app.index_stats()?)).await?;
    let answer = if params.q.is_empty() {
        None
    } else {
        match crate::schools::schools_answer(&state, params.to_schools_request()).await {
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
        (checklist_note(params))
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
                    caption.note {
                        "“匹配段落 4 / 32”：该校报告在筛选范围内的 32 个段落中，有 4 个提到检索词；"
                        "“年度”后的括号里是该年提到的段落数。"
                    }
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
                        } @else if row.reports_read.is_empty() {
                            span.note { "（" (row.years_in_scope.join("、")) "）" }
                        } @else {
                            // The reports that were read: the evidence of "not mentioned".
                            span.note {
                                "（读过："
                                @for (i, r) in row.reports_read.iter().enumerate() {
                                    @if i > 0 { "、" }
                                    a href=(report_href(&r.report_id, &params.q, None)) {
                                        (r.year.as_deref().map(year_label).unwrap_or_else(|| r.title.clone()))
                                    }
                                }
                                "）"
                            }
                        }
                    }
                }
            }
        }
        @if here(totals.matched + totals.unmatched, totals.no_report) {
            h2 #no-report { "没有报告的学校" }
            p.intro {
                "这些学校在此范围内没有存档的报告，所以无法判断它们是否公开了该事项——"
                "不是“没有提到”。原因见 " a href=(coverage_href(params)) { "覆盖情况" } "："
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
                            li {
                                span.school { (row.school) }
                                @if let Some(p) = &row.province { span.note { "（" (p) "）" } }
                                // The evidence as text, not only a tooltip (phones have none).
                                " " span.detail { (row.detail) }
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

/// `/coverage` for the year asked (it shows one year at a time, or all when none is
/// given), so the reader lands on the cells behind "no report".
fn coverage_href(params: &SearchParams) -> String {
    let pairs: Vec<(&'static str, String)> = match params.years.as_slice() {
        [one] => vec![("year", one.clone())],
        _ => Vec::new(),
    };
    href("/coverage", &pairs)
}

/// Where `/schools` and the checklist answer the same question differently, the page says
/// why (issue 18): a query that is a checklist item's (its number links here from
/// `/checklist`), or that names one, gets a note on how the checklist counts that item —
/// by all its phrasings, and not counting mentions in complaints, problems found or plans
/// to improve — with a link to the item in the checklist.
fn checklist_note(params: &SearchParams) -> Markup {
    use xxgk_app::checklist::{items, MatrixSort};
    use xxgk_app::text::fold;
    let q = fold(params.q.trim());
    let Some(item) = items()
        .iter()
        .find(|i| fold(i.query.trim()) == q || fold(&i.short) == q)
    else {
        return html! {};
    };
    // The checklist is one year at a time: the year when one is chosen.
    let years = params.values(Dim::Year);
    let mut pairs: Vec<(&str, String)> = match years.as_slice() {
        [year] => vec![("year", year.clone())],
        _ => Vec::new(),
    };
    pairs.push(("sort", MatrixSort::Item(item.number).as_string()));
    let is_item_query = fold(item.query.trim()) == q;
    html! {
        aside.checklist-note #checklist-note {
            p {
                "《高等学校信息公开事项清单》第 " (item.number) " 项“" (item.short) "”。"
                @if is_item_query {
                    "本页用的正是清单核对表判断这一项的检索式，列出所有提及；"
                } @else {
                    "核对表按这一项的全部说法判断（" code { (item.query) } "），本页只检索“"
                    (params.q.trim()) "”；"
                }
                "核对表不计举报、投诉、存在的问题和改进措施中的提及（那是问题，不是公开），"
                "所以那里的学校数可能比本页少。"
                a href=(href("/checklist", &pairs)) { "在核对表中看这一项" }
            }
        }
    }
}
