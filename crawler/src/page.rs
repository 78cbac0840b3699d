//! The page model, decided once: every fetched page is classified here, by its structure
//! and its own title, as a start page, a list, an article, a notice with attachments, an
//! attachment, or something else — with the reasons kept for the crawl log and
//! `xxgk crawl --explain`.
//!
//! The rules, in order:
//! - a start page is never a report, however its links are titled (a WebPlus home page
//!   whose first news item is 某大学信息公开年报(2016-2017) is a home page);
//! - a page with many links and little text of its own is a list;
//! - an article is a report when its *own* title (the CMS's title element or
//!   `ArticleTitle` meta, or `<title>` minus the site name, or failing those the first line
//!   of its body) names an annual disclosure report ([`crate::titles::is_report_title`]);
//! - an article whose own title names no year is a report when its body reads like one
//!   (issue 19: [`xxgk_model::body::reads_like_report`], two of: the template's headings, a
//!   statistics period, 信息公开 + 年度报告 near the top); its year then comes from the body;
//! - a short article with that title and attachments is a notice: its attachments are the
//!   report (关于公布…年度报告的通知 + 附件);
//! - a file linked from a list under a report title (…年度报告.pdf) is a report itself.
//!
//! Links are read from the HTML and from what CMSs write by script: TRS's
//! `createPageHTML(n, cur, "index", "html")` pagination and Hanweb's
//! `<datastore>` records and `dataproxy.jsp` paging.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use url::Url;
use xxgk_model::body::reads_like_report;
use xxgk_model::period::covered_year;
use xxgk_model::year::year_from_title;
use xxgk_model::PageRole;

use crate::content::{extract_article, Article};
use crate::decode::decode;
use crate::discover::{self, Link, LinkKind};
use crate::html::element_text;
use crate::navigate::{hops, pager_links, script_links, Via};
use crate::titles::is_report_title;

/// What a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// A start page of a source (home page, disclosure site, column).
    Start,
    /// A list of articles (a column page, one page of a paginated list, a Hanweb record set).
    List,
    /// An article page.
    Article,
    /// A short article whose attachments carry the report.
    Notice,
    /// A file (PDF, Word, spreadsheet) linked as a report.
    Attachment,
    /// Anything else (a page linked as a report whose own title names none, navigation).
    Other,
}

impl PageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Start => "start",
            PageKind::List => "list",
            PageKind::Article => "article",
            PageKind::Notice => "notice",
            PageKind::Attachment => "attachment",
            PageKind::Other => "other",
        }
    }
}

/// One page, classified.
#[derive(Debug, Clone)]
pub struct Page {
    pub kind: PageKind,
    /// Whether the page yields a report (an article or a notice whose own title names one).
    pub report: bool,
    /// Why: short sentences, in the order the rules were applied.
    pub reasons: Vec<String>,
    /// The charset the page was decoded from.
    pub encoding: &'static str,
    /// The article as extracted (title, date, body text, attachments).
    pub article: Article,
    /// The page's links we care about (empty for reports: they are leaves; another
    /// article keeps only its hops, see [`crate::navigate::hops`]).
    pub links: Vec<Link>,
    /// Further pages of the same article (`1030_2.html`, `1030_3.html`), in order.
    pub continuation: Vec<Url>,
    /// Documents this page frames (`<frame>`, or `<iframe>` on a page with next to no
    /// text of its own): for a report page, where its text is — parts of this report, not
    /// reports of their own (issue 19).
    pub framed: Vec<Url>,
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

static A: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| sel("body"));
static PAGES: LazyLock<Selector> =
    LazyLock::new(|| sel(".pages a[href], .page a[href], #pages a[href], .pagelist a[href]"));

/// Body text shorter than this (non-space characters) with attachments makes a notice.
const NOTICE_TEXT: usize = 400;
/// Continuation pages of one article at most.
const MAX_PARTS: usize = 20;

/// Classifies one fetched page. `role` is how it was reached ([`PageRole::Unknown`] for a
/// page classified on its own, `xxgk crawl --explain URL`); `hosts` the school's hosts
/// (links elsewhere are dropped).
pub fn classify(
    body: &[u8],
    content_type: Option<&str>,
    url: &Url,
    role: PageRole,
    hosts: &[String],
) -> Page {
    let decoded = decode(body, content_type, url.host_str());
    let doc = Html::parse_document(&decoded.text);
    let article = extract_article(&doc, url);
    let mut reasons = Vec::new();
    let mut links = discover::links(&doc, url, hosts);
    links.extend(script_links(&decoded.text, url, hosts));
    links.extend(pager_links(&doc, &decoded.text, url, hosts));
    let (link_count, link_chars, own_chars) = text_measures(&doc);
    let hops = hops(&doc, url, own_chars, hosts);
    for (link, via) in &hops {
        reasons.push(format!("leads on by {} to {}", via.as_str(), link.url));
    }
    let framed: Vec<Url> = hops
        .iter()
        .filter(|(_, via)| matches!(via, Via::Frame | Via::IFrame))
        .map(|(link, _)| link.url.clone())
        .collect();
    links.extend(hops.into_iter().map(|(link, _)| link));
    dedup(&mut links);
    let report_links = links.iter().filter(|l| l.kind == LinkKind::Report).count();
    let own_title = article.title.clone();
    let title_is_report = own_title.as_deref().is_some_and(is_report_title);
    // Only for a page linked as a report: a list's first line is its first link.
    let first_line_is_report = !title_is_report
        && matches!(role, PageRole::Report | PageRole::Unknown)
        && article
            .text
            .lines()
            .take(3)
            .any(|l| is_report_title(l) && l.chars().count() <= 80);
    let body_chars = article.text.chars().filter(|c| !c.is_whitespace()).count();

    let next_links = links.iter().filter(|l| l.kind == LinkKind::Next).count();
    let listish = article.cms_body.is_none()
        && (report_links >= 2
            || (link_count >= 10 && own_chars < link_chars)
            || (report_links + next_links >= 1 && own_chars < 2 * link_chars));
    // Issue 19: a page whose own title names no year (安徽大学信息公开年度报告) is a report
    // when its body reads like one — the same decision, extended to what the title rule
    // cannot see. Read only for a page that is neither a start page nor a list.
    let title_names_no_year = own_title
        .as_deref()
        .is_none_or(|t| year_from_title(t).is_none());
    let body_reading = (role != PageRole::Start
        && !listish
        && !title_is_report
        && !first_line_is_report
        && title_names_no_year)
        .then(|| reads_like_report(&article.text));
    let body_is_report = body_reading.as_ref().is_some_and(|b| b.is_report);
    let kind;
    let mut report = false;
    if role == PageRole::Start {
        kind = PageKind::Start;
        reasons.push("a start page of the source: never a report, its links are followed".into());
    } else if listish {
        kind = PageKind::List;
        reasons.push(format!(
            "many links, little own text ({link_count} links, {link_chars} characters in links, \
             {own_chars} outside; {report_links} report links)"
        ));
    } else if title_is_report || first_line_is_report || body_is_report {
        if title_is_report {
            reasons.push(format!(
                "its own title names a report: {}",
                own_title.as_deref().unwrap_or_default()
            ));
        } else if first_line_is_report {
            reasons.push("the first line of its body names a report".to_string());
        } else {
            reasons.push(format!(
                "its own title names no year ({}); its body is read",
                own_title.as_deref().unwrap_or("none")
            ));
            reasons.extend(body_reading.iter().flat_map(|b| b.reasons.iter().cloned()));
        }
        report = true;
        reasons.push(
            match covered_year(own_title.as_deref().unwrap_or_default(), &article.text) {
                Some(y) => y.explain(),
                None => "no year in its title or text".to_string(),
            },
        );
        if body_chars < NOTICE_TEXT && !article.attachments.is_empty() {
            kind = PageKind::Notice;
            reasons.push(format!(
                "short text ({body_chars} characters) with {} attachment(s): the attachments are the report",
                article.attachments.len()
            ));
        } else {
            kind = PageKind::Article;
            if let Some(cms) = article.cms_body {
                reasons.push(format!("article body by its CMS ({cms})"));
            } else {
                reasons.push("article body by text density".into());
            }
        }
    } else if role == PageRole::List {
        kind = PageKind::List;
        reasons.push("reached as a list; its own title names no report".into());
    } else {
        kind = PageKind::Other;
        match &own_title {
            Some(t) => reasons.push(format!("its own title does not name a report: {t}")),
            None => reasons.push("no title of its own".into()),
        }
    }
    if let Some(b) = body_reading.as_ref().filter(|_| !report) {
        reasons.extend(b.reasons.iter().cloned());
    }
    if role == PageRole::Report && !report {
        reasons.push("the link to it named a report, but the page itself does not".into());
    }
    let continuation = if report {
        continuation_pages(&doc, url)
    } else {
        Vec::new()
    };
    if !continuation.is_empty() {
        reasons.push(format!(
            "article continues on {} more page(s)",
            continuation.len()
        ));
    }
    // Reports and other leaves are not followed (related articles, navigation) — except
    // where a page that is no report hands its content elsewhere (a moved article's stub).
    if !matches!(kind, PageKind::Start | PageKind::List) {
        links.retain(|l| l.kind == LinkKind::Hop && !report);
    }
    Page {
        kind,
        report,
        reasons,
        encoding: decoded.encoding.name(),
        article,
        links,
        continuation,
        framed,
    }
}

/// Links, link text and own text of the body (characters, whitespace excluded).
fn text_measures(doc: &Html) -> (usize, usize, usize) {
    let Some(body) = doc.select(&BODY).next() else {
        return (0, 0, 0);
    };
    let count = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    let all: usize = element_text(body).lines().map(count).sum();
    let mut n = 0;
    let mut in_links = 0;
    for a in body.select(&A) {
        n += 1;
        in_links += a.text().map(count).sum::<usize>();
    }
    (n, in_links, all.saturating_sub(in_links))
}

fn dedup(links: &mut Vec<Link>) {
    let mut seen: Vec<Link> = Vec::with_capacity(links.len());
    for l in links.drain(..) {
        match seen.iter_mut().find(|s| s.url == l.url) {
            Some(s) if l.kind < s.kind => *s = l,
            Some(_) => {}
            None => seen.push(l),
        }
    }
    *links = seen;
}

/// Further pages of a split article (DedeCMS/PHPCMS `1030.html` → `1030_2.html` …): the
/// links of its pager that name the same article with a page number.
fn continuation_pages(doc: &Html, url: &Url) -> Vec<Url> {
    let path = url.path();
    let Some((stem, ext)) = path.rsplit_once('.') else {
        return Vec::new();
    };
    let mut parts: Vec<(usize, Url)> = Vec::new();
    for a in doc.select(&PAGES).chain(doc.select(&A)) {
        let Some(u) = a
            .value()
            .attr("href")
            .and_then(|h| discover::resolve(url, h))
        else {
            continue;
        };
        let Some(rest) = u.path().strip_prefix(stem) else {
            continue;
        };
        let Some(n) = rest
            .strip_prefix('_')
            .and_then(|r| r.strip_suffix(&format!(".{ext}")))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        if (2..=MAX_PARTS + 1).contains(&n) && !parts.iter().any(|(m, _)| *m == n) {
            parts.push((n, u));
        }
    }
    parts.sort_by_key(|(n, _)| *n);
    parts.into_iter().map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn page(html: &str, at: &str, role: PageRole) -> Page {
        let u = url(at);
        let hosts = vec![xxgk_archive::sources::host_key(&u).expect("host")];
        classify(
            html.as_bytes(),
            Some("text/html; charset=utf-8"),
            &u,
            role,
            &hosts,
        )
    }

    /// Issue 10: a WebPlus home page whose first news item is titled like a report is a
    /// start page, not a report, and its links are followed.
    #[test]
    fn issue_10_a_home_page_with_a_report_in_its_news_is_not_a_report() {
        let html = r#"<html><head><title>青岚大学</title></head><body>
            <div class="wp_nav"><a href="/main.htm">首页</a><a href="/xxgk/list.htm">信息公开</a></div>
            <div id="wp_news_w6"><ul class="news_list">
            <li class="news n1"><span class="news_title"><a href="/2017/1031/c9433a183547/page.htm" title="青岚大学信息公开年报(2016-2017)">青岚大学信息公开年报(2016-2017)</a></span><span class="news_meta">2017-10-31</span></li>
            <li class="news n2"><span class="news_title"><a href="/2017/1030/c9433a183546/page.htm">学校召开工作会议</a></span></li>
            </ul></div></body></html>"#;
        let p = page(html, "http://www.ql.edu.cn/main.htm", PageRole::Start);
        assert_eq!(p.kind, PageKind::Start);
        assert!(!p.report);
        let kinds: Vec<(&str, LinkKind)> = p.links.iter().map(|l| (l.url.path(), l.kind)).collect();
        assert!(
            kinds.contains(&("/2017/1031/c9433a183547/page.htm", LinkKind::Report)),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&("/xxgk/list.htm", LinkKind::List)),
            "{kinds:?}"
        );
        // The same page reached as a list is a list.
        let p = page(html, "http://www.ql.edu.cn/main.htm", PageRole::List);
        assert_eq!(p.kind, PageKind::List, "{:?}", p.reasons);
        assert!(!p.report);
    }

    #[test]
    fn an_article_is_a_report_by_its_own_title_and_a_notice_by_its_attachments() {
        let article = r#"<html><head><title>2020-2021学年信息公开年度报告-青岚大学</title></head><body>
            <h1 class="arti_title">青岚大学2020-2021学年信息公开年度报告</h1>
            <div class="wp_articlecontent"><p>一、概述</p><p>学校高度重视信息公开工作，按时公开各类信息，全年主动公开信息三百余条。</p></div>
            <ul class="related"><li><a href="/x.htm">青岚大学2019-2020学年信息公开年度报告</a></li></ul></body></html>"#;
        let p = page(
            article,
            "http://www.ql.edu.cn/2021/1028/c1a2/page.htm",
            PageRole::Report,
        );
        assert_eq!(p.kind, PageKind::Article, "{:?}", p.reasons);
        assert!(p.report);
        assert!(p.links.is_empty(), "a report is a leaf");
        let notice = r#"<html><head><title>关于公布2020-2021学年信息公开年度报告的通知</title></head><body>
            <div class="TRS_Editor"><p>现将我校年度报告予以公布。</p>
            <p>附件：<a href="./P020211028123456.pdf">2020-2021学年信息公开年度报告.pdf</a></p></div></body></html>"#;
        let p = page(
            notice,
            "http://www.by.edu.cn/xxgk/202110/t20211028_123456.html",
            PageRole::Report,
        );
        assert_eq!(p.kind, PageKind::Notice, "{:?}", p.reasons);
        assert!(p.report);
        assert_eq!(p.article.attachments.len(), 1);
        // Linked as a report, titled otherwise: not a report.
        let other = r#"<html><head><title>学校简介</title></head><body><div class="wp_articlecontent"><p>学校简介正文。</p></div></body></html>"#;
        let p = page(other, "http://www.ql.edu.cn/about.htm", PageRole::Report);
        assert_eq!(p.kind, PageKind::Other);
        assert!(!p.report);
    }

    /// Issue 19: a page titled 安澜大学信息公开年度报告 (no year; its link read as the
    /// column) is a report when its body reads like one, and says why and which year.
    #[test]
    fn issue_19_a_title_without_a_year_over_a_report_body_is_a_report() {
        let html = r#"<html><head><title>安澜大学信息公开年度报告-安澜大学信息公开网</title></head><body>
            <div class="v_news_content">
            <p>根据教育部有关要求，现公布我校信息公开工作年度报告。</p>
            <p>本报告所列数据的统计期限自2020年9月1日起至2021年8月31日止。</p>
            <p>一、概述</p><p>学校紧紧围绕立德树人根本任务，不断提高信息公开工作水平，修订了信息公开实施细则。</p>
            <p>二、主动公开情况</p><p>学校主动公开了学校基本信息、招生考试信息、财务资产及收费信息等，共计三百余条。</p>
            <p>三、依申请公开和不予公开情况</p><p>本学年学校未收到依申请公开的申请。</p>
            <p>四、对信息公开的评议情况</p><p>师生对学校信息公开工作总体满意。</p></div></body></html>"#;
        for role in [PageRole::List, PageRole::Report, PageRole::Unknown] {
            let p = page(html, "http://xxgk.al.edu.cn/info/1011/2233.htm", role);
            assert!(p.report, "{role}: {:?}", p.reasons);
            assert_eq!(p.kind, PageKind::Article, "{role}");
            let all = p.reasons.join("\n");
            assert!(all.contains("names no year"), "{all}");
            assert!(all.contains("reads like a report"), "{all}");
            assert!(all.contains("year 2020-2021 by the stated period"), "{all}");
        }
        // A news item about the report, titled without a year: not a report, and the
        // reasons say what its body lacked.
        let news = r#"<html><head><title>学校召开信息公开工作推进会</title></head><body>
            <div class="v_news_content"><p>10月15日下午，学校召开信息公开工作推进会，部署信息公开年度报告编制工作。</p>
            <p>会议要求各单位按时报送材料，确保年度报告内容真实准确。</p></div></body></html>"#;
        let p = page(
            news,
            "http://xxgk.al.edu.cn/info/1012/2301.htm",
            PageRole::Report,
        );
        assert!(!p.report, "{:?}", p.reasons);
        assert_eq!(p.kind, PageKind::Other);
        assert!(
            p.reasons
                .iter()
                .any(|r| r.contains("does not read like a report")),
            "{:?}",
            p.reasons
        );
    }

    #[test]
    fn trs_script_pagination_and_hanweb_records() {
        let trs = r#"<html><body><ul><li><a href="./202110/t20211028_1.html">甲</a></li></ul>
            <script>createPageHTML(3, 0, "index", "html");</script></body></html>"#;
        let p = page(
            trs,
            "http://www.by.edu.cn/xxgk/ndbg/index.html",
            PageRole::List,
        );
        let next: Vec<&str> = p
            .links
            .iter()
            .filter(|l| l.kind == LinkKind::Next)
            .map(|l| l.url.path())
            .collect();
        assert_eq!(next, ["/xxgk/ndbg/index_1.html", "/xxgk/ndbg/index_2.html"]);
        let hanweb = r#"<html><body><div id="4101"><script type="text/xml"><datastore>
            <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=1234&unitid=5678"></a>]]></nextgroup>
            <recordset><record><![CDATA[<li><a href="/art/2021/10/28/art_1234_5678.html" title="楚山职业技术学院2020-2021学年信息公开年度报告">楚山…</a></li>]]></record>
            </recordset></datastore></script>
            <script>$('#4101').jpage({totalRecord:50, perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp'});</script></div></body></html>"#;
        let p = page(
            hanweb,
            "http://www.cs.edu.cn/col/col1234/index.html",
            PageRole::List,
        );
        let got: Vec<(String, LinkKind, Option<&str>)> = p
            .links
            .iter()
            .map(|l| (l.url.as_str().to_string(), l.kind, l.form.as_deref()))
            .collect();
        assert!(
            got.contains(&(
                "http://www.cs.edu.cn/art/2021/10/28/art_1234_5678.html".into(),
                LinkKind::Report,
                None
            )),
            "{got:?}"
        );
        // What jpage posts: the records wanted in the query, the column in the body.
        let form = Some("webid=1&columnid=1234&unitid=5678");
        let proxy = "http://www.cs.edu.cn/module/web/jpage/dataproxy.jsp";
        assert!(
            got.contains(&(
                format!("{proxy}?startrecord=2&endrecord=46&perpage=15"),
                LinkKind::Next,
                form
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                format!("{proxy}?startrecord=47&endrecord=50&perpage=15"),
                LinkKind::Next,
                form
            )),
            "{got:?}"
        );
    }

    #[test]
    fn a_split_article_knows_its_other_pages() {
        let html = r#"<html><head><title>江屿学院2021-2022学年信息公开年度报告_江屿学院</title></head><body>
            <div class="content"><p>一、概述</p><p>学院高度重视信息公开工作，按时公开各类信息，全年主动公开信息三百余条，社会反响良好。</p></div>
            <div class="pages"><a href="1030.html">上一页</a><a href="1030.html">1</a><a href="1030_2.html">2</a><a href="1030_3.html">3</a><a href="1030_2.html">下一页</a></div></body></html>"#;
        let p = page(
            html,
            "http://www.jy.edu.cn/a/xxgk/ndbg/1030.html",
            PageRole::Report,
        );
        assert!(p.report, "{:?}", p.reasons);
        let parts: Vec<&str> = p.continuation.iter().map(Url::path).collect();
        assert_eq!(
            parts,
            ["/a/xxgk/ndbg/1030_2.html", "/a/xxgk/ndbg/1030_3.html"]
        );
    }
}
