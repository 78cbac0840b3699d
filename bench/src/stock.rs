//! The out-of-the-box peer: the stack a Rust engineer would build first from the same
//! crates — Tantivy with the tantivy-jieba tokenizer (default dictionary, default mode),
//! its `QueryParser` in conjunction mode over heading, body and title, its
//! `FacetCollector`, its `SnippetGenerator`, and no script folding. It is faster on
//! broad words and loses recall: it cannot find a two-character word inside a longer
//! jieba word, nor traditional text from a simplified query. The ratio of the two is
//! the honest price of xxgk's design, measured in the same run.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::{Count, DocSetCollector, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};
use xxgk_index::Report;

use crate::peer::PeerResults;
use crate::queries::BenchQuery;
use crate::{Error, Result};

const TOKENIZER: &str = "jieba";

#[derive(Clone, Copy)]
struct Fields {
    report_id: Field,
    section_idx: Field,
    heading: Field,
    body: Field,
    meta: Field,
    facets: Field,
}

/// The stock Tantivy + jieba index.
pub struct Stock {
    reader: IndexReader,
    f: Fields,
    parser: QueryParser,
    /// Snippets Tantivy's generator panicked on (it slices strings at the byte offsets
    /// of overlapping jieba tokens); counted, and the snippet left empty.
    snippet_panics: AtomicUsize,
}

impl std::fmt::Debug for Stock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stock").finish_non_exhaustive()
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let f = Fields {
        report_id: b.add_text_field("report_id", STRING | STORED),
        section_idx: b.add_u64_field("section_idx", STORED),
        heading: b.add_text_field("heading", text.clone()),
        body: b.add_text_field("body", text.clone().set_stored()),
        meta: b.add_text_field("meta", text),
        facets: b.add_facet_field("facets", FacetOptions::default()),
    };
    (b.build(), f)
}

/// The three facets' counts, by name.
fn fill_facets(out: &mut PeerResults, counts: &tantivy::collector::FacetCounts) {
    let collect = |dim: &str| -> BTreeMap<String, u64> {
        counts
            .get(dim)
            .map(|(facet, n)| {
                let name = facet
                    .to_path()
                    .last()
                    .map_or(String::new(), |s| s.to_string());
                (name, n)
            })
            .collect()
    };
    out.school = collect("/school");
    out.year = collect("/year");
    out.section = collect("/section");
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::BadOption(format!("stock peer: {e}"))
}

impl Stock {
    /// Builds the index in `dir` (created; must be empty) from `reports`, with `threads`
    /// indexing threads, and commits.
    pub fn load(dir: &Path, reports: &[Report], threads: usize) -> Result<Stock> {
        std::fs::create_dir_all(dir)?;
        let (schema, f) = schema();
        let index = Index::create_in_dir(dir, schema).map_err(err)?;
        index
            .tokenizers()
            .register(TOKENIZER, tantivy_jieba::JiebaTokenizer::new());
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(threads.max(1), 64_000_000 * threads.max(1))
            .map_err(err)?;
        for r in reports {
            let meta = format!("{} {}", r.title, r.school);
            for (idx, s) in r.sections.iter().enumerate() {
                let mut doc = TantivyDocument::default();
                doc.add_text(f.report_id, &r.id);
                doc.add_u64(f.section_idx, idx as u64);
                doc.add_text(f.heading, &s.heading);
                doc.add_text(f.body, &s.text);
                doc.add_text(f.meta, &meta);
                doc.add_facet(f.facets, Facet::from_path(["school", r.school.as_str()]));
                if let Some(y) = &r.year {
                    doc.add_facet(f.facets, Facet::from_path(["year", y.as_str()]));
                }
                doc.add_facet(f.facets, Facet::from_path(["section", s.id.as_str()]));
                writer.add_document(doc).map_err(err)?;
            }
        }
        writer.commit().map_err(err)?;
        writer.wait_merging_threads().map_err(err)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        let mut parser = QueryParser::for_index(&index, vec![f.heading, f.body, f.meta]);
        parser.set_conjunction_by_default();
        Ok(Stock {
            reader,
            f,
            parser,
            snippet_panics: AtomicUsize::new(0),
        })
    }

    /// The query as the stock parser reads the user's text, with the filters as facet
    /// terms. A text the parser refuses is read leniently (what a site would do).
    fn query(&self, q: &BenchQuery) -> Box<dyn Query> {
        let text: Box<dyn Query> = match self.parser.parse_query(&q.text) {
            Ok(query) => query,
            Err(_) => self.parser.parse_query_lenient(&q.text).0,
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        let mut filter = |dim: &str, values: Vec<String>| {
            if values.is_empty() {
                return;
            }
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let term =
                        Term::from_facet(self.f.facets, &Facet::from_path([dim, v.as_str()]));
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        };
        filter("school", q.schools.clone());
        filter("year", q.years.clone());
        filter(
            "section",
            q.sections.iter().map(|s| s.as_str().to_string()).collect(),
        );
        Box::new(BooleanQuery::new(clauses))
    }

    /// Top 10 with snippets, total and all three facets.
    pub fn search(&self, q: &BenchQuery) -> Result<PeerResults> {
        let searcher = self.reader.searcher();
        let query = self.query(q);
        let mut facets = FacetCollector::for_field("facets");
        for dim in ["/school", "/year", "/section"] {
            facets.add_facet(dim);
        }
        let (top, total, counts) = searcher
            .search(
                &query,
                &(TopDocs::with_limit(10).order_by_score(), Count, facets),
            )
            .map_err(err)?;
        let generator = SnippetGenerator::create(&searcher, &*query, self.f.body).map_err(err)?;
        let mut out = PeerResults {
            total: total as u64,
            ..PeerResults::default()
        };
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
            out.snippets.push(self.snippet(&generator, &doc));
        }
        fill_facets(&mut out, &counts);
        Ok(out)
    }

    /// One result per report, the way the stack gives it without more work: the top
    /// sections, widened fourfold until they hold 10 reports, deduplicated by the stored
    /// report id; the best section's snippet for each. Facets still count sections
    /// (Tantivy's `FacetCollector` counts documents, and a section is a document).
    pub fn search_grouped(&self, q: &BenchQuery) -> Result<PeerResults> {
        const REPORTS: usize = 10;
        let searcher = self.reader.searcher();
        let query = self.query(q);
        let mut facets = FacetCollector::for_field("facets");
        for dim in ["/school", "/year", "/section"] {
            facets.add_facet(dim);
        }
        let mut limit = REPORTS * 4;
        let (mut top, total, counts) = searcher
            .search(
                &query,
                &(TopDocs::with_limit(limit).order_by_score(), Count, facets),
            )
            .map_err(err)?;
        let generator = SnippetGenerator::create(&searcher, &*query, self.f.body).map_err(err)?;
        let mut out = PeerResults {
            total: total as u64,
            ..PeerResults::default()
        };
        loop {
            let mut seen = std::collections::HashSet::new();
            let mut best = Vec::new();
            for (_, addr) in &top {
                let doc: TantivyDocument = searcher.doc(*addr).map_err(err)?;
                let id = doc
                    .get_first(self.f.report_id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                if seen.insert(id) {
                    best.push(doc);
                    if best.len() == REPORTS {
                        break;
                    }
                }
            }
            if best.len() == REPORTS || top.len() < limit {
                for doc in best {
                    out.snippets.push(self.snippet(&generator, &doc));
                }
                break;
            }
            limit *= 4;
            top = searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())
                .map_err(err)?;
        }
        fill_facets(&mut out, &counts);
        Ok(out)
    }

    /// The stock snippet of `doc`, or an empty one (counted) where the generator panics.
    fn snippet(&self, generator: &SnippetGenerator, doc: &TantivyDocument) -> String {
        match quietly(|| generator.snippet_from_doc(doc).to_html()) {
            Ok(html) => html,
            Err(_) => {
                self.snippet_panics.fetch_add(1, Ordering::Relaxed);
                String::new()
            }
        }
    }

    /// Snippets the stock generator panicked on so far.
    pub fn snippet_panics(&self) -> usize {
        self.snippet_panics.load(Ordering::Relaxed)
    }

    /// Every matching section as (report id, section index).
    pub fn matching(&self, q: &BenchQuery) -> Result<Vec<(String, u64)>> {
        let searcher = self.reader.searcher();
        let docs = searcher
            .search(&self.query(q), &DocSetCollector)
            .map_err(err)?;
        let mut out = Vec::with_capacity(docs.len());
        for addr in docs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let id = doc
                .get_first(self.f.report_id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let idx = doc
                .get_first(self.f.section_idx)
                .and_then(|v| v.as_u64())
                .unwrap_or_default();
            out.push((id, idx));
        }
        Ok(out)
    }
}

thread_local! {
    /// Set while this thread runs the peer's code whose panics are caught and counted.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Panics [`quietly`] kept off stderr, for its test.
static SUPPRESSED: AtomicUsize = AtomicUsize::new(0);

/// Runs `f`, catching a panic as `Err` without the panic hook printing it: the peer's
/// snippet generator panics on some documents, and a run would otherwise print a
/// backtrace for each (42 at full size). The caller counts them and prints one line.
/// Other threads' panics, and this thread's outside `f`, print as always.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                SUPPRESSED.fetch_add(1, Ordering::Relaxed);
            } else {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    outcome
}

#[cfg(test)]
mod quiet_tests {
    use super::*;

    #[test]
    fn a_panic_caught_quietly_is_an_error_and_is_not_printed() {
        let before = SUPPRESSED.load(Ordering::Relaxed);
        let caught = quietly(|| -> u32 { panic!("the peer's snippet generator") });
        assert!(caught.is_err());
        assert_eq!(SUPPRESSED.load(Ordering::Relaxed), before + 1);
        assert_eq!(quietly(|| 7).ok(), Some(7));
        // Outside `quietly` the hook prints again (this thread's flag is reset).
        assert!(!QUIET.with(Cell::get));
    }
}
