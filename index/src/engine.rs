//! The Tantivy index: schema, writer, search with snippets and facets.

mod cover;
mod group;
mod read_only;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::index::SegmentId;
use tantivy::indexer::UserOperation;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, OwnedValue, Schema,
    TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, Searcher,
    SegmentReader, TantivyDocument, Term,
};
use tracing::{debug, info_span, warn};

use self::cover::CoverQuery;
pub use self::group::{Group, SectionHit, SECTIONS_SHOWN};
use crate::analysis::{self, is_word_char, TOKENIZER};
use crate::fold::{fold, is_han};
use crate::highlight::{highlight_all, snippet_preferring, SNIPPET_CHARS};
use crate::query::{Atom, UserQuery};
use crate::report::{Report, Script, Section, SectionId};
use crate::{Error, Result};

/// Largest page of hits.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset into a result list (deep paging costs memory and helps no reader).
pub const MAX_OFFSET: usize = 10_000;
/// Most values for one filter.
const MAX_FILTER_VALUES: usize = 50;
/// Expansions of a trailing single character (`2021年` → `年度`, `年报` …): high enough
/// that no bigram starting with a common character is cut off.
const PREFIX_EXPANSIONS: u32 = 20_000;
/// Score added when a section holds an unquoted chunk exactly as written: above any BM25
/// score a section holding only the chunk's words can reach (BM25 saturates; a query has
/// at most [`crate::query::MAX_CLAUSES`] atoms).
const EXACT_TIER: f32 = 10_000.0;
/// Score added when the chunk's words stand close together and in order.
const PROXIMITY_TIER: f32 = 1_000.0;
/// How far (in characters) the words of a chunk may move from where the chunk puts them
/// and still count as close together.
const PROXIMITY_SLOP: u32 = 8;

#[derive(Debug, Clone, Copy)]
struct Fields {
    report_id: Field,
    section_idx: Field,
    section: Field,
    school: Field,
    year: Field,
    facets: Field,
    title: Field,
    meta: Field,
    heading: Field,
    body: Field,
    url: Field,
    published: Field,
    published_sort: Field,
    script: Field,
    province: Field,
    kind: Field,
    content_hash: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let chinese = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_stored = TextOptions::default()
        .set_indexing_options(chinese.clone())
        .set_stored();
    let text_only = TextOptions::default().set_indexing_options(chinese);
    let fields = Fields {
        report_id: b.add_text_field("report_id", STRING | STORED),
        section_idx: b.add_u64_field(
            "section_idx",
            NumericOptions::default().set_indexed().set_stored(),
        ),
        section: b.add_text_field("section", STRING | STORED),
        school: b.add_text_field("school", STRING | STORED),
        year: b.add_text_field("year", STRING | STORED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        title: b.add_text_field("title", STORED),
        meta: b.add_text_field("meta", text_only),
        heading: b.add_text_field("heading", text_stored.clone()),
        body: b.add_text_field("body", text_stored),
        url: b.add_text_field("url", STORED),
        published: b.add_text_field("published", STORED),
        published_sort: b.add_u64_field("published_sort", NumericOptions::default().set_fast()),
        script: b.add_text_field("script", STRING | STORED),
        province: b.add_text_field("province", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        content_hash: b.add_text_field("content_hash", STORED),
    };
    (b.build(), fields)
}

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

/// The index, with one reader that reloads on commit (also on a commit made by another
/// process, such as a crawl while `xxgk serve` runs).
pub struct Engine {
    index: Index,
    reader: IndexReader,
    f: Fields,
    facet_names: FacetNames,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the index in `dir`, creating it (and the folder) if needed.
    pub fn open_or_create(dir: &Path) -> Result<Engine> {
        std::fs::create_dir_all(dir)?;
        let open = |source| Error::Open {
            path: dir.to_path_buf(),
            source,
        };
        let directory = MmapDirectory::open(dir).map_err(|e| open(e.into()))?;
        let index = Index::open_or_create(directory, schema().0).map_err(open)?;
        Engine::from_index(index)
    }

    /// Opens an existing index without writing anything in `dir` — no lock files, no
    /// writer (one is refused) — for serving a copy on read-only media. Its reader does
    /// not watch for commits: nobody commits to a read-only copy.
    pub fn open_read_only(dir: &Path) -> Result<Engine> {
        let open = |source| Error::Open {
            path: dir.to_path_buf(),
            source,
        };
        let directory = read_only::ReadOnlyDirectory::open(dir).map_err(open)?;
        let index = Index::open(directory).map_err(open)?;
        Engine::with_reload(index, ReloadPolicy::Manual)
    }

    /// A throw-away index in memory (tests, benchmarks).
    pub fn create_in_ram() -> Result<Engine> {
        Engine::from_index(Index::create_in_ram(schema().0))
    }

    fn from_index(index: Index) -> Result<Engine> {
        Engine::with_reload(index, ReloadPolicy::OnCommitWithDelay)
    }

    fn with_reload(index: Index, policy: ReloadPolicy) -> Result<Engine> {
        analysis::register(&index);
        let (_, f) = schema();
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        Ok(Engine {
            index,
            reader,
            f,
            facet_names: FacetNames::default(),
        })
    }

    /// Makes the latest commit visible now (the reader also does it by itself shortly
    /// after each commit).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// What the searcher that the next search will use holds: a hash of its segments and
    /// their deletes. It changes when the reader picks up a commit or a merge, not when it
    /// is merely reloaded onto the same segments, so an answer computed under one value is
    /// still right while the value stays the same.
    pub fn generation(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let searcher = self.reader.searcher();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (segment, deletes) in searcher.generation().segments() {
            segment.hash(&mut hasher);
            deletes.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// A writer; only one can exist per index (across processes too).
    pub fn writer(&self, threads: usize) -> Result<Writer> {
        let threads = threads.clamp(1, 8);
        let inner = self
            .index
            .writer_with_num_threads(threads, 64_000_000 * threads)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => Error::WriterBusy,
                other => other.into(),
            })?;
        Ok(Writer {
            inner,
            f: self.f,
            cut_reports: 0,
        })
    }

    /// Every indexed report's id and content hash, read from each report's first section
    /// (for reconciling the index with the archive).
    pub fn indexed_reports(&self) -> Result<std::collections::HashMap<String, String>> {
        let searcher = self.reader.searcher();
        let firsts = TermQuery::new(
            Term::from_field_u64(self.f.section_idx, 0),
            IndexRecordOption::Basic,
        );
        let docs = searcher.search(&firsts, &tantivy::collector::DocSetCollector)?;
        let mut out = std::collections::HashMap::with_capacity(docs.len());
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
        let facets = self.facet_counts(&searcher, &AllQuery)?;
        Ok(IndexStats {
            reports,
            sections: searcher.num_docs() as usize,
            schools: facets.school,
            years: facets.year,
        })
    }

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
        let needles = user_query.highlight_needles();
        let preferred = user_query.preferred_needles();
        if req.group == Group::Report {
            let grouped =
                self.search_by_report(&searcher, query.as_ref(), req, &preferred, &needles)?;
            debug!(total = grouped.total, "searched by report");
            return Ok(SearchResults {
                query: req.query.clone(),
                total: grouped.total,
                hits: grouped.hits,
                facets: grouped.facets,
            });
        }
        let facet_collector = self.facet_collector(&searcher);
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
        let hits = docs
            .into_iter()
            .map(|(score, addr)| {
                let doc: TantivyDocument = searcher.doc(addr)?;
                Ok(self.hit(&doc, score, &preferred, &needles, req.snippet_chars))
            })
            .collect::<Result<Vec<_>>>()?;
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
            institution: None,
            sections,
        }))
    }

    fn facet_counts(&self, searcher: &Searcher, query: &dyn Query) -> Result<FacetCounts> {
        Ok(searcher.search(query, &self.facet_collector(searcher))?)
    }

    /// The facet counter for a search with `searcher`, after forgetting the facet names
    /// of segments that merges have retired.
    fn facet_collector<'a>(&'a self, searcher: &Searcher) -> FacetCounter<'a> {
        self.facet_names.retain(searcher);
        FacetCounter {
            names: &self.facet_names,
        }
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        preferred: &[String],
        needles: &[String],
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
            heading_html: highlight_all(&text(self.f.heading), needles),
            heading: text(self.f.heading),
            title: text(self.f.title),
            url: text(self.f.url),
            published: get_str(doc, self.f.published),
            script: text(self.f.script),
            snippet_html: snippet_preferring(&body, preferred, needles, chars.clamp(10, 2000)),
            score,
            matching_sections: None,
            sections: None,
        }
    }

    fn build_query(&self, uq: &UserQuery, req: &SearchRequest) -> Box<dyn Query> {
        let filter = |field: Field, values: Vec<&str>| -> Option<Box<dyn Query>> {
            if values.is_empty() {
                return None;
            }
            Some(any_of(
                values
                    .into_iter()
                    .map(|v| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect(),
            ))
        };
        let filters: Vec<(Occur, Box<dyn Query>)> = [
            filter(
                self.f.school,
                req.schools.iter().map(String::as_str).collect(),
            ),
            filter(self.f.year, req.years.iter().map(String::as_str).collect()),
            filter(
                self.f.section,
                req.sections.iter().map(|s| s.as_str()).collect(),
            ),
        ]
        .into_iter()
        .flatten()
        .map(|f| (Occur::Must, f))
        .collect();
        // Filters must not change the score.
        let filter: Option<Box<dyn Query>> = (!filters.is_empty())
            .then(|| Box::new(BoostQuery::new(Box::new(BooleanQuery::new(filters)), 0.0)) as _);

        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &uq.clauses {
            // Exclusions only remove documents: no need to filter them.
            let scope = if clause.negated {
                None
            } else {
                filter.as_deref()
            };
            let alternatives: Vec<Box<dyn Query>> = clause
                .alternatives
                .iter()
                .map(|atom| self.atom_query(atom, scope))
                .collect();
            let q = any_of(alternatives);
            must.push((
                if clause.negated {
                    Occur::MustNot
                } else {
                    Occur::Must
                },
                q,
            ));
        }
        if let Some(f) = filter {
            must.push((Occur::Must, f));
        }
        if uq.is_empty() {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// A word chunk: all its words must match, and the score puts sections in tiers
    /// (issue 11): a section holding the whole chunk as written (folded substring) always
    /// ranks above one holding only its words, one holding the words close together and in
    /// order next, BM25 within a tier. A quoted phrase: the phrase must match. `filter` is
    /// applied inside (see [`Engine::text_query`]).
    fn atom_query(&self, atom: &Atom, filter: Option<&dyn Query>) -> Box<dyn Query> {
        let words = atom.required_words();
        if atom.phrase || words.len() <= 1 {
            let text = words
                .into_iter()
                .next()
                .unwrap_or_else(|| atom.text.clone());
            return self.text_query(if atom.phrase { &atom.text } else { &text }, filter);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| (Occur::Must, self.text_query(w, filter)))
            .collect();
        let exact = self.text_query(&atom.text, filter);
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(exact.box_clone(), EXACT_TIER)),
        ));
        clauses.push((Occur::Should, Box::new(BoostQuery::new(exact, 2.0))));
        if let Some(near) = self.proximity_query(&atom.text, &words, filter) {
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(near, PROXIMITY_TIER)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The chunk's words in order, each within [`PROXIMITY_SLOP`] characters of where the
    /// chunk puts it: a phrase over the first bigram of every word of two or more Han
    /// characters (at its offset in the chunk), with slop. `None` when fewer than two
    /// words have a bigram.
    fn proximity_query(
        &self,
        chunk: &str,
        words: &[String],
        filter: Option<&dyn Query>,
    ) -> Option<Box<dyn Query>> {
        let chunk_chars: Vec<char> = chunk.chars().collect();
        let mut terms: Vec<(usize, Term)> = Vec::new();
        let mut from = 0;
        for word in words {
            let wc: Vec<char> = word.chars().collect();
            let Some(at) = find_chars(&chunk_chars, &wc, from) else {
                continue;
            };
            from = at + wc.len();
            if wc.len() >= 2 && wc[..2].iter().all(|&c| is_han(c)) {
                let bigram: String = wc[..2].iter().collect();
                terms.push((at, Term::from_field_text(self.f.body, &bigram)));
            }
        }
        if terms.len() < 2 {
            return None;
        }
        let mut phrase = PhraseQuery::new_with_offset(terms);
        phrase.set_slop(PROXIMITY_SLOP);
        let q: Box<dyn Query> = Box::new(phrase);
        Some(match filter {
            Some(f) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::Must, f.box_clone()),
            ])),
            None => q,
        })
    }

    /// `text` (folded) as a substring of the body, the heading or the title/school line,
    /// within `filter`.
    ///
    /// The filter goes inside, on each field's query, rather than only around the union
    /// of fields: tantivy's union scorer, seeked to a filtered document, scores every
    /// document of each field in a window of thousands after it, so a filter to one school
    /// saved almost nothing. Intersected field by field, each field's query only visits
    /// the filtered documents.
    fn text_query(&self, text: &str, filter: Option<&dyn Query>) -> Box<dyn Query> {
        let scoped = |q: Box<dyn Query>| -> Box<dyn Query> {
            match filter {
                Some(f) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, q),
                    (Occur::Must, f.box_clone()),
                ])),
                None => q,
            }
        };
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in [
            (self.f.body, 1.0),
            (self.f.heading, 2.0),
            (self.f.meta, 0.5),
        ] {
            if let Some(q) = substring_query(field, text) {
                shoulds.push((Occur::Should, scoped(Box::new(BoostQuery::new(q, boost)))));
            }
        }
        // A jieba word of three or more characters is also indexed whole: where the text
        // segments it as a word (not by chance across words), it ranks higher.
        let han: Vec<char> = text.chars().collect();
        if han.len() >= 3 && han.iter().all(|&c| is_han(c)) {
            let term = TermQuery::new(
                Term::from_field_text(self.f.body, text),
                IndexRecordOption::WithFreqs,
            );
            shoulds.push((
                Occur::Should,
                scoped(Box::new(BoostQuery::new(Box::new(term), 0.5))),
            ));
        }
        Box::new(BooleanQuery::new(shoulds))
    }
}

/// Where `needle` first occurs in `hay` at or after `from`.
fn find_chars(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

fn any_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// The terms (with character offsets) whose co-occurrence at those offsets means `text`
/// occurs: bigrams at even offsets of each Han run, one overlapping bigram for an odd
/// run, a letter/digit run as itself. A single Han character ending the text becomes a
/// prefix (it may be the start of a bigram in the document); other single characters are
/// run ends in the document too, so they are indexed as unigrams.
/// Terms with their character offsets, and the optional trailing prefix term.
type Cover = (Vec<(usize, String)>, Option<(usize, String)>);

fn cover(text: &str) -> Cover {
    let chars: Vec<char> = fold(text).chars().collect();
    let mut terms = Vec::new();
    let mut prefix = None;
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if is_han(chars[i]) {
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            let len = i - start;
            if len == 1 {
                if i == chars.len() {
                    prefix = Some((start, chars[start].to_string()));
                } else {
                    terms.push((start, chars[start].to_string()));
                }
                continue;
            }
            let mut k = start;
            while k + 2 <= i {
                terms.push((k, chars[k..k + 2].iter().collect()));
                k += 2;
            }
            if k < i {
                terms.push((i - 2, chars[i - 2..i].iter().collect()));
            }
        } else if is_word_char(chars[i]) {
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            terms.push((start, chars[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    (terms, prefix)
}

fn substring_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let (terms, prefix) = cover(text);
    let to_terms = |terms: Vec<(usize, String)>| -> Vec<(usize, Term)> {
        terms
            .into_iter()
            .map(|(o, t)| (o, Term::from_field_text(field, &t)))
            .collect()
    };
    match (terms.len(), prefix) {
        (0, None) => None,
        (1, None) => {
            let (_, t) = &terms[0];
            Some(Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            )))
        }
        (_, None) => {
            // A Han string of three or more characters may be indexed whole as a jieba
            // word too; where it is, the cover query needs no positions.
            let folded = fold(text);
            let whole = folded.chars().count() >= 3 && folded.chars().all(is_han);
            let word = whole.then(|| Term::from_field_text(field, &folded));
            // A Han string may use any covering set of its bigrams (see `CoverQuery`).
            let chars: Vec<char> = folded.chars().collect();
            let bigrams: Vec<Term> = if whole {
                chars
                    .windows(2)
                    .map(|w| Term::from_field_text(field, &w.iter().collect::<String>()))
                    .collect()
            } else {
                Vec::new()
            };
            Some(Box::new(
                CoverQuery::new(to_terms(terms), word).with_bigrams(bigrams),
            ))
        }
        (_, Some(p)) => {
            let mut all = to_terms(terms);
            all.push((p.0, Term::from_field_text(field, &p.1)));
            let mut q = PhrasePrefixQuery::new_with_offset(all);
            q.set_max_expansions(PREFIX_EXPANSIONS);
            Some(Box::new(q))
        }
    }
}

fn get_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The three facets we count, in the order of [`SegmentFacets::docs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FacetRoot {
    School = 0,
    Year = 1,
    Section = 2,
}

/// No facet of this kind on a document.
const NO_FACET: u32 = u32::MAX;

/// One segment's facets, decoded once: the name behind each ordinal, and each
/// document's school, year and section ordinals side by side.
struct SegmentFacets {
    /// By ordinal (`None`: not a value we count).
    names: Vec<Option<(FacetRoot, Arc<str>)>>,
    /// By document: `[school, year, section]` ordinals, [`NO_FACET`] where absent.
    docs: Vec<[u32; 3]>,
    /// By document: the ordinal of its report id in `report_ids` ([`NO_FACET`] if none).
    reports: Vec<u32>,
    /// Report ids by their ordinal in this segment's `report_id` dictionary.
    report_ids: Vec<Arc<str>>,
    /// By ordinal: the section's index in [`SectionId::ALL`] ([`NO_SECTION`] for other
    /// values), so a report's matching sections fit in one `u16`.
    section_bit: Vec<u8>,
}

/// Not a section ordinal.
const NO_SECTION: u8 = u8::MAX;

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
struct FacetNames {
    by_segment: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    /// The report numbering of the last searcher's segments.
    reports: Mutex<Option<Arc<group::ReportTable>>>,
}

impl FacetNames {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentFacets>>> {
        // The map is always left consistent, so a panic elsewhere cannot spoil it.
        self.by_segment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = reader.segment_id();
        if let Some(facets) = self.lock().get(&id) {
            return Ok(facets.clone());
        }
        let facets = Arc::new(decode_facets(reader)?);
        self.lock().insert(id, facets.clone());
        Ok(facets)
    }

    /// The report numbering of `searcher`'s segments, made once per set of segments.
    fn report_table(&self, searcher: &Searcher) -> tantivy::Result<Arc<group::ReportTable>> {
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
    fn retain(&self, searcher: &Searcher) {
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
struct FacetCounter<'a> {
    names: &'a FacetNames,
}

struct SegmentFacetCounter {
    facets: Arc<SegmentFacets>,
    counts: Vec<u32>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = FacetCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment_local_id: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let facets = self.names.for_segment(segment)?;
        Ok(SegmentFacetCounter {
            counts: vec![0; facets.names.len()],
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        let mut total = FacetCounts::default();
        for fruit in fruits {
            for (root, name, n) in fruit {
                total.add(root, &name, n);
            }
        }
        Ok(total)
    }
}

impl FacetCounts {
    /// Adds `n` to the count of `name` under `root`.
    fn add(&mut self, root: FacetRoot, name: &str, n: u64) {
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

/// One segment's non-zero counts.
type SegmentCounts = Vec<(FacetRoot, Arc<str>, u64)>;

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
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .filter_map(|(ord, &n)| {
                let (root, name) = self.facets.names.get(ord)?.as_ref()?;
                Some((*root, name.clone(), u64::from(n)))
            })
            .collect()
    }
}

/// Writes reports; one per index at a time.
pub struct Writer {
    inner: IndexWriter,
    f: Fields,
    cut_reports: usize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// Adds `report`, replacing any earlier version with the same id.
    ///
    /// A report above the size limits is indexed bounded ([`crate::limits::bound`]): long
    /// sections in parts, a huge report cut with a warning and a note.
    pub fn upsert(&mut self, report: &Report) -> Result<()> {
        match crate::limits::bound(report) {
            None => self.upsert_bounded(report),
            Some((bounded, cut)) => {
                if let Some(cut) = cut {
                    self.cut_reports += 1;
                    warn!(
                        report = %report.id,
                        school = %report.school,
                        original_bytes = cut.original_bytes,
                        kept_bytes = cut.kept_bytes,
                        "report text above the size limit was cut"
                    );
                }
                self.upsert_bounded(&bounded)
            }
        }
    }

    /// Reports cut at the size limit by this writer so far.
    pub fn cut_reports(&self) -> usize {
        self.cut_reports
    }

    fn upsert_bounded(&mut self, report: &Report) -> Result<()> {
        self.delete(&report.id);
        let f = self.f;
        let school = if report.school.is_empty() {
            "(未知)"
        } else {
            report.school.as_str()
        };
        let published_sort = report
            .published
            .as_deref()
            .map(|d| d.chars().filter(char::is_ascii_digit).collect::<String>())
            .and_then(|d| d.parse::<u64>().ok())
            .unwrap_or(0);
        // One batch: tantivy puts a batch's documents in one segment, so a report's
        // sections stay together (the grouped search counts reports across segments all
        // the same).
        let mut batch = Vec::with_capacity(report.sections.len());
        for (idx, section) in report.sections.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.report_id, &report.id);
            doc.add_u64(f.section_idx, idx as u64);
            doc.add_text(f.section, section.id.as_str());
            doc.add_text(f.school, school);
            doc.add_facet(f.facets, Facet::from_path(["school", school]));
            doc.add_facet(f.facets, Facet::from_path(["section", section.id.as_str()]));
            if let Some(year) = &report.year {
                doc.add_text(f.year, year);
                doc.add_facet(f.facets, Facet::from_path(["year", year.as_str()]));
            }
            doc.add_text(f.title, &report.title);
            doc.add_text(f.meta, format!("{} {}", report.title, school));
            doc.add_text(f.heading, &section.heading);
            doc.add_text(f.body, &section.text);
            doc.add_text(f.url, &report.url);
            if let Some(p) = &report.published {
                doc.add_text(f.published, p);
            }
            doc.add_u64(f.published_sort, published_sort);
            doc.add_text(f.script, report.script.as_str());
            if let Some(p) = &report.province {
                doc.add_text(f.province, p);
            }
            if let Some(k) = &report.kind {
                doc.add_text(f.kind, k);
            }
            doc.add_text(f.content_hash, &report.content_hash);
            batch.push(UserOperation::Add(doc));
        }
        self.inner.run(batch)?;
        Ok(())
    }

    /// Removes a report (all its sections).
    pub fn delete(&mut self, report_id: &str) {
        self.inner
            .delete_term(Term::from_field_text(self.f.report_id, report_id));
    }

    /// Removes everything (before a rebuild).
    pub fn clear(&mut self) -> Result<()> {
        self.inner.delete_all_documents()?;
        Ok(())
    }

    /// Makes the changes durable and visible to readers.
    pub fn commit(&mut self) -> Result<()> {
        self.inner.commit()?;
        Ok(())
    }

    /// Waits for merges to finish (call before dropping at the end of a batch job).
    pub fn finish(self) -> Result<()> {
        self.inner.wait_merging_threads()?;
        Ok(())
    }
}

#[allow(dead_code)]
fn _assert_value_trait(v: &OwnedValue) -> Option<&str> {
    v.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(school: &str, year: &str, texts: &[(SectionId, &str)]) -> Report {
        let url = format!("https://{school}.example.edu.cn/{year}.htm");
        Report {
            id: Report::id_for_url(&url),
            school: school.into(),
            year: Some(year.into()),
            title: format!("{school}{year}学年信息公开年度报告"),
            published: None,
            url,
            script: Script::Simplified,
            content_hash: String::new(),
            province: None,
            kind: None,
            institution: None,
            sections: texts
                .iter()
                .map(|(id, text)| Section {
                    id: *id,
                    heading: String::new(),
                    text: (*text).into(),
                })
                .collect(),
        }
    }

    /// The cached-name facet counter against counting by hand, over several segments
    /// (one per commit), after a delete, and after the segments are merged into one.
    #[test]
    fn facet_counts_match_the_matching_sections_across_segments_and_merges() {
        let engine = Engine::create_in_ram().expect("ram index");
        let mut w = engine.writer(1).expect("writer");
        let reports = [
            report(
                "甲大学",
                "2020-2021",
                &[
                    (SectionId::Proactive, "公开了收费标准。"),
                    (SectionId::OnRequest, "收费标准咨询1件。"),
                ],
            ),
            report(
                "乙學院",
                "2020-2021",
                &[(SectionId::Proactive, "收費標準已公開。")],
            ),
            report("乙學院", "2021-2022", &[(SectionId::Other, "无其他事项。")]),
            report(
                "丙大学",
                "2021-2022",
                &[(SectionId::Checklist, "收费标准：已公开。")],
            ),
        ];
        for r in &reports {
            w.upsert(r).expect("upsert");
            w.commit().expect("commit");
        }
        engine.reload().expect("reload");
        let expected = |engine: &Engine, query: &str| -> FacetCounts {
            let mut counts = FacetCounts::default();
            for (id, idx) in engine
                .matching_sections(&SearchRequest::new(query))
                .expect("matching")
            {
                let r = reports.iter().find(|r| r.id == id).expect("report");
                let s = &r.sections[idx as usize];
                *counts.school.entry(r.school.clone()).or_default() += 1;
                *counts
                    .year
                    .entry(r.year.clone().unwrap_or_default())
                    .or_default() += 1;
                *counts.section.entry(s.id.as_str().to_string()).or_default() += 1;
            }
            counts
        };
        let check = |engine: &Engine| {
            for query in ["收费标准", "公开", ""] {
                let got = engine.search(&SearchRequest::new(query)).expect("search");
                let want = expected(engine, query);
                assert_eq!(got.facets.school, want.school, "{query}");
                assert_eq!(got.facets.year, want.year, "{query}");
                assert_eq!(got.facets.section, want.section, "{query}");
            }
        };
        check(&engine);
        let got = engine
            .search(&SearchRequest::new("收费标准"))
            .expect("search");
        assert_eq!(got.facets.school.get("乙學院"), Some(&1));
        assert_eq!(got.facets.section.get("proactive"), Some(&2));

        w.delete(&reports[0].id);
        w.commit().expect("commit");
        engine.reload().expect("reload");
        let got = engine
            .search(&SearchRequest::new("收费标准"))
            .expect("search");
        assert_eq!(got.facets.school.get("甲大学"), None, "deleted report");
        assert_eq!(got.total, 2);

        let ids = engine.index.searchable_segment_ids().expect("segments");
        assert!(ids.len() > 1);
        w.inner.merge(&ids).wait().expect("merge");
        w.commit().expect("commit");
        engine.reload().expect("reload");
        assert_eq!(engine.reader.searcher().segment_readers().len(), 1);
        let got = engine
            .search(&SearchRequest::new("收费标准"))
            .expect("search");
        assert_eq!(got.facets.school.get("乙學院"), Some(&1));
        assert_eq!(got.facets.school.get("丙大学"), Some(&1));
        assert_eq!(
            engine.facet_names.lock().len(),
            1,
            "retired segments forgotten"
        );
    }

    fn engine_with(reports: &[Report]) -> Engine {
        let engine = Engine::create_in_ram().expect("ram index");
        let mut w = engine.writer(1).expect("writer");
        for r in reports {
            w.upsert(r).expect("upsert");
        }
        w.commit().expect("commit");
        engine.reload().expect("reload");
        engine
    }

    fn unmarked(html: &str) -> String {
        html.replace("<mark>", "").replace("</mark>", "")
    }

    /// Issue 11: a section holding the unquoted chunk as written ranks above every section
    /// holding only its words, however often, and its snippet shows the chunk.
    #[test]
    fn issue_11_exact_chunk_ranks_first_and_is_shown() {
        let noisy = "学校公开工作，公开工作要点，要求公开，工作公开，开展工作。".repeat(20);
        let exact = format!(
            "{}学校召开信息公开工作的要点部署会。{}",
            "前面的文字。".repeat(60),
            "后面的文字。".repeat(30)
        );
        let mut reports: Vec<Report> = (0..30)
            .map(|i| {
                report(
                    &format!("校{i}"),
                    "2020-2021",
                    &[(SectionId::Overview, noisy.as_str())],
                )
            })
            .collect();
        reports.push(report(
            "对的大学",
            "2020-2021",
            &[(SectionId::Other, exact.as_str())],
        ));
        let engine = engine_with(&reports);
        for q in ["开工作的要", "開工作的要"] {
            let got = engine.search(&SearchRequest::new(q)).expect("search");
            assert_eq!(got.total, 31, "{q}: every section holds the words");
            let first = &got.hits[0];
            assert_eq!(first.school, "对的大学", "{q}");
            assert!(
                unmarked(&first.snippet_html).contains("开工作的要"),
                "{}",
                first.snippet_html
            );
            assert!(got.hits[0].score > got.hits[1].score);
        }
        // Quoted: only the exact section.
        let got = engine
            .search(&SearchRequest::new("\"开工作的要\""))
            .expect("search");
        assert_eq!(got.total, 1);
    }

    /// Issue 11: the chunk's words close together and in order rank above the words apart.
    #[test]
    fn issue_11_words_close_together_rank_above_words_apart() {
        let apart = format!("学校{}收费", "，其他的内容".repeat(30));
        let near = format!("学校的收费已公开。{}", "，其他的内容".repeat(40));
        let engine = engine_with(&[
            report("远大学", "2020-2021", &[(SectionId::Other, apart.as_str())]),
            report("近大学", "2020-2021", &[(SectionId::Other, near.as_str())]),
        ]);
        let atom = Atom {
            text: "学校收费".into(),
            phrase: false,
        };
        assert_eq!(atom.required_words(), ["学校", "收费"]);
        let got = engine
            .search(&SearchRequest::new("学校收费"))
            .expect("search");
        assert_eq!(got.total, 2);
        assert_eq!(got.hits[0].school, "近大学");
    }

    /// Issue 11: 批覆 (OpenCC's traditional for 批复) finds 批复 and back, quoted or not.
    #[test]
    fn issue_11_phrase_level_folding_matches_both_scripts() {
        let engine = engine_with(&[
            report(
                "甲大学",
                "2020-2021",
                &[(SectionId::OnRequest, "均已批复申请人。")],
            ),
            report(
                "乙大學",
                "2020-2021",
                &[(SectionId::OnRequest, "均已批覆申請人，環境乾淨。")],
            ),
        ]);
        for q in ["批覆", "\"批覆\"", "批复", "「批復」"] {
            let got = engine.search(&SearchRequest::new(q)).expect("search");
            assert_eq!(got.total, 2, "{q}");
        }
        let got = engine.search(&SearchRequest::new("干净")).expect("search");
        assert_eq!(got.total, 1);
        assert!(
            got.hits[0].snippet_html.contains("<mark>乾淨</mark>"),
            "{}",
            got.hits[0].snippet_html
        );
    }

    /// Issue 11: 瑶海校区 needs 瑶海 as written, not any section with 校区.
    #[test]
    fn issue_11_names_jieba_does_not_know_are_required() {
        let engine = engine_with(&[
            report(
                "甲大学",
                "2020-2021",
                &[(SectionId::Other, "瑶海校区完成改造。")],
            ),
            report(
                "乙大学",
                "2020-2021",
                &[(SectionId::Other, "新校区完成改造。海瑶")],
            ),
        ]);
        let got = engine
            .search(&SearchRequest::new("瑶海校区"))
            .expect("search");
        assert_eq!(got.total, 1);
        assert_eq!(got.hits[0].school, "甲大学");
    }

    /// Issue 11: one result per report, its best section first and its other matching
    /// sections beneath; facets count reports; `total` counts reports; paging by report.
    #[test]
    fn issue_11_one_result_per_report() {
        let mut many = report(
            "甲大学",
            "2020-2021",
            &[
                (SectionId::Overview, "收费标准收费标准收费标准，依法公开。"),
                (SectionId::Proactive, "公开了收费标准。"),
                (SectionId::KeyAreas, "收费标准见附表。"),
                (SectionId::OnRequest, "收费标准咨询2件。"),
                (SectionId::Other, "收费标准。"),
                (SectionId::Complaints, "无举报。"),
            ],
        );
        many.published = Some("2021-10-01".into());
        let mut one = report(
            "乙学院",
            "2021-2022",
            &[(SectionId::Proactive, "收费标准已公开。")],
        );
        one.published = Some("2022-10-01".into());
        let engine = engine_with(&[many.clone(), one.clone()]);
        let mut req = SearchRequest::new("收费标准");
        req.group = Group::Report;
        let got = engine.search(&req).expect("search");
        assert_eq!(got.total, 2);
        assert_eq!(got.hits.len(), 2);
        let first = &got.hits[0];
        assert_eq!(first.report_id, many.id);
        assert_eq!(
            first.section,
            SectionId::Overview,
            "best section is the hit"
        );
        assert_eq!(first.matching_sections, Some(5));
        let beneath = first.sections.as_ref().expect("sections");
        assert_eq!(beneath.len(), SECTIONS_SHOWN);
        assert!(beneath.iter().all(|s| s.section != SectionId::Overview));
        assert!(beneath.iter().all(|s| s.snippet_html.contains("<mark>")));
        assert_eq!(got.hits[1].matching_sections, Some(1));
        assert_eq!(got.hits[1].sections.as_ref().map(Vec::len), Some(0));
        assert_eq!(
            got.facets.school.get("甲大学"),
            Some(&1),
            "facets count reports"
        );
        assert_eq!(got.facets.year.get("2020-2021"), Some(&1));
        assert_eq!(got.facets.section.get("proactive"), Some(&2));
        assert_eq!(got.facets.section.get("complaints"), None);
        // Paging counts reports.
        req.limit = 1;
        req.offset = 1;
        let page2 = engine.search(&req).expect("search");
        assert_eq!(page2.total, 2);
        assert_eq!(page2.hits.len(), 1);
        assert_eq!(page2.hits[0].report_id, one.id);
        // Newest report first by date.
        req.offset = 0;
        req.sort = Sort::Date;
        let by_date = engine.search(&req).expect("search");
        assert_eq!(by_date.hits[0].report_id, one.id);
        // Per section, as before.
        let mut per_section = SearchRequest::new("收费标准");
        per_section.group = Group::Section;
        let got = engine.search(&per_section).expect("search");
        assert_eq!(got.total, 6);
        assert!(got
            .hits
            .iter()
            .all(|h| h.sections.is_none() && h.matching_sections.is_none()));
        assert_eq!(got.facets.school.get("甲大学"), Some(&5));
        // Filters apply to the grouped view too; the empty query browses reports.
        let mut browse = SearchRequest::new("");
        browse.group = Group::Report;
        browse.years = vec!["2021-2022".into()];
        let got = engine.search(&browse).expect("search");
        assert_eq!(got.total, 1);
        assert_eq!(got.hits[0].report_id, one.id);
    }

    fn body_matches(engine: &Engine, query: &dyn Query) -> Vec<u32> {
        let searcher = engine.reader.searcher();
        let mut docs: Vec<u32> = searcher
            .search(query, &tantivy::collector::DocSetCollector)
            .expect("search")
            .into_iter()
            .map(|addr| addr.doc_id)
            .collect();
        docs.sort_unstable();
        docs
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

        /// The cover query (with its jieba-word shortcut) finds exactly the sections whose
        /// folded text contains the string: the same as a plain scan, and as tantivy's
        /// phrase query over the same cover.
        #[test]
        fn cover_query_matches_a_substring_scan_and_the_phrase_query(
            texts in proptest::collection::vec(
                "(信息公开|信息公開|依申请公开|收费标准|[信息公開开依申請请工作收费費标准學学校年度，。]){0,16}",
                1..12,
            ),
            picks in proptest::collection::vec((0usize..12, 0usize..40, 2usize..7), 1..6),
            extra in proptest::collection::vec("[信息公開开依申請请工作收费標准]{2,6}", 0..4),
        ) {
            let engine = Engine::create_in_ram().expect("ram index");
            let mut w = engine.writer(1).expect("writer");
            let reports: Vec<Report> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| report(&format!("校{i}"), "2020-2021", &[(SectionId::Other, t.as_str())]))
                .collect();
            for r in &reports {
                w.upsert(r).expect("upsert");
            }
            w.commit().expect("commit");
            engine.reload().expect("reload");
            let searcher = engine.reader.searcher();
            proptest::prop_assert_eq!(searcher.segment_readers().len(), 1);
            // Document ids follow insertion order in a single fresh segment.
            let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
            let mut queries: Vec<String> = extra.iter().map(|q| fold(q)).collect();
            for (doc, start, len) in picks {
                let chars: Vec<char> = folded[doc % folded.len()].chars().collect();
                if chars.len() >= 2 {
                    let start = start % (chars.len() - 1);
                    let end = (start + len).min(chars.len());
                    queries.push(chars[start..end].iter().collect());
                }
            }
            for q in queries {
                if q.chars().count() < 2 || !q.chars().all(is_han) {
                    continue;
                }
                let expected: Vec<u32> = folded
                    .iter()
                    .enumerate()
                    .filter(|(_, text)| text.contains(q.as_str()))
                    .map(|(i, _)| i as u32)
                    .collect();
                let Some(cover_query) = substring_query(engine.f.body, &q) else {
                    continue;
                };
                proptest::prop_assert_eq!(
                    &body_matches(&engine, cover_query.as_ref()), &expected, "cover {}", q
                );
                let (terms, prefix) = cover(&q);
                if prefix.is_none() && terms.len() > 1 {
                    let phrase = tantivy::query::PhraseQuery::new_with_offset(
                        terms
                            .into_iter()
                            .map(|(o, t)| (o, Term::from_field_text(engine.f.body, &t)))
                            .collect(),
                    );
                    proptest::prop_assert_eq!(
                        &body_matches(&engine, &phrase), &expected, "phrase {}", q
                    );
                }
            }
        }
    }
}
