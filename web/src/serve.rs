//! The accept loop: every connection gets a deadline on each read before a complete
//! request, a slot under the connection cap, and a graceful end on shutdown.
//!
//! Why not hyper-util's automatic HTTP/1–HTTP/2 builder: it reads the first bytes to tell
//! the versions apart with no deadline, and hyper's header-read timeout starts only after
//! them, so a client that connects and sends nothing (or only `PRI`) holds a descriptor
//! and a slot for ever; enough of them stop the server answering anyone (issue 22). Here
//! the first bytes are read under the header-read timeout, the HTTP/2 preface is
//! recognised by hand, and the connection goes to hyper's HTTP/1 or HTTP/2 builder with
//! those bytes put back in front of the stream.
//!
//! An HTTP/1 connection's first request head is read here too, and checked as hyper would
//! check it (httparse, the same limits): one hyper would refuse — a malformed request
//! line, too many or too large headers — is answered here, as `{"error": …}` JSON under
//! `/api/` and as a page elsewhere, instead of hyper's empty 400 or 431 (issue 18). A
//! malformed request later on a keep-alive connection still gets hyper's own answer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use crate::AppState;

/// Connection limits of [`serve_with`].
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// A client must send its first bytes, and then a request's whole header, within
    /// this time each; an idle keep-alive connection is closed after it: a socket that
    /// sends nothing, or dribbles one byte a second, cannot hold a descriptor for ever.
    pub header_read_timeout: Duration,
    /// Open connections at most; further clients wait in the listen backlog.
    pub max_connections: usize,
}

impl ServeLimits {
    /// 10 s for headers; connections capped below this process's descriptor limit (the
    /// index, the archive and the accept loop need some of their own).
    pub fn from_environment() -> ServeLimits {
        let fds = open_files_limit().unwrap_or(1024);
        let max_connections = fds.saturating_sub(128).max(16) * 9 / 10;
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections,
        }
    }
}

/// The soft limit on open files (`Max open files` in `/proc/self/limits`), if readable.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// How often, at most, a full connection cap is logged: a flood of clients must not
/// flood the log as well.
const CAP_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Serves [`crate::app`] on `listener` until `shutdown` completes, then lets open
/// requests finish, with [`ServeLimits::from_environment`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, state, ServeLimits::from_environment(), shutdown).await
}

/// Serves [`crate::app`] with explicit connection limits: the first bytes and then each
/// request header read under [`ServeLimits::header_read_timeout`] (which also ends idle
/// keep-alive connections; HTTP/2 connections are pinged and closed when the pings go
/// unanswered as long), a cap on open connections (logged at WARN when reached, once a
/// minute at most), and a graceful shutdown that waits up to 10 s for open requests.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout = ?limits.header_read_timeout,
        "serving"
    );
    let local_addr = listener
        .local_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    let builders = Arc::new(Builders::new(limits.header_read_timeout));
    let service = TowerToHyperService::new(crate::app(state));
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut last_cap_warning: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if last_cap_warning.is_none_or(|at| at.elapsed() >= CAP_WARNING_EVERY) {
                    last_cap_warning = Some(Instant::now());
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        addr = %local_addr,
                        "connection cap reached: new clients wait in the listen backlog \
                         (logged once a minute at most)"
                    );
                }
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning; the connection
                    // waits in the backlog.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let builders = Arc::clone(&builders);
        let service = service.clone();
        let watcher = graceful.watcher();
        let first_bytes_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            builders
                .serve(stream, service, watcher, first_bytes_timeout)
                .await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish within 10 s of shutdown");
    }
    Ok(())
}

type Service = TowerToHyperService<axum::Router>;

/// hyper's two connection builders, configured once.
struct Builders {
    http1: hyper::server::conn::http1::Builder,
    http2: hyper::server::conn::http2::Builder<TokioExecutor>,
}

impl Builders {
    fn new(timeout: Duration) -> Builders {
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(timeout)
            .max_buf_size(MAX_HEAD)
            .keep_alive(true);
        let mut http2 = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        http2
            .timer(TokioTimer::new())
            .keep_alive_interval(timeout)
            .keep_alive_timeout(timeout);
        Builders { http1, http2 }
    }

    /// Reads the first bytes under `timeout`, then serves the connection with the
    /// builder of its version. A client that sends too little in time is dropped.
    async fn serve(
        &self,
        mut stream: TcpStream,
        service: Service,
        watcher: Watcher,
        timeout: Duration,
    ) {
        // The first bytes and, for HTTP/1, the whole first request head, under one
        // deadline: a client that sends too little in time is dropped.
        let mut first = Vec::with_capacity(H2_PREFACE.len());
        let read = async {
            let Some(version) = sniff(&mut stream, &mut first).await? else {
                return Ok(None);
            };
            if version == Version::Http1 && !read_head(&mut stream, &mut first).await? {
                return Ok(None);
            }
            io::Result::Ok(Some(version))
        };
        let version = match tokio::time::timeout(timeout, read).await {
            Ok(Ok(Some(version))) => version,
            // Closed before a whole head, or a reset: nothing to answer.
            Ok(Ok(None)) | Ok(Err(_)) => return,
            Err(_) => {
                tracing::debug!(
                    bytes = first.len(),
                    "connection cut: no whole request head within the header-read timeout"
                );
                return;
            }
        };
        if version == Version::Http1 {
            if let Some(refusal) = refusal(&first) {
                tracing::debug!(status = refusal.status, "request head refused");
                let _ = stream.write_all(&refusal.response()).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
        let io = TokioIo::new(Rewind::new(first, stream));
        let ended = match version {
            Version::Http1 => {
                watcher
                    .watch(self.http1.serve_connection(io, service))
                    .await
            }
            Version::Http2 => {
                watcher
                    .watch(self.http2.serve_connection(io, service))
                    .await
            }
        };
        if let Err(e) = ended {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    }
}

/// What a client with prior knowledge of HTTP/2 sends first (RFC 9113, section 3.4).
pub(crate) const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    Http1,
    Http2,
}

/// Tells the version from the first bytes `buf` holds: HTTP/2 once the whole preface has
/// come, HTTP/1 as soon as a byte differs from it, `None` while they could be either.
pub(crate) fn version_of(buf: &[u8]) -> Option<Version> {
    let n = buf.len().min(H2_PREFACE.len());
    if buf[..n] != H2_PREFACE[..n] {
        Some(Version::Http1)
    } else if n == H2_PREFACE.len() {
        Some(Version::Http2)
    } else {
        None
    }
}

/// Reads into `buf` until [`version_of`] can tell; `None` when the client closes first.
async fn sniff(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Option<Version>> {
    loop {
        if let Some(version) = version_of(buf) {
            return Ok(Some(version));
        }
        // Never past the preface: what follows is the connection's, read by hyper.
        let mut chunk = [0u8; 24];
        let want = H2_PREFACE.len() - buf.len();
        let n = stream.read(&mut chunk[..want]).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The largest request head taken (request line and headers), here and by hyper.
pub(crate) const MAX_HEAD: usize = 64 << 10;
/// Header fields a request may have at most (hyper's limit too).
pub(crate) const MAX_HEADERS: usize = 100;

/// Whether `buf` holds a whole request head: up to a blank line, written `\r\n\r\n` or,
/// as hyper (httparse) also takes it, with bare `\n` line ends.
pub(crate) fn head_complete(buf: &[u8]) -> bool {
    buf.windows(2)
        .enumerate()
        .any(|(i, w)| w == b"\n\n" || (w == b"\n\r" && buf.get(i + 2) == Some(&b'\n')))
}

/// Reads on into `buf` until it holds a whole request head ([`head_complete`]) or more
/// than [`MAX_HEAD`] bytes; `false` when the client closes first.
async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 4096];
    loop {
        if head_complete(buf) || buf.len() > MAX_HEAD {
            return Ok(true);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(false);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A request head answered here rather than by hyper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    /// Under `/api/`: answered as JSON.
    pub api: bool,
    pub message: &'static str,
}

impl Refusal {
    /// The whole HTTP/1.1 response, closing the connection.
    pub(crate) fn response(&self) -> Vec<u8> {
        let reason = match self.status {
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        };
        let (content_type, body) = if self.api {
            (
                "application/json",
                serde_json::json!({"error": {"code": "bad_request", "message": self.message}})
                    .to_string(),
            )
        } else {
            (
                "text/html; charset=utf-8",
                format!(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                     <title>请求有误</title></head><body><h1>请求有误</h1><p>{}</p>\
                     <p><a href=\"/\">返回检索首页</a></p></body></html>",
                    self.message
                ),
            )
        };
        format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
             x-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
            self.status,
            body.len()
        )
        .into_bytes()
    }
}

/// What hyper would refuse in a request head, and how it is answered; `None` for a head
/// hyper takes (or one still incomplete: hyper waits for the rest as before).
pub(crate) fn refusal(head: &[u8]) -> Option<Refusal> {
    // `/api/…` read from the raw request line, whether or not it parses.
    let target = head.split(|b| *b == b' ').nth(1).unwrap_or_default();
    let api = target == b"/api" || target.starts_with(b"/api/") || target.starts_with(b"/api?");
    let too_large = |api| Refusal {
        status: 431,
        api,
        message: "请求头太大：请求行和请求头合计不能超过 64 KiB，字段不能超过 100 个",
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => None,
        Ok(httparse::Status::Partial) if head.len() > MAX_HEAD => Some(too_large(api)),
        Ok(httparse::Status::Partial) => None,
        Err(httparse::Error::TooManyHeaders) => Some(too_large(api)),
        Err(_) => Some(Refusal {
            status: 400,
            api,
            message: "请求格式有误：请求行或请求头不是有效的 HTTP/1.1（地址里的特殊字符请先做百分号编码）",
        }),
    }
}

/// A stream with bytes already read put back in front of it.
struct Rewind {
    first: Vec<u8>,
    pos: usize,
    inner: TcpStream,
}

impl Rewind {
    fn new(first: Vec<u8>, inner: TcpStream) -> Rewind {
        Rewind {
            first,
            pos: 0,
            inner,
        }
    }
}

impl AsyncRead for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos < this.first.len() {
            let left = &this.first[this.pos..];
            let n = left.len().min(buf.remaining());
            buf.put_slice(&left[..n]);
            this.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests;
