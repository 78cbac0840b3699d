//! HTML pages. Handlers validate, run the engine in `spawn_blocking`, and render with maud.

use std::collections::BTreeMap;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
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

use crate::api::{schools_page_href, SchoolsPage};
use crate::params::{href, Dim, Paging, Params, RawSearch, SearchParams, PAGE_SIZE};
use crate::render::{
    count, encode_path, error_box, external_link, highlighted, page, pagination, report_href,
    section_anchor, section_label, Nav, SITE, SITE_DESCRIPTION,
};
use crate::{AppError, AppState, ReportVersion};

mod about;
mod report;
mod schools;
mod search;

pub use about::about;
pub(crate) use report::load_report;
pub use report::report;
pub use schools::schools;
pub use search::search;

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

fn html_response(markup: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

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
