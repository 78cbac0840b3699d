//! What a run did ([`Summary`]) and who is told as it goes ([`Progress`]).

use std::collections::BTreeMap;

use serde::Serialize;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Pages and attachments that got an HTTP answer (200, 304, 404/410).
    pub fetched: usize,
    /// Of those, answered 304 Not Modified.
    pub not_modified: usize,
    /// Answered 304 or with the same bytes as the stored version.
    pub unchanged: usize,
    pub new_versions: usize,
    pub new_reports: usize,
    pub changed_reports: usize,
    /// Pages that existed and now answer 404/410 (their versions are kept).
    pub gone: usize,
    /// Failures by kind (`timeout`, `http_503`, `robots`, `too_large`, `not_found` …).
    pub errors: BTreeMap<String, usize>,
    /// Schools whose interrupted run was resumed.
    pub resumed: usize,
    /// Reports written to the index (new, changed, and left over from a killed run);
    /// filled in by whoever drains the outbox (the application layer), 0 from the crawler.
    pub indexed: usize,
}

impl Summary {
    pub(super) fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fetched {} (304: {}), unchanged {}, new versions {}, new reports {}, \
             changed reports {}, gone {}, indexed {}",
            self.fetched,
            self.not_modified,
            self.unchanged,
            self.new_versions,
            self.new_reports,
            self.changed_reports,
            self.gone,
            self.indexed
        )?;
        if self.errors.is_empty() {
            write!(f, ", errors 0")
        } else {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            write!(f, ", errors: {}", list.join(", "))
        }
    }
}

/// Told about each page as it is done (for a progress bar or log lines).
pub trait Progress: Send + Sync {
    /// `what`: `new`, `unchanged`, `304`, `gone`, `dead`, `report new`, `error timeout` …
    fn page(&self, school: &str, url: &str, what: &str);
    /// More work was queued (`queued` frontier entries in all running schools).
    fn queued(&self, _more: usize) {}
    fn school_done(&self, _school: &str) {}
}

/// Progress that only emits tracing events (debug level).
#[derive(Debug, Default)]
pub struct LogProgress;

impl Progress for LogProgress {
    fn page(&self, school: &str, url: &str, what: &str) {
        tracing::debug!(school, url, what, "page");
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_well() {
        let mut s = Summary {
            fetched: 3,
            not_modified: 2,
            ..Summary::default()
        };
        s.error("timeout");
        s.error("timeout");
        assert!(s.to_string().starts_with("fetched 3 (304: 2)"));
        assert!(s.to_string().ends_with("errors: timeout 2"));
    }
}
