//! `xxgk crawl --explain URL`: one page classified as the crawl would.

use url::Url;

use crate::fetch::{Fetcher, Validators};
use crate::page::{classify, Page};
use crate::{Error, Result};
use xxgk_archive::sources::host_key;

use super::blocking;

/// `xxgk crawl --explain URL`: fetches one page (obeying robots.txt) and classifies it as
/// the crawl would, reached by a link: its kind, own title, the report-title verdict, the
/// reasons and its links by kind.
pub async fn explain(fetcher: &Fetcher, url: &str) -> Result<Page> {
    let url = &Url::parse(url).map_err(|e| Error::Config(format!("{url} is not a URL: {e}")))?;
    let fetched = fetcher
        .fetch(url, &Validators::default(), fetcher.config().max_body)
        .await
        .map_err(|e| Error::Config(format!("cannot fetch {url}: {e}")))?;
    if fetched.gone() {
        return Err(Error::Config(format!("{url} answers {}", fetched.status)));
    }
    let hosts: Vec<String> = host_key(&fetched.url).into_iter().collect();
    let final_url = fetched.url.clone();
    blocking(move || {
        Ok(classify(
            &fetched.body,
            fetched.content_type.as_deref(),
            &final_url,
            xxgk_model::PageRole::Unknown,
            &hosts,
        ))
    })
    .await
}
