//! Discovery: which links on a page lead to reports, to report lists, to the next page of
//! a list, or to attachments. Pure functions over parsed HTML.
//!
//! Reports are recognised by link text or title with [`crate::titles::is_report_title`] (the
//! one report-title rule); lists by the same words without a year (the column link
//! 年度报告) and the way in from a home page (信息公开, 网站地图); pagination by 下一页 / 下页 / 下頁 / 尾页 and page numbers, which
//! covers VSB's countdown (`ndbg.htm`, `ndbg/9.htm` … `ndbg/1.htm`) and WebPlus's count-up
//! (`list.htm`, `list2.htm`) alike. Article URLs are the identity of a report, not the
//! position in a list (which shifts when a new report is posted).

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;
use xxgk_model::fold::fold;

use crate::titles::{is_column_title, is_list_title, is_report_title};

use xxgk_archive::sources::host_key;

/// What a link seems to lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    Report,
    List,
    Next,
    Attachment,
    /// The page's own content elsewhere (a redirect, a frame): followed in the page's
    /// role at its depth ([`crate::navigate::hops`]).
    Hop,
}

/// A link worth following.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: Url,
    pub text: String,
    pub kind: LinkKind,
    /// The form body a page's script posts to `url` (Hanweb's `dataproxy.jsp` paging):
    /// fetched by POST with it. `None` for a plain link, fetched by GET.
    pub form: Option<String>,
}

impl Link {
    /// A link fetched by GET.
    pub fn get(url: Url, text: impl Into<String>, kind: LinkKind) -> Link {
        Link {
            url,
            text: text.into(),
            kind,
            form: None,
        }
    }
}

static A: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static BASE: LazyLock<Selector> = LazyLock::new(|| sel("base[href]"));

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

/// Attachment file types we extract text from.
pub const ATTACHMENT_EXTS: &[&str] = &["pdf", "doc", "docx", "wps", "xls", "xlsx"];

/// The page's links, classified; links to other hosts than `hosts` are dropped, and
/// each URL appears once (its strongest kind).
pub fn links(doc: &Html, page_url: &Url, hosts: &[String]) -> Vec<Link> {
    let base = doc
        .select(&BASE)
        .find_map(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone());
    let mut out: Vec<Link> = Vec::new();
    for a in doc.select(&A) {
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        // A link whose address is a script (`javascript:openFile('….pdf')`, or `#` with
        // `onclick="window.open('….pdf')"`) leads to the document its code names.
        let scripted = || {
            [a.value().attr("onclick"), Some(href)]
                .into_iter()
                .flatten()
                .find_map(|code| quoted_documents(code, &base).into_iter().next())
        };
        let Some(url) = resolve(&base, href).or_else(scripted) else {
            continue;
        };
        if !host_key(&url).is_some_and(|h| hosts.contains(&h)) || url == *page_url {
            continue;
        }
        let text: String = a
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let title = a.value().attr("title").unwrap_or_default();
        let label = if title.chars().count() > text.chars().count() {
            title.to_string()
        } else {
            text.clone()
        };
        let (kind, label) = match classify_link(&url, &label) {
            Some(kind) => (kind, label),
            // 更多 beside a column's heading: the heading names what it leads to.
            None if is_more(&label) => match box_heading(a) {
                Some(heading) => (LinkKind::List, heading),
                None => continue,
            },
            None => continue,
        };
        match out.iter_mut().find(|l| l.url == url) {
            Some(l) if kind < l.kind => {
                l.kind = kind;
                l.text = label;
            }
            Some(_) => {}
            None => out.push(Link::get(url, label, kind)),
        }
    }
    out
}

/// A quoted string that could be a path or URL.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["']([^"'<>\s]{5,400})["']"#).expect("static regex is valid"));

/// The documents (by [`attachment_ext`]) named in quoted strings of `code` — a click
/// handler, a `javascript:` address, a script — resolved against `base`.
pub fn quoted_documents(code: &str, base: &Url) -> Vec<Url> {
    QUOTED
        .captures_iter(code)
        .map(|c| c[1].to_string())
        .filter(|raw| raw.contains('.'))
        .filter_map(|raw| resolve(base, &raw))
        .filter(|u| attachment_ext(u, "").is_some())
        .collect()
}

/// A "more" link: 更多, 更多>>, 查看更多, more, MORE+.
pub fn is_more(text: &str) -> bool {
    let f = fold(text.trim()).to_lowercase();
    let f = f.trim_matches(|c: char| {
        matches!(
            c,
            '>' | '»' | '+' | '〉' | '》' | '.' | '…' | ' ' | '[' | ']' | '【' | '】'
        )
    });
    matches!(
        f,
        "更多" | "查看更多" | "更多内容" | "更多信息" | "more" | "更多more"
    )
}

/// The heading of the box a 更多 link sits in, when it names a report list: the first
/// text outside links of the nearest enclosing element that has such text (up to three
/// levels up), when it reads as a list title (信息公开年度报告, 年度报告).
fn box_heading(a: scraper::ElementRef<'_>) -> Option<String> {
    for ancestor in a.ancestors().take(3).filter_map(scraper::ElementRef::wrap) {
        // The nearest enclosing element with text of its own is the box: its heading
        // decides, and no box further out is read.
        let own: Vec<&str> = ancestor
            .descendants()
            .filter(|node| {
                !node
                    .ancestors()
                    .take_while(|n| n.id() != ancestor.id())
                    .any(|n| n.value().as_element().is_some_and(|e| e.name() == "a"))
            })
            .filter_map(|node| node.value().as_text().map(|t| t.trim()))
            .filter(|t| !t.is_empty())
            .collect();
        if !own.is_empty() {
            return own
                .into_iter()
                .find(|t| is_list_title(t))
                .map(str::to_string);
        }
    }
    None
}

/// `href` resolved against `base`: http(s) only, fragment dropped, no `javascript:`.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

/// What a link with this URL and text leads to, if anything we want.
pub fn classify_link(url: &Url, text: &str) -> Option<LinkKind> {
    if attachment_ext(url, text).is_some() {
        return Some(LinkKind::Attachment);
    }
    if is_report_title(text) {
        return Some(LinkKind::Report);
    }
    if is_list_title(text) || is_column_title(text) {
        return Some(LinkKind::List);
    }
    if is_pagination(text) {
        return Some(LinkKind::Next);
    }
    None
}

/// The attachment type, from the URL's path or the link text (VSB serves attachments
/// from `download.jsp?…` with the file name only in the text).
pub fn attachment_ext(url: &Url, text: &str) -> Option<&'static str> {
    let from = |s: &str| {
        let s = s
            .trim()
            .trim_end_matches(['】', ']', ')', '）'])
            .to_ascii_lowercase();
        let ext = s.rsplit_once('.')?.1.to_string();
        ATTACHMENT_EXTS.iter().copied().find(|e| *e == ext)
    };
    from(url.path()).or_else(|| from(text))
}

/// Next-page and page-number links of a list.
pub fn is_pagination(text: &str) -> bool {
    let f = fold(text.trim());
    matches!(
        f.as_str(),
        "下一页" | "下页" | "下一页>" | "下一页>>" | "尾页" | "末页" | ">" | ">>" | "next"
    ) || (!f.is_empty() && f.len() <= 4 && f.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn a_scripted_link_leads_to_the_document_its_code_names() {
        let html = Html::parse_document(
            r#"<ul><li><a href="javascript:void(0)" onclick="window.open('/f/2021.pdf')">青岚大学2020-2021学年信息公开年度报告</a></li>
            <li><a href="javascript:openFile('../att/2020.doc');">青岚大学2019-2020学年信息公开年度报告</a></li>
            <li><a href="javascript:void(0)" onclick="share()">分享</a></li></ul>"#,
        );
        let page = url("http://www.ql.edu.cn/9433/list.htm");
        let got: Vec<(String, LinkKind)> = links(&html, &page, &["www.ql.edu.cn".to_string()])
            .into_iter()
            .map(|l| (l.url.to_string(), l.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "http://www.ql.edu.cn/f/2021.pdf".to_string(),
                    LinkKind::Attachment
                ),
                (
                    "http://www.ql.edu.cn/att/2020.doc".to_string(),
                    LinkKind::Attachment
                ),
            ]
        );
    }

    #[test]
    fn next_page_links() {
        for next in ["下一页", "下页", "下頁", "下一頁", "尾页", "3"] {
            assert!(is_pagination(next), "{next}");
        }
        assert!(!is_pagination("上一篇"));
    }

    #[test]
    fn attachments_by_path_or_text() {
        let jsp = url("http://a.edu.cn/system/_content/download.jsp?wbfileid=12");
        assert_eq!(attachment_ext(&jsp, "附件：2021清单.xlsx"), Some("xlsx"));
        assert_eq!(
            attachment_ext(&url("http://a.edu.cn/f/r.PDF"), ""),
            Some("pdf")
        );
        assert_eq!(
            attachment_ext(&url("http://a.edu.cn/info/1.htm"), "正文"),
            None
        );
    }

    #[test]
    fn links_stay_on_the_school_hosts_and_resolve() {
        let html = Html::parse_document(
            r##"<a href="ndbg.htm">年度报告</a>
            <a href="../info/1044/1001.htm#top" title="2020-2021学年信息公开年度报告">2020-2021学年…</a>
            <a href="ndbg/9.htm" class="Next">下页</a>
            <a href="http://other.edu.cn/ndbg.htm">年度报告</a>
            <a href="javascript:void(0)">下一页</a>
            <a href="/f/list.xlsx">清单</a>
            <a href="ndbg.htm">信息公开年度报告</a>
            <a href="/about.htm">学校简介</a>"##,
        );
        let page = url("http://a.edu.cn:8080/xxgk/index.htm");
        let got = links(&html, &page, &["a.edu.cn:8080".into()]);
        let summary: Vec<(&str, LinkKind)> = got.iter().map(|l| (l.url.path(), l.kind)).collect();
        assert_eq!(
            summary,
            vec![
                ("/xxgk/ndbg.htm", LinkKind::List),
                ("/info/1044/1001.htm", LinkKind::Report),
                ("/xxgk/ndbg/9.htm", LinkKind::Next),
                ("/f/list.xlsx", LinkKind::Attachment),
            ]
        );
        assert_eq!(got[1].text, "2020-2021学年信息公开年度报告");
        assert_eq!(got[1].url.fragment(), None);
    }

    /// Issue 19: 更多 beside a box headed 信息公开年度报告 leads to the report list; 更多
    /// beside a news box leads nowhere we want.
    #[test]
    fn more_links_take_the_heading_of_their_box() {
        let html = r#"<div class="box"><div class="hd"><span>信息公开年度报告</span>
            <a href="/ndbg/list.htm">更多&gt;&gt;</a></div>
            <ul><li><a href="/info/1.htm">关于召开运动会的通知</a></li></ul></div>
            <div class="box"><div class="hd"><span>学校新闻</span><a href="/xw/list.htm">MORE+</a></div></div>"#;
        let doc = Html::parse_document(html);
        let page = url("http://www.yh.edu.cn/");
        let got = links(&doc, &page, &["www.yh.edu.cn".to_string()]);
        let kinds: Vec<(&str, LinkKind, &str)> = got
            .iter()
            .map(|l| (l.url.path(), l.kind, l.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [("/ndbg/list.htm", LinkKind::List, "信息公开年度报告")]
        );
        assert!(
            is_more("更多>>") && is_more("MORE+") && is_more("查看更多") && !is_more("更多大学")
        );
    }
}
