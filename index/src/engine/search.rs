//! Running a search: validation, the page of hits with snippets, total and facets.

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, Order, TantivyDocument};
use tracing::{debug, info_span};

use super::request::MAX_FILTER_VALUES;
use super::{
    get_str, Engine, Group, Hit, SearchRequest, SearchResults, Sort, MAX_LIMIT, MAX_OFFSET,
};
use crate::highlight::Highlighter;
use crate::query::UserQuery;
use crate::report::SectionId;
use crate::{Error, Result};

impl Engine {
    /// Runs a search: hits of the requested page with snippets, total and facet counts.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let _span = info_span!("search", query = %req.query).entered();
        if req.limit == 0 || req.limit > MAX_LIMIT {
            return Err(Error::BadRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        if req.offset > MAX_OFFSET {
            return Err(Error::BadRequest(format!(
                "cannot page beyond {MAX_OFFSET} results; narrow the search with filters"
            )));
        }
        for (name, n) in [("school", req.schools.len()), ("year", req.years.len())] {
            if n > MAX_FILTER_VALUES {
                return Err(Error::BadRequest(format!(
                    "too many {name} filters ({n}; at most {MAX_FILTER_VALUES})"
                )));
            }
        }
        let user_query = UserQuery::parse(&req.query)?;
        let query = self.build_query(&user_query, req);
        let searcher = self.reader.searcher();
        let marks = Highlighter::new(
            &user_query.preferred_needles(),
            &user_query.highlight_needles(),
        );
        if req.group == Group::Report {
            let grouped = self.search_by_report(&searcher, query.as_ref(), req, &marks)?;
            debug!(total = grouped.total, "searched by report");
            return Ok(SearchResults {
                query: req.query.clone(),
                total: grouped.total,
                hits: grouped.hits,
                facets: grouped.facets,
            });
        }
        let facet_collector = self.facet_collector(&searcher)?;
        let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
        let (docs, total, facet_counts): (Vec<(f32, DocAddress)>, usize, _) = match req.sort {
            Sort::Relevance => {
                searcher.search(&query, &(top.order_by_score(), Count, facet_collector))?
            }
            Sort::Date => {
                let (docs, total, facets) = searcher.search(
                    &query,
                    &(
                        top.order_by_fast_field::<u64>("published_sort", Order::Desc),
                        Count,
                        facet_collector,
                    ),
                )?;
                let docs = docs.into_iter().map(|(_, addr)| (0.0, addr)).collect();
                (docs, total, facets)
            }
        };
        // Stored text read and snippets cut side by side on the search threads.
        let hits = searcher.index().search_executor().map(
            |(score, addr): (f32, DocAddress)| {
                let doc: TantivyDocument = searcher.doc(addr)?;
                Ok(self.hit(&doc, score, &marks, req.snippet_chars))
            },
            docs.into_iter(),
        )?;
        debug!(total, "searched");
        Ok(SearchResults {
            query: req.query.clone(),
            total,
            hits,
            facets: facet_counts,
        })
    }

    /// Every section the request's query and filters match, as (report id, section
    /// index), without ranking, snippets or paging (`limit`, `offset` and `sort` are
    /// ignored). For recall checks and exports; it reads one stored document per match.
    pub fn matching_sections(&self, req: &SearchRequest) -> Result<Vec<(String, u64)>> {
        let user_query = UserQuery::parse(&req.query)?;
        let query = self.build_query(&user_query, req);
        let searcher = self.reader.searcher();
        let mut addrs: Vec<DocAddress> = searcher
            .search(&query, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        // In store order, so that each compressed block is read once.
        addrs.sort();
        addrs
            .into_iter()
            .map(|addr| {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let id = get_str(&doc, self.f.report_id).unwrap_or_default();
                let idx = doc
                    .get_first(self.f.section_idx)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default();
                Ok((id, idx))
            })
            .collect()
    }
}

impl Engine {
    pub(super) fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        marks: &Highlighter,
        chars: usize,
    ) -> Hit {
        let text = |field| get_str(doc, field).unwrap_or_default();
        let body = text(self.f.body);
        let section = get_str(doc, self.f.section)
            .and_then(|s| SectionId::parse(&s))
            .unwrap_or(SectionId::Other);
        Hit {
            report_id: text(self.f.report_id),
            school: text(self.f.school),
            year: get_str(doc, self.f.year),
            section,
            heading_html: marks.mark_all(&text(self.f.heading)),
            heading: text(self.f.heading),
            title: text(self.f.title),
            url: text(self.f.url),
            published: get_str(doc, self.f.published),
            script: text(self.f.script),
            institution: get_str(doc, self.f.institution),
            snippet_html: marks.snippet(&body, chars.clamp(10, 2000)),
            score,
            matching_sections: None,
            sections: None,
        }
    }
}
