//! `xxgk serve` measured as a reader meets it: started and timed to its first answer, its
//! peak resident set after the query set, and (with `--http`) put under load.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tracing::info;

use super::report::Startup;
use super::{HttpLoad, ServeProbe};
use crate::http::{load, LoadRun};
use crate::queries::BenchQuery;
use crate::sys::status_field_kb;
use crate::Result;

/// Kills the server when the measurement ends, however it ends.
struct ServerGuard(Child);

impl ServerGuard {
    /// The server's peak resident set (VmHWM), 0 when unknown.
    fn peak_rss(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .ok()
            .and_then(|s| status_field_kb(&s, "VmHWM"))
            .unwrap_or(0)
            * 1024
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `xxgk serve` on `data`, times it to its first answer, answers the query set
/// once, reads its peak RSS, and with `http` puts it under load: `/api/search` and `/`
/// with the query set's searches, rotating.
pub(super) fn measure_server(
    probe: &ServeProbe,
    data: &Path,
    queries: &[BenchQuery],
    http: Option<HttpLoad>,
) -> Result<(Startup, Vec<LoadRun>)> {
    // Start-up, RSS and the load that the targets judge: the search cache off, so every
    // request is a search.
    let (server, addr, first_answer_ms) = match start_server(probe, data, &probe.uncached)? {
        Ok(started) => started,
        Err(reason) => return Ok((Startup::Skipped { reason }, Vec::new())),
    };
    for q in queries {
        let _ = http_get(addr, &format!("/api/search?{}", q.url_query()));
    }
    let server_peak_rss = server.peak_rss();
    let mut runs = Vec::new();
    if let Some(http) = http {
        for endpoint in ["/api/search", "/"] {
            runs.push(load_endpoint(
                &server, addr, endpoint, queries, http, false,
            )?);
        }
        drop(server);
        // The same load with the server's default search cache: what a burst of the same
        // searches costs once they have been asked.
        if let Ok((server, addr, _)) = start_server(probe, data, &[])? {
            runs.push(load_endpoint(
                &server,
                addr,
                "/api/search",
                queries,
                http,
                true,
            )?);
        }
    }
    Ok((
        Startup::Measured {
            first_answer_ms,
            server_peak_rss,
        },
        runs,
    ))
}

/// `endpoint` with the query set's searches, rotating, under `http`'s load.
fn load_endpoint(
    server: &ServerGuard,
    addr: SocketAddr,
    endpoint: &str,
    queries: &[BenchQuery],
    http: HttpLoad,
    cached: bool,
) -> Result<LoadRun> {
    let paths: Vec<String> = queries
        .iter()
        .map(|q| format!("{endpoint}?{}", q.url_query()))
        .collect();
    info!(
        endpoint,
        cached,
        connections = http.connections,
        "HTTP load"
    );
    let mut run = load(
        addr,
        endpoint,
        &paths,
        http.connections,
        http.seconds,
        Some(server.0.id()),
    )?;
    run.cached = cached;
    run.server_peak_rss = Some(server.peak_rss());
    Ok(run)
}

/// Starts `xxgk serve` with `extra` arguments and waits for its first answer: the server,
/// its address and the milliseconds to that answer, or why it did not answer.
fn start_server(
    probe: &ServeProbe,
    data: &Path,
    extra: &[String],
) -> Result<std::result::Result<(ServerGuard, SocketAddr, f64), String>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let args: Vec<String> = probe
        .args
        .iter()
        .chain(extra)
        .map(|a| {
            a.replace("{data}", &data.display().to_string())
                .replace("{addr}", &addr.to_string())
        })
        .collect();
    info!(?args, "starting xxgk serve");
    let started = Instant::now();
    let child = Command::new(&probe.exe)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut server = ServerGuard(child);
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait()? {
            return Ok(Err(format!(
                "xxgk serve exited with {status} before answering"
            )));
        }
        if let Ok(200) = http_get(addr, &probe.path) {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(Ok((server, addr, ms)));
        }
        if Instant::now() > deadline {
            return Ok(Err("xxgk serve did not answer within 30 s".to_string()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// One HTTP/1.1 GET on a fresh connection; the status code.
fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let head = String::from_utf8_lossy(&response[..response.len().min(64)]).to_string();
    head.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))
}
