//! Script folding: traditional → simplified, full-width → half-width, ASCII case, all
//! **one character for one character** so that a character index in the folded text is the
//! same character index in the original. Matching happens on folded text; highlights are
//! cut from the original by character index, so they show the text as the school wrote it.
//!
//! We fold toward simplified only: simplified → traditional is one-to-many (发 → 發/髮),
//! traditional → simplified is (nearly) many-to-one.

use std::sync::LazyLock;

use hanconv::{Converters, RawDictionary, Trie};

use serde::{Deserialize, Serialize};

/// Which script a text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    Simplified,
    Traditional,
    Mixed,
}

impl Script {
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Simplified => "simplified",
            Script::Traditional => "traditional",
            Script::Mixed => "mixed",
        }
    }
}

static T2S: LazyLock<&'static Trie<&'static str>> = LazyLock::new(|| first_dict(Converters::T2S));
static S2T: LazyLock<&'static Trie<&'static str>> = LazyLock::new(|| first_dict(Converters::S2T));

/// Traditional phrases that OpenCC's simplified → traditional phrase table produces and the
/// traditional → simplified tables do not bring back (批覆 for 批复, 乾淨 for 干净: 覆 and 乾
/// are also simplified characters, so character by character they stay), mapped to the
/// simplified phrase — only where both have the same number of characters. With them a
/// report written 批覆 folds to 批复, as a simplified report and a simplified query do.
static ST_PHRASES_BACK: LazyLock<Trie<&'static str>> = LazyLock::new(|| {
    let mut trie = Trie::default();
    for (traditional, simplified) in ST_PHRASES_BACK_LIST.iter() {
        trie.insert(traditional, *simplified);
    }
    trie
});

/// The phrases of [`ST_PHRASES_BACK`], as (traditional, simplified).
static ST_PHRASES_BACK_LIST: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    // Traditional phrase → the simplified phrases the table writes it for.
    let mut back: std::collections::HashMap<&'static str, Vec<&'static str>> =
        std::collections::HashMap::new();
    for line in RawDictionary::STPhrases.lines() {
        let mut fields = line.split_whitespace();
        let Some(simplified) = fields.next() else {
            continue;
        };
        // The table also lists half-converted keys (干淨, 爲了); only a simplified phrase
        // that is its own fold is a target.
        if fold_by_t2s(simplified) != simplified {
            continue;
        }
        let n = simplified.chars().count();
        for traditional in fields {
            if traditional.chars().count() == n {
                back.entry(traditional).or_default().push(simplified);
            }
        }
    }
    let mut list = Vec::new();
    for (traditional, mut targets) in back {
        targets.sort_unstable();
        targets.dedup();
        let by_t2s = fold_by_t2s(traditional);
        // Taken only when the traditional → simplified tables have no answer of their own
        // (覆蓋 already folds to 覆盖, one of the phrases written 覆蓋) and the phrase has
        // one reading.
        if T2S.get(traditional).is_none() && !targets.contains(&by_t2s.as_str()) {
            if let [only] = targets[..] {
                list.push((traditional, only));
            }
        }
    }
    list
});

fn first_dict(conv: Converters) -> &'static Trie<&'static str> {
    // T2S and S2T are single-table converters (phrases + characters); hanconv builds the
    // table once in a static.
    conv.dictionaries()
        .into_iter()
        .next()
        .expect("hanconv converters have at least one table")
}

/// Folds `text` for matching. The result has exactly as many `char`s as `text`.
///
/// ```
/// let folded = xxgk_model::fold::fold("依申請公開ＡＢＣ");
/// assert_eq!(folded, "依申请公开abc");
/// ```
pub fn fold(text: &str) -> String {
    fold_with(text, true)
}

/// [`fold`] with OpenCC's traditional → simplified tables only (what builds
/// [`ST_PHRASES_BACK`]).
fn fold_by_t2s(text: &str) -> String {
    fold_with(text, false)
}

fn fold_with(text: &str, phrases_back: bool) -> String {
    if phrases_back {
        return FAST.fold(text);
    }
    fold_slow(text, phrases_back)
}

/// The folding rule itself, a trie lookup at every character: what [`FastFold`] does
/// with tables, and what builds [`ST_PHRASES_BACK`] (with `phrases_back` false).
fn fold_slow(text: &str, phrases_back: bool) -> String {
    let chars: Vec<char> = text.chars().map(fold_width_and_case).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii() {
            out.push(c);
            i += 1;
            continue;
        }
        if let Some((replacement, len)) = phrase_at(chars[i..].iter().copied(), phrases_back) {
            out.push_str(replacement);
            i += len;
            continue;
        }
        out.push(t2s_char(c));
        i += 1;
    }
    out
}

/// The longest phrase starting at `chars[0]` (OpenCC phrase tables: 乾隆 stays 乾, 乾燥
/// becomes 干), accepted only when it keeps the character count; of the two tables, the
/// longer match wins. A match of one character is no phrase: single characters are
/// [`t2s_char`]'s, which follows a chain to its end (薴 → 苧 → 苎) where the trie's own
/// entry stops at the first step. `chars` are already width- and case-folded.
fn phrase_at(
    chars: impl Iterator<Item = char> + Clone,
    phrases_back: bool,
) -> Option<(&'static str, usize)> {
    let t2s = T2S
        .r#match(chars.clone())
        .filter(|(r, len)| *len > 1 && r.chars().count() == *len)
        .map(|(r, len)| (*r, len));
    let back = if phrases_back {
        ST_PHRASES_BACK
            .r#match(chars)
            .filter(|(_, len)| *len > 1)
            .map(|(r, len)| (*r, len))
    } else {
        None
    };
    match (t2s, back) {
        (Some(a), Some(b)) => Some(if b.1 > a.1 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// [`fold`] by tables: for every character of the Basic Multilingual Plane, its
/// width-, case- and single-character fold, and whether a phrase of either table starts
/// with it. Only at those characters (about one in fifteen in a report) are the tries
/// asked; everything else is one array read. Same answers as [`fold_slow`] (a property
/// test holds them together), about four times faster.
struct FastFold {
    /// Folded character, with [`PHRASE_START`] set when a phrase may start here.
    bmp: Vec<u32>,
}

const PHRASE_START: u32 = 1 << 31;

static FAST: LazyLock<FastFold> = LazyLock::new(FastFold::new);

impl FastFold {
    fn new() -> FastFold {
        let mut starts = std::collections::HashSet::new();
        for dict in [RawDictionary::TSPhrases, RawDictionary::TSCharacters] {
            for line in dict.lines() {
                let Some(key) = line.split_whitespace().next() else {
                    continue;
                };
                let mut chars = key.chars();
                if let (Some(first), Some(_)) = (chars.next(), chars.next()) {
                    starts.insert(first);
                }
            }
        }
        for (key, _) in ST_PHRASES_BACK_LIST.iter() {
            let mut chars = key.chars();
            if let (Some(first), Some(_)) = (chars.next(), chars.next()) {
                starts.insert(first);
            }
        }
        let bmp = (0u32..0x1_0000)
            .map(|code| {
                let Some(c) = char::from_u32(code) else {
                    return code;
                };
                let w = fold_width_and_case(c);
                let single = if w.is_ascii() { w } else { t2s_char(w) };
                let flag = if !w.is_ascii() && starts.contains(&w) {
                    PHRASE_START
                } else {
                    0
                };
                single as u32 | flag
            })
            .collect();
        FastFold { bmp }
    }

    fn fold(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let entry = self.bmp.get(c as usize).copied();
            match entry {
                Some(e) if e & PHRASE_START == 0 => {
                    // A surrogate code point cannot be a char, so every entry is one.
                    out.push(char::from_u32(e).unwrap_or(c));
                    rest = &rest[c.len_utf8()..];
                }
                _ => {
                    // A phrase may start here (or the character is beyond the BMP): the
                    // tries decide, on width- and case-folded characters.
                    let ahead = rest.chars().map(fold_width_and_case as fn(char) -> char);
                    if let Some((replacement, len)) = phrase_at(ahead, true) {
                        out.push_str(replacement);
                        let skip: usize = rest.chars().take(len).map(char::len_utf8).sum();
                        rest = &rest[skip..];
                    } else {
                        let w = fold_width_and_case(c);
                        out.push(if w.is_ascii() { w } else { t2s_char(w) });
                        rest = &rest[c.len_utf8()..];
                    }
                }
            }
        }
        out
    }
}

/// The one-character conversion of `c`, or `c` itself when the table has none (or a
/// multi-character one).
/// A character's traditional → simplified fold, followed to its end: OpenCC's character
/// table chains a few (薴 → 苧 → 苎), and a fold must be its own fold, or a query typed
/// with the middle character would not find a text written with the first.
fn t2s_char(c: char) -> char {
    let mut c = c;
    for _ in 0..4 {
        let next = single_char(&T2S, c);
        if next == c {
            break;
        }
        c = next;
    }
    c
}

fn single_char(table: &Trie<&'static str>, c: char) -> char {
    let mut buf = [0u8; 4];
    match table.get(c.encode_utf8(&mut buf)) {
        Some(r) => {
            let mut it = r.chars();
            match (it.next(), it.next()) {
                (Some(only), None) => only,
                _ => c,
            }
        }
        None => c,
    }
}

fn fold_width_and_case(c: char) -> char {
    if is_han(c) {
        // No width, no case: most of a report.
        return c;
    }
    let c = match c {
        // Full-width ASCII block → ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else if c.is_uppercase() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    } else {
        c
    }
}

/// Is `c` a Han character (the characters jieba segments)?
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{3007}')
}

/// Which script a text is written in, from the characters that exist in only one of them.
/// A text with neither kind (or none at all) counts as simplified, the mainland default.
pub fn detect_script(text: &str) -> Script {
    let (mut trad, mut simp) = (0usize, 0usize);
    for c in text.chars().filter(|&c| is_han(c)) {
        if single_char(&T2S, c) != c {
            trad += 1;
        } else if single_char(&S2T, c) != c {
            simp += 1;
        }
    }
    let total = trad + simp;
    if total == 0 {
        return Script::Simplified;
    }
    // Traditional text keeps a few characters that OpenCC also lists as simplified forms
    // (and the reverse), so allow 5% of the other kind before calling it mixed.
    if simp * 20 <= total {
        if trad == 0 {
            Script::Simplified
        } else {
            Script::Traditional
        }
    } else if trad * 20 <= total {
        Script::Simplified
    } else {
        Script::Mixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Found by the `query` fuzz target (issue 22): 薴 folded to 苧, which folds to 苎.
    /// Every character's fold is now its own fold.
    #[test]
    fn a_characters_fold_is_its_own_fold() {
        assert_eq!(fold("薴"), "苎");
        assert_eq!(fold("苧"), "苎");
        let mut chained = Vec::new();
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            let once = fold(&c.to_string());
            if fold(&once) != once {
                chained.push((c, once));
            }
        }
        assert!(chained.is_empty(), "{chained:?}");
    }

    #[test]
    fn folds_traditional_to_simplified() {
        assert_eq!(fold("信息公開"), "信息公开");
        assert_eq!(fold("依申請公開"), "依申请公开");
        assert_eq!(fold("河南機電職業學院"), "河南机电职业学院");
        assert_eq!(fold("財務"), "财务");
        // Already simplified text is untouched.
        assert_eq!(fold("湖南工商大学信息公开"), "湖南工商大学信息公开");
    }

    /// Issue 11: what OpenCC's phrase tables convert folds the same way in either script.
    #[test]
    fn issue_11_phrases_fold_like_their_simplified_form() {
        for (traditional, simplified) in [("批覆", "批复"), ("乾淨", "干净"), ("頭髮", "头发")]
        {
            assert_eq!(fold(traditional), simplified);
            assert_eq!(fold(simplified), simplified);
        }
        assert_eq!(fold("學校已批覆申請"), "学校已批复申请");
        // The characters alone are left as they are: 覆 and 乾 are simplified characters too.
        assert_eq!(fold("覆盖"), "覆盖");
        assert_eq!(fold("乾隆"), "乾隆");
    }

    /// Issue 11: every same-length phrase of OpenCC's tables folds in its traditional
    /// form as it does in its simplified form — except where the two tables disagree (the
    /// traditional → simplified table has its own answer, or one traditional phrase is
    /// written for several simplified ones), which stay below 0.25 % of the phrases (110 of 49,544 today).
    #[test]
    fn issue_11_every_table_phrase_folds_to_its_simplified_form() {
        let mut checked = 0usize;
        let mut failures = Vec::new();
        let st = RawDictionary::STPhrases.lines().filter_map(|line| {
            let mut f = line.split_whitespace();
            Some((f.next()?, f.collect::<Vec<_>>()))
        });
        let ts = RawDictionary::TSPhrases.lines().filter_map(|line| {
            let mut f = line.split_whitespace();
            let traditional = f.next()?;
            Some((f.next()?, vec![traditional]))
        });
        for (simplified, traditionals) in st.chain(ts) {
            for traditional in traditionals {
                if traditional.chars().count() != simplified.chars().count() {
                    continue;
                }
                checked += 1;
                if fold(traditional) != fold(simplified) {
                    failures.push(format!(
                        "{traditional}→{} vs {simplified}→{}",
                        fold(traditional),
                        fold(simplified)
                    ));
                }
            }
        }
        assert!(checked > 40_000, "{checked}");
        assert!(
            failures.len() * 400 < checked,
            "{} of {checked}: {:?}",
            failures.len(),
            &failures[..failures.len().min(30)]
        );
        // The ones a report is likely to hold fold right.
        for (traditional, simplified) in [
            ("覆蓋", "覆盖"),
            ("批覆", "批复"),
            ("答覆", "答复"),
            ("乾淨", "干净"),
            ("頭髮", "头发"),
            ("理髮", "理发"),
            ("乾燥", "干燥"),
            ("餘額", "余额"),
        ] {
            assert_eq!(fold(traditional), fold(simplified), "{traditional}");
        }
    }

    #[test]
    fn folds_width_and_case_but_keeps_punctuation() {
        assert_eq!(fold("２０２０—２０２１學年"), "2020—2021学年");
        assert_eq!(fold("ＰＤＦ，Ｗord"), "pdf,word");
        assert_eq!(fold("（一）"), "(一)");
    }

    #[test]
    fn mixed_script_text_folds_per_character() {
        let mixed = "信息公开與信息公開";
        assert_eq!(fold(mixed), "信息公开与信息公开");
        assert_eq!(fold(mixed).chars().count(), mixed.chars().count());
    }

    #[test]
    fn detects_scripts() {
        assert_eq!(
            detect_script("湖南工商大学信息公开工作年度报告"),
            Script::Simplified
        );
        assert_eq!(
            detect_script("河南機電職業學院信息公開工作報告"),
            Script::Traditional
        );
        assert_eq!(
            detect_script("这是简体的说明。這是繁體的說明,還有幾個繁體字。"),
            Script::Mixed
        );
        assert_eq!(detect_script("2020 abc"), Script::Simplified);
    }

    /// The tables fold as the tries do, on report-like text and on table phrases.
    #[test]
    fn fast_fold_is_the_rule() {
        let samples = [
            "學校已批覆申請，頭髮乾淨；乾隆年間覆蓋ＡＢＣ２０２３年度",
            "湖南工商大学信息公开工作年度报告（2019-2020学年）",
            "河南機電職業學院信息公開工作報告 一、概述",
            // A chained character alone and at a phrase's start (found by the property
            // test below).
            "薴",
            "薴麻",
        ];
        for s in samples {
            assert_eq!(FAST.fold(s), fold_slow(s, true), "{s}");
        }
        for line in RawDictionary::STPhrases.lines().take(3000) {
            for key in line.split_whitespace() {
                let s = format!("前{key}後");
                assert_eq!(FAST.fold(&s), fold_slow(&s, true), "{s}");
            }
        }
    }

    proptest! {
        #[test]
        fn fast_fold_matches_the_tries(
            s in "[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{20100}a-zA-Zａ-ｚ０-９，。乾覆髮淨 ]{0,64}"
        ) {
            prop_assert_eq!(FAST.fold(&s), fold_slow(&s, true));
        }

        #[test]
        fn fast_fold_matches_the_tries_on_any_text(s in "\\PC{0,64}") {
            prop_assert_eq!(FAST.fold(&s), fold_slow(&s, true));
        }

        #[test]
        fn fold_keeps_the_character_count(s in "\\PC{0,64}") {
            prop_assert_eq!(fold(&s).chars().count(), s.chars().count());
        }

        #[test]
        fn fold_keeps_the_character_count_on_han(
            s in "[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}a-zA-Z０-９，。 ]{0,64}"
        ) {
            let folded = fold(&s);
            prop_assert_eq!(folded.chars().count(), s.chars().count());
            // Folding is idempotent: folded text is a fixed point.
            prop_assert_eq!(fold(&folded).chars().count(), folded.chars().count());
        }
    }
}
