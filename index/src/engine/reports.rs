//! Reading whole reports back out of the index, and what it holds.

use std::collections::HashMap;

use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::{get_str, Engine, IndexStats};
use crate::report::{Report, Script, Section, SectionId};
use crate::{Error, Result};

impl Engine {
    /// Every indexed report's id and content hash, read from each report's first section
    /// (for reconciling the index with the archive).
    pub fn indexed_reports(&self) -> Result<HashMap<String, String>> {
        let searcher = self.reader.searcher();
        let firsts = TermQuery::new(
            Term::from_field_u64(self.f.section_idx, 0),
            IndexRecordOption::Basic,
        );
        let docs = searcher.search(&firsts, &tantivy::collector::DocSetCollector)?;
        let mut out = HashMap::with_capacity(docs.len());
        for addr in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = get_str(&doc, self.f.report_id).unwrap_or_default();
            let hash = get_str(&doc, self.f.content_hash).unwrap_or_default();
            out.insert(id, hash);
        }
        Ok(out)
    }

    /// Index size on disk is the caller's business; this counts documents.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.reader.searcher();
        let firsts = TermQuery::new(
            Term::from_field_u64(self.f.section_idx, 0),
            IndexRecordOption::Basic,
        );
        let reports = searcher.search(&firsts, &Count)?;
        // Schools and years count reports (each report's first section), as the search
        // page's facets do — one unit for every count a reader sees (issue 18).
        let facets = self.facet_counts(&searcher, &firsts)?;
        Ok(IndexStats {
            reports,
            sections: searcher.num_docs() as usize,
            schools: facets.school,
            years: facets.year,
        })
    }
}

impl Engine {
    /// The whole report, rebuilt from its section documents.
    pub fn report(&self, id: &str) -> Result<Option<Report>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.f.report_id, id),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut docs = addrs
            .into_iter()
            .map(|addr| searcher.doc::<TantivyDocument>(addr))
            .collect::<tantivy::Result<Vec<_>>>()?;
        docs.sort_by_key(|d| d.get_first(self.f.section_idx).and_then(|v| v.as_u64()));
        let Some(first) = docs.first() else {
            return Ok(None);
        };
        let text = |doc: &TantivyDocument, field| get_str(doc, field).unwrap_or_default();
        let script = match get_str(first, self.f.script).as_deref() {
            Some("traditional") => Script::Traditional,
            Some("mixed") => Script::Mixed,
            _ => Script::Simplified,
        };
        let sections = docs
            .iter()
            .map(|d| {
                let id = get_str(d, self.f.section)
                    .and_then(|s| SectionId::parse(&s))
                    .ok_or_else(|| Error::Corrupt(format!("section id in report {id}")))?;
                Ok(Section {
                    id,
                    heading: text(d, self.f.heading),
                    text: text(d, self.f.body),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Report {
            id: id.to_string(),
            school: text(first, self.f.school),
            year: get_str(first, self.f.year),
            title: text(first, self.f.title),
            published: get_str(first, self.f.published),
            url: text(first, self.f.url),
            script,
            content_hash: text(first, self.f.content_hash),
            province: get_str(first, self.f.province),
            kind: get_str(first, self.f.kind),
            institution: get_str(first, self.f.institution),
            year_as_written: get_str(first, self.f.year_as_written),
            period_start: get_str(first, self.f.period_start),
            period_end: get_str(first, self.f.period_end),
            sections,
        }))
    }
}
