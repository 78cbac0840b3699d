//! Our own highlighter. Matches are found as substrings of the **folded** text (the same
//! semantics the index matches with) and cut from the **original** text by character
//! index, so a traditional report shows its own characters with the query marked.
//!
//! Everything works on `char` indices, never on byte offsets of another string, so no
//! input can make it slice inside a character (the failure of tantivy's stock snippet
//! generator on overlapping jieba tokens).

use aho_corasick::{AhoCorasick, MatchKind};

use crate::fold::fold;

/// Characters of context in a snippet.
pub const SNIPPET_CHARS: usize = 160;

/// Half-open character ranges of every occurrence of any needle in `text`, merged where
/// they overlap or touch, in order. Needles must already be folded.
pub fn match_ranges(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    Highlighter::new(&[], needles).ranges(&fold(text)).0
}

/// The needles of one query, ready to mark any number of texts: one automaton finds every
/// occurrence of every needle (overlapping ones included) in one pass over a text, so a
/// page of snippets builds it once (issue 21: the string search that restarted at each
/// occurrence, once for the needles and again for the preferred strings, was a third of
/// a selective search).
pub struct Highlighter {
    automaton: Option<AhoCorasick>,
    /// Patterns below this index are preferred strings (see [`snippet_preferring`]).
    preferred: usize,
}

impl Highlighter {
    /// Needles and preferred strings must already be folded; empty ones are ignored.
    pub fn new(preferred: &[String], needles: &[String]) -> Highlighter {
        let preferred: Vec<&str> = preferred
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        let count = preferred.len();
        let patterns: Vec<&str> = preferred
            .into_iter()
            .chain(needles.iter().map(String::as_str).filter(|n| !n.is_empty()))
            .collect();
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Highlighter {
            automaton,
            preferred: count,
        }
    }

    /// Character ranges in `folded` of every match, and of the preferred strings' matches,
    /// each merged where they overlap or touch, in order.
    fn ranges(&self, folded: &str) -> (Vec<Range>, Vec<Range>) {
        let Some(automaton) = &self.automaton else {
            return (Vec::new(), Vec::new());
        };
        let mut all = Vec::new();
        let mut exact = Vec::new();
        for m in automaton.find_overlapping_iter(folded) {
            all.push((m.start(), m.end()));
            if m.pattern().as_usize() < self.preferred {
                exact.push((m.start(), m.end()));
            }
        }
        (char_ranges(folded, all), char_ranges(folded, exact))
    }

    /// See [`snippet_preferring`].
    pub fn snippet(&self, text: &str, max_chars: usize) -> String {
        let chars: Vec<char> = text.chars().collect();
        let (ranges, exact) = self.ranges(&fold(text));
        let max_chars = max_chars.max(1);
        let anchor = if exact.is_empty() { &ranges } else { &exact };
        let (start, end) = best_window(&chars, anchor, max_chars);
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(&render(&chars, start, end, &ranges));
        if end < chars.len() {
            out.push('…');
        }
        out
    }

    /// See [`highlight_all`].
    pub fn mark_all(&self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        render(&chars, 0, chars.len(), &self.ranges(&fold(text)).0)
    }
}

/// A half-open range of character (or byte) indices.
type Range = (usize, usize);

/// Byte ranges in `folded` (in any order) → character ranges, sorted and merged where
/// they overlap or touch.
fn char_ranges(folded: &str, mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    // Byte offsets → character indices, in one pass (the boundaries are ascending).
    let mut chars = folded.char_indices().map(|(b, _)| b).enumerate().peekable();
    let mut char_at = |byte: usize| -> usize {
        while let Some(&(i, b)) = chars.peek() {
            if b >= byte {
                return i;
            }
            chars.next();
        }
        folded.chars().count()
    };
    merged
        .into_iter()
        .map(|(s, e)| {
            let s = char_at(s);
            (s, char_at(e))
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Highlighter output (escaped text with `<mark>`s) back to text: each mark's start and end
/// become `open` and `close` (`""` to drop them), entities are decoded.
pub fn html_text(html: &str, open: &str, close: &str) -> String {
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// All of `text`, escaped, with every match in `<mark>`.
pub fn highlight_all(text: &str, needles: &[String]) -> String {
    Highlighter::new(&[], needles).mark_all(text)
}

/// A window of about `max_chars` characters around the densest matches, escaped, with
/// matches in `<mark>` and `…` where text was cut. Without matches: the opening of the
/// text.
pub fn snippet(text: &str, needles: &[String], max_chars: usize) -> String {
    Highlighter::new(&[], needles).snippet(text, max_chars)
}

/// Like [`snippet`], but when any of the `preferred` strings (a query's whole chunks and
/// phrases) occurs, the window is placed around those occurrences: a section that holds
/// the chunk as written shows it. Every needle (and preferred string) is marked.
pub fn snippet_preferring(
    text: &str,
    preferred: &[String],
    needles: &[String],
    max_chars: usize,
) -> String {
    Highlighter::new(preferred, needles).snippet(text, max_chars)
}

/// Picks the window `[start, end)` of at most `width` characters that covers the most
/// match ranges, starting a little before the first of them.
fn best_window(chars: &[char], ranges: &[(usize, usize)], width: usize) -> (usize, usize) {
    if chars.len() <= width {
        return (0, chars.len());
    }
    let Some(_) = ranges.first() else {
        return (0, width);
    };
    // Two pointers over ranges: the most ranges whose starts fit in one window.
    let (mut best, mut best_count, mut j) = (0usize, 0usize, 0usize);
    for i in 0..ranges.len() {
        if j < i {
            j = i;
        }
        while j + 1 < ranges.len() && ranges[j + 1].1 <= ranges[i].0 + width {
            j += 1;
        }
        let count = j - i + 1;
        if count > best_count {
            best_count = count;
            best = i;
        }
    }
    let lead = width / 5;
    let start = ranges[best].0.saturating_sub(lead).min(chars.len() - width);
    (start, start + width)
}

fn render(chars: &[char], start: usize, end: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut pos = start;
    let push_text = |out: &mut String, from: usize, to: usize| {
        let piece: String = chars[from..to].iter().collect();
        out.push_str(&escape_html(&piece));
    };
    for &(s, e) in ranges {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e || e <= pos {
            continue;
        }
        let s = s.max(pos);
        push_text(&mut out, pos, s);
        out.push_str("<mark>");
        push_text(&mut out, s, e);
        out.push_str("</mark>");
        pos = e;
    }
    if pos < end {
        push_text(&mut out, pos, end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn needles(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| fold(w)).collect()
    }

    /// Undoes `escape_html` and drops marks: what a reader sees.
    fn visible(html: &str) -> String {
        html_text(html, "", "")
    }

    fn marked(html: &str) -> Vec<String> {
        html.split("<mark>")
            .skip(1)
            .filter_map(|part| part.split("</mark>").next())
            .map(visible)
            .collect()
    }

    #[test]
    fn traditional_text_is_marked_as_written() {
        let html = highlight_all("本學年依申請公開信息0條。", &needles(&["依申请公开"]));
        assert_eq!(html, "本學年<mark>依申請公開</mark>信息0條。");
    }

    #[test]
    fn simplified_query_marks_traditional_and_the_reverse() {
        let text = "信息公開與信息公开";
        assert_eq!(
            highlight_all(text, &needles(&["信息公開"])),
            "<mark>信息公開</mark>與<mark>信息公开</mark>"
        );
    }

    #[test]
    fn overlapping_needles_merge_into_one_mark() {
        let html = highlight_all(
            "依申请公开工作",
            &needles(&["依申请", "申请公开", "公开工作"]),
        );
        assert_eq!(html, "<mark>依申请公开工作</mark>");
    }

    #[test]
    fn markup_in_reports_is_escaped() {
        let html = highlight_all("<script>alert('公开')</script>", &needles(&["公开"]));
        assert_eq!(
            html,
            "&lt;script&gt;alert(&#39;<mark>公开</mark>&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn snippet_centres_on_matches_and_shows_cuts() {
        let text = format!("{}收費標準{}", "前".repeat(300), "後".repeat(300));
        let html = snippet(&text, &needles(&["收费标准"]), 40);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>收費標準</mark>"), "{html}");
        assert_eq!(visible(&html).chars().count(), 42);
    }

    /// A preferred string that is also a needle still places the window: the automaton
    /// reports it under its preferred name.
    #[test]
    fn a_preferred_string_that_is_also_a_needle_places_the_window() {
        let text = format!("工作{}信息公開工作{}", "前".repeat(300), "後".repeat(300));
        let marks = Highlighter::new(
            &needles(&["信息公开工作"]),
            &needles(&["信息公开工作", "工作"]),
        );
        let html = marks.snippet(&text, 40);
        assert!(html.contains("<mark>信息公開工作</mark>"), "{html}");
        assert_eq!(
            marks.mark_all("工作與信息公开工作"),
            "<mark>工作</mark>與<mark>信息公开工作</mark>"
        );
        assert_eq!(
            Highlighter::new(&[], &[]).mark_all("<公开>"),
            "&lt;公开&gt;"
        );
    }

    #[test]
    fn snippet_without_match_is_the_opening() {
        assert_eq!(snippet("短文本", &needles(&["无"]), 10), "短文本");
        assert_eq!(snippet("一二三四五六", &needles(&["无"]), 3), "一二三…");
    }

    proptest! {
        /// Whatever the text and needles: no panic, the visible text is a window of the
        /// original, and every mark holds text whose folding is a run of needle matches.
        #[test]
        fn snippets_are_windows_of_the_original_text(
            text in "[信息公開开依申請请財财務务a-cA-C<&>\"😀é\u{301} ，。]{0,80}",
            raw_needles in proptest::collection::vec("[信息公開开依申請请財務a-c😀&<]{1,4}", 0..4),
            width in 1usize..60,
        ) {
            let needles: Vec<String> = raw_needles.iter().map(|n| fold(n)).collect();
            let html = snippet(&text, &needles, width);
            let shown = visible(&html);
            let core = shown.trim_start_matches('…').trim_end_matches('…');
            prop_assert!(text.contains(core), "{core:?} not in {text:?}");
            prop_assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count());
            for m in marked(&html) {
                prop_assert!(!m.is_empty());
                let folded = fold(&m);
                prop_assert!(
                    needles.iter().any(|n| folded.contains(n.as_str()) || n.contains(folded.as_str())),
                    "mark {m:?} matches no needle {needles:?}"
                );
            }
            let full = highlight_all(&text, &needles);
            prop_assert_eq!(visible(&full), text.clone());
        }

        /// The string search finds what comparing at every character index finds,
        /// overlapping occurrences included.
        #[test]
        fn ranges_are_every_occurrence(
            text in "[信息公開开aé😀 ]{0,60}",
            raw_needles in proptest::collection::vec("[信息公開开aé😀]{1,3}", 0..4),
        ) {
            let needles: Vec<String> = raw_needles.iter().map(|n| fold(n)).collect();
            let folded: Vec<char> = fold(&text).chars().collect();
            let mut naive = Vec::new();
            for needle in &needles {
                let needle: Vec<char> = needle.chars().collect();
                for start in 0..(folded.len() + 1).saturating_sub(needle.len()) {
                    if folded[start..start + needle.len()] == needle[..] {
                        naive.push((start, start + needle.len()));
                    }
                }
            }
            naive.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for (s, e) in naive {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            prop_assert_eq!(match_ranges(&text, &needles), merged);
        }
    }
}
