//! Issue 10: the crawler against one fixture site per CMS family users meet (Sudy WebPlus,
//! TRS WCM, 大汉 Hanweb, DedeCMS/PHPCMS, a plain GB2312 site with a sub-site) and a site of
//! bad input. Each test states the reports its fixture holds and checks that exactly those
//! were found, under the source's school, with the right years and titles.

use std::collections::BTreeMap;
use std::sync::Arc;

use xxgk_archive::Archive;
use xxgk_crawler::attach::{pdftotext_available, word97_tool};
use xxgk_crawler::crawl::{Mode, Summary};
use xxgk_index::Report;

use crate::common::skip_without;
use crate::crawl::{crawl, serve_fixture, Site};

/// Crawls one source (`start` paths on `site`, more hosts in `hosts`) into a fresh store.
async fn crawl_one(school: &str, start: &str, hosts: &[&Arc<Site>]) -> (Vec<Report>, Summary) {
    let dir = tempfile::tempdir().expect("tempdir");
    crawl_into(dir.path(), school, start, hosts, Mode::Crawl).await
}

async fn crawl_into(
    data: &std::path::Path,
    school: &str,
    start: &str,
    hosts: &[&Arc<Site>],
    mode: Mode,
) -> (Vec<Report>, Summary) {
    let hosts: Vec<String> = hosts
        .iter()
        .map(|s| format!("\"{}\"", s.base.trim_start_matches("http://")))
        .collect();
    let sources = format!(
        "[[school]]\nname = \"{school}\"\nstart = [\"{start}\"]\nhosts = [{}]\n",
        hosts.join(", ")
    );
    let summary = crawl(data, &sources, mode).await;
    let store = Archive::open(&data.join("xxgk.sqlite")).expect("store");
    let mut reports = store.reports().expect("reports");
    reports.sort_by(|a, b| a.year.cmp(&b.year));
    (reports, summary)
}

fn years(reports: &[Report]) -> Vec<&str> {
    reports
        .iter()
        .map(|r| r.year.as_deref().unwrap_or("?"))
        .collect()
}

fn text(r: &Report) -> String {
    r.sections
        .iter()
        .map(|s| format!("{}\n{}", s.heading, s.text))
        .collect::<Vec<_>>()
        .join("\n")
}

fn by_path<'a>(reports: &'a [Report], site: &Site, path: &str) -> &'a Report {
    let url = format!("{}{path}", site.base);
    reports.iter().find(|r| r.url == url).unwrap_or_else(|| {
        panic!(
            "no report at {url}: {:?}",
            reports.iter().map(|r| &r.url).collect::<Vec<_>>()
        )
    })
}

/// Sudy WebPlus: the home page's first news item is titled like a report; the home page is
/// not a report, the item is followed, and the column's two list pages give the rest —
/// the newest a PDF shown only in WebPlus's player.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_webplus_home_page_is_not_a_report() {
    let site = serve_fixture("qinglan").await;
    let (reports, summary) = crawl_one("青岚大学", &format!("{}/main.htm", site.base), &[]).await;
    eprintln!("qinglan: {summary}");
    assert_eq!(
        years(&reports),
        ["2016-2017", "2017-2018", "2018-2019", "2019-2020"]
    );
    assert!(reports.iter().all(|r| r.school == "青岚大学"));
    // The newest report is only a PDF in WebPlus's player: no link to it, read anyway.
    let played = by_path(&reports, &site, "/2020/1029/c9433a212345/page.htm");
    assert!(
        text(played).contains("疫情防控与返校安排信息48条"),
        "{}",
        text(played)
    );
    assert_eq!(
        site.hits_of("/_upload/article/files/2f/3a/2020.pdf").len(),
        1
    );
    assert!(
        !reports.iter().any(|r| r.url.ends_with("/main.htm")),
        "the home page is no report"
    );
    let first = by_path(&reports, &site, "/2017/1031/c9433a183547/page.htm");
    assert_eq!(first.title, "青岚大学信息公开年报(2016-2017)");
    assert_eq!(first.published.as_deref(), Some("2017-10-31"));
    assert!(text(first).contains("依申请公开"), "{}", text(first));
    assert!(
        site.hits_of("/9433/list2.htm").len() == 1,
        "list2.htm followed"
    );
    // The news column behind 更多 and a non-report article are not crawled as reports.
    assert!(site.hits_of("/2019/1030/c9433a201870/page.htm").is_empty());
}

/// TRS WCM: page links written by createPageHTML only; a notice whose report is its PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_trs_script_pages_and_a_notice_with_its_pdf() {
    let site = serve_fixture("bailu").await;
    let (reports, summary) =
        crawl_one("白鹭理工学院", &format!("{}/index.html", site.base), &[]).await;
    eprintln!("bailu: {summary}");
    assert!(
        !site.hits_of("/xxgk/ndbg/index_2.html").is_empty(),
        "script pagination followed"
    );
    let html_years: Vec<&str> = reports
        .iter()
        .filter(|r| !r.url.contains("t20201030"))
        .map(|r| r.year.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(html_years, ["2018-2019", "2020-2021"]);
    let article = by_path(&reports, &site, "/xxgk/ndbg/202110/t20211028_123456.html");
    assert_eq!(article.title, "白鹭理工学院2020-2021学年信息公开年度报告");
    assert_eq!(article.school, "白鹭理工学院");
    assert!(!text(article).contains("打印本页"));
    if skip_without("pdftotext (poppler-utils)", pdftotext_available()) {
        return;
    }
    assert_eq!(reports.len(), 3, "{:?}", years(&reports));
    // The notice is the report's page; its PDF carries the text.
    let notice = by_path(&reports, &site, "/xxgk/ndbg/202010/t20201030_118877.html");
    assert_eq!(notice.year.as_deref(), Some("2019-2020"));
    assert_eq!(
        notice.school, "白鹭理工学院",
        "never 公布… cut from the notice's title"
    );
    assert!(
        text(notice).contains("湿地校区住宿费标准"),
        "{}",
        text(notice)
    );
    assert!(notice
        .sections
        .iter()
        .any(|s| s.id.as_str() == "on_request"));
}

/// 大汉 Hanweb: records only inside <datastore>, two more through dataproxy.jsp, asked
/// for by POST with the column in the form body (a GET finds nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_hanweb_datastore_and_dataproxy() {
    let site = serve_fixture("chushan").await;
    let (reports, summary) = crawl_one(
        "楚山职业技术学院",
        &format!("{}/index.html", site.base),
        &[],
    )
    .await;
    eprintln!("chushan: {summary}");
    assert_eq!(years(&reports), ["2018-2019", "2019-2020", "2020-2021"]);
    let proxied = by_path(&reports, &site, "/art/2019/10/30/art_1234_4890.html");
    assert_eq!(
        proxied.title,
        "楚山职业技术学院2018-2019学年信息公开年度报告"
    );
    assert_eq!(proxied.published.as_deref(), Some("2019-10-30"));
    assert!(text(proxied).contains("收费标准"));
    assert!(!text(proxied).contains("打印本页"));
    let proxied = site.hits_of("/module/web/jpage/dataproxy.jsp");
    assert_eq!(proxied.len(), 1);
    assert_eq!(proxied[0].method, "POST", "paged as jpage pages: by POST");
    // `crawl --explain` shows the paging and how it is asked for.
    let url = format!("{}/col/col1234/index.html", site.base);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        crate::common::xxgk(&data, &["crawl", "--explain", &url, "--delay-ms", "0"])
    })
    .await
    .expect("join");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=5&perpage=1 记录4-5 \
             (POST appid=1&webid=1&path=%2F&columnid=1234&unitid=4101"
        ),
        "{text}"
    );
    assert!(
        site.hits_of("/art/2021/9/1/art_1234_5601.html").is_empty(),
        "news is not followed"
    );
}

/// DedeCMS and PHPCMS lists; an article over three pages is one report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_dedecms_phpcms_lists_and_a_split_article() {
    let site = serve_fixture("jiangyu").await;
    let (reports, summary) = crawl_one("江屿学院", &format!("{}/index.html", site.base), &[]).await;
    eprintln!("jiangyu: {summary}");
    assert_eq!(
        years(&reports),
        [
            "2017-2018",
            "2018-2019",
            "2019-2020",
            "2020-2021",
            "2021-2022"
        ]
    );
    let split = by_path(&reports, &site, "/a/xxgk/ndbg/1030.html");
    assert_eq!(split.title, "江屿学院2021-2022学年信息公开年度报告");
    let all = text(split);
    for part in ["第一页写到这里为止", "这句话在第二页", "这句话在第三页"] {
        assert!(all.contains(part), "{part} missing: {all}");
    }
    let ids: Vec<&str> = split.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "preamble",
            "overview",
            "proactive",
            "on_request",
            "improvements"
        ]
    );
    assert!(
        !reports.iter().any(|r| r.url.contains("1030_2")),
        "parts are not reports"
    );
    let old = reports
        .iter()
        .find(|r| r.year.as_deref() == Some("2017-2018"))
        .expect("phpcms page 2");
    assert!(
        old.url.contains("a=show") && old.url.contains("id=8"),
        "{}",
        old.url
    );
    assert_eq!(old.title, "江屿学院2017-2018学年信息公开年度报告");
}

/// A plain GB2312 site whose 信息公开 link leads to the school's sub-site (another host);
/// reports there as a page with tables, a Word 97 .doc and a .wps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_gb2312_site_with_a_disclosure_sub_site_and_word_files() {
    let www = serve_fixture("nanping").await;
    let xxgk = serve_fixture("nanping-xxgk").await;
    www.placeholders
        .lock()
        .expect("p")
        .push(("xxgk".into(), xxgk.base.clone()));
    xxgk.placeholders
        .lock()
        .expect("p")
        .push(("www".into(), www.base.clone()));
    let dir = tempfile::tempdir().expect("tempdir");
    let start = format!("{}/index.htm", www.base);
    let (reports, summary) =
        crawl_into(dir.path(), "南屏医学院", &start, &[&xxgk], Mode::Crawl).await;
    eprintln!("nanping: {summary}");
    let page = by_path(&reports, &xxgk, "/reports/2018.htm");
    assert_eq!(page.year.as_deref(), Some("2017-2018"));
    assert_eq!(page.school, "南屏医学院");
    assert!(text(page).contains("财务资产及收费信息"), "{}", text(page));
    assert!(!text(page).contains('\u{FFFD}'));
    if skip_without("catdoc or antiword", word97_tool().is_some()) {
        return;
    }
    assert_eq!(years(&reports), ["2015-2016", "2016-2017", "2017-2018"]);
    let doc = by_path(&reports, &xxgk, "/files/2016-2017.doc");
    assert_eq!(doc.title, "南屏医学院2016-2017学年信息公开年度报告");
    assert!(text(doc).contains("临床实习基地收费标准"), "{}", text(doc));
    let wps = by_path(&reports, &xxgk, "/files/2015-2016.wps");
    assert_eq!(wps.school, "南屏医学院");
    assert!(text(wps).contains("护理专业实训收费标准"), "{}", text(wps));
    // A recrawl revisits the files linked as reports: 304s, nothing new, nothing lost.
    let (again, summary) =
        crawl_into(dir.path(), "南屏医学院", &start, &[&xxgk], Mode::Recrawl).await;
    eprintln!("nanping recrawl: {summary}");
    assert_eq!(xxgk.hits_of("/files/2016-2017.doc").len(), 2);
    assert_eq!(
        summary.new_reports + summary.changed_reports,
        0,
        "{summary}"
    );
    assert_eq!(again.len(), 3);
}

/// Bad input: each fault is logged and counted, the crawl goes on, the good reports stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_bad_input_is_counted_and_the_crawl_goes_on() {
    let site = serve_fixture("wuling").await;
    let (reports, summary) = crawl_one("雾岭学院", &format!("{}/index.htm", site.base), &[]).await;
    eprintln!("wuling: {summary}");
    let errors: BTreeMap<&str, usize> = summary
        .errors
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(errors.get("too_large"), Some(&1), "{errors:?}");
    assert_eq!(errors.get("redirects"), Some(&1), "{errors:?}");
    assert_eq!(errors.get("pagination_cap"), Some(&1), "{errors:?}");
    assert_eq!(
        errors.get("extract"),
        Some(&1),
        "the HTML served as .pdf: {errors:?}"
    );
    // The good report and the Word "web page" saved as .doc are stored.
    assert_eq!(years(&reports), ["2018-2019", "2020-2021"]);
    let word_html = by_path(&reports, &site, "/files/word-html.doc");
    assert!(text(word_html).contains("云雾茶专业的实习收费标准"));
    // The scanned PDF is stored, flagged, and no report.
    if !skip_without("pdftotext (poppler-utils)", pdftotext_available()) {
        assert_eq!(errors.get("no_text_layer"), Some(&1), "{errors:?}");
    }
    let dir = site.hits_of("/endless/list.htm").len();
    assert!((150..=250).contains(&dir), "endless list read {dir} times");
}

/// `xxgk crawl --explain URL` prints the page kind, its own title, the report-title
/// verdict, the reasons and the links by kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_explain_one_page() {
    let site = serve_fixture("qinglan").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |path: &str| {
        let url = format!("{}{path}", site.base);
        let data = dir.path().to_path_buf();
        async move {
            tokio::task::spawn_blocking(move || {
                crate::common::xxgk(&data, &["crawl", "--explain", &url, "--delay-ms", "0"])
            })
            .await
            .expect("join")
        }
    };
    let out = run("/2017/1031/c9433a183547/page.htm").await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("kind: article (a report)"), "{text}");
    assert!(
        text.contains("title: 青岚大学信息公开年报(2016-2017)"),
        "{text}"
    );
    assert!(
        text.contains("report-title rule: names an annual disclosure report"),
        "{text}"
    );
    assert!(text.contains("its own title names a report"), "{text}");
    let out = run("/9433/list.htm").await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kind: list\n"), "{text}");
    assert!(text.contains("links (report): 2"), "{text}");
    assert!(text.contains("links (next): 1"), "{text}");
    // A report shown only in a PDF player: a notice whose attachment is the player's file.
    let out = run("/2020/1029/c9433a212345/page.htm").await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kind: notice (a report)"), "{text}");
    let attachment = format!(
        "attachment (pdf): {}/_upload/article/files/2f/3a/2020.pdf \
         青岚大学2019-2020学年信息公开工作年度报告.pdf",
        site.base
    );
    assert!(text.contains(&attachment), "{text}");
}

/// Issue 19: a home page that hands its content elsewhere. `/` is only a meta refresh to a
/// frameset whose main frame is the portal (links resolved against its `<base href>`, the
/// report column only behind a 更多>> beside its heading);
/// the report column is TRS whose template defines its own `createPageHTML` before
/// calling it; one report moved and its old page only `location.replace`s. All three
/// reports are found, and the explanation names each hop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_19_a_home_page_that_redirects_and_frames_its_content_yields_its_reports() {
    let site = serve_fixture("yunhe").await;
    let (reports, summary) = crawl_one("云和学院", &format!("{}/", site.base), &[]).await;
    eprintln!("yunhe: {summary}");
    for path in ["/portal/", "/portal/main.htm", "/xxgk/ndbg/index_1.html"] {
        assert!(!site.hits_of(path).is_empty(), "{path} reached");
    }
    assert_eq!(
        years(&reports),
        ["2018-2019", "2019-2020", "2020-2021", "2021-2022"],
        "{summary}"
    );
    // The article that iframes its text: one report, under the article's URL, with the
    // framed text; the framed page is a part, not a report of its own.
    let framed = by_path(&reports, &site, "/xxgk/ndbg/202210/t20221028_5102.html");
    assert_eq!(framed.title, "云和学院2021-2022学年信息公开年度报告");
    assert!(
        text(framed).contains("在框架页内发布本报告全文"),
        "{summary}"
    );
    assert!(!site
        .hits_of("/xxgk/ndbg/202210/content/5102.htm")
        .is_empty());
    let moved = by_path(&reports, &site, "/xxgk/ndbg/201911/t20191105_2231.html");
    assert_eq!(moved.title, "云和学院2018-2019学年信息公开年度报告");
    assert!(text(moved).contains("满意率为94%"));

    // The same portal in an iframe of a page with nothing else: the same reports.
    let (reports, _) = crawl_one("云和学院", &format!("{}/embed.html", site.base), &[]).await;
    assert_eq!(
        years(&reports),
        ["2018-2019", "2019-2020", "2020-2021", "2021-2022"]
    );
}
