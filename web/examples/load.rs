//! HTTP load benchmark for `/api/search` and `/` on loopback: requests per second and
//! latency percentiles, printed as a table (with the embedded stylesheet as a baseline
//! for the HTTP stack alone).
//!
//! ```text
//! cargo run --release -p xxgk-web --example load                      # in-process server, generated corpus
//! cargo run --release -p xxgk-web --example load -- --index xxgk-data/index
//! cargo run --release -p xxgk-web --example load -- --url http://127.0.0.1:8080   # a running `xxgk serve`
//! ```
//!
//! Options: `--seconds N` per endpoint (default 5), `--connections N` (default 16),
//! `--reports N` for the generated corpus (default 2000). Each connection is one
//! keep-alive HTTP/1.1 client sending the next request as soon as the last one is
//! answered; queries rotate through both scripts and the query language.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use xxgk_index::{Engine, Report, Script, Section, SectionId};
use xxgk_web::AppState;

const QUERIES: [&str; 8] = [
    "收费标准",
    "依申請公開",
    "\"信息公开\"",
    "招生 OR 招聘",
    "财务 -预算",
    "毕业生就业",
    "評議",
    "举报 复议",
];

struct Options {
    url: Option<String>,
    index: Option<String>,
    seconds: u64,
    connections: usize,
    reports: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        url: None,
        index: None,
        seconds: 5,
        connections: 16,
        reports: 2000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => o.url = Some(value()?),
            "--index" => o.index = Some(value()?),
            "--seconds" => o.seconds = value()?.parse()?,
            "--connections" => o.connections = value()?.parse()?,
            "--reports" => o.reports = value()?.parse()?,
            other => bail!("unknown option {other}"),
        }
    }
    Ok(o)
}

/// A generated corpus: `n` reports of 7 sections from a small vocabulary of report
/// phrases, a tenth of them in traditional characters.
fn corpus(n: usize) -> Vec<Report> {
    const PHRASES: [&str; 16] = [
        "学校通过信息公开网主动公开收费标准和收费依据",
        "本学年共收到依申请公开申请若干件，均按时答复",
        "公开招生章程、招生计划和录取结果",
        "财务预算决算信息在规定时间内公开",
        "发布毕业生就业质量年度报告",
        "组织师生代表对信息公开工作进行评议",
        "未发生因信息公开受到举报、复议、诉讼的情况",
        "存在栏目更新不及时等问题，将加强培训",
        "公开教职工招聘信息和岗位要求",
        "仪器设备采购信息按规定公示",
        "重点领域信息公开清单逐项落实",
        "学位授予信息和研究生招生信息及时发布",
        "本學年主動公開收費標準及收費項目",
        "收到依申請公開申請，已全部答復",
        "信息公開工作領導小組召開專題會議",
        "校园安全与突发事件应对信息公开",
    ];
    let sections = [
        (SectionId::Overview, "一、概述"),
        (SectionId::Proactive, "二、主动公开情况"),
        (SectionId::OnRequest, "三、依申请公开和不予公开情况"),
        (SectionId::Appraisal, "四、评议情况"),
        (SectionId::Complaints, "五、举报、复议、诉讼情况"),
        (SectionId::Improvements, "六、存在的主要问题及改进情况"),
        (SectionId::Other, "七、其他需要报告的事项"),
    ];
    (0..n)
        .map(|i| {
            let school = format!("第{}测试大学", i % 300);
            let year = 2015 + (i % 8);
            let url = format!("http://load.invalid/{i}.htm");
            Report {
                id: Report::id_for_url(&url),
                school: school.clone(),
                year: Some(format!("{year}-{}", year + 1)),
                title: format!("{school}{year}-{}学年信息公开年度报告", year + 1),
                published: Some(format!("{}-10-{:02}", year + 1, 1 + i % 28)),
                url,
                script: if i % 10 == 0 {
                    Script::Traditional
                } else {
                    Script::Simplified
                },
                content_hash: String::new(),
                province: None,
                kind: None,
                sections: sections
                    .iter()
                    .enumerate()
                    .map(|(k, (id, heading))| {
                        let text: Vec<&str> = (0..12)
                            .map(|j| PHRASES[(i * 7 + k * 5 + j * 3) % PHRASES.len()])
                            .collect();
                        Section {
                            id: *id,
                            heading: (*heading).to_string(),
                            text: text.join("。") + "。",
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

async fn worker(
    addr: String,
    host: String,
    path: &'static str,
    start: usize,
    until: Instant,
) -> anyhow::Result<Tally> {
    let stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut tally = Tally::default();
    let mut i = start;
    while Instant::now() < until {
        let q: String =
            form_urlencoded::byte_serialize(QUERIES[i % QUERIES.len()].as_bytes()).collect();
        let page = 1 + (i / QUERIES.len()) % 3;
        i += 1;
        let req = Request::get(format!("{path}?q={q}&page={page}"))
            .header(hyper::header::HOST, &host)
            .body(Empty::<Bytes>::new())?;
        let t0 = Instant::now();
        sender.ready().await?;
        let res = sender.send_request(req).await?;
        let ok = res.status().is_success();
        res.into_body().collect().await?;
        tally.latencies.push(t0.elapsed());
        if !ok {
            tally.errors += 1;
        }
    }
    Ok(tally)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let o = options()?;
    let (base, what) = match &o.url {
        Some(url) => (
            url.trim_end_matches('/').to_string(),
            format!("server at {url}"),
        ),
        None => {
            let (engine, what) = match &o.index {
                Some(dir) => (
                    Engine::open_or_create(dir.as_ref())?,
                    format!("index {dir}"),
                ),
                None => {
                    let engine = Engine::create_in_ram()?;
                    let mut w = engine.writer(2)?;
                    for r in corpus(o.reports) {
                        w.upsert(&r)?;
                    }
                    w.commit()?;
                    engine.reload()?;
                    (engine, format!("generated corpus of {} reports", o.reports))
                }
            };
            let stats = engine.stats()?;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            tokio::spawn(xxgk_web::serve(
                listener,
                AppState::new(engine),
                std::future::pending(),
            ));
            (
                format!("http://{addr}"),
                format!("in-process server, {what} ({} sections)", stats.sections),
            )
        }
    };
    let hostport = base
        .strip_prefix("http://")
        .context("only http:// URLs")?
        .to_string();
    println!(
        "load: {what}; {} connections, {} s per endpoint, {} cores",
        o.connections,
        o.seconds,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!(
        "| endpoint          | requests | errors | req/s   | p50 ms | p90 ms | p99 ms | max ms |"
    );
    println!(
        "|-------------------|---------:|-------:|--------:|-------:|-------:|-------:|-------:|"
    );
    // The stylesheet is the baseline: HTTP and routing without a search.
    for path in ["/api/search", "/", "/assets/style.css"] {
        // Warm up caches and the connection pool's first searches.
        let warm = Instant::now() + Duration::from_millis(500);
        let _ = worker(hostport.clone(), hostport.clone(), path, 0, warm).await?;
        let started = Instant::now();
        let until = started + Duration::from_secs(o.seconds);
        let tasks: Vec<_> = (0..o.connections)
            .map(|c| {
                tokio::spawn(worker(
                    hostport.clone(),
                    hostport.clone(),
                    path,
                    c * 5,
                    until,
                ))
            })
            .collect();
        let mut all = Tally::default();
        for t in tasks {
            let tally = t.await??;
            all.latencies.extend(tally.latencies);
            all.errors += tally.errors;
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.latencies.sort_unstable();
        let n = all.latencies.len();
        println!(
            "| {:<17} | {:>8} | {:>6} | {:>7.0} | {:>6} | {:>6} | {:>6} | {:>6} |",
            path,
            n,
            all.errors,
            n as f64 / elapsed,
            ms(percentile(&all.latencies, 50.0)),
            ms(percentile(&all.latencies, 90.0)),
            ms(percentile(&all.latencies, 99.0)),
            ms(all.latencies.last().copied().unwrap_or_default()),
        );
    }
    Ok(())
}
