//! Script folding: traditional → simplified, full-width → half-width, ASCII case, all
//! **one character for one character** so that a character index in the folded text is the
//! same character index in the original. Matching happens on folded text; highlights are
//! cut from the original by character index, so they show the text as the school wrote it.
//!
//! We fold toward simplified only: simplified → traditional is one-to-many (发 → 發/髮),
//! traditional → simplified is (nearly) many-to-one.

use std::sync::LazyLock;

use hanconv::{Converters, Trie};

use crate::report::Script;

static T2S: LazyLock<&'static Trie<&'static str>> = LazyLock::new(|| first_dict(Converters::T2S));
static S2T: LazyLock<&'static Trie<&'static str>> = LazyLock::new(|| first_dict(Converters::S2T));

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
/// let folded = xxgk_index::fold::fold("依申請公開ＡＢＣ");
/// assert_eq!(folded, "依申请公开abc");
/// ```
pub fn fold(text: &str) -> String {
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
        // Longest phrase match first (OpenCC phrase tables: 乾隆 stays 乾, 乾燥 becomes 干),
        // accepted only when it keeps the character count.
        if let Some((replacement, len)) = T2S.r#match(chars[i..].iter().copied()) {
            if replacement.chars().count() == len {
                out.push_str(replacement);
                i += len;
                continue;
            }
        }
        out.push(single_char(&T2S, c));
        i += 1;
    }
    out
}

/// The one-character conversion of `c`, or `c` itself when the table has none (or a
/// multi-character one).
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

    #[test]
    fn folds_traditional_to_simplified() {
        assert_eq!(fold("信息公開"), "信息公开");
        assert_eq!(fold("依申請公開"), "依申请公开");
        assert_eq!(fold("河南機電職業學院"), "河南机电职业学院");
        assert_eq!(fold("財務"), "财务");
        // Already simplified text is untouched.
        assert_eq!(fold("湖南工商大学信息公开"), "湖南工商大学信息公开");
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

    proptest! {
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
