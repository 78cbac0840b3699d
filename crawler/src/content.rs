//! The main content of a real article page: by CMS fingerprint first (博达 VSB, Sudy
//! WebPlus, TRS, 大汉 Hanweb), then a readability-style fallback that picks the block with the most
//! paragraph text and the fewest links. Pure functions; selectors compiled once.

use std::collections::HashMap;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::dates::parse_date;
use crate::discover::{attachment_ext, resolve};
use crate::html::{element_text, page_title};
use crate::titles::{is_report_title, names_report};

/// Which CMS the page came from, as far as we can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cms {
    Vsb,
    WebPlus,
    Trs,
    Hanweb,
    Unknown,
}

impl Cms {
    pub fn as_str(self) -> &'static str {
        match self {
            Cms::Vsb => "VSB",
            Cms::WebPlus => "WebPlus",
            Cms::Trs => "TRS",
            Cms::Hanweb => "Hanweb",
            Cms::Unknown => "unknown",
        }
    }
}

/// The article on a page.
#[derive(Debug, Clone)]
pub struct Article {
    pub cms: Cms,
    /// The CMS whose content element held the body (`None`: found by text density).
    pub cms_body: Option<&'static str>,
    /// From a CMS title meta or element, else `<title>` without the site-name tail.
    pub title: Option<String>,
    /// `YYYY-MM-DD` from a CMS date meta or element.
    pub published: Option<String>,
    /// The main content as text, one line per block.
    pub text: String,
    /// Attachment links (URL, link text, type), in page order.
    pub attachments: Vec<(Url, String, &'static str)>,
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

static VSB_CONTENT: LazyLock<Selector> =
    LazyLock::new(|| sel("[id^=vsb_content], .v_news_content, #vsb_newscontent"));
static VSB_FORM: LazyLock<Selector> = LazyLock::new(|| sel("form[name=_newscontent_fromname]"));
static WEBPLUS_CONTENT: LazyLock<Selector> =
    LazyLock::new(|| sel(".wp_articlecontent, .Article_Content, .wp_articlecontent_content"));
static TRS_CONTENT: LazyLock<Selector> = LazyLock::new(|| sel(".TRS_Editor, .trs_editor_view"));
static HANWEB_CONTENT: LazyLock<Selector> = LazyLock::new(|| sel("#zoom, .bt_content #zoom"));
static META_PUBDATE: LazyLock<Selector> =
    LazyLock::new(|| sel("meta[name=PubDate], meta[name=pubdate], meta[name=publishdate]"));
static CMS_TITLE: LazyLock<Selector> = LazyLock::new(|| {
    sel(".arti_title, .Article_Title, .arti-title, .titlestyle, .news_title, .article-title, h1")
});
static CMS_DATE: LazyLock<Selector> = LazyLock::new(|| {
    sel(".arti_update, .Article_PublishDate, .arti-update, .timestyle, .news_date, .article-date")
});
static A: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| sel("body"));

/// Extracts the article from a parsed page fetched from `url`.
pub fn extract_article(doc: &Html, url: &Url) -> Article {
    let (cms, main, by_cms) = main_content(doc);
    let text = main.map(element_text).unwrap_or_default();
    let title = cms_title(doc);
    let published = doc
        .select(&META_PUBDATE)
        .find_map(|m| m.value().attr("content"))
        .and_then(parse_date)
        .or_else(|| {
            doc.select(&CMS_DATE)
                .find_map(|e| parse_date(&e.text().collect::<String>()))
        });
    // Attachments: inside the content first, then anywhere on the page (VSB lists them
    // in a block after the content).
    let mut attachments: Vec<(Url, String, &'static str)> = Vec::new();
    let scopes: Vec<ElementRef<'_>> = main.into_iter().chain(doc.select(&BODY)).collect();
    for &scope in &scopes {
        for a in scope.select(&A) {
            let Some(href) = a.value().attr("href") else {
                continue;
            };
            let Some(link) = resolve(url, href) else {
                continue;
            };
            let text: String = a.text().collect::<String>().trim().to_string();
            if let Some(ext) = attachment_ext(&link, &text) {
                if !attachments.iter().any(|(u, _, _)| *u == link) {
                    attachments.push((link, text, ext));
                }
            }
        }
    }
    // Documents shown without a link (a PDF player or viewer, an embed, a click handler;
    // in the body, a script's quoted path): the report is often published so.
    let in_body = main.map(|m| m.id());
    for &scope in &scopes {
        let scripts = Some(scope.id()) == in_body;
        for (link, label, ext) in crate::embedded::embedded_documents(scope, url, scripts) {
            if !attachments.iter().any(|(u, _, _)| *u == link) {
                attachments.push((link, label, ext));
            }
        }
    }
    Article {
        cms,
        cms_body: by_cms.then(|| cms.as_str()),
        title,
        published,
        text,
        attachments,
    }
}

/// The main content element and the CMS it betrays.
fn main_content(doc: &Html) -> (Cms, Option<ElementRef<'_>>, bool) {
    for (cms, selector) in [
        (Cms::Vsb, &VSB_CONTENT),
        (Cms::WebPlus, &WEBPLUS_CONTENT),
        (Cms::Trs, &TRS_CONTENT),
        (Cms::Hanweb, &HANWEB_CONTENT),
    ] {
        if let Some(el) = doc.select(selector).next() {
            return (cms, Some(el), true);
        }
    }
    let cms = if doc.select(&VSB_FORM).next().is_some() {
        Cms::Vsb
    } else {
        Cms::Unknown
    };
    (cms, readability(doc), false)
}

/// The page's own title: CMS meta, then a CMS title element, then `<title>` cut before
/// the site name (`…年度报告-北岭大学信息公开网`). A title element inside a link or a
/// list item, or holding links, is a list entry (WebPlus's `.news_title`), not the page's.
fn cms_title(doc: &Html) -> Option<String> {
    let element = doc
        .select(&CMS_TITLE)
        .filter(|e| !in_link_or_list(*e))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|t| t.chars().count() >= 4);
    let meta_or_title = page_title(doc).map(|t| strip_site_name(&t));
    // An ArticleTitle meta wins (page_title prefers it); otherwise an element title that
    // looks like a report beats a generic <title>.
    match (meta_or_title, element) {
        (Some(t), Some(e)) if !names_report(&t) && names_report(&e) => Some(e),
        (Some(t), _) => Some(t),
        (None, e) => e,
    }
}

fn strip_site_name(title: &str) -> String {
    // Cut site names off the end while what is left still names a report with its year
    // (`江屿学院2018-2019学年信息公开年度报告 - 年度报告（旧版） - 江屿学院`); ` - ` before
    // `-`, which also joins the years.
    let mut best = title.trim().to_string();
    for sep in [" - ", "_", "|", "－", "——", "-"] {
        while let Some((head, tail)) = best.rsplit_once(sep) {
            let head = head.trim();
            // A site name has no digits; `(2016-2017)` is part of the title.
            if head.chars().count() >= 6
                && is_report_title(head)
                && !tail.chars().any(|c| c.is_ascii_digit())
            {
                best = head.to_string();
            } else {
                break;
            }
        }
    }
    if is_report_title(&best) {
        return best;
    }
    // No year anywhere: the old rule, the head before the last separator naming a report.
    for sep in [" - ", "-", "_", "|", "－", "——"] {
        if let Some((head, _)) = title.rsplit_once(sep) {
            let head = head.trim();
            if head.chars().count() >= 6 && names_report(head) {
                return head.to_string();
            }
        }
    }
    title.to_string()
}

fn in_link_or_list(el: ElementRef<'_>) -> bool {
    el.select(&A).next().is_some()
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| matches!(a.value().name(), "a" | "li"))
}

static CANDIDATES: LazyLock<Selector> = LazyLock::new(|| sel("p, td, pre, div, section, article"));

/// Readability-style choice of the main block: every paragraph-like element gives its
/// text length (minus its link text) to its parent and half to its grandparent; the
/// best-scoring block, discounted by its link density, is the content.
fn readability(doc: &Html) -> Option<ElementRef<'_>> {
    let mut scores: HashMap<usize, (f64, ElementRef<'_>)> = HashMap::new();
    for el in doc.select(&CANDIDATES) {
        // Only leaf-ish paragraphs count: an element whose own text is substantial.
        let own: usize = el
            .children()
            .filter_map(|c| c.value().as_text())
            .map(|t| t.trim().chars().count())
            .sum();
        if own < 20 {
            continue;
        }
        let score = 1.0 + own as f64 / 50.0 + own.min(1000) as f64 / 100.0;
        let mut parent = el.parent().and_then(ElementRef::wrap);
        for share in [1.0, 0.5] {
            let Some(p) = parent else { break };
            let entry = scores.entry(node_key(p)).or_insert((0.0, p));
            entry.0 += score * share;
            parent = p.parent().and_then(ElementRef::wrap);
        }
        // A paragraph also stands for itself (plain pages with one big <td> or <pre>).
        let entry = scores.entry(node_key(el)).or_insert((0.0, el));
        entry.0 += score * 0.25;
    }
    scores
        .into_values()
        .map(|(s, el)| (s * (1.0 - link_density(el)), el))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, el)| el)
}

fn link_density(el: ElementRef<'_>) -> f64 {
    let all: usize = el.text().map(|t| t.chars().count()).sum();
    if all == 0 {
        return 1.0;
    }
    let links: usize = el
        .select(&A)
        .flat_map(|a| a.text())
        .map(|t| t.chars().count())
        .sum();
    links as f64 / all as f64
}

/// Element identity for the score table: the element's address in the parsed tree,
/// which does not move while the document lives.
fn node_key(el: ElementRef<'_>) -> usize {
    std::ptr::from_ref(el.value()) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(html: &str) -> Article {
        let url = Url::parse("http://xxgk.example.edu.cn/info/1044/1.htm").expect("url");
        extract_article(&Html::parse_document(html), &url)
    }

    #[test]
    fn vsb_content_metas_and_attachments() {
        let a = article(
            r#"<html><head><meta name="ArticleTitle" content="甲大学2021-2022学年信息公开年度报告">
            <meta name="PubDate" content="2022-10-20 09:30"><title>年度报告-甲大学</title></head>
            <body><div class="nav"><a href="/">首页</a> 新闻 新闻 新闻 新闻 新闻 新闻 新闻 新闻 新闻</div>
            <div id="vsb_content_2"><div class="v_news_content"><p>一、概述</p><p>正文。</p></div></div>
            <ul><li>附件【<a href="/system/_content/download.jsp?wbfileid=9">清单.xlsx</a>】</li></ul>
            <script>_showDynClicks("wbnews", 1, 2)</script></body></html>"#,
        );
        assert_eq!(a.cms, Cms::Vsb);
        assert_eq!(
            a.title.as_deref(),
            Some("甲大学2021-2022学年信息公开年度报告")
        );
        assert_eq!(a.published.as_deref(), Some("2022-10-20"));
        assert_eq!(a.text, "一、概述\n正文。");
        assert_eq!(a.attachments.len(), 1);
        assert_eq!(a.attachments[0].2, "xlsx");
    }

    #[test]
    fn webplus_and_trs_by_their_content_classes() {
        let wp = article(
            r#"<html><head><title>乙学院2020-2021学年信息公开年度报告</title></head><body>
            <h1 class="arti_title">乙学院2020-2021学年信息公开年度报告</h1>
            <span class="arti_update">发布时间：2021-10-28</span>
            <div class="wp_articlecontent"><p>二、主动公开</p></div></body></html>"#,
        );
        assert_eq!(wp.cms, Cms::WebPlus);
        assert_eq!(wp.published.as_deref(), Some("2021-10-28"));
        assert_eq!(wp.text, "二、主动公开");
        let trs = article(
            r#"<html><head><title>丙大学信息公开工作报告 - 丙大学</title></head><body>
            <div class="TRS_Editor"><p>三、依申请公开</p></div></body></html>"#,
        );
        assert_eq!(trs.cms, Cms::Trs);
        assert_eq!(trs.title.as_deref(), Some("丙大学信息公开工作报告"));
        assert_eq!(trs.text, "三、依申请公开");
    }

    #[test]
    fn readability_picks_the_text_block_over_navigation() {
        let para =
            "学校高度重视信息公开工作，健全工作机制，主动公开各类信息，依申请公开均按时答复。";
        let html = format!(
            r#"<html><body><table><tr><td class="menu"><a href="/1">学校概况</a><a href="/2">机构设置</a>
            <a href="/3">信息公开目录与指南及相关规章制度文件汇编</a></td>
            <td class="main"><p>{para}</p><p>{para}</p><p>{para}</p></td></tr></table>
            <div class="footer">版权所有 地址：某某市某某路一号 邮编：000000 电话：00000000</div></body></html>"#
        );
        let a = article(&html);
        assert_eq!(a.cms, Cms::Unknown);
        assert_eq!(a.text, [para, para, para].join("\n"));
    }
}
