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

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocAddress, DocId, DocSet, Order, Score, Searcher, SegmentReader, TantivyDocument, Term,
    TERMINATED,
};

use super::{
    Engine, FacetCounts, FacetNames, FacetRoot, Hit, SegmentFacets, Sort, NO_FACET, NO_SECTION,
};
use crate::highlight::Highlighter;
use crate::report::SectionId;
use crate::Result;

/// How results are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
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
        marks: &Highlighter,
    ) -> Result<Grouped> {
        self.facet_names.retain(searcher);
        let want = req.offset + req.limit;
        // The counting pass rides along with the first top-k (one weight, one pass).
        let first_limit = (want * 4).max(40);
        let table = self.facet_names.report_table(searcher)?;
        let counter = ReportCounter {
            names: &self.facet_names,
            table: table.clone(),
        };
        // One weight for every pass: its statistics and term lookups are made once.
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let weight = weight.as_ref();
        let (first_docs, tallies) = top_sections(searcher, weight, req.sort, first_limit, counter)?;
        let total = tallies.reports();
        let sections = tallies.sections();
        let facets = tallies.facets.clone();
        let ranked = self.ranked_reports(
            searcher,
            weight,
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
        let hits = self.report_hits(searcher, weight, &page, &tallies, req, marks)?;
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
        weight: &dyn Weight,
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
            docs = top_sections(searcher, weight, sort, limit, NoCount)?.0;
        }
    }

    /// The hits of the page's reports: each report's sections by score, the best as the
    /// hit, the next [`SECTIONS_SHOWN`] beneath it. The page's reports' sections are few:
    /// each segment's scorer is moved to each of them in turn (the query's weight is the
    /// first pass's, so the scores are the same).
    fn report_hits(
        &self,
        searcher: &Searcher,
        weight: &dyn Weight,
        page: &[Arc<str>],
        tallies: &Tallies,
        req: &super::SearchRequest,
        marks: &Highlighter,
    ) -> Result<Vec<Hit>> {
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let mut scored: Vec<(Score, DocAddress, Arc<str>)> = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let index = reader.inverted_index(self.f.report_id)?;
            let mut docs: Vec<(DocId, &Arc<str>)> = Vec::new();
            for id in page {
                let term = Term::from_field_text(self.f.report_id, id);
                let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                while postings.doc() != TERMINATED {
                    if reader
                        .alive_bitset()
                        .is_none_or(|a| a.is_alive(postings.doc()))
                    {
                        docs.push((postings.doc(), id));
                    }
                    postings.advance();
                }
            }
            if docs.is_empty() {
                continue;
            }
            docs.sort_unstable_by_key(|(doc, _)| *doc);
            let mut scorer = weight.scorer(reader, 1.0)?;
            for (doc, id) in docs {
                // A scorer only moves forward, and only to a target past where it stands.
                let at = match scorer.doc() {
                    current if current < doc => scorer.seek(doc),
                    current => current,
                };
                if at == doc {
                    let addr = DocAddress::new(ord as u32, doc);
                    scored.push((scorer.score(), addr, id.clone()));
                }
            }
        }
        // Best first, ties in index order (as the first pass's top-k orders them).
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut by_report: HashMap<Arc<str>, Vec<(Score, DocAddress)>> = HashMap::new();
        for (score, addr, id) in scored {
            by_report.entry(id).or_default().push((score, addr));
        }
        // Each hit reads its sections from the store and cuts their snippets: the page's
        // reports are made side by side on the search threads.
        let made = searcher.index().search_executor().map(
            |id: &Arc<str>| -> tantivy::Result<Option<Hit>> {
                let Some(sections) = by_report.get(id) else {
                    return Ok(None);
                };
                let Some(&(score, best)) = sections.first() else {
                    return Ok(None);
                };
                let doc: TantivyDocument = searcher.doc(best)?;
                let mut hit = self.hit(&doc, score, marks, req.snippet_chars);
                let mut beneath = Vec::new();
                for &(_, addr) in sections.iter().skip(1).take(SECTIONS_SHOWN) {
                    let doc: TantivyDocument = searcher.doc(addr)?;
                    let text = |field| super::get_str(&doc, field).unwrap_or_default();
                    beneath.push(SectionHit {
                        section: super::get_str(&doc, self.f.section)
                            .and_then(|s| SectionId::parse(&s))
                            .unwrap_or(SectionId::Other),
                        heading: text(self.f.heading),
                        snippet_html: marks.snippet(
                            &text(self.f.body),
                            SECTION_SNIPPET_CHARS.min(req.snippet_chars.max(10)),
                        ),
                    });
                }
                if req.sort == Sort::Date {
                    hit.score = 0.0;
                }
                hit.matching_sections = Some(tallies.count_of(id).unwrap_or(sections.len()));
                hit.sections = Some(beneath);
                Ok(Some(hit))
            },
            page.iter(),
        )?;
        Ok(made.into_iter().flatten().collect())
    }
}

/// The top `limit` sections in `sort` order, with `extra`'s fruit from the same pass.
fn top_sections<C: Collector>(
    searcher: &Searcher,
    weight: &dyn Weight,
    sort: Sort,
    limit: usize,
    extra: C,
) -> Result<(Vec<DocAddress>, C::Fruit)> {
    let top = TopDocs::with_limit(limit);
    Ok(match sort {
        Sort::Relevance => {
            let (docs, fruit) = collect(searcher, weight, &(top.order_by_score(), extra))?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
        Sort::Date => {
            let (docs, fruit) = collect(
                searcher,
                weight,
                &(
                    top.order_by_fast_field::<u64>("published_sort", Order::Desc),
                    extra,
                ),
            )?;
            (docs.into_iter().map(|(_, a)| a).collect(), fruit)
        }
    })
}

/// `collector` over every segment with a weight already made (what `Searcher::search`
/// does after making one), the segments side by side on the search threads.
fn collect<C: Collector>(
    searcher: &Searcher,
    weight: &dyn Weight,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let fruits = searcher.index().search_executor().map(
        |(ord, reader): (usize, &SegmentReader)| {
            collector.collect_segment(weight, ord as u32, reader)
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    collector.merge_fruits(fruits)
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

/// Every report and every facet value of a searcher's segments, numbered once per set of
/// segments: each segment's report and facet ordinals map to one number, so the counting
/// passes tally in flat arrays (no hashing of ids per matching section, no map of names
/// per segment), and a report whose sections lie in several segments is still one report.
pub(super) struct ReportTable {
    segments: Vec<SegmentId>,
    /// Report ids, sorted; a report's number is its index.
    ids: Vec<Arc<str>>,
    /// By segment (searcher order): local report ordinal → number.
    numbers: Vec<Vec<u32>>,
    /// Facet values, sorted by facet then name; a value's number is its index.
    facet_values: Vec<(FacetRoot, Arc<str>)>,
    /// By segment (searcher order): local facet ordinal → number ([`NO_FACET`] for a
    /// value not counted).
    facet_numbers: Vec<Vec<u32>>,
}

impl ReportTable {
    pub(super) fn build(segments: &[(SegmentId, Arc<SegmentFacets>)]) -> ReportTable {
        let mut all: Vec<(&Arc<str>, usize, usize)> = segments
            .iter()
            .enumerate()
            .flat_map(|(seg, (_, facets))| {
                facets
                    .report_ids
                    .iter()
                    .enumerate()
                    .map(move |(local, id)| (id, seg, local))
            })
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut ids: Vec<Arc<str>> = Vec::new();
        let mut numbers: Vec<Vec<u32>> = segments
            .iter()
            .map(|(_, f)| vec![0; f.report_ids.len()])
            .collect();
        for (id, seg, local) in all {
            if ids.last().is_none_or(|last| last != id) {
                ids.push(id.clone());
            }
            let number = u32::try_from(ids.len() - 1).unwrap_or(u32::MAX);
            if let Some(slot) = numbers.get_mut(seg).and_then(|n| n.get_mut(local)) {
                *slot = number;
            }
        }
        let mut values: Vec<(FacetRoot, &Arc<str>, usize, usize)> = segments
            .iter()
            .enumerate()
            .flat_map(|(seg, (_, facets))| {
                facets
                    .names
                    .iter()
                    .enumerate()
                    .filter_map(move |(local, name)| {
                        let (root, name) = name.as_ref()?;
                        Some((*root, name, seg, local))
                    })
            })
            .collect();
        values.sort_unstable_by(|a, b| (a.0 as u8, a.1).cmp(&(b.0 as u8, b.1)));
        let mut facet_values: Vec<(FacetRoot, Arc<str>)> = Vec::new();
        let mut facet_numbers: Vec<Vec<u32>> = segments
            .iter()
            .map(|(_, f)| vec![NO_FACET; f.names.len()])
            .collect();
        for (root, name, seg, local) in values {
            if facet_values
                .last()
                .is_none_or(|(r, n)| *r != root || n != name)
            {
                facet_values.push((root, name.clone()));
            }
            let number = u32::try_from(facet_values.len() - 1).unwrap_or(NO_FACET);
            if let Some(slot) = facet_numbers.get_mut(seg).and_then(|n| n.get_mut(local)) {
                *slot = number;
            }
        }
        ReportTable {
            segments: segments.iter().map(|(id, _)| *id).collect(),
            ids,
            numbers,
            facet_values,
            facet_numbers,
        }
    }

    pub(super) fn is_for(&self, segments: &[SegmentId]) -> bool {
        self.segments == segments
    }

    fn number(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|probe| (**probe).cmp(id)).ok()
    }

    /// A tally by facet value number, zero for every value.
    pub(super) fn facet_tally(&self) -> Vec<u64> {
        vec![0; self.facet_values.len()]
    }

    /// Adds a segment's counts by local facet ordinal (`segment` in searcher order) to
    /// `tally`.
    pub(super) fn add_segment_facets(&self, segment: usize, local: &[u64], tally: &mut [u64]) {
        let Some(numbers) = self.facet_numbers.get(segment) else {
            return;
        };
        for (&n, &number) in local.iter().zip(numbers) {
            if n > 0 {
                if let Some(slot) = tally.get_mut(number as usize) {
                    *slot += n;
                }
            }
        }
    }

    /// The non-zero counts of `tally` by facet and name. The values are in order, so
    /// each map is built from a sorted list, not by one insertion per name.
    pub(super) fn facet_counts(&self, tally: &[u64]) -> FacetCounts {
        let of = |want: FacetRoot| {
            self.facet_values
                .iter()
                .zip(tally)
                .filter(|((root, _), &n)| *root == want && n > 0)
                .map(|((_, name), &n)| (name.to_string(), n))
                .collect()
        };
        FacetCounts {
            school: of(FacetRoot::School),
            year: of(FacetRoot::Year),
            section: of(FacetRoot::Section),
        }
    }
}

/// What the counting pass found: per report, how many of its sections match and which
/// section kinds; the facet counts (of reports) and totals.
pub(super) struct Tallies {
    table: Arc<ReportTable>,
    /// By report number.
    counts: Vec<u32>,
    /// Report numbers with a match.
    touched: usize,
    sections: usize,
    facets: FacetCounts,
}

impl Tallies {
    /// Reports with a matching section.
    fn reports(&self) -> usize {
        self.touched
    }

    /// Matching sections.
    fn sections(&self) -> usize {
        self.sections
    }

    /// Matching sections of one report.
    fn count_of(&self, id: &str) -> Option<usize> {
        let n = *self.counts.get(self.table.number(id)?)?;
        (n > 0).then_some(n as usize)
    }
}

/// The counting pass: per report, its school, year, matching sections and their number.
struct ReportCounter<'a> {
    names: &'a FacetNames,
    table: Arc<ReportTable>,
}

struct SegmentReportCounter {
    segment: usize,
    facets: Arc<SegmentFacets>,
    /// By local report ordinal: matching sections, and their kinds as bits of
    /// [`SectionId::ALL`](crate::SectionId::ALL).
    counts: Vec<u32>,
    kinds: Vec<u16>,
    /// Each report with a match, by its local ordinal, with the school and year ordinals
    /// of its first matching section, in order of first match.
    first: Vec<(u32, [u32; 2])>,
    /// School and year counts (by local facet ordinal) of the reports in `first`, made
    /// when the segment is harvested, on the search threads.
    by_ord: Vec<u64>,
}

impl Collector for ReportCounter<'_> {
    type Fruit = Tallies;
    type Child = SegmentReportCounter;

    fn for_segment(
        &self,
        segment_local_id: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentReportCounter> {
        let facets = self.names.for_segment(segment)?;
        let n = facets.report_ids.len();
        Ok(SegmentReportCounter {
            segment: segment_local_id as usize,
            counts: vec![0; n],
            kinds: vec![0; n],
            first: Vec::new(),
            by_ord: Vec::new(),
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentReportCounter>) -> tantivy::Result<Tallies> {
        let n = self.table.ids.len();
        let mut counts = vec![0u32; n];
        let mut kinds = vec![0u16; n];
        let mut touched = Vec::new();
        let mut sections = 0usize;
        let mut tally = self.table.facet_tally();
        for mut fruit in fruits {
            let Some(numbers) = self.table.numbers.get(fruit.segment) else {
                continue;
            };
            // School and year ordinals are the segment's own: counted per segment (when
            // harvested), then added by their numbers across segments — less a report an
            // earlier segment counted already.
            for &(local, ords) in &fruit.first {
                let Some(&number) = numbers.get(local as usize) else {
                    continue;
                };
                let number = number as usize;
                let (Some(count), Some(kind)) = (counts.get_mut(number), kinds.get_mut(number))
                else {
                    continue;
                };
                if *count == 0 {
                    touched.push(number);
                } else {
                    for ord in ords {
                        if let Some(c) = fruit.by_ord.get_mut(ord as usize) {
                            *c = c.saturating_sub(1);
                        }
                    }
                }
                let local_count = fruit.counts.get(local as usize).copied().unwrap_or(0);
                *count += local_count;
                *kind |= fruit.kinds.get(local as usize).copied().unwrap_or(0);
                sections += local_count as usize;
            }
            self.table
                .add_segment_facets(fruit.segment, &fruit.by_ord, &mut tally);
        }
        let mut facets = self.table.facet_counts(&tally);
        let by_kind = count_bits(touched.iter().map(|&n| kinds.get(n).copied().unwrap_or(0)));
        for (kind, &c) in crate::SectionId::ALL.iter().zip(&by_kind) {
            if c > 0 {
                facets.add(FacetRoot::Section, kind.as_str(), c);
            }
        }
        Ok(Tallies {
            table: self.table.clone(),
            counts,
            touched: touched.len(),
            sections,
            facets,
        })
    }
}

/// Each bit of a byte spread to its own byte of a `u64` (bit `i` → byte `i`), so that
/// adding spreads counts eight bits at once.
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut bit = 0;
        while bit < 8 {
            if byte & (1 << bit) != 0 {
                table[byte] |= 1 << (8 * bit);
            }
            bit += 1;
        }
        byte += 1;
    }
    table
};

/// How many of `masks` have each of the 16 bits set: two table lookups and two additions
/// a mask (a report's section kinds), counters flushed before a byte can overflow.
fn count_bits(masks: impl Iterator<Item = u16>) -> [u64; 16] {
    let mut counts = [0u64; 16];
    let (mut low, mut high, mut pending) = (0u64, 0u64, 0u32);
    let mut flush = |low: &mut u64, high: &mut u64| {
        for i in 0..8 {
            counts[i] += (*low >> (8 * i)) & 0xff;
            counts[8 + i] += (*high >> (8 * i)) & 0xff;
        }
        *low = 0;
        *high = 0;
    };
    for mask in masks {
        let [lo, hi] = mask.to_le_bytes();
        low += SPREAD[lo as usize];
        high += SPREAD[hi as usize];
        pending += 1;
        if pending == 255 {
            flush(&mut low, &mut high);
            pending = 0;
        }
    }
    flush(&mut low, &mut high);
    counts
}

impl SegmentCollector for SegmentReportCounter {
    type Fruit = SegmentReportCounter;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(&report) = self.facets.reports.get(doc as usize) else {
            return;
        };
        let Some(count) = self.counts.get_mut(report as usize) else {
            return; // NO_FACET: a section without a report id
        };
        let [school, year, section] = self
            .facets
            .docs
            .get(doc as usize)
            .copied()
            .unwrap_or([NO_FACET; 3]);
        if *count == 0 {
            self.first.push((report, [school, year]));
        }
        *count += 1;
        let bit = self
            .facets
            .section_bit
            .get(section as usize)
            .copied()
            .unwrap_or(NO_SECTION);
        if let Some(kind) = self.kinds.get_mut(report as usize) {
            if bit < 16 {
                *kind |= 1 << bit;
            }
        }
    }

    fn harvest(mut self) -> SegmentReportCounter {
        let mut by_ord = vec![0u64; self.facets.names.len()];
        for &(_, ords) in &self.first {
            for ord in ords {
                if let Some(c) = by_ord.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
        self.by_ord = by_ord;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(ids: &[&str]) -> Arc<SegmentFacets> {
        Arc::new(SegmentFacets {
            names: Vec::new(),
            docs: Vec::new(),
            reports: Vec::new(),
            report_ids: ids.iter().map(|id| Arc::from(*id)).collect(),
            section_bit: Vec::new(),
        })
    }

    /// Bit counts over masks agree with counting bit by bit, past the counters' flush.
    #[test]
    fn bits_are_counted_across_flushes() {
        let masks: Vec<u16> = (0..2000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u16)
            .collect();
        let mut expected = [0u64; 16];
        for m in &masks {
            for (bit, slot) in expected.iter_mut().enumerate() {
                *slot += u64::from(m >> bit & 1);
            }
        }
        assert_eq!(count_bits(masks.iter().copied()), expected);
        assert_eq!(count_bits(std::iter::repeat_n(0xffff, 600))[15], 600);
        assert_eq!(count_bits(std::iter::empty()), [0; 16]);
    }

    /// A report with sections in two segments gets one number; the numbers follow the ids.
    #[test]
    fn reports_are_numbered_once_across_segments() {
        let (a, b) = (SegmentId::generate_random(), SegmentId::generate_random());
        let table = ReportTable::build(&[(a, segment(&["r1", "r3"])), (b, segment(&["r2", "r3"]))]);
        assert_eq!(table.ids.len(), 3);
        assert_eq!(table.numbers, vec![vec![0, 2], vec![1, 2]]);
        assert_eq!(table.number("r3"), Some(2));
        assert_eq!(table.number("r4"), None);
        assert!(table.is_for(&[a, b]));
        assert!(!table.is_for(&[b, a]));
    }

    fn named(names: &[Option<(FacetRoot, &str)>]) -> Arc<SegmentFacets> {
        Arc::new(SegmentFacets {
            names: names
                .iter()
                .map(|n| n.map(|(root, name)| (root, Arc::from(name))))
                .collect(),
            docs: Vec::new(),
            reports: Vec::new(),
            report_ids: Vec::new(),
            section_bit: Vec::new(),
        })
    }

    /// A facet value held by two segments is one number; segments' counts by their own
    /// ordinals add up under it, and values nobody counted are left out.
    #[test]
    fn facet_values_are_numbered_once_and_counts_add_across_segments() {
        use FacetRoot::{School, Year};
        let (a, b) = (SegmentId::generate_random(), SegmentId::generate_random());
        let table = ReportTable::build(&[
            (
                a,
                named(&[Some((School, "乙大学")), None, Some((Year, "2020-2021"))]),
            ),
            (
                b,
                named(&[
                    Some((School, "甲大学")),
                    Some((School, "乙大学")),
                    Some((Year, "2021-2022")),
                ]),
            ),
        ]);
        assert_eq!(table.facet_values.len(), 4);
        assert_eq!(table.facet_numbers[0][1], NO_FACET);
        assert_eq!(table.facet_numbers[0][0], table.facet_numbers[1][1]);
        let mut tally = table.facet_tally();
        table.add_segment_facets(0, &[2, 7, 1], &mut tally);
        table.add_segment_facets(1, &[0, 3, 4], &mut tally);
        let counts = table.facet_counts(&tally);
        assert_eq!(
            counts.school.into_iter().collect::<Vec<_>>(),
            vec![("乙大学".to_string(), 5)]
        );
        assert_eq!(
            counts.year.into_iter().collect::<Vec<_>>(),
            vec![("2020-2021".to_string(), 1), ("2021-2022".to_string(), 4)]
        );
    }
}
