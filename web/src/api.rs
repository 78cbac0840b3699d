//! The JSON API: the same contracts as the CLI's `--json` output, errors as
//! `{"error": {"code", "message"}}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use xxgk_app::{Report, SearchResults, Stats};

use crate::export::{csv_download, schools_row, schools_rows, SCHOOLS_CSV_HEADER};
use crate::params::{Params, RawSearch, SearchParams};
use crate::schools::{schools_answer, schools_page_href, schools_params, SchoolsPage};
use crate::{AppError, AppState, ReportVersion};

type Raw = Result<Params<RawSearch>, AppError>;

fn validate(raw: Raw) -> Result<SearchParams, AppError> {
    raw.and_then(|Params(raw)| SearchParams::try_from(raw))
}

/// `/api/search`: what `xxgk search --json` prints.
pub async fn search(
    State(state): State<AppState>,
    raw: Raw,
) -> Result<Json<SearchResults>, AppError> {
    let params = validate(raw)?;
    Ok(Json(state.search(params.to_request()).await?))
}

/// `/api/schools`: a page of what `xxgk schools --json` prints (see [`SchoolsPage`]):
/// `?page=` from 1, `?per_page=` up to [`MAX_ROWS_PER_PAGE`](crate::params::MAX_ROWS_PER_PAGE).
pub async fn schools(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let (params, paging) = schools_params(raw)?;
    let answer = schools_answer(&state, params.to_schools_request()).await?;
    let page = SchoolsPage::new(&answer, paging, |p| {
        schools_page_href("/api/schools", &params, p)
    })?;
    Ok(Json(page).into_response())
}

/// `/schools.csv`: the whole answer as a download, streamed ([`csv_download`]).
pub async fn schools_csv(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let (params, _) = schools_params(raw)?;
    let answer = schools_answer(&state, params.to_schools_request()).await?;
    let rows = schools_rows(&answer);
    Ok(csv_download(
        "schools.csv",
        answer,
        rows,
        SCHOOLS_CSV_HEADER.map(String::from).to_vec(),
        |a, i| vec![schools_row(a, i)],
    ))
}

/// `/api/reports/{id}`: the stored report.
pub async fn report(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Report>, AppError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(state.report(id).await?))
}

/// `/api/stats`: what the index holds, and `pending_index`: the reports stored in the
/// archive that wait in its outbox for the index.
pub async fn stats(State(state): State<AppState>) -> Result<Json<Stats>, AppError> {
    Ok(Json(state.blocking(|app| Ok(app.stats()?)).await?))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("没有这个 API 地址；可用的地址见 /about".into())
}

/// `/api/reports/{id}/versions`: the stored versions of the report's page (empty when
/// the server has no archive, 404 for an unknown report).
pub async fn versions(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ReportVersion>>, AppError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let report = state.report(id).await?;
    let versions = state
        .read(move |app| app.report_history(&report.id))
        .await?;
    Ok(Json(versions))
}
