//! The journalist's tools: the disclosure-checklist matrix (`/checklist`), schools and
//! years side by side (`/compare`), stored versions of a report with a diff between any
//! two (`/reports/{id}/versions`), reports edited or removed after publication
//! (`/changes`), and Atom feeds for any search (`/feed`) and for the changes
//! (`/changes.atom`).
//!
//! The matrix, comparison, versions and changes come from the application
//! ([`xxgk_app::App`]).

mod checklist;
mod compare;
mod feed;
mod scorecard;
mod versions;

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use xxgk_app::checklist::{Matrix, MatrixRequest};
use xxgk_app::text::escape_html;

pub(crate) use crate::render::{encode_path, html_response, report_href};
use crate::{AppError, AppState};

pub use versions::{ChangeKind, ReportChange};

/// The routes of this module, merged into [`crate::app`].
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/checklist", get(checklist::page))
        .route("/checklist.csv", get(checklist::csv))
        .route("/api/checklist", get(checklist::json))
        .route("/scorecard", get(scorecard::page))
        .route("/scorecard.csv", get(scorecard::csv))
        .route("/api/scorecard", get(scorecard::json))
        .route("/compare", get(compare::page))
        .route("/reports/{id}/versions", get(versions::page))
        .route("/api/reports/{id}/diff", get(versions::diff_json))
        .route("/changes", get(versions::changes_page))
        .route("/api/changes", get(versions::changes_json))
        .route("/changes.atom", get(feed::changes))
        .route("/feed", get(feed::search))
        .route("/assets/journalist.css", get(style))
}

static STYLE: &str = include_str!("../../assets/journalist.css");

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// This module's stylesheet: the site frame links only the main one, and `<link>` is
/// allowed in the body.
pub(crate) fn stylesheet() -> Markup {
    html! { link rel="stylesheet" href="/assets/journalist.css"; }
}

/// Highlighter output back to the text a reader sees (for `title` attributes and CSV).
fn plain(snippet_html: &str) -> String {
    crate::export::plain_text(snippet_html)
}

/// The absolute address of this site for feed links (which a feed reader resolves
/// without a page): the configured public URL (`--public-url`), never a request header —
/// `Host` and `X-Forwarded-Proto` are the client's to forge.
fn base_url(state: &AppState) -> String {
    state.public_url.to_string()
}

/// Escaped text (for the rare place that builds HTML by hand).
fn esc(text: &str) -> String {
    escape_html(text)
}

/// Report id → how it changed after publication (the newest change of each).
pub use xxgk_app::ChangeFlags;

/// The matrix for `req` ([`xxgk_app::App::checklist`]: filters checked, cached while the
/// index's generation is unchanged — a matrix over every school takes seconds; sorting
/// or paging must not recompute it).
async fn matrix(state: &AppState, req: MatrixRequest) -> Result<Arc<Matrix>, AppError> {
    state.blocking(move |app| Ok(app.checklist(&req)?)).await
}

/// Splits a list typed into one box (`甲大学,乙学院`, `甲大学、乙学院`) and adds the
/// values of repeated keys; trimmed, blanks and repeats dropped.
fn split_list(joined: &str, repeated: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let pieces = joined
        .split([',', '，', '、', ';', '；', '\n'])
        .chain(repeated.iter().map(String::as_str));
    for piece in pieces {
        let piece = piece.trim();
        if !piece.is_empty() && !out.iter().any(|o| o == piece) {
            out.push(piece.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests;
