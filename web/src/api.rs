//! The JSON API: the same contracts as the CLI's `--json` output, errors as
//! `{"error": {"code", "message"}}`.

use std::ops::Range;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use xxgk_app::schools::SchoolsAnswer;
use xxgk_app::{
    NoReport, Report, SchoolMatch, SchoolNoMatch, SchoolsRequest, SearchResults, SectionId, Stats,
};

use crate::export::{csv_download, schools_row, schools_rows, SCHOOLS_CSV_HEADER};
use crate::pages::load_report;
use crate::params::{href, PageInfo, Paging, Params, RawSearch, SearchParams};
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

/// The "which schools" parameters: the search's filters, and [`Paging`] for the rows.
pub(crate) fn schools_params(raw: Raw) -> Result<(SearchParams, Paging), AppError> {
    let Params(mut raw) = raw?;
    let paging = raw.take_paging()?;
    Ok((SearchParams::try_from(raw)?, paging))
}

/// A page of the "which schools" answer: the fields of `xxgk schools --json` (`query`,
/// `years`, `sections`, `matched`, `unmatched`, `no_report`) holding this page's rows —
/// the rows in CSV order (matched, unmatched, no report) cut into pages — with the
/// groups' `totals` and the paging fields ([`PageInfo`]).
#[derive(Debug, Serialize)]
pub struct SchoolsPage<'a> {
    pub query: &'a str,
    pub years: &'a [String],
    pub sections: &'a [SectionId],
    pub matched: &'a [SchoolMatch],
    pub unmatched: &'a [SchoolNoMatch],
    pub no_report: &'a [NoReport],
    pub totals: SchoolTotals,
    #[serde(flatten)]
    pub paging: PageInfo,
}

/// Rows of each group of the whole answer.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SchoolTotals {
    pub matched: usize,
    pub unmatched: usize,
    pub no_report: usize,
}

/// The part of `rows` (positions in the whole answer) that falls in a group starting at
/// `start` with `len` rows, as positions in the group.
fn part(rows: &Range<usize>, start: usize, len: usize) -> Range<usize> {
    let clamp = |i: usize| i.clamp(start, start + len) - start;
    clamp(rows.start)..clamp(rows.end)
}

impl<'a> SchoolsPage<'a> {
    /// The rows of `paging` out of `answer` (400 past the last page); `link` makes the
    /// address of another page.
    pub fn new(
        answer: &'a SchoolsAnswer,
        paging: Paging,
        link: impl Fn(Paging) -> String,
    ) -> Result<SchoolsPage<'a>, AppError> {
        let m = &answer.matches;
        let totals = SchoolTotals {
            matched: m.matched.len(),
            unmatched: m.unmatched.len(),
            no_report: answer.no_report.len(),
        };
        let total = schools_rows(answer);
        let rows = paging.window(total)?;
        let unmatched_from = totals.matched;
        let no_report_from = unmatched_from + totals.unmatched;
        Ok(SchoolsPage {
            query: &m.query,
            years: &m.years,
            sections: &m.sections,
            matched: &m.matched[part(&rows, 0, totals.matched)],
            unmatched: &m.unmatched[part(&rows, unmatched_from, totals.unmatched)],
            no_report: &answer.no_report[part(&rows, no_report_from, totals.no_report)],
            totals,
            paging: paging.info(total, link),
        })
    }
}

/// The address of `page` of the answer to `params` at `path`.
pub(crate) fn schools_page_href(path: &str, params: &SearchParams, page: Paging) -> String {
    let mut pairs = SearchParams {
        page: 1,
        ..params.clone()
    }
    .pairs();
    pairs.extend(page.pairs());
    href(path, &pairs)
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

/// The "which schools" answer ([`xxgk_app::App::schools`]: filters checked, cached per
/// request, index generation and archive version).
pub(crate) async fn schools_answer(
    state: &AppState,
    req: SchoolsRequest,
) -> Result<Arc<SchoolsAnswer>, AppError> {
    state.blocking(move |app| Ok(app.schools(&req)?)).await
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
    Ok(Json(load_report(&state, id).await?))
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
    let report = load_report(&state, id).await?;
    let versions = state
        .read(move |app| app.report_history(&report.id))
        .await?;
    Ok(Json(versions))
}
