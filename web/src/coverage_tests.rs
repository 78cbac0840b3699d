//! `/coverage`, `/coverage.csv`, `/api/coverage` and `/sources`.

use std::sync::Arc;

use crate::params::ROWS_PER_PAGE;
use axum::body::Body;
use axum::http::header;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use xxgk_app::stores::archive::sources::Source;
use xxgk_app::stores::archive::{
    Archive, DocRecord, DocState, FetchLogEntry, PageWork, QueueItem, Reader,
};
use xxgk_app::stores::index::{Engine, Report};
use xxgk_app::stores::model::PageRole;

use super::*;
use crate::app;

const PKU_START: &str = "https://xxgk.pku.edu.cn/";
const THU_START: &str = "https://xxgk.tsinghua.edu.cn/";

fn report(school: &str, year: &str, url: &str) -> Report {
    xxgk_testkit::report(school, year)
        .url(url)
        .title(&format!("{school}{year}学年信息公开工作年度报告"))
        .published("2020-10-30")
        .text("学校高度重视信息公开工作。")
        .build()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn fetched(body: &str) -> DocState {
    DocState::Fetched {
        etag: None,
        last_modified: None,
        content_type: Some("text/html".into()),
        encoding: Some("UTF-8".into()),
        body: body.as_bytes().to_vec(),
        text: None,
    }
}

/// The registry, two crawl sources and an imported report: 北京大学 was crawled and
/// holds its 2019-2020 report; 清华大学's start page timed out; 天津大学 has an
/// imported 2020-2021 report and no source.
fn archive() -> (Archive, Report) {
    let a = Archive::open_in_memory().expect("archive");
    for (name, start) in [("北京大学", PKU_START), ("清华大学", THU_START)] {
        a.put_source(&Source {
            name: name.into(),
            start: vec![start.into()],
            ..Source::default()
        })
        .expect("source");
        a.begin_run(name, "crawl", &[QueueItem::seed(start, 0, PageRole::Start)])
            .expect("run");
    }
    let pku = report(
        "北京大学",
        "2019-2020",
        "https://xxgk.pku.edu.cn/info/2020/1030.htm",
    );
    let log = |url: &str, status: Option<u16>, error: Option<&str>| FetchLogEntry {
        url: url.into(),
        at_ms: now_ms() + 5,
        status,
        error_kind: error.map(str::to_string),
        message: error.map(|e| format!("{e} after 30 s")),
        ..FetchLogEntry::default()
    };
    a.record_page(&PageWork {
        school: "北京大学".into(),
        frontier_url: PKU_START.into(),
        log: vec![log(PKU_START, Some(200), None)],
        docs: vec![DocRecord {
            url: PKU_START.into(),
            role: PageRole::Start,
            form: None,
            state: fetched("<a href=info/2020/1030.htm>年报</a>"),
        }],
        ..PageWork::default()
    })
    .expect("start page");
    a.record_page(&PageWork {
        school: "北京大学".into(),
        frontier_url: pku.url.clone(),
        log: vec![log(&pku.url, Some(200), None)],
        docs: vec![DocRecord {
            url: pku.url.clone(),
            role: PageRole::Report,
            form: None,
            state: fetched("<p>学校高度重视信息公开工作。</p>"),
        }],
        report: Some(pku.clone()),
        ..PageWork::default()
    })
    .expect("report page");
    a.record_page(&PageWork {
        school: "清华大学".into(),
        frontier_url: THU_START.into(),
        log: vec![
            log(THU_START, None, Some("timeout")),
            log("https://xxgk.tsinghua.edu.cn/admin/", None, Some("robots")),
        ],
        docs: vec![DocRecord {
            url: THU_START.into(),
            role: PageRole::Start,
            form: None,
            state: DocState::Failed,
        }],
        ..PageWork::default()
    })
    .expect("failed start page");
    a.finish_run("北京大学").expect("finish");
    a.finish_run("清华大学").expect("finish");
    a.put_report(&report(
        "天津大学",
        "2020-2021",
        "https://xxgk.tju.edu.cn/2021.htm",
    ))
    .expect("import");
    (a, pku)
}

fn state_with_archive() -> (AppState, Report) {
    let (a, pku) = archive();
    let engine = Engine::create_in_ram().expect("ram index");
    let state = AppState::new(engine).with_archive(Arc::new(Reader::new(a)));
    (state, pku)
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Asserts the API error shape and returns the code.
    fn error_code(&self) -> String {
        assert!(self.content_type.starts_with("application/json"));
        let v = self.json();
        assert!(
            !v["error"]["message"].as_str().unwrap_or("").is_empty(),
            "{v}"
        );
        v["error"]["code"].as_str().unwrap_or("").to_string()
    }

    /// The rows of the matrix: the text of each row's first `<td class="…">` of `class`.
    fn column(&self, class: &str) -> Vec<String> {
        let open = format!("<td class=\"{class}\">");
        self.body
            .split("<tbody>")
            .nth(1)
            .unwrap_or("")
            .split("</tbody>")
            .next()
            .unwrap_or("")
            .split(&open)
            .skip(1)
            .filter_map(|s| s.split("</td>").next())
            .map(str::to_string)
            .collect()
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    let req = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .expect("body");
    Answer {
        status,
        content_type,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn coverage_page_shows_the_legend_and_links_cells_to_their_evidence() {
    let (state, pku) = state_with_archive();
    let app = app(state);
    let page = get(&app, &format!("/coverage?province={}", enc("北京"))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.content_type.starts_with("text/html"));
    for class in [
        "cov-archived",
        "cov-not_found",
        "cov-unreachable",
        "cov-not_crawled",
    ] {
        assert!(
            page.body.contains(&format!("cov-mark {class}")),
            "{class} missing"
        );
    }
    assert!(page
        .body
        .contains("href=\"/coverage\" aria-current=\"page\""));
    // 北京大学 2019-2020: archived, linked to its report.
    assert!(
        page.body.contains(&format!(
            "<a class=\"cov-mark cov-archived\" href=\"/reports/{}\"",
            pku.id
        )),
        "{}",
        page.body
    );
    // Its other years: crawled, none found; 清华大学: unreachable. Both link to the source.
    let pku_anchor = source_href("北京大学");
    assert!(page.body.contains(&format!(
        "<a class=\"cov-mark cov-not_found\" href=\"{pku_anchor}\""
    )));
    let thu = source_href("清华大学");
    assert!(page.body.contains(&format!(
        "<a class=\"cov-mark cov-unreachable\" href=\"{thu}\""
    )));
    assert!(
        page.body.contains("抓取失败：超时"),
        "the detail says why, in Chinese"
    );
    // Totals at the top and a per-province table.
    assert!(page
        .body
        .contains("<strong data-status=\"archived\">1</strong>"));
    assert!(page.body.contains("<table class=\"cov-provinces\">"));
}

#[tokio::test]
async fn coverage_filters_narrow_the_rows() {
    let (state, _) = state_with_archive();
    let app = app(state);
    let beijing = get(&app, &format!("/coverage?province={}", enc("北京"))).await;
    let provinces = beijing.column("province");
    // Beijing has more institutions than a page holds: a full page, all of them there.
    assert_eq!(provinces.len(), super::PAGE_ROWS);
    assert!(provinces.iter().all(|p| p == "北京市"), "{provinces:?}");
    // The province stays chosen in the form, among all provinces in the registry's
    // order (北京 11, 天津 12, 辽宁 21, 吉林 22 … 新疆 65).
    assert!(beijing
        .body
        .contains("<option value=\"北京\" selected>北京</option>"));
    let at = |p: &str| {
        beijing
            .body
            .find(&format!("<option value=\"{p}\""))
            .unwrap_or_else(|| panic!("{p} not offered"))
    };
    assert!(at("北京") < at("天津") && at("天津") < at("辽宁") && at("辽宁") < at("吉林"));
    assert!(at("吉林") < at("新疆"));

    let sourced = get(&app, "/coverage?in_sources=1").await;
    let mut names: Vec<String> = sourced
        .body
        .split("<th class=\"school\" scope=\"row\" title=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect();
    names.sort();
    assert_eq!(names, ["北京大学", "清华大学"]);

    let json = get(
        &app,
        &format!(
            "/api/coverage?province={}&level={}",
            enc("天津"),
            enc("本科")
        ),
    )
    .await
    .json();
    let schools = json["schools"].as_array().expect("schools");
    assert!(!schools.is_empty());
    assert!(schools
        .iter()
        .all(|s| s["province"] == "天津市" && s["level"] == "本科"));
    let tju = schools
        .iter()
        .find(|s| s["name"] == "天津大学")
        .expect("天津大学");
    assert_eq!(tju["years"]["2020-2021"]["status"], "archived");
    assert_eq!(tju["in_sources"], false);
}

#[tokio::test]
async fn coverage_api_takes_one_year_and_rejects_bad_values() {
    let (state, pku) = state_with_archive();
    let app = app(state);
    let one = get(&app, "/api/coverage?year=2019-2020").await;
    assert_eq!(one.status, StatusCode::OK);
    let v = one.json();
    assert_eq!(v["years"], serde_json::json!(["2019-2020"]));
    let schools = v["schools"].as_array().expect("schools");
    assert_eq!(schools.len(), ROWS_PER_PAGE, "a page of the registry");
    assert!(
        v["total"].as_u64().unwrap_or(0) > 2000,
        "the whole registry"
    );
    let pku_cell = &schools
        .iter()
        .find(|s| s["name"] == "北京大学")
        .expect("北京大学")["years"]["2019-2020"];
    assert_eq!(pku_cell["status"], "archived");
    assert_eq!(pku_cell["reports"][0]["report_id"], pku.id.as_str());
    assert_eq!(v["totals"]["archived"], 1);

    for bad in [
        "year=2019",
        "year=2019-2021",
        &format!("level={}", enc("硕士")),
        "in_sources=maybe",
        "page=0",
        "per_page=501",
        "page=1000",
    ] {
        let answer = get(&app, &format!("/api/coverage?{bad}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.error_code(), "bad_request", "{bad}");
    }
    let csv = get(&app, "/coverage.csv?year=2019").await;
    assert_eq!(csv.status, StatusCode::BAD_REQUEST);
    assert_eq!(csv.error_code(), "bad_request");
    let page = get(&app, "/coverage?year=2019").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.content_type.starts_with("text/html"));
    assert!(
        page.body.contains("学年") && page.body.contains("2018-2019"),
        "the message says, in Chinese, what a year looks like: {}",
        page.body
    );
}

#[tokio::test]
async fn coverage_csv_has_a_bom_the_header_and_a_row_per_school_and_year() {
    let (state, pku) = state_with_archive();
    let app = app(state);
    let csv = get(&app, "/coverage.csv?in_sources=1").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    let body = csv.body.strip_prefix('\u{feff}').expect("BOM");
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("name,code,province,level,in_sources,year,status,report_ids,urls,detail")
    );
    let rows: Vec<&str> = lines.collect();
    let years = get(&app, "/api/coverage?in_sources=1").await.json()["years"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(rows.len(), 2 * years);
    let archived = rows
        .iter()
        .find(|r| r.contains(",archived,"))
        .expect("archived row");
    assert!(archived.starts_with("北京大学,4111010001,北京市,本科,yes,2019-2020,archived,"));
    assert!(archived.contains(&pku.id) && archived.contains(&pku.url));
    assert!(rows
        .iter()
        .any(|r| r.starts_with("清华大学,") && r.contains(",unreachable,")));
}

/// The whole matrix without filters, and the cache's count of computed matrices.
async fn state_cov(state: &AppState) -> (Arc<Coverage>, u64) {
    let params = CoverageParams::try_from(RawCoverage::default()).expect("defaults");
    let cov = coverage(state, &params)
        .await
        .expect("ok")
        .expect("archive");
    (cov, state.app().computed(xxgk_app::CachedKind::Coverage))
}

#[tokio::test]
async fn coverage_is_recomputed_when_an_import_commits_to_the_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("archive.sqlite");
    let writer = Archive::open(&path).expect("archive");
    writer
        .put_report(&report(
            "天津大学",
            "2020-2021",
            "https://xxgk.tju.edu.cn/2021.htm",
        ))
        .expect("import");
    let state = AppState::new(Engine::create_in_ram().expect("ram index"))
        .with_archive(Arc::new(Reader::open(&path).expect("reader")));
    let app = app(state.clone());
    let archived = |v: &Value| v["totals"]["archived"].as_u64();
    let uri = "/api/coverage?year=2020-2021";
    assert_eq!(archived(&get(&app, uri).await.json()), Some(1));
    assert_eq!(archived(&get(&app, uri).await.json()), Some(1));
    assert_eq!(
        state.app().computed(xxgk_app::CachedKind::Coverage),
        1,
        "unchanged: cached"
    );
    // Another connection (an import) commits: the next answer sees it.
    writer
        .put_report(&report(
            "南开大学",
            "2020-2021",
            "https://xxgk.nankai.edu.cn/2021.htm",
        ))
        .expect("import");
    assert_eq!(archived(&get(&app, uri).await.json()), Some(2));
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Coverage), 2);
    assert_eq!(archived(&get(&app, uri).await.json()), Some(2));
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Coverage), 2);
}

#[tokio::test]
async fn coverage_csv_streams_every_row_of_the_matrix() {
    let (state, _) = state_with_archive();
    let app = app(state.clone());
    let download = get(&app, "/coverage.csv").await;
    assert_eq!(download.status, StatusCode::OK);
    let (cov, computed) = state_cov(&state).await;
    assert_eq!(computed, 1, "the download and this call share one matrix");
    // Byte for byte what the CLI prints, over several streamed chunks.
    let whole = crate::export::coverage_csv(&cov);
    assert!(cov.schools.len() > 4 * crate::export::CSV_CHUNK_ROWS);
    assert_eq!(download.body, format!("\u{feff}{whole}"));
    let rows = download.body.lines().count() - 1;
    assert_eq!(rows, cov.schools.len() * cov.years.len());
}

#[tokio::test]
async fn coverage_pages_escape_every_reflected_parameter() {
    let (state, _) = state_with_archive();
    let app = app(state);
    let evil = "<script>alert(1)</script>";
    for key in ["province", "level", "year"] {
        let page = get(&app, &format!("/coverage?{key}={}", enc(evil))).await;
        assert!(!page.body.contains("<script>"), "{key}: {}", page.body);
        assert!(page.body.contains("&lt;script&gt;"), "{key} not shown");
    }
    // Issue 18: a province nobody knows is a 400 naming the known ones, not an empty
    // matrix.
    let page = get(&app, &format!("/coverage?province={}", enc(evil))).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("北京"), "{}", page.body);
    let api = get(&app, &format!("/api/coverage?province={}", enc("火星"))).await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert!(api.body.contains("火星"), "{}", api.body);
}

#[tokio::test]
async fn coverage_of_the_whole_registry_is_paged() {
    let (state, _) = state_with_archive();
    let app = app(state.clone());
    let first = get(&app, "/coverage").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.column("province").len(), super::PAGE_ROWS);
    assert!(first
        .body
        .contains("href=\"/coverage?page=2&amp;per_page=50\""));
    assert!(
        first.body.len() < 400_000,
        "a page is {} bytes",
        first.body.len()
    );
    let api = get(&app, "/api/coverage").await.json();
    let schools = api["total"].as_u64().unwrap_or(0) as usize;
    let last = schools.div_ceil(ROWS_PER_PAGE);
    assert_eq!(api["pages"].as_u64(), Some(last as u64));
    assert_eq!(api["next"], "/api/coverage?page=2");
    // The JSON's pages hold the whole matrix once, in order.
    let mut names: Vec<String> = Vec::new();
    let mut next = Some("/api/coverage?per_page=500".to_string());
    while let Some(uri) = next {
        let page = get(&app, &uri).await.json();
        assert!(page["schools"].as_array().map_or(0, Vec::len) <= 500);
        names.extend(
            page["schools"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str().map(String::from)),
        );
        next = page["next"].as_str().map(String::from);
    }
    let (whole, _) = state_cov(&state).await;
    let all: Vec<String> = whole.schools.iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, all);
    let end = get(
        &app,
        &format!("/coverage?page={last}&per_page={ROWS_PER_PAGE}"),
    )
    .await;
    assert_eq!(end.status, StatusCode::OK);
    assert_eq!(
        end.column("province").len(),
        schools - (last - 1) * ROWS_PER_PAGE
    );
    let past = get(
        &app,
        &format!("/coverage?page={}&per_page={ROWS_PER_PAGE}", last + 1),
    )
    .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn coverage_is_computed_once_per_filters_for_a_while() {
    let (state, _) = state_with_archive();
    let params = CoverageParams::try_from(RawCoverage {
        year: "2019-2020".into(),
        ..RawCoverage::default()
    })
    .expect("params");
    let a = coverage(&state, &params)
        .await
        .expect("ok")
        .expect("archive");
    let b = coverage(
        &state,
        &CoverageParams {
            paging: Paging {
                page: 3,
                per_page: 7,
            },
            ..params.clone()
        },
    )
    .await
    .expect("ok")
    .expect("archive");
    assert!(Arc::ptr_eq(&a, &b), "another page of the same matrix");
    let other = CoverageParams {
        in_sources: true,
        ..params
    };
    let c = coverage(&state, &other)
        .await
        .expect("ok")
        .expect("archive");
    assert!(!Arc::ptr_eq(&a, &c));
}

/// Issue 19: a source whose start page was reached and where no report was found shows
/// what was fetched, by kind, and each candidate with the reasons it was not a report.
#[tokio::test]
async fn sources_page_says_what_was_fetched_where_nothing_was_found() {
    use xxgk_app::stores::archive::Judgment;
    let (a, _) = archive();
    let start = "https://xxgk.nankai.edu.cn/";
    a.put_source(&Source {
        name: "南开大学".into(),
        start: vec![start.into()],
        ..Source::default()
    })
    .expect("source");
    a.begin_run(
        "南开大学",
        "crawl",
        &[QueueItem::seed(start, 0, PageRole::Start)],
    )
    .expect("run");
    let judged = |url: &str, role: PageRole, kind: &str, title: &str, reasons: &[&str]| PageWork {
        school: "南开大学".into(),
        frontier_url: url.into(),
        log: vec![FetchLogEntry {
            url: url.into(),
            at_ms: now_ms() + 5,
            status: Some(200),
            ..FetchLogEntry::default()
        }],
        docs: vec![DocRecord {
            url: url.into(),
            role,
            form: None,
            state: fetched(url),
        }],
        judgment: Some(Judgment {
            kind: kind.into(),
            title: Some(title.into()),
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }),
        ..PageWork::default()
    };
    for w in [
        judged(start, PageRole::Start, "start", "南开大学信息公开网", &[]),
        judged(
            "https://xxgk.nankai.edu.cn/ndbg/",
            PageRole::List,
            "list",
            "年度报告",
            &["a list of 2 articles"],
        ),
        judged(
            "https://xxgk.nankai.edu.cn/ndbg/1.htm",
            PageRole::Report,
            "other",
            "信息公开工作报告",
            &[
                "the title names no year",
                "the text does not read like a report",
            ],
        ),
    ] {
        a.record_page(&w).expect("page");
    }
    a.finish_run("南开大学").expect("finish");
    let state = AppState::new(Engine::create_in_ram().expect("ram index"))
        .with_archive(Arc::new(Reader::new(a)));
    let page = get(&app(state), "/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("没有找到报告的来源：抓取了什么"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<strong>南开大学</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("列表页 1"), "{}", page.body);
    assert!(
        page.body
            .contains("the title names no year；the text does not read like a report"),
        "{}",
        page.body
    );
    // 北京大学 found its report: nothing to explain there.
    assert!(
        !page.body.contains("<strong>北京大学</strong>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn sources_page_lists_each_source_with_an_anchor_and_its_errors() {
    let (state, _) = state_with_archive();
    let app = app(state);
    let page = get(&app, "/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("href=\"/sources\" aria-current=\"page\""));
    assert!(
        page.body.contains("<tr id=\"source-北京大学\">"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<tr id=\"source-清华大学\" class=\"unreachable\">"));
    assert!(page.body.contains("4111010001"));
    assert!(page
        .body
        .contains("无法访问：<span title=\"timeout\">超时</span>"));
    assert!(
        page.body.contains("https://xxgk.tsinghua.edu.cn/admin/"),
        "robots-blocked URL"
    );
    // The coverage cells' links land on these anchors.
    assert_eq!(source_href("北京大学"), "/sources#source-北京大学");
    assert_eq!(source_anchor("A 学院"), "source-A_学院");
    assert_eq!(
        source_href("A&B\"学院#1"),
        "/sources#source-A%26B%22学院%231"
    );
}

#[tokio::test]
async fn coverage_without_an_archive_says_so() {
    let app = app(AppState::new(Engine::create_in_ram().expect("ram index")));
    for path in ["/coverage", "/sources"] {
        let page = get(&app, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("id=\"no-archive\""), "{path}");
    }
    let api = get(&app, "/api/coverage").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), "not_found");
    assert_eq!(
        get(&app, "/api/coverage?year=2019").await.status,
        StatusCode::BAD_REQUEST,
        "parameters are checked first"
    );
}
