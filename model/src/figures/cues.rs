//! The cue words of `cues.txt`, read once, and the matcher over folded text.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::FigureKind;

const SOURCE: &str = include_str!("cues.txt");

pub(super) static CUES: LazyLock<Cues> =
    LazyLock::new(|| Cues::parse(SOURCE).expect("figures/cues.txt is valid (tested)"));

/// Where a figure cue counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Anywhere in the report.
    Any,
    /// In the figure's home section, or in a sentence that mentions 信息公开.
    Home,
}

/// What a word found in the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Word {
    Figure(FigureKind, Scope),
    Negation,
    Total,
    Part,
    Each,
    All,
    Ignore,
}

#[derive(Debug)]
pub(super) struct Cues {
    /// Words by first character, longest first.
    words: HashMap<char, Vec<(Vec<char>, Word)>>,
    /// Measure words by figure.
    units: HashMap<FigureKind, Vec<String>>,
    /// Every measure word, longest first.
    all_units: Vec<Vec<char>>,
    pub(super) approx_before: Vec<Vec<char>>,
    pub(super) approx_after: Vec<Vec<char>>,
    pub(super) none_sentence_max: usize,
    /// Words that show the 收费 part of the template.
    pub(super) fees: Vec<String>,
}

impl Cues {
    pub(super) fn parse(source: &str) -> Result<Cues, String> {
        let mut words: HashMap<char, Vec<(Vec<char>, Word)>> = HashMap::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut units: HashMap<FigureKind, Vec<String>> = HashMap::new();
        let mut approx_before = Vec::new();
        let mut approx_after = Vec::new();
        let mut none_sentence_max = None;
        let mut fees = Vec::new();
        for (n, line) in source.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut fields = line.split_whitespace();
            let key = fields.next().unwrap_or("");
            let values: Vec<&str> = fields.collect();
            if values.is_empty() {
                return Err(format!("line {}: `{key}` has no words", n + 1));
            }
            let word_kind = match key.split_once('.') {
                Some((figure, part)) => {
                    let kind = FigureKind::parse(figure)
                        .ok_or_else(|| format!("line {}: unknown figure `{figure}`", n + 1))?;
                    match part {
                        "any" => Some(Word::Figure(kind, Scope::Any)),
                        "home" => Some(Word::Figure(kind, Scope::Home)),
                        "units" => {
                            units
                                .entry(kind)
                                .or_default()
                                .extend(values.iter().map(|v| v.to_string()));
                            None
                        }
                        _ => return Err(format!("line {}: unknown list `{key}`", n + 1)),
                    }
                }
                None => match key {
                    "negation" => Some(Word::Negation),
                    "total" => Some(Word::Total),
                    "part" => Some(Word::Part),
                    "each" => Some(Word::Each),
                    "all" => Some(Word::All),
                    "ignore" => Some(Word::Ignore),
                    "approx_before" => {
                        approx_before.extend(values.iter().map(|v| v.chars().collect()));
                        None
                    }
                    "approx_after" => {
                        approx_after.extend(values.iter().map(|v| v.chars().collect()));
                        None
                    }
                    "fees" => {
                        fees.extend(values.iter().map(|v| v.to_string()));
                        None
                    }
                    "none_sentence_max" => {
                        none_sentence_max = values[0].parse().ok();
                        None
                    }
                    _ => return Err(format!("line {}: unknown key `{key}`", n + 1)),
                },
            };
            let Some(word) = word_kind else { continue };
            for value in values {
                if let Some(other) = seen.insert(value.to_string(), key.to_string()) {
                    return Err(format!("`{value}` is in both `{other}` and `{key}`"));
                }
                let chars: Vec<char> = value.chars().collect();
                words.entry(chars[0]).or_default().push((chars, word));
            }
        }
        for list in words.values_mut() {
            list.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        }
        let mut all_units: Vec<Vec<char>> = units
            .values()
            .flatten()
            .map(|u| u.chars().collect())
            .collect();
        all_units.sort_by_key(|u: &Vec<char>| std::cmp::Reverse(u.len()));
        all_units.dedup();
        for sorted in [&mut approx_before, &mut approx_after] {
            sorted.sort_by_key(|w: &Vec<char>| std::cmp::Reverse(w.len()));
        }
        Ok(Cues {
            words,
            units,
            all_units,
            approx_before,
            approx_after,
            none_sentence_max: none_sentence_max.ok_or("no `none_sentence_max`")?,
            fees,
        })
    }

    /// The longest word starting at `i` of folded text, with its length.
    pub(super) fn word_at(&self, f: &[char], i: usize) -> Option<(usize, Word)> {
        let list = self.words.get(f.get(i)?)?;
        list.iter()
            .find(|(w, _)| f.get(i..i + w.len()) == Some(&w[..]))
            .map(|(w, word)| (w.len(), *word))
    }

    /// The longest measure word starting at `i`.
    pub(super) fn unit_at(&self, f: &[char], i: usize) -> Option<usize> {
        self.all_units
            .iter()
            .find(|u| f.get(i..i + u.len()) == Some(&u[..]))
            .map(Vec::len)
    }

    pub(super) fn allows(&self, kind: FigureKind, unit: &str) -> bool {
        self.units
            .get(&kind)
            .is_some_and(|units| units.iter().any(|u| u == unit))
    }

    /// Every figure cue word.
    #[cfg(test)]
    pub(super) fn figure_words(&self) -> impl Iterator<Item = (String, FigureKind, Scope)> + '_ {
        self.words
            .values()
            .flatten()
            .filter_map(|(w, word)| match word {
                Word::Figure(kind, scope) => Some((w.iter().collect(), *kind, *scope)),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold;

    #[test]
    fn the_reviewed_list_parses_and_covers_every_figure() {
        let cues = Cues::parse(SOURCE).expect("cues.txt parses");
        for kind in FigureKind::ALL {
            assert!(
                cues.figure_words().any(|(_, k, _)| k == kind),
                "{kind} has no cue"
            );
            assert!(cues.units.contains_key(&kind), "{kind} has no units");
        }
        assert!(cues.allows(FigureKind::SatisfactionPct, "%"));
        assert!(!cues.allows(FigureKind::ProactiveItems, "类"));
    }

    #[test]
    fn every_word_is_written_as_it_folds() {
        // Matching runs on folded text: a word in traditional script would never match.
        for line in SOURCE.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for word in line.split_whitespace().skip(1) {
                assert_eq!(fold(word), word, "{word} in `{line}`");
            }
        }
    }

    #[test]
    fn the_longest_word_wins() {
        let cues = &*CUES;
        let at = |text: &str| {
            let f: Vec<char> = text.chars().collect();
            cues.word_at(&f, 0)
        };
        assert_eq!(
            at("不同意公开2件"),
            Some((5, Word::Figure(FigureKind::RequestsRefused, Scope::Any)))
        );
        assert_eq!(at("公共服务"), Some((2, Word::Ignore)));
        assert_eq!(at("无法提供"), Some((2, Word::Ignore)));
        assert_eq!(at("无行政复议"), Some((1, Word::Negation)));
        assert_eq!(at("共计12件"), Some((2, Word::Total)));
        assert_eq!(at("学校"), None);
    }

    #[test]
    fn a_word_in_two_lists_is_an_error() {
        let err = Cues::parse("complaints.home 举报\nreviews.any 举报\nnone_sentence_max 3")
            .expect_err("ambiguous");
        assert!(err.contains("举报"), "{err}");
        assert!(Cues::parse("bogus 字").is_err());
    }
}
