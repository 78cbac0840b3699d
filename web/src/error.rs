//! One error type for every handler. Each variant has its status code; user mistakes carry
//! a message for the user, our own faults a generic one (the detail goes to the log, once,
//! from [`log_internal_errors`]).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::html;
use serde_json::json;
use xxgk_app::ErrorKind;

use crate::render::{error_box, html_response, page, Nav, SITE};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A parameter is malformed or out of range.
    #[error("{0}")]
    BadRequest(String),
    /// The query text cannot be searched.
    #[error("{0}")]
    BadQuery(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed (this site only answers GET)")]
    MethodNotAllowed,
    #[error("the request took too long; try a narrower search")]
    Timeout,
    /// A heavy page (a whole-archive answer or an export) found its queue full.
    #[error("the server is busy with other heavy requests; try again in a few seconds")]
    Busy,
    /// Our fault; the cause is logged, never sent.
    #[error("internal error")]
    Internal(anyhow::Error),
}

/// The cause of an internal error, carried on the response for the logging middleware.
#[derive(Debug, Clone)]
struct InternalCause(Arc<String>);

/// The application's errors by their kind: the caller's mistakes keep their message (a
/// 400 or 404), our own faults become a logged 500.
impl From<xxgk_app::Error> for AppError {
    fn from(e: xxgk_app::Error) -> Self {
        match e.kind() {
            ErrorKind::BadQuery => AppError::BadQuery(e.to_string()),
            ErrorKind::BadRequest => AppError::BadRequest(e.to_string()),
            ErrorKind::NotFound => AppError::NotFound(e.to_string()),
            ErrorKind::Internal => AppError::Internal(e.into()),
        }
    }
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Timeout | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code for the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::BadQuery(_) => "bad_query",
            AppError::NotFound(_) => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Timeout => "timeout",
            AppError::Busy => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the user is told.
    pub fn message(&self) -> String {
        match self {
            AppError::Internal(_) => "internal error; it has been logged".to_string(),
            other => other.to_string(),
        }
    }

    /// Sets the status and, for internal errors, attaches the cause for the log.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        *response.status_mut() = self.status_code();
        if matches!(self, AppError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
        }
        if let AppError::Internal(cause) = self {
            response
                .extensions_mut()
                .insert(InternalCause(Arc::new(format!("{cause:#}"))));
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = Json(json!({
            "error": { "code": self.code(), "message": self.message() }
        }));
        self.finish(body.into_response())
    }
}

/// Logs each internal error once, inside the request's span (which names the route).
/// Also logs every answer: 5xx at warn, the rest (4xx included: a flood of bad requests
/// must not fill the disk) at debug.
pub(crate) async fn log_internal_errors(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    if let Some(InternalCause(cause)) = response.extensions().get::<InternalCause>() {
        tracing::error!(status, ms, cause = %cause, "internal error");
    } else if response.status().is_server_error() {
        tracing::warn!(status, ms, "answered with an error");
    } else {
        tracing::debug!(status, ms, "answered");
    }
    response
}

/// Gives error responses made outside our handlers (axum's 404/405, the timeout's 503)
/// the same body as ours: JSON under `/api/`, a page elsewhere.
pub(crate) async fn fill_empty_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let err = match status {
        StatusCode::NOT_FOUND => AppError::NotFound("no such page".into()),
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::SERVICE_UNAVAILABLE => AppError::Timeout,
        s if s.is_client_error() => {
            AppError::BadRequest(s.canonical_reason().unwrap_or("bad request").to_string())
        }
        s => AppError::Internal(anyhow::anyhow!("empty {s} response")),
    };
    let mut filled = if api {
        err.into_response()
    } else {
        HtmlError(err).into_response()
    };
    *filled.status_mut() = status;
    if let Some(allow) = response.headers().get(header::ALLOW) {
        filled.headers_mut().insert(header::ALLOW, allow.clone());
    }
    filled
}

/// An [`AppError`] answered with a page instead of JSON.
#[derive(Debug)]
pub struct HtmlError(pub AppError);

impl From<AppError> for HtmlError {
    fn from(err: AppError) -> Self {
        HtmlError(err)
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let err = self.0;
        let description = format!("{}：{}（{SITE}）", error_title(&err), err.message());
        let markup = page(
            error_title(&err),
            &description,
            Nav::None,
            html! {
                h1 { (error_title(&err)) }
                (error_box(&err.message()))
                p { a href="/" { "返回检索首页" } }
            },
        );
        err.finish(html_response(markup))
    }
}

fn error_title(err: &AppError) -> &'static str {
    match err {
        AppError::BadRequest(_) | AppError::BadQuery(_) => "请求有误",
        AppError::NotFound(_) => "未找到",
        AppError::MethodNotAllowed => "不支持的请求方法",
        AppError::Timeout => "请求超时",
        AppError::Busy => "服务器繁忙",
        AppError::Internal(_) => "服务器内部错误",
    }
}
