//! The HTTP load generator (`xxgk bench run --http`): keep-alive HTTP/1.1 connections on
//! loopback, each sending its next request as soon as the last is answered, for a fixed
//! time. It runs on one thread (a current-thread runtime), so its CPU is bounded and
//! measured: on a 2-core machine it shares the cores with the server, and the report says
//! how much it took.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;

use crate::stats::{nearest_rank, Percentiles};
use crate::sys::{proc_cpu_secs, process_cpu_secs};
use crate::{Error, Result};

/// One load run against one server.
#[derive(Debug, Clone, Serialize)]
pub struct LoadRun {
    /// What was asked: the path without its rotating query, e.g. `/api/search`.
    pub endpoint: String,
    pub connections: usize,
    pub seconds: f64,
    pub requests: usize,
    /// Answers other than 2xx, and connection failures.
    pub errors: usize,
    pub req_per_s: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// CPU seconds of the load generator itself (this process) during the run.
    pub generator_cpu_secs: f64,
    /// CPU seconds of the server process during the run, when its pid is known.
    pub server_cpu_secs: Option<f64>,
    /// The server's peak RSS after the run, when known.
    pub server_peak_rss: Option<u64>,
    /// Whether the server kept search results (`xxgk serve --search-cache`); the targets
    /// judge the uncached runs.
    pub cached: bool,
}

/// Sends `paths` (rotating, each connection starting at another one) to `addr` over
/// `connections` keep-alive connections for `seconds`, after half a second of warm-up.
pub fn load(
    addr: SocketAddr,
    endpoint: &str,
    paths: &[String],
    connections: usize,
    seconds: f64,
    server_pid: Option<u32>,
) -> Result<LoadRun> {
    if paths.is_empty() || connections == 0 {
        return Err(Error::BadOption("load needs paths and connections".into()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let warm = Instant::now() + Duration::from_millis(500);
        worker(addr, paths.to_vec(), 0, warm).await?;
        let cpu_before = process_cpu_secs();
        let server_before = server_pid.and_then(pid_cpu_secs);
        let started = Instant::now();
        let until = started + Duration::from_secs_f64(seconds);
        let tasks: Vec<_> = (0..connections)
            .map(|c| tokio::spawn(worker(addr, paths.to_vec(), c * 7, until)))
            .collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            match task.await {
                Ok(Ok(tally)) => {
                    latencies.extend(tally.latencies);
                    errors += tally.errors;
                }
                Ok(Err(_)) | Err(_) => errors += 1,
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let generator_cpu_secs = process_cpu_secs() - cpu_before;
        let server_cpu_secs = match (server_before, server_pid.and_then(pid_cpu_secs)) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let p = Percentiles::of(&latencies);
        let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let p90 = nearest_rank(&ms, 0.90);
        Ok(LoadRun {
            endpoint: endpoint.to_string(),
            connections,
            seconds: elapsed,
            requests: latencies.len(),
            errors,
            req_per_s: latencies.len() as f64 / elapsed.max(1e-9),
            p50_ms: p.p50_ms,
            p90_ms: p90,
            p99_ms: p.p99_ms,
            max_ms: p.max_ms,
            generator_cpu_secs,
            server_cpu_secs,
            server_peak_rss: None,
            cached: false,
        })
    })
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

async fn worker(
    addr: SocketAddr,
    paths: Vec<String>,
    start: usize,
    until: Instant,
) -> Result<Tally> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| Error::Http(e.to_string()))?;
    tokio::spawn(conn);
    let host = addr.to_string();
    let mut tally = Tally::default();
    let mut i = start;
    while Instant::now() < until {
        let path = &paths[i % paths.len()];
        i += 1;
        let req = Request::get(path.as_str())
            .header(hyper::header::HOST, &host)
            .body(Empty::<Bytes>::new())
            .map_err(|e| Error::Http(e.to_string()))?;
        let t0 = Instant::now();
        sender
            .ready()
            .await
            .map_err(|e| Error::Http(e.to_string()))?;
        let res = sender
            .send_request(req)
            .await
            .map_err(|e| Error::Http(e.to_string()))?;
        let ok = res.status().is_success();
        res.into_body()
            .collect()
            .await
            .map_err(|e| Error::Http(e.to_string()))?;
        tally.latencies.push(t0.elapsed());
        if !ok {
            tally.errors += 1;
        }
    }
    Ok(tally)
}

fn pid_cpu_secs(pid: u32) -> Option<f64> {
    proc_cpu_secs(&pid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a tiny server on loopback: every request counted, the 404s as errors, and
    /// the generator's CPU measured.
    #[test]
    fn counts_requests_and_errors_against_a_real_server() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            use std::io::{BufRead, BufReader, Write};
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    let mut writer = stream;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let ok = line.starts_with("GET /ok");
                        loop {
                            let mut header = String::new();
                            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                                return;
                            }
                            if header == "\r\n" {
                                break;
                            }
                        }
                        let status = if ok { "200 OK" } else { "404 Not Found" };
                        let _ = write!(writer, "HTTP/1.1 {status}\r\nContent-Length: 2\r\n\r\nhi");
                    }
                });
            }
        });
        let paths = vec!["/ok?q=1".to_string(), "/missing".to_string()];
        let run = load(addr, "/ok", &paths, 2, 0.3, Some(std::process::id())).expect("load");
        assert!(run.requests > 10, "{run:?}");
        // Half the paths are 404s.
        let share = run.errors as f64 / run.requests as f64;
        assert!((0.3..0.7).contains(&share), "{run:?}");
        assert!(run.p50_ms <= run.p99_ms && run.p99_ms <= run.max_ms);
        assert!(run.generator_cpu_secs >= 0.0);
        assert!(run.server_cpu_secs.is_some());
    }
}
