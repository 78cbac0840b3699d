//! Documents a page shows without linking them: a report published as a PDF in a player
//! or viewer rather than behind an `<a href>`. Real sites do it in several ways, all read
//! here and nowhere else:
//! - Sudy WebPlus's PDF player: `<div class="wp_pdf_player" pdfsrc="/_upload/….pdf"
//!   sudyfile-attr="{'title':'….pdf'}">`;
//! - pdf.js and the CMSs' own viewers in an `<iframe>`: `viewer.html?file=/….pdf`;
//! - `<iframe src="….pdf">`, `<embed src="….pdf">`, `<object data="….pdf">`;
//! - a file path in a quoted string of a click handler (`onclick="window.open('….pdf')"`,
//!   `href="javascript:openFile('….doc')"`) or of a script in the article's body (VSB's
//!   `showVsbpdfIframe("/__local/….pdf", …)`).
//!
//! What counts as a document is [`attachment_ext`]'s one rule.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Selector};
use url::Url;

use crate::discover::{attachment_ext, resolve};

/// A document a page shows: its URL, a label (the player's title, else empty) and type.
pub type Embedded = (Url, String, &'static str);

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

static PLAYERS: LazyLock<Selector> =
    LazyLock::new(|| sel("[pdfsrc], iframe[src], embed[src], object[data]"));
static HANDLERS: LazyLock<Selector> =
    LazyLock::new(|| sel("[onclick], a[href^='javascript:'], a[href^='JavaScript:']"));
static SCRIPTS: LazyLock<Selector> = LazyLock::new(|| sel("script"));
/// The title in WebPlus's `sudyfile-attr="{'title':'….pdf'}"`.
static SUDY_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]title['"]\s*:\s*['"]([^'"]*)['"]"#).expect("static regex is valid")
});

/// The document a viewer URL shows (`…/viewer.html?file=%2Fa%2Fb.pdf`: its `file`, `url`
/// or `src` parameter, resolved against the viewer), when that is a document.
pub fn viewed_document(url: &Url) -> Option<Url> {
    url.query_pairs()
        .filter(|(k, _)| matches!(k.as_ref(), "file" | "url" | "src"))
        .filter_map(|(_, v)| resolve(url, &v))
        .find(|u| attachment_ext(u, "").is_some())
}

/// The document behind a player's, frame's or embed's address: the address itself when
/// it is one, or the document a viewer at it shows.
fn document_at(base: &Url, raw: &str) -> Option<(Url, &'static str)> {
    let url = resolve(base, raw)?;
    let url = match attachment_ext(&url, "") {
        Some(_) => url,
        None => viewed_document(&url)?,
    };
    let ext = attachment_ext(&url, "")?;
    Some((url, ext))
}

/// Documents in quoted strings of `code` (a handler or a script).
fn quoted_documents(code: &str, base: &Url, out: &mut Vec<Embedded>) {
    for url in crate::discover::quoted_documents(code, base) {
        if let Some(ext) = attachment_ext(&url, "") {
            push(out, url, String::new(), ext);
        }
    }
}

fn push(out: &mut Vec<Embedded>, url: Url, label: String, ext: &'static str) {
    if !out.iter().any(|(u, _, _)| *u == url) {
        out.push((url, label, ext));
    }
}

/// The documents `scope` shows without an `<a href>` to them, in page order: players,
/// viewers, frames, embeds and objects, and click handlers; with `scripts`, also the
/// quoted paths of the scripts inside it (only an article's body: a page's other scripts
/// name stylesheets' and widgets' files too).
pub fn embedded_documents(scope: ElementRef<'_>, base: &Url, scripts: bool) -> Vec<Embedded> {
    let mut out = Vec::new();
    for e in scope.select(&PLAYERS) {
        let v = e.value();
        let Some(raw) = v
            .attr("pdfsrc")
            .or_else(|| v.attr("src"))
            .or_else(|| v.attr("data"))
        else {
            continue;
        };
        let Some((url, ext)) = document_at(base, raw) else {
            continue;
        };
        let label = v
            .attr("sudyfile-attr")
            .and_then(|a| SUDY_TITLE.captures(a).map(|c| c[1].to_string()))
            .or_else(|| v.attr("title").map(str::to_string))
            .unwrap_or_default();
        push(&mut out, url, label.trim().to_string(), ext);
    }
    for e in scope.select(&HANDLERS) {
        let v = e.value();
        for code in [v.attr("onclick"), v.attr("href")].into_iter().flatten() {
            quoted_documents(code, base, &mut out);
        }
    }
    if scripts {
        for s in scope.select(&SCRIPTS) {
            let code: String = s.text().collect();
            quoted_documents(&code, base, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use scraper::Html;

    use super::*;

    fn found(html: &str, scripts: bool) -> Vec<(String, String, &'static str)> {
        let doc = Html::parse_document(html);
        let base = Url::parse("http://www.ql.edu.cn/2021/1028/c9433a1/page.htm").expect("url");
        embedded_documents(doc.root_element(), &base, scripts)
            .into_iter()
            .map(|(u, l, e)| (u.to_string(), l, e))
            .collect()
    }

    #[test]
    fn players_viewers_frames_embeds_and_objects() {
        let html = r#"<div class="wp_articlecontent">
            <div class="wp_pdf_player" pdfsrc="/_upload/article/files/ab/cd/2021.pdf"
                 sudyfile-attr="{'title':'2020-2021学年信息公开年度报告.pdf'}"></div>
            <iframe src="/system/resource/pdfjs/web/viewer.html?file=%2F__local%2F1%2FAB.pdf"></iframe>
            <iframe src="https://www.ql.edu.cn/pdfjs/web/viewer.html?file=/uploads/r.pdf&page=1"></iframe>
            <iframe src="files/direct.pdf"></iframe>
            <embed src="/e/embedded.pdf" type="application/pdf">
            <object data="/o/object.docx"></object>
            <iframe src="https://v.qq.com/txp/iframe/player.html?vid=x"></iframe>
            <iframe src="/viewer.html?file=/notes.txt"></iframe>
        </div>"#;
        let got = found(html, false);
        let urls: Vec<&str> = got.iter().map(|(u, _, _)| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://www.ql.edu.cn/_upload/article/files/ab/cd/2021.pdf",
                "http://www.ql.edu.cn/__local/1/AB.pdf",
                "https://www.ql.edu.cn/uploads/r.pdf",
                "http://www.ql.edu.cn/2021/1028/c9433a1/files/direct.pdf",
                "http://www.ql.edu.cn/e/embedded.pdf",
                "http://www.ql.edu.cn/o/object.docx",
            ],
            "{got:?}"
        );
        assert_eq!(got[0].1, "2020-2021学年信息公开年度报告.pdf");
        assert_eq!(got[5].2, "docx");
    }

    #[test]
    fn handlers_and_the_bodys_scripts() {
        let html = r#"<div>
            <a href="javascript:void(0)" onclick="window.open('/files/2021report.pdf')">查看报告</a>
            <a href="javascript:openFile('../att/2020.doc');">2020年报告</a>
            <span onclick="go('/list.htm')">列表</span>
            <script>showVsbpdfIframe("/__local/9/F3/report.pdf", "100%", "800", "0");
                var css = "/style/site.css";</script>
        </div>"#;
        let with_scripts: Vec<String> = found(html, true).into_iter().map(|f| f.0).collect();
        assert_eq!(
            with_scripts,
            [
                "http://www.ql.edu.cn/files/2021report.pdf",
                "http://www.ql.edu.cn/2021/1028/att/2020.doc",
                "http://www.ql.edu.cn/__local/9/F3/report.pdf",
            ]
        );
        let without: Vec<String> = found(html, false).into_iter().map(|f| f.0).collect();
        assert_eq!(
            without.len(),
            2,
            "scripts read only where asked: {without:?}"
        );
    }

    #[test]
    fn a_viewer_url_names_its_document() {
        let viewer =
            Url::parse("http://a.edu.cn/pdfjs/web/viewer.html?file=%2Fx%2Fy.pdf").expect("url");
        assert_eq!(
            viewed_document(&viewer).map(|u| u.to_string()).as_deref(),
            Some("http://a.edu.cn/x/y.pdf")
        );
        let page = Url::parse("http://a.edu.cn/info/1.htm?file=none").expect("url");
        assert_eq!(viewed_document(&page), None);
    }
}
