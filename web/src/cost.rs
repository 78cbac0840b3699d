//! Cost classes: what a request may cost, decided from its path in one place. Cheap
//! requests (a search page, a report, `/about`, the API's search) run as they come.
//! Heavy ones — answers over the whole archive (`/schools`, `/checklist`, `/coverage`,
//! `/compare`) and every CSV export — take one of a few slots (half the cores) and wait
//! at most [`QUEUE_WAIT`] for one; a full queue answers 503 with `Retry-After` at once
//! rather than letting heavy work pile up and starve the cheap pages.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppError, AppState};

/// How long a heavy request may wait for a slot.
pub const QUEUE_WAIT: Duration = Duration::from_secs(1);

/// What a request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Cheap,
    Heavy,
}

/// The cost class of a path.
pub fn cost_of(path: &str) -> Cost {
    const HEAVY: [&str; 9] = [
        "/schools",
        "/api/schools",
        "/checklist",
        "/api/checklist",
        "/coverage",
        "/api/coverage",
        "/compare",
        "/api/compare",
        "/sources",
    ];
    let heavy = path.ends_with(".csv")
        || HEAVY
            .iter()
            .any(|h| path == *h || path.strip_prefix(h).is_some_and(|r| r.starts_with('.')));
    if heavy {
        Cost::Heavy
    } else {
        Cost::Cheap
    }
}

/// Heavy slots: half the cores, at least one.
pub fn heavy_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// The middleware: heavy requests queue for a slot briefly, or get 503.
pub(crate) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if cost_of(path) == Cost::Cheap {
        return next.run(req).await;
    }
    let page = !(path.starts_with("/api/") || path.ends_with(".csv"));
    let slot = tokio::time::timeout(QUEUE_WAIT, Arc::clone(&state.heavy).acquire_owned()).await;
    match slot {
        Ok(Ok(slot)) => {
            let response = next.run(req).await;
            drop(slot);
            response
        }
        _ if page => crate::error::HtmlError(AppError::Busy).into_response(),
        _ => AppError::Busy.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_paths_are_the_whole_archive_answers_and_exports() {
        for heavy in [
            "/schools",
            "/schools.csv",
            "/api/schools",
            "/checklist",
            "/checklist.csv",
            "/coverage",
            "/coverage.csv",
            "/api/coverage",
            "/compare",
        ] {
            assert_eq!(cost_of(heavy), Cost::Heavy, "{heavy}");
        }
        for cheap in [
            "/",
            "/about",
            "/api/search",
            "/reports/abc",
            "/schoolsx",
            "/assets/style.css",
        ] {
            assert_eq!(cost_of(cheap), Cost::Cheap, "{cheap}");
        }
    }
}
