//! HTML pages. Handlers validate, run the engine in `spawn_blocking`, and render with maud.

use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use xxgk_app::text::{highlight_all, match_ranges, UserQuery};
use xxgk_app::year::ReportYear;
use xxgk_app::{
    App, FacetCounts, Hit, IndexStats, NoReport, Report, SearchResults, SectionId, Sort, Stats,
    Status,
};

use crate::error::HtmlError;
use crate::params::{href, Dim, Paging, Params, RawSearch, SearchParams, PAGE_SIZE};
use crate::render::html_response;
use crate::render::{
    count, encode_path, error_box, external_link, highlighted, page, pagination, report_href,
    section_anchor, section_label, Nav, SITE_DESCRIPTION,
};
use crate::schools::{schools_page_href, SchoolsPage};
use crate::{AppError, AppState, ReportVersion};

mod about;
mod report;
mod schools;
mod search;

pub use about::about;
pub use report::report;
pub use schools::schools;
pub use search::search;

pub async fn not_found() -> HtmlError {
    HtmlError(AppError::NotFound("页面不存在".into()))
}

/// `2019-2020学年` or `2023年度`: a year label as the kind of year it is (issue 11).
fn year_label(year: &str) -> String {
    match ReportYear::parse(year) {
        Some(ReportYear::Calendar(_)) => format!("{year}年度"),
        _ => format!("{year}学年"),
    }
}
