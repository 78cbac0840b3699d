//! "Which schools disclose X — and which do not": the index's answer (schools whose
//! reports match, and reports that were read and are silent) joined with the archive's
//! institutions that have no report to read.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use xxgk_archive::{NoReport, Status};
use xxgk_index::{SchoolMatches, SchoolNoMatch};
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
        // Joined by institution key; by folded name only for a school whose reports
        // carry no institution (an index built before they did).
        let absent_institutions: HashSet<&str> =
            no_report.iter().map(|n| n.institution.as_str()).collect();
        let absent_names: HashSet<&str> = no_report
            .iter()
            .flat_map(|n| n.keys.iter().map(String::as_str))
            .collect();
        let absent = |u: &SchoolNoMatch| match u.institution.as_deref() {
            Some(key) => absent_institutions.contains(key),
            None => absent_names.contains(name_key(&u.school).as_str()),
        };
        matches
            .unmatched
            .retain(|u| u.sections_in_scope > 0 || !absent(u));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn silent(school: &str, institution: Option<&str>) -> SchoolNoMatch {
        SchoolNoMatch {
            school: school.into(),
            institution: institution.map(Into::into),
            sections_in_scope: 0,
            years_in_scope: Vec::new(),
            reports_read: Vec::new(),
        }
    }

    fn no_report(school: &str, institution: &str) -> NoReport {
        NoReport {
            school: school.into(),
            code: None,
            province: None,
            status: Status::NotFound,
            detail: String::new(),
            in_sources: true,
            institution: institution.into(),
            keys: vec![name_key(school)],
        }
    }

    /// Issue 17: the index's silent schools are recognised in the archive's "no report"
    /// group by institution key, also when the name on the report is not one the
    /// registry knows; by folded name only when the report carries no institution.
    #[test]
    fn silent_schools_join_no_report_by_institution_then_by_name() {
        let matches = SchoolMatches {
            query: "收费标准".into(),
            years: vec!["2020-2021".into()],
            sections: Vec::new(),
            matched: Vec::new(),
            unmatched: vec![
                // The source's own spelling; linked to institution 4111010001.
                silent("翠谷大学（本部）", Some("4111010001")),
                // No institution on its reports: joined by folded name.
                silent("東海大學", None),
                // An institution key the archive does not list as without a report.
                silent("南山学院", Some("4111010003")),
            ],
        };
        let answer = SchoolsAnswer::new(
            matches,
            vec![
                no_report("翠谷大学", "4111010001"),
                no_report("东海大学", "x7"),
                no_report("南山学院", "4111010009"),
            ],
        );
        let still: Vec<&str> = answer
            .matches
            .unmatched
            .iter()
            .map(|u| u.school.as_str())
            .collect();
        assert_eq!(still, ["南山学院"]);
        assert_eq!(answer.no_report_totals().get(&Status::NotFound), Some(&3));
    }
}
