//! Router tests without a socket: every route, filters, pagination edges, each 4xx,
//! escaping. The real-server and real-browser tests live in the root `tests/web.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use xxgk_app::stores::index::{Engine, Report, Script, SectionId};

use crate::params::SearchParams;
use crate::{app, AppState};

fn report(
    school: &str,
    year: &str,
    published: &str,
    script: Script,
    sections: &[(SectionId, &str, &str)],
) -> Report {
    let builder = xxgk_testkit::report(school, year)
        .url(&format!("https://xxgk.example.edu.cn/{school}/{year}.htm"))
        .title(&format!("{school}{year}学年信息公开工作年度报告"))
        .published(published)
        .script(script);
    sections
        .iter()
        .fold(builder, |b, (id, h, t)| b.section(*id, h, t))
        .build()
}

const XSS_SCHOOL: &str = "<i>丁</i>学院";

fn corpus() -> Vec<Report> {
    let mut reports = vec![
        report(
            "甲大学",
            "2020-2021",
            "2021-10-30",
            Script::Simplified,
            &[
                (
                    SectionId::Overview,
                    "一、概述",
                    "学校高度重视信息公开工作。",
                ),
                (
                    SectionId::Proactive,
                    "二、主动公开情况",
                    "通过网站主动公开收费标准、收费依据和举报电话。",
                ),
                (
                    SectionId::OnRequest,
                    "三、依申请公开和不予公开情况",
                    "本学年收到依申请公开申请3件，均已按时答复。",
                ),
            ],
        ),
        report(
            "甲大学",
            "2021-2022",
            "2022-10-28",
            Script::Simplified,
            &[(
                SectionId::Proactive,
                "二、主动公开情况",
                "公开招生章程与财务预算。",
            )],
        ),
        report(
            "乙大學",
            "2021-2022",
            "2022-11-02",
            Script::Traditional,
            &[
                (
                    SectionId::Proactive,
                    "二、主動公開情況",
                    "本學年主動公開收費標準及收費項目。",
                ),
                (
                    SectionId::OnRequest,
                    "三、依申請公開情況",
                    "本學年收到依申請公開申請1件。",
                ),
            ],
        ),
        report(
            "丙学院",
            "2019-2020",
            "2020-10-15",
            Script::Simplified,
            &[(SectionId::Proactive, "二、主动公开", "公开了财务信息。")],
        ),
        report(
            XSS_SCHOOL,
            "2021-2022",
            "2022-09-01",
            Script::Simplified,
            &[(
                SectionId::Other,
                "七、<b>其他</b>事项",
                "收费标准<script>alert('xss')</script><img src=x onerror=alert(1)>见附件。",
            )],
        ),
    ];
    // 23 one-section reports of one school, for paging and date order.
    for y in 2000..2023 {
        reports.push(report(
            "庚大学",
            &format!("{y}-{}", y + 1),
            &format!("{}-10-{:02}", y + 1, 1 + (y % 28)),
            Script::Simplified,
            &[(
                SectionId::Overview,
                "一、概述",
                "本年度信息公开工作平稳有序开展，年报按时发布。",
            )],
        ));
    }
    reports
}

pub(crate) fn engine() -> Engine {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    for r in corpus() {
        writer.upsert(&r).expect("upsert");
    }
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    engine
}

fn test_app() -> Router {
    app(AppState::new(engine()))
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the API error shape and returns the code.
    pub(crate) fn error_code(&self) -> String {
        assert!(
            self.content_type().starts_with("application/json"),
            "{}",
            self.body
        );
        let v = self.json();
        let message = v["error"]["message"].as_str().unwrap_or("");
        assert!(!message.is_empty(), "error without message: {v}");
        v["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

pub(crate) async fn call(app: &Router, method: Method, uri: &str) -> Answer {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

pub(crate) async fn get(app: &Router, uri: &str) -> Answer {
    call(app, Method::GET, uri).await
}

pub(crate) fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every `href="…"` of a page, entity-decoded.
pub(crate) fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

fn hit_count(html: &str) -> usize {
    html.matches("<li class=\"hit\">").count()
}

#[tokio::test]
async fn search_page_keeps_the_query_and_marks_matches_in_both_scripts() {
    let app = test_app();
    let page = get(&app, &format!("/?q={}", enc("收費標準"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type().starts_with("text/html"));
    assert!(
        page.body.contains("value=\"收費標準\""),
        "query box keeps the query"
    );
    assert!(
        page.body.contains("<mark>收費標準</mark>"),
        "traditional report as written"
    );
    assert!(
        page.body.contains("<mark>收费标准</mark>"),
        "simplified report too"
    );
    assert!(page.body.contains("乙大學") && page.body.contains("甲大学"));
    assert!(
        page.body.contains("<strong id=\"total\">3</strong>"),
        "{}",
        page.body
    );
    assert_eq!(hit_count(&page.body), 3);
    for facet in ["school", "year", "section"] {
        assert!(
            page.body.contains(&format!("data-facet=\"{facet}\"")),
            "{facet} facet"
        );
    }
    assert!(page.body.contains("/assets/style.css"));
}

#[tokio::test]
async fn home_page_browses_the_whole_index_by_facets() {
    let app = test_app();
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(hit_count(&page.body), 0);
    assert!(page.body.contains("庚大学"), "school facet lists the index");
    assert!(page.body.contains("2000-2001"));
}

/// Issue 18: the 栏目 facet tells something — a section every report in scope has reads
/// 全部, one that some lack shows how many have it, and the facet says what it counts.
#[tokio::test]
async fn the_section_facet_says_what_it_counts_and_which_sections_some_reports_lack() {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    let full = xxgk_testkit::report("甲大学", "2020-2021")
        .section(SectionId::Overview, "一、概述", "学校重视信息公开工作。")
        .section(
            SectionId::Appraisal,
            "五、评议情况",
            "师生对信息公开工作满意。",
        )
        .build();
    let short = xxgk_testkit::report("乙学院", "2020-2021")
        .section(SectionId::Overview, "一、概述", "学院重视信息公开工作。")
        .build();
    for r in [&full, &short] {
        writer.upsert(r).expect("upsert");
    }
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    let app = app(AppState::new(engine));
    let section_facet = |body: &str| -> String {
        let at = body.find("data-facet=\"section\"").expect("section facet");
        let end = body[at..].find("</details>").map_or(body.len(), |e| at + e);
        body[at..end].to_string()
    };
    let facet_row = |facet: &str, label: &str| -> String {
        let at = facet
            .find(label)
            .unwrap_or_else(|| panic!("{label} in {facet}"));
        let end = facet[at..].find("</a>").expect("row end");
        facet[at..at + end].to_string()
    };
    let browse = section_facet(&get(&app, "/").await.body);
    assert!(browse.contains("有此栏目的报告数"), "{browse}");
    assert!(facet_row(&browse, "概述").contains(">全部<"), "{browse}");
    let appraisal = facet_row(&browse, "评议");
    assert!(
        appraisal.contains(">1<") && !appraisal.contains("全部"),
        "{browse}"
    );
    let query = section_facet(&get(&app, &format!("/?q={}", enc("信息公开"))).await.body);
    assert!(query.contains("在此栏目提到的报告数"), "{query}");
    assert!(facet_row(&query, "概述").contains(">全部<"), "{query}");
    assert!(facet_row(&query, "评议").contains(">1<"), "{query}");
}

#[tokio::test]
async fn a_facet_link_filters_and_the_chip_removes_the_filter() {
    let app = test_app();
    let q = enc("公开");
    let page = get(&app, &format!("/?q={q}")).await;
    let all = hit_count(&page.body);
    assert_eq!(all, 10, "first page is full");
    let year_link = links(&page.body)
        .into_iter()
        .find(|l| l.contains("year=2021-2022"))
        .expect("a year facet link");
    let filtered = get(&app, &year_link).await;
    assert_eq!(filtered.status, StatusCode::OK);
    // 甲 2021-2022, 乙 (2 sections) in 2021-2022; 庚 2021-2022 has 信息公开 too.
    let total: usize = filtered
        .body
        .split("<strong id=\"total\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse().ok())
        .expect("total");
    assert_eq!(total, hit_count(&filtered.body));
    assert!((3..10).contains(&total), "{total}");
    assert!(filtered.body.contains("class=\"chip\""));
    for hit in filtered.body.split("<li class=\"hit\">").skip(1) {
        assert!(hit.contains("2021-2022学年"), "only the chosen year: {hit}");
    }
    // The chosen year stays in its facet list (counts ignore the facet's own filter),
    // marked active; other years remain to add.
    assert!(filtered.body.contains("aria-current=\"true\""));
    assert!(filtered.body.contains("2020-2021"));
    let chip = filtered
        .body
        .split("<a class=\"chip\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .expect("chip link");
    assert!(!chip.contains("year="), "{chip}");
    let back = get(&app, &chip).await;
    assert_eq!(hit_count(&back.body), all);
}

#[tokio::test]
async fn api_search_filters_alternatives_and_sections() {
    let app = test_app();
    let q = enc("公开");
    let both = get(
        &app,
        &format!("/api/search?q={q}&year=2020-2021&year=2019-2020"),
    )
    .await;
    assert_eq!(both.status, StatusCode::OK);
    let v = both.json();
    let years: Vec<&str> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["year"].as_str())
        .collect();
    assert!(
        years.contains(&"2020-2021") && years.contains(&"2019-2020"),
        "{years:?}"
    );
    assert!(years.iter().all(|y| *y == "2020-2021" || *y == "2019-2020"));
    let sec = get(&app, &format!("/api/search?q={q}&section=on_request"))
        .await
        .json();
    assert_eq!(sec["total"], 2);
    assert!(sec["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|h| h["section"] == "on_request"));
    // Per section (`group=section`): both of 乙's matching sections.
    let school = get(
        &app,
        &format!("/api/search?q={q}&school={}&group=section", enc("乙大學")),
    )
    .await
    .json();
    assert_eq!(school["total"], 2);
    assert_eq!(school["facets"]["school"]["乙大學"], 2);
    // By report (the default, issue 11): 乙's one report, its other section beneath.
    let school = get(&app, &format!("/api/search?q={q}&school={}", enc("乙大學")))
        .await
        .json();
    assert_eq!(school["total"], 1);
    assert_eq!(school["facets"]["school"]["乙大學"], 1);
    let hit = &school["hits"][0];
    assert_eq!(hit["matching_sections"], 2);
    assert_eq!(hit["sections"].as_array().map(Vec::len), Some(1));
    assert!(hit["sections"][0]["snippet_html"]
        .as_str()
        .is_some_and(|s| s.contains("<mark>")));
    for field in [
        "report_id",
        "school",
        "year",
        "section",
        "heading",
        "title",
        "url",
        "script",
        "snippet_html",
        "score",
    ] {
        assert!(hit.get(field).is_some(), "{field} kept");
    }
    let bad = get(&app, &format!("/api/search?q={q}&group=school")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pagination_edges() {
    let app = test_app();
    let q = enc("信息公开");
    let first = get(&app, &format!("/api/search?q={q}&limit=10"))
        .await
        .json();
    let total = first["total"].as_u64().expect("total") as usize;
    assert!(total > 20, "{total}");
    let last_page = total.div_ceil(10);
    let last = get(&app, &format!("/api/search?q={q}&page={last_page}"))
        .await
        .json();
    assert_eq!(
        last["hits"].as_array().map(Vec::len),
        Some(total - (last_page - 1) * 10)
    );
    let beyond = get(&app, &format!("/api/search?q={q}&page={}", last_page + 1)).await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert_eq!(beyond.json()["hits"].as_array().map(Vec::len), Some(0));
    // Pages do not overlap.
    let ids = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| format!("{}{}", h["report_id"], h["section"]))
            .collect()
    };
    let second = get(&app, &format!("/api/search?q={q}&page=2")).await.json();
    assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)));

    // HTML: numbered list continues, pager links work, the page beyond says so.
    let html = get(&app, &format!("/?q={q}&page=2")).await.body;
    assert!(html.contains("<ol class=\"hits\" start=\"11\">"), "{html}");
    assert!(html.contains("rel=\"prev\"") && html.contains("rel=\"next\""));
    let html = get(&app, &format!("/?q={q}&page={last_page}")).await.body;
    assert!(!html.contains("rel=\"next\""));
    let html = get(&app, &format!("/?q={q}&page=99")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("此页没有结果"));
}

#[tokio::test]
async fn sort_by_date_puts_the_newest_first() {
    let app = test_app();
    let v = get(
        &app,
        &format!("/api/search?q={}&sort=date&limit=50", enc("公开")),
    )
    .await
    .json();
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["published"].as_str())
        .collect();
    assert!(dates.len() > 20);
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[tokio::test]
async fn each_bad_parameter_is_a_400_in_the_error_shape() {
    let app = test_app();
    let long = "收费".repeat(1700); // about 10 kB of query text
    let cases = [
        ("/api/search?q=x&section=finance", "bad_request", "栏目“"),
        ("/api/search?q=x&page=0", "bad_request", "start at 1"),
        ("/api/search?q=x&page=two", "bad_request", "whole number"),
        (
            "/api/search?q=x&limit=10000",
            "bad_request",
            "between 1 and",
        ),
        ("/api/search?q=x&page=5000", "bad_request", "too deep"),
        ("/api/search?q=x&sort=random", "bad_request", "unknown sort"),
        ("/api/search?q=-x", "bad_query", "only excludes"),
        ("/api/search?q=%22%22", "bad_query", "no searchable"),
        ("/api/schools?q=x&section=nope", "bad_request", "栏目“"),
        ("/schools.csv?q=x&page=0", "bad_request", "page must be"),
    ];
    for (uri, code, needle) in cases {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.body);
        assert_eq!(a.error_code(), code, "{uri}");
        assert!(a.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(needle));
    }
    let a = get(&app, &format!("/api/search?q={}", enc(&long))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error_code(), "bad_query");
    let huge = format!("/api/search?q={}", "a".repeat(40_000));
    let a = get(&app, &huge).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("too long"));
    // A malformed query string is rejected in the same shape, not axum's plain text.
    let a = get(&app, "/api/search?q=a&q=b").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error_code(), "bad_request");
}

#[tokio::test]
async fn html_pages_answer_bad_parameters_with_a_400_page_that_keeps_the_form() {
    let app = test_app();
    let a = get(&app, &format!("/?q={}&section=finance", enc("收费"))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.content_type().starts_with("text/html"));
    assert!(a.body.contains("栏目“"));
    let a = get(&app, &format!("/?q={}", enc(&"收费".repeat(1700)))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("role=\"search\""), "form still there");
    assert!(a.body.contains("too long"));
    let a = get(&app, "/schools?q=x&page=0").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.content_type().starts_with("text/html"));
    let a = get(&app, "/schools?q=-x").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("only excludes"));
}

#[tokio::test]
async fn report_page_has_every_section_with_anchors_highlights_and_source() {
    let app = test_app();
    let r = &corpus()[0];
    let page = get(&app, &format!("/reports/{}?q={}", r.id, enc("依申請公開"))).await;
    assert_eq!(page.status, StatusCode::OK);
    for s in &r.sections {
        assert!(page
            .body
            .contains(&format!("<section id=\"{}\">", s.id.as_str())));
        assert!(page.body.contains(&format!("href=\"#{}\"", s.id.as_str())));
    }
    assert!(
        page.body.contains("<mark>依申请公开</mark>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("href=\"{}\"", r.url)));
    let plain = get(&app, &format!("/reports/{}", r.id)).await;
    assert!(!plain.body.contains("<mark>"));
    // A bad highlight query does not break the page.
    let odd = get(&app, &format!("/reports/{}?q=-x", r.id)).await;
    assert_eq!(odd.status, StatusCode::OK);

    let json = get(&app, &format!("/api/reports/{}", r.id)).await;
    assert_eq!(json.status, StatusCode::OK);
    let v = json.json();
    assert_eq!(v["school"], "甲大学");
    assert_eq!(v["sections"].as_array().map(Vec::len), Some(3));

    let missing = get(&app, "/reports/0000000000000000").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.content_type().starts_with("text/html"));
    // Issue 18: said in Chinese to the reader, no English on the page.
    assert!(missing.body.contains("没有编号为"), "{}", missing.body);
    assert!(!missing.body.contains("no report"), "{}", missing.body);
    let missing = get(&app, "/api/reports/0000000000000000").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");
    let unknown = get(&app, "/api/nothing-here").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.content_type().starts_with("application/json"));
    assert_eq!(unknown.error_code(), "not_found");
    let long = get(&app, &format!("/api/reports/{}", "a".repeat(500))).await;
    assert_eq!(long.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn schools_page_lists_matching_and_silent_schools_with_downloads() {
    let app = test_app();
    let q = enc("收费标准");
    let page = get(&app, &format!("/schools?q={q}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<strong id=\"matched-count\">3</strong>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<strong id=\"unmatched-count\">2</strong>"));
    assert!(page.body.contains("丙学院") && page.body.contains("庚大学"));
    // Issue 18: the "matching sections" column says what its two numbers are.
    assert!(page.body.contains("“匹配段落 4 / 32”"), "{}", page.body);
    assert!(page.body.contains("<mark>收費標準</mark>"));
    // Issue 18: 收费标准 names checklist item 21, which the checklist counts otherwise;
    // the page says how and links to the item there. The item's own query (what the
    // checklist's column links to) says so too; an unrelated query gets no note.
    let note = |body: &str| {
        body.find("id=\"checklist-note\"")
            .map(|at| body[at..].to_string())
    };
    let named = note(&page.body).expect("a checklist note");
    assert!(named.contains("第 21 项“收费标准”"), "{named}");
    assert!(named.contains("不计举报、投诉"), "{named}");
    assert!(
        named.contains("href=\"/checklist?sort=item%3A21\""),
        "{named}"
    );
    let item_query = enc(r#""收费项目" OR "收费依据" OR "收费标准" OR "收费公示""#);
    let by_item = get(&app, &format!("/schools?q={item_query}&year=2021-2022")).await;
    let from_checklist = note(&by_item.body).expect("a checklist note");
    assert!(
        from_checklist.contains("正是清单核对表判断这一项的检索式"),
        "{from_checklist}"
    );
    assert!(
        from_checklist.contains("/checklist?year=2021-2022&amp;sort=item%3A21"),
        "{from_checklist}"
    );
    let other = get(&app, &format!("/schools?q={}", enc("信息公开"))).await;
    assert!(note(&other.body).is_none());
    let empty = get(&app, "/schools").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("输入检索词"));

    let v = get(&app, &format!("/api/schools?q={q}&year=2021-2022"))
        .await
        .json();
    let matched: Vec<&str> = v["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .filter_map(|m| m["school"].as_str())
        .collect();
    assert_eq!(matched.len(), 2, "{v}");
    assert!(matched.contains(&"乙大學") && matched.contains(&XSS_SCHOOL));
    let unmatched = v["unmatched"].as_array().expect("unmatched");
    let jia = unmatched
        .iter()
        .find(|u| u["school"] == "甲大学")
        .expect("甲 silent in 2021-2022");
    assert_eq!(jia["sections_in_scope"], 1);
    // Issue 18: "does not mention" comes with the report that was read.
    let read = jia["reports_read"].as_array().expect("reports read");
    assert_eq!(read.len(), 1, "{jia}");
    assert_eq!(read[0]["year"], "2021-2022");
    let read_id = read[0]["report_id"].as_str().expect("id").to_string();
    assert!(read[0]["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http")));
    let page = get(&app, &format!("/schools?q={q}&year=2021-2022")).await;
    assert!(
        links(&page.body)
            .iter()
            .any(|l| l.starts_with(&format!("/reports/{read_id}"))),
        "{}",
        page.body
    );

    let csv = get(&app, &format!("/schools.csv?q={q}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv
        .headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("attachment")));
    let body = csv.body.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    // Columns by name: the header gained `code` (see SCHOOLS_CSV_HEADER).
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5, "every school once");
    let yes = rows.iter().filter(|r| &r[col("matched")] == "yes").count();
    assert_eq!(yes, 3);
    assert!(rows
        .iter()
        .any(|r| &r[0] == "乙大學" && r[col("best_snippet")].contains("收費標準")));
    // A "no" row names the report that was read.
    let no = rows
        .iter()
        .find(|r| &r[col("matched")] == "no")
        .expect("a school that does not mention it");
    assert!(!no[col("best_report_id")].is_empty(), "{no:?}");
    assert!(no[col("best_url")].starts_with("http"), "{no:?}");
    assert!(no[col("detail")].contains("未提到"), "{no:?}");
    for name in ["detail", "province", "in_sources"] {
        col(name);
    }
}

#[tokio::test]
async fn about_page_and_stats() {
    let app = test_app();
    let page = get(&app, "/about").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<dd id=\"stat-schools\">5</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd id=\"stat-reports\">28</dd>"));
    assert!(page.body.contains("收費標準") && page.body.contains("收费标准"));
    let v = get(&app, "/api/stats").await.json();
    assert_eq!(v["reports"], 28);
    assert_eq!(v["pending_index"], 0, "{v}");
    assert!(!page.body.contains("待入索引"));
}

/// Issue 22: reports stored but not yet indexed (an interrupted crawl or import) are
/// counted on `/about` and in `/api/stats`, with the command that indexes them.
#[tokio::test]
async fn reports_waiting_for_the_index_are_reported() {
    let archive = xxgk_app::stores::archive::Archive::open_in_memory().expect("archive");
    for r in corpus().iter().take(3) {
        archive.put_report(r).expect("store");
    }
    let state = AppState::new(engine())
        .with_archive(Arc::new(xxgk_app::stores::archive::Reader::new(archive)));
    let app = app(state);
    let v = get(&app, "/api/stats").await.json();
    assert_eq!(v["pending_index"], 3, "{v}");
    assert_eq!(v["reports"], 28, "{v}");
    let page = get(&app, "/about").await;
    assert!(page.body.contains("<dt>待入索引</dt>"), "{}", page.body);
    assert!(
        page.body.contains("<code>xxgk stats</code>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn markup_in_reports_renders_as_text_everywhere() {
    let app = test_app();
    let xss = corpus()
        .into_iter()
        .find(|r| r.school == XSS_SCHOOL)
        .expect("xss report");
    let q = enc("收费标准");
    let pages = [
        format!("/?q={q}"),
        format!("/?q={q}&school={}", enc(XSS_SCHOOL)),
        "/".to_string(),
        format!("/reports/{}", xss.id),
        format!("/reports/{}?q={q}", xss.id),
        format!("/schools?q={q}"),
        format!("/?q={}", enc("<script>alert(1)</script>")),
        format!("/schools?q={}", enc("\"><img src=x onerror=alert(1)>")),
    ];
    for uri in pages {
        let page = get(&app, &uri).await;
        let body = &page.body;
        for raw in ["<script", "<img", "<i>丁", "<b>其他"] {
            assert!(!body.contains(raw), "{uri}: raw {raw} in page");
        }
        assert!(!body.contains("onerror=alert(1)>"), "{uri}");
        assert!(
            body.contains("&lt;script&gt;")
                || body.contains("&lt;img")
                || body.contains("&lt;i&gt;"),
            "{uri}: markup shown as text"
        );
    }
    let csp = get(&app, "/").await;
    let policy = csp
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(policy.contains("default-src 'none'"), "{policy}");
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_right_shape() {
    let app = test_app();
    let a = get(&app, "/nope").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.content_type().starts_with("text/html"));
    for path in ["/api/nope", "/api/", "/api"] {
        let a = get(&app, path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(a.error_code(), "not_found", "{path}: {}", a.body);
    }
    let a = call(&app, Method::POST, "/api/search?q=x").await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(a.error_code(), "method_not_allowed");
    assert!(a.headers.contains_key(header::ALLOW));
    let a = call(&app, Method::DELETE, "/").await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(a.content_type().starts_with("text/html"));
    let css = get(&app, "/assets/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css"));
    assert!(css.body.contains(".facets"));
}

/// What the server logged, for a test to read.
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    /// The one log of this test binary: a global subscriber, set on first use, that
    /// writes every level here. Global because callsites cache per process whether
    /// anyone listens, and scoped subscribers of tests running in parallel race on that
    /// cache (a warning went unseen one run in three). Tests find their own lines by a
    /// marker (a request's URI, a listener's address).
    pub(crate) fn global() -> &'static Log {
        static LOG: std::sync::OnceLock<Log> = std::sync::OnceLock::new();
        LOG.get_or_init(|| {
            let log = Log::default();
            let writer = log.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::DEBUG)
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            // Another global subscriber (none in this binary) would keep its own.
            let _ = tracing::subscriber::set_global_default(subscriber);
            log
        })
    }

    /// The lines that mention `marker`.
    pub(crate) fn lines_with(&self, marker: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(marker))
            .map(str::to_string)
            .collect()
    }

    pub(crate) fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A search that times out is a 503 in the error shape, logged once at WARN (not also at
/// ERROR by the trace layer: issue 22).
#[tokio::test]
async fn searches_wait_for_a_free_slot_and_time_out_with_a_503_in_the_error_shape() {
    let state = AppState::new(engine())
        .with_max_searches(1)
        .with_timeout(Duration::from_millis(200));
    let app = app(state.clone());
    // A query of its own: the marker of this test's lines in the shared log.
    let uri = format!("/api/search?q={}", enc("公开 超时测试"));
    // The only search slot is taken (as by a long search): the request waits, then
    // times out.
    let busy = state
        .searches
        .clone()
        .acquire_owned()
        .await
        .expect("permit");
    let log = Log::global();
    let a = get(&app, &uri).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.error_code(), "timeout");
    let mine = log.lines_with(&uri);
    let warns: Vec<&String> = mine.iter().filter(|l| l.contains(" WARN ")).collect();
    assert_eq!(warns.len(), 1, "{mine:#?}");
    assert!(warns[0].contains("answered with an error"), "{mine:#?}");
    assert!(!mine.iter().any(|l| l.contains("ERROR")), "{mine:#?}");
    let page = get(&app, "/?q=x").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.content_type().starts_with("text/html"));
    // Static files do not wait for searches.
    assert_eq!(get(&app, "/assets/style.css").await.status, StatusCode::OK);
    drop(busy);
    assert_eq!(get(&app, &uri).await.status, StatusCode::OK);
}

#[tokio::test]
async fn internal_errors_send_a_generic_message() {
    use axum::response::IntoResponse;
    let err = crate::AppError::Internal(anyhow::anyhow!("disk on fire at /secret/path"));
    let res = err.into_response();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .expect("body");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("\"code\":\"internal\""));
}

#[tokio::test]
async fn a_commit_after_start_shows_up_without_restart() {
    let state = AppState::new(engine());
    let app = app(state.clone());
    let q = enc("新增报告专有词");
    assert_eq!(
        get(&app, &format!("/api/search?q={q}")).await.json()["total"],
        0
    );
    let mut writer = state.app().engine().writer(1).expect("writer");
    writer
        .upsert(&report(
            "辛大学",
            "2022-2023",
            "2023-10-01",
            Script::Simplified,
            &[(SectionId::Other, "七、其他", "新增报告专有词出现在这里。")],
        ))
        .expect("upsert");
    writer.commit().expect("commit");
    // No explicit reload: the reader picks the commit up by itself.
    let mut total = Value::Null;
    for _ in 0..100 {
        total = get(&app, &format!("/api/search?q={q}")).await.json()["total"].clone();
        if total == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(total, 1);
}

/// An archive that knows two versions of every report, or fails.
struct FakeArchive {
    fail: bool,
}

fn unreadable() -> xxgk_app::stores::archive::Error {
    xxgk_app::stores::archive::Error::Io(std::io::Error::other("archive unreadable"))
}

impl crate::ReadArchive for FakeArchive {
    fn report_history(
        &self,
        report_id: &str,
    ) -> xxgk_app::stores::archive::Result<Vec<crate::ReportVersion>> {
        if self.fail {
            return Err(unreadable());
        }
        Ok(["2021-10-30T08:00:00Z", "2022-03-01T08:00:00Z"]
            .iter()
            .enumerate()
            .map(|(i, at)| crate::ReportVersion {
                hash: format!("{report_id}{i}{}", "0".repeat(40)),
                first_fetched: (*at).to_string(),
                last_seen: (*at).to_string(),
                bytes: 1000 + i as u64,
            })
            .collect())
    }

    fn last_crawl(&self) -> xxgk_app::stores::archive::Result<Option<String>> {
        if self.fail {
            return Err(unreadable());
        }
        Ok(Some("2022-03-01T08:05:00Z".into()))
    }

    fn report_at_version(
        &self,
        _report_id: &str,
        _hash: &str,
    ) -> xxgk_app::stores::archive::Result<Option<xxgk_app::stores::index::Report>> {
        Err(unreadable())
    }

    fn changes(
        &self,
        _since: Option<&str>,
        _limit: usize,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::ReportChange>> {
        Err(unreadable())
    }

    fn coverage(
        &self,
        _req: &xxgk_app::stores::archive::CoverageRequest,
    ) -> xxgk_app::stores::archive::Result<xxgk_app::stores::archive::Coverage> {
        Err(unreadable())
    }

    fn no_report(
        &self,
        _years: &[String],
        _schools: &[String],
        _filter: &xxgk_app::stores::archive::InstitutionFilter,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::NoReport>> {
        if self.fail {
            return Err(unreadable());
        }
        Ok(Vec::new())
    }

    fn crawl_health(
        &self,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::SourceHealth>> {
        if self.fail {
            return Err(unreadable());
        }
        Ok(Vec::new())
    }
}

/// Issue 19: a report titled by its publication year shows the year it covers and, beside
/// it, the year as it is written with its statistics period.
#[tokio::test]
async fn report_page_shows_the_year_as_written_beside_the_year_covered() {
    let mut r = xxgk_testkit::report("咸阳学院", "2016-2017")
        .title("咸阳学院2017年度信息公开工作报告")
        .text("数据统计起止时间是2016年9月1日至2017年8月31日。")
        .build();
    r.year_as_written = Some("2017年度".into());
    r.period_start = Some("2016-09-01".into());
    r.period_end = Some("2017-08-31".into());
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    writer.upsert(&r).expect("upsert");
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    let app = app(AppState::new(engine));
    let page = get(&app, &format!("/reports/{}", r.id)).await;
    assert!(page.body.contains("2016-2017学年"), "{}", page.body);
    assert!(
        page.body
            .contains("报告自称“2017年度”，统计期 2016-09-01 至 2017-08-31"),
        "{}",
        page.body
    );
    let json = get(&app, &format!("/api/reports/{}", r.id)).await.json();
    assert_eq!(json["year"], "2016-2017");
    assert_eq!(json["year_as_written"], "2017年度");
    assert_eq!(json["period_start"], "2016-09-01");
}

#[tokio::test]
async fn report_page_lists_archived_versions_and_about_the_last_crawl() {
    let state =
        AppState::new(engine()).with_archive(std::sync::Arc::new(FakeArchive { fail: false }));
    let app = app(state);
    let id = &corpus()[0].id;
    let page = get(&app, &format!("/reports/{id}")).await;
    assert!(page.body.contains("已存档的版本（2）"), "{}", page.body);
    assert!(page.body.contains("首次抓取 2022-03-01T08:00:00Z"));
    let v = get(&app, &format!("/api/reports/{id}/versions")).await;
    assert_eq!(v.status, StatusCode::OK);
    assert_eq!(v.json().as_array().map(Vec::len), Some(2));
    let missing = get(&app, "/api/reports/0000000000000000/versions").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let about = get(&app, "/about").await;
    assert!(about
        .body
        .contains("<dd id=\"stat-last-crawl\">2022-03-01 16:05（北京时间）</dd>"));

    // Without an archive: no list, an empty JSON list.
    let bare = test_app();
    assert!(!get(&bare, &format!("/reports/{id}"))
        .await
        .body
        .contains("已存档的版本"));
    assert_eq!(
        get(&bare, &format!("/api/reports/{id}/versions"))
            .await
            .body,
        "[]"
    );
}

#[tokio::test]
async fn a_failing_archive_costs_the_version_list_not_the_page() {
    let state =
        AppState::new(engine()).with_archive(std::sync::Arc::new(FakeArchive { fail: true }));
    let app = app(state);
    let id = &corpus()[0].id;
    let page = get(&app, &format!("/reports/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<section id=\"overview\">"));
    let about = get(&app, "/about").await;
    assert_eq!(about.status, StatusCode::OK);
    // The API says it failed, without the cause.
    let v = get(&app, &format!("/api/reports/{id}/versions")).await;
    assert_eq!(v.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(v.error_code(), "internal");
    assert!(!v.body.contains("unreadable"));
}

/// An archive whose coverage takes a while (a whole-registry answer on a slow disk).
struct SlowArchive(xxgk_app::stores::archive::Reader);

impl crate::ReadArchive for SlowArchive {
    fn report_history(
        &self,
        id: &str,
    ) -> xxgk_app::stores::archive::Result<Vec<crate::ReportVersion>> {
        self.0.report_history(id)
    }
    fn last_crawl(&self) -> xxgk_app::stores::archive::Result<Option<String>> {
        self.0.last_crawl()
    }
    fn report_at_version(
        &self,
        id: &str,
        hash: &str,
    ) -> xxgk_app::stores::archive::Result<Option<Report>> {
        self.0.report_at_version(id, hash)
    }
    fn changes(
        &self,
        since: Option<&str>,
        limit: usize,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::ReportChange>> {
        self.0.changes(since, limit)
    }
    fn coverage(
        &self,
        req: &xxgk_app::stores::archive::CoverageRequest,
    ) -> xxgk_app::stores::archive::Result<xxgk_app::stores::archive::Coverage> {
        std::thread::sleep(Duration::from_millis(2500));
        self.0.coverage(req)
    }
    fn no_report(
        &self,
        years: &[String],
        schools: &[String],
        filter: &xxgk_app::stores::archive::InstitutionFilter,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::NoReport>> {
        self.0.no_report(years, schools, filter)
    }
    fn crawl_health(
        &self,
    ) -> xxgk_app::stores::archive::Result<Vec<xxgk_app::stores::archive::SourceHealth>> {
        self.0.crawl_health()
    }
}

/// Issue 13: heavy answers queue briefly for their slot and then get a fast 503 with
/// Retry-After; cheap pages are answered meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn heavy_requests_fail_fast_and_fair_while_cheap_ones_are_served() {
    let archive = xxgk_app::stores::archive::Archive::open_in_memory().expect("archive");
    let state = AppState::new(engine())
        .with_archive(std::sync::Arc::new(SlowArchive(
            xxgk_app::stores::archive::Reader::new(archive),
        )))
        .with_max_heavy(1);
    let heavy = Arc::clone(&state.heavy);
    let app = app(state);
    let first = {
        let app = app.clone();
        tokio::spawn(async move { get(&app, "/api/coverage?year=2020-2021").await })
    };
    // Until the first request holds the one heavy slot (no sleep that hopes it does).
    tokio::time::timeout(Duration::from_secs(10), async {
        while heavy.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the first heavy request takes the slot");
    // The slot is taken: the next heavy request waits about a second, then 503.
    let started = std::time::Instant::now();
    let busy = get(&app, "/api/coverage?year=2019-2020").await;
    let waited = started.elapsed();
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert_eq!(busy.json()["error"]["code"], "busy");
    assert!(
        busy.headers
            .get(header::RETRY_AFTER)
            .is_some_and(|v| v == "2"),
        "Retry-After"
    );
    assert!(
        waited < Duration::from_millis(2000),
        "answered fast: {waited:?}"
    );
    // The page form of a heavy route says so as a page.
    let page = get(&app, "/coverage").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("服务器繁忙"), "{}", page.body);
    // A cheap request is not held behind them.
    let started = std::time::Instant::now();
    let cheap = get(&app, "/api/search?q=%E6%94%B6%E8%B4%B9").await;
    assert_eq!(cheap.status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(1000));
    // And the first heavy one completes normally.
    let first = first.await.expect("join");
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
}

/// Issue 11: the search page lists each report once, its other matching sections beneath;
/// `group=section` lists sections, and the pages link to each other's grouping.
#[tokio::test]
async fn issue_11_search_page_lists_one_result_per_report() {
    let app = test_app();
    let q = enc("公开");
    let by_report = get(&app, &format!("/api/search?q={q}&limit=100"))
        .await
        .json();
    let by_section = get(&app, &format!("/api/search?q={q}&limit=100&group=section"))
        .await
        .json();
    let reports = by_report["total"].as_u64().expect("total");
    let sections = by_section["total"].as_u64().expect("total");
    assert!(sections > reports, "{sections} sections, {reports} reports");
    let listed: u64 = by_report["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["matching_sections"].as_u64().expect("matching_sections"))
        .sum();
    assert_eq!(
        listed, sections,
        "every matching section belongs to one listed report"
    );

    let page = get(&app, &format!("/?q={q}&limit=100")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(hit_count(&page.body) as u64, reports);
    assert!(
        page.body.contains("class=\"also\""),
        "other sections beneath"
    );
    let page = get(&app, &format!("/?q={q}&limit=100&group=section")).await;
    assert_eq!(hit_count(&page.body) as u64, sections);
    assert!(!page.body.contains("class=\"also\""));
    assert!(
        page.body.contains("group=section"),
        "links keep the grouping"
    );
}

/// Issue 13: with thousands of schools the search page stays small — the school facet
/// lists the top values and a bounded "more", then a filter, never every school.
#[tokio::test]
async fn school_facet_is_bounded_with_a_filter() {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    for i in 0..300 {
        let school = format!("第{i:03}号学院");
        writer
            .upsert(&report(
                &school,
                "2020-2021",
                "2021-10-30",
                Script::Simplified,
                &[(SectionId::Overview, "一、概述", "学校公开了收费标准。")],
            ))
            .expect("upsert");
    }
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    let app = app(AppState::new(engine));
    let page = get(&app, &format!("/?q={}", enc("收费标准"))).await;
    assert_eq!(page.status, StatusCode::OK);
    let listed = page.body.matches("<span class=\"name\">第").count();
    assert!(listed <= 12 + 60, "{listed} schools listed");
    assert!(
        page.body.contains("另有 228 项未列出"),
        "the rest are counted"
    );
    assert!(page.body.contains("class=\"facet-filter\""), "a filter");
    // The year facet says which year a label means.
    assert!(
        page.body
            .contains("title=\"2020-2021 学年（2020年9月至2021年8月）\""),
        "academic year named"
    );
    // The filter narrows to a school by name.
    let one = get(
        &app,
        &format!("/?q={}&school={}", enc("收费标准"), enc("第299号学院")),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("第299号学院"));
}

/// The "which schools" answer of `q` as the pages of `/api/schools` give it, walked by
/// their `next` links: (matched, unmatched, no_report) school names, and pages walked.
async fn walk_school_pages(
    app: &Router,
    first: &str,
) -> (Vec<String>, Vec<String>, Vec<String>, usize) {
    let mut groups: [Vec<String>; 3] = Default::default();
    let mut next = Some(first.to_string());
    let mut pages = 0;
    while let Some(uri) = next {
        let page = get(app, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        let v = page.json();
        pages += 1;
        assert_eq!(v["page"].as_u64(), Some(pages as u64), "{uri}");
        for (group, names) in ["matched", "unmatched", "no_report"]
            .iter()
            .zip(&mut groups)
        {
            names.extend(
                v[group]
                    .as_array()
                    .unwrap_or_else(|| panic!("{group} in {v}"))
                    .iter()
                    .filter_map(|r| r["school"].as_str().map(String::from)),
            );
        }
        next = v["next"].as_str().map(String::from);
        assert!(pages < 1000, "the next links end");
    }
    let [matched, unmatched, no_report] = groups;
    (matched, unmatched, no_report, pages)
}

#[tokio::test]
async fn schools_api_pages_carry_totals_and_next_links_to_the_last_page() {
    let state = AppState::new(engine());
    let app = app(state.clone());
    let q = enc("收费标准");
    let first = get(&app, &format!("/api/schools?q={q}&per_page=2"))
        .await
        .json();
    assert_eq!(first["totals"]["matched"], 3);
    assert_eq!(first["totals"]["unmatched"], 2);
    assert_eq!(first["totals"]["no_report"], 0);
    assert_eq!(
        (first["total"].as_u64(), first["pages"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(first["per_page"], 2);
    assert_eq!(first["query"], "收费标准", "today's fields are kept");
    assert_eq!(first["matched"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["unmatched"].as_array().map(Vec::len), Some(0));
    assert_eq!(first["next_page"], 2);
    assert_eq!(
        first["next"],
        format!("/api/schools?q={q}&page=2&per_page=2")
    );
    // Page 2 crosses from the matched group to the unmatched one.
    let second = get(&app, &format!("/api/schools?q={q}&per_page=2&page=2"))
        .await
        .json();
    assert_eq!(second["matched"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["unmatched"].as_array().map(Vec::len), Some(1));
    let (matched, unmatched, no_report, pages) =
        walk_school_pages(&app, &format!("/api/schools?q={q}&per_page=2")).await;
    assert_eq!(
        (matched.len(), unmatched.len(), no_report.len(), pages),
        (3, 2, 0, 3)
    );
    let last = get(&app, &format!("/api/schools?q={q}&per_page=2&page=3"))
        .await
        .json();
    assert!(
        last["next"].is_null() && last["next_page"].is_null(),
        "{last}"
    );
    // The default page holds everything here.
    let whole = get(&app, &format!("/api/schools?q={q}")).await.json();
    assert_eq!(
        (whole["per_page"].as_u64(), whole["pages"].as_u64()),
        (Some(100), Some(1))
    );
    for (uri, needle) in [
        (
            format!("/api/schools?q={q}&per_page=2&page=4"),
            "past the last page (3)",
        ),
        (format!("/api/schools?q={q}&per_page=0"), "per_page must be"),
        (format!("/api/schools?q={q}&per_page=501"), "from 1 to 500"),
        (format!("/api/schools?q={q}&page=x"), "page must be"),
        (format!("/schools.csv?q={q}&per_page=x"), "per_page must be"),
    ] {
        let a = get(&app, &uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(a.error_code(), "bad_request", "{uri}");
        assert!(a.body.contains(needle), "{uri}: {}", a.body);
    }
    // Every page above, and the HTML page, came from one computed answer.
    let html = get(&app, &format!("/schools?q={q}&per_page=2&page=2")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Schools), 1);
    let past = get(&app, &format!("/schools?q={q}&per_page=2&page=9")).await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
    assert!(past.content_type().starts_with("text/html"));
    assert!(past.body.contains("past the last page"), "{}", past.body);
}

#[tokio::test]
async fn schools_page_is_paged_with_both_groups_where_they_meet() {
    let app = test_app();
    let q = enc("收费标准");
    let page = get(&app, &format!("/schools?q={q}&per_page=2&page=2")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<strong id=\"matched-count\">3</strong>"),
        "totals, not the page"
    );
    assert!(
        page.body.contains("<h2>提到的学校</h2>") && page.body.contains("<h2>没有提到的学校</h2>")
    );
    assert!(page.body.contains("本页第 3–4 行"), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "href=\"/schools?q={q}&amp;page=3&amp;per_page=2\""
        )),
        "a link to the next page: {}",
        page.body
    );
    let first = get(&app, &format!("/schools?q={q}&per_page=2")).await;
    assert!(first.body.contains("<h2>提到的学校</h2>"));
    assert!(
        !first.body.contains("<h2>没有提到的学校</h2>"),
        "the next page's group"
    );
}

#[tokio::test]
async fn a_broad_question_over_the_whole_registry_is_paged_and_streamed() {
    let archive = xxgk_app::stores::archive::Archive::open_in_memory().expect("archive");
    let state = AppState::new(engine()).with_archive(std::sync::Arc::new(
        xxgk_app::stores::archive::Reader::new(archive),
    ));
    let app = app(state.clone());
    let q = enc("信息公开");
    let page = get(&app, &format!("/schools?q={q}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.body.matches("class=\"school\"").count();
    assert_eq!(rows, 100, "rows on a page");
    assert!(
        page.body.len() < 150_000,
        "a page is {} bytes",
        page.body.len()
    );
    let v = get(&app, &format!("/api/schools?q={q}&per_page=500"))
        .await
        .json();
    let total = v["total"].as_u64().unwrap_or(0) as usize;
    assert!(total > 2600, "every registry institution is a row: {total}");
    assert_eq!(v["pages"].as_u64(), Some(total.div_ceil(500) as u64));
    assert!(page
        .body
        .contains(&format!("共 {} 行", crate::render::count(total as u64))));
    let (matched, unmatched, no_report, _) =
        walk_school_pages(&app, &format!("/api/schools?q={q}&per_page=500")).await;
    assert_eq!(matched.len() + unmatched.len() + no_report.len(), total);

    // The download streams every row: header + one row per school, as the CLI prints.
    let csv = get(&app, &format!("/schools.csv?q={q}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    let answer = crate::schools::schools_answer(
        &state,
        SearchParams {
            q: "信息公开".into(),
            ..SearchParams::default()
        }
        .to_schools_request(),
    )
    .await
    .expect("cached answer");
    assert_eq!(
        csv.body,
        format!("\u{feff}{}", crate::export::schools_csv(&answer))
    );
    let mut reader = csv::Reader::from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        crate::export::SCHOOLS_CSV_HEADER
    );
    let names: Vec<String> = reader
        .records()
        .map(|r| r.expect("row")[0].to_string())
        .collect();
    assert_eq!(
        names,
        [matched, unmatched, no_report].concat(),
        "CSV rows = the pages' rows"
    );
    // One answer computed for the page, every JSON page, the download and the call.
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Schools), 1);
}

#[tokio::test]
async fn heavy_answers_are_recomputed_after_a_new_index_generation() {
    let state = AppState::new(engine());
    let app = app(state.clone());
    let q = enc("收费标准");
    let before = get(&app, &format!("/api/schools?q={q}")).await.json();
    assert_eq!(before["totals"]["matched"], 3);
    let _ = get(&app, &format!("/schools.csv?q={q}")).await;
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Schools), 1);
    let generation = state.app().engine().generation();

    // An import commits: the reader's next generation holds a fourth matching school.
    let mut extra = corpus()[0].clone();
    extra.school = "辛大学".into();
    extra.url = "https://xxgk.example.edu.cn/xin/2021.htm".into();
    extra.id = Report::id_for_url(&extra.url);
    let mut w = state.app().engine().writer(1).expect("writer");
    w.upsert(&extra).expect("upsert");
    w.commit().expect("commit");
    // Merges done, so the segments stay what the answers below are computed from.
    w.finish().expect("merges");
    state.app().engine().reload().expect("reload");
    assert_ne!(state.app().engine().generation(), generation);

    let after = get(&app, &format!("/api/schools?q={q}")).await.json();
    assert_eq!(after["totals"]["matched"], 4, "{after}");
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Schools), 2);
    let csv = get(&app, &format!("/schools.csv?q={q}")).await;
    assert!(csv.body.contains("辛大学"));
    assert_eq!(
        state.app().computed(xxgk_app::CachedKind::Schools),
        2,
        "the new answer is cached again"
    );
}

/// A GET with request headers; the body as bytes (it may be compressed).
async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> (HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20)
        .await
        .expect("body");
    (headers, bytes.to_vec())
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn issue_11_answers_are_compressed_only_for_clients_that_accept_it() {
    use std::io::Read;
    let app = test_app();
    let uri = format!("/?q={}", enc("收费标准"));
    let (plain_headers, plain) = get_with(&app, &uri, &[]).await;
    assert_eq!(header_str(&plain_headers, header::CONTENT_ENCODING), "");
    let plain = String::from_utf8(plain).expect("plain HTML");
    assert!(plain.contains("<mark>收费标准</mark>"));
    assert!(header_str(&plain_headers, header::VARY)
        .to_ascii_lowercase()
        .contains("accept-encoding"));

    let (headers, gzipped) = get_with(&app, &uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header_str(&headers, header::CONTENT_ENCODING), "gzip");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_string(&mut unzipped)
        .expect("gzip");
    assert_eq!(unzipped, plain, "the same page, compressed");
    assert!(
        gzipped.len() * 2 < plain.len(),
        "{} of {}",
        gzipped.len(),
        plain.len()
    );

    let (headers, br) = get_with(&app, &uri, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(header_str(&headers, header::CONTENT_ENCODING), "br");
    let mut unbr = String::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_string(&mut unbr)
        .expect("brotli");
    assert_eq!(unbr, plain);

    // The stylesheet and the JSON API too; a client that refuses both gets plain text.
    for uri in ["/assets/style.css", "/api/search?q=%E5%85%AC%E5%BC%80"] {
        let (headers, _) = get_with(&app, uri, &[("accept-encoding", "gzip")]).await;
        assert_eq!(
            header_str(&headers, header::CONTENT_ENCODING),
            "gzip",
            "{uri}"
        );
    }
    let (headers, body) = get_with(&app, &uri, &[("accept-encoding", "identity")]).await;
    assert_eq!(header_str(&headers, header::CONTENT_ENCODING), "");
    assert_eq!(String::from_utf8(body).expect("plain"), plain);
}

/// Whether `robots` lets any crawler fetch `path`: the longest matching rule wins, `Allow`
/// on a tie; `*` matches any run of characters (Google's and RFC 9309's reading).
fn robots_allows(robots: &str, path: &str) -> bool {
    fn matches(pattern: &str, path: &str) -> bool {
        let (pattern, anchored) = match pattern.strip_suffix('$') {
            Some(p) => (p, true),
            None => (pattern, false),
        };
        let mut parts = pattern.split('*');
        let first = parts.next().unwrap_or("");
        let Some(mut rest) = path.strip_prefix(first) else {
            return false;
        };
        let parts: Vec<&str> = parts.collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let found = if last && anchored {
                rest.ends_with(part).then(|| rest.len() - part.len())
            } else {
                rest.find(part)
            };
            match found {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        !anchored || rest.is_empty() || (parts.is_empty() && rest.is_empty())
    }
    let mut best: Option<(usize, bool)> = None;
    for line in robots.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let (allow, pattern) = if let Some(p) = line.strip_prefix("Allow:") {
            (true, p.trim())
        } else if let Some(p) = line.strip_prefix("Disallow:") {
            (false, p.trim())
        } else {
            continue;
        };
        if !pattern.is_empty() && matches(pattern, path) {
            let better = match best {
                None => true,
                Some((len, was_allow)) => {
                    pattern.len() > len || (pattern.len() == len && allow && !was_allow)
                }
            };
            if better {
                best = Some((pattern.len(), allow));
            }
        }
    }
    best.is_none_or(|(_, allow)| allow)
}

#[tokio::test]
async fn issue_11_robots_txt_opens_the_pages_and_closes_the_api_downloads_and_feeds() {
    let app = test_app();
    let robots = get(&app, "/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(robots.content_type().starts_with("text/plain"));
    // Every line is a comment or a directive crawlers know, for all of them.
    let mut groups = 0;
    for line in robots.body.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(':').expect("a directive");
        match key {
            "User-agent" => {
                assert_eq!(value.trim(), "*");
                groups += 1;
            }
            "Allow" | "Disallow" => assert!(value.trim().starts_with('/'), "{line}"),
            _ => panic!("unknown directive {line:?}"),
        }
    }
    assert_eq!(groups, 1);
    for open in [
        "/",
        "/?q=%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86",
        "/reports/c5b4cdddb055afe4?q=x",
        "/about",
        "/checklist",
        "/coverage",
        "/changes",
        "/sources",
        "/assets/style.css",
    ] {
        assert!(robots_allows(&robots.body, open), "{open} should be open");
    }
    for closed in [
        "/api/search?q=x",
        "/api/coverage",
        "/schools?q=x",
        "/schools.csv?q=x",
        "/coverage.csv",
        "/checklist.csv?layout=long",
        "/coverage?page=2",
        "/checklist?order=reverse",
        "/feed?q=x",
        "/changes.atom",
        "/compare?schools=a",
        "/reports/c5b4cdddb055afe4/versions",
    ] {
        assert!(
            !robots_allows(&robots.body, closed),
            "{closed} should be closed"
        );
    }
}

/// The `content` of a page's `<meta name="description">`, entity-decoded (one, or panics).
fn meta_description(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("head meta[name=description]").expect("selector");
    let metas: Vec<_> = doc.select(&sel).collect();
    assert_eq!(metas.len(), 1, "one meta description");
    metas[0].value().attr("content").unwrap_or("").to_string()
}

#[tokio::test]
async fn issue_11_every_page_describes_itself_in_a_meta_description() {
    let app = test_app();
    let r = &corpus()[0];
    let pages = [
        "/".to_string(),
        format!("/?q={}", enc("收费标准")),
        format!("/?year={}", enc("2021-2022")),
        format!("/reports/{}", r.id),
        format!("/reports/{}?q={}", r.id, enc("依申请公开")),
        "/schools".to_string(),
        format!("/schools?q={}", enc("收费标准")),
        "/about".to_string(),
        "/checklist".to_string(),
        "/coverage".to_string(),
        "/changes".to_string(),
        "/compare".to_string(),
        "/nope".to_string(),
    ];
    let mut seen = std::collections::BTreeMap::new();
    for uri in &pages {
        let page = get(&app, uri).await;
        assert!(page.content_type().starts_with("text/html"), "{uri}");
        assert!(page.body.contains("<html lang=\"zh-CN\">"), "{uri}");
        let description = meta_description(&page.body);
        assert!(
            description.chars().count() >= 15 && description.chars().count() <= 160,
            "{uri}: {description:?}"
        );
        if let Some(other) = seen.insert(description.clone(), uri.clone()) {
            panic!("{uri} and {other} share the description {description:?}");
        }
    }
    // The search and report pages say what was asked and found.
    let search = get(&app, &format!("/?q={}", enc("收费标准"))).await;
    let d = meta_description(&search.body);
    assert!(d.contains("收费标准") && d.contains("共 3 条结果"), "{d}");
    assert!(search.body.contains("<strong id=\"total\">3</strong>"));
    let report = meta_description(&get(&app, &format!("/reports/{}", r.id)).await.body);
    assert!(
        report.contains(&r.title) && report.contains("3 个栏目"),
        "{report}"
    );

    // Escaped: markup in the query or a school's name is text inside the attribute.
    let evil = "\"><script>alert(1)</script>";
    let page = get(&app, &format!("/?q={}", enc(evil))).await;
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(meta_description(&page.body).contains(evil));
    let xss = corpus()
        .into_iter()
        .find(|r| r.school == XSS_SCHOOL)
        .expect("the XSS school");
    let page = get(&app, &format!("/reports/{}", xss.id)).await;
    assert!(!page.body.contains("<i>丁</i>"));
    assert!(meta_description(&page.body).contains(XSS_SCHOOL));
}

#[tokio::test]
async fn issue_11_every_form_control_has_a_label_and_links_carry_only_allowed_aria() {
    let app = test_app();
    let r = &corpus()[0];
    let pages = [
        "/".to_string(),
        format!("/?q={}&year={}", enc("公开"), enc("2021-2022")),
        format!("/reports/{}?q={}", r.id, enc("公开")),
        format!("/schools?q={}", enc("公开")),
        "/about".to_string(),
        "/checklist".to_string(),
        "/coverage".to_string(),
        "/compare".to_string(),
        "/changes".to_string(),
    ];
    let controls =
        scraper::Selector::parse("input:not([type=hidden]):not([type=submit]), select, textarea")
            .expect("selector");
    let labels = scraper::Selector::parse("label[for]").expect("selector");
    let links = scraper::Selector::parse("a").expect("selector");
    let headings = scraper::Selector::parse("h1, h2, h3, h4, h5, h6").expect("selector");
    let mut checked = 0;
    for uri in &pages {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let doc = scraper::Html::parse_document(&page.body);
        let label_for: Vec<&str> = doc
            .select(&labels)
            .filter_map(|l| l.value().attr("for"))
            .collect();
        for control in doc.select(&controls) {
            let el = control.value();
            let named = el.attr("aria-label").is_some_and(|l| !l.trim().is_empty())
                || el.attr("id").is_some_and(|id| label_for.contains(&id))
                || control
                    .ancestors()
                    .filter_map(scraper::ElementRef::wrap)
                    .any(|a| a.value().name() == "label");
            assert!(
                named,
                "{uri}: a control without a label: {}",
                control.html()
            );
            checked += 1;
        }
        // aria-pressed belongs to buttons; a link says "chosen" with aria-current.
        for a in doc.select(&links) {
            assert!(
                a.value().attr("aria-pressed").is_none(),
                "{uri}: {}",
                a.html()
            );
            if let Some(current) = a.value().attr("aria-current") {
                assert!(["page", "true"].contains(&current), "{uri}: {}", a.html());
            }
        }
        // Headings never skip a level on the way down.
        let mut last = 1;
        for h in doc.select(&headings) {
            let level: u32 = h.value().name()[1..].parse().expect("h1–h6");
            assert!(level <= last + 1, "{uri}: h{last} then {}", h.html());
            last = level;
        }
    }
    assert!(checked >= 5, "only {checked} controls seen");
    // The chosen facet value is marked for assistive technology, the others not.
    let page = get(&app, &format!("/?year={}", enc("2021-2022"))).await;
    assert!(page
        .body
        .contains("aria-current=\"true\"><span class=\"name\">2021-2022"));
}

/// Issue 18: a filter value the data has never heard of is a 400 with a Chinese message
/// on the API and the page (`/api/schools?year=abc` used to answer 200 with every school
/// "not found"); school names are folded (乙大学 finds 乙大學).
#[tokio::test]
async fn issue_18_bad_filters_are_400_and_school_names_are_folded() {
    let app = test_app();
    for (query, expect) in [
        ("year=abc", "abc"),
        ("year=2020-2022", "2020-2022"),
        // Well formed, but no report covers it: the message names the years held.
        ("year=2030-2031", "2020-2021"),
        (
            "school=%E4%B8%8D%E5%AD%98%E5%9C%A8%E5%A4%A7%E5%AD%A6",
            "不存在大学",
        ),
    ] {
        let api = get(&app, &format!("/api/schools?q={}&{query}", enc("收费"))).await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST, "{query}: {}", api.body);
        assert_eq!(api.error_code(), "bad_request");
        let message = api.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains(expect), "{query}: {message}");
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "in Chinese: {message}"
        );
        let page = get(&app, &format!("/schools?q={}&{query}", enc("收费"))).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(expect), "{query}");
        let csv = get(&app, &format!("/schools.csv?q={}&{query}", enc("收费"))).await;
        assert_eq!(csv.status, StatusCode::BAD_REQUEST, "{query}");
        let search = get(&app, &format!("/api/search?q={}&{query}", enc("收费"))).await;
        assert_eq!(search.status, StatusCode::BAD_REQUEST, "search {query}");
    }
    let folded = get(
        &app,
        &format!("/api/schools?q={}&school={}", enc("收费"), enc("乙大学")),
    )
    .await;
    assert_eq!(folded.status, StatusCode::OK, "{}", folded.body);
    assert!(folded.body.contains("乙大學"), "{}", folded.body);
    let search = get(
        &app,
        &format!("/api/search?q={}&school={}", enc("收费"), enc("乙大学")),
    )
    .await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.body);
}
