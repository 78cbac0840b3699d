//! Facet counts (school, year, section) over all matches, from each segment's facets
//! decoded once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::Query;
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DocId, Score, Searcher, SegmentReader};

use super::{group, Engine, FacetCounts};
use crate::report::SectionId;
use crate::Result;

impl Engine {
    pub(super) fn facet_counts(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<FacetCounts> {
        Ok(searcher.search(query, &self.facet_collector(searcher)?)?)
    }

    /// The facet counter for a search with `searcher`, after forgetting the facet names
    /// of segments that merges have retired.
    pub(super) fn facet_collector<'a>(&'a self, searcher: &Searcher) -> Result<FacetCounter<'a>> {
        self.facet_names.retain(searcher);
        Ok(FacetCounter {
            names: &self.facet_names,
            table: self.facet_names.report_table(searcher)?,
        })
    }
}

/// The three facets we count, in the order of [`SegmentFacets::docs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum FacetRoot {
    School = 0,
    Year = 1,
    Section = 2,
}

/// No facet of this kind on a document.
pub(super) const NO_FACET: u32 = u32::MAX;

/// One segment's facets, decoded once: the name behind each ordinal, and each
/// document's school, year and section ordinals side by side.
pub(super) struct SegmentFacets {
    /// By ordinal (`None`: not a value we count).
    pub(super) names: Vec<Option<(FacetRoot, Arc<str>)>>,
    /// By document: `[school, year, section]` ordinals, [`NO_FACET`] where absent.
    pub(super) docs: Vec<[u32; 3]>,
    /// By document: the ordinal of its report id in `report_ids` ([`NO_FACET`] if none).
    pub(super) reports: Vec<u32>,
    /// Report ids by their ordinal in this segment's `report_id` dictionary.
    pub(super) report_ids: Vec<Arc<str>>,
    /// By ordinal: the section's index in [`SectionId::ALL`] ([`NO_SECTION`] for other
    /// values), so a report's matching sections fit in one `u16`.
    pub(super) section_bit: Vec<u8>,
}

/// Not a section ordinal.
pub(super) const NO_SECTION: u8 = u8::MAX;

/// Facets by segment, decoded once per segment.
///
/// Tantivy's `FacetCollector` turns ordinals into names through the segment's facet
/// dictionary on every search, and that dictionary is zstd-compressed in blocks: with a
/// few hundred schools, that was 70 % of a search's time (a new zstd context per
/// lookup). Reading each document's ordinals from the multi-valued facet column was most
/// of the rest of a broad search. Segments never change, so both are decoded once (one
/// pass over the dictionary, one over the documents: 12 bytes a document) and kept until
/// a merge retires the segment.
#[derive(Default)]
pub(super) struct FacetNames {
    by_segment: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    /// The report numbering of the last searcher's segments.
    reports: Mutex<Option<Arc<group::ReportTable>>>,
}

impl FacetNames {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentFacets>>> {
        // The map is always left consistent, so a panic elsewhere cannot spoil it.
        self.by_segment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn for_segment(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = reader.segment_id();
        if let Some(facets) = self.lock().get(&id) {
            return Ok(facets.clone());
        }
        let facets = Arc::new(decode_facets(reader)?);
        self.lock().insert(id, facets.clone());
        Ok(facets)
    }

    /// The report numbering of `searcher`'s segments, made once per set of segments.
    pub(super) fn report_table(
        &self,
        searcher: &Searcher,
    ) -> tantivy::Result<Arc<group::ReportTable>> {
        let ids: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        let mut cached = self
            .reports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(table) = cached.as_ref().filter(|t| t.is_for(&ids)) {
            return Ok(table.clone());
        }
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|r| Ok((r.segment_id(), self.for_segment(r)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let table = Arc::new(group::ReportTable::build(&segments));
        *cached = Some(table.clone());
        Ok(table)
    }

    /// Forgets segments that `searcher` no longer has.
    pub(super) fn retain(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        self.lock().retain(|id, _| live.contains(id));
    }
}

fn decode_facets(reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
    let facet_reader = reader.facet_reader("facets")?;
    let mut names: Vec<Option<(FacetRoot, Arc<str>)>> = vec![None; facet_reader.num_facets()];
    let mut stream = facet_reader.facet_dict().stream()?;
    while stream.advance() {
        let Ok(facet) = Facet::from_encoded(stream.key().to_vec()) else {
            continue;
        };
        let root = match facet.to_path().as_slice() {
            ["school", name] => Some((FacetRoot::School, *name)),
            ["year", name] => Some((FacetRoot::Year, *name)),
            ["section", name] => Some((FacetRoot::Section, *name)),
            _ => None,
        };
        if let (Some(slot), Some((root, name))) = (names.get_mut(stream.term_ord() as usize), root)
        {
            *slot = Some((root, Arc::from(name)));
        }
    }
    let docs = (0..reader.max_doc())
        .map(|doc| {
            let mut ords = [NO_FACET; 3];
            for ord in facet_reader.facet_ords(doc) {
                if let Some(Some((root, _))) = names.get(ord as usize) {
                    ords[*root as usize] = ord as u32;
                }
            }
            ords
        })
        .collect();
    let (reports, report_ids) = decode_reports(reader)?;
    let section_bit = names
        .iter()
        .map(|name| match name {
            Some((FacetRoot::Section, name)) => SectionId::ALL
                .iter()
                .position(|s| s.as_str() == &**name)
                .and_then(|i| u8::try_from(i).ok())
                .unwrap_or(NO_SECTION),
            _ => NO_SECTION,
        })
        .collect();
    Ok(SegmentFacets {
        names,
        docs,
        reports,
        report_ids,
        section_bit,
    })
}

/// Each document's report, from the `report_id` term dictionary and its postings (the
/// field is not a fast field; reading it this way needs no schema change).
fn decode_reports(reader: &SegmentReader) -> tantivy::Result<(Vec<u32>, Vec<Arc<str>>)> {
    use tantivy::DocSet;
    let field = reader.schema().get_field("report_id")?;
    let inverted = reader.inverted_index(field)?;
    let mut reports = vec![NO_FACET; reader.max_doc() as usize];
    let mut ids: Vec<Arc<str>> = Vec::new();
    let mut stream = inverted.terms().stream()?;
    while stream.advance() {
        let ord = ids.len() as u32;
        ids.push(Arc::from(String::from_utf8_lossy(stream.key()).as_ref()));
        let mut postings =
            inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
        while postings.doc() != tantivy::TERMINATED {
            if let Some(slot) = reports.get_mut(postings.doc() as usize) {
                *slot = ord;
            }
            postings.advance();
        }
    }
    Ok((reports, ids))
}

/// Counts the school, year and section facets of the matching sections.
pub(super) struct FacetCounter<'a> {
    names: &'a FacetNames,
    /// The numbering of the searcher's facet values.
    table: Arc<group::ReportTable>,
}

pub(super) struct SegmentFacetCounter {
    segment: usize,
    facets: Arc<SegmentFacets>,
    counts: Vec<u64>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = FacetCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        segment_local_id: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let facets = self.names.for_segment(segment)?;
        Ok(SegmentFacetCounter {
            segment: segment_local_id as usize,
            counts: vec![0; facets.names.len()],
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        let mut tally = self.table.facet_tally();
        for (segment, counts) in fruits {
            self.table.add_segment_facets(segment, &counts, &mut tally);
        }
        Ok(self.table.facet_counts(&tally))
    }
}

impl FacetCounts {
    /// Adds `n` to the count of `name` under `root`.
    pub(super) fn add(&mut self, root: FacetRoot, name: &str, n: u64) {
        let map = match root {
            FacetRoot::School => &mut self.school,
            FacetRoot::Year => &mut self.year,
            FacetRoot::Section => &mut self.section,
        };
        match map.get_mut(name) {
            Some(count) => *count += n,
            None => {
                map.insert(name.to_string(), n);
            }
        }
    }
}

/// One segment's counts by its facet ordinals, with the segment's place in the searcher.
pub(super) type SegmentCounts = (usize, Vec<u64>);

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ords) = self.facets.docs.get(doc as usize) {
            for &ord in ords {
                if let Some(n) = self.counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        (self.segment, self.counts)
    }
}
