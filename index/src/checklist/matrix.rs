//! The matrix's shape (the JSON contract) and the orders of its rows.

use serde::Serialize;

use super::items::item;
#[cfg(doc)]
use super::items::ITEM_COUNT;
use crate::report::SectionId;

/// Which part of the index the matrix covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixRequest {
    /// Academic year (`2020-2021`); `None` is the newest year in the index.
    pub year: Option<String>,
    /// Only schools in these provinces (empty: all). Schools without a province in the
    /// crawl sources are left out when this is set.
    pub provinces: Vec<String>,
    /// Only schools of these kinds (大学, 学院, 职业技术学院 …; empty: all).
    pub kinds: Vec<String>,
    /// Only these schools (empty: all).
    pub schools: Vec<String>,
    /// Leave the snippets out (the cells still name report and section): the page of
    /// the whole matrix links to the evidence instead of printing it.
    pub without_snippets: bool,
}

/// The JSON contract of `xxgk checklist --json` and `/api/checklist`.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The year shown.
    pub year: String,
    /// Every year in the index, newest first.
    pub years: Vec<String>,
    /// Provinces and kinds of the year's schools, before the province and kind filters
    /// (what a filter form can offer).
    pub provinces: Vec<String>,
    pub kinds: Vec<String>,
    /// The filters applied.
    pub filter_provinces: Vec<String>,
    pub filter_kinds: Vec<String>,
    /// The 50 items with how many schools mention each.
    pub items: Vec<ItemCoverage>,
    /// One row per school with a report for the year (within the filters).
    pub rows: Vec<SchoolRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemCoverage {
    pub number: u32,
    pub category: String,
    pub short: String,
    pub wording: String,
    pub query: String,
    /// Schools (rows) whose report mentions the item.
    pub schools: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    pub school: String,
    /// The institution key of the school's reports (see [`crate::Report::institution`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    pub province: Option<String>,
    pub kind: Option<String>,
    /// The school's reports for the year (usually one), newest first.
    pub reports: Vec<ReportRef>,
    /// Items mentioned, out of [`ITEM_COUNT`].
    pub covered: usize,
    /// One cell per item, in item order: the evidence, or `None`.
    pub cells: Vec<Option<Evidence>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub published: Option<String>,
}

/// Where a report mentions an item: the first matching section in document order.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub report_id: String,
    pub section: SectionId,
    /// Position of the section in the report.
    pub section_index: usize,
    /// Which occurrence of `section` it is (0 for the first; reports may repeat a part).
    pub section_nth: usize,
    pub heading: String,
    /// Escaped text around the match, the match in `<mark>` (empty when the request left
    /// snippets out).
    pub snippet_html: String,
}

/// Orders for [`Matrix::sort_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatrixSort {
    /// Most items covered first (then by name).
    #[default]
    Coverage,
    /// By school name.
    School,
    /// By province, then name.
    Province,
    /// Schools mentioning item N first (then by coverage).
    Item(u32),
}

impl MatrixSort {
    /// `coverage`, `school`, `province` or `item:N`.
    pub fn parse(s: &str) -> Option<MatrixSort> {
        match s {
            "" | "coverage" => Some(MatrixSort::Coverage),
            "school" => Some(MatrixSort::School),
            "province" => Some(MatrixSort::Province),
            other => {
                let n: u32 = other.strip_prefix("item:")?.parse().ok()?;
                item(n).map(|_| MatrixSort::Item(n))
            }
        }
    }

    pub fn as_string(self) -> String {
        match self {
            MatrixSort::Coverage => "coverage".into(),
            MatrixSort::School => "school".into(),
            MatrixSort::Province => "province".into(),
            MatrixSort::Item(n) => format!("item:{n}"),
        }
    }
}

impl Matrix {
    /// Sorts the rows; `reverse` turns the order around.
    pub fn sort_rows(&mut self, sort: MatrixSort, reverse: bool) {
        let order = row_order(&self.rows, sort, reverse);
        let mut rows: Vec<Option<SchoolRow>> = self.rows.drain(..).map(Some).collect();
        self.rows = order.into_iter().filter_map(|i| rows[i].take()).collect();
    }
}

/// The positions of `rows` in the order `sort` (turned around with `reverse`) puts them,
/// for a caller that shares the matrix and cannot sort it in place.
pub fn row_order(rows: &[SchoolRow], sort: MatrixSort, reverse: bool) -> Vec<usize> {
    let by_coverage = |a: &SchoolRow, b: &SchoolRow| {
        b.covered
            .cmp(&a.covered)
            .then_with(|| a.school.cmp(&b.school))
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    match sort {
        MatrixSort::Coverage => order.sort_by(|&a, &b| by_coverage(&rows[a], &rows[b])),
        MatrixSort::School => order.sort_by(|&a, &b| rows[a].school.cmp(&rows[b].school)),
        MatrixSort::Province => order.sort_by(|&a, &b| {
            let key = |r: &SchoolRow| (r.province.is_none(), r.province.clone(), r.school.clone());
            // Schools without a province go last.
            key(&rows[a]).cmp(&key(&rows[b]))
        }),
        MatrixSort::Item(n) => {
            let i = n as usize - 1;
            let has = |r: &SchoolRow| r.cells.get(i).is_some_and(Option::is_some);
            order.sort_by(|&a, &b| {
                has(&rows[b])
                    .cmp(&has(&rows[a]))
                    .then_with(|| by_coverage(&rows[a], &rows[b]))
            })
        }
    }
    if reverse {
        order.reverse();
    }
    order
}
