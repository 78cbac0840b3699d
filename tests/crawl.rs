//! The crawler against a fixture disclosure web served on 127.0.0.1 (tests/fixtures/sites/,
//! our own writing): three schools in three layouts and encodings, robots.txt, a flaky
//! page, a slow one, a redirect loop, a huge page, dead links, attachments, a page that
//! changes, recrawls answered by 304, and a crawl killed with SIGKILL that resumes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use encoding_rs::Encoding;
use serde::Deserialize;
use xxgk_archive::sources::Sources;
use xxgk_archive::Archive;
use xxgk_crawler::crawl::{CrawlOptions, LogProgress, Mode, Summary};
use xxgk_crawler::fetch::FetchConfig;
use xxgk_index::{Engine, Script, SearchRequest};

use crate::common::{repo_root, xxgk};

/// How long the `slow` fault sleeps; the tests' request timeout is shorter.
const SLOW: Duration = Duration::from_secs(3);
const TIMEOUT: Duration = Duration::from_millis(1200);
const LAST_MODIFIED: &str = "Wed, 01 Nov 2023 08:00:00 GMT";

#[derive(Debug, Deserialize)]
struct SiteToml {
    name: String,
    encoding: String,
    header_charset: String,
    #[serde(default)]
    fault: Vec<Fault>,
    #[serde(default, rename = "override")]
    overrides: Vec<Override>,
    #[serde(default)]
    route: Vec<Route>,
}

/// A request with a query string served from a file: `path` and every `query` pair must
/// match (Hanweb's dataproxy.jsp, PHPCMS's index.php?…); with `form` pairs, only a POST
/// whose urlencoded body holds each of them matches (what Hanweb's jpage script sends).
#[derive(Debug, Clone, Deserialize)]
pub struct Route {
    path: String,
    #[serde(default)]
    query: Vec<String>,
    #[serde(default)]
    form: Vec<String>,
    file: String,
}

#[derive(Debug, Deserialize)]
struct Fault {
    path: String,
    kind: String,
}

#[derive(Debug, Deserialize)]
struct Override {
    path: String,
    header_charset: String,
}

/// One request as the fixture server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub start: Instant,
    pub end: Instant,
    pub status: u16,
    pub user_agent: String,
    pub method: String,
}

/// A fixture site being served, and what it saw.
pub struct Site {
    pub name: String,
    pub base: String,
    dir: PathBuf,
    encoding: &'static Encoding,
    header_charset: String,
    faults: HashMap<String, String>,
    overrides: HashMap<String, String>,
    /// The `changing` pages serve their `.v2` file once this is set.
    pub changed: AtomicBool,
    /// Paths that now answer 404.
    pub removed: Mutex<Vec<String>>,
    pub hits: Mutex<Vec<Hit>>,
    pub not_modified: AtomicUsize,
    /// Server-side delay on every page (the kill test's slow site).
    pub delay: Duration,
    routes: Vec<Route>,
    /// `{{name}}` in served HTML is replaced by the value (another site's base URL: two
    /// ports on loopback are two hosts of one school).
    pub placeholders: Mutex<Vec<(String, String)>>,
}

impl Site {
    pub fn hits_of(&self, path: &str) -> Vec<Hit> {
        let hits = self.hits.lock().expect("hits");
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }
    fn requested(&self, path: &str) -> bool {
        !self.hits_of(path).is_empty()
    }
}

/// Serves `tests/fixtures/sites/<dir>` on 127.0.0.1:0.
pub async fn serve_fixture(dir: &str) -> Arc<Site> {
    let dir = repo_root().join("tests/fixtures/sites").join(dir);
    let text = std::fs::read_to_string(dir.join("site.toml")).expect("site.toml");
    let cfg: SiteToml = toml::from_str(&text).expect("valid site.toml");
    let encoding = Encoding::for_label(cfg.encoding.as_bytes()).expect("known encoding");
    serve(Site {
        name: cfg.name,
        base: String::new(),
        dir,
        encoding,
        header_charset: cfg.header_charset,
        faults: cfg.fault.into_iter().map(|f| (f.path, f.kind)).collect(),
        overrides: cfg
            .overrides
            .into_iter()
            .map(|o| (o.path, o.header_charset))
            .collect(),
        changed: AtomicBool::new(false),
        removed: Mutex::new(Vec::new()),
        hits: Mutex::new(Vec::new()),
        not_modified: AtomicUsize::new(0),
        delay: Duration::ZERO,
        routes: cfg.route,
        placeholders: Mutex::new(Vec::new()),
    })
    .await
}

async fn serve(mut site: Site) -> Arc<Site> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    site.base = format!("http://{addr}");
    let site = Arc::new(site);
    let app = Router::new().fallback(handle).with_state(site.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    site
}

async fn handle(State(site): State<Arc<Site>>, req: Request) -> Response {
    let start = Instant::now();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let method = req.method().to_string();
    let headers = req.headers().clone();
    let form = match axum::body::to_bytes(req.into_body(), 1 << 20).await {
        Ok(b) if method == "POST" => Some(String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    };
    let previous = site.hits_of(&path).len();
    // Recorded on arrival: a request the client gives up on (timeout) is dropped midway.
    let slot = {
        let mut hits = site.hits.lock().expect("hits");
        hits.push(Hit {
            path: path.clone(),
            start,
            end: start,
            status: 0,
            user_agent,
            method,
        });
        hits.len() - 1
    };
    let resp = respond(&site, &path, &query, form.as_deref(), &headers, previous).await;
    if let Some(hit) = site.hits.lock().expect("hits").get_mut(slot) {
        hit.end = Instant::now();
        hit.status = resp.status().as_u16();
    }
    resp
}

fn status(code: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = code;
    r
}

async fn respond(
    site: &Site,
    path: &str,
    query: &str,
    form: Option<&str>,
    headers: &HeaderMap,
    previous: usize,
) -> Response {
    if !site.delay.is_zero() && path != "/robots.txt" {
        tokio::time::sleep(site.delay).await;
    }
    if site
        .removed
        .lock()
        .expect("removed")
        .iter()
        .any(|p| p == path)
    {
        return status(StatusCode::NOT_FOUND);
    }
    let mut file_path = path.to_string();
    match site.faults.get(path).map(String::as_str) {
        Some("slow") => tokio::time::sleep(SLOW).await,
        Some("flaky") if previous < 2 => {
            let mut r = status(StatusCode::SERVICE_UNAVAILABLE);
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
        Some(to) if to.starts_with("redirect_to ") => {
            let mut r = status(StatusCode::FOUND);
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(to.trim_start_matches("redirect_to ")).expect("location"),
            );
            return r;
        }
        Some("redirect_loop") => {
            let to = if query.is_empty() {
                format!("{path}?again")
            } else {
                path.to_string()
            };
            let mut r = status(StatusCode::FOUND);
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&to).expect("location"),
            );
            return r;
        }
        Some("huge") => {
            // 64 MiB, generated as it is sent, no Content-Length.
            let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 1 << 20])));
            let mut r = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            return r;
        }
        Some("endless") => {
            // A list that paginates forever: list_N.htm links list_{N+1}.htm.
            let n: u64 = query
                .strip_prefix("p=")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let body = format!(
                "<html><head><meta charset=utf-8><title>年度报告</title></head><body><ul>\
                 <li><a href=\"/news/{n}.htm\">第{n}页的新闻</a></li></ul>\
                 <a href=\"{path}?p={}\">下一页</a></body></html>",
                n + 1
            );
            let mut r = Response::new(Body::from(body));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            return r;
        }
        Some("changing") if site.changed.load(Ordering::SeqCst) => {
            if let Some((stem, ext)) = path.rsplit_once('.') {
                file_path = format!("{stem}.v2.{ext}");
            }
        }
        _ => {}
    }
    // VSB serves attachments from download.jsp?…&wbfileid=N.
    if path == "/system/_content/download.jsp" {
        let id = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("wbfileid="))
            .unwrap_or_default();
        let found = std::fs::read_dir(site.dir.join("files"))
            .ok()
            .and_then(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .find(|p| p.file_stem().is_some_and(|s| s == id))
            });
        return match found {
            Some(p) => file_response(site, &p, "application/octet-stream", None, headers),
            None => status(StatusCode::NOT_FOUND),
        };
    }
    if path.contains("..") {
        return status(StatusCode::BAD_REQUEST);
    }
    let pairs: Vec<&str> = query.split('&').collect();
    let posted: Vec<&str> = form.map(|f| f.split('&').collect()).unwrap_or_default();
    if let Some(route) = site.routes.iter().find(|r| {
        r.path == path
            && r.query.iter().all(|q| pairs.contains(&q.as_str()))
            && (r.form.is_empty() || form.is_some())
            && r.form.iter().all(|q| posted.contains(&q.as_str()))
    }) {
        file_path = format!("/{}", route.file);
    } else if file_path.ends_with('/') {
        file_path.push_str("index.html");
    }
    let file = site.dir.join(file_path.trim_start_matches('/'));
    if !file.is_file() || path.ends_with("site.toml") {
        return status(StatusCode::NOT_FOUND);
    }
    let is_html = [".htm", ".html", ".xml"]
        .iter()
        .any(|e| file_path.ends_with(e));
    if !is_html {
        return file_response(site, &file, "text/plain", None, headers);
    }
    let charset = site
        .overrides
        .get(path)
        .unwrap_or(&site.header_charset)
        .clone();
    file_response(site, &file, "text/html", Some(charset), headers)
}

fn file_response(
    site: &Site,
    file: &Path,
    content_type: &str,
    charset: Option<String>,
    headers: &HeaderMap,
) -> Response {
    let Ok(raw) = std::fs::read(file) else {
        return status(StatusCode::NOT_FOUND);
    };
    // HTML files are written in UTF-8 and served in the site's encoding.
    let body = match (&charset, std::str::from_utf8(&raw)) {
        (Some(_), Ok(text)) => {
            let mut text = text.to_string();
            for (name, value) in site.placeholders.lock().expect("placeholders").iter() {
                text = text.replace(&format!("{{{{{name}}}}}"), value);
            }
            site.encoding.encode(&text).0.into_owned()
        }
        _ => raw,
    };
    let etag = format!("\"{:016x}\"", fxhash(&body));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        site.not_modified.fetch_add(1, Ordering::SeqCst);
        let mut r = status(StatusCode::NOT_MODIFIED);
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).expect("etag"));
        return r;
    }
    let ct = match charset.as_deref() {
        Some(cs) if !cs.is_empty() => format!("{content_type}; charset={cs}"),
        _ => content_type.to_string(),
    };
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).expect("ct"),
    );
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("etag"));
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(LAST_MODIFIED),
    );
    r
}

/// FNV-1a: a stable hash for ETags.
fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// Fetch settings for tests: no politeness delay, short timeouts and backoff.
fn fetch_config() -> FetchConfig {
    FetchConfig {
        timeout: TIMEOUT,
        connect_timeout: Duration::from_secs(2),
        retries: 2,
        backoff: Duration::from_millis(50),
        max_body: 1 << 20,
        delay: Duration::ZERO,
        ..FetchConfig::default()
    }
}

struct Web {
    donghai: Arc<Site>,
    beiling: Arc<Site>,
    lingnan: Arc<Site>,
}

impl Web {
    async fn start() -> Web {
        Web {
            donghai: serve_fixture("donghai").await,
            beiling: serve_fixture("beiling").await,
            lingnan: serve_fixture("lingnan").await,
        }
    }

    fn sources(&self) -> String {
        format!(
            r#"
[[school]]
name = "东海理工大学"
province = "东海"
kind = "大学"
start = ["{}/index.htm"]

[[school]]
name = "北岭师范学院"
kind = "学院"
start = ["{}/main.htm"]

[[school]]
name = "嶺南藝術學院"
kind = "学院"
start = ["{}/index.html"]
"#,
            self.donghai.base, self.beiling.base, self.lingnan.base
        )
    }

    fn sites(&self) -> [&Arc<Site>; 3] {
        [&self.donghai, &self.beiling, &self.lingnan]
    }

    fn not_modified(&self) -> usize {
        self.sites()
            .iter()
            .map(|s| s.not_modified.load(Ordering::SeqCst))
            .sum()
    }
}

pub async fn crawl(data: &Path, sources: &str, mode: Mode) -> Summary {
    let schools = Sources::parse(sources).expect("sources").school;
    xxgk_app::crawl::crawl(
        &xxgk_app::data::DataDir::new(data),
        schools,
        mode,
        fetch_config(),
        CrawlOptions::default(),
        Arc::new(LogProgress),
    )
    .await
    .expect("crawl")
}

fn search(data: &Path, query: &str) -> Vec<(String, String)> {
    let engine = Engine::open_or_create(&data.join("index")).expect("index");
    let mut req = SearchRequest::new(query);
    req.limit = 50;
    let results = engine.search(&req).expect("search");
    results
        .hits
        .into_iter()
        .map(|h| (h.school, h.snippet_html))
        .collect()
}

/// The whole fixture web: layouts, encodings, faults, attachments; then a recrawl of the
/// unchanged web answered by 304s; then a changed page and a removed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crawl_recrawl_change_and_gone_on_the_fixture_web() {
    let web = Web::start().await;
    let data = tempfile::tempdir().expect("tempdir");
    let data = data.path();
    let sources = web.sources();

    let first = crawl(data, &sources, Mode::Crawl).await;
    eprintln!("first crawl: {first}");

    // --- what was found: 4 + 2 + 3 reports, school and year right -----------------
    let store = Archive::open(&data.join("xxgk.sqlite")).expect("store");
    let reports = store.reports().expect("reports");
    let mut found: Vec<(String, String)> = reports
        .iter()
        .map(|r| (r.school.clone(), r.year.clone().unwrap_or_default()))
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        ("东海理工大学", "2019-2020"),
        ("东海理工大学", "2020-2021"),
        ("东海理工大学", "2021-2022"),
        ("东海理工大学", "2022-2023"),
        ("北岭师范学院", "2020-2021"),
        ("北岭师范学院", "2021-2022"),
        ("嶺南藝術學院", "2018-2019"),
        ("嶺南藝術學院", "2019-2020"),
        ("嶺南藝術學院", "2020-2021"),
    ]
    .iter()
    .map(|(s, y)| (s.to_string(), y.to_string()))
    .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(first.new_reports, 9);
    assert_eq!(first.indexed, 9);

    // Report text: the CMS content without page furniture, sections split.
    let by_url = |url: &str| {
        reports
            .iter()
            .find(|r| r.url == url)
            .unwrap_or_else(|| panic!("no report from {url}"))
    };
    let vsb = by_url(&format!("{}/info/1044/1002.htm", web.donghai.base));
    assert_eq!(vsb.title, "东海理工大学2021-2022学年信息公开工作年度报告");
    assert_eq!(vsb.published.as_deref(), Some("2022-10-22"));
    assert!(vsb.sections.iter().any(|s| s.id.as_str() == "on_request"));
    let all_text = |r: &xxgk_index::Report| {
        r.sections
            .iter()
            .map(|s| format!("{}\n{}", s.heading, s.text))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for noise in ["_showDynClicks", "点击次数", "版权所有", "分享到", "上一条"] {
        assert!(
            !all_text(vsb).contains(noise),
            "{noise} in {}",
            all_text(vsb)
        );
    }
    // Attachments (.xlsx and .docx behind download.jsp) appended to the report.
    let with_att = all_text(by_url(&format!("{}/info/1044/1001.htm", web.donghai.base)));
    assert!(with_att.contains("学生宿舍住宿费收费标准"), "{with_att}");
    assert!(with_att.contains("毕业生就业质量年度报告"), "{with_att}");
    // GBK (WebPlus) with header charset, and with a lying meta and no header charset.
    for page in [
        "/2021/1028/c1234a5678/page.htm",
        "/2022/1020/c1234a5679/page.htm",
    ] {
        let r = by_url(&format!("{}{page}", web.beiling.base));
        assert_eq!(r.school, "北岭师范学院");
        assert!(
            all_text(r).contains("收费标准、收费依据和投诉电话"),
            "{page}"
        );
        assert!(!all_text(r).contains('\u{FFFD}'), "{page}");
    }
    // Big5, traditional, plain layout (readability fallback).
    let big5 = by_url(&format!("{}/reports/2021.html", web.lingnan.base));
    assert_eq!(big5.script, Script::Traditional);
    assert!(all_text(big5).contains("依申請公開"));
    assert!(!all_text(big5).contains("返回首頁"));

    // --- faults ---------------------------------------------------------------------
    assert_eq!(first.errors.get("robots"), Some(&1), "{first:?}");
    assert!(!web.donghai.requested("/private/1098.htm"));
    assert!(web.donghai.requested("/robots.txt"));
    assert_eq!(first.errors.get("not_found"), Some(&2), "{first:?}");
    assert_eq!(first.errors.get("timeout"), Some(&1), "{first:?}");
    assert_eq!(
        web.lingnan.hits_of("/slow.html").len(),
        3,
        "first try and two retries"
    );
    assert_eq!(first.errors.get("redirects"), Some(&1), "{first:?}");
    assert_eq!(first.errors.get("too_large"), Some(&1), "{first:?}");
    // 503 twice, then fine; the retries waited for Retry-After: 1.
    let flaky = web.lingnan.hits_of("/flaky.html");
    assert_eq!(
        flaky.iter().map(|h| h.status).collect::<Vec<_>>(),
        [503, 503, 200]
    );
    for pair in flaky.windows(2) {
        let gap = pair[1].start.duration_since(pair[0].end);
        assert!(
            gap >= Duration::from_millis(950),
            "Retry-After not honoured: {gap:?}"
        );
    }
    // Politeness: never two requests at once to one host; an honest User-Agent.
    for site in web.sites() {
        let mut hits = site.hits.lock().expect("hits").clone();
        hits.sort_by_key(|h| h.start);
        // (The slow page's handler outlives the client's timeout: it may still be sleeping
        // when the next request arrives, which is the point of a timeout.)
        hits.retain(|h| h.status != 0 && h.path != "/slow.html");
        for pair in hits.windows(2) {
            assert!(
                pair[1].start >= pair[0].end,
                "{}: {} and {} overlapped",
                site.name,
                pair[0].path,
                pair[1].path
            );
        }
        assert!(hits.iter().all(|h| h.user_agent.starts_with("xxgk/")));
    }
    // Every distinct document is stored once per version; the fetch log has the faults.
    let versions_1001 = store
        .page_versions(&format!("{}/info/1044/1001.htm", web.donghai.base))
        .expect("versions");
    assert_eq!(versions_1001.len(), 1);
    let logged = store
        .fetch_log(&format!("{}/flaky.html", web.lingnan.base))
        .expect("log")
        .iter()
        .filter(|e| e.error_kind.as_deref() == Some("http_503"))
        .count();
    assert_eq!(logged, 2);
    // The index has them all.
    let hits = search(data, "住宿费收费标准");
    assert!(hits.iter().any(|(s, _)| s == "东海理工大学"), "{hits:?}");
    let hits = search(data, "依申请公开");
    for school in ["东海理工大学", "北岭师范学院", "嶺南藝術學院"] {
        assert!(
            hits.iter().any(|(s, _)| s == school),
            "{school} missing: {hits:?}"
        );
    }

    // --- recrawl, nothing changed: 304s ------------------------------------------------
    let before_304 = web.not_modified();
    let second = crawl(data, &sources, Mode::Recrawl).await;
    eprintln!("recrawl: {second}");
    let served_304 = web.not_modified() - before_304;
    let stored_docs = store.archive_counts().expect("count").stored_documents;
    assert_eq!(
        served_304, stored_docs,
        "every stored page and attachment answered 304"
    );
    assert_eq!(second.not_modified, served_304);
    assert_eq!(second.new_versions, 0);
    assert_eq!(second.new_reports + second.changed_reports, 0);

    // --- a page changes, another disappears ---------------------------------------------
    web.donghai.changed.store(true, Ordering::SeqCst);
    web.beiling
        .removed
        .lock()
        .expect("removed")
        .push("/2021/1028/c1234a5678/page.htm".into());
    let third = crawl(data, &sources, Mode::Recrawl).await;
    eprintln!("after the change: {third}");
    assert_eq!(third.changed_reports, 1);
    assert_eq!(third.new_versions, 1);
    assert_eq!(third.gone, 1);
    let changed_url = format!("{}/info/1044/1003.htm", web.donghai.base);
    let versions = store.page_versions(&changed_url).expect("versions");
    assert_eq!(versions.len(), 2, "both versions kept");
    let old = store
        .report_of_version(versions[0].id)
        .expect("v1")
        .expect("report");
    let new = store
        .report_of_version(versions[1].id)
        .expect("v2")
        .expect("report");
    assert!(!all_text(&old).contains("宿舍住宿费收费标准调整"));
    assert!(all_text(&new).contains("宿舍住宿费收费标准调整"));
    let hits = search(data, "住宿费收费标准调整");
    assert!(
        hits.iter()
            .any(|(s, snip)| s == "东海理工大学" && snip.contains("<mark>")),
        "{hits:?}"
    );
    let gone_url = format!("{}/2021/1028/c1234a5678/page.htm", web.beiling.base);
    let page = store.page(&gone_url).expect("page").expect("known");
    assert!(page.gone);
    assert_eq!(
        store.page_versions(&gone_url).expect("versions").len(),
        1,
        "versions kept"
    );
    assert_eq!(store.count_reports().expect("count"), 9);
}

/// `xxgk crawl` and `xxgk recrawl` from the command line, with `--school` and `--json`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_and_recrawl_from_the_cli() {
    let web = Web::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sources = dir.path().join("sources.toml");
    std::fs::write(&sources, web.sources()).expect("write sources");
    let fast = [
        "--delay-ms",
        "0",
        "--timeout",
        "2",
        "--retries",
        "1",
        "--backoff-ms",
        "50",
        "--json",
    ];
    let run = |args: Vec<String>| {
        let data = data.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                xxgk(&data, &args)
            })
            .await
            .expect("join")
        }
    };
    let mut args: Vec<String> = ["crawl", "--sources"].map(String::from).to_vec();
    args.push(sources.display().to_string());
    args.extend(["--school", "北岭师范学院"].map(String::from));
    args.extend(fast.map(String::from));
    let out = run(args).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["new_reports"], 2, "{summary}");
    // Progress went to stderr as plain lines (not a terminal).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("北岭师范学院\treport new"), "{stderr}");
    assert!(
        !web.donghai.requested("/index.htm"),
        "--school limits the crawl"
    );
    // Issue 19: every fetched page is kept with what the crawler judged it to be.
    let kinds = Archive::open(&data.join("xxgk.sqlite"))
        .expect("archive")
        .page_kinds("北岭师范学院", 10)
        .expect("kinds");
    let kinds_seen: Vec<&str> = kinds.counts.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds_seen.contains(&"list"), "{kinds:?}");
    assert!(
        kinds_seen.contains(&"article") || kinds_seen.contains(&"notice"),
        "{kinds:?}"
    );

    let mut args: Vec<String> = vec!["recrawl".into(), "--all".into()];
    args.extend(fast.map(String::from));
    let out = run(args).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["not_modified"], 5, "{summary}");
    assert_eq!(web.beiling.not_modified.load(Ordering::SeqCst), 5);

    let out = run(vec!["search".into(), "收费标准".into(), "--json".into()]).await;
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(results["total"].as_u64().unwrap_or(0) >= 2, "{results}");

    // `xxgk stats` reports the archive next to the reports.
    let out = run(vec!["stats".into()]).await;
    let stats = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(stats.contains("stored reports: 2"), "{stats}");
    assert!(stats.contains("last crawl finished: 20"), "{stats}");
    let pages: usize = stats
        .lines()
        .find_map(|l| l.strip_prefix("archive: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("archive line");
    assert!(pages >= 5, "{stats}");

    // User errors: one clear line, non-zero exit.
    let out = run(vec!["recrawl".into()]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--school"));
    let missing = dir.path().join("none.toml").display().to_string();
    let out = run(vec!["crawl".into(), "--sources".into(), missing]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read sources file"));
    let mut args: Vec<String> = ["crawl", "--sources"].map(String::from).to_vec();
    args.push(sources.display().to_string());
    args.extend(["--school", "不存在大学"].map(String::from));
    let out = run(args).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no school named 不存在大学"));
}

/// A generated slow site (every page takes 150 ms) with `n` reports on one list.
async fn slow_site(n: usize) -> Arc<Site> {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    let school = "慢速测试大学";
    let mut list =
        String::from("<html><head><meta charset=utf-8><title>年度报告</title></head><body><ul>");
    for i in 0..n {
        let y = 1990 + i;
        let title = format!("{school}{y}-{}学年信息公开工作年度报告", y + 1);
        list.push_str(&format!("<li><a href=\"/r/{i}.htm\">{title}</a></li>"));
        let page = format!(
            "<html><head><meta charset=utf-8><title>{title}</title></head><body>\
             <h1>{title}</h1><div class=\"v_news_content\"><p>一、概述</p>\
             <p>{school}第{i}号报告正文，收费标准已公开。</p><p>二、主动公开情况</p>\
             <p>主动公开信息{i}条。</p></div></body></html>"
        );
        std::fs::create_dir_all(dir.join("r")).expect("mkdir");
        std::fs::write(dir.join(format!("r/{i}.htm")), page).expect("write");
    }
    list.push_str("</ul></body></html>");
    std::fs::write(dir.join("index.htm"), list).expect("write");
    serve(Site {
        name: school.into(),
        base: String::new(),
        dir,
        encoding: encoding_rs::UTF_8,
        header_charset: "utf-8".into(),
        faults: HashMap::new(),
        overrides: HashMap::new(),
        changed: AtomicBool::new(false),
        removed: Mutex::new(Vec::new()),
        hits: Mutex::new(Vec::new()),
        not_modified: AtomicUsize::new(0),
        delay: Duration::from_millis(150),
        routes: Vec::new(),
        placeholders: Mutex::new(Vec::new()),
    })
    .await
}

/// kill -9 in the middle of a crawl loses nothing stored; the next run resumes where it
/// stopped (no page fetched twice but the one in flight) and indexes everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_crawl_resumes_without_loss_or_duplicates() {
    const N: usize = 40;
    let site = slow_site(N).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sources = dir.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!(
            "[[school]]\nname = \"慢速测试大学\"\nstart = [\"{}/index.htm\"]\n",
            site.base
        ),
    )
    .expect("sources");
    let (data_arg, sources_arg) = (data.display().to_string(), sources.display().to_string());
    let args = move |json: bool| {
        let mut a = vec![
            "--data".to_string(),
            data_arg.clone(),
            "crawl".into(),
            "--sources".into(),
            sources_arg.clone(),
            "--delay-ms".into(),
            "0".into(),
        ];
        if json {
            a.push("--json".into());
        }
        a
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args(false))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn xxgk");
    // Let it store about a third of the reports, then SIGKILL it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while site.hits.lock().expect("hits").len() < N / 3 {
        assert!(Instant::now() < deadline, "the crawl did not get going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let before: Vec<Hit> = site.hits.lock().expect("hits").clone();
    let stored_before = Archive::open(&data.join("xxgk.sqlite"))
        .expect("store")
        .count_reports()
        .expect("count");
    assert!(
        stored_before > 0 && stored_before < N,
        "killed mid-crawl: {stored_before}"
    );

    let data2 = data.clone();
    let rerun = args(true);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(rerun)
            .env("RUST_LOG", "warn")
            .output()
            .expect("rerun")
    })
    .await
    .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["resumed"], 1, "{summary}");

    let store = Archive::open(&data2.join("xxgk.sqlite")).expect("store");
    assert_eq!(store.count_reports().expect("count"), N, "nothing lost");
    // Each report page has exactly one version, and was fetched again only if it was in
    // flight when the crawl was killed.
    let hits = site.hits.lock().expect("hits").clone();
    let mut twice = 0;
    for i in 0..N {
        let path = format!("/r/{i}.htm");
        let n = hits.iter().filter(|h| h.path == path).count();
        assert!((1..=2).contains(&n), "{path} fetched {n} times");
        if n == 2 {
            twice += 1;
            assert!(before.iter().any(|h| h.path == path), "{path}");
        }
        let url = format!("{}{path}", site.base);
        assert_eq!(
            store.page_versions(&url).expect("versions").len(),
            1,
            "{path}"
        );
    }
    assert!(twice <= 1, "{twice} pages fetched twice");
    assert!(
        hits.iter().filter(|h| h.path == "/index.htm").count() <= 2,
        "the list page was not refetched on every run"
    );
    // The index got every report, including those stored before the kill.
    let engine = Engine::open_or_create(&data2.join("index")).expect("index");
    assert_eq!(engine.stats().expect("stats").reports, N);
}

/// The shipped example sources file parses: 53 real disclosure sites.
#[test]
fn the_example_sources_file_parses() {
    let sources = Sources::load(&repo_root().join("sources.example.toml")).expect("parses");
    assert_eq!(sources.school.len(), 53);
    assert!(sources.school.iter().all(|s| s.start_urls().is_ok()));
    // Every source links to an institution: all but the one opened after 2017 to a
    // registry row, by name or by code.
    let archive = Archive::open_in_memory().expect("archive");
    archive.sync_sources(&sources.school).expect("links");
    let institutions = archive.institutions(&Default::default()).expect("list");
    let own: Vec<&str> = institutions
        .iter()
        .filter(|i| i.code.is_none())
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(own, ["合肥经济学院"]);
    let linked = institutions
        .iter()
        .filter(|i| !i.sources.is_empty())
        .count();
    assert_eq!(linked, 53);
}
