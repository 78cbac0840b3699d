//! The journalist's tools end to end: `xxgk checklist` on the fixture corpus against the
//! hand-made expectation in tests/fixtures/checklist-reports/EXPECTED.md, and the real
//! `xxgk serve` over a store holding two versions of a report and a vanished page —
//! the diff, the changes list, and both Atom feeds parsed back.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use xxgk_archive::{Archive, DocRecord, DocState, PageWork};
use xxgk_index::{Report, Script, SectionId};

use crate::common::{fixture_reports, repo_root, skip_without, xxgk, xxgk_bin, xxgk_json, xxgk_ok};

fn checklist_reports() -> PathBuf {
    repo_root().join("tests/fixtures/checklist-reports")
}

/// Both fixture folders imported into a fresh data folder.
fn fixture_data() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    let out = xxgk_ok(
        data.path(),
        &[
            "import",
            fixture_reports().to_str().expect("path"),
            checklist_reports().to_str().expect("path"),
        ],
    );
    assert!(out.contains("imported 15 new"), "{out}");
    data
}

/// The items each school's 2020-2021 report mentions, from EXPECTED.md (by hand).
fn expected_2020_2021() -> BTreeMap<&'static str, Vec<u32>> {
    BTreeMap::from([
        (
            "清源理工大学",
            vec![
                1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31,
                32, 33, 35, 36, 37, 39, 41, 42, 43, 47, 49,
            ],
        ),
        (
            "澄湖師範學院",
            vec![
                6, 8, 9, 10, 16, 17, 26, 29, 30, 34, 35, 36, 38, 40, 44, 46, 48, 50,
            ],
        ),
        ("北辰職業技術學院", vec![6, 7, 9, 19, 20]),
        ("青川醫學院", vec![6, 7, 9, 19, 20]),
        ("东海海洋大学", vec![6, 7, 9, 21]),
        ("中原农业大学", vec![6, 7, 9]),
        ("西山理工学院", vec![6, 7, 9]),
    ])
}

fn mentioned(row: &Value) -> Vec<u32> {
    row["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_null())
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

/// The whole matrix for 2020-2021 equals the hand-made expectation: every cell of every
/// school, the per-school coverage, the per-item coverage, and the order of the rows.
#[test]
fn checklist_matrix_on_the_fixture_corpus_matches_the_hand_made_expectation() {
    let data = fixture_data();
    let m = xxgk_json(data.path(), &["checklist", "--year", "2020-2021", "--json"]);
    assert_eq!(m["year"], "2020-2021");
    let rows = m["rows"].as_array().expect("rows");
    let got: BTreeMap<String, Vec<u32>> = rows
        .iter()
        .map(|r| {
            (
                r["school"].as_str().expect("school").to_string(),
                mentioned(r),
            )
        })
        .collect();
    let expected = expected_2020_2021();
    let expected_owned: BTreeMap<String, Vec<u32>> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    assert_eq!(got, expected_owned);
    for r in rows {
        let school = r["school"].as_str().expect("school");
        assert_eq!(r["covered"], expected[school].len(), "{school}");
    }
    // Rows by coverage, most first.
    let covered: Vec<u64> = rows
        .iter()
        .map(|r| r["covered"].as_u64().expect("n"))
        .collect();
    assert!(covered.windows(2).all(|w| w[0] >= w[1]), "{covered:?}");
    assert_eq!(rows[0]["school"], "清源理工大学");
    // Per-item coverage is the count of schools in the expectation.
    for item in m["items"].as_array().expect("items") {
        let n = item["number"].as_u64().expect("number") as u32;
        let want = expected.values().filter(|v| v.contains(&n)).count();
        assert_eq!(item["schools"], want, "item {n}");
    }
    // Evidence keeps the report's own script and marks the match.
    let chenghu = rows
        .iter()
        .find(|r| r["school"] == "澄湖師範學院")
        .expect("澄湖");
    let peer = &chenghu["cells"][43];
    assert_eq!(peer["section"], "proactive");
    assert!(
        peer["snippet_html"]
            .as_str()
            .expect("snippet")
            .contains("<mark>同等學力</mark>"),
        "{peer}"
    );
    assert_eq!(chenghu["reports"][0]["id"], peer["report_id"]);
}

/// The default year is the newest; CSV has a column per item; bad input is one line.
#[test]
fn checklist_cli_defaults_csv_and_errors() {
    let data = fixture_data();
    let d = data.path();
    let m = xxgk_json(d, &["checklist", "--json"]);
    assert_eq!(m["year"], "2021-2022");
    let rows = m["rows"].as_array().expect("rows");
    let qingyuan = rows
        .iter()
        .find(|r| r["school"] == "清源理工大学")
        .expect("清源");
    assert_eq!(mentioned(qingyuan), [6, 7, 21, 35]);

    let csv = xxgk_ok(
        d,
        &[
            "checklist",
            "--year",
            "2020-2021",
            "--csv",
            "--sort",
            "school",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 7);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.len(), 6 + 50);
    assert_eq!(header[6 + 43], "44 同等学力人员资格审查");
    let chenghu: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("澄湖師範學院,"))
        .expect("澄湖 row")
        .split(',')
        .collect();
    assert_eq!(chenghu[4], "18");
    assert_eq!(chenghu[6 + 43], "1");
    assert_eq!(chenghu[6 + 20], "0", "不收取任何費用 is not a fee schedule");
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "--sort school");

    let long = xxgk_ok(d, &["checklist", "--year", "2020-2021", "--csv", "--long"]);
    let mut reader = csv::Reader::from_reader(long.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 7 * 50);
    let peer = records
        .iter()
        .find(|r| &r[0] == "澄湖師範學院" && &r[4] == "44")
        .expect("澄湖 item 44");
    assert_eq!(&peer[7], "1");
    assert!(peer[11].contains("同等學力"), "{peer:?}");

    let text = xxgk_ok(d, &["checklist", "--year", "2020-2021"]);
    assert!(text.contains("7 schools × 50 items"), "{text}");
    assert!(text.contains("44. 同等学力人员资格审查 — 1/7"), "{text}");

    for (args, expect) in [
        // Issue 18: in Chinese, naming the years held.
        (
            vec!["checklist", "--year", "1999-2000"],
            "没有 1999-2000 年度的报告；已有年度：",
        ),
        (vec!["checklist", "--sort", "fame"], "unknown sort"),
    ] {
        let out = xxgk(d, &args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

// --- the real server over a store with versions --------------------------------------

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = Command::new(xxgk_bin())
            .arg("--data")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("XXGK_ADDR")
            .env_remove("XXGK_DATA")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start xxgk serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        let base = url.trim_end_matches('/').to_string();
                        return Server { child, base };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("xxgk serve printed no URL");
                }
            }
        }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let res = reqwest::get(format!("{}{path}", self.base))
            .await
            .expect("GET");
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn report(url: &str, school: &str, texts: &[(SectionId, &str, &str)]) -> Report {
    let builder = xxgk_testkit::report(school, "2020-2021")
        .url(url)
        .title(&format!("{school}2020-2021学年信息公开工作年度报告"))
        .published("2021-10-28")
        .province("江南")
        .kind("大学")
        .script(Script::Simplified);
    texts
        .iter()
        .fold(builder, |b, (id, h, t)| b.section(*id, h, t))
        .build()
}

/// One fetch of `url` recorded the way the crawler records it (empty body: gone).
fn fetch(archive: &Archive, url: &str, body: &str, report: Option<&Report>) {
    let state = if body.is_empty() {
        DocState::Gone
    } else {
        DocState::Fetched {
            etag: None,
            last_modified: None,
            content_type: Some("text/html".into()),
            encoding: Some("UTF-8".into()),
            body: body.as_bytes().to_vec(),
            text: None,
        }
    };
    archive
        .record_page(&PageWork {
            school: report.map_or("乙学院".into(), |r| r.school.clone()),
            frontier_url: url.into(),
            docs: vec![DocRecord {
                url: url.into(),
                role: xxgk_model::PageRole::Report,
                form: None,
                state,
            }],
            report: report.cloned(),
            ..PageWork::default()
        })
        .expect("record");
}

/// An archive with two versions of 甲大学's report (the second drops 收费标准 and reports 5
/// requests instead of 3) and 乙学院's report whose page then vanished; the index built
/// from it with `xxgk reindex`.
fn archive_data() -> (tempfile::TempDir, Report, Report) {
    let data = tempfile::tempdir().expect("tempdir");
    let store = Archive::open(&data.path().join("xxgk.sqlite")).expect("store");
    // Versions a minute apart, by the archive's clock (no sleeping for distinct times).
    let clock = xxgk_archive::Clock::manual(1_700_000_000_000);
    store.set_clock(clock.clone()).expect("clock");
    let a = "http://127.0.0.1:9/info/1044/1001.htm";
    let v1 = report(
        a,
        "甲大学",
        &[
            (SectionId::Overview, "一、概述", "学校修订了信息公开目录。"),
            (
                SectionId::Proactive,
                "二、主动公开情况",
                "学校公布了学费、住宿费收费标准和本科招生章程。",
            ),
            (
                SectionId::OnRequest,
                "三、依申请公开情况",
                "本学年收到依申请公开3件，均按期答复。",
            ),
        ],
    );
    let mut v2 = v1.clone();
    v2.sections[1].text = "学校公布了本科招生章程。".into();
    v2.sections[2].text = "本学年收到依申请公开5件，均按期答复。".into();
    v2.content_hash = Report::hash_sections(&v2.sections);
    fetch(&store, a, "<p>v1</p>", Some(&v1));
    clock.advance(Duration::from_secs(60));
    fetch(&store, a, "<p>v2</p>", Some(&v2));
    let b = "http://127.0.0.1:9/2021/1028/c1a2/page.htm";
    let gone = report(
        b,
        "乙学院",
        &[(SectionId::Proactive, "二、主动公开", "學院公布了收費標準。")],
    );
    fetch(&store, b, "<p>b</p>", Some(&gone));
    clock.advance(Duration::from_secs(60));
    fetch(&store, b, "", None);
    drop(store);
    let out = xxgk_ok(data.path(), &["reindex"]);
    assert!(out.contains("reindexed 2 reports"), "{out}");
    (data, v2, gone)
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_shows_versions_diff_changes_and_feeds_from_the_store() {
    let (data, edited, gone) = archive_data();
    let server = Server::start(data.path());

    // The versions page: both fetches, and the diff of the last two by section.
    let (status, page) = server
        .get(&format!("/reports/{}/versions", edited.id))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已存档的版本"));
    assert!(page.contains("<del>学费、住宿费收费标准和</del>"), "{page}");
    assert!(page.contains("<del>3</del><ins>5</ins>"), "{page}");

    // The diff as JSON, between the two hashes the version list names.
    let (_, list) = server
        .get(&format!("/api/reports/{}/versions", edited.id))
        .await;
    let list: Value = serde_json::from_str(&list).expect("versions JSON");
    let hashes: Vec<&str> = list
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["hash"].as_str().expect("hash"))
        .collect();
    assert_eq!(hashes.len(), 2);
    let (status, diff) = server
        .get(&format!(
            "/api/reports/{}/diff?from={}&to={}",
            edited.id, hashes[0], hashes[1]
        ))
        .await;
    assert_eq!(status, 200, "{diff}");
    let diff: Value = serde_json::from_str(&diff).expect("diff JSON");
    let statuses: Vec<&str> = diff["diff"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["unchanged", "changed", "changed"]);

    // The changes list and its feed: the vanished page first, then the edit.
    let (_, changes) = server.get("/api/changes").await;
    let changes: Value = serde_json::from_str(&changes).expect("changes JSON");
    let kinds: Vec<(&str, &str)> = changes
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["school"].as_str().expect("school"),
                c["kind"].as_str().expect("kind"),
            )
        })
        .collect();
    assert_eq!(kinds, [("乙学院", "gone"), ("甲大学", "edited")]);
    let (status, atom) = server.get("/changes.atom").await;
    assert_eq!(status, 200);
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).expect("Atom");
    assert_eq!(feed.entries().len(), 2);
    assert!(feed.entries()[0].title().as_str().contains("乙学院"));
    assert!(feed.entries()[0].links()[0]
        .href()
        .ends_with(&format!("/reports/{}/versions", gone.id)));

    // A search feed; a query in mixed script finds the traditional report.
    let (status, atom) = server.get(&format!("/feed?q={}", enc("招生章程"))).await;
    assert_eq!(status, 200);
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).expect("Atom");
    let titles: BTreeSet<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles.len(), 1, "{titles:?}");
    assert!(feed.entries()[0].title().as_str().starts_with("甲大学"));
    let (_, atom) = server.get(&format!("/feed?q={}", enc("收费標準"))).await;
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).expect("Atom");
    assert_eq!(feed.entries().len(), 1, "only 乙学院 still says it");
    assert!(feed.entries()[0].title().as_str().starts_with("乙学院"));

    // The checklist page and download over the same index.
    let (status, page) = server.get("/checklist").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<strong id=\"school-count\">2</strong>"),
        "{page}"
    );
    let (status, csv) = server
        .get("/checklist.csv?province=%E6%B1%9F%E5%8D%97")
        .await;
    assert_eq!(status, 200);
    assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 1 + 2);
}

/// Headless Chromium renders the matrix page of the fixture corpus (the DOM it builds has
/// every school's row and every mark) and leaves a screenshot in
/// `target/browser-test/checklist.png`.
#[tokio::test(flavor = "multi_thread")]
async fn checklist_page_renders_in_headless_chromium() {
    let chromium = std::env::var_os("XXGK_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if skip_without("chromium", chromium.exists()) {
        return;
    }
    let data = fixture_data();
    let server = Server::start(data.path());
    let url = format!("{}/checklist?year=2020-2021", server.base);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let shots = tmp.parent().unwrap_or(tmp).join("browser-test");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let shot = shots.join("checklist.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().expect("profile");
    let chrome = |extra: &[String]| {
        let out = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let dom = tokio::task::block_in_place(|| chrome(&["--dump-dom".to_string()]));
    assert!(
        dom.contains("<strong id=\"school-count\">7</strong>"),
        "{dom}"
    );
    let expected = expected_2020_2021();
    for school in expected.keys() {
        assert!(dom.contains(&format!(">{school}</a>")), "{school}");
    }
    let marks = dom.matches("<td class=\"y\">").count();
    assert_eq!(marks, expected.values().map(Vec::len).sum::<usize>());
    tokio::task::block_in_place(|| chrome(&[format!("--screenshot={}", shot.display())]));
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    eprintln!("screenshot of the matrix: {}", shot.display());
}
