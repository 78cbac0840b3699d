//! Fetching with the stored validators, logged and counted; the documents that belong to
//! the page being processed (further parts of a split article, attachments) and their text.

use url::Url;

use crate::fetch::{ErrorKind, FetchError, Fetched, Validators};
use crate::page::{classify, Page};
use crate::{attach, Error, Result};
use xxgk_archive::sources::host_key;
use xxgk_archive::{DocRecord, DocState, FetchLogEntry, PageWork};

use super::{blocking, lock, Crawler};
use xxgk_model::PageRole;

impl Crawler {
    pub(super) fn log_attempts(
        work: &mut PageWork,
        url: &Url,
        result: &std::result::Result<Fetched, FetchError>,
    ) {
        let (attempts, validators) = match result {
            Ok(f) => (&f.attempts, Some(&f.validators)),
            Err(e) => (&e.attempts, None),
        };
        if attempts.is_empty() {
            if let Err(e) = result {
                // Refused before any request (robots.txt): still logged.
                work.log.push(FetchLogEntry {
                    url: url.to_string(),
                    at_ms: std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as i64),
                    error_kind: Some(e.kind.label()),
                    message: Some(e.message.clone()),
                    ..FetchLogEntry::default()
                });
            }
        }
        let last = attempts.len().saturating_sub(1);
        for (i, a) in attempts.iter().enumerate() {
            let v = validators.filter(|_| i == last);
            work.log.push(FetchLogEntry {
                url: url.to_string(),
                at_ms: a.at_ms,
                status: a.status,
                etag: v.and_then(|v| v.etag.clone()),
                last_modified: v.and_then(|v| v.last_modified.clone()),
                error_kind: a.error.map(ErrorKind::label),
                message: a.message.clone(),
                elapsed_ms: a.elapsed.as_millis() as i64,
                bytes: a.bytes as i64,
            });
        }
    }

    pub(super) fn count_fetch(&self, result: &std::result::Result<Fetched, FetchError>) {
        let mut s = lock(&self.summary);
        match result {
            Ok(f) => {
                s.fetched += 1;
                if f.not_modified() {
                    s.not_modified += 1;
                }
            }
            Err(e) => s.error(&e.kind.label()),
        }
    }

    pub(super) async fn validators(&self, url: &str) -> Result<(Validators, Option<i64>)> {
        let info = lock(&self.store).page(url)?;
        Ok(match info {
            Some(p) => (
                Validators {
                    etag: p.etag,
                    last_modified: p.last_modified,
                },
                p.current_version,
            ),
            None => (Validators::default(), None),
        })
    }

    /// Fetches a document that belongs to the page being processed (a further part of a
    /// split article, an attachment): conditional GET with the stored validators, logged
    /// and counted. A failure or a 404 is recorded in `work` and gives `None`; a 304 is
    /// recorded and gives the stored version's id.
    async fn fetch_linked(
        &self,
        work: &mut PageWork,
        url: &Url,
        role: PageRole,
        max_body: usize,
    ) -> Result<Option<Linked>> {
        let (validators, current) = self.validators(url.as_str()).await?;
        let result = self.fetcher.fetch(url, &validators, max_body).await;
        Self::log_attempts(work, url, &result);
        self.count_fetch(&result);
        let mut record = |state| {
            work.docs.push(DocRecord {
                url: url.to_string(),
                role,
                form: None,
                state,
            })
        };
        Ok(match result {
            Err(e) => {
                tracing::warn!(%url, %role, error = %e, "linked document failed");
                record(DocState::Failed);
                None
            }
            Ok(f) if f.gone() => {
                record(DocState::Gone);
                None
            }
            Ok(f) if f.not_modified() => {
                record(DocState::NotModified);
                Some(Linked::Stored(current))
            }
            Ok(f) => Some(Linked::Fresh(Box::new(f))),
        })
    }

    /// One further page of a split article, fetched and stored beside it.
    pub(super) async fn part(
        &self,
        work: &mut PageWork,
        url: &Url,
        hosts: &[String],
    ) -> Result<Option<Page>> {
        if !host_key(url).is_some_and(|h| hosts.contains(&h)) {
            return Ok(None);
        }
        let max = self.fetcher.config().max_body;
        let (body, ct, fresh) = match self.fetch_linked(work, url, PageRole::Part, max).await? {
            None => return Ok(None),
            Some(Linked::Stored(None)) => return Ok(None),
            Some(Linked::Stored(Some(id))) => match lock(&self.store).version_body(id)? {
                Some((body, ct, _)) => (body, ct, None),
                None => return Ok(None),
            },
            Some(Linked::Fresh(f)) => (f.body.clone(), f.content_type.clone(), Some(*f)),
        };
        let final_url = fresh
            .as_ref()
            .map_or_else(|| url.clone(), |f| f.url.clone());
        let hosts = hosts.to_vec();
        let page = blocking(move || {
            Ok(classify(
                &body,
                ct.as_deref(),
                &final_url,
                PageRole::Part,
                &hosts,
            ))
        })
        .await?;
        if let Some(f) = fresh {
            work.docs.push(DocRecord {
                url: url.to_string(),
                role: PageRole::Part,
                form: None,
                state: fetched_state(f, Some(page.encoding.to_string()), None),
            });
        }
        Ok(Some(page))
    }

    /// The text of a fetched attachment, or `None` with a logged, counted reason (not our
    /// kind of file, a parser failure, a PDF with no text layer).
    pub(super) async fn read_attachment(
        &self,
        work: &mut PageWork,
        url: &Url,
        ext: &'static str,
        fetched: &Fetched,
    ) -> Result<Option<String>> {
        let timeout = self.opts.attachment_timeout;
        let bytes = fetched.body.clone();
        let extracted =
            tokio::task::spawn_blocking(move || attach::extract_text(bytes, ext, timeout))
                .await
                .map_err(|e| Error::Task(e.to_string()))?;
        let (kind, reason) = match extracted {
            Ok(t) if !t.trim().is_empty() => return Ok(Some(t)),
            Ok(_) => (
                "no_text_layer".to_string(),
                "no text layer (a scanned or encrypted document?); stored without text".to_string(),
            ),
            Err(reason) => (ErrorKind::Extract.label(), reason),
        };
        tracing::warn!(%url, %reason, "attachment text not extracted");
        lock(&self.summary).error(&kind);
        work.log.push(FetchLogEntry {
            url: url.to_string(),
            at_ms: fetched.attempts.last().map_or(0, |a| a.at_ms),
            status: Some(fetched.status),
            error_kind: Some(kind),
            message: Some(reason),
            ..FetchLogEntry::default()
        });
        Ok(None)
    }

    /// Fetches one attachment and returns its text (stored text on 304).
    pub(super) async fn attachment(
        &self,
        work: &mut PageWork,
        url: &Url,
        ext: &'static str,
    ) -> Result<Option<String>> {
        let max = self.fetcher.config().max_attachment;
        let fetched = match self
            .fetch_linked(work, url, PageRole::Attachment, max)
            .await?
        {
            None => return Ok(None),
            Some(Linked::Stored(current)) => {
                let stored = match current {
                    Some(id) => lock(&self.store).version_body(id)?,
                    None => None,
                };
                return Ok(stored.and_then(|(_, _, text)| text));
            }
            Some(Linked::Fresh(f)) => *f,
        };
        let text = self.read_attachment(work, url, ext, &fetched).await?;
        work.docs.push(DocRecord {
            url: url.to_string(),
            role: PageRole::Attachment,
            form: None,
            state: fetched_state(fetched, None, text.clone()),
        });
        Ok(text)
    }
}

/// What [`Crawler::fetch_linked`] got: new bytes, or a 304 for the stored version.
enum Linked {
    Fresh(Box<Fetched>),
    Stored(Option<i64>),
}

/// A fetched document as stored: its validators, type, encoding, bytes and text.
pub(super) fn fetched_state(
    f: Fetched,
    encoding: Option<String>,
    text: Option<String>,
) -> DocState {
    DocState::Fetched {
        etag: f.validators.etag,
        last_modified: f.validators.last_modified,
        content_type: f.content_type,
        encoding,
        body: f.body,
        text,
    }
}
