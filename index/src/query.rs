//! The user's query language, parsed by hand so that every input has a defined meaning:
//!
//! - `收费 标准` — both words must occur (anywhere in the section); sections where they
//!   stand together rank higher.
//! - `收费标准` — an unquoted chunk is split into its words (jieba), which must all occur;
//!   the whole chunk as a phrase ranks higher. Tantivy's own parser would demand the exact
//!   phrase and lose recall.
//! - `"信息公开 工作"`, `“信息公开”`, `「信息公開」` — an exact phrase.
//! - `A OR B`, `A | B` — either; `-A`, `NOT A` — must not occur.
//!
//! Lenient where a reader would be: an unbalanced quote runs to the end, a lone operator is
//! ignored. Strict where guessing would mislead: a query with nothing searchable, only
//! exclusions, or longer than [`MAX_QUERY_CHARS`] is an error.

use std::sync::LazyLock;

use crate::analysis::{is_word_char, query_words};
use crate::fold::{fold, is_han};
use crate::{Error, Result};

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most clauses (words, phrases, alternatives) in one query.
pub const MAX_CLAUSES: usize = 16;

/// A parsed query: clauses that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    pub clauses: Vec<Clause>,
}

/// One or more alternatives (`A OR B`), possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub alternatives: Vec<Atom>,
    pub negated: bool,
}

/// A word chunk or a quoted phrase, already folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub phrase: bool,
}

impl Atom {
    /// Whether the section holding the chunk exactly as typed ranks in a tier of its own,
    /// above sections holding only its required words (issue 19: the exact-match tier is
    /// the chunk as typed). True for every plain chunk whose required words are not the
    /// chunk itself: several words, and also one word left after dropping a function
    /// character at an edge — 为师生员工 requires only 师生员工, and the section holding
    /// 为师生员工 must still rank first. False for a quoted phrase (it is the chunk) and for
    /// a chunk that is its own one word (there is no other tier).
    pub fn ranks_in_tiers(&self) -> bool {
        !self.phrase && self.required_words() != [self.text.as_str()]
    }

    /// The strings that must all occur for this atom to match.
    ///
    /// A quoted phrase is one required string. A plain chunk is its jieba words, except
    /// that adjacent single characters (what jieba could not join into a word: a name, a
    /// place) stay together as one run that must occur as written: 瑶海校区 → 瑶海 + 校区.
    /// Only the listed [`function characters`](is_function_char) (的, 和 …) are dropped,
    /// alone or at the edges of a run, and only when something else remains.
    pub fn required_words(&self) -> Vec<String> {
        if self.phrase {
            return vec![self.text.clone()];
        }
        let words = query_words(&self.text);
        let mut out: Vec<String> = Vec::new();
        // The run of single Han characters being built: (end offset, text).
        let mut run: Option<(usize, String)> = None;
        let flush = |run: &mut Option<(usize, String)>, out: &mut Vec<String>| {
            if let Some((_, text)) = run.take() {
                let kept = text.trim_matches(is_function_char);
                if !kept.is_empty() {
                    out.push(kept.to_string());
                }
            }
        };
        for (start, word) in &words {
            let mut chars = word.chars();
            let single = match (chars.next(), chars.next()) {
                (Some(c), None) => is_han(c),
                _ => false,
            };
            if !single {
                flush(&mut run, &mut out);
                out.push(word.clone());
                continue;
            }
            match &mut run {
                Some((end, text)) if *end == *start => {
                    text.push_str(word);
                    *end += 1;
                }
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((start + 1, word.clone()));
                }
            }
        }
        flush(&mut run, &mut out);
        if out.is_empty() {
            out = words.into_iter().map(|(_, w)| w).collect();
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|w| seen.insert(w.clone()));
        out
    }
}

/// The reviewed list of function characters an unquoted query may drop
/// (`index/data/function-characters.txt`).
static FUNCTION_CHARS: LazyLock<Vec<char>> = LazyLock::new(|| {
    include_str!("../data/function-characters.txt")
        .lines()
        .filter_map(|line| line.split('#').next())
        .filter_map(|entry| entry.trim().chars().next())
        .collect()
});

/// Whether `c` is one of the listed function characters (的 了 和 与 及 等 在 对 …).
pub fn is_function_char(c: char) -> bool {
    FUNCTION_CHARS.contains(&c)
}

impl UserQuery {
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Parses `input`. An empty (or all-whitespace) input is the empty query, which
    /// matches everything and is used to browse by filters.
    pub fn parse(input: &str) -> Result<UserQuery> {
        let length = input.chars().count();
        if length > MAX_QUERY_CHARS {
            return Err(Error::BadQuery(format!(
                "query is too long ({length} characters; at most {MAX_QUERY_CHARS})"
            )));
        }
        if input.trim().is_empty() {
            return Ok(UserQuery::default());
        }
        let folded = fold(input);
        let mut clauses: Vec<Clause> = Vec::new();
        let mut pending_or = false;
        let mut pending_not = false;
        for lexeme in lex(&folded) {
            match lexeme {
                Lexeme::Or => pending_or = !clauses.is_empty(),
                Lexeme::Not => pending_not = true,
                Lexeme::Atom {
                    text,
                    phrase,
                    minus,
                } => {
                    let text = trim_to_searchable(&text);
                    if text.is_empty() {
                        continue;
                    }
                    let atom = Atom { text, phrase };
                    let negated = minus || pending_not;
                    match clauses.last_mut() {
                        Some(last) if pending_or && !negated && !last.negated => {
                            last.alternatives.push(atom)
                        }
                        _ => clauses.push(Clause {
                            alternatives: vec![atom],
                            negated,
                        }),
                    }
                    pending_or = false;
                    pending_not = false;
                }
            }
        }
        if clauses.is_empty() {
            return Err(Error::BadQuery(
                "query has no searchable words (only punctuation or operators)".into(),
            ));
        }
        if clauses.iter().all(|c| c.negated) {
            return Err(Error::BadQuery(
                "query only excludes words; add a word to search for".into(),
            ));
        }
        let atoms: usize = clauses.iter().map(|c| c.alternatives.len()).sum();
        if atoms > MAX_CLAUSES {
            return Err(Error::BadQuery(format!(
                "query has too many words ({atoms}; at most {MAX_CLAUSES})"
            )));
        }
        Ok(UserQuery { clauses })
    }

    /// The whole chunks and phrases of the positive clauses: a snippet should show one of
    /// them as written when the section holds it.
    pub fn preferred_needles(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .clauses
            .iter()
            .filter(|c| !c.negated)
            .flat_map(|c| c.alternatives.iter().map(|a| a.text.clone()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every string a highlighter should mark: the words and phrases of the positive
    /// clauses.
    pub fn highlight_needles(&self) -> Vec<String> {
        let mut needles = Vec::new();
        for clause in self.clauses.iter().filter(|c| !c.negated) {
            for atom in &clause.alternatives {
                needles.push(atom.text.clone());
                needles.extend(atom.required_words());
            }
        }
        needles.sort();
        needles.dedup();
        needles
    }
}

/// Drops leading and trailing characters that cannot be searched (punctuation, symbols);
/// inner punctuation stays and only separates words.
fn trim_to_searchable(text: &str) -> String {
    let searchable = |c: char| is_han(c) || is_word_char(c);
    let start = text.find(searchable);
    let end = text.rfind(searchable);
    match (start, end) {
        (Some(s), Some(e)) => {
            let last_len = text[e..].chars().next().map_or(0, char::len_utf8);
            text[s..e + last_len].to_string()
        }
        _ => String::new(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Lexeme {
    Atom {
        text: String,
        phrase: bool,
        minus: bool,
    },
    Or,
    Not,
}

fn closing_quote(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '“' => Some('”'),
        '「' => Some('」'),
        '『' => Some('』'),
        _ => None,
    }
}

fn lex(input: &str) -> Vec<Lexeme> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut minus = false;
        let mut start = i;
        if c == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            minus = true;
            start += 1;
        }
        if let Some(close) = chars.get(start).copied().and_then(closing_quote) {
            // A phrase, closed by its quote or (unbalanced) by the end of the input.
            let body_start = start + 1;
            let mut j = body_start;
            while j < chars.len() && chars[j] != close {
                j += 1;
            }
            let text: String = chars[body_start..j].iter().collect();
            out.push(Lexeme::Atom {
                text,
                phrase: true,
                minus,
            });
            i = j + 1;
            continue;
        }
        let mut j = start;
        while j < chars.len() && !chars[j].is_whitespace() && closing_quote(chars[j]).is_none() {
            j += 1;
        }
        let word: String = chars[start..j].iter().collect();
        i = j;
        // `fold` has lower-cased the input, so operators are matched in lower case; only
        // bare operators count (`OR` inside `ORACLE` does not).
        match (minus, word.as_str()) {
            (false, "or" | "|" | "||") => out.push(Lexeme::Or),
            (false, "not") => out.push(Lexeme::Not),
            (false, "and" | "&&" | "+") => {}
            _ => out.push(Lexeme::Atom {
                text: word,
                phrase: false,
                minus,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(q: &UserQuery) -> Vec<(Vec<(&str, bool)>, bool)> {
        q.clauses
            .iter()
            .map(|c| {
                (
                    c.alternatives
                        .iter()
                        .map(|a| (a.text.as_str(), a.phrase))
                        .collect(),
                    c.negated,
                )
            })
            .collect()
    }

    #[test]
    fn plain_words_phrases_or_and_not() {
        let q =
            UserQuery::parse("收費 \"信息公開 工作\" 招生 OR 就业 -财务 NOT 基建").expect("parse");
        assert_eq!(
            atoms(&q),
            vec![
                (vec![("收费", false)], false),
                (vec![("信息公开 工作", true)], false),
                (vec![("招生", false), ("就业", false)], false),
                (vec![("财务", false)], true),
                (vec![("基建", false)], true),
            ]
        );
    }

    #[test]
    fn chinese_quotes_make_phrases() {
        let q = UserQuery::parse("“信息公开”「依申請」").expect("parse");
        assert_eq!(
            atoms(&q),
            vec![
                (vec![("信息公开", true)], false),
                (vec![("依申请", true)], false)
            ]
        );
    }

    #[test]
    fn unbalanced_quote_runs_to_the_end() {
        let q = UserQuery::parse("收费 \"信息公开").expect("parse");
        assert_eq!(q.clauses[1].alternatives[0].text, "信息公开");
        assert!(q.clauses[1].alternatives[0].phrase);
    }

    #[test]
    fn lone_operators_are_ignored() {
        let q = UserQuery::parse("OR 收费 OR").expect("parse");
        assert_eq!(atoms(&q), vec![(vec![("收费", false)], false)]);
        let q = UserQuery::parse("收费 - NOT").expect("parse");
        assert_eq!(atoms(&q), vec![(vec![("收费", false)], false)]);
    }

    #[test]
    fn bad_queries_are_errors_with_a_reason() {
        for (input, reason) in [
            ("，。！？", "no searchable words"),
            ("\"\"", "no searchable words"),
            ("-收费", "only excludes"),
            (&"收费".repeat(200), "too long"),
            (&"收费 ".repeat(20), "too many words"),
        ] {
            match UserQuery::parse(input) {
                Err(Error::BadQuery(msg)) => assert!(msg.contains(reason), "{input}: {msg}"),
                other => panic!("{input}: expected BadQuery, got {other:?}"),
            }
        }
    }

    #[test]
    fn empty_query_browses() {
        assert!(UserQuery::parse("   ").expect("parse").is_empty());
    }

    fn words(text: &str) -> Vec<String> {
        Atom {
            text: fold(text),
            phrase: false,
        }
        .required_words()
    }

    #[test]
    fn chunk_words_drop_only_function_characters() {
        let w = words("学校的收费标准");
        assert!(!w.iter().any(|w| w.contains('的')), "{w:?}");
        assert!(w.iter().any(|w| w.contains("收费")), "{w:?}");
        assert_eq!(words("费"), vec!["费".to_string()]);
        // A lone function character is still searchable on its own.
        assert_eq!(words("的"), vec!["的".to_string()]);
    }

    /// Issue 11: what jieba cannot name (a campus, a person) stays one required run.
    #[test]
    fn issue_11_adjacent_single_characters_form_a_required_run() {
        let w = words("瑶海校区");
        assert!(w.contains(&"瑶海".to_string()), "{w:?}");
        assert!(w.contains(&"校区".to_string()), "{w:?}");
        assert!(!w.iter().any(|w| w == "瑶" || w == "海"), "{w:?}");
        // A run is trimmed of function characters at its edges, not inside.
        let w = words("瑶海的校区");
        assert!(w.contains(&"瑶海".to_string()), "{w:?}");
        // Either script.
        assert_eq!(words("瑤海校區"), words("瑶海校区"));
        // Every required word occurs in the chunk as written, so a section holding the
        // chunk always matches.
        for q in [
            "开工作的要",
            "议及举报情",
            "张震王本亮",
            "鲁俊民董险峰",
            "学校的收费标准",
        ] {
            let folded = fold(q);
            for w in words(q) {
                assert!(folded.contains(&w), "{q}: {w}");
            }
        }
    }

    /// Issue 19: a chunk that begins or ends with a function character the query drops
    /// keeps its exact-match tier, even when one word is left.
    #[test]
    fn issue_19_a_chunk_with_a_dropped_edge_still_ranks_in_tiers() {
        let atom = |text: &str, phrase| Atom {
            text: fold(text),
            phrase,
        };
        for q in [
            "为师生员工",
            "是中山大学",
            "师生员工的",
            "在信息公开网",
            "对学校",
            "和学生",
        ] {
            let a = atom(q, false);
            assert!(a.ranks_in_tiers(), "{q}: {:?}", a.required_words());
        }
        // One required word: the tier is what makes the whole string rank first.
        assert_eq!(words("为师生员工"), vec!["师生员工".to_string()]);
        assert!(
            !atom("师生员工", false).ranks_in_tiers(),
            "its own one word"
        );
        assert!(
            !atom("为师生员工", true).ranks_in_tiers(),
            "a phrase is the chunk"
        );
        assert!(atom("学校近年来", false).ranks_in_tiers());
    }

    /// The function-character list is reviewed data: single Han characters, no
    /// duplicates, short, and holding the ones the issue names.
    #[test]
    fn issue_11_function_characters_are_a_short_reviewed_list() {
        let list = &*FUNCTION_CHARS;
        assert!(list.len() <= 40, "{}", list.len());
        let mut sorted = list.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len(), "duplicates");
        assert!(list.iter().all(|&c| is_han(c)), "{list:?}");
        for c in "的了和与及等在对".chars() {
            assert!(is_function_char(c), "{c}");
        }
        for c in "瑶海校区学".chars() {
            assert!(!is_function_char(c), "{c}");
        }
    }

    #[test]
    fn punctuation_is_trimmed_from_words() {
        let q = UserQuery::parse("《收费标准》、").expect("parse");
        assert_eq!(q.clauses[0].alternatives[0].text, "收费标准");
    }
}
