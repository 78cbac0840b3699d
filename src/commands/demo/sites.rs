//! The demo's sample disclosure sites: report texts laid out as the CMS families the
//! crawler reads (VSB, WebPlus, TRS, Hanweb, attachments only; one site that redirects and
//! frames its content), served on loopback and crawled by the real crawler.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use xxgk_archive::sources::Source;
use xxgk_crawler::crawl::{Mode, Progress, Summary};

use crate::commands::crawl::{crawl_schools, runtime, CrawlSettings};

/// One school's pages for [`serve_sample_sites`]: report texts as a reader copies them
/// off the page (the first line is the title), each with its path on the site.
#[derive(Debug, Clone)]
pub struct SampleSite {
    pub school: String,
    pub province: Option<String>,
    pub kind: Option<String>,
    /// (path such as `/info/2021/1234.htm`, report text)
    pub reports: Vec<(String, String)>,
}

/// Sample disclosure sites served on 127.0.0.1, one port (so one host) per school, for as
/// long as this value lives.
pub struct SampleSites {
    runtime: tokio::runtime::Runtime,
    /// The schools with their loopback start pages, ready to crawl.
    pub schools: Vec<Source>,
}

impl std::fmt::Debug for SampleSites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleSites")
            .field("schools", &self.schools)
            .finish_non_exhaustive()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The pages of one sample site: a report list at `/` linking every report, each report
/// a VSB-style article page.
/// One served page: its content type and body.
type SamplePages = std::collections::HashMap<String, (&'static str, String)>;

const HTML: &str = "text/html; charset=utf-8";

/// How a sample site is laid out: the CMS families the crawler reads (see
/// `tests/fixtures/sites/README.md`), one per school in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// 博达 VSB: a list of reports, `#vsb_content .v_news_content` articles.
    Vsb,
    /// Sudy WebPlus: a home page whose news list starts with the latest report, the
    /// column at `/xxgk/list.htm`, `.wp_articlecontent` articles.
    WebPlus,
    /// TRS WCM: the column's pages written by `createPageHTML`, `.TRS_Editor` articles.
    Trs,
    /// 大汉 Hanweb: the column's records inside `<datastore>`, `#zoom` articles.
    Hanweb,
    /// Reports only as attachments: the list links `….doc` files (Word web pages).
    Attachments,
}

const LAYOUTS: [Layout; 5] = [
    Layout::Vsb,
    Layout::WebPlus,
    Layout::Trs,
    Layout::Hanweb,
    Layout::Attachments,
];

fn sample_site_pages(site: &SampleSite, layout: Layout) -> SamplePages {
    let school = escape(&site.school);
    let mut pages = SamplePages::new();
    let mut items = Vec::new();
    for (path, text) in &site.reports {
        let title = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .to_string();
        let body: String = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("<p>{}</p>\n", escape(l.trim())))
            .collect();
        let t = escape(&title);
        let page = match layout {
            Layout::Vsb => format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
                 <meta name=\"ArticleTitle\" content=\"{t}\"><title>{t}</title></head><body>\
                 <div class=\"position\">您的位置：首页 &gt; 年度报告</div>\
                 <div id=\"vsb_content\"><div class=\"v_news_content\">\n{body}</div></div>\
                 <div class=\"footer\">{school} 版权所有</div></body></html>"
            ),
            Layout::WebPlus => format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
                 <body><div class=\"wp_nav\"><a href=\"/\">首页</a></div><h1 class=\"arti_title\">{t}</h1>\
                 <div class=\"wp_articlecontent\">\n{body}</div></body></html>"
            ),
            Layout::Trs => format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{t}_{school}</title>\
                 <meta name=\"ArticleTitle\" content=\"{t}\"></head><body>\
                 <div class=\"TRS_Editor\">\n{body}</div></body></html>"
            ),
            Layout::Hanweb => format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{t} {school}</title>\
                 <meta name=\"ArticleTitle\" content=\"{t}\"></head><body>\
                 <table class=\"bt_content\"><tr><td><div id=\"zoom\">\n{body}</div></td></tr></table></body></html>"
            ),
            // Word's "web page" format under a .doc name, as old sites post reports.
            Layout::Attachments => format!(
                "<html xmlns:w=\"urn:schemas-microsoft-com:office:word\"><head>\
                 <meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">\
                 <meta name=ProgId content=Word.Document></head><body>\n{body}</body></html>"
            ),
        };
        let path = if layout == Layout::Attachments {
            format!("{}.doc", path.trim_end_matches(".htm"))
        } else {
            path.clone()
        };
        let ct = if layout == Layout::Attachments {
            "application/msword"
        } else {
            HTML
        };
        pages.insert(path.clone(), (ct, page));
        items.push((path, title));
    }
    let li = |(path, title): &(String, String), suffix: &str| {
        format!(
            "<li><a href=\"{}\" title=\"{t}{suffix}\">{t}{suffix}</a></li>",
            escape(path),
            t = escape(title)
        )
    };
    let list_page = |title: &str, list: String, tail: &str| {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><h1>{school}信息公开网</h1><ul>{list}</ul>{tail}</body></html>"
        )
    };
    match layout {
        Layout::Vsb | Layout::Attachments => {
            let suffix = if layout == Layout::Attachments {
                ".doc"
            } else {
                ""
            };
            let list: String = items.iter().map(|i| li(i, suffix)).collect();
            let title = format!("信息公开年度报告-{school}");
            pages.insert("/".into(), (HTML, list_page(&title, list, "")));
        }
        Layout::WebPlus => {
            // The home page's news list starts with the latest report: a start page all the
            // same. The column pages two reports at a time: list.htm, list2.htm …
            let latest = items.last().map(|i| li(i, "")).unwrap_or_default();
            let home = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{school}</title></head><body>\
                 <div class=\"wp_nav\"><a href=\"/\">首页</a><a href=\"/xxgk/list.htm\">信息公开</a></div>\
                 <div id=\"wp_news_w6\"><ul class=\"news_list\">{latest}\
                 <li><span class=\"news_title\"><a href=\"/news/1.htm\">学校举行开学典礼</a></span></li></ul></div></body></html>"
            );
            pages.insert("/".into(), (HTML, home));
            let chunks: Vec<&[(String, String)]> = items.chunks(2).collect();
            for (n, chunk) in chunks.iter().enumerate() {
                let list: String = chunk.iter().map(|i| li(i, "")).collect();
                let name = |k: usize| {
                    if k == 0 {
                        "/xxgk/list.htm".to_string()
                    } else {
                        format!("/xxgk/list{}.htm", k + 1)
                    }
                };
                let tail = if n + 1 < chunks.len() {
                    format!("<a class=\"next\" href=\"{}\">下一页</a>", name(n + 1))
                } else {
                    String::new()
                };
                pages.insert(name(n), (HTML, list_page("信息公开", list, &tail)));
            }
        }
        Layout::Trs => {
            // A home page that hands its content on, as real ones do (issue 19): a meta
            // refresh to a frameset whose main frame reaches the column only by the 更多
            // of a box headed 信息公开年度报告; the column's template defines its own
            // createPageHTML before calling it.
            let home = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
                 <meta http-equiv=\"Refresh\" content=\"0;URL='/portal/'\"><title>{school}</title></head><body></body></html>"
            );
            pages.insert("/".into(), (HTML, home));
            let frameset = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{school}</title></head>\
                 <frameset rows=\"100,*\"><frame src=\"top.htm\"><frame src=\"main.htm\" name=\"main\"></frameset></html>"
            );
            pages.insert("/portal/".into(), (HTML, frameset));
            let top = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{school}</title></head><body>\
                 <div class=\"logo\">{school}</div><a href=\"/portal/\" target=\"_top\">学校首页</a></body></html>"
            );
            pages.insert("/portal/top.htm".into(), (HTML, top));
            let latest = items.last().map(|i| li(i, "")).unwrap_or_default();
            let main = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{school}信息公开网</title></head><body>\
                 <div class=\"box\"><div class=\"hd\"><span>信息公开年度报告</span>\
                 <a href=\"/xxgk/ndbg/\">更多&gt;&gt;</a></div><ul>{latest}</ul></div></body></html>"
            );
            pages.insert("/portal/main.htm".into(), (HTML, main));
            let chunks: Vec<&[(String, String)]> = items.chunks(2).collect();
            for (n, chunk) in chunks.iter().enumerate() {
                let list: String = chunk.iter().map(|i| li(i, "")).collect();
                let script = format!(
                    "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {{\
                     for (var i = 1; i < _nPageCount; i++) document.write(_sPageName + \"_\" + i); }}\
                     createPageHTML({}, {n}, \"index\", \"html\");</script>",
                    chunks.len()
                );
                let name = if n == 0 {
                    "/xxgk/ndbg/".to_string()
                } else {
                    format!("/xxgk/ndbg/index_{n}.html")
                };
                pages.insert(name, (HTML, list_page("年度报告", list, &script)));
            }
        }
        Layout::Hanweb => {
            let home = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{school}</title></head><body>\
                 <div class=\"nav\"><a href=\"/col/col1/index.html\">信息公开</a></div></body></html>"
            );
            pages.insert("/".into(), (HTML, home));
            let records: String = items
                .iter()
                .map(|i| format!("<record><![CDATA[{}]]></record>", li(i, "")))
                .collect();
            let column = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>信息公开 {school}</title></head><body>\
                 <div id=\"1\"><script type=\"text/xml\"><datastore><recordset>{records}</recordset></datastore></script></div></body></html>"
            );
            pages.insert("/col/col1/index.html".into(), (HTML, column));
        }
    }
    pages
}

/// Serves `sites` on loopback (the demo's "sample disclosure sites").
pub fn serve_sample_sites(sites: &[SampleSite]) -> anyhow::Result<SampleSites> {
    serve_sample_sites_at(sites, &std::collections::BTreeMap::new())
}

/// [`serve_sample_sites`], each school's site on the port `ports` gives it where that
/// port is free (a second `demo` serves them where the stored reports' links point),
/// else on a free one.
pub fn serve_sample_sites_at(
    sites: &[SampleSite],
    ports: &std::collections::BTreeMap<String, u16>,
) -> anyhow::Result<SampleSites> {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;

    let runtime = runtime()?;
    let mut schools = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let pages = Arc::new(sample_site_pages(site, LAYOUTS[i % LAYOUTS.len()]));
        let wanted = ports.get(&site.school).copied();
        let listener = match wanted
            .map(|port| runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))))
        {
            Some(Ok(listener)) => listener,
            other => {
                if let (Some(port), Some(Err(e))) = (wanted, other) {
                    tracing::warn!(school = %site.school, port, error = %e,
                        "the sample site's old port is taken; its original-page links will not open");
                }
                runtime
                    .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                    .context("binding a sample site on 127.0.0.1")?
            }
        };
        let addr = listener.local_addr()?;
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let pages = pages.clone();
            async move {
                match pages.get(uri.path()) {
                    Some((ct, body)) => {
                        ([(header::CONTENT_TYPE, *ct)], body.clone()).into_response()
                    }
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "sample site stopped");
            }
        });
        schools.push(Source {
            name: site.school.clone(),
            province: site.province.clone(),
            kind: site.kind.clone(),
            start: vec![format!("http://{addr}/")],
            ..Source::default()
        });
    }
    Ok(SampleSites { runtime, schools })
}

/// The demo's source whose site cannot be reached, so that its coverage shows every status.
pub(crate) const DEMO_UNREACHABLE: &str = "湖南工商大学";

/// Serves `sites` on loopback and crawls them into `data` with the real crawler (no
/// politeness delay: the sites are ours). The sites keep being served while the returned
/// value lives, so the reports' "original page" links work meanwhile.
pub fn crawl_sample_sites(
    data: &Path,
    sites: &[SampleSite],
) -> anyhow::Result<(Summary, SampleSites)> {
    let served = serve_sample_sites(sites)?;
    let settings = CrawlSettings {
        max_pages: 500,
        max_depth: 4,
        delay_ms: 0,
        timeout: 10,
        connect_timeout: 5,
        retries: 1,
        backoff_ms: 100,
        max_body: 5 << 20,
        parallel: 8,
        json: false,
    };
    let quiet: Arc<dyn Progress> = Arc::new(xxgk_crawler::crawl::LogProgress);
    // One more source whose site cannot be reached (a loopback port nobody listens on),
    // for a registry school renamed since 2017: the demo's coverage shows every status.
    let mut schools = served.schools.clone();
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .context("finding a free port")?;
    schools.push(Source {
        name: DEMO_UNREACHABLE.into(),
        code: Some("4143010554".into()),
        aliases: vec!["湖南商学院".into()],
        province: Some("湖南".into()),
        start: vec![format!("http://127.0.0.1:{dead_port}/xxgk/")],
        ..Source::default()
    });
    let summary =
        served
            .runtime
            .block_on(crawl_schools(data, schools, Mode::Crawl, &settings, quiet))?;
    Ok((summary, served))
}
