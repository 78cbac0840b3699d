//! Coverage (issue 9): a crawled school that answers, one whose reports stop after a
//! year, a source whose site is unreachable, and registry institutions with no source —
//! each gets its status with its evidence, on the command line and on the real server,
//! and the "which schools" answer puts each in the right group.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::xxgk;
use crate::crawl::serve_fixture;
use crate::web::{enc, get_json, get_text, Server};

/// A loopback port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn statuses(school: &Value) -> BTreeMap<String, String> {
    school["years"]
        .as_object()
        .expect("years")
        .iter()
        .map(|(y, c)| (y.clone(), c["status"].as_str().expect("status").to_string()))
        .collect()
}

fn find<'a>(coverage: &'a Value, name: &str) -> &'a Value {
    coverage["schools"]
        .as_array()
        .expect("schools")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in coverage: {coverage}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coverage_tells_archived_not_found_unreachable_and_not_crawled_apart() {
    let donghai = serve_fixture("donghai").await;
    let beiling = serve_fixture("beiling").await;
    let dead = closed_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sources = dir.path().join("sources.toml");
    // 湖南工商大学 is 湖南商学院 of the 2017 registry, renamed in 2019: linked by code.
    std::fs::write(
        &sources,
        format!(
            r#"
[[school]]
name = "东海理工大学"
start = ["{}/index.htm"]

[[school]]
name = "北岭师范学院"
start = ["{}/main.htm"]

[[school]]
name = "湖南工商大学"
code = "4143010554"
aliases = ["湖南商學院"]
start = ["http://127.0.0.1:{dead}/xxgk/"]
"#,
            donghai.base, beiling.base
        ),
    )
    .expect("sources");
    let data2 = data.clone();
    let sources2 = sources.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        xxgk(
            &data2,
            &[
                "crawl",
                "--sources",
                &sources2,
                "--delay-ms",
                "0",
                "--timeout",
                "2",
                "--connect-timeout",
                "1",
                "--retries",
                "0",
            ],
        )
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The crawl says, per school, what it reached.
    assert!(
        stderr.contains("湖南工商大学: crawl") && stderr.contains("UNREACHABLE (connect)"),
        "{stderr}"
    );
    // Issue 18: the log's WARN lines reach a file (not a terminal) without colour codes.
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a file: {stderr:?}"
    );

    let coverage = crate::common::xxgk_json(&data, &["coverage", "--in-sources", "--json"]);
    let years: Vec<&str> = coverage["years"]
        .as_array()
        .expect("years")
        .iter()
        .map(|y| y.as_str().expect("year"))
        .collect();
    assert_eq!(years.first(), Some(&"2010-2011"));
    assert!(years.contains(&"2024-2025"), "{years:?}");
    assert_eq!(coverage["schools"].as_array().expect("schools").len(), 3);

    // The site that answers: its reports' years archived, with the report as evidence.
    let dh = find(&coverage, "东海理工大学");
    assert_eq!(dh["in_sources"], true);
    assert!(
        dh["code"].is_null(),
        "not in the registry: its own institution"
    );
    let dh_status = statuses(dh);
    for y in ["2019-2020", "2020-2021"] {
        assert_eq!(dh_status[y], "archived", "{y}: {dh}");
    }
    let cell = &dh["years"]["2020-2021"];
    let url = cell["reports"][0]["url"].as_str().expect("report url");
    assert!(url.ends_with("/info/1044/1001.htm"), "{cell}");
    assert!(cell["reports"][0]["report_id"].is_string());
    // A year without a report on a site that was crawled: not found, with when and how
    // many pages.
    let cell = &dh["years"]["2012-2013"];
    assert_eq!(cell["status"], "not_found", "{cell}");
    assert!(cell["crawl"]["pages"].as_u64().unwrap_or(0) >= 5, "{cell}");
    assert!(cell["crawl"]["at"].as_str().unwrap_or("").starts_with("20"));
    assert!(cell["detail"].as_str().unwrap_or("").contains("2012-2013"));

    // Reports that stop after 2021-2022.
    let bl = statuses(find(&coverage, "北岭师范学院"));
    assert_eq!(bl["2020-2021"], "archived");
    assert_eq!(bl["2021-2022"], "archived");
    for y in ["2019-2020", "2022-2023", "2023-2024"] {
        assert_eq!(bl[y], "not_found", "{y}");
    }

    // The unreachable source: every year, with the error class.
    let hn = find(&coverage, "湖南工商大学");
    assert_eq!(hn["code"], "4143010554");
    assert_eq!(hn["province"], "湖南省");
    assert_eq!(hn["level"], "本科");
    assert!(statuses(hn).values().all(|s| s == "unreachable"), "{hn}");
    assert_eq!(hn["years"]["2020-2021"]["crawl"]["error"], "connect");
    // Issue 18: the reader's text is Chinese and whole; the class and the library's
    // message stay in the evidence.
    let detail = hn["years"]["2020-2021"]["detail"].as_str().unwrap_or("");
    assert!(detail.ends_with("抓取失败：无法连接"), "{detail}");
    assert!(!detail.contains("client error"), "{detail}");

    // Totals add up to the cells.
    let cells: usize = coverage["schools"]
        .as_array()
        .expect("schools")
        .iter()
        .map(|s| s["years"].as_object().map_or(0, |y| y.len()))
        .sum();
    let total: u64 = coverage["totals"]
        .as_object()
        .expect("totals")
        .values()
        .map(|n| n.as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total as usize, cells);

    // Registry institutions with no source: not crawled, with their registry fields.
    let beijing = crate::common::xxgk_json(
        &data,
        &[
            "coverage",
            "--province",
            "北京",
            "--year",
            "2020-2021",
            "--json",
        ],
    );
    assert_eq!(beijing["years"], serde_json::json!(["2020-2021"]));
    let pku = find(&beijing, "北京大学");
    assert_eq!(pku["code"], "4111010001");
    assert_eq!(pku["in_sources"], false);
    assert_eq!(pku["years"]["2020-2021"]["status"], "not_crawled");
    let n = beijing["schools"].as_array().expect("schools").len();
    assert!(n > 80, "Beijing has about 90 institutions, got {n}");
    assert_eq!(beijing["totals"]["not_crawled"], n);
    // A bad filter is a clear error.
    let bad = xxgk(&data, &["coverage", "--year", "2020"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("学年"));

    // The registry, with the source's current name and the old one kept as an alias.
    let hunan = crate::common::xxgk_json(&data, &["institutions", "--province", "湖南", "--json"]);
    let row = hunan
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["code"] == "4143010554")
        .expect("4143010554");
    assert_eq!(row["name"], "湖南工商大学");
    let aliases: Vec<&str> = row["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // The source's alias 湖南商學院 folds to the registry's 湖南商学院: one name key, kept
    // once (archive::institutions::add_name), so the list shows the registry spelling.
    assert!(aliases.contains(&"湖南商学院"), "{row}");

    // Which schools mention 就业质量 in 2020-2021: 东海's report does (in an attachment),
    // 北岭's report was read and does not; 湖南工商大学 and 北京大学 have no report to
    // read, and say why.
    let answer = crate::common::xxgk_json(
        &data,
        &["schools", "就业质量", "--year", "2020-2021", "--json"],
    );
    check_groups(&answer);

    // The real server gives the same answer and the same coverage.
    let server = Server::start(&data, &["serve"]);
    // Paged: the pages, walked by their `next` links, make up the CLI's answer.
    let mut api = serde_json::json!({"matched": [], "unmatched": [], "no_report": []});
    let mut next = Some(format!(
        "/api/schools?q={}&year=2020-2021&per_page=500",
        enc("就业质量")
    ));
    while let Some(uri) = next {
        let (status, page) = get_json(&server.url(&uri)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page["no_report"].as_array().map_or(0, Vec::len) <= 500);
        for group in ["matched", "unmatched", "no_report"] {
            let rows = page[group].as_array().cloned().unwrap_or_default();
            if let Some(all) = api[group].as_array_mut() {
                all.extend(rows);
            }
        }
        next = page["next"].as_str().map(String::from);
    }
    check_groups(&api);
    let (status, api) = get_json(&server.url("/api/coverage?in_sources=1")).await;
    assert_eq!(status, 200, "{api}");
    assert_eq!(api["totals"], coverage["totals"]);
    let (status, page) = get_text(&server.url(&format!(
        "/schools?q={}&year=2020-2021&per_page=500",
        enc("就业质量")
    )))
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("没有报告的学校"), "{page}");
    // The school whose site did not answer is on one of the pages.
    let mut found = false;
    for n in 1..=8 {
        let (status, page) = get_text(&server.url(&format!(
            "/schools?q={}&year=2020-2021&per_page=500&page={n}",
            enc("就业质量")
        )))
        .await;
        if status != 200 {
            break;
        }
        found |= page.contains("湖南工商大学");
    }
    assert!(found, "湖南工商大学 listed without a report");
    let (status, page) = get_text(&server.url("/sources")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("湖南工商大学")
            && page.contains("无法访问：<span title=\"connect\">无法连接</span>"),
        "{page}"
    );
}

fn check_groups(answer: &Value) {
    let names = |group: &str| -> Vec<String> {
        answer[group]
            .as_array()
            .unwrap_or_else(|| panic!("{group} in {answer}"))
            .iter()
            .map(|r| r["school"].as_str().expect("school").to_string())
            .collect()
    };
    let (matched, unmatched, no_report) =
        (names("matched"), names("unmatched"), names("no_report"));
    assert_eq!(matched, ["东海理工大学"], "{answer}");
    assert_eq!(unmatched, ["北岭师范学院"], "{answer}");
    let status_of = |name: &str| {
        answer["no_report"]
            .as_array()
            .expect("no_report")
            .iter()
            .find(|r| r["school"] == name)
            .map(|r| r["status"].as_str().expect("status").to_string())
    };
    assert_eq!(status_of("湖南工商大学").as_deref(), Some("unreachable"));
    assert_eq!(status_of("北京大学").as_deref(), Some("not_crawled"));
    assert!(!no_report.contains(&"东海理工大学".to_string()));
    assert!(!no_report.contains(&"北岭师范学院".to_string()));
    // Every registry institution without a report is accounted for.
    assert!(no_report.len() > 2600, "{}", no_report.len());
}
