//! What a search asks for and what it answers.

use std::collections::BTreeMap;

use serde::Serialize;

#[cfg(doc)]
use super::group::SECTIONS_SHOWN;
use super::group::{Group, SectionHit};
use crate::highlight::SNIPPET_CHARS;
use crate::report::SectionId;

/// Largest page of hits.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset into a result list (deep paging costs memory and helps no reader).
pub const MAX_OFFSET: usize = 10_000;
/// Most values for one filter.
pub(super) const MAX_FILTER_VALUES: usize = 50;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest publication date first.
    Date,
}

/// A search: query text, filters (values within one filter are alternatives), a page.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub schools: Vec<String>,
    pub years: Vec<String>,
    pub sections: Vec<SectionId>,
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
    pub snippet_chars: usize,
    /// One hit per section (the default here, which the checklist, `/schools` and the
    /// benchmarks count) or one per report (what the site and the CLI show by default).
    pub group: Group,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            schools: Vec::new(),
            years: Vec::new(),
            sections: Vec::new(),
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            snippet_chars: SNIPPET_CHARS,
            group: Group::Section,
        }
    }
}

/// The JSON contract of `xxgk search --json` and `/api/search`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub report_id: String,
    pub school: String,
    pub year: Option<String>,
    pub section: SectionId,
    pub heading: String,
    /// The heading, escaped, with matches in `<mark>`.
    pub heading_html: String,
    pub title: String,
    pub url: String,
    pub published: Option<String>,
    pub script: String,
    /// The report's institution key (registry code, else the archive's key), when the
    /// archive knew it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// Escaped section text around the best matches, matches in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
    /// Grouped by report: how many of the report's sections match (this one included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching_sections: Option<usize>,
    /// Grouped by report: the report's next best matching sections (at most
    /// [`SECTIONS_SHOWN`]), after this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<SectionHit>>,
}

/// Counts per value of each facet, over all matches (not only the page).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FacetCounts {
    pub school: BTreeMap<String, u64>,
    pub year: BTreeMap<String, u64>,
    pub section: BTreeMap<String, u64>,
}

/// What the index holds.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    pub reports: usize,
    pub sections: usize,
    pub schools: BTreeMap<String, u64>,
    pub years: BTreeMap<String, u64>,
}
