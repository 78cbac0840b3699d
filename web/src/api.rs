//! The JSON API: the same contracts as the CLI's `--json` output, errors as
//! `{"error": {"code", "message"}}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use xxgk_archive::{InstitutionFilter, SchoolsAnswer};
use xxgk_index::{IndexStats, Report, SchoolMatches, SchoolsRequest, SearchResults};

use crate::export::schools_csv as to_csv;
use crate::pages::load_report;
use crate::params::{Params, RawSearch, SearchParams};
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
    let req = params.to_request();
    let results = state
        .blocking(move |engine| Ok(engine.search(&req)?))
        .await?;
    Ok(Json(results))
}

/// `/api/schools`: what `xxgk schools --json` prints.
pub async fn schools(
    State(state): State<AppState>,
    raw: Raw,
) -> Result<Json<SchoolsAnswer>, AppError> {
    let req = validate(raw)?.to_schools_request();
    Ok(Json(schools_answer(&state, req).await?))
}

/// The "which schools" answer: the index's matched and unmatched schools (reports that
/// were read), joined with the archive's institutions that have no report in scope.
pub(crate) async fn schools_answer(
    state: &AppState,
    req: SchoolsRequest,
) -> Result<SchoolsAnswer, AppError> {
    let r = req.clone();
    let matches: SchoolMatches = state
        .blocking(move |engine| Ok(engine.schools(&r)?))
        .await?;
    with_no_report(state, &req, matches).await
}

/// Adds the `no_report` group to an index answer (empty without an archive).
pub(crate) async fn with_no_report(
    state: &AppState,
    req: &SchoolsRequest,
    matches: SchoolMatches,
) -> Result<SchoolsAnswer, AppError> {
    let (years, schools) = (req.years.clone(), req.schools.clone());
    let no_report = state
        .archive(move |a| a.no_report(&years, &schools, &InstitutionFilter::default()))
        .await?
        .unwrap_or_default();
    Ok(SchoolsAnswer::new(matches, no_report))
}

/// `/schools.csv`: the same as a download. Starts with a byte-order mark so that
/// spreadsheet programs read the Chinese text as UTF-8.
pub async fn schools_csv(State(state): State<AppState>, raw: Raw) -> Result<Response, AppError> {
    let req = validate(raw)?.to_schools_request();
    let answer = schools_answer(&state, req).await?;
    let body = format!("\u{feff}{}", to_csv(&answer));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"schools.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `/api/reports/{id}`: the stored report.
pub async fn report(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Report>, AppError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(load_report(&state, id).await?))
}

/// `/api/stats`: what the index holds.
pub async fn stats(State(state): State<AppState>) -> Result<Json<IndexStats>, AppError> {
    Ok(Json(state.blocking(|engine| Ok(engine.stats()?)).await?))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("no such API endpoint; see /about".into())
}

/// `/api/reports/{id}/versions`: the stored versions of the report's page (empty when
/// the server has no archive, 404 for an unknown report).
pub async fn versions(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ReportVersion>>, AppError> {
    let Path(id) = id.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let report = load_report(&state, id).await?;
    let versions = state
        .archive(move |a| a.versions(&report.id))
        .await?
        .unwrap_or_default();
    Ok(Json(versions))
}
