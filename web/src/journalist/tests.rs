//! Router tests of the journalist pages (oneshot, no socket): the checklist matrix and its
//! downloads, compare, versions with a diff, changes, and both Atom feeds parsed back.

use std::sync::Arc;

use atom_syndication::Feed;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use xxgk_app::stores::index::{Engine, Report, Script, SectionId};

use super::{ChangeKind, ReportChange};
use crate::{app, AppState, ReadArchive, ReportVersion};
use xxgk_app::stores::archive::Result as ArchiveResult;

const XSS: &str = "<i>丁</i>学院";

fn report(school: &str, year: &str, script: Script, sections: &[(SectionId, &str)]) -> Report {
    let builder = xxgk_testkit::report(school, year)
        .url(&format!("https://xxgk.example.edu.cn/{school}/{year}.htm"))
        .title(&format!("{school}{year}学年信息公开工作年度报告"))
        .published(&format!("{}-10-28", &year[5..]))
        .script(script);
    sections
        .iter()
        .fold(builder, |b, (id, t)| b.section(*id, id.label(), t))
        .build()
}

fn corpus() -> Vec<Report> {
    let mut jia = report(
        "甲大学",
        "2020-2021",
        Script::Simplified,
        &[
            (
                SectionId::Overview,
                "学校修订了信息公开目录和信息公开指南。",
            ),
            (
                SectionId::Proactive,
                "学校公布了学费、住宿费收费标准，以及本科招生章程和招生计划。",
            ),
            (SectionId::OnRequest, "本学年收到依申请公开3件。"),
        ],
    );
    jia.province = Some("湖南".into());
    jia.kind = Some("大学".into());
    let mut jia_old = report(
        "甲大学",
        "2019-2020",
        Script::Simplified,
        &[(SectionId::Proactive, "学校公开了学术委员会年度报告。")],
    );
    jia_old.province = Some("湖南".into());
    let mut yi = report(
        "乙學院",
        "2020-2021",
        Script::Traditional,
        &[(SectionId::Proactive, "學院公布了收費標準和學生申訴辦法。")],
    );
    yi.province = Some("廣東".into());
    yi.kind = Some("学院".into());
    let xss = report(
        XSS,
        "2020-2021",
        Script::Simplified,
        &[(
            SectionId::Other,
            "<script>alert(1)</script>学籍管理办法已公开。",
        )],
    );
    vec![jia, jia_old, yi, xss]
}

fn engine() -> Engine {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    for r in corpus() {
        w.upsert(&r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    engine
}

/// Two stored versions of 甲大学's 2020-2021 report: the first said 收费标准, the second
/// no longer does and reports 5 requests instead of 3. 乙學院's page is gone.
struct FakeArchive {
    versions: Vec<(ReportVersion, Report)>,
}

fn jia_id() -> String {
    corpus()[0].id.clone()
}

impl FakeArchive {
    fn new() -> FakeArchive {
        let new = corpus().remove(0);
        let mut old = new.clone();
        old.sections[1].text =
            "学校公布了学费、住宿费收费标准，以及本科招生章程和招生计划。".into();
        let mut new = new;
        new.sections[1].text = "学校公布了本科招生章程和招生计划。".into();
        new.sections[2].text = "本学年收到依申请公开5件。".into();
        let v = |hash: char, day: u32| ReportVersion {
            hash: hash.to_string().repeat(64),
            first_fetched: format!("2021-11-{day:02}T08:00:00.000Z"),
            last_seen: format!("2021-11-{day:02}T08:00:00.000Z"),
            bytes: 1000,
        };
        FakeArchive {
            versions: vec![(v('a', 1), old), (v('b', 20), new)],
        }
    }
}

impl ReadArchive for FakeArchive {
    fn report_history(&self, report_id: &str) -> ArchiveResult<Vec<ReportVersion>> {
        Ok(if report_id == jia_id() {
            self.versions.iter().map(|(v, _)| v.clone()).collect()
        } else {
            Vec::new()
        })
    }

    fn last_crawl(&self) -> ArchiveResult<Option<String>> {
        Ok(None)
    }

    fn report_at_version(&self, report_id: &str, hash: &str) -> ArchiveResult<Option<Report>> {
        Ok(self
            .versions
            .iter()
            .find(|(v, r)| v.hash == hash && r.id == report_id)
            .map(|(_, r)| r.clone()))
    }

    fn changes(&self, since: Option<&str>, limit: usize) -> ArchiveResult<Vec<ReportChange>> {
        let all = vec![
            ReportChange {
                report_id: corpus()[2].id.clone(),
                school: "乙學院".into(),
                year: Some("2020-2021".into()),
                title: corpus()[2].title.clone(),
                url: corpus()[2].url.clone(),
                kind: ChangeKind::Gone,
                at: "2021-12-01T08:00:00.000Z".into(),
                first_seen: "2021-11-01T08:00:00.000Z".into(),
                versions: 1,
            },
            ReportChange {
                report_id: jia_id(),
                school: "甲大学".into(),
                year: Some("2020-2021".into()),
                title: corpus()[0].title.clone(),
                url: corpus()[0].url.clone(),
                kind: ChangeKind::Edited,
                at: "2021-11-20T08:00:00.000Z".into(),
                first_seen: "2021-11-01T08:00:00.000Z".into(),
                versions: 2,
            },
        ];
        Ok(all
            .into_iter()
            .filter(|c| since.is_none_or(|s| c.at.as_str() >= s))
            .take(limit)
            .collect())
    }

    // Coverage and health come from a real, empty archive (the registry only).
    fn coverage(
        &self,
        req: &xxgk_app::stores::archive::CoverageRequest,
    ) -> ArchiveResult<xxgk_app::stores::archive::Coverage> {
        xxgk_app::stores::archive::Archive::open_in_memory()?.coverage(req)
    }

    fn no_report(
        &self,
        years: &[String],
        schools: &[String],
        filter: &xxgk_app::stores::archive::InstitutionFilter,
    ) -> ArchiveResult<Vec<xxgk_app::stores::archive::NoReport>> {
        xxgk_app::stores::archive::Archive::open_in_memory()?.no_report(years, schools, filter)
    }

    fn crawl_health(&self) -> ArchiveResult<Vec<xxgk_app::stores::archive::SourceHealth>> {
        Ok(Vec::new())
    }
}

fn plain_app() -> Router {
    app(AppState::new(engine()))
}

fn archive_app() -> Router {
    app(AppState::new(engine()).with_archive(Arc::new(FakeArchive::new())))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn content_type(&self) -> String {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    fn feed(&self) -> Feed {
        assert!(
            self.content_type().starts_with("application/atom+xml"),
            "{}",
            self.content_type()
        );
        Feed::read_from(self.body.as_bytes())
            .unwrap_or_else(|e| panic!("not Atom ({e}): {}", self.body))
    }
}

/// Percent-encodes a query value.
fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn get(app: &Router, uri: &str) -> Answer {
    get_with(app, uri, None).await
}

async fn get_with(app: &Router, uri: &str, host: Option<&str>) -> Answer {
    let mut req = Request::builder().uri(uri);
    if let Some(h) = host {
        req = req.header(header::HOST, h);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
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

#[tokio::test]
async fn checklist_page_shows_the_matrix_with_evidence_links_and_item_views() {
    let app = plain_app();
    let a = get(&app, "/checklist").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.content_type().starts_with("text/html"));
    // Newest year; three schools, the escaped one as text.
    assert!(a.body.contains("2020-2021"), "{}", a.body);
    assert!(
        a.body.contains("<strong id=\"school-count\">3</strong>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("&lt;i&gt;丁&lt;/i&gt;学院"));
    assert!(!a.body.contains("<i>丁</i>") && !a.body.contains("<script>alert"));
    // 甲 mentions items 6, 7, 21: sorted first, with 3 / 50.
    let jia = a.body.find("甲大学").expect("甲");
    let yi = a.body.find("乙學院").expect("乙");
    assert!(jia < yi, "sorted by coverage");
    // A mentioned cell links to its evidence: the report, the item's query, the section.
    let fees = &xxgk_app::stores::index::checklist::item(21)
        .expect("item")
        .query;
    let evidence = format!(
        "/reports/{}?q={}#proactive",
        jia_id(),
        enc(fees).replace('+', "%20")
    );
    let evidence_form = format!("/reports/{}?q={}#proactive", jia_id(), enc(fees));
    let body = a.body.replace("&amp;", "&").replace("&quot;", "\"");
    assert!(
        body.contains(&evidence) || body.contains(&evidence_form),
        "no evidence link {evidence_form} in page"
    );
    // Every item's column header links to the "which schools" view of its query.
    for it in xxgk_app::stores::index::checklist::items() {
        let link = format!("/schools?year=2020-2021&q={}", enc(&it.query));
        assert!(
            body.contains(&link),
            "item {} header link {link}",
            it.number
        );
    }
    // Per-item coverage: item 21 is mentioned by 甲 and 乙.
    assert!(
        body.contains("收费标准：2 所学校提到"),
        "coverage of item 21"
    );
}

#[tokio::test]
async fn checklist_filters_sorts_and_pages_and_rejects_bad_parameters() {
    let app = plain_app();
    let a = get(&app, &format!("/checklist?province={}", enc("湖南"))).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("<strong id=\"school-count\">1</strong>"));
    assert!(a.body.contains("甲大学") && !a.body.contains("乙學院</a>"));
    let a = get(&app, &format!("/checklist?kind={}", enc("学院"))).await;
    assert!(a.body.contains("<strong id=\"school-count\">1</strong>"));
    assert!(a.body.contains("乙學院</a>"));
    // Sorting by item 36 (学籍管理) puts the only school mentioning it first.
    let a = get(&app, "/checklist?sort=item:36").await;
    let xss = a.body.find("&lt;i&gt;丁").expect("丁");
    let jia = a
        .body
        .find("title=\"与其他学校或其他年度对比\">甲大学")
        .expect("甲");
    assert!(xss < jia, "item sort");
    let a = get(&app, "/checklist?year=2019-2020").await;
    assert!(a.body.contains("<strong id=\"school-count\">1</strong>"));
    for (uri, needle) in [
        ("/checklist?sort=popularity", "unknown sort"),
        ("/checklist?sort=item:51", "unknown sort"),
        ("/checklist?order=up", "unknown order"),
        ("/checklist?page=0", "page must be"),
        ("/checklist?page=2", "past the last page"),
        ("/checklist?year=1999-2000", "没有 1999-2000 年度的报告"),
        ("/checklist.csv?layout=tall", "unknown layout"),
        ("/api/checklist?year=1999-2000", "没有 1999-2000 年度的报告"),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.body);
        assert!(a.body.contains(needle), "{uri}: {}", a.body);
    }
}

#[tokio::test]
async fn checklist_downloads_as_csv_and_json() {
    let app = plain_app();
    let a = get(&app, "/checklist.csv").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.content_type().starts_with("text/csv"));
    assert!(a.body.starts_with('\u{feff}'));
    let mut r = csv::Reader::from_reader(a.body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header.len(), 6 + 50);
    assert_eq!(header[6], "1 办学基本情况");
    assert_eq!(header[26], "21 收费标准");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    let jia = rows.iter().find(|r| &r[0] == "甲大学").expect("甲 row");
    assert_eq!(&jia[1], "湖南");
    assert_eq!(&jia[4], "3");
    let marked: Vec<usize> = (6..56).filter(|&i| &jia[i] == "1").map(|i| i - 5).collect();
    assert_eq!(marked, [6, 7, 21]);

    let a = get(&app, "/checklist.csv?layout=long").await;
    let mut r = csv::Reader::from_reader(a.body.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 3 * 50);
    let fees = rows
        .iter()
        .find(|r| &r[0] == "乙學院" && &r[4] == "21")
        .expect("乙 item 21");
    assert_eq!(&fees[7], "1");
    assert_eq!(&fees[9], "proactive");
    assert!(fees[11].contains("收費標準"), "{fees:?}");

    let a = get(&app, "/api/checklist?sort=school").await;
    let v = a.json();
    assert_eq!(v["year"], "2020-2021");
    assert_eq!(v["items"].as_array().expect("items").len(), 50);
    let rows = v["rows"].as_array().expect("rows");
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["school"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sort=school");
    let jia = rows.iter().find(|r| r["school"] == "甲大学").expect("甲");
    let cell = &jia["cells"][20];
    assert_eq!(cell["section"], "proactive");
    assert!(
        cell["snippet_html"]
            .as_str()
            .unwrap_or("")
            .contains("<mark>收费标准</mark>"),
        "{cell}"
    );
    assert!(jia["cells"][0].is_null());
}

#[tokio::test]
async fn compare_puts_schools_side_by_side_and_one_school_across_years() {
    let app = plain_app();
    let a = get(
        &app,
        &format!("/compare?schools={}&year=2020-2021", enc("甲大学,乙學院")),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("compare-grid cols-2"), "{}", a.body);
    assert!(a.body.contains("学校公布了学费、住宿费收费标准"));
    assert!(a.body.contains("學院公布了收費標準"));
    // Item rows: 21 both, 39 only 乙 (a difference), 6 only 甲.
    assert!(
        a.body.contains("3 / 50") && a.body.contains("2 / 50"),
        "{}",
        a.body
    );
    let only = get(
        &app,
        &format!("/compare?schools={}&only=diff", enc("甲大学，乙學院")),
    )
    .await;
    assert_eq!(only.status, StatusCode::OK);
    assert!(
        only.body.contains("39. 学生申诉办法"),
        "differing item shown"
    );
    assert!(!only.body.contains("21. 收费标准"), "shared item hidden");
    // The year defaults to the newest year both have.
    assert!(only.body.contains("2020-2021 学年") || only.body.contains("2020-2021 学年"));

    // One school across its years, highlighted.
    let a = get(
        &app,
        &format!("/compare?schools={}&q={}", enc("甲大学"), enc("学术委员会")),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("2020-2021 学年") && a.body.contains("2019-2020 学年"));
    assert!(a.body.contains("<mark>学术委员会</mark>"));
    // Issue 18: school names are folded (乙学院 finds 乙學院); a school nobody knows,
    // too many schools and bad years are 400.
    let a = get(&app, &format!("/compare?schools={}", enc("乙学院"))).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!a.body.contains("索引中没有这些学校"), "{}", a.body);
    assert!(a.body.contains("乙學院"));
    let a = get(&app, &format!("/compare?schools={}", enc("不存在大学"))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("不存在大学"), "{}", a.body);
    let a = get(&app, &format!("/compare?schools={}", enc("a,b,c,d,e,f,g"))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = get(
        &app,
        &format!("/compare?schools={}&year=1990-1991", enc("甲大学")),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = get(
        &app,
        &format!("/compare?schools={}&q={}", enc("甲大学"), enc("-收费")),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = get(&app, "/compare").await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn versions_page_diffs_two_stored_versions_by_section() {
    let app = archive_app();
    let a = get(&app, &format!("/reports/{}/versions", jia_id())).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("2021-11-01T08:00:00.000Z"));
    assert!(a.body.contains("2021-11-20T08:00:00.000Z"));
    // By default the last two: 收费标准 removed, 3 → 5.
    assert!(
        a.body.contains("<del>学费、住宿费收费标准，以及</del>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("<del>3</del><ins>5</ins>"), "{}", a.body);
    assert!(a.body.contains("status-unchanged"));

    let a = get(
        &app,
        &format!("/api/reports/{}/diff?from=bbbbbbbb&to=aaaaaaaa", jia_id()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    assert_eq!(v["from"]["hash"], "b".repeat(64));
    let sections = v["diff"]["sections"].as_array().expect("sections");
    let statuses: Vec<&str> = sections
        .iter()
        .map(|s| s["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["unchanged", "changed", "changed"]);
    assert!(sections[1]["pieces"]
        .as_array()
        .expect("pieces")
        .iter()
        .any(|p| p["op"] == "added" && p["text"] == "学费、住宿费收费标准，以及"));

    for (uri, status) in [
        (
            format!("/reports/{}/versions?from=abc&to=bbbbbbbb", jia_id()),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/reports/{}/versions?from=aaaaaaaa", jia_id()),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/reports/{}/versions?from=cccccccc&to=aaaaaaaa", jia_id()),
            StatusCode::NOT_FOUND,
        ),
        (
            "/reports/0000000000000000/versions".to_string(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/reports/{}/diff", corpus()[2].id),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let a = get(&app, &uri).await;
        assert_eq!(a.status, status, "{uri}: {}", a.body);
    }
    // Without an archive the page says so.
    let a = get(&plain_app(), &format!("/reports/{}/versions", jia_id())).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("没有连接抓取存档"));
}

#[tokio::test]
async fn changes_page_api_and_feed() {
    let app = archive_app();
    let a = get(&app, "/changes").await;
    assert_eq!(a.status, StatusCode::OK);
    let gone = a.body.find("页面已删除").expect("gone");
    let edited = a.body.find("内容被修改").expect("edited");
    assert!(gone < edited, "newest first");
    let v = get(&app, "/api/changes?since=2021-11-25").await.json();
    assert_eq!(v.as_array().expect("list").len(), 1);
    assert_eq!(v[0]["kind"], "gone");
    let a = get(&app, "/api/changes?since=yesterday").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);

    // Links use the configured public URL, whatever Host the request names.
    let public = crate::app(
        AppState::new(engine())
            .with_archive(Arc::new(FakeArchive::new()))
            .with_public_url("http://news.example.org:8080"),
    );
    let feed = get_with(&public, "/changes.atom", Some("evil.example"))
        .await
        .feed();
    assert_eq!(feed.entries().len(), 2);
    let first = &feed.entries()[0];
    assert!(first.title().as_str().contains("乙學院"), "{first:?}");
    assert!(first.title().as_str().contains("页面已删除"));
    assert_eq!(first.updated().to_rfc3339(), "2021-12-01T08:00:00+00:00");
    assert_eq!(
        first.links()[0].href(),
        format!(
            "http://news.example.org:8080/reports/{}/versions",
            corpus()[2].id
        )
    );
    assert_eq!(feed.updated(), first.updated());
    // No archive: an empty, valid feed.
    let feed = get(&plain_app(), "/changes.atom").await.feed();
    assert!(feed.entries().is_empty());
}

#[tokio::test]
async fn search_feed_lists_matching_reports_newest_first_in_either_script() {
    // Feed links come from the configured public URL; the Host header never sets them.
    let app = app(AppState::new(engine()).with_public_url("http://xxgk.example.org/"));
    for q in ["收费标准", "收費標準"] {
        let a = get_with(&app, &format!("/feed?q={}", enc(q)), Some("other.example")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let feed = a.feed();
        let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        assert!(feed.title().as_str().contains(q));
        let self_link = feed
            .links()
            .iter()
            .find(|l| l.rel() == "self")
            .expect("self");
        assert!(self_link
            .href()
            .starts_with("http://xxgk.example.org/feed?q="));
        for e in feed.entries() {
            let href = e.links()[0].href();
            assert!(
                href.starts_with("http://xxgk.example.org/reports/"),
                "{href}"
            );
            let content = e.content().and_then(|c| c.value()).unwrap_or("");
            assert!(content.contains("<mark>"), "{content}");
        }
    }
    // Filters narrow it; a school that does not mention it gives an empty feed.
    let feed = get(
        &app,
        &format!("/feed?q={}&school={}", enc("收费标准"), enc("乙學院")),
    )
    .await
    .feed();
    assert_eq!(feed.entries().len(), 1);
    assert!(feed.entries()[0].title().as_str().starts_with("乙學院"));
    let feed = get(&app, &format!("/feed?q={}&year=2019-2020", enc("收费标准")))
        .await
        .feed();
    assert!(feed.entries().is_empty());
    // Everything newest first, one entry per report; a hostile Host is not echoed.
    let feed = get_with(&plain_app(), "/feed", Some("evil.example\"><x"))
        .await
        .feed();
    let dates: Vec<String> = feed
        .entries()
        .iter()
        .map(|e| e.updated().to_rfc3339())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(dates.len(), 4);
    assert!(feed.links()[0].href().starts_with("http://localhost/"));
    // Bad queries are 400 in the API's shape.
    let a = get(&app, &format!("/feed?q={}", enc("-收费"))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"]["code"], "bad_query");
}

#[tokio::test]
async fn search_results_flag_reports_changed_after_publication() {
    let app = archive_app();
    let a = get(&app, &format!("/?q={}", enc("收费标准"))).await;
    assert_eq!(a.status, StatusCode::OK);
    // 甲 (edited) and 乙 (gone) match, each flagged, linking to its versions.
    for (id, label) in [
        (jia_id(), "内容被修改"),
        (corpus()[2].id.clone(), "页面已删除"),
    ] {
        let badge = format!("href=\"/reports/{id}/versions\"");
        let at = a
            .body
            .find(&badge)
            .unwrap_or_else(|| panic!("no badge for {id}"));
        assert!(a.body[at..].contains(label), "{label}");
    }
    assert_eq!(a.body.matches("class=\"change-flag\"").count(), 2);
    // 丁 matches 学籍 and never changed: no flag.
    let a = get(&app, &format!("/?q={}", enc("学籍管理"))).await;
    assert!(a.body.contains("学籍管理"));
    assert!(!a.body.contains("change-flag"));
    // Without an archive nothing is flagged.
    let a = get(&plain_app(), &format!("/?q={}", enc("收费标准"))).await;
    assert!(!a.body.contains("change-flag"));
}

#[tokio::test]
async fn checklist_json_is_paged_and_cached_until_the_index_changes() {
    let state = AppState::new(engine());
    let app = app(state.clone());
    let first = get(&app, "/api/checklist?sort=school&per_page=2")
        .await
        .json();
    assert_eq!(first["rows"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        (first["total"].as_u64(), first["pages"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(first["next_page"], 2);
    assert_eq!(
        first["next"],
        "/api/checklist?sort=school&page=2&per_page=2"
    );
    let last = get(&app, "/api/checklist?sort=school&per_page=2&page=2")
        .await
        .json();
    assert_eq!(last["rows"].as_array().map(Vec::len), Some(1));
    assert!(last["next"].is_null());
    let names: Vec<String> = [&first, &last]
        .iter()
        .flat_map(|v| v["rows"].as_array().into_iter().flatten())
        .filter_map(|r| r["school"].as_str().map(String::from))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        (names.len(), &names),
        (3, &sorted),
        "the pages hold every row once"
    );
    let past = get(&app, "/api/checklist?per_page=2&page=3").await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
    assert!(past.body.contains("past the last page"), "{}", past.body);
    let big = get(&app, "/api/checklist?per_page=501").await;
    assert_eq!(big.status, StatusCode::BAD_REQUEST);
    assert!(big.body.contains("from 1 to 500"), "{}", big.body);
    // Four requests of one matrix: computed once.
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Checklist), 1);

    // A commit (an import) makes a new searcher generation: recomputed, with the new row.
    let mut w = state.app().engine().writer(1).expect("writer");
    w.upsert(&report(
        "戊大学",
        "2020-2021",
        Script::Simplified,
        &[(SectionId::Proactive, "学校公布了收费标准。")],
    ))
    .expect("upsert");
    w.commit().expect("commit");
    w.finish().expect("merges");
    state.app().engine().reload().expect("reload");
    let after = get(&app, "/api/checklist?sort=school&per_page=2")
        .await
        .json();
    assert_eq!(after["total"], 4, "{after}");
    assert_eq!(state.app().computed(xxgk_app::CachedKind::Checklist), 2);
}
