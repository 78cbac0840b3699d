//! One result per report (issue 11): a report is listed once, at the rank of its best
//! section, with that section's snippet and its other matching sections beneath. Facets
//! then count reports, and `total` counts the reports listed.
//!
//! Three passes over the index, none of which scores more than it must:
//! 1. a counting pass (no scoring) that tallies, per report, its school, year, matching
//!    sections and how many sections match — the totals and facet counts;
//! 2. the ordinary top-k over sections, widened until it holds enough distinct reports for
//!    the page;
//! 3. the query again, restricted to the page's reports, for each one's sections by score.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentReader, TantivyDocument, Term};

use super::{any_of, Engine, FacetCounts, FacetNames, Hit, SegmentFacets, Sort, NO_FACET};
use crate::highlight::snippet_preferring;
use crate::report::SectionId;
use crate::Result;

/// How results are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Every matching section is a hit (what the checklist, `/schools` and the benchmarks
    /// count, and `group=section` on the site).
    #[default]
    Section,
    /// One hit per report: its best section, its other matching sections beneath.
    Report,
}

impl Group {
    pub fn parse(s: &str) -> Option<Group> {
        match s {
            "section" => Some(Group::Section),
            "report" => Some(Group::Report),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Section => "section",
            Group::Report => "report",
        }
    }
}

/// Another matching section of a report, listed under its best one.
#[derive(Debug, Clone, Serialize)]
pub struct SectionHit {
    pub section: SectionId,
    pub heading: String,
    /// Escaped section text around the matches, matches in `<mark>`.
    pub snippet_html: String,
}

/// Most other matching sections listed under a report's best one.
pub const SECTIONS_SHOWN: usize = 3;
/// Characters of context in the snippet of a section listed beneath.
const SECTION_SNIPPET_CHARS: usize = 100;

/// What the counting pass knows of one report.
#[derive(Debug, Default)]
struct Tally {
    school: Option<Arc<str>>,
    year: Option<Arc<str>>,
    sections: BTreeSet<Arc<str>>,
    count: usize,
}

pub(super) struct Grouped {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

impl Engine {
    /// The grouped search: see the module documentation.
    pub(super) fn search_by_report(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        req: &super::SearchRequest,
        preferred: &[String],
        needles: &[String],
    ) -> Result<Grouped> {
        self.facet_names.retain(searcher);
        let want = req.offset + req.limit;
        // The counting pass rides along with the first top-k (one weight, one pass).
        let first_limit = (want * 4).max(40);
        let counter = ReportCounter {
            names: &self.facet_names,
        };
        let (first_docs, tallies) = top_sections(searcher, query, req.sort, first_limit, counter)?;
        let mut facets = FacetCounts::default();
        for tally in tallies.values() {
            if let Some(school) = &tally.school {
                *facets.school.entry(school.to_string()).or_default() += 1;
            }
            if let Some(year) = &tally.year {
                *facets.year.entry(year.to_string()).or_default() += 1;
            }
            for section in &tally.sections {
                *facets.section.entry(section.to_string()).or_default() += 1;
            }
        }
        let total = tallies.len();
        let sections: usize = tallies.values().map(|t| t.count).sum();
        let ranked = self.ranked_reports(
            searcher,
            query,
            req.sort,
            want,
            sections,
            first_docs,
            first_limit,
        )?;
        let page: Vec<Arc<str>> = ranked
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .collect();
        let hits = self.report_hits(searcher, query, &page, &tallies, req, preferred, needles)?;
        Ok(Grouped {
            total,
            hits,
            facets,
        })
    }

    /// Distinct reports in rank order, at least `want` of them when there are that many:
    /// the top `limit` sections (`docs`, already searched), widened fourfold until they
    /// hold enough reports.
    #[allow(clippy::too_many_arguments)]
    fn ranked_reports(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: Sort,
        want: usize,
        sections: usize,
        mut docs: Vec<DocAddress>,
        mut limit: usize,
    ) -> Result<Vec<Arc<str>>> {
        let segments: Vec<Arc<SegmentFacets>> = searcher
            .segment_readers()
            .iter()
            .map(|r| self.facet_names.for_segment(r))
            .collect::<tantivy::Result<_>>()?;
        loop {
            let mut seen = HashSet::new();
            let mut order = Vec::new();
            for addr in &docs {
                if let Some(id) = report_of(&segments, *addr) {
                    if seen.insert(id.clone()) {
                        order.push(id);
                    }
                }
            }
            if order.len() >= want || docs.len() < limit || limit >= sections {
                return Ok(order);
            }
            limit = limit.saturating_mul(4);
            docs = top_sections(searcher, query, sort, limit, NoCount)?.0;
        }
    }

    /// The hits of the page's reports: each report's sections by score, the best as the
    /// hit, the next [`SECTIONS_SHOWN`] beneath it.
    #[allow(clippy::too_many_arguments)]
    fn report_hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        page: &[Arc<str>],
        tallies: &HashMap<Arc<str>, Tally>,
        req: &super::SearchRequest,
        preferred: &[String],
        needles: &[String],
    ) -> Result<Vec<Hit>> {
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Box<dyn Query>> = page
            .iter()
            .map(|id| {
                Box::new(TermQuery::new(
                    Term::from_field_text(self.f.report_id, id),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect();
        let within = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, Box::new(BoostQuery::new(any_of(ids), 0.0))),
        ]);
        let count: usize = page
            .iter()
            .filter_map(|id| tallies.get(id))
            .map(|t| t.count)
            .sum();
        let segments: Vec<Arc<SegmentFacets>> = searcher
            .segment_readers()
            .iter()
            .map(|r| self.facet_names.for_segment(r))
            .collect::<tantivy::Result<_>>()?;
        let docs = searcher.search(&within, &TopDocs::with_limit(count.max(1)).order_by_score())?;
        let mut by_report: HashMap<Arc<str>, Vec<(Score, DocAddress)>> = HashMap::new();
        for (score, addr) in docs {
            if let Some(id) = report_of(&segments, addr) {
                by_report.entry(id).or_default().push((score, addr));
            }
        }
        let mut hits = Vec::with_capacity(page.len());
        for id in page {
            let Some(sections) = by_report.get(id) else {
                continue;
            };
            let Some(&(score, best)) = sections.first() else {
                continue;
            };
            let doc: TantivyDocument = searcher.doc(best)?;
            let mut hit = self.hit(&doc, score, preferred, needles, req.snippet_chars);
            let mut beneath = Vec::new();
            for &(_, addr) in sections.iter().skip(1).take(SECTIONS_SHOWN) {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let text = |field| super::get_str(&doc, field).unwrap_or_default();
                beneath.push(SectionHit {
                    section: super::get_str(&doc, self.f.section)
                        .and_then(|s| SectionId::parse(&s))
                        .unwrap_or(SectionId::Other),
                    heading: text(self.f.heading),
                    snippet_html: snippet_preferring(
                        &text(self.f.body),
                        preferred,
                        needles,
                        SECTION_SNIPPET_CHARS.min(req.snippet_chars.max(10)),
                    ),
                });
            }
            if req.sort == Sort::Date {
                hit.score = 0.0;
            }
            hit.matching_sections = Some(tallies.get(id).map_or(sections.len(), |t| t.count));
            hit.sections = Some(beneath);
            hits.push(hit);
        }
        Ok(hits)
    }
}

/// The top `limit` sections in `sort` order, with `extra`'s fruit from the same pass.
fn top_sections<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
    extra: C,
) -> Result<(Vec<DocAddress>, C::Fruit)> {
    let top = TopDocs::with_limit(limit);
    Ok(match sort {
        Sort::Relevance => {
            let (docs, fruit) = searcher.search(query, &(top.order_by_score(), extra))?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
        Sort::Date => {
            let (docs, fruit) = searcher.search(
                query,
                &(
                    top.order_by_fast_field::<u64>("published_sort", Order::Desc),
                    extra,
                ),
            )?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
    })
}

/// A collector that collects nothing (for a widened top-k that needs no counting).
struct NoCount;

struct NoSegmentCount;

impl Collector for NoCount {
    type Fruit = ();
    type Child = NoSegmentCount;

    fn for_segment(&self, _: u32, _: &SegmentReader) -> tantivy::Result<NoSegmentCount> {
        Ok(NoSegmentCount)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<()> {
        Ok(())
    }
}

impl SegmentCollector for NoSegmentCount {
    type Fruit = ();

    fn collect(&mut self, _: DocId, _: Score) {}

    fn harvest(self) {}
}

fn report_of(segments: &[Arc<SegmentFacets>], addr: DocAddress) -> Option<Arc<str>> {
    let facets = segments.get(addr.segment_ord as usize)?;
    let ord = *facets.reports.get(addr.doc_id as usize)?;
    facets.report_ids.get(ord as usize).cloned()
}

/// The counting pass: per report, its school, year, matching sections and their number.
struct ReportCounter<'a> {
    names: &'a FacetNames,
}

struct SegmentReportCounter {
    facets: Arc<SegmentFacets>,
    /// Report ordinal → (facet ordinals of its school and year, section ordinals, count).
    by_report: HashMap<u32, ([u32; 2], Vec<u32>, usize)>,
}

type SegmentTallies = Vec<(Arc<str>, Tally)>;

impl Collector for ReportCounter<'_> {
    type Fruit = HashMap<Arc<str>, Tally>;
    type Child = SegmentReportCounter;

    fn for_segment(
        &self,
        _segment_local_id: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentReportCounter> {
        Ok(SegmentReportCounter {
            facets: self.names.for_segment(segment)?,
            by_report: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentTallies>) -> tantivy::Result<Self::Fruit> {
        let mut all: HashMap<Arc<str>, Tally> = HashMap::new();
        for fruit in fruits {
            for (id, tally) in fruit {
                let entry = all.entry(id).or_default();
                entry.school = entry.school.take().or(tally.school);
                entry.year = entry.year.take().or(tally.year);
                entry.sections.extend(tally.sections);
                entry.count += tally.count;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentReportCounter {
    type Fruit = SegmentTallies;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(&report) = self.facets.reports.get(doc as usize) else {
            return;
        };
        if report == NO_FACET {
            return;
        }
        let [school, year, section] = self
            .facets
            .docs
            .get(doc as usize)
            .copied()
            .unwrap_or([NO_FACET; 3]);
        let entry = self
            .by_report
            .entry(report)
            .or_insert_with(|| ([school, year], Vec::new(), 0));
        if section != NO_FACET && !entry.1.contains(&section) {
            entry.1.push(section);
        }
        entry.2 += 1;
    }

    fn harvest(self) -> SegmentTallies {
        let name = |ord: u32| -> Option<Arc<str>> {
            self.facets
                .names
                .get(ord as usize)?
                .as_ref()
                .map(|(_, n)| n.clone())
        };
        self.by_report
            .iter()
            .filter_map(|(&report, ([school, year], sections, count))| {
                let id = self.facets.report_ids.get(report as usize)?.clone();
                Some((
                    id,
                    Tally {
                        school: name(*school),
                        year: name(*year),
                        sections: sections.iter().filter_map(|&s| name(s)).collect(),
                        count: *count,
                    },
                ))
            })
            .collect()
    }
}
