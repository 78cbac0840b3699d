//! [`BigramQuery`]: "this string occurs in the field", by its bigram set at character
//! offsets — tantivy's phrase query with one shortcut.
//!
//! A common word such as 信息公开 is two bigrams that occur dozens of times in nearly
//! every section; a phrase query reads and intersects all their positions in every
//! section that has both. But the analyzer also indexes jieba's words of three or more
//! characters as whole terms, and a section holding that term at some position holds the
//! string there: its bigrams at the set's offsets are certain. So where the section has
//! the word term, it matches without reading a position; elsewhere (the string occurs but
//! jieba cut it differently, or it is no dictionary word) the positions decide, exactly
//! as a phrase query would. Matches are the same as the phrase query's; scores are BM25
//! over the set's terms with the phrase frequency, or the word's frequency where the
//! shortcut answered.
//!
//! A second economy, for a string of Han characters: any set of its bigrams that covers
//! every character is an exact bigram set, not only the one at even offsets. In each segment
//! the set is chosen to read the fewest positions (by the size of each bigram's
//! positions in the segment): for 学校信息公开工作, 学校 · 校信 · 息公 · 开工 · 工作 instead of
//! 学校 · 信息 · 公开 · 工作, since 校信 and 开工 occur almost nowhere else while 信息 and
//! 公开 occur dozens of times in every section. A bigram missing from a segment rules the
//! segment out.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, PhrasePrefixQuery, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use crate::analysis::{is_word_char, query_words};
use crate::fold::{fold, is_han};

/// The string whose bigram set is `terms` (each at its character offset), and the string
/// itself as one term when the analyzer may have indexed it whole.
#[derive(Clone, Debug)]
pub(super) struct BigramQuery {
    terms: Vec<(u32, Term)>,
    word: Option<Term>,
    /// For a string of Han characters only: its bigram at every offset, from which each
    /// segment picks its cheapest set. Scores still come from `terms`.
    bigrams: Vec<Term>,
    /// For a string of Han characters that is not one word: the words of three or more
    /// characters jieba cuts it into, at their offsets. Where a section has them all, the
    /// string is checked by their positions and a cover of the other characters (see
    /// [`BigramScorer::occurs`]).
    anchors: Vec<(u32, Term)>,
    /// Weight of the whole word's own BM25 score, added where the section has the word
    /// (0: none).
    word_score: Score,
}

impl BigramQuery {
    /// `terms` must not be empty and must all be in one field, as must `word`.
    pub(super) fn new(terms: Vec<(usize, Term)>, word: Option<Term>) -> BigramQuery {
        debug_assert!(!terms.is_empty());
        BigramQuery {
            terms: terms.into_iter().map(|(o, t)| (o as u32, t)).collect(),
            word,
            bigrams: Vec::new(),
            anchors: Vec::new(),
            word_score: 0.0,
        }
    }

    /// Adds `weight` × the whole word's BM25 score (its own statistics) where a section
    /// has the word: the score a separate term query on the word would add, without a
    /// second pass over the word's postings.
    pub(super) fn with_word_score(mut self, weight: Score) -> BigramQuery {
        self.word_score = weight;
        self
    }

    /// Words inside the string (each at its character offset), for the anchored check.
    pub(super) fn with_anchors(mut self, anchors: Vec<(usize, Term)>) -> BigramQuery {
        self.anchors = anchors.into_iter().map(|(o, t)| (o as u32, t)).collect();
        self
    }

    /// The bigram at every offset of a Han string (offset `k` at index `k`), so that
    /// each segment may choose a cheaper set.
    pub(super) fn with_bigrams(mut self, bigrams: Vec<Term>) -> BigramQuery {
        self.bigrams = bigrams;
        self
    }
}

/// Expansions of a trailing single character (`2021年` → `年度`, `年报` …): high enough
/// that no bigram starting with a common character is cut off.
const PREFIX_EXPANSIONS: u32 = 20_000;

/// The terms (with character offsets) whose co-occurrence at those offsets means `text`
/// occurs: bigrams at even offsets of each Han run, one overlapping bigram for an odd
/// run, a letter/digit run as itself. A single Han character ending the text becomes a
/// prefix (it may be the start of a bigram in the document); other single characters are
/// run ends in the document too, so they are indexed as unigrams.
/// Terms with their character offsets, and the optional trailing prefix term.
type BigramSet = (Vec<(usize, String)>, Option<(usize, String)>);

pub(super) fn bigram_set(text: &str) -> BigramSet {
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

#[cfg(test)]
pub(super) fn substring_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    substring_query_scoring_word(field, text, 0.0)
}

/// [`substring_query`], adding `word_score` × the whole word's BM25 score where a section
/// has the string indexed as one word (see [`BigramQuery::with_word_score`]).
pub(super) fn substring_query_scoring_word(
    field: Field,
    text: &str,
    word_score: Score,
) -> Option<Box<dyn Query>> {
    let (terms, prefix) = bigram_set(text);
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
            // word too; where it is, the bigram query needs no positions.
            let folded = fold(text);
            let whole = folded.chars().count() >= 3 && folded.chars().all(is_han);
            let word = whole.then(|| Term::from_field_text(field, &folded));
            // A Han string may use any covering set of its bigrams (see `BigramQuery`).
            let chars: Vec<char> = folded.chars().collect();
            let bigrams: Vec<Term> = if whole {
                chars
                    .windows(2)
                    .map(|w| Term::from_field_text(field, &w.iter().collect::<String>()))
                    .collect()
            } else {
                Vec::new()
            };
            let anchors: Vec<(usize, Term)> = if whole {
                query_words(&folded)
                    .into_iter()
                    .filter(|(_, w)| w.chars().count() >= 3 && *w != folded)
                    .map(|(o, w)| (o, Term::from_field_text(field, &w)))
                    .collect()
            } else {
                Vec::new()
            };
            Some(Box::new(
                BigramQuery::new(to_terms(terms), word)
                    .with_bigrams(bigrams)
                    .with_anchors(anchors)
                    .with_word_score(word_score),
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

impl Query for BigramQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
        let (bm25, word_bm25) = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let word = match &self.word {
                    Some(word) if self.word_score > 0.0 => Some(
                        Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(word))?
                            .boost_by(self.word_score),
                    ),
                    _ => None,
                };
                (
                    Some(Bm25Weight::for_terms(statistics_provider, &terms)?),
                    word,
                )
            }
            EnableScoring::Disabled { .. } => (None, None),
        };
        Ok(Box::new(BigramWeight {
            query: self.clone(),
            bm25,
            word_bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct BigramWeight {
    query: BigramQuery,
    bm25: Option<Bm25Weight>,
    /// The whole word's own score, already weighted (see [`BigramQuery::with_word_score`]).
    word_bm25: Option<Bm25Weight>,
}

impl BigramWeight {
    fn bigram_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<BigramScorer>> {
        let Some((_, first)) = self.query.terms.first() else {
            return Ok(None);
        };
        let field = first.field();
        let index = reader.inverted_index(field)?;
        let mut terms = Vec::with_capacity(self.query.terms.len() + 1);
        // The bigram at every offset (Han strings only), looked up once: the set and the
        // anchored check both choose from them by the size of their positions.
        let mut infos = Vec::with_capacity(self.query.bigrams.len());
        let mut costs = Vec::with_capacity(self.query.bigrams.len());
        if self.query.bigrams.len() >= 2 {
            for term in &self.query.bigrams {
                match index.get_term_info(term)? {
                    Some(info) => infos.push(info),
                    None => return Ok(None),
                }
            }
            costs.extend(infos.iter().map(|i| i.positions_range.len()));
            for k in cheapest_bigrams(&costs) {
                let postings = index.read_postings_from_terminfo(
                    &infos[k],
                    IndexRecordOption::WithFreqsAndPositions,
                )?;
                terms.push((k as u32, postings));
            }
        } else {
            for (offset, term) in &self.query.terms {
                match index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                    Some(postings) => terms.push((*offset, postings)),
                    None => return Ok(None),
                }
            }
        }
        let word = match &self.query.word {
            Some(word) => index.read_postings(word, IndexRecordOption::WithFreqs)?,
            None => None,
        };
        let anchored = self.anchored(&index, &infos, &costs)?;
        Ok(Some(BigramScorer::new(
            terms,
            word,
            anchored,
            reader.get_fieldnorms_reader(field)?,
            self.bm25.as_ref().map(|w| w.boost_by(boost)),
            self.word_bm25.as_ref().map(|w| w.boost_by(boost)),
        )))
    }
}

impl BigramWeight {
    /// The anchored check's terms in this segment: the query's words (when the segment
    /// has them all) and the cheapest bigrams covering the characters outside them, from
    /// `infos` (the string's bigram at every offset) and their `costs`. Empty when there
    /// are no words or the segment lacks one.
    fn anchored(
        &self,
        index: &tantivy::InvertedIndexReader,
        infos: &[TermInfo],
        costs: &[usize],
    ) -> tantivy::Result<Vec<(u32, SegmentPostings)>> {
        let anchors = &self.query.anchors;
        let n = infos.len() + 1;
        if anchors.is_empty() || n < 3 {
            return Ok(Vec::new());
        }
        let mut covered = vec![false; n];
        let mut out = Vec::new();
        for (offset, term) in anchors {
            let Some(postings) =
                index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
            else {
                return Ok(Vec::new());
            };
            let len = term.value().as_str().map_or(0, |w| w.chars().count());
            for c in covered.iter_mut().skip(*offset as usize).take(len) {
                *c = true;
            }
            out.push((*offset, postings));
        }
        for k in cover_rest(&covered, costs) {
            let Some(info) = infos.get(k) else {
                return Ok(Vec::new());
            };
            let postings = index
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)?;
            out.push((k as u32, postings));
        }
        Ok(out)
    }
}

/// Offsets of bigrams (bigram `k` covers characters `k` and `k + 1`; `costs` by offset)
/// that cover every character not `covered`: the cheapest cover of each uncovered run,
/// and for a run of one character the bigram reaching into its neighbour.
fn cover_rest(covered: &[bool], costs: &[usize]) -> Vec<usize> {
    let n = covered.len();
    let mut chosen = Vec::new();
    let mut i = 0;
    while i < n {
        if covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && !covered[i] {
            i += 1;
        }
        if i - start == 1 {
            chosen.push(if start + 1 < n {
                start
            } else {
                start.saturating_sub(1)
            });
        } else {
            let run = &costs[start..i - 1];
            chosen.extend(cheapest_bigrams(run).into_iter().map(|k| start + k));
        }
    }
    chosen
}

impl Weight for BigramWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.bigram_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_found = || TantivyError::InvalidArgument(format!("document {doc} does not match"));
        let mut scorer = self.bigram_scorer(reader, 1.0)?.ok_or_else(not_found)?;
        if scorer.seek(doc) != doc {
            return Err(not_found());
        }
        let mut explanation = Explanation::new("BigramQuery", scorer.score());
        explanation.add_context(format!("string frequency {}", scorer.freq));
        Ok(explanation)
    }
}

struct BigramScorer {
    /// Rarest first: the leapfrog starts from the shortest list.
    terms: Vec<(u32, SegmentPostings)>,
    word: Option<SegmentPostings>,
    /// The query's words and the bigrams covering the rest (empty: no anchored check).
    anchored: Vec<(u32, SegmentPostings)>,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    word_bm25: Option<Bm25Weight>,
    doc: DocId,
    /// The whole word's frequency in `doc` (0 where the section lacks the word).
    word_freq: u32,
    /// Occurrences of the string in `doc` (of the word, where the shortcut answered).
    freq: u32,
    positions: Vec<u32>,
    starts: Vec<u32>,
    next_starts: Vec<u32>,
    anchor_starts: Vec<u32>,
    /// Candidates checked by position in this segment, and how many lacked the string.
    candidates: u32,
    rejected: u32,
}

/// Moves `postings` to the first document ≥ `target` (never backwards).
fn seek(postings: &mut SegmentPostings, target: DocId) -> DocId {
    if postings.doc() >= target {
        postings.doc()
    } else {
        postings.seek(target)
    }
}

impl BigramScorer {
    fn new(
        mut terms: Vec<(u32, SegmentPostings)>,
        word: Option<SegmentPostings>,
        mut anchored: Vec<(u32, SegmentPostings)>,
        fieldnorms: FieldNormReader,
        bm25: Option<Bm25Weight>,
        word_bm25: Option<Bm25Weight>,
    ) -> BigramScorer {
        terms.sort_by_key(|(_, p)| p.doc_freq());
        anchored.sort_by_key(|(_, p)| p.doc_freq());
        let mut scorer = BigramScorer {
            terms,
            word,
            anchored,
            fieldnorms,
            bm25,
            word_bm25,
            doc: 0,
            word_freq: 0,
            freq: 0,
            positions: Vec::new(),
            starts: Vec::new(),
            next_starts: Vec::new(),
            anchor_starts: Vec::new(),
            candidates: 0,
            rejected: 0,
        };
        scorer.find(0);
        scorer
    }

    /// Moves to the first matching document ≥ `target`.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            let doc = self.align(target);
            if doc == TERMINATED || self.occurs(doc) {
                self.doc = doc;
                return doc;
            }
            target = doc + 1;
        }
    }

    /// The first document ≥ `target` that has every term of the set.
    fn align(&mut self, target: DocId) -> DocId {
        let Some(((_, first), rest)) = self.terms.split_first_mut() else {
            return TERMINATED;
        };
        let mut doc = seek(first, target);
        'align: loop {
            if doc == TERMINATED {
                return TERMINATED;
            }
            for (_, postings) in rest.iter_mut() {
                let d = seek(postings, doc);
                if d > doc {
                    doc = seek(first, d);
                    continue 'align;
                }
            }
            return doc;
        }
    }

    /// Does the string occur in `doc`, which has every term of the set?
    ///
    /// Three ways: the whole string indexed as a word; the anchored check, where the
    /// section has every word jieba cuts the string into — their positions, which are
    /// few, and those of a cover of the other characters must line up; and the bigram
    /// set's positions. A word term at a position is the word there, so the first two
    /// never match wrongly; the set decides where the section's text was cut differently.
    /// The frequency is of the way that answered.
    ///
    /// Order: the word, then the anchored check, then the set — unless many candidates of
    /// this segment have turned out not to hold the string (a third, after 64): then the
    /// set's [`PREFIX`] rarest terms go first and turn most of them away before anything
    /// reads the common words, and the other checks start from the starts they leave.
    fn occurs(&mut self, doc: DocId) -> bool {
        self.word_freq = 0;
        if let Some(word) = &mut self.word {
            if seek(word, doc) == doc {
                self.freq = word.term_freq();
                self.word_freq = self.freq;
                return true;
            }
        }
        if self.anchored.is_empty() {
            return self.line_up_set(0, false);
        }
        // Where most candidates hold the string, the anchored check goes first and proves
        // them cheaply; where many do not, the set's rarest terms go first and turn them
        // away before the anchored check reads the common words. Which holds is seen as
        // the segment is read.
        let many_rejected = self.candidates >= 64 && self.rejected * 3 > self.candidates;
        self.candidates += 1;
        let rare = if many_rejected {
            let rare = PREFIX.min(self.terms.len());
            if !self.line_up_set_part(..rare, false) {
                self.rejected += 1;
                return false;
            }
            rare
        } else {
            0
        };
        let within = (rare > 0).then_some(self.starts.as_slice());
        if self.anchored.iter_mut().all(|(_, p)| seek(p, doc) == doc)
            && line_up(
                &mut self.anchored,
                within,
                &mut self.positions,
                &mut self.anchor_starts,
                &mut self.next_starts,
            )
        {
            self.freq = self.anchor_starts.len() as u32;
            return true;
        }
        if self.line_up_set(rare, rare > 0) {
            return true;
        }
        self.rejected += 1;
        false
    }

    /// Lines up the set's terms from index `from` on (after the first `from`, whose
    /// starts are in `starts` when `continued`); true, with `freq` set, when the string
    /// occurs.
    fn line_up_set(&mut self, from: usize, continued: bool) -> bool {
        if !self.line_up_set_part(from.., continued) {
            return false;
        }
        self.freq = self.starts.len() as u32;
        true
    }

    /// Lines up `part` of the set into `starts`, within the starts already there when
    /// `continued`.
    fn line_up_set_part(
        &mut self,
        part: impl std::slice::SliceIndex<[(u32, SegmentPostings)], Output = [(u32, SegmentPostings)]>,
        continued: bool,
    ) -> bool {
        let Some(terms) = self.terms.get_mut(part) else {
            return false;
        };
        if continued {
            std::mem::swap(&mut self.starts, &mut self.anchor_starts);
        }
        let within = continued.then_some(self.anchor_starts.as_slice());
        line_up(
            terms,
            within,
            &mut self.positions,
            &mut self.starts,
            &mut self.next_starts,
        )
    }
}

/// How many of the set's rarest terms are lined up before the anchored check.
const PREFIX: usize = 2;

/// Lines up `terms` in `doc` (where they all are): the start positions where each sits at
/// its offset, within `from` when given, into `out`. True when there is one.
fn line_up(
    terms: &mut [(u32, SegmentPostings)],
    from: Option<&[u32]>,
    positions: &mut Vec<u32>,
    out: &mut Vec<u32>,
    scratch: &mut Vec<u32>,
) -> bool {
    match from {
        Some(from) => {
            out.clear();
            out.extend_from_slice(from);
        }
        None if terms.is_empty() => return false,
        None => {}
    }
    for (i, (offset, postings)) in terms.iter_mut().enumerate() {
        positions.clear();
        postings.positions(positions);
        let offset = *offset;
        let shifted = positions
            .iter()
            .filter(|&&p| p >= offset)
            .map(|&p| p - offset);
        if i == 0 && from.is_none() {
            out.clear();
            out.extend(shifted);
        } else {
            intersect_sorted(out, shifted, scratch);
            std::mem::swap(out, scratch);
        }
        if out.is_empty() {
            return false;
        }
    }
    !out.is_empty()
}

/// Offsets of the bigrams that cover every character of a string whose bigram at offset
/// `k` (covering characters `k` and `k + 1`) costs `costs[k]`, at the least total cost.
/// The first and last bigrams are always in; between two chosen bigrams at most one
/// offset is skipped.
fn cheapest_bigrams(costs: &[usize]) -> Vec<usize> {
    let n = costs.len();
    // best[k]: least cost of covering characters 0..=k+1 with bigram k chosen last.
    let mut best = vec![0usize; n];
    let mut from = vec![usize::MAX; n];
    for k in 0..n {
        let prev = match k {
            0 => None,
            1 => Some(0),
            _ if best[k - 2] <= best[k - 1] => Some(k - 2),
            _ => Some(k - 1),
        };
        best[k] = costs[k].saturating_add(prev.map_or(0, |p| best[p]));
        from[k] = prev.unwrap_or(usize::MAX);
    }
    let mut chosen = Vec::new();
    let mut k = n.wrapping_sub(1);
    while k < n {
        chosen.push(k);
        k = from[k];
    }
    chosen.reverse();
    chosen
}

/// `left ∩ right` into `out`; both sorted ascending.
fn intersect_sorted(left: &[u32], right: impl Iterator<Item = u32>, out: &mut Vec<u32>) {
    out.clear();
    let mut i = 0;
    for r in right {
        while i < left.len() && left[i] < r {
            i += 1;
        }
        if i == left.len() {
            break;
        }
        if left[i] == r {
            out.push(r);
        }
    }
}

impl DocSet for BigramScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.find(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.find(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.terms.first().map_or(0, |(_, p)| p.size_hint())
    }
}

impl Scorer for BigramScorer {
    fn score(&mut self) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        let norm = self.fieldnorms.fieldnorm_id(self.doc);
        let word = match &self.word_bm25 {
            Some(word) if self.word_freq > 0 => word.score(norm, self.word_freq),
            _ => 0.0,
        };
        bm25.score(norm, self.freq) + word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheapest_bigrams_skips_common_bigrams_and_covers_everything() {
        // 学校 校信 信息 息公 公开 开工 工作
        let costs = [30, 1, 20, 10, 40, 1, 20];
        assert_eq!(cheapest_bigrams(&costs), vec![0, 1, 3, 5, 6]);
        assert_eq!(cheapest_bigrams(&[5, 5, 5]), vec![0, 2]);
        assert_eq!(cheapest_bigrams(&[7]), vec![0]);
        assert_eq!(cheapest_bigrams(&[1, 100, 1]), vec![0, 2]);
        for costs in [[3, 1, 4, 1, 5, 9, 2, 6], [1; 8], [9, 9, 1, 9, 9, 1, 9, 9]] {
            let chosen = cheapest_bigrams(&costs);
            assert_eq!(chosen.first(), Some(&0));
            assert_eq!(chosen.last(), Some(&(costs.len() - 1)));
            assert!(chosen.windows(2).all(|w| w[1] - w[0] <= 2), "{chosen:?}");
        }
    }

    /// Characters outside the words are covered by bigrams inside the string: a run by its
    /// cheapest cover, a lone character by the bigram reaching into its neighbour.
    #[test]
    fn the_rest_of_an_anchored_string_is_covered() {
        // 学校信息公开工作 with 信息公开工作 (offsets 2..8) a word: 学校 left.
        let covered = [false, false, true, true, true, true, true, true];
        assert_eq!(cover_rest(&covered, &[1; 7]), vec![0]);
        // 信息公开工作领导小组 with both words: nothing left.
        assert!(cover_rest(&[true; 10], &[1; 9]).is_empty());
        // A lone character at either end, and one in the middle.
        assert_eq!(cover_rest(&[true, true, false], &[1, 1]), vec![1]);
        assert_eq!(cover_rest(&[false, true, true], &[1, 1]), vec![0]);
        assert_eq!(cover_rest(&[true, false, true, true], &[1, 1, 1]), vec![1]);
        // A longer run takes its cheapest cover.
        let covered = [false, false, false, false, true, true, true];
        assert_eq!(cover_rest(&covered, &[5, 1, 5, 9, 9, 9]), vec![0, 2]);
    }

    #[test]
    fn sorted_intersection() {
        let mut out = Vec::new();
        intersect_sorted(&[1, 3, 5, 9], [0, 3, 4, 5, 10].into_iter(), &mut out);
        assert_eq!(out, vec![3, 5]);
        intersect_sorted(&[], [1].into_iter(), &mut out);
        assert!(out.is_empty());
    }
}
