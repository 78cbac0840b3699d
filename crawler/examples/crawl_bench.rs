//! Crawl throughput: a generated disclosure web on 127.0.0.1 (SITES schools, each a
//! paginated report list and REPORTS report pages), crawled by the real crawler with
//! politeness delays off, into a real archive (indexing is measured by `xxgk bench`). Prints pages/s and the
//! process's peak resident memory (the fixture servers run in the same process, so the
//! figure is an upper bound for the crawler).
//!
//! ```text
//! cargo run --release -p xxgk-crawler --example crawl_bench [SITES] [REPORTS_PER_SITE]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use xxgk_archive::sources::Source;
use xxgk_archive::Archive;
use xxgk_crawler::crawl::{CrawlOptions, Crawler, LogProgress, Mode};
use xxgk_crawler::fetch::{FetchConfig, Fetcher};

const PER_LIST: usize = 20;

struct Site {
    school: String,
    reports: usize,
}

fn html(body: String) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
}

/// List page `n` (1-based) counting up, WebPlus style: `/list.htm`, `/list2.htm` …
async fn list(State(site): State<Arc<Site>>, Path(name): Path<String>) -> impl IntoResponse {
    let n: usize = name
        .trim_start_matches("list")
        .trim_end_matches(".htm")
        .parse()
        .unwrap_or(1)
        .max(1);
    let pages = site.reports.div_ceil(PER_LIST);
    let mut out = String::from(
        "<html><head><meta charset=utf-8><title>信息公开年度报告</title></head><body>\
         <div class=nav><a href=/list.htm>年度报告</a></div><ul>",
    );
    for i in (n - 1) * PER_LIST..(n * PER_LIST).min(site.reports) {
        out.push_str(&format!(
            "<li><a href=\"/info/{i}.htm\">{}{}-{}学年信息公开工作年度报告（第{i}号）</a></li>",
            site.school,
            2000 + i % 20,
            2001 + i % 20
        ));
    }
    out.push_str("</ul>");
    if n < pages {
        out.push_str(&format!("<a href=\"/list{}.htm\">下一页</a>", n + 1));
    }
    out.push_str("</body></html>");
    html(out)
}

async fn report(State(site): State<Arc<Site>>, Path(name): Path<String>) -> impl IntoResponse {
    let i: usize = name.trim_end_matches(".htm").parse().unwrap_or(0);
    let (y1, y2) = (2000 + i % 20, 2001 + i % 20);
    let title = format!(
        "{}{y1}-{y2}学年信息公开工作年度报告（第{i}号）",
        site.school
    );
    let mut body = String::new();
    for (k, h) in [
        "一、概述",
        "二、主动公开情况",
        "三、依申请公开和不予公开情况",
        "四、对信息公开的评议情况",
        "五、存在的主要问题及改进措施",
    ]
    .iter()
    .enumerate()
    {
        body.push_str(&format!("<p>{h}</p>"));
        for j in 0..4 {
            body.push_str(&format!(
                "<p>{}在{y1}-{y2}学年第{k}部分第{j}段：学校主动公开收费标准、招生信息、财务预算决算信息共{}条，\
                 依申请公开{}件均按时答复，师生评议满意。</p>",
                site.school,
                100 + (i * 7 + j) % 900,
                (i + j) % 9
            ));
        }
    }
    html(format!(
        "<html><head><meta charset=utf-8><meta name=ArticleTitle content=\"{title}\">\
         <meta name=PubDate content=\"{y2}-10-20 09:00\"><title>{title}</title></head><body>\
         <div class=position>您的位置：首页 &gt; 年度报告</div><h1>{title}</h1>\
         <div id=vsb_content><div class=v_news_content>{body}</div></div>\
         <div class=footer>版权所有</div></body></html>"
    ))
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let sites: usize = args.next().map_or(Ok(10), |a| a.parse())?;
    let reports: usize = args.next().map_or(Ok(500), |a| a.parse())?;
    let mut schools = Vec::new();
    for s in 0..sites {
        let site = Arc::new(Site {
            school: format!("基准测试第{s}大学"),
            reports,
        });
        let app = Router::new()
            .route("/{name}", get(list))
            .route("/info/{name}", get(report))
            .with_state(site.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        schools.push(Source {
            name: site.school.clone(),
            start: vec![format!("http://{addr}/list.htm")],
            ..Source::default()
        });
    }
    let lists = reports.div_ceil(PER_LIST);
    let expected_pages = sites * (reports + lists);
    let dir = tempfile::tempdir()?;
    let store = Archive::open(&dir.path().join("xxgk.sqlite"))?;
    let fetcher = Fetcher::new(FetchConfig {
        delay: Duration::ZERO,
        ..FetchConfig::default()
    })?;
    let opts = CrawlOptions {
        max_pages: reports + lists + 10,
        parallel_schools: sites,
        ..CrawlOptions::default()
    };
    let crawler = Crawler::new(store, fetcher, opts);
    let started = Instant::now();
    let summary = crawler
        .run(schools, Mode::Crawl, Arc::new(LogProgress))
        .await?;
    let elapsed = started.elapsed();
    let rss = peak_rss_kib();
    let store = Archive::open(&dir.path().join("xxgk.sqlite"))?;
    let db_size = std::fs::metadata(dir.path().join("xxgk.sqlite"))?.len()
        + std::fs::metadata(dir.path().join("xxgk.sqlite-wal")).map_or(0, |m| m.len());
    println!("crawl benchmark: {sites} loopback sites x ({reports} reports + {lists} list pages), politeness delay 0");
    println!("  summary:        {summary}");
    println!(
        "  pages:          {} fetched (expected {expected_pages}), {} reports stored",
        summary.fetched,
        store.count_reports()?
    );
    println!("  time:           {:.2} s", elapsed.as_secs_f64());
    println!(
        "  throughput:     {:.0} pages/s",
        summary.fetched as f64 / elapsed.as_secs_f64()
    );
    match rss {
        Some(kib) => println!(
            "  peak RSS:       {:.1} MiB (whole process, servers included)",
            kib as f64 / 1024.0
        ),
        None => println!("  peak RSS:       unknown (no /proc/self/status)"),
    }
    println!(
        "  store on disk:  {:.1} MiB",
        db_size as f64 / (1024.0 * 1024.0)
    );
    if summary.fetched < expected_pages || !summary.errors.is_empty() {
        return Err(format!("incomplete crawl: {summary}").into());
    }
    Ok(())
}
