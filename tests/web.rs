//! The real `xxgk serve` and `xxgk demo` on 127.0.0.1: an import run while the server is
//! up shows in its answers without a restart, SIGTERM shuts it down cleanly, the demo
//! builds its corpus once, and headless Chromium (Debian's, through chromedriver) searches
//! in traditional characters, filters by a year facet and opens a report.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{fixture_reports, skip_without, xxgk_bin, xxgk_ok};

/// A running `xxgk` server process, killed on drop.
pub(crate) struct Server {
    child: Child,
    base: String,
    /// Everything it printed on stdout before the URL.
    banner: Vec<String>,
}

impl Server {
    /// `xxgk --data DATA <args…> --addr 127.0.0.1:0`, waiting for its URL.
    pub(crate) fn start(data: &Path, args: &[&str]) -> Server {
        Server::start_with(Command::new(xxgk_bin()), data, args)
    }

    /// [`Server::start`] with `command` standing for `xxgk` (another binary, another
    /// user).
    pub(crate) fn start_with(mut command: Command, data: &Path, args: &[&str]) -> Server {
        let mut child = command
            .arg("--data")
            .arg(data)
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("XXGK_ADDR")
            .env_remove("XXGK_DATA")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start xxgk");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("listening on ") {
                    Some(url) => {
                        return Server {
                            child,
                            base: url.trim_end_matches('/').to_string(),
                            banner,
                        }
                    }
                    None => banner.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    panic!("xxgk {args:?} printed no URL; it printed {banner:?}");
                }
            }
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, then the exit status (graceful shutdown).
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn get_json(url: &str) -> (u16, Value) {
    let res = reqwest::get(url).await.expect("GET");
    let status = res.status().as_u16();
    let body = res.json::<Value>().await.expect("JSON body");
    (status, body)
}

pub(crate) async fn get_text(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.expect("GET");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

pub(crate) fn enc(s: &str) -> String {
    // Only what these tests send: percent-encode every non-alphanumeric byte.
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

#[tokio::test(flavor = "multi_thread")]
async fn serve_shows_an_import_made_after_start_without_restart() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = Server::start(data.path(), &["serve"]);
    let (status, stats) = get_json(&server.url("/api/stats")).await;
    assert_eq!(status, 200);
    assert_eq!(stats["reports"], 0);

    // Another process writes the index while the server runs.
    let fixtures = fixture_reports();
    let fixtures = fixtures.to_str().expect("utf-8 path");
    xxgk_ok(data.path(), &["import", fixtures]);

    let deadline = Instant::now() + Duration::from_secs(15);
    let reports = loop {
        let (_, stats) = get_json(&server.url("/api/stats")).await;
        let n = stats["reports"].as_u64().unwrap_or(0);
        if n > 0 || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(reports, 12, "the server sees the import without a restart");
    let (status, found) =
        get_json(&server.url(&format!("/api/search?q={}", enc("收費標準")))).await;
    assert_eq!(status, 200);
    assert!(found["total"].as_u64().unwrap_or(0) >= 3, "{found}");

    // The API answers with the CLI's JSON contracts.
    let mut cli = crate::common::xxgk_json(data.path(), &["search", "收費標準", "--json"]);
    let (_, mut api) = get_json(&server.url(&format!("/api/search?q={}", enc("收費標準")))).await;
    for v in [&mut cli, &mut api] {
        for hit in v["hits"].as_array_mut().into_iter().flatten() {
            // Scores are floats printed by two serializers; compare them apart.
            hit["score"] = json!(hit["score"].as_f64().map(|s| (s * 1000.0).round()));
        }
    }
    assert_eq!(cli, api, "xxgk search --json and /api/search agree");
    let cli = crate::common::xxgk_json(data.path(), &["schools", "收费标准", "--json"]);
    // The API pages the answer (the registry's institutions without a report make 2,600
    // rows): its pages, walked by their `next` links, hold the CLI's answer.
    let mut api = Value::Null;
    let mut next = Some(format!("/api/schools?q={}&per_page=500", enc("收费标准")));
    while let Some(uri) = next {
        let (status, page) = get_json(&server.url(&uri)).await;
        assert_eq!(status, 200, "{page}");
        next = page["next"].as_str().map(String::from);
        if api.is_null() {
            api = page;
        } else {
            for group in ["matched", "unmatched", "no_report"] {
                let rows = page[group].as_array().cloned().unwrap_or_default();
                if let Some(all) = api[group].as_array_mut() {
                    all.extend(rows);
                }
            }
        }
    }
    assert_eq!(
        api["totals"]["no_report"].as_u64(),
        api["no_report"].as_array().map(|a| a.len() as u64)
    );
    for (key, value) in cli.as_object().expect("an object") {
        assert_eq!(
            &api[key], value,
            "xxgk schools --json and /api/schools agree on {key}"
        );
    }
    let matched: Vec<&str> = api["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .filter_map(|m| m["school"].as_str())
        .collect();
    // EXPECTED.md: 收费标准 in 东海 (two years), 北辰 (traditional) and 中原.
    for school in ["东海海洋大学", "北辰職業技術學院", "中原农业大学"] {
        assert!(matched.contains(&school), "{school} in {matched:?}");
    }
    let unmatched = api["unmatched"].as_array().map_or(0, Vec::len);
    assert_eq!(matched.len() + unmatched, 8, "every school on one side");
    let csv = xxgk_ok(data.path(), &["schools", "收费标准", "--csv"]);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .is_some_and(|h| h.starts_with("school,code,matched,coverage,")));
    let (_, download) = get_text(&server.url(&format!("/schools.csv?q={}", enc("收费标准")))).await;
    assert_eq!(
        download.trim_start_matches('\u{feff}'),
        csv,
        "CLI and download agree"
    );
    // Issue 17: the coverage and checklist downloads are the CLI's tables, byte for
    // byte (both written by xxgk_app::export).
    for (args, path) in [
        (
            vec!["coverage", "--csv", "--year", "2020-2021"],
            "/coverage.csv?year=2020-2021",
        ),
        (
            vec![
                "coverage",
                "--csv",
                "--province",
                "北京",
                "--year",
                "2020-2021",
            ],
            "/coverage.csv?province=%E5%8C%97%E4%BA%AC&year=2020-2021",
        ),
        (vec!["checklist", "--csv"], "/checklist.csv"),
        (
            vec!["checklist", "--csv", "--long"],
            "/checklist.csv?layout=long",
        ),
    ] {
        let cli = xxgk_ok(data.path(), &args);
        let (status, download) = get_text(&server.url(path)).await;
        assert_eq!(status, 200, "{path}: {download}");
        assert!(cli.lines().count() > 1, "{args:?} has rows");
        assert_eq!(download.trim_start_matches('\u{feff}'), cli, "{path}");
    }

    // Markup inside an imported report is shown as text by the real server.
    let (_, xss) = get_json(&server.url(&format!(
        "/api/search?q={}&school={}",
        enc("script"),
        enc("西山理工学院")
    )))
    .await;
    let id = xss["hits"][0]["report_id"]
        .as_str()
        .expect("the <script> fixture")
        .to_string();
    let (status, page) = get_text(&server.url(&format!("/reports/{id}"))).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "raw markup served"
    );
    assert!(page.contains("&lt;script"), "markup shown as text");

    // A user error is a 400 in the error shape from the real server too.
    let (status, err) = get_json(&server.url("/api/search?q=x&limit=10000")).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "bad_request");

    let status = server.terminate();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_builds_its_corpus_once_then_reuses_it() {
    let data = tempfile::tempdir().expect("tempdir");
    let first = Server::start(data.path(), &["demo"]);
    // Issue 18: the demo says what it does before the crawl's expected warning.
    assert!(
        first
            .banner
            .first()
            .is_some_and(|l| l.starts_with("building the sample corpus")),
        "{:?}",
        first.banner
    );
    assert!(
        first
            .banner
            .iter()
            .any(|l| l.starts_with("built the sample corpus")),
        "{:?}",
        first.banner
    );
    let (_, stats) = get_json(&first.url("/api/stats")).await;
    let reports = stats["reports"].as_u64().unwrap_or(0);
    assert!(reports >= 36, "{stats}");
    assert_eq!(stats["schools"].as_object().map(|s| s.len()), Some(12));
    // Both scripts, found by a query in either.
    let (_, trad) =
        get_json(&first.url(&format!("/api/search?q={}&limit=100", enc("依申请公开")))).await;
    let scripts: std::collections::BTreeSet<&str> = trad["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["script"].as_str())
        .collect();
    assert!(
        scripts.contains("traditional") && scripts.contains("simplified"),
        "{scripts:?}"
    );
    drop(first);

    let second = Server::start(data.path(), &["demo"]);
    assert!(
        second.banner.iter().any(|l| l.contains("already holds")),
        "{:?}",
        second.banner
    );
    let (_, again) = get_json(&second.url("/api/stats")).await;
    assert_eq!(again["reports"], stats["reports"]);
    let (status, about) = get_text(&second.url("/about")).await;
    assert_eq!(status, 200);
    assert!(about.contains(&format!("<dd id=\"stat-reports\">{reports}</dd>")));
    // Issue 18: the sample sites are served again, so a report's original page opens.
    let (_, hits) = get_json(&second.url(&format!("/api/search?q={}", enc("收费标准")))).await;
    let original = hits["hits"][0]["url"]
        .as_str()
        .expect("a hit's url")
        .to_string();
    let (status, _) = get_text(&original).await;
    assert_eq!(status, 200, "{original}");
}

/// Where the browser test leaves its screenshots: `target/browser-test/`.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("browser-test");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

fn program(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver on a free loopback port, killed on drop.
struct Driver(Child, u16);

impl Driver {
    fn start(path: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver(child, port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn number(client: &fantoccini::Client, css: &str) -> u64 {
    let text = client
        .find(fantoccini::Locator::Css(css))
        .await
        .expect(css)
        .text()
        .await
        .expect("text");
    text.replace(',', "")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{css}: {text:?}"))
}

async fn texts(client: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in client
        .find_all(fantoccini::Locator::Css(css))
        .await
        .expect(css)
    {
        out.push(el.text().await.expect("text"));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_searches_in_traditional_filters_by_year_and_opens_a_report() {
    use fantoccini::{ClientBuilder, Locator};

    let chromium = program("XXGK_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = program("XXGK_CHROMEDRIVER", "/usr/bin/chromedriver");
    if skip_without(
        "Chromium with chromedriver (apt-get install chromium chromium-driver fonts-noto-cjk)",
        chromium.exists() && chromedriver.exists(),
    ) {
        return;
    }
    let data = tempfile::tempdir().expect("tempdir");
    let server = Server::start(data.path(), &["demo"]);
    let driver = Driver::start(&chromedriver);
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1400",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a chromedriver session");
    let shots = screenshot_dir();

    // Search in traditional characters from the home page's form.
    client.goto(&server.url("/")).await.expect("home");
    let input = client
        .find(Locator::Css("input[name=q]"))
        .await
        .expect("query box");
    input.send_keys("依申請公開").await.expect("type");
    client
        .find(Locator::Css("form.search button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::Css("#total"))
        .await
        .expect("results");
    let total = number(&client, "#total").await;
    assert!(total > 10, "{total}");
    let kept = client
        .find(Locator::Css("input[name=q]"))
        .await
        .expect("query box")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        kept.as_deref(),
        Some("依申請公開"),
        "the box keeps the query"
    );
    let marks = texts(&client, "li.hit .snippet mark").await;
    assert!(
        marks.iter().any(|m| m == "依申请公开"),
        "simplified reports found: {marks:?}"
    );
    let years_before = texts(&client, "li.hit .year").await;

    // Click a year facet: fewer results, all of that year, the facet marked.
    let year_link = client
        .find(Locator::Css("details[data-facet=year] li a"))
        .await
        .expect("a year facet");
    let year = year_link
        .find(Locator::Css(".name"))
        .await
        .expect("name")
        .text()
        .await
        .expect("text");
    let facet_count: u64 = year_link
        .find(Locator::Css(".n"))
        .await
        .expect("count")
        .text()
        .await
        .expect("text")
        .replace(',', "")
        .parse()
        .expect("a number");
    year_link.click().await.expect("click the facet");
    client
        .wait()
        .for_element(Locator::Css(".active-filters .chip"))
        .await
        .expect("the filter chip");
    let filtered = number(&client, "#total").await;
    assert_eq!(filtered, facet_count, "the facet's count is the new total");
    assert!(filtered < total, "{filtered} < {total}");
    let years_after = texts(&client, "li.hit .year").await;
    assert!(!years_after.is_empty());
    assert!(
        years_after.iter().all(|y| y.starts_with(&year)),
        "only {year}: {years_after:?}"
    );
    assert_ne!(years_before, years_after, "the result list changed");
    let pressed = texts(
        &client,
        "details[data-facet=year] a[aria-current=true] .name",
    )
    .await;
    assert_eq!(pressed, std::slice::from_ref(&year));
    let shot = client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("search.png"), shot).expect("write search.png");

    // Open the first report: all its sections, the query highlighted.
    let title = texts(&client, "li.hit h3 a").await.remove(0);
    client
        .find(Locator::Css("li.hit h3 a"))
        .await
        .expect("a hit")
        .click()
        .await
        .expect("open the report");
    let h1 = client
        .wait()
        .for_element(Locator::Css("article.report h1"))
        .await
        .expect("report page")
        .text()
        .await
        .expect("title");
    assert_eq!(h1, title);
    let sections = texts(&client, "article.report section h2").await;
    assert!(sections.len() >= 7, "{sections:?}");
    let marks = texts(&client, "article.report section mark").await;
    assert!(!marks.is_empty(), "matches highlighted on the report page");
    let shot = client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("report.png"), shot).expect("write report.png");

    // The same search on a phone-sized window.
    client.set_window_size(390, 1000).await.expect("resize");
    client
        .goto(&server.url(&format!("/?q={}", enc("收費標準"))))
        .await
        .expect("search");
    let shot = client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("phone.png"), shot).expect("write phone.png");
    // Issue 18: at 390 px every page fits its width (wide tables scroll inside their own
    // box), and the first search result is on the first screen, above the facets.
    let phone_pages = [
        format!("/?q={}", enc("收費標準")),
        format!("/schools?q={}", enc("收费标准")),
        "/checklist".to_string(),
        "/scorecard".to_string(),
        "/coverage".to_string(),
        "/about".to_string(),
    ];
    for path in &phone_pages {
        client.goto(&server.url(path)).await.expect("page");
        let widths = client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .expect("widths");
        let (scroll, inner) = (
            widths[0].as_u64().unwrap_or(0),
            widths[1].as_u64().unwrap_or(0),
        );
        if inner == 0 || scroll > inner {
            let widest = client
                .execute(
                    "let w = '', m = 0; for (const e of document.querySelectorAll('body *')) { \
                       const r = e.getBoundingClientRect(); \
                       if (r.right > m) { m = r.right; \
                         w = e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40); } } \
                     return w + ' → ' + m;",
                    vec![],
                )
                .await
                .expect("widest");
            panic!(
                "{path} overflows a 390 px window: {scroll} px wide in {inner}; widest: {widest}"
            );
        }
    }
    client
        .goto(&server.url(&format!("/?q={}", enc("收費標準"))))
        .await
        .expect("search");
    let tops = client
        .execute(
            "const hit = document.querySelector('li.hit'); \
             const facets = document.querySelector('.facets'); \
             return [hit ? hit.getBoundingClientRect().top : -1, \
                     facets ? facets.getBoundingClientRect().top : 1e9, window.innerHeight]",
            vec![],
        )
        .await
        .expect("positions");
    let (hit, facets, height) = (
        tops[0].as_f64().unwrap_or(-1.0),
        tops[1].as_f64().unwrap_or(0.0),
        tops[2].as_f64().unwrap_or(0.0),
    );
    assert!(
        hit >= 0.0 && hit < height * 0.6,
        "first result at {hit} of {height}"
    );
    assert!(
        hit < facets,
        "results before the facets on a phone: {hit} vs {facets}"
    );

    // Coverage (issue 9): the demo's sources first — archived years, years not found on
    // a crawled site, the unreachable source — then registry institutions not crawled.
    client.set_window_size(1280, 1400).await.expect("resize");
    client
        .goto(&server.url("/coverage"))
        .await
        .expect("coverage");
    for status in ["archived", "not_found", "unreachable", "not_crawled"] {
        let marks = client
            .find_all(Locator::Css(&format!("table.coverage .cov-{status}")))
            .await
            .expect("cells");
        assert!(!marks.is_empty(), "no {status} cell on /coverage");
    }
    let shot = client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("coverage.png"), shot).expect("write coverage.png");

    client.close().await.expect("close the browser");
    eprintln!("screenshots in {}", shots.display());
    drop(driver);
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let entry = entry.expect("entry");
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), meta.len(), meta.modified().expect("mtime")));
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir` with its permission bits, for a failure message.
#[cfg(unix)]
fn unreadable_by_others(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut bad = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let entry = entry.expect("entry");
            let meta = entry.metadata().expect("metadata");
            let mode = meta.permissions().mode() & 0o777;
            let needed = if meta.is_dir() { 0o005 } else { 0o004 };
            if mode & needed != needed {
                bad.push(format!("{} {mode:o}", entry.path().display()));
            }
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    bad
}

/// Issue 22: under the usual umask (022) every file the data folder holds is readable
/// by others, the index's atomically written `meta.json` and `.managed.json` included;
/// a copy made read-only (`chmod -R a-w`) then serves as another user (`nobody`, when
/// the test may switch users: as root, with util-linux's `setpriv`).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_copy_serves_as_another_user() {
    use std::os::unix::fs::PermissionsExt;

    let data = tempfile::tempdir().expect("tempdir");
    let mut import = Command::new("sh");
    import
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(xxgk_bin())
        .arg("--data")
        .arg(data.path())
        .arg("import")
        .arg(fixture_reports());
    let out = import.output().expect("run import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = unreadable_by_others(data.path());
    assert!(bad.is_empty(), "not readable by others: {bad:?}");

    // The copy: binary and data in a folder others may enter, then nothing writable.
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = root.path().join("xxgk");
    std::fs::copy(xxgk_bin(), &bin).expect("copy binary");
    let copy = root.path().join("data");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(data.path())
        .arg(&copy)
        .status()
        .expect("cp");
    assert!(cp.success());
    let chmod = Command::new("chmod")
        .args(["-R", "a-w"])
        .arg(&copy)
        .status()
        .expect("chmod");
    assert!(chmod.success());

    let root_user = std::env::var("USER").is_ok_and(|u| u == "root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let setpriv = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(root_user && setpriv) {
        eprintln!("skipped the other user: switching users needs root and setpriv (the modes are checked above)");
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(&copy)
            .status();
        return;
    }
    let mut as_nobody = Command::new("setpriv");
    as_nobody
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .env("HOME", root.path());
    let server = Server::start_with(as_nobody, &copy, &["serve", "--read-only"]);
    let (status, results) =
        get_json(&server.url(&format!("/api/search?q={}", enc("收费标准")))).await;
    assert_eq!(status, 200, "{results}");
    assert!(results["total"].as_u64().unwrap_or(0) >= 3, "{results}");
    for path in ["/", "/about", "/coverage", "/api/stats"] {
        let (status, body) = get_text(&server.url(path)).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    assert!(server.terminate().success());
    // Let the temporary folder be removed.
    let _ = Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&copy)
        .status();
}

/// Issue 22 (DEPLOY.md): `xxgk snapshot DIR` writes a copy that serves read-only with
/// the same answers, refuses a folder that is not empty, and leaves nothing waiting.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_serves_read_only_with_the_same_answers() {
    let data = tempfile::tempdir().expect("tempdir");
    xxgk_ok(
        data.path(),
        &["import", fixture_reports().to_str().expect("path")],
    );
    let replica = tempfile::tempdir().expect("tempdir");
    let snap = replica.path().join("snap");
    let said = xxgk_ok(data.path(), &["snapshot", snap.to_str().expect("path")]);
    assert!(said.contains("snapshot of"), "{said}");
    let again = Command::new(xxgk_bin())
        .arg("--data")
        .arg(data.path())
        .arg("snapshot")
        .arg(&snap)
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let original = Server::start(data.path(), &["serve", "--read-only"]);
    let copy = Server::start(&snap, &["serve", "--read-only"]);
    let q = format!("/api/search?q={}", enc("收费标准"));
    let (_, a) = get_json(&original.url(&q)).await;
    let (status, b) = get_json(&copy.url(&q)).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(a["total"], b["total"]);
    assert!(b["total"].as_u64().unwrap_or(0) >= 3, "{b}");
    let (_, stats) = get_json(&copy.url("/api/stats")).await;
    assert_eq!(stats["pending_index"], 0, "{stats}");
    let (_, coverage) = get_json(&copy.url("/api/coverage?year=2020-2021")).await;
    assert!(
        coverage["totals"]["archived"].as_u64().unwrap_or(0) >= 1,
        "{coverage}"
    );
}

/// Issue 13: `serve --read-only` serves a copy without writing a byte in its folder (no
/// lock files, no journal, no schema work), and answers searches and coverage.
#[tokio::test(flavor = "multi_thread")]
async fn serve_read_only_writes_nothing() {
    let data = tempfile::tempdir().expect("tempdir");
    xxgk_ok(
        data.path(),
        &[
            "import",
            crate::common::fixture_reports().to_str().expect("path"),
        ],
    );
    let _ = std::fs::remove_file(data.path().join("writer.pid"));
    let before = snapshot(data.path());
    let server = Server::start(data.path(), &["serve", "--read-only"]);
    let (status, results) =
        get_json(&server.url(&format!("/api/search?q={}", enc("收费标准")))).await;
    assert_eq!(status, 200, "{results}");
    assert!(results["total"].as_u64().unwrap_or(0) >= 3, "{results}");
    let (status, coverage) = get_json(&server.url("/api/coverage?year=2020-2021")).await;
    assert_eq!(status, 200, "{coverage}");
    assert!(
        coverage["totals"]["archived"].as_u64().unwrap_or(0) >= 1,
        "{coverage}"
    );
    let (status, _) = get_text(&server.url("/about")).await;
    assert_eq!(status, 200);
    // While it serves (a normal serve has its SQLite journal files open here) and after.
    assert_eq!(
        before,
        snapshot(data.path()),
        "nothing in the folder changed"
    );
    assert!(server.terminate().success());
    assert_eq!(
        before,
        snapshot(data.path()),
        "nothing in the folder changed"
    );
}
