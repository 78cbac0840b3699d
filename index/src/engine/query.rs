//! The user's query as a tantivy query: filters, word chunks in score tiers, phrases.

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::bigrams::substring_query_scoring_word;
use super::{Engine, SearchRequest};
use crate::fold::is_han;
use crate::query::{Atom, UserQuery};

/// Score added when a section holds an unquoted chunk exactly as written: above any BM25
/// score a section holding only the chunk's words can reach (BM25 saturates; a query has
/// at most [`crate::query::MAX_CLAUSES`] atoms).
const EXACT_TIER: f32 = 10_000.0;
/// Score added when the chunk's words stand close together and in order.
const PROXIMITY_TIER: f32 = 1_000.0;
/// Weight of a whole word's own BM25 score in the body, where the body has it indexed as
/// a word.
const WHOLE_WORD_SCORE: f32 = 0.5;
/// How far (in characters) the words of a chunk may move from where the chunk puts them
/// and still count as close together.
const PROXIMITY_SLOP: u32 = 8;

impl Engine {
    pub(super) fn build_query(&self, uq: &UserQuery, req: &SearchRequest) -> Box<dyn Query> {
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
        if !atom.ranks_in_tiers() {
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
        // A jieba word of three or more characters is also indexed whole: where the body
        // segments it as a word (not by chance across words), it ranks higher — by half
        // the word's own BM25 score, which the body's query adds as it reads the word.
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost, word_score) in [
            (self.f.body, 1.0, WHOLE_WORD_SCORE),
            (self.f.heading, 2.0, 0.0),
            (self.f.meta, 0.5, 0.0),
        ] {
            if let Some(q) = substring_query_scoring_word(field, text, word_score) {
                shoulds.push((Occur::Should, scoped(Box::new(BoostQuery::new(q, boost)))));
            }
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
