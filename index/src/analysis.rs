//! Chinese analysis: fold (traditional → simplified), then tokens at **character
//! positions**.
//!
//! For every text we emit, each at the index of its first character:
//! - every Han bigram inside a run of Han characters, and the last character of every run
//!   as a unigram. Positions are character indices, so a query string `q` occurs at
//!   character `p` exactly when its bigram set (bigrams at `p`, `p+2`, … and, for an odd
//!   length, one overlapping at the end) matches there. Matching is therefore exact
//!   substring matching on folded text, whatever jieba made of the context — this is what
//!   gives full recall for words that jieba segments differently in different sentences;
//! - jieba search-mode words of three or more characters (two-character words are bigrams
//!   already), and the dictionary words of four or more characters inside them, so that
//!   whole dictionary words can rank above chance bigram runs (and a search for one can
//!   skip reading positions where the word is indexed whole);
//! - every run of letters or digits, lower-cased, as one token.
//!
//! jieba's dictionary is simplified only, so it segments the folded text; as folding keeps
//! the character count, its character offsets are offsets into the original text too.

use std::sync::LazyLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::Index;
use tantivy_jieba::jieba_rs::Jieba;

use crate::fold::{fold, is_han};

/// Name under which [`register`] installs the analyzer.
pub const TOKENIZER: &str = "xxgk_zh";

/// Words of the disclosure domain that jieba's general dictionary splits; with them whole
/// words rank above their parts.
const DOMAIN_WORDS: &[&str] = &[
    "信息公开",
    "依申请公开",
    "主动公开",
    "不予公开",
    "年度报告",
    "清单事项",
    "校务公开",
    "政务公开",
    "信息公开工作",
    "信息公开年度报告",
    "高等学校信息公开办法",
    "高等学校信息公开事项清单",
    "收费标准",
    "招生章程",
    "行政复议",
    "行政诉讼",
    "重点领域",
    "财务信息",
    "三公经费",
    "学位授予",
    "人事师资",
    "信息公开栏",
    "信息公开网",
    "举报投诉",
];

/// The one jieba instance of the process: loading the dictionary takes tens of
/// milliseconds, so it must never be built (or cloned) per query.
pub static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in DOMAIN_WORDS {
        jieba.add_word(word, Some(20_000), None);
    }
    jieba
});

/// Installs the analyzer on an index. Writer and reader both call this, and nothing else
/// names the tokenizer.
pub fn register(index: &Index) {
    index.tokenizers().register(TOKENIZER, ChineseTokenizer);
}

/// Tantivy tokenizer over [`plan`]: tokens are made one at a time into one reused
/// [`Token`], so indexing allocates nothing per token.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChineseTokenizer;

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream {
        ChineseTokenStream {
            plan: plan(text),
            next: 0,
            token: Token::default(),
        }
    }
}

/// The tokens of one text, made on demand from its [`Plan`].
#[derive(Debug)]
pub struct ChineseTokenStream {
    plan: Plan,
    next: usize,
    token: Token,
}

impl TokenStream for ChineseTokenStream {
    fn advance(&mut self) -> bool {
        let Some(&span) = self.plan.spans.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.plan.fill(span, &mut self.token);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Letters and digits that are not Han: they form word tokens.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c)
}

/// Longest letter/digit token we index; longer runs are noise (base64, hashes).
const MAX_WORD_CHARS: usize = 40;

/// A token as `len` characters of the folded text from character `start`: every token
/// is a slice of the folded text, so a plan needs no strings of its own. Ordered by
/// position, then length — the order tantivy needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    start: usize,
    len: usize,
}

/// The folded text, where each character starts in it and in the original, and the
/// token spans in order.
#[derive(Debug)]
struct Plan {
    folded: String,
    /// Byte offset in `folded` of each character index, plus the end.
    folded_at: Vec<usize>,
    /// Byte offset in the original text of each character index, plus the end.
    original_at: Vec<usize>,
    spans: Vec<Span>,
}

impl Plan {
    fn fill(&self, span: Span, token: &mut Token) {
        let end = span.start + span.len;
        token.text.clear();
        token
            .text
            .push_str(&self.folded[self.folded_at[span.start]..self.folded_at[end]]);
        token.offset_from = self.original_at[span.start];
        token.offset_to = self.original_at[end];
        token.position = span.start;
        token.position_length = span.len;
    }
}

/// Plans the tokens of `text` (see the module docs), sorted by position and length,
/// without duplicates.
///
/// jieba runs once over the whole folded text (not once per Han run: the per-call setup
/// cost more than the segmentation), and only its words of three or more Han characters
/// are kept. Everything else comes out of one left-to-right pass already in order, so the
/// only sort is of the jieba words, which are few.
fn plan(text: &str) -> Plan {
    let folded = fold(text);
    let mut chars: Vec<char> = Vec::with_capacity(folded.len() / 2);
    let mut folded_at: Vec<usize> = Vec::with_capacity(folded.len() / 2 + 1);
    for (b, c) in folded.char_indices() {
        folded_at.push(b);
        chars.push(c);
    }
    folded_at.push(folded.len());
    let mut original_at: Vec<usize> = Vec::with_capacity(folded_at.len());
    original_at.extend(text.char_indices().map(|(b, _)| b));
    original_at.push(text.len());
    debug_assert_eq!(original_at.len(), folded_at.len());

    let mut words: Vec<Span> = if chars.windows(3).any(|w| w.iter().all(|&c| is_han(c))) {
        JIEBA
            .cut_for_search(&folded, false)
            .into_iter()
            .filter(|w| w.end - w.start >= 3 && chars[w.start..w.end].iter().all(|&c| is_han(c)))
            .map(|w| Span {
                start: w.start,
                len: w.end - w.start,
            })
            .collect()
    } else {
        Vec::new()
    };
    // Search mode offers the 2- and 3-character dictionary words inside a longer word;
    // offer the longer ones too (信息公开 inside 信息公开工作, 依申请公开 inside
    // 依申请公开工作), so that a search for them finds the word term wherever the string
    // stands inside a longer word (see `engine::bigrams`).
    let long = words.len();
    for w in 0..long {
        let Span { start, len } = words[w];
        for sub in 4..len {
            for from in start..=start + len - sub {
                let piece = &folded[folded_at[from]..folded_at[from + sub]];
                if JIEBA.has_word(piece) {
                    words.push(Span {
                        start: from,
                        len: sub,
                    });
                }
            }
        }
    }
    words.sort_unstable();
    words.dedup();

    let mut spans = Vec::with_capacity(chars.len() + words.len());
    let mut words = words.into_iter().peekable();
    let mut push = |span: Span| {
        while let Some(word) = words.next_if(|w| *w < span) {
            spans.push(word);
        }
        spans.push(span);
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            for k in start..i - 1 {
                push(Span { start: k, len: 2 });
            }
            push(Span {
                start: i - 1,
                len: 1,
            });
        } else if is_word_char(c) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            if i - start <= MAX_WORD_CHARS {
                push(Span {
                    start,
                    len: i - start,
                });
            }
        } else {
            i += 1;
        }
    }
    spans.extend(words);
    Plan {
        folded,
        folded_at,
        original_at,
        spans,
    }
}

/// Tokens of `text`, sorted by position: see the module docs. (The tokenizer makes the
/// same tokens one at a time; this collects them, for tests and tools.)
pub fn analyze(text: &str) -> Vec<Token> {
    let plan = plan(text);
    plan.spans
        .iter()
        .map(|&span| {
            let mut token = Token::default();
            plan.fill(span, &mut token);
            token
        })
        .collect()
}

/// Default-mode jieba words of a folded query fragment (Han runs only), with character
/// offsets: how a plain query word is split into the words that must all occur.
pub fn query_words(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if is_han(c) {
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            for w in JIEBA.cut(&run, false) {
                words.push((start + w.start, w.word.to_string()));
            }
        } else if is_word_char(c) {
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            words.push((start, chars[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(tokens: &[Token]) -> Vec<(usize, &str)> {
        tokens
            .iter()
            .map(|t| (t.position, t.text.as_str()))
            .collect()
    }

    #[test]
    fn bigrams_unigram_at_run_end_and_long_words() {
        let tokens = analyze("信息公开");
        let t = texts(&tokens);
        assert!(t.contains(&(0, "信息")));
        assert!(t.contains(&(1, "息公")));
        assert!(t.contains(&(2, "公开")));
        assert!(t.contains(&(3, "开")));
        assert!(
            t.contains(&(0, "信息公开")),
            "domain word kept whole: {t:?}"
        );
    }

    #[test]
    fn traditional_text_is_folded_and_offsets_point_at_the_original() {
        let text = "依申請公開";
        let tokens = analyze(text);
        let shen_qing = tokens
            .iter()
            .find(|t| t.text == "申请")
            .expect("申请 bigram from 申請");
        assert_eq!(shen_qing.position, 1);
        assert_eq!(&text[shen_qing.offset_from..shen_qing.offset_to], "申請");
        assert!(tokens
            .iter()
            .any(|t| t.text == "依申请公开" && t.position == 0));
    }

    #[test]
    fn words_and_digits_are_tokens_at_character_positions() {
        let tokens = analyze("2020-2021學年 PDF文件");
        let t = texts(&tokens);
        assert!(t.contains(&(0, "2020")));
        assert!(t.contains(&(5, "2021")));
        assert!(t.contains(&(9, "学年")));
        assert!(t.contains(&(12, "pdf")));
        assert!(t.contains(&(15, "文件")));
    }

    #[test]
    fn positions_are_sorted_and_offsets_on_char_boundaries() {
        let text = "學校的「信息公開」工作,包括財務、收費標準等😀內容";
        let tokens = analyze(text);
        for pair in tokens.windows(2) {
            assert!(pair[0].position <= pair[1].position);
        }
        for t in &tokens {
            assert!(text.is_char_boundary(t.offset_from));
            assert!(text.is_char_boundary(t.offset_to));
            assert_eq!(
                fold(&text[t.offset_from..t.offset_to]),
                t.text,
                "token text is the folded original"
            );
        }
    }

    #[test]
    fn query_words_split_a_chunk() {
        let words = query_words("收费标准和信息公开");
        let w: Vec<&str> = words.iter().map(|(_, w)| w.as_str()).collect();
        assert!(w.contains(&"信息公开"), "{w:?}");
        let (offset, _) = words.iter().find(|(_, w)| w == "信息公开").expect("word");
        assert_eq!(*offset, 5);
    }

    #[test]
    fn the_token_stream_makes_the_same_tokens_as_analyze() {
        let text = "二〇二一學年，依申請公開3件；PDF文件、收費標準等信息公開工作。";
        let mut tokenizer = ChineseTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut streamed = Vec::new();
        while stream.advance() {
            let t = stream.token();
            streamed.push((
                t.position,
                t.position_length,
                t.text.clone(),
                t.offset_from,
                t.offset_to,
            ));
        }
        let collected: Vec<_> = analyze(text)
            .into_iter()
            .map(|t| {
                (
                    t.position,
                    t.position_length,
                    t.text,
                    t.offset_from,
                    t.offset_to,
                )
            })
            .collect();
        assert_eq!(streamed, collected);
        assert!(!streamed.is_empty());
    }

    /// The first implementation: jieba once per Han run, every token a `String`, one sort
    /// at the end. The optimised [`analyze`] must make the same bigrams, unigrams and
    /// letter/digit tokens (the matching semantics); its jieba words may differ where a
    /// run touches letters or digits, since jieba now sees the whole text.
    fn analyze_per_run(text: &str) -> Vec<Token> {
        let folded: Vec<char> = fold(text).chars().collect();
        let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_at.push(text.len());
        let mut tokens = Vec::new();
        let mut push = |start: usize, end: usize, text: String| {
            tokens.push(Token {
                offset_from: byte_at[start],
                offset_to: byte_at[end],
                position: start,
                text,
                position_length: end - start,
            });
        };
        let mut i = 0;
        while i < folded.len() {
            let c = folded[i];
            if is_han(c) {
                let start = i;
                while i < folded.len() && is_han(folded[i]) {
                    i += 1;
                }
                let run = &folded[start..i];
                for k in 0..run.len().saturating_sub(1) {
                    push(start + k, start + k + 2, run[k..k + 2].iter().collect());
                }
                push(i - 1, i, run[run.len() - 1].to_string());
                if run.len() >= 3 {
                    let run_text: String = run.iter().collect();
                    for word in JIEBA.cut_for_search(&run_text, false) {
                        if word.end - word.start >= 3 {
                            push(start + word.start, start + word.end, word.word.to_string());
                        }
                    }
                }
            } else if is_word_char(c) {
                let start = i;
                while i < folded.len() && is_word_char(folded[i]) {
                    i += 1;
                }
                if i - start <= MAX_WORD_CHARS {
                    push(start, i, folded[start..i].iter().collect());
                }
            } else {
                i += 1;
            }
        }
        tokens.sort_by(|a, b| {
            (a.position, a.position_length, &a.text).cmp(&(b.position, b.position_length, &b.text))
        });
        tokens.dedup_by(|a, b| a.position == b.position && a.text == b.text);
        tokens
    }

    fn key(t: &Token) -> (usize, usize, String, usize, usize) {
        (
            t.position,
            t.position_length,
            t.text.clone(),
            t.offset_from,
            t.offset_to,
        )
    }

    fn is_jieba_word(t: &Token) -> bool {
        t.position_length >= 3 && t.text.chars().all(is_han)
    }

    #[test]
    fn pure_chinese_runs_give_the_tokens_of_the_first_implementation_and_inner_words() {
        for text in [
            "信息公开",
            "本学年学校共受理信息公开申请12件，其中通过电子邮件提交3件。",
            "學校的「信息公開」工作,包括財務、收費標準等內容",
            "中华人民共和国高等学校信息公开办法",
        ] {
            let new: Vec<_> = analyze(text).iter().map(key).collect();
            let old: Vec<_> = analyze_per_run(text).iter().map(key).collect();
            let extra: Vec<_> = new.iter().filter(|t| !old.contains(t)).collect();
            assert_eq!(
                new.len(),
                old.len() + extra.len(),
                "{text}: every old token kept"
            );
            for (pos, len, word, ..) in extra {
                assert!(*len >= 4 && JIEBA.has_word(word), "{text}: {word}");
                assert!(
                    old.iter()
                        .any(|(p, l, ..)| *l > *len && p <= pos && pos + len <= p + l),
                    "{text}: {word} lies inside a longer word"
                );
            }
        }
        let tokens = analyze("中华人民共和国高等学校信息公开办法");
        let t = texts(&tokens);
        assert!(t.contains(&(11, "信息公开")), "{t:?}");
        assert!(t.contains(&(7, "高等学校")), "{t:?}");
    }

    proptest! {
        #[test]
        fn same_matching_tokens_as_the_first_implementation(
            text in "[信息公開开依申請请財财務务收费費標标准準学學校年度报報告中华人民共和国a-cA-C0-9０-９，。、 😀é]{0,80}"
        ) {
            let new = analyze(&text);
            let old = analyze_per_run(&text);
            let matching = |ts: &[Token]| -> Vec<_> {
                ts.iter().filter(|t| !is_jieba_word(t)).map(key).collect()
            };
            prop_assert_eq!(matching(&new), matching(&old));
            for pair in new.windows(2) {
                prop_assert!(
                    (pair[0].position, pair[0].position_length)
                        < (pair[1].position, pair[1].position_length),
                    "sorted, no duplicates: {:?}", (key(&pair[0]), key(&pair[1]))
                );
            }
            for t in new.iter().filter(|t| is_jieba_word(t)) {
                prop_assert!(JIEBA.has_word(&t.text), "{} is not a dictionary word", t.text);
                prop_assert_eq!(fold(&text[t.offset_from..t.offset_to]), t.text.clone());
            }
        }
    }
}
