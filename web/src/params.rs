//! Query-string parameters: extracted by hand (repeated keys such as `year=a&year=b` are
//! filters with alternatives, which `axum::extract::Query` cannot read), validated with
//! messages for people, and written back into links.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use xxgk_app::{Group, SchoolsRequest, SearchRequest, SectionId, Sort, MAX_LIMIT, MAX_OFFSET};

use crate::AppError;

/// Longest query string we read (a query itself is limited to far fewer characters by the
/// index; this only stops us from parsing megabytes).
pub const MAX_QUERY_STRING: usize = 32 * 1024;
/// Results per page unless `limit` says otherwise.
pub const PAGE_SIZE: usize = 10;

/// Like `axum::extract::Query`, but reads repeated keys and rejects with [`AppError`].
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        if query.len() > MAX_QUERY_STRING {
            return Err(AppError::BadRequest(format!(
                "query string is too long ({} bytes; at most {MAX_QUERY_STRING})",
                query.len()
            )));
        }
        serde_html_form::from_str(query)
            .map(Params)
            .map_err(|e| AppError::BadRequest(format!("invalid query string: {e}")))
    }
}

/// The search parameters as sent. Everything is a string so that a bad value gets our
/// message, not a deserializer's.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawSearch {
    q: String,
    school: Vec<String>,
    year: Vec<String>,
    section: Vec<String>,
    sort: String,
    page: String,
    limit: String,
    group: String,
    /// Rows a page of the "which schools" answer ([`Paging`]); the search uses `limit`.
    per_page: String,
}

impl RawSearch {
    /// Takes out `page` and `per_page` for an answer paged by [`Paging`] (the "which
    /// schools" answer), leaving the search parameters.
    pub fn take_paging(&mut self) -> Result<Paging, AppError> {
        let paging = Paging::parse(&self.page, &self.per_page);
        self.page.clear();
        self.per_page.clear();
        paging
    }
}

/// Validated search parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchParams {
    pub q: String,
    pub schools: Vec<String>,
    pub years: Vec<String>,
    pub sections: Vec<SectionId>,
    pub sort: Sort,
    /// 1-based.
    pub page: usize,
    pub limit: usize,
    /// One result per report (the default) or `group=section`: one per section.
    pub group: Group,
}

impl Default for SearchParams {
    fn default() -> Self {
        SearchParams {
            q: String::new(),
            schools: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
            sort: Sort::Relevance,
            page: 1,
            limit: PAGE_SIZE,
            group: Group::Report,
        }
    }
}

/// A filter dimension (facet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    School,
    Year,
    Section,
}

impl Dim {
    pub const ALL: [Dim; 3] = [Dim::School, Dim::Year, Dim::Section];

    pub fn key(self) -> &'static str {
        match self {
            Dim::School => "school",
            Dim::Year => "year",
            Dim::Section => "section",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dim::School => "学校",
            Dim::Year => "年度",
            Dim::Section => "栏目",
        }
    }
}

fn clean(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

fn parse_number(name: &str, value: &str, default: usize) -> Result<usize, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(default);
    }
    value
        .parse::<usize>()
        .map_err(|_| AppError::BadRequest(format!("{name} must be a whole number, not {value:?}")))
}

impl TryFrom<RawSearch> for SearchParams {
    type Error = AppError;

    fn try_from(raw: RawSearch) -> Result<Self, AppError> {
        let sections = xxgk_app::filters::sections(&clean(raw.section))?;
        let sort = match raw.sort.trim() {
            "" | "relevance" => Sort::Relevance,
            "date" => Sort::Date,
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown sort {other:?}; use relevance or date"
                )))
            }
        };
        let group = match raw.group.trim() {
            "" => Group::Report,
            other => Group::parse(other).ok_or_else(|| {
                AppError::BadRequest(format!("unknown group {other:?}; use report or section"))
            })?,
        };
        let page = parse_number("page", &raw.page, 1)?;
        if page == 0 {
            return Err(AppError::BadRequest("page numbers start at 1".into()));
        }
        let limit = parse_number("limit", &raw.limit, PAGE_SIZE)?;
        if limit == 0 || limit > MAX_LIMIT {
            return Err(AppError::BadRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let params = SearchParams {
            q: raw.q.trim().to_string(),
            schools: clean(raw.school),
            years: clean(raw.year),
            sections,
            sort,
            page,
            limit,
            group,
        };
        if params.offset().is_none() {
            return Err(AppError::BadRequest(format!(
                "page {page} is too deep: at most the first {MAX_OFFSET} results can be paged; \
                 narrow the search with filters"
            )));
        }
        Ok(params)
    }
}

impl SearchParams {
    /// Offset of the first hit of the page, if within the index's paging limit.
    pub fn offset(&self) -> Option<usize> {
        (self.page - 1)
            .checked_mul(self.limit)
            .filter(|&o| o <= MAX_OFFSET)
    }

    /// The last page number that can be asked for with `total` results.
    pub fn last_page(&self, total: usize) -> usize {
        let reachable = total.min(MAX_OFFSET + self.limit);
        reachable.div_ceil(self.limit).max(1)
    }

    pub fn has_filters(&self) -> bool {
        !(self.schools.is_empty() && self.years.is_empty() && self.sections.is_empty())
    }

    pub fn to_request(&self) -> SearchRequest {
        let mut req = SearchRequest::new(self.q.clone());
        req.schools = self.schools.clone();
        req.years = self.years.clone();
        req.sections = self.sections.clone();
        req.sort = self.sort;
        req.limit = self.limit;
        req.offset = self.offset().unwrap_or(MAX_OFFSET);
        req.group = self.group;
        req
    }

    pub fn to_schools_request(&self) -> SchoolsRequest {
        SchoolsRequest {
            query: self.q.clone(),
            schools: self.schools.clone(),
            years: self.years.clone(),
            sections: self.sections.clone(),
        }
    }

    pub fn values(&self, dim: Dim) -> Vec<String> {
        match dim {
            Dim::School => self.schools.clone(),
            Dim::Year => self.years.clone(),
            Dim::Section => self
                .sections
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        }
    }

    pub fn is_active(&self, dim: Dim, value: &str) -> bool {
        match dim {
            Dim::School => self.schools.iter().any(|v| v == value),
            Dim::Year => self.years.iter().any(|v| v == value),
            Dim::Section => self.sections.iter().any(|v| v.as_str() == value),
        }
    }

    /// These parameters with `value` of `dim` switched on or off, back on page 1.
    pub fn toggled(&self, dim: Dim, value: &str) -> SearchParams {
        let mut next = self.clone();
        next.page = 1;
        let on = !self.is_active(dim, value);
        match dim {
            Dim::School => toggle(&mut next.schools, value.to_string(), on),
            Dim::Year => toggle(&mut next.years, value.to_string(), on),
            Dim::Section => {
                if let Some(id) = SectionId::parse(value) {
                    toggle(&mut next.sections, id, on);
                }
            }
        }
        next
    }

    pub fn with_page(&self, page: usize) -> SearchParams {
        SearchParams {
            page,
            ..self.clone()
        }
    }

    pub fn with_sort(&self, sort: Sort) -> SearchParams {
        SearchParams {
            sort,
            page: 1,
            ..self.clone()
        }
    }

    pub fn without_filters(&self) -> SearchParams {
        SearchParams {
            schools: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
            page: 1,
            ..self.clone()
        }
    }

    /// The parameters as `key=value` pairs, defaults left out.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        for dim in Dim::ALL {
            for v in self.values(dim) {
                pairs.push((dim.key(), v));
            }
        }
        if self.sort == Sort::Date {
            pairs.push(("sort", "date".to_string()));
        }
        if self.page != 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.limit != PAGE_SIZE {
            pairs.push(("limit", self.limit.to_string()));
        }
        if self.group == Group::Section {
            pairs.push(("group", "section".to_string()));
        }
        pairs
    }

    /// A link to `path` with these parameters.
    pub fn href(&self, path: &str) -> String {
        href(path, &self.pairs())
    }
}

/// `path?k=v&…`, percent-encoded; just `path` without pairs.
pub fn href(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{path}?{}", query.finish())
}

/// Rows a page of a heavy answer (`/schools`, `/coverage`, `/checklist` and their JSON)
/// unless `per_page` says otherwise.
pub const ROWS_PER_PAGE: usize = 100;
/// Most rows a page of a heavy answer may ask for with `per_page`.
pub const MAX_ROWS_PER_PAGE: usize = 500;

/// Which rows of a heavy answer to show: `page` (from 1) of `per_page` rows (1 to
/// [`MAX_ROWS_PER_PAGE`], default [`ROWS_PER_PAGE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub per_page: usize,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page: 1,
            per_page: ROWS_PER_PAGE,
        }
    }
}

/// Where a page sits in its answer (the paging fields of the JSON answers).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PageInfo {
    pub page: usize,
    pub per_page: usize,
    /// Pages in all (at least 1).
    pub pages: usize,
    /// Rows in all pages.
    pub total: usize,
    /// The next page's number and address; `null` on the last page.
    pub next_page: Option<usize>,
    pub next: Option<String>,
}

impl Paging {
    /// The `page` and `per_page` parameters as sent.
    pub fn parse(page: &str, per_page: &str) -> Result<Paging, AppError> {
        let page = match page.trim() {
            "" => 1,
            p => p.parse::<usize>().ok().filter(|&p| p >= 1).ok_or_else(|| {
                AppError::BadRequest(format!("page must be a whole number from 1, not {p:?}"))
            })?,
        };
        let per_page = match per_page.trim() {
            "" => ROWS_PER_PAGE,
            n => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_ROWS_PER_PAGE).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "per_page must be a whole number from 1 to {MAX_ROWS_PER_PAGE}, not {n:?}"
                    ))
                })?,
        };
        Ok(Paging { page, per_page })
    }

    /// Pages of `total` rows (at least one, empty).
    pub fn pages(&self, total: usize) -> usize {
        total.div_ceil(self.per_page).max(1)
    }

    /// This page's rows out of `total`; past the last page is the caller's mistake.
    pub fn window(&self, total: usize) -> Result<std::ops::Range<usize>, AppError> {
        let pages = self.pages(total);
        if self.page > pages {
            return Err(AppError::BadRequest(format!(
                "page {} is past the last page ({pages})",
                self.page
            )));
        }
        let from = (self.page - 1) * self.per_page;
        Ok(from..(from + self.per_page).min(total))
    }

    /// The paging fields of an answer of `total` rows; `link` makes a page's address.
    pub fn info(&self, total: usize, link: impl Fn(Paging) -> String) -> PageInfo {
        let pages = self.pages(total);
        let next_page = (self.page < pages).then_some(self.page + 1);
        PageInfo {
            page: self.page,
            per_page: self.per_page,
            pages,
            total,
            next_page,
            next: next_page.map(|page| link(Paging { page, ..*self })),
        }
    }

    /// `page` and `per_page` as link parameters, defaults left out.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.page != 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.per_page != ROWS_PER_PAGE {
            pairs.push(("per_page", self.per_page.to_string()));
        }
        pairs
    }
}

fn toggle<T: PartialEq>(values: &mut Vec<T>, value: T, on: bool) {
    if on {
        if !values.contains(&value) {
            values.push(value);
        }
    } else {
        values.retain(|v| *v != value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<SearchParams, AppError> {
        let raw: RawSearch = serde_html_form::from_str(query).expect("form");
        SearchParams::try_from(raw)
    }

    #[test]
    fn repeated_keys_are_alternatives_and_blanks_are_dropped() {
        let p =
            parse("q=%E6%94%B6%E8%B4%B9&year=2020-2021&year=2021-2022&year=&school=+%E7%94%B2+")
                .expect("valid");
        assert_eq!(p.q, "收费");
        assert_eq!(p.years, ["2020-2021", "2021-2022"]);
        assert_eq!(p.schools, ["甲"]);
        assert_eq!(p.page, 1);
        assert_eq!(p.limit, PAGE_SIZE);
    }

    #[test]
    fn links_round_trip() {
        let p = parse("q=a+b%26c&section=on_request&sort=date&page=3&limit=20&school=%E7%94%B2")
            .expect("valid");
        let link = p.href("/");
        let back = parse(link.trim_start_matches("/?")).expect("valid");
        assert_eq!(back, p);
        assert_eq!(SearchParams::default().href("/"), "/");
    }

    #[test]
    fn toggling_a_facet_adds_or_removes_it_and_resets_the_page() {
        let p = parse("q=x&year=2020-2021&page=4").expect("valid");
        let on = p.toggled(Dim::Year, "2021-2022");
        assert_eq!(on.years, ["2020-2021", "2021-2022"]);
        assert_eq!(on.page, 1);
        let off = on.toggled(Dim::Year, "2020-2021");
        assert_eq!(off.years, ["2021-2022"]);
        let s = p.toggled(Dim::Section, "on_request");
        assert_eq!(s.sections, [SectionId::OnRequest]);
        assert!(s.toggled(Dim::Section, "on_request").sections.is_empty());
    }

    #[test]
    fn paging_windows_totals_and_next_pages() {
        let p = Paging::parse("", "").expect("defaults");
        assert_eq!(p, Paging::default());
        let p = Paging::parse("3", "2").expect("valid");
        assert_eq!(p.window(5).expect("in range"), 4..5);
        assert_eq!(p.window(6).expect("in range"), 4..6);
        assert!(p.window(4).is_err(), "page 3 of 2");
        let info = p.info(7, |p| format!("/x?page={}", p.page));
        assert_eq!((info.pages, info.total), (4, 7));
        assert_eq!(info.next_page, Some(4));
        assert_eq!(info.next.as_deref(), Some("/x?page=4"));
        assert_eq!(p.info(6, |_| String::new()).next, None, "the last page");
        // An empty answer has one (empty) page.
        let first = Paging::default();
        assert_eq!(first.window(0).expect("page 1"), 0..0);
        assert_eq!(first.info(0, |_| String::new()).pages, 1);
        for (page, per_page, message) in [
            ("0", "", "page must be"),
            ("x", "", "page must be"),
            ("1", "0", "per_page must be"),
            ("1", "501", "from 1 to 500"),
            ("1", "-3", "per_page must be"),
        ] {
            let err = Paging::parse(page, per_page).expect_err(page);
            assert!(
                err.message().contains(message),
                "{page} {per_page}: {}",
                err.message()
            );
        }
        assert_eq!(
            Paging::parse("2", "500").expect("max").pairs(),
            vec![("page", "2".to_string()), ("per_page", "500".to_string())]
        );
    }

    #[test]
    fn bad_values_are_rejected_with_a_reason() {
        for (query, needle) in [
            ("page=0", "start at 1"),
            ("page=-1", "whole number"),
            ("page=abc", "whole number"),
            ("limit=0", "between 1 and"),
            ("limit=10000", "between 1 and"),
            ("section=finance", "栏目“"),
            ("sort=random", "unknown sort"),
            ("page=1002", "too deep"),
            ("page=18446744073709551615", "too deep"),
        ] {
            match parse(query) {
                Err(AppError::BadRequest(m)) => assert!(m.contains(needle), "{query}: {m}"),
                other => panic!("{query}: {other:?}"),
            }
        }
        assert!(
            parse("page=1001").is_ok(),
            "offset 10000 is the last allowed"
        );
    }

    #[test]
    fn last_page_is_capped_by_the_paging_limit() {
        let p = SearchParams::default();
        assert_eq!(p.last_page(0), 1);
        assert_eq!(p.last_page(10), 1);
        assert_eq!(p.last_page(11), 2);
        assert_eq!(p.last_page(1_000_000), MAX_OFFSET / PAGE_SIZE + 1);
    }
}
