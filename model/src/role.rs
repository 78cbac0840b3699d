//! How a page was reached, and so what the crawler expects of it: the one list of page
//! roles, shared by the crawler's frontier and the archive's `pages` and `frontier` tables
//! (whose schema, migration 6, refuses any other name: a test there holds the two
//! lists together).

use std::fmt;
use std::str::FromStr;

/// The role of a page in a crawl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageRole {
    /// A source's start URL (or where it redirects or frames its content).
    Start,
    /// A column or one page of a paginated list.
    List,
    /// An article linked under a report title, or a page stored as a report.
    Report,
    /// A file (PDF, DOC…) linked under a report title: it is the report.
    ReportFile,
    /// A further page of a split article, or the document an article frames: fetched
    /// with its first page, never on its own.
    Part,
    /// A file attached to an article, fetched with it.
    Attachment,
    /// A page classified on its own (`xxgk crawl --explain URL`): not reached by a link.
    Unknown,
}

impl PageRole {
    pub const ALL: [PageRole; 7] = [
        PageRole::Start,
        PageRole::List,
        PageRole::Report,
        PageRole::ReportFile,
        PageRole::Part,
        PageRole::Attachment,
        PageRole::Unknown,
    ];

    /// The name stored in the archive and shown in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            PageRole::Start => "start",
            PageRole::List => "list",
            PageRole::Report => "report",
            PageRole::ReportFile => "report_file",
            PageRole::Part => "part",
            PageRole::Attachment => "attachment",
            PageRole::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PageRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored name that is not a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown page role {:?}", self.0)
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for PageRole {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<PageRole, UnknownRole> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_stored_name() {
        for role in PageRole::ALL {
            assert_eq!(role.as_str().parse::<PageRole>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).expect("json"),
                format!("\"{role}\"")
            );
        }
        assert_eq!(
            "page".parse::<PageRole>(),
            Err(UnknownRole("page".to_string()))
        );
    }
}
