//! "Which schools disclose X — and which do not": the index's answer (schools whose
//! reports match, and reports that were read and are silent) joined with the archive's
//! institutions that have no report to read.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use xxgk_archive::{NoReport, Status};
use xxgk_index::SchoolMatches;
use xxgk_model::names::name_key;

/// The "which schools" question with absence made honest: the index's `matched` and
/// `unmatched` (reports that were read), and `no_report` (no report to read).
#[derive(Debug, Clone, Serialize)]
pub struct SchoolsAnswer {
    #[serde(flatten)]
    pub matches: SchoolMatches,
    pub no_report: Vec<NoReport>,
}

impl SchoolsAnswer {
    /// Joins the index's answer with the institutions that have no report in scope. A
    /// school the index lists as unmatched with nothing in scope is moved to `no_report`
    /// (it has no report to be silent in); one with a report in scope stays unmatched.
    pub fn new(mut matches: SchoolMatches, no_report: Vec<NoReport>) -> SchoolsAnswer {
        let absent: HashSet<&str> = no_report
            .iter()
            .flat_map(|n| n.keys.iter().map(String::as_str))
            .collect();
        matches
            .unmatched
            .retain(|u| u.sections_in_scope > 0 || !absent.contains(name_key(&u.school).as_str()));
        SchoolsAnswer { matches, no_report }
    }

    /// `no_report` counted by status.
    pub fn no_report_totals(&self) -> BTreeMap<Status, usize> {
        let mut t = BTreeMap::new();
        for n in &self.no_report {
            *t.entry(n.status).or_default() += 1;
        }
        t
    }
}
