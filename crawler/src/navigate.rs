//! Where a page leads besides its plain `<a href>` links (those are [`crate::discover`]'s):
//! - what a CMS writes by script: TRS WCM's `createPageHTML(n, cur, "index", "html")`
//!   pager (read at its call, never at a definition of the same name) and 大汉 Hanweb's
//!   `<datastore>` records and `dataproxy.jsp` paging ([`script_links`]);
//! - hops to the page's own content elsewhere ([`hops`]): `<meta http-equiv="refresh">`,
//!   a script that sets `location` on a page with next to no text of its own, and the
//!   documents of a `<frameset>` or of `<iframe>`s on such a page — a home page that
//!   redirects or frames its content leads on to it, in the same role.
//!
//! What a link *is* stays the page model's decision ([`crate::page`]).

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

use crate::discover::{self, Link, LinkKind};

/// Pages written by script (TRS, Hanweb) read from one list: at most this many.
pub const SCRIPT_PAGES: usize = 50;
/// A page with fewer characters of its own than this may hand its content to a script
/// redirect or an iframe (a real article that mentions `location.href` in a share button
/// is not a redirect).
pub const HOP_TEXT: usize = 200;

/// Links a CMS writes by script: TRS `createPageHTML(n, cur, "index", "html")` pages,
/// Hanweb `<datastore>` records (also in `dataproxy.jsp` answers) and its paging.
pub fn script_links(text: &str, url: &Url, hosts: &[String]) -> Vec<Link> {
    let mut out = Vec::new();
    let on_host = |u: &Url| xxgk_archive::sources::host_key(u).is_some_and(|h| hosts.contains(&h));
    // TRS WCM: createPageHTML(countPage, currentPage, "index", "html").
    if let Some((count, prefix, ext)) = trs_pages(text) {
        for i in 1..count.min(SCRIPT_PAGES) {
            if let Ok(u) = url.join(&format!("{prefix}_{i}.{ext}")) {
                if on_host(&u) && u != *url {
                    out.push(Link::get(u, format!("第{}页", i + 1), LinkKind::Next));
                }
            }
        }
    }
    // Hanweb JCMS: records in CDATA, links inside them.
    let records = hanweb_records(text);
    if !records.is_empty() {
        let frag = Html::parse_fragment(&records.join("\n"));
        out.extend(discover::links(&frag, url, hosts));
        if let Some(proxy) = hanweb_paging(text, url, records.len()) {
            out.extend(proxy.into_iter().filter(|l| on_host(&l.url)));
        }
    }
    out
}

/// A pager call in a link or handler: `javascript:goPage(3)`, `onclick="turnPage('3')"`,
/// `toPage(3, 15)` — the function's name and the page number.
static PAGER_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z_$][\w$]*)\s*\(\s*['"]?(\d{1,4})['"]?\s*[,)]"#)
        .expect("static regex is valid")
});
/// `'list_' + n + '.htm'` in a pager function's body: the page's URL around its number.
static CONCAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]([^'"]*)['"]\s*\+\s*\(?\s*[A-Za-z_$][\w$]*\s*\)?\s*\+\s*['"]([^'"]*)['"]"#)
        .expect("static regex is valid")
});
/// A numbered page in a link the page shows: `list_2.htm`, `index_3.html`, `12_4.htm`,
/// `?page=5` — (before the number, the number, after it).
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?[_/=-]|.*?list|.*?page)(\d{1,4})(\.[A-Za-z]{3,5})?$")
        .expect("static regex is valid")
});
/// The first function a handler calls (`goPage(this.value)` → `goPage`).
static FN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z_$][\w$]*)\s*\(").expect("static regex is valid"));
static SCRIPTED: LazyLock<Selector> =
    LazyLock::new(|| sel("a[href^='javascript:'], a[href^='JavaScript:'], [onclick]"));
static JUMPER: LazyLock<Selector> = LazyLock::new(|| sel("select[onchange] option[value]"));

/// Pages of a list written by script rather than as links (issue 19): pager calls in
/// `javascript:` links and `onclick` handlers (`goPage(3)`), and `<select>` page jumpers
/// whose options are page numbers or addresses. A number becomes a URL by the pattern the
/// page itself shows: its pager function's own concatenation (`'list_' + n + '.htm'`),
/// else the numbered links it shows (`list_2.htm` beside a `goPage(3)`). Pages 2 up to the
/// highest number seen, at most [`SCRIPT_PAGES`].
pub fn pager_links(doc: &Html, text: &str, url: &Url, hosts: &[String]) -> Vec<Link> {
    let on_host = |u: &Url| xxgk_archive::sources::host_key(u).is_some_and(|h| hosts.contains(&h));
    let mut numbers: Vec<(String, usize)> = Vec::new();
    let mut direct: Vec<Url> = Vec::new();
    for el in doc.select(&SCRIPTED) {
        let v = el.value();
        for code in [v.attr("href"), v.attr("onclick")].into_iter().flatten() {
            for c in PAGER_CALL.captures_iter(code) {
                let name = c[1].to_string();
                if let Ok(n) = c[2].parse::<usize>() {
                    numbers.push((name, n));
                }
            }
        }
    }
    for opt in doc.select(&JUMPER) {
        let Some(value) = opt.value().attr("value").map(str::trim) else {
            continue;
        };
        if let Ok(n) = value.parse::<usize>() {
            let handler = opt
                .ancestors()
                .filter_map(scraper::ElementRef::wrap)
                .find_map(|e| e.value().attr("onchange"))
                .unwrap_or_default();
            let name = PAGER_CALL
                .captures(handler)
                .map(|c| c[1].to_string())
                .or_else(|| FN_NAME.captures(handler).map(|c| c[1].to_string()))
                .unwrap_or_default();
            numbers.push((name, n));
        } else if value.contains('.') || value.contains('/') || value.contains('?') {
            if let Some(u) = discover::resolve(url, value) {
                direct.push(u);
            }
        }
    }
    let mut out: Vec<Link> = direct
        .into_iter()
        .filter(|u| on_host(u) && u != url)
        .map(|u| Link::get(u, "翻页", LinkKind::Next))
        .collect();
    let mut names: Vec<&str> = numbers.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        // `alert(1)`, `window.open(…)`: not pagers. A pager has a template below.
        let highest = numbers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, p)| *p)
            .max()
            .unwrap_or(0);
        // The function's own URL, else — for a function named like a pager, or a
        // jumper that sets the location — the numbered links the page shows.
        let template = function_template(text, name).or_else(|| {
            is_pager_name(name)
                .then(|| shown_template(doc, url))
                .flatten()
        });
        let Some((before, after)) = template else {
            continue;
        };
        for n in 2..=highest.min(SCRIPT_PAGES) {
            let Some(u) = discover::resolve(url, &format!("{before}{n}{after}")) else {
                continue;
            };
            if on_host(&u) && u != *url && !out.iter().any(|l| l.url == u) {
                out.push(Link::get(u, format!("第{n}页"), LinkKind::Next));
            }
        }
    }
    out
}

/// `goPage`, `turnPage`, `jumpTo`, `toPage`, `page`, or no name (a `<select>` that
/// sets the location): a call whose number is a page, not an article's id.
fn is_pager_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.is_empty()
        || ["page", "go", "turn", "jump"]
            .iter()
            .any(|w| lower.contains(w))
}

/// The URL around the page number in the body of `function NAME(…) { … }` (or `NAME =
/// function(…)`), if it concatenates one.
fn function_template(text: &str, name: &str) -> Option<(String, String)> {
    let defs = [
        format!("function {name}("),
        format!("{name} = function("),
        format!("{name}=function("),
    ];
    let at = defs.iter().find_map(|d| text.find(d.as_str()))?;
    let body = &text[at..];
    let open = body.find('{')?;
    let close = body[open..].find('}').map(|c| open + c)?;
    let c = CONCAT.captures(&body[open..close])?;
    Some((c[1].to_string(), c[2].to_string()))
}

/// The numbered-page pattern of the links the page shows (`list_2.htm`, `?page=3`):
/// the most common one, when a pager call needs a URL and its function says none.
fn shown_template(doc: &Html, url: &Url) -> Option<(String, String)> {
    let mut counts: Vec<((String, String), usize)> = Vec::new();
    for a in doc.select(&A_HREF) {
        let Some(href) = a.value().attr("href").map(str::trim) else {
            continue;
        };
        if href.to_ascii_lowercase().starts_with("javascript:") || href.starts_with('#') {
            continue;
        }
        let Some(c) = NUMBERED.captures(href) else {
            continue;
        };
        // Only a sibling of the page itself: same folder.
        let same_folder = discover::resolve(url, href).is_some_and(|u| {
            u.path().rsplit_once('/').map(|(d, _)| d) == url.path().rsplit_once('/').map(|(d, _)| d)
        });
        if !same_folder {
            continue;
        }
        let key = (
            c[1].to_string(),
            c.get(3).map_or(String::new(), |m| m.as_str().to_string()),
        );
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(k, _)| k)
}

/// `createPageHTML(3, 0, "index", "html")` → (3, "index", "html"), read at the call. A
/// page that defines its own `function createPageHTML(_nPageCount, …)` (TRS templates
/// often do, before the call) has its definition skipped: only a call whose first argument
/// is a number counts.
fn trs_pages(text: &str) -> Option<(usize, String, String)> {
    const CALL: &str = "createPageHTML(";
    let mut rest = text;
    while let Some(at) = rest.find(CALL) {
        let before = rest[..at].trim_end();
        let args = &rest[at + CALL.len()..];
        rest = args;
        if before.ends_with("function") {
            continue;
        }
        let Some(close) = args.find(')') else {
            continue;
        };
        let parts: Vec<&str> = args[..close]
            .split(',')
            .map(|s| s.trim().trim_matches(['"', '\'']))
            .collect();
        let Some(count) = parts.first().and_then(|c| c.parse::<usize>().ok()) else {
            continue;
        };
        let prefix = parts.get(2).filter(|p| !p.is_empty()).unwrap_or(&"index");
        let ext = parts.get(3).filter(|p| !p.is_empty()).unwrap_or(&"html");
        return Some((count, prefix.to_string(), ext.to_string()));
    }
    None
}

/// The HTML inside each `<record><![CDATA[…]]></record>`.
fn hanweb_records(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<record>") {
        rest = &rest[at + "<record>".len()..];
        let Some(end) = rest.find("</record>") else {
            break;
        };
        let inner = rest[..end].trim();
        let inner = inner
            .strip_prefix("<![CDATA[")
            .and_then(|s| s.strip_suffix("]]>"))
            .unwrap_or(inner);
        out.push(inner);
        rest = &rest[end..];
    }
    out
}

/// A number after `key` (`totalRecord:57`, `<totalrecord>57</totalrecord>`, `perPage:'15'`).
fn number_after(text: &str, key: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&key.to_ascii_lowercase())?;
    let digits: String = text[at + key.len()..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let skipped = text[at + key.len()..]
        .chars()
        .take_while(|c| !c.is_ascii_digit())
        .count();
    (skipped <= 4).then(|| digits.parse().ok()).flatten()
}

/// Hanweb paging as its `jpage` script asks for it: a POST to the proxy (`proxyUrl:` of
/// the `jpage({…})` call, else the `<nextgroup>` link's path) with the records after those
/// on the page in the query (`startrecord`/`endrecord`/`perpage`, a group of
/// `perPage × 3` at a time, up to `totalRecord`) and the column's parameters — the
/// `<nextgroup>` link's query (`col`, `webid`, `columnid`, `unitid`…) — as the form body.
fn hanweb_paging(text: &str, url: &Url, on_page: usize) -> Option<Vec<Link>> {
    // Only column pages carry the paging; a dataproxy answer carries records only.
    let at = text.find("<nextgroup>")?;
    let rest = &text[at..];
    let href_at = rest.find("href=\"")? + "href=\"".len();
    let href = &rest[href_at..];
    let href = href[..href.find('"')?].replace("&amp;", "&");
    let next = url.join(&href).ok()?;
    let mut proxy = match quoted_after(text, "proxyUrl") {
        Some(p) => url.join(p).ok()?,
        None => next.clone(),
    };
    proxy.set_query(None);
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(next.query_pairs().filter(|(k, _)| k != "page"))
        .finish();
    let total = number_after(text, "totalRecord")?;
    let per_page = number_after(text, "perPage").unwrap_or(15).max(1);
    let group = per_page * 3;
    let mut out = Vec::new();
    let mut start = on_page + 1;
    while start <= total && out.len() < SCRIPT_PAGES {
        let end = (start + group - 1).min(total);
        let mut u = proxy.clone();
        u.query_pairs_mut()
            .append_pair("startrecord", &start.to_string())
            .append_pair("endrecord", &end.to_string())
            .append_pair("perpage", &per_page.to_string());
        out.push(Link {
            url: u,
            text: format!("记录{start}-{end}"),
            kind: LinkKind::Next,
            form: Some(form.clone()),
        });
        start = end + 1;
    }
    Some(out)
}

/// The quoted string after `key:` (`proxyUrl: '/module/web/jpage/dataproxy.jsp'`).
fn quoted_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(key)? + key.len();
    let rest = text[at..]
        .trim_start()
        .strip_prefix([':', '='])?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

/// How a hop was found, for the crawl log and `xxgk crawl --explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    MetaRefresh,
    ScriptRedirect,
    Frame,
    IFrame,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::MetaRefresh => "meta refresh",
            Via::ScriptRedirect => "script redirect",
            Via::Frame => "frame",
            Via::IFrame => "iframe",
        }
    }
}

static META: LazyLock<Selector> = LazyLock::new(|| sel("meta[http-equiv][content]"));
static FRAME: LazyLock<Selector> = LazyLock::new(|| sel("frame[src]"));
static IFRAME: LazyLock<Selector> = LazyLock::new(|| sel("iframe[src]"));
static SCRIPT: LazyLock<Selector> = LazyLock::new(|| sel("script"));
static BASE: LazyLock<Selector> = LazyLock::new(|| sel("base[href]"));
static A_HREF: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
/// `location.href = "…"`, `window.location = '…'`, `top.location.href="…"`,
/// `location.replace("…")`, `location.assign('…')`: a literal URL, nothing concatenated.
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:\b(?:window|self|top|parent|document)\.)?\blocation(?:\.href)?\s*=\s*["']([^"'+]+)["']\s*(?:;|$|\n|<)|\blocation\.(?:replace|assign)\(\s*["']([^"'+]+)["']\s*\)"#,
    )
    .expect("static regex is valid")
});

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

/// The URL of a refresh's `content` (`0; url=/xxgk/`, `0;URL='index.htm'`, `3;url=…`).
fn refresh_target(content: &str) -> Option<&str> {
    let lower = content.to_ascii_lowercase();
    let at = lower.find("url")?;
    let rest = content[at + 3..].trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let rest = rest.trim_matches(['"', '\'']).trim();
    (!rest.is_empty()).then_some(rest)
}

/// The hops of a page: where its own content is (see the module's notes). `own_chars`
/// is the page's own text, outside links; `hosts` the school's hosts.
pub fn hops(doc: &Html, page_url: &Url, own_chars: usize, hosts: &[String]) -> Vec<(Link, Via)> {
    let base = doc
        .select(&BASE)
        .find_map(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut found: Vec<(&str, Via)> = Vec::new();
    for m in doc.select(&META) {
        let refresh = m
            .value()
            .attr("http-equiv")
            .is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
        if let Some(target) = m
            .value()
            .attr("content")
            .filter(|_| refresh)
            .and_then(refresh_target)
        {
            found.push((target, Via::MetaRefresh));
        }
    }
    for f in doc.select(&FRAME) {
        found.extend(f.value().attr("src").map(|s| (s, Via::Frame)));
    }
    let little_text = own_chars < HOP_TEXT;
    let mut scripted = Vec::new();
    if little_text {
        // An iframe that shows a document (a PDF viewer) is the article's attachment
        // ([`crate::embedded`]), not its content elsewhere.
        for f in doc.select(&IFRAME) {
            let src = f.value().attr("src").filter(|s| {
                discover::resolve(&base, s).is_none_or(|u| {
                    discover::attachment_ext(&u, "").is_none()
                        && crate::embedded::viewed_document(&u).is_none()
                })
            });
            found.extend(src.map(|s| (s, Via::IFrame)));
        }
        for s in doc.select(&SCRIPT) {
            let code: String = s.text().collect();
            for c in LOCATION.captures_iter(&code) {
                if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                    scripted.push(m.as_str().trim().to_string());
                }
            }
        }
    }
    let mut out: Vec<(Link, Via)> = Vec::new();
    let targets = found
        .into_iter()
        .map(|(t, v)| (t.to_string(), v))
        .chain(scripted.into_iter().map(|t| (t, Via::ScriptRedirect)));
    for (target, via) in targets {
        let Some(url) = discover::resolve(&base, &target) else {
            continue;
        };
        let on_host = xxgk_archive::sources::host_key(&url).is_some_and(|h| hosts.contains(&h));
        if !on_host || url == *page_url || out.iter().any(|(l, _)| l.url == url) {
            continue;
        }
        out.push((Link::get(url, via.as_str(), LinkKind::Hop), via));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn pager_urls(html: &str, page: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        pager_links(&doc, html, &url(page), &["www.yh.edu.cn".to_string()])
            .into_iter()
            .map(|l| l.url.to_string())
            .collect()
    }

    /// Issue 19: pagers written by script. A `goPage(n)` pager whose function builds the
    /// URL; one whose function says nothing, read by the numbered links the page shows;
    /// a `<select>` jumper of numbers or of addresses; and calls that are not pagers.
    #[test]
    fn script_pagers_become_page_urls_by_the_patterns_the_page_shows() {
        let own_function = r#"<html><head><script>
            function goPage(p) { if (p < 1) return; window.location.href = "list_" + p + ".htm"; }
            </script></head><body><ul><li><a href="../info/1/2.htm">2021年报告</a></li></ul>
            <div class="pager"><a href="javascript:goPage(2)">2</a> <a href="javascript:goPage(3)">3</a>
            <a href="javascript:void(0)" onclick="goPage(4)">末页</a></div></body></html>"#;
        assert_eq!(
            pager_urls(own_function, "http://www.yh.edu.cn/xxgk/ndbg/list.htm"),
            [
                "http://www.yh.edu.cn/xxgk/ndbg/list_2.htm",
                "http://www.yh.edu.cn/xxgk/ndbg/list_3.htm",
                "http://www.yh.edu.cn/xxgk/ndbg/list_4.htm",
            ]
        );
        // The function lives in a shared .js file; the page shows page 2 as a link.
        let shown = r#"<html><body><div class="page">
            <a href="index_1.html">2</a> <a href="javascript:turnPage('3')">3</a>
            <a href="javascript:turnPage('5')">尾页</a></div></body></html>"#;
        assert_eq!(
            pager_urls(shown, "http://www.yh.edu.cn/xxgk/index.html"),
            [
                "http://www.yh.edu.cn/xxgk/index_2.html",
                "http://www.yh.edu.cn/xxgk/index_3.html",
                "http://www.yh.edu.cn/xxgk/index_4.html",
                "http://www.yh.edu.cn/xxgk/index_5.html",
            ]
        );
        let jumper = r#"<html><body><select onchange="window.location=this.value">
            <option value="list.htm">1</option><option value="list2.htm">2</option>
            <option value="list3.htm">3</option></select></body></html>"#;
        assert_eq!(
            pager_urls(jumper, "http://www.yh.edu.cn/ndbg/list.htm"),
            [
                "http://www.yh.edu.cn/ndbg/list2.htm",
                "http://www.yh.edu.cn/ndbg/list3.htm",
            ]
        );
        let numbered_jumper = r#"<html><head><script>
            function jumpTo(n) { location.href = '/ndbg/list' + n + '.htm'; }</script></head>
            <body><select onchange="jumpTo(this.value)"><option value="1">1</option>
            <option value="2">2</option><option value="3">3</option></select></body></html>"#;
        assert_eq!(
            pager_urls(numbered_jumper, "http://www.yh.edu.cn/ndbg/list.htm"),
            [
                "http://www.yh.edu.cn/ndbg/list2.htm",
                "http://www.yh.edu.cn/ndbg/list3.htm",
            ]
        );
        // An article id in a handler is not a page number; another host is not followed.
        let not_pagers = r##"<html><body><a href="list_2.htm">2</a>
            <a href="#" onclick="showDetail(1234)">详情</a>
            <a href="javascript:alert(1)">x</a></body></html>"##;
        assert!(pager_urls(not_pagers, "http://www.yh.edu.cn/ndbg/list.htm").is_empty());
        let elsewhere = r#"<html><head><script>function goPage(p){location.href="http://other.cn/l_"+p+".htm";}</script></head>
            <body><a href="javascript:goPage(2)">2</a></body></html>"#;
        assert!(pager_urls(elsewhere, "http://www.yh.edu.cn/ndbg/list.htm").is_empty());
    }

    fn hop_urls(html: &str, own_chars: usize) -> Vec<(String, Via)> {
        let doc = Html::parse_document(html);
        hops(
            &doc,
            &url("http://www.yh.edu.cn/"),
            own_chars,
            &["www.yh.edu.cn".to_string()],
        )
        .into_iter()
        .map(|(l, v)| (l.url.to_string(), v))
        .collect()
    }

    #[test]
    fn meta_refresh_in_the_ways_sites_write_it() {
        for (content, want) in [
            ("0; url=/xxgk/", "http://www.yh.edu.cn/xxgk/"),
            (
                "0;URL='portal/index.htm'",
                "http://www.yh.edu.cn/portal/index.htm",
            ),
            (
                "3; URL=\"http://www.yh.edu.cn/main.htm\"",
                "http://www.yh.edu.cn/main.htm",
            ),
        ] {
            let html = format!(
                r#"<html><head><meta http-equiv="Refresh" content="{}"></head><body></body></html>"#,
                content.replace('"', "&quot;")
            );
            assert_eq!(
                hop_urls(&html, 0),
                [(want.to_string(), Via::MetaRefresh)],
                "{content}"
            );
        }
        // A page that only reloads itself, and one that leaves the school: no hop.
        let reload = r#"<meta http-equiv="refresh" content="300">"#;
        assert!(hop_urls(reload, 0).is_empty());
        let away = r#"<meta http-equiv="refresh" content="0;url=http://elsewhere.example/">"#;
        assert!(hop_urls(away, 0).is_empty());
    }

    #[test]
    fn frames_always_iframes_and_scripts_only_on_a_page_with_little_text() {
        let frameset = r#"<html><frameset rows="80,*"><frame src="top.htm"><frame src="/xxgk/main.htm" name="main"></frameset></html>"#;
        let got = hop_urls(frameset, 5000);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, v)| *v == Via::Frame));
        let iframe = r#"<body><iframe src="/xxgk/index.htm" width="100%"></iframe></body>"#;
        assert_eq!(
            hop_urls(iframe, 10),
            [(
                "http://www.yh.edu.cn/xxgk/index.htm".to_string(),
                Via::IFrame
            )]
        );
        assert!(
            hop_urls(iframe, 2000).is_empty(),
            "an article's embedded video"
        );
        for script in [
            r#"<script>window.location.href="/xxgk/";</script>"#,
            r#"<script type="text/javascript">location.replace('/xxgk/')</script>"#,
            r#"<script>top.location = "/xxgk/"</script>"#,
        ] {
            assert_eq!(
                hop_urls(script, 0),
                [(
                    "http://www.yh.edu.cn/xxgk/".to_string(),
                    Via::ScriptRedirect
                )],
                "{script}"
            );
        }
        // A search box's script builds its URL: nothing literal to follow.
        let search =
            r#"<script>function go(){ window.location.href = "/search.jsp?q=" + q; }</script>"#;
        assert!(hop_urls(search, 0).is_empty());
    }

    /// A TRS template that defines its own pager function before calling it: the
    /// definition is not a call (it used to hide the pager: no page 2 was read).
    #[test]
    fn trs_pager_read_at_its_call_not_its_definition() {
        let text = r#"<script>
            function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
                if(_nPageCount == null || _nPageCount<=1){ return; }
                document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>");
            }
            createPageHTML(3, 0, "index", "html");
        </script>"#;
        assert_eq!(trs_pages(text), Some((3, "index".into(), "html".into())));
        let links = script_links(
            text,
            &url("http://www.yh.edu.cn/xxgk/ndbg/index.html"),
            &["www.yh.edu.cn".to_string()],
        );
        let urls: Vec<String> = links.iter().map(|l| l.url.to_string()).collect();
        assert_eq!(
            urls,
            [
                "http://www.yh.edu.cn/xxgk/ndbg/index_1.html",
                "http://www.yh.edu.cn/xxgk/ndbg/index_2.html"
            ]
        );
        assert_eq!(trs_pages("function createPageHTML(a, b, c, d) {}"), None);
    }
}
