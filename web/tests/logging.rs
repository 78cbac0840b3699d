//! Issue 13: what the server logs for bad requests. In a test binary of its own: a
//! thread-local tracing subscriber misses events when other tests run on other threads at
//! the same time (callsite interest is cached process-wide), so this test runs alone.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn status(app: &axum::Router, uri: &str) -> StatusCode {
    let req = Request::get(uri).body(Body::empty()).expect("request");
    app.clone().oneshot(req).await.expect("answer").status()
}

/// What a test layer saw: events (level, target) and the `uri` of each `http` span.
#[derive(Clone, Default)]
struct LogSeen {
    events: std::sync::Arc<std::sync::Mutex<Vec<(tracing::Level, String)>>>,
    uris: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

struct UriField(Option<String>);

impl tracing::field::Visit for UriField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "uri" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "uri" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogSeen {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((*meta.level(), meta.target().to_string()));
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut uri = UriField(None);
        attrs.record(&mut uri);
        if let Some(uri) = uri.0 {
            self.uris
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(uri);
        }
    }
}

/// Issue 13: a flood of bad requests must not fill the log. A 4xx is logged at debug, never
/// at info or above, and the request's span carries at most 200 characters of the URI.
#[tokio::test]
async fn bad_requests_are_logged_at_debug_with_the_uri_cut() {
    use tracing_subscriber::layer::SubscriberExt;
    let seen = LogSeen::default();
    let subscriber = tracing_subscriber::registry().with(seen.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = xxgk_web::app(xxgk_web::AppState::new(
        xxgk_app::stores::Engine::create_in_ram().expect("ram index"),
    ));
    let junk = "依".repeat(3_000);
    for uri in [
        format!("/api/search?q={}&page=abc", enc(&junk)),
        format!("/?q={}&page=-1", enc(&junk)),
        format!("/api/reports/{}", "x".repeat(5_000)),
    ] {
        let status = status(&app, &uri).await;
        assert!(status.is_client_error(), "{uri:.60}: {status}");
    }
    let events = seen
        .events
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    assert!(
        events
            .iter()
            .any(|(level, _)| *level == tracing::Level::DEBUG),
        "the answers are logged at debug: {events:?}"
    );
    let loud: Vec<_> = events
        .iter()
        .filter(|(level, _)| *level <= tracing::Level::INFO)
        .collect();
    assert!(loud.is_empty(), "logged at info or above: {loud:?}");
    let uris = seen.uris.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(uris.len(), 3, "{uris:?}");
    for uri in uris {
        assert!(
            uri.chars().count() <= 200,
            "{} characters",
            uri.chars().count()
        );
    }
}
