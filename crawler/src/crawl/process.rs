//! One frontier entry: fetched, classified, and (for a report) its parts and
//! attachments read and the report extracted.

use url::Url;

use crate::extract::{other_school_named, report_from_page, ArticleInput, AttachmentText, Hints};
use crate::fetch::Fetched;
use crate::page::classify;
use crate::titles::is_report_title;
use crate::Result;
use xxgk_archive::sources::{host_key, Source};
use xxgk_archive::{DocRecord, DocState, PageWork, QueueItem};

use super::frontier::SchoolState;
use super::linked::fetched_state;
use super::{blocking, lock, Crawler};
use xxgk_model::PageRole;

impl Crawler {
    /// Fetches and analyses one frontier entry (and, for a report, its attachments).
    pub(super) async fn process(
        &self,
        school: &Source,
        hosts: &[String],
        item: &QueueItem,
        state: &mut SchoolState,
    ) -> Result<(PageWork, String)> {
        let mut work = PageWork {
            school: school.name.clone(),
            frontier_url: item.url.clone(),
            ..PageWork::default()
        };
        let doc = |state| DocRecord {
            url: item.url.clone(),
            role: item.role,
            form: item.form.clone(),
            state,
        };
        let Ok(url) = Url::parse(&item.url) else {
            lock(&self.summary).error("bad_url");
            return Ok((work, "error bad_url".into()));
        };
        let (validators, current) = self.validators(&item.url).await?;
        // A file linked as a report may be as big as any attachment.
        // A file linked as a report; after its first crawl the archive knows it as a
        // `report` page, so its extension tells on a recrawl.
        let as_file = item.role == PageRole::ReportFile
            || (item.role == PageRole::Report
                && crate::discover::attachment_ext(&url, "").is_some());
        let max_body = if as_file {
            self.fetcher.config().max_attachment
        } else {
            self.fetcher.config().max_body
        };
        let result = self
            .fetcher
            .fetch_form(&url, item.form.as_deref(), &validators, max_body)
            .await;
        Self::log_attempts(&mut work, &url, &result);
        self.count_fetch(&result);
        let fetched = match result {
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "fetch failed");
                work.docs.push(doc(DocState::Failed));
                return Ok((work, format!("error {}", e.kind.label())));
            }
            Ok(f) if f.gone() => {
                work.docs.push(doc(DocState::Gone));
                return Ok((work, "gone".into()));
            }
            Ok(f) => f,
        };
        if !host_key(&fetched.url).is_some_and(|h| hosts.contains(&h)) {
            lock(&self.summary).error("offsite");
            work.docs.push(doc(DocState::Failed));
            return Ok((work, format!("error offsite redirect to {}", fetched.url)));
        }
        if as_file {
            return self
                .attachment_report(school, work, item, fetched, current)
                .await;
        }
        // The body to analyse: the new one, or the stored one on 304.
        let (body, content_type, what) = if fetched.not_modified() {
            work.docs.push(doc(DocState::NotModified));
            let stored = match current {
                Some(id) => lock(&self.store).version_body(id)?,
                None => None,
            };
            match stored {
                Some((body, ct, _)) => (body, ct, "304"),
                None => return Ok((work, "304".into())),
            }
        } else {
            (
                fetched.body.clone(),
                fetched.content_type.clone(),
                "fetched",
            )
        };
        let page = {
            let url = fetched.url.clone();
            let role = item.role;
            let hosts = hosts.to_vec();
            let body = body.clone();
            let ct = content_type.clone();
            blocking(move || Ok(classify(&body, ct.as_deref(), &url, role, &hosts))).await?
        };
        tracing::debug!(url = %item.url, kind = page.kind.as_str(), reasons = ?page.reasons, "page");
        work.judgment = Some(xxgk_archive::Judgment {
            kind: page.kind.as_str().to_string(),
            title: page.article.title.clone(),
            reasons: page.reasons.clone(),
        });
        if !fetched.not_modified() {
            work.docs.push(doc(fetched_state(
                fetched,
                Some(page.encoding.to_string()),
                None,
            )));
        }
        let max_depth = school.max_depth.unwrap_or(self.opts.max_depth);
        work.enqueue = self.enqueue(school, &page, item, max_depth, state);
        if !page.report {
            return Ok((work, format!("{what} {}", page.kind.as_str())));
        }
        // A report: the rest of a split article, its attachments, then the report itself.
        let mut input = ArticleInput {
            title: page.article.title.clone(),
            published: page.article.published.clone(),
            body: page.article.text.clone(),
            attachments: Vec::new(),
        };
        let mut attachments = page.article.attachments.clone();
        // Its parts: the rest of a split article, and — for a report page that frames its
        // text (an article template whose body is an <iframe>) — the framed documents,
        // read under this report's URL.
        let framed: &[Url] = if page.article.text.trim().chars().count() < crate::navigate::HOP_TEXT
        {
            &page.framed
        } else {
            &[]
        };
        for part in page.continuation.iter().chain(framed) {
            if let Some(more) = self.part(&mut work, part, hosts).await? {
                input.body.push('\n');
                input.body.push_str(&more.article.text);
                if input.published.is_none() {
                    input.published = more.article.published.clone();
                }
                for a in more.article.attachments {
                    if !attachments.iter().any(|b| b.0 == a.0) {
                        attachments.push(a);
                    }
                }
            }
        }
        for (att_url, label, ext) in attachments.iter().take(self.opts.max_attachments) {
            if !document_host_allowed(att_url, hosts) {
                continue;
            }
            if let Some(text) = self.attachment(&mut work, att_url, ext).await? {
                input.attachments.push(AttachmentText {
                    url: att_url.to_string(),
                    label: label.clone(),
                    text,
                });
            }
        }
        if let Some(title) = &input.title {
            if let Some(other) = other_school_named(title, &school.name, &school.aliases) {
                tracing::warn!(url = %item.url, source = %school.name, named = %other,
                    "the page names another school; kept under its source's school");
            }
        }
        match report_from_page(&input, &self.hints(school, &item.url)) {
            Ok(report) => work.report = Some(report),
            Err(e) => {
                tracing::info!(url = %item.url, error = %e, "not a report after all");
                lock(&self.summary).error("no_report_text");
            }
        }
        Ok((work, format!("{what} {}", page.kind.as_str())))
    }

    fn hints(&self, school: &Source, url: &str) -> Hints {
        Hints {
            url: url.to_string(),
            school: Some(school.name.clone()),
            province: school.province.clone(),
            kind: school.kind.clone(),
            ..Hints::default()
        }
    }

    /// A file linked from a list as a report (…年度报告.pdf): its text is the report, its
    /// URL the report's.
    async fn attachment_report(
        &self,
        school: &Source,
        mut work: PageWork,
        item: &QueueItem,
        fetched: Fetched,
        current: Option<i64>,
    ) -> Result<(PageWork, String)> {
        let ext = crate::discover::attachment_ext(&fetched.url, &item.link_text).unwrap_or("pdf");
        let doc = |state| DocRecord {
            url: item.url.clone(),
            role: item.role,
            form: item.form.clone(),
            state,
        };
        let (text, what) = if fetched.not_modified() {
            work.docs.push(doc(DocState::NotModified));
            let stored = match current {
                Some(id) => lock(&self.store).version_body(id)?,
                None => None,
            };
            (stored.and_then(|(_, _, text)| text), "304")
        } else {
            let url = fetched.url.clone();
            let text = self.read_attachment(&mut work, &url, ext, &fetched).await?;
            work.docs
                .push(doc(fetched_state(fetched, None, text.clone())));
            (text, "fetched")
        };
        let Some(text) = text else {
            return Ok((work, format!("{what} attachment (no text)")));
        };
        let label = item.link_text.trim().to_string();
        let title = is_report_title(&label).then(|| match label.rsplit_once('.') {
            Some((stem, e)) if e.eq_ignore_ascii_case(ext) => stem.to_string(),
            _ => label.clone(),
        });
        let input = ArticleInput {
            title,
            published: None,
            body: String::new(),
            attachments: vec![AttachmentText {
                url: item.url.clone(),
                label,
                text,
            }],
        };
        match report_from_page(&input, &self.hints(school, &item.url)) {
            Ok(report) => work.report = Some(report),
            Err(e) => {
                tracing::info!(url = %item.url, error = %e, "attachment holds no report");
                lock(&self.summary).error("no_report_text");
            }
        }
        Ok((work, format!("{what} attachment")))
    }
}

/// Whether a report's attachment at `url` may be fetched: on one of the source's hosts, or
/// on another host of the same university domain under `edu.cn` — disclosure sites
/// (`xxgk.x.edu.cn`) often keep their files on the main site or a file server
/// (`www.x.edu.cn/_upload/…`, `files.x.edu.cn`), and the report page itself vouches for
/// them. Pages and lists stay on the source's hosts.
fn document_host_allowed(url: &Url, hosts: &[String]) -> bool {
    let Some(key) = host_key(url) else {
        return false;
    };
    if hosts.contains(&key) {
        return true;
    }
    let Some(domain) = url.host_str().and_then(university_domain) else {
        return false;
    };
    hosts
        .iter()
        .filter_map(|h| university_domain(h.split(':').next().unwrap_or_default()))
        .any(|d| d == domain)
}

/// The university's domain of a host under `edu.cn`: its last three labels
/// (`xxgk.hnu.edu.cn` → `hnu.edu.cn`); `None` elsewhere.
fn university_domain(host: &str) -> Option<&str> {
    let host = host.trim_end_matches('.');
    if !host.ends_with(".edu.cn") {
        return None;
    }
    let cut = host.rmatch_indices('.').nth(2).map_or(0, |(i, _)| i + 1);
    Some(&host[cut..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reports_files_may_live_on_another_host_of_its_university() {
        let hosts = vec!["xxgk.hnu.edu.cn".to_string()];
        let ok = |u: &str| document_host_allowed(&Url::parse(u).expect("url"), &hosts);
        assert!(ok("https://xxgk.hnu.edu.cn/a.pdf"));
        assert!(ok("https://www.hnu.edu.cn/_upload/a.pdf"));
        assert!(ok("http://files.hnu.edu.cn/x/y.docx"));
        assert!(ok("https://hnu.edu.cn/a.pdf"));
        assert!(!ok("https://www.csu.edu.cn/a.pdf"), "another university");
        assert!(!ok("https://hnu.edu.cn.evil.com/a.pdf"));
        assert!(!ok("https://pan.baidu.com/a.pdf"));
        assert_eq!(university_domain("xxgk.hnu.edu.cn"), Some("hnu.edu.cn"));
        assert_eq!(university_domain("edu.cn"), None);
        assert_eq!(university_domain("127.0.0.1"), None);
        let loopback = vec!["127.0.0.1:8080".to_string()];
        let url = Url::parse("http://127.0.0.1:9090/a.pdf").expect("url");
        assert!(!document_host_allowed(&url, &loopback), "ports are hosts");
    }
}
