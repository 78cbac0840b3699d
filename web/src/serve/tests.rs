//! The accept loop under real sockets: versions, silent and slow clients, the cap, and
//! request heads refused with a message.

use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;

use super::*;
use crate::tests::{engine, Log};

#[test]
fn the_version_is_told_from_the_first_bytes() {
    assert_eq!(version_of(b""), None);
    assert_eq!(version_of(b"PRI"), None);
    assert_eq!(version_of(&H2_PREFACE[..23]), None);
    assert_eq!(version_of(H2_PREFACE), Some(Version::Http2));
    assert_eq!(version_of(b"G"), Some(Version::Http1));
    assert_eq!(version_of(b"GET / HTTP/1.1\r\n"), Some(Version::Http1));
    // `PRI` as an HTTP/1 method (no preface after it) is HTTP/1's to refuse.
    assert_eq!(version_of(b"PRI / HTTP/1.1\r\n"), Some(Version::Http1));
}

/// A real server on 127.0.0.1 with `limits`; send on the sender to stop it.
struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<io::Result<()>>,
    log: &'static Log,
}

async fn start(limits: ServeLimits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Log::global();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_with(
        listener,
        crate::AppState::new(engine()),
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        addr,
        stop,
        server,
        log,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(15), self.server)
            .await
            .expect("graceful shutdown")
            .expect("join")
            .expect("serve");
    }
}

/// Sends a whole request on a new connection; the answer as text.
async fn request(addr: SocketAddr, path: &str) -> String {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    send_raw(addr, raw.as_bytes()).await
}

/// Sends `raw` bytes on a new connection; the answer as text.
async fn send_raw(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(raw).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
        .await
        .expect("answered within the timeout")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_head_ends_at_a_blank_line_with_either_line_end() {
    assert!(head_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert!(head_complete(b"GET / HTTP/1.1\nHost: x\n\n"));
    assert!(head_complete(b"GET / HTTP/1.0\r\n\r\n"));
    assert!(head_complete(b"GET / HTTP/1.1\nHost: x\r\n\n"));
    assert!(!head_complete(b"GET / HTTP/1.1\r\nHost: x\r\n"));
    assert!(!head_complete(b"GET / HTTP/1.1\r\n"));
    assert!(!head_complete(b""));
}

#[test]
fn a_head_is_refused_where_hyper_would_refuse_it() {
    assert_eq!(
        refusal(b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\n\r\n"),
        None
    );
    // Still coming: hyper waits for the rest.
    assert_eq!(
        refusal(b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\n"),
        None
    );
    let bad = refusal(b"GET /api/\x7f HTTP/1.1\r\nHost: x\r\n\r\n").expect("refused");
    assert_eq!((bad.status, bad.api), (400, true));
    let page = refusal(b"GET /a b c\r\n\r\n").expect("refused");
    assert_eq!((page.status, page.api), (400, false));
    let mut many = b"GET /api/stats HTTP/1.1\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(refusal(&many).map(|r| r.status), Some(431));
    let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    huge.resize(MAX_HEAD + 10, b'a');
    assert_eq!(
        refusal(&huge).map(|r| (r.status, r.api)),
        Some((431, false))
    );
}

/// Issue 18: what the HTTP layer refuses still says why — JSON with a code under
/// `/api/`, a page elsewhere — and a good request on the next connection is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_hyper_would_refuse_are_answered_with_a_message() {
    let running = start(ServeLimits {
        header_read_timeout: Duration::from_secs(5),
        max_connections: 8,
    })
    .await;
    let malformed = send_raw(running.addr, b"GET /api/\x7f HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(malformed.starts_with("HTTP/1.1 400 "), "{malformed}");
    assert!(
        malformed.contains("content-type: application/json"),
        "{malformed}"
    );
    let body = malformed.split("\r\n\r\n").nth(1).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(body).expect(body);
    assert_eq!(json["error"]["code"], "bad_request");
    assert!(json["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("请求格式有误")));
    let mut many = b"GET /api/stats HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..150 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let too_many = send_raw(running.addr, &many).await;
    assert!(too_many.starts_with("HTTP/1.1 431 "), "{too_many}");
    assert!(too_many.contains("\"code\":\"bad_request\""), "{too_many}");
    let mut big = b"GET /search HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.resize(MAX_HEAD + 1000, b'a');
    big.extend_from_slice(b"\r\n\r\n");
    let page = send_raw(running.addr, &big).await;
    assert!(page.starts_with("HTTP/1.1 431 "), "{page}");
    assert!(
        page.contains("text/html") && page.contains("请求头太大"),
        "{page}"
    );
    let ok = request(running.addr, "/api/stats").await;
    assert!(ok.starts_with("HTTP/1.1 200 "), "{ok}");
    // Bare `\n` line ends are a whole head too, answered at once (not at the timeout).
    let started = Instant::now();
    let lf = send_raw(
        running.addr,
        b"GET /api/stats HTTP/1.1\nHost: x\nConnection: close\n\n",
    )
    .await;
    assert!(lf.starts_with("HTTP/1.1 200 "), "{lf}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "answered before the timeout"
    );
    running.stop().await;
}

/// The server closes `s` (end of stream or a reset) within a few timeouts.
async fn assert_closed_by_server(mut s: TcpStream, what: &str) {
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the {what} connection");
}

/// Issue 22: a connection that sends nothing at all, or only the first letters of the
/// HTTP/2 preface, is cut after the header-read timeout like a dribbling one: one
/// more such socket than the cap cannot stop the server answering a real request, and
/// the full cap is logged as a warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_send_nothing_are_cut_and_cannot_stop_the_server() {
    let running = start(ServeLimits {
        header_read_timeout: Duration::from_millis(400),
        max_connections: 2,
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(TcpStream::connect(running.addr).await.expect("connect"));
    }
    let mut pri = TcpStream::connect(running.addr).await.expect("connect");
    pri.write_all(b"PRI").await.expect("write");
    silent.push(pri);
    let answer = request(running.addr, "/api/stats").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for s in silent {
        assert_closed_by_server(s, "silent").await;
    }
    let mine = running.log.lines_with(&format!("addr={}", running.addr));
    let cap: Vec<&String> = mine
        .iter()
        .filter(|l| l.contains("connection cap reached"))
        .collect();
    assert_eq!(cap.len(), 1, "{mine:#?}");
    assert!(cap[0].contains(" WARN "), "{mine:#?}");
    running.stop().await;
}

/// A client with prior knowledge of HTTP/2 is still served over HTTP/2 after its
/// preface is read under the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_prior_knowledge_is_served() {
    let running = start(ServeLimits {
        header_read_timeout: Duration::from_secs(5),
        max_connections: 4,
    })
    .await;
    let stream = TcpStream::connect(running.addr).await.expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2 handshake");
    tokio::spawn(conn);
    let req = hyper::Request::get(format!("http://{}/api/stats", running.addr))
        .body(http_body_util::Empty::<axum::body::Bytes>::new())
        .expect("request");
    let res = sender.send_request(req).await.expect("h2 answer");
    assert_eq!(res.status(), 200);
    assert_eq!(res.version(), hyper::Version::HTTP_2);
    drop(sender);
    running.stop().await;
}

/// Issue 13: a client that dribbles its header (or idles on a keep-alive connection) is
/// cut off after the header-read timeout, and the connection cap holds the rest back
/// without refusing them: a real request waits for a slot, then is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_cut_and_capped() {
    let running = start(ServeLimits {
        header_read_timeout: Duration::from_millis(400),
        max_connections: 2,
    })
    .await;
    // Two slow clients take both slots: one byte of a request line each.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(running.addr).await.expect("connect");
        s.write_all(b"G").await.expect("write");
        slow.push(s);
    }
    // A third, real request: it waits for a slot (no refusal), then gets its answer
    // once the slow ones are cut.
    let started = Instant::now();
    let answer = request(running.addr, "/api/stats").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "it had to wait for a slot: {:?}",
        started.elapsed()
    );
    for s in slow {
        assert_closed_by_server(s, "slow").await;
    }
    running.stop().await;
}
