//! Text out of HTML: a page's title and its visible text, one line per block element.
//! Used by classification, article extraction, extraction and old Word files saved as HTML.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static META_TITLE: LazyLock<Selector> = LazyLock::new(|| selector("meta[name=ArticleTitle]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

/// The page title: a CMS `ArticleTitle` meta first, then `<title>`.
pub fn page_title(doc: &Html) -> Option<String> {
    let meta = doc
        .select(&META_TITLE)
        .find_map(|m| m.value().attr("content"))
        .map(str::to_string);
    let title = || {
        doc.select(&TITLE)
            .next()
            .map(|t| t.text().collect::<String>())
    };
    meta.or_else(title)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
}

/// Visible text of a page's body, one line per block element.
pub fn html_to_text(doc: &Html) -> String {
    match doc.select(&BODY).next() {
        Some(body) => element_text(body),
        None => element_text(doc.root_element()),
    }
}

/// Visible text under `el`: scripts, styles and forms dropped, block elements and `<br>`
/// as line breaks, runs of spaces collapsed.
pub fn element_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    walk(el, &mut out);
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A step of [`walk`]: a node to read, or the end of a block element.
enum Step<N> {
    Open(N),
    Close { block: bool },
}

/// Depth-first over `el`'s descendants with a stack of its own, not recursion: a page of
/// thousands of nested elements must not overflow the thread's stack (the fuzz smoke
/// found 5,000 nested `<div>`s doing so).
fn walk(el: ElementRef<'_>, out: &mut String) {
    let mut stack: Vec<Step<_>> = el.children().rev().map(Step::Open).collect();
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Open(node) => node,
            Step::Close { block } => {
                if block {
                    out.push('\n');
                }
                continue;
            }
        };
        match node.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if matches!(
                    name,
                    "script" | "style" | "noscript" | "template" | "head" | "select" | "button"
                ) {
                    continue;
                }
                let block = matches!(
                    name,
                    "p" | "div"
                        | "br"
                        | "li"
                        | "tr"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "section"
                        | "article"
                        | "table"
                        | "ul"
                        | "ol"
                        | "dd"
                        | "dt"
                        | "blockquote"
                        | "pre"
                );
                if block {
                    out.push('\n');
                }
                if name == "td" || name == "th" {
                    out.push(' ');
                }
                stack.push(Step::Close { block });
                stack.extend(node.children().rev().map(Step::Open));
            }
            _ => {}
        }
    }
}
