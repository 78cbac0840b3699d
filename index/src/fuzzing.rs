//! Property checks of this crate's parsers that take outside input — the query parser and
//! the highlighter — shared by the `cargo fuzz` targets (`fuzz/`) and the proptest smokes
//! of the test suite, so that both hold the same properties. Each runs the parser on
//! arbitrary input and panics if the parser panics or breaks a property.

use std::sync::LazyLock;

use crate::fold::fold;
use crate::highlight::{highlight_all, snippet, snippet_preferring};
use crate::query::UserQuery;
use crate::{Engine, Error, SearchRequest};

/// An empty index to run parsed queries against (building the Tantivy query is part of
/// parsing what the user typed).
static ENGINE: LazyLock<Option<Engine>> = LazyLock::new(|| Engine::create_in_ram().ok());

/// The query parser: a query or a user error with a message, never a panic; a parsed
/// query yields folded, non-empty needles and runs against an index.
pub fn check_query(input: &str) {
    match UserQuery::parse(input) {
        Ok(query) => {
            assert_eq!(query.is_empty(), input.trim().is_empty(), "{input:?}");
            for needle in query.highlight_needles() {
                assert!(!needle.is_empty(), "an empty needle from {input:?}");
                assert_eq!(fold(&needle), needle, "an unfolded needle from {input:?}");
            }
            let _ = query.preferred_needles();
            if let Some(engine) = ENGINE.as_ref() {
                match engine.search(&SearchRequest::new(input)) {
                    Ok(results) => assert_eq!(results.total, 0, "an empty index"),
                    Err(Error::BadQuery(m) | Error::BadRequest(m)) => {
                        assert!(!m.trim().is_empty(), "an error without a message")
                    }
                    Err(other) => panic!("{input:?} failed as a search: {other}"),
                }
            }
        }
        Err(Error::BadQuery(message)) => {
            assert!(!message.trim().is_empty(), "an error without a message")
        }
        Err(other) => panic!("{input:?} is not a user error: {other}"),
    }
}

/// The highlighter over `text` with the needles of `query` and `needles` (folded, as the
/// highlighter expects): every output is escaped HTML whose only tags are unnested
/// `<mark>` pairs, and `highlight_all` gives back exactly `text` once unmarked and
/// unescaped.
pub fn check_highlight(text: &str, query: &str, needles: &[String]) {
    let mut all: Vec<String> = needles
        .iter()
        .map(|n| fold(n))
        .filter(|n| !n.is_empty())
        .collect();
    if let Ok(q) = UserQuery::parse(query) {
        all.extend(q.highlight_needles());
    }
    let whole = highlight_all(text, &all);
    check_marked_html(&whole);
    assert_eq!(
        crate::highlight::html_text(&whole, "", ""),
        text,
        "highlight_all changed the text"
    );
    for max_chars in [1, 40, crate::highlight::SNIPPET_CHARS] {
        check_marked_html(&snippet(text, &all, max_chars));
        check_marked_html(&snippet_preferring(
            text,
            &all[..all.len().min(1)],
            &all,
            max_chars,
        ));
    }
}

/// Escaped text with `<mark>` … `</mark>` around matches, never nested, and no other
/// markup: no `<`, `>` or quote outside the marks, every `&` an entity of
/// [`crate::highlight::escape_html`].
pub fn check_marked_html(html: &str) {
    let mut open = false;
    let mut rest = html;
    while let Some(i) = rest.find(['<', '>', '&', '"', '\'']) {
        let tail = &rest[i..];
        let step = if let Some(after) = tail.strip_prefix("<mark>") {
            assert!(!open, "nested <mark> in {html:?}");
            open = true;
            tail.len() - after.len()
        } else if let Some(after) = tail.strip_prefix("</mark>") {
            assert!(open, "</mark> without <mark> in {html:?}");
            open = false;
            tail.len() - after.len()
        } else if tail.starts_with('&') {
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .into_iter()
                .find(|e| tail.starts_with(e));
            entity.map_or_else(|| panic!("a bare & in {html:?}"), str::len)
        } else {
            panic!("unescaped {:?} in {html:?}", &tail[..1]);
        };
        rest = &tail[step..];
    }
    assert!(!open, "an unclosed <mark> in {html:?}");
}

#[cfg(test)]
mod smoke {
    //! The fuzz targets' properties over a bounded number of generated inputs.

    use proptest::prelude::*;

    use super::*;

    /// Text a query or a report may hold: CJK (simplified and traditional), ASCII
    /// punctuation and the query operators, quotes (balanced or not), control characters,
    /// full-width forms and the odd astral character.
    fn messy() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(vec![
                    "信息", "公开", "收费", "標準", "依申請", "的", "和", " ", "　", "\"", "“",
                    "”", "-", "OR", "or", "NOT", "|", "(", ")", "*", "&", "<", ">", "'",
                    "<mark>", "&amp;", "\u{0}", "\u{1b}", "\t", "\n", "\u{feff}", "𠀀", "Ａ",
                    "İ", "ß", "\u{301}", "2019-2020", "…",
                ])
                .prop_map(str::to_string),
                1 => any::<char>().prop_map(|c| c.to_string()),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn query_parser_never_panics_and_explains_errors(input in messy()) {
            check_query(&input);
        }

        #[test]
        fn query_parser_takes_any_string(input in any::<String>()) {
            check_query(&input);
        }

        #[test]
        fn highlighter_output_is_escaped_with_balanced_marks(
            text in messy(),
            query in messy(),
            needles in prop::collection::vec(messy(), 0..4),
        ) {
            check_highlight(&text, &query, &needles);
        }
    }

    #[test]
    fn huge_repetition_and_deep_nesting() {
        check_query(&"(".repeat(10_000));
        check_query(&"\"".repeat(255));
        check_query(&"信息 OR ".repeat(40));
        check_query(&"-收费 ".repeat(30));
        check_query(&"a".repeat(300));
        let text = "信息公开&<>".repeat(2_000);
        check_highlight(&text, "信息 公开", &["&".into(), "<>".into()]);
        check_highlight(&"息".repeat(5_000), "息息", &[]);
    }

    #[test]
    fn the_checks_can_fail() {
        for bad in [
            "<b>x</b>",
            "<mark><mark>x</mark></mark>",
            "a & b",
            "<mark>x",
        ] {
            assert!(
                std::panic::catch_unwind(|| check_marked_html(bad)).is_err(),
                "{bad}"
            );
        }
        check_marked_html("a &amp; <mark>b</mark> &lt;c&gt;");
    }
}
