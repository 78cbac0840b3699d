//! The page frame and small pieces shared by pages. maud escapes every `(expr)`; the only
//! `PreEscaped` input is highlighter output from the index (escaped text plus `<mark>`).

use maud::{html, Markup, PreEscaped, DOCTYPE};
use xxgk_app::SectionId;

/// The site's name, in the header and every `<title>`.
pub const SITE: &str = "高校信息公开年报检索";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Search,
    Schools,
    Checklist,
    Scorecard,
    Compare,
    Changes,
    Coverage,
    Sources,
    About,
    None,
}

/// What search engines show under the title when a page says nothing of its own.
pub const SITE_DESCRIPTION: &str =
    "检索全国高等学校依法发布的信息公开工作年度报告：按学校、学年、栏目筛选，简体繁体通查。";

/// The frame of every page: header with the search box (except where the page has its
/// own), navigation, content, footer. `description` is the page's `<meta name=description>`
/// (what a search engine shows under the title): one sentence on what this page holds.
pub fn page(title: &str, description: &str, nav: Nav, content: Markup) -> Markup {
    let full_title = if title.is_empty() {
        SITE.to_string()
    } else {
        format!("{title} - {SITE}")
    };
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                meta name="description" content=(description);
                link rel="stylesheet" href="/assets/style.css";
                link rel="icon" href="data:,";
            }
            body {
                header.site {
                    a.brand href="/" { (SITE) }
                    nav {
                        (nav_link("/", "检索", nav == Nav::Search))
                        (nav_link("/schools", "哪些学校", nav == Nav::Schools))
                        (nav_link("/checklist", "清单对照", nav == Nav::Checklist))
                        (nav_link("/scorecard", "记分卡", nav == Nav::Scorecard))
                        (nav_link("/compare", "对比", nav == Nav::Compare))
                        (nav_link("/changes", "变动", nav == Nav::Changes))
                        (nav_link("/coverage", "覆盖", nav == Nav::Coverage))
                        (nav_link("/sources", "来源", nav == Nav::Sources))
                        (nav_link("/about", "关于", nav == Nav::About))
                    }
                }
                main { (content) }
                footer.site {
                    "收录高等学校依法发布的信息公开年度报告。"
                    a href="/about" { "检索语法与数据说明" }
                    " · "
                    a href="/api/search" { "JSON API" }
                }
            }
        }
    }
}

fn nav_link(href: &str, label: &str, current: bool) -> Markup {
    html! {
        @if current {
            a href=(href) aria-current="page" { (label) }
        } @else {
            a href=(href) { (label) }
        }
    }
}

/// Page links: previous, the first and last page, two either side of `current`, next.
/// Nothing when there is one page.
pub fn pagination(current: usize, last: usize, href: impl Fn(usize) -> String) -> Markup {
    if last <= 1 {
        return html! {};
    }
    let mut pages: Vec<usize> = vec![1, last];
    pages.extend(current.saturating_sub(2).max(1)..=(current + 2).min(last));
    pages.sort_unstable();
    pages.dedup();
    html! {
        nav.pages aria-label="分页" {
            @if current > 1 {
                a rel="prev" href=(href(current - 1)) { "‹ 上一页" }
            }
            @for (i, p) in pages.iter().enumerate() {
                @if i > 0 && pages[i - 1] + 1 < *p { span.gap { "…" } }
                @if *p == current {
                    strong aria-current="page" { (p) }
                } @else {
                    a href=(href(*p)) { (p) }
                }
            }
            @if current < last {
                a rel="next" href=(href(current + 1)) { "下一页 ›" }
            }
        }
    }
}

/// Highlighter output (already escaped by the highlighter, `xxgk_app::text`).
pub fn highlighted(html: &str) -> PreEscaped<&str> {
    PreEscaped(html)
}

/// The label of a section id given as text (facet values are ids).
pub fn section_label(id: &str) -> String {
    SectionId::parse(id)
        .map(|s| s.label().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The anchor of a section on the report page: its id, then `-2`, `-3` for repeats.
pub fn section_anchor(id: SectionId, nth: usize) -> String {
    if nth == 0 {
        id.as_str().to_string()
    } else {
        format!("{}-{}", id.as_str(), nth + 1)
    }
}

/// Percent-encodes one path segment.
pub fn encode_path(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// `/reports/{id}`, with `q` highlighted and an anchor.
pub(crate) fn report_href(id: &str, q: &str, anchor: Option<&str>) -> String {
    let pairs = if q.is_empty() {
        Vec::new()
    } else {
        vec![("q", q.to_string())]
    };
    let mut link = crate::params::href(&format!("/reports/{}", encode_path(id)), &pairs);
    if let Some(a) = anchor {
        link.push('#');
        link.push_str(a);
    }
    link
}

/// A stored time (ISO 8601, UTC: `2024-05-01T08:00:00.123Z`) as a reader in China reads
/// it: `2024-05-01 16:00（北京时间）`; a value that does not parse is shown as it is.
pub fn beijing_time(iso: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(t) = time::OffsetDateTime::parse(iso.trim(), &Rfc3339) else {
        return iso.to_string();
    };
    let t = t.to_offset(time::macros::offset!(+8));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}（北京时间）",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// A link to an original page, only for web addresses (a `javascript:` or `file:` URL in
/// a stored report is shown as text).
pub fn external_link(url: &str, label: &str) -> Markup {
    let lower = url.trim().to_ascii_lowercase();
    html! {
        @if lower.starts_with("http://") || lower.starts_with("https://") {
            a.external href=(url) rel="noopener noreferrer nofollow" { (label) }
        } @else if !url.is_empty() {
            span.source { (url) }
        }
    }
}

/// An error box.
pub fn error_box(message: &str) -> Markup {
    html! { p.error role="alert" { (message) } }
}

/// Thousands separators for counts.
pub fn count(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rendered page as the response.
pub fn html_response(markup: Markup) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// The mark on a search result whose report changed after publication, linking to its
/// versions; nothing for the others.
pub(crate) fn change_badge(report_id: &str, flag: Option<&xxgk_app::ChangeKind>) -> Markup {
    html! {
        @if let Some(kind) = flag {
            a.change-flag href=(format!("/reports/{}/versions", encode_path(report_id)))
                title="此报告首次收录后被修改或删除，点击查看存档版本" {
                "⚠ " (kind.label())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_in_beijing_time_with_the_zone_said() {
        assert_eq!(
            beijing_time("2024-05-01T08:00:00.123Z"),
            "2024-05-01 16:00（北京时间）"
        );
        assert_eq!(
            beijing_time("2024-12-31T20:30:00Z"),
            "2025-01-01 04:30（北京时间）"
        );
        assert_eq!(
            beijing_time("2024-05-01T16:00:00+08:00"),
            "2024-05-01 16:00（北京时间）"
        );
        assert_eq!(beijing_time("not a time"), "not a time");
    }

    #[test]
    fn counts_get_separators() {
        assert_eq!(count(0u64), "0");
        assert_eq!(count(999u64), "999");
        assert_eq!(count(1000u64), "1,000");
        assert_eq!(count(1234567u64), "1,234,567");
    }

    #[test]
    fn only_web_addresses_become_links() {
        let good = external_link("https://a.edu.cn/1.htm", "原文").into_string();
        assert!(good.contains("href=\"https://a.edu.cn/1.htm\""), "{good}");
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "file:///etc/passwd",
        ] {
            let html = external_link(bad, "原文").into_string();
            assert!(!html.contains("href"), "{html}");
        }
    }

    #[test]
    fn anchors_number_repeated_sections() {
        assert_eq!(section_anchor(SectionId::OnRequest, 0), "on_request");
        assert_eq!(section_anchor(SectionId::Other, 2), "other-3");
    }
}
