//! "Which schools disclose X — and which do not", as the site's `/schools` page and the
//! API's `/api/schools` and `/schools.csv` share it: the parameters, the answer, and one
//! page of its rows.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use xxgk_app::schools::SchoolsAnswer;
use xxgk_app::{NoReport, SchoolMatch, SchoolNoMatch, SchoolsRequest, SectionId};

use crate::export::schools_rows;
use crate::params::{href, PageInfo, Paging, Params, RawSearch, SearchParams};
use crate::{AppError, AppState};

pub(crate) type Raw = Result<Params<RawSearch>, AppError>;

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

/// The "which schools" answer ([`xxgk_app::App::schools`]: filters checked, cached per
/// request, index generation and archive version).
pub(crate) async fn schools_answer(
    state: &AppState,
    req: SchoolsRequest,
) -> Result<Arc<SchoolsAnswer>, AppError> {
    state.blocking(move |app| Ok(app.schools(&req)?)).await
}
