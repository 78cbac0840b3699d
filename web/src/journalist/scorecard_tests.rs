//! `/scorecard`, `/scorecard.csv`, `/api/scorecard`, and the figures on the report page
//! (issue 20), over a real archive (which computes the scorecards as it stores) and an
//! index of the same reports.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use xxgk_app::stores::archive::{Archive, Reader};
use xxgk_app::stores::index::Engine;
use xxgk_app::{Report, SectionId};
use xxgk_testkit::report;

use crate::tests::{enc, get, links};
use crate::{app, AppState};

/// 东海大学 in two years (the second late, the first with every part), 西山学院 with
/// no request figures and two parts only.
fn reports() -> Vec<Report> {
    vec![
        report("东海大学", "2020-2021")
            .published("2021-10-20")
            .section(SectionId::Overview, "一、概述", "学校重视信息公开工作。")
            .section(
                SectionId::Proactive,
                "二、主动公开情况",
                "本学年通过信息公开网主动公开信息1200条。",
            )
            .section(
                SectionId::OnRequest,
                "三、依申请公开和不予公开情况",
                "本学年共收到信息公开申请12件，其中同意公开9件，不予公开3件。",
            )
            .section(
                SectionId::Other,
                "四、收费情况",
                "依申请公开未收取任何费用。",
            )
            .section(
                SectionId::Appraisal,
                "五、评议情况",
                "师生对信息公开工作的满意率为95%。",
            )
            .section(
                SectionId::Complaints,
                "六、举报、复议、诉讼情况",
                "本学年未发生因信息公开工作引起的举报、行政复议和行政诉讼。",
            )
            .section(
                SectionId::Improvements,
                "七、存在的问题及改进",
                "公开的及时性有待提高。",
            )
            .build(),
        report("东海大学", "2021-2022")
            .published("2022-11-15")
            .section(SectionId::Overview, "一、概述", "学校重视信息公开工作。")
            .section(
                SectionId::OnRequest,
                "二、依申请公开情况",
                "本学年共收到信息公开申请20件，其中同意公开15件，不予公开5件。",
            )
            .build(),
        report("西山学院", "2021-2022")
            .as_written("2022年度", "2021-09-01", "2022-08-31")
            .published("2022-10-10")
            .section(SectionId::Overview, "一、概述", "学院重视信息公开工作。")
            .section(
                SectionId::Proactive,
                "二、主动公开情况",
                "本学年主动公开信息300条。",
            )
            .build(),
    ]
}

fn scorecard_app() -> Router {
    let archive = Archive::open_in_memory().expect("archive");
    let engine = Engine::create_in_ram().expect("index");
    let mut writer = engine.writer(1).expect("writer");
    for r in reports() {
        archive.put_report(&r).expect("store");
        writer.upsert(&r).expect("index");
    }
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    app(AppState::new(engine).with_archive(Arc::new(Reader::new(archive))))
}

#[tokio::test]
async fn every_value_links_to_its_sentence_marked_in_the_report() {
    let app = scorecard_app();
    let page = get(&app, "/scorecard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<strong id=\"report-count\">3</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("逾期"), "the late report is marked");
    let evidence: Vec<String> = links(&page.body)
        .into_iter()
        .filter(|l| l.contains("?at="))
        .collect();
    // 东海 2020: proactive, received, granted, refused, complaints, reviews, lawsuits,
    // satisfaction; 东海 2021: received, granted, refused; 西山: proactive.
    assert!(evidence.len() >= 10, "{evidence:?}");
    for link in &evidence {
        assert!(link.ends_with("#evidence"), "{link}");
        let report = get(&app, link.trim_end_matches("#evidence")).await;
        assert_eq!(report.status, StatusCode::OK, "{link}");
        assert!(
            report
                .body
                .contains("<mark id=\"evidence\" class=\"evidence\">"),
            "{link}: {}",
            report.body
        );
    }
    // The received-requests link of 东海 2021 marks its own sentence.
    let json = get(
        &app,
        &format!("/api/scorecard?school={}&year=2021-2022", enc("东海大学")),
    )
    .await
    .json();
    let fig = &json["rows"][0]["figures"]["requests_received"];
    assert_eq!(fig["value"], 20, "{json}");
    let link = links(&page.body)
        .into_iter()
        .find(|l| {
            l.contains(json["rows"][0]["report_id"].as_str().unwrap_or("?"))
                && l.contains(&format!(
                    "at={}%3A{}-{}",
                    fig["section_index"], fig["start"], fig["end"]
                ))
        })
        .expect("the figure's link is on the page");
    let marked = get(&app, link.trim_end_matches("#evidence")).await;
    let quote = fig["quote"].as_str().unwrap_or("?");
    assert!(
        marked.body.contains(&format!(
            "<mark id=\"evidence\" class=\"evidence\">{quote}</mark>"
        )),
        "{}",
        marked.body
    );
}

#[tokio::test]
async fn columns_sort_with_missing_values_last_and_pages_are_fifty_rows() {
    let app = scorecard_app();
    let rows = |v: serde_json::Value| -> Vec<(String, Option<u64>)> {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    format!(
                        "{} {}",
                        r["school"].as_str().unwrap_or(""),
                        r["year"].as_str().unwrap_or("")
                    ),
                    r["figures"]["requests_received"]["value"].as_u64(),
                )
            })
            .collect()
    };
    let up = rows(
        get(&app, "/api/scorecard?sort=requests_received")
            .await
            .json(),
    );
    assert_eq!(
        up,
        [
            ("东海大学 2020-2021".to_string(), Some(12)),
            ("东海大学 2021-2022".to_string(), Some(20)),
            ("西山学院 2021-2022".to_string(), None),
        ]
    );
    let down = rows(
        get(&app, "/api/scorecard?sort=requests_received&order=reverse")
            .await
            .json(),
    );
    assert_eq!(down[0].1, Some(20));
    assert_eq!(down[2].1, None, "missing last either way");
    let paged = get(&app, "/api/scorecard?per_page=2").await.json();
    assert_eq!(paged["total"], 3);
    assert_eq!(paged["per_page"], 2);
    assert_eq!(paged["rows"].as_array().map(Vec::len), Some(2));
    assert!(
        paged["next"].as_str().unwrap_or("").contains("page=2"),
        "{paged}"
    );
    let default = get(&app, "/api/scorecard").await.json();
    assert_eq!(default["per_page"], 50);
    // The page's header links sort, and the sorted column says so.
    let page = get(&app, "/scorecard?sort=on_time").await;
    assert!(
        page.body.contains("aria-sort=\"ascending\""),
        "{}",
        page.body
    );
    assert!(links(&page.body)
        .iter()
        .any(|l| l.contains("sort=on_time&order=reverse")));
}

#[tokio::test]
async fn downloads_and_bad_parameters() {
    let app = scorecard_app();
    let csv = get(&app, "/scorecard.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let body = csv.body.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert!(header.iter().any(|h| h == "requests_received_quote"));
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 3);
    // The year as written and the period it was read from (issue 19), beside the year.
    let xishan = records
        .iter()
        .find(|r| &r[column("school")] == "西山学院")
        .expect("西山学院");
    assert_eq!(&xishan[column("year")], "2021-2022");
    assert_eq!(&xishan[column("year_as_written")], "2022年度");
    assert_eq!(&xishan[column("period_start")], "2021-09-01");
    assert_eq!(&xishan[column("period_end")], "2022-08-31");
    let api = get(&app, &format!("/api/scorecard?school={}", enc("西山学院"))).await;
    let json: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(
        json["rows"][0]["year_as_written"], "2022年度",
        "{}",
        api.body
    );
    for (uri, says) in [
        ("/api/scorecard?sort=nope", "无法按"),
        ("/api/scorecard?year=abc", "abc"),
        ("/api/scorecard?order=up", "order"),
        ("/api/scorecard?page=9", "page 9"),
        ("/scorecard?year=2030-2031", "2030-2031"),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.body);
        assert!(a.body.contains(says), "{uri}: {}", a.body);
    }
}

#[tokio::test]
async fn one_school_shows_its_series_and_the_report_page_its_figures() {
    let app = scorecard_app();
    let page = get(&app, &format!("/scorecard?school={}", enc("東海大學"))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("透明度记分卡：东海大学"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg"), "a chart of the series");
    assert!(
        page.body.contains("<title>2021-2022：20</title>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("西山学院"));

    let id = reports()[0].id.clone();
    let report = get(&app, &format!("/reports/{id}")).await;
    assert!(report.body.contains("本栏目的数字"), "{}", report.body);
    assert!(
        report.body.contains("按时（截止 2021-10-31）"),
        "{}",
        report.body
    );
    let bad = get(&app, &format!("/reports/{id}?at=x")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let gone = get(&app, &format!("/reports/{id}?at=1:900-950")).await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(
        gone.body.contains("不在这份报告的当前版本中"),
        "{}",
        gone.body
    );
}
