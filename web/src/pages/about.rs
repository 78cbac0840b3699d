//! `/about`: what is held, how to search it, and what waits for the index.

use super::*;

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
                dt { "最近抓取" } dd #stat-last-crawl {
                    (last_crawl.map(crate::render::beijing_time).unwrap_or_else(|| "无记录".into()))
                }
                dt { "索引更新" } dd {
                    (updated.map(crate::render::beijing_time).unwrap_or_else(|| "未知".into()))
                }
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
