//! The journalist's question: which schools disclose X — and which do not?
//!
//! Built from ordinary searches so that "matches" means exactly what it means on the
//! search page: one search over the scope (the filters, no query) lists every school
//! that has indexed sections there; one search with the query gives the matching
//! sections per school; then, per school, one small search for its best hit (and its
//! matching years) or for the years it has in scope. That is 2 + (number of schools)
//! searches of one hit each, cheap next to a facet pass, and it keeps this module free
//! of Tantivy internals.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{Engine, Hit, SearchRequest};
use crate::report::SectionId;
use crate::Result;

/// Which schools match `query` within the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolsRequest {
    /// Search text (same language as [`SearchRequest::query`]); empty means "has any
    /// section in scope".
    pub query: String,
    /// Only these schools (empty: all).
    pub schools: Vec<String>,
    pub years: Vec<String>,
    pub sections: Vec<SectionId>,
}

impl SchoolsRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SchoolsRequest {
            query: query.into(),
            ..SchoolsRequest::default()
        }
    }

    fn search(&self, query: &str, schools: Vec<String>) -> SearchRequest {
        let mut req = SearchRequest::new(query);
        req.schools = schools;
        req.years = self.years.clone();
        req.sections = self.sections.clone();
        req.limit = 1;
        req
    }
}

/// The JSON contract of `xxgk schools --json` and `/api/schools`.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolMatches {
    pub query: String,
    pub years: Vec<String>,
    pub sections: Vec<SectionId>,
    /// Schools with at least one matching section, most matching sections first.
    pub matched: Vec<SchoolMatch>,
    /// Every other indexed school (within the school filter), by name.
    pub unmatched: Vec<SchoolNoMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolMatch {
    pub school: String,
    /// The institution key of the school's reports (see [`crate::Report::institution`]),
    /// for joining with the archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// Matching sections (over all of the school's reports in scope).
    pub matching_sections: u64,
    /// Sections of the school in scope (the filters, without the query).
    pub sections_in_scope: u64,
    /// Matching sections per year.
    pub years: BTreeMap<String, u64>,
    /// The best-ranked matching section, with its snippet and report.
    pub best: Hit,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolNoMatch {
    pub school: String,
    /// As [`SchoolMatch::institution`]; `None` also for a named school the index does
    /// not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// Sections of the school in scope; 0 when it has no report for the filters at all
    /// (not the same thing as a report that is silent on the query).
    pub sections_in_scope: u64,
    /// Years of the school's reports in scope.
    pub years_in_scope: Vec<String>,
    /// The reports in scope that were read and do not mention the query: the evidence of
    /// "does not mention" (issue 18), newest year first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reports_read: Vec<ReportRead>,
}

/// A report that was read for a school that does not mention the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRead {
    pub report_id: String,
    pub title: String,
    pub year: Option<String>,
    pub url: String,
}

/// Reports listed as read for one school that does not mention the query, at most.
const REPORTS_READ: usize = 20;

impl Engine {
    /// Every school of the index (or of `req.schools`) split into those with a section
    /// matching the query within the filters and those without one.
    pub fn schools(&self, req: &SchoolsRequest) -> Result<SchoolMatches> {
        let _span = tracing::info_span!("schools", query = %req.query).entered();
        let all = self.search(&SearchRequest {
            years: Vec::new(),
            sections: Vec::new(),
            ..req.search("", req.schools.clone())
        })?;
        let scope = self.search(&req.search("", req.schools.clone()))?;
        let matching = self.search(&req.search(&req.query, req.schools.clone()))?;

        let mut schools: Vec<&String> = all.facets.school.keys().collect();
        if !req.schools.is_empty() {
            // A named school with nothing indexed is still an answer ("not found").
            schools.extend(req.schools.iter());
            schools.sort();
            schools.dedup();
        }
        let mut matched = Vec::new();
        let mut unmatched = Vec::new();
        for school in schools {
            let in_scope = scope.facets.school.get(school).copied().unwrap_or(0);
            match matching.facets.school.get(school).copied() {
                Some(n) if n > 0 => {
                    let one = self.search(&req.search(&req.query, vec![school.clone()]))?;
                    let Some(best) = one.hits.into_iter().next() else {
                        continue;
                    };
                    matched.push(SchoolMatch {
                        school: school.clone(),
                        institution: best.institution.clone(),
                        matching_sections: n,
                        sections_in_scope: in_scope,
                        years: one.facets.year,
                        best,
                    });
                }
                _ => {
                    let (years_in_scope, institution, reports_read) = if in_scope > 0 {
                        let mut r = req.search("", vec![school.clone()]);
                        r.snippet_chars = 10;
                        r.group = crate::Group::Report;
                        r.limit = REPORTS_READ;
                        let found = self.search(&r)?;
                        let institution = found.hits.first().and_then(|h| h.institution.clone());
                        let mut read: Vec<ReportRead> = found
                            .hits
                            .into_iter()
                            .map(|h| ReportRead {
                                report_id: h.report_id,
                                title: h.title,
                                year: h.year,
                                url: h.url,
                            })
                            .collect();
                        read.sort_by(|a, b| {
                            b.year
                                .cmp(&a.year)
                                .then_with(|| a.report_id.cmp(&b.report_id))
                        });
                        read.dedup_by(|a, b| a.report_id == b.report_id);
                        (found.facets.year.into_keys().collect(), institution, read)
                    } else if all.facets.school.contains_key(school) {
                        // Indexed, only not in scope: its institution from any section.
                        let mut r = req.search("", vec![school.clone()]);
                        r.years.clear();
                        r.sections.clear();
                        r.snippet_chars = 10;
                        let found = self.search(&r)?;
                        (
                            Vec::new(),
                            found.hits.into_iter().next().and_then(|h| h.institution),
                            Vec::new(),
                        )
                    } else {
                        (Vec::new(), None, Vec::new())
                    };
                    unmatched.push(SchoolNoMatch {
                        school: school.clone(),
                        institution,
                        sections_in_scope: in_scope,
                        years_in_scope,
                        reports_read,
                    });
                }
            }
        }
        matched.sort_by(|a, b| {
            b.matching_sections
                .cmp(&a.matching_sections)
                .then_with(|| a.school.cmp(&b.school))
        });
        Ok(SchoolMatches {
            query: req.query.clone(),
            years: req.years.clone(),
            sections: req.sections.clone(),
            matched,
            unmatched,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Report, Script};

    fn report(school: &str, year: &str, script: Script, texts: &[(SectionId, &str)]) -> Report {
        let builder = xxgk_testkit::report(school, year)
            .url(&format!("https://{school}.example.edu.cn/{year}.htm"))
            .published(&format!("{}-10-30", &year[5..]))
            .script(script);
        texts
            .iter()
            .fold(builder, |b, (s, text)| b.section(*s, s.label(), text))
            .build()
    }

    fn engine() -> Engine {
        let engine = Engine::create_in_ram().expect("ram index");
        let mut w = engine.writer(1).expect("writer");
        let reports = [
            report(
                "甲大学",
                "2020-2021",
                Script::Simplified,
                &[
                    (SectionId::Proactive, "公开了收费标准和收费依据。"),
                    (SectionId::OnRequest, "收到依申请公开2件，收费标准咨询1件。"),
                ],
            ),
            report(
                "甲大学",
                "2021-2022",
                Script::Simplified,
                &[(SectionId::Proactive, "公开了招生章程。")],
            ),
            report(
                "乙大學",
                "2021-2022",
                Script::Traditional,
                &[(SectionId::Proactive, "公開了收費標準。")],
            ),
            report(
                "丙学院",
                "2021-2022",
                Script::Simplified,
                &[(SectionId::Proactive, "公开了财务信息。")],
            ),
            report(
                "丁学院",
                "2019-2020",
                Script::Simplified,
                &[(SectionId::Proactive, "公开了财务信息。")],
            ),
        ];
        for r in &reports {
            w.upsert(r).expect("upsert");
        }
        w.commit().expect("commit");
        engine.reload().expect("reload");
        engine
    }

    fn names<T>(rows: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
        rows.iter().map(|r| name(r).to_string()).collect()
    }

    #[test]
    fn splits_all_schools_into_matching_and_silent_in_both_scripts() {
        let engine = engine();
        for query in ["收费标准", "收費標準"] {
            let out = engine
                .schools(&SchoolsRequest::new(query))
                .expect("schools");
            assert_eq!(names(&out.matched, |m| &m.school), ["甲大学", "乙大學"]);
            assert_eq!(names(&out.unmatched, |m| &m.school), ["丁学院", "丙学院"]);
            let jia = &out.matched[0];
            assert_eq!(jia.matching_sections, 2);
            assert_eq!(jia.sections_in_scope, 3);
            assert_eq!(jia.years.get("2020-2021"), Some(&2));
            assert!(jia.best.snippet_html.contains("<mark>收费标准</mark>"));
            let yi = &out.matched[1];
            assert!(
                yi.best.snippet_html.contains("<mark>收費標準</mark>"),
                "{yi:?}"
            );
        }
    }

    #[test]
    fn filters_narrow_both_lists_and_tell_no_report_from_silence() {
        let engine = engine();
        let mut req = SchoolsRequest::new("收费标准");
        req.years = vec!["2021-2022".into()];
        let out = engine.schools(&req).expect("schools");
        assert_eq!(names(&out.matched, |m| &m.school), ["乙大學"]);
        let silent: BTreeMap<_, _> = out
            .unmatched
            .iter()
            .map(|u| {
                (
                    u.school.as_str(),
                    (u.sections_in_scope, u.years_in_scope.clone()),
                )
            })
            .collect();
        // 甲 has a 2021-2022 report that does not mention it; 丁 has none for that year.
        assert_eq!(silent["甲大学"], (1, vec!["2021-2022".to_string()]));
        assert_eq!(silent["丙学院"], (1, vec!["2021-2022".to_string()]));
        assert_eq!(silent["丁学院"], (0, vec![]));

        req.sections = vec![SectionId::OnRequest];
        req.years.clear();
        let out = engine.schools(&req).expect("schools");
        assert_eq!(names(&out.matched, |m| &m.school), ["甲大学"]);
        assert_eq!(out.matched[0].matching_sections, 1);
    }

    #[test]
    fn school_filter_keeps_named_schools_even_if_unknown() {
        let engine = engine();
        let mut req = SchoolsRequest::new("收费标准");
        req.schools = vec!["乙大學".into(), "不存在大学".into()];
        let out = engine.schools(&req).expect("schools");
        assert_eq!(names(&out.matched, |m| &m.school), ["乙大學"]);
        assert_eq!(names(&out.unmatched, |m| &m.school), ["不存在大学"]);
        assert_eq!(out.unmatched[0].sections_in_scope, 0);
    }

    #[test]
    fn bad_queries_are_user_errors() {
        let engine = engine();
        let err = engine
            .schools(&SchoolsRequest::new("-收费"))
            .expect_err("only exclusions");
        assert!(err.is_user_error());
    }
}
