//! The filters a question takes, checked once here for the site, the API and the
//! command line alike: a value the archive could never match is the caller's mistake (a
//! 400, a non-zero exit), never an answer that every school is "not found".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use xxgk_archive::{Institution, InstitutionFilter};
use xxgk_model::names::{name_key, province_short};
use xxgk_model::year::ReportYear;
use xxgk_model::SectionId;

use crate::{Error, Result};

/// Most names suggested for a school filter that names nothing known.
const SUGGESTIONS: usize = 6;

/// A year filter: a report year label, `2020-2021` (the academic year) or `2023` (the
/// calendar year), 1990–2100, as [`ReportYear`] reads it. Returns the label trimmed.
pub fn year(label: &str) -> Result<String> {
    let label = label.trim();
    match ReportYear::parse(label) {
        Some(y) => Ok(y.label()),
        None => Err(Error::BadRequest(format!(
            "年度“{label}”无效：请写学年（如 2020-2021，两年相连）或自然年（如 2023），1990–2100 年之间"
        ))),
    }
}

/// Section filters by their names (`on_request`, …), for the site and the CLI alike; an
/// unknown one is the caller's mistake, with the sections that exist.
pub fn sections(names: &[String]) -> Result<Vec<SectionId>> {
    names
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            SectionId::parse(s).ok_or_else(|| {
                let known: Vec<String> = SectionId::ALL
                    .iter()
                    .map(|id| format!("{}（{}）", id.as_str(), id.label()))
                    .collect();
                Error::BadRequest(format!("栏目“{s}”不存在；可选：{}", known.join("、")))
            })
        })
        .collect()
}

/// Every value of a repeated year filter (see [`year`]).
pub fn years(labels: &[String]) -> Result<Vec<String>> {
    labels.iter().map(|y| year(y)).collect()
}

/// A year filter that must be an academic year (the coverage matrix counts academic
/// years): `2019-2020`.
pub fn academic_year(label: &str) -> Result<String> {
    let label = label.trim();
    match ReportYear::parse(label) {
        Some(y @ ReportYear::Academic(_)) => Ok(y.label()),
        Some(ReportYear::Calendar(y)) => Err(Error::BadRequest(format!(
            "年度“{label}”无效：覆盖情况按学年统计，请写学年，如 {}-{y}",
            y - 1
        ))),
        None => Err(Error::BadRequest(format!(
            "年度“{label}”无效：请写学年，如 2019-2020（两年相连，1990–2100 年之间）"
        ))),
    }
}

/// Every value of a repeated academic-year filter (see [`academic_year`]).
pub fn academic_years(labels: &[String]) -> Result<Vec<String>> {
    labels.iter().map(|y| academic_year(y)).collect()
}

/// The names and years a filter is checked against: the schools and years of the index,
/// the archive's institutions (names, aliases, provinces). Built once per index
/// generation (see [`crate::App::known`]).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Folded name → the school names as the index holds them.
    index_names: HashMap<String, BTreeSet<String>>,
    /// Folded name or alias → every folded name of that institution.
    institutions: HashMap<String, Vec<String>>,
    /// Display names (index and archive), for suggestions: (folded, shown).
    shown: Vec<(String, String)>,
    /// Province short names the archive knows (北京, 广西).
    provinces: BTreeSet<String>,
    /// Report years the index holds.
    pub years: Vec<String>,
}

impl Known {
    /// From the index's school names and years and the archive's institutions.
    pub fn new<'a>(
        index_schools: impl IntoIterator<Item = &'a String>,
        index_years: impl IntoIterator<Item = &'a String>,
        institutions: &[Institution],
    ) -> Known {
        let mut k = Known::default();
        let mut shown: BTreeMap<String, String> = BTreeMap::new();
        for name in index_schools {
            let key = name_key(name);
            k.index_names
                .entry(key.clone())
                .or_default()
                .insert(name.clone());
            shown.entry(key).or_insert_with(|| name.clone());
        }
        for inst in institutions {
            let keys: Vec<String> = std::iter::once(&inst.name)
                .chain(&inst.aliases)
                .map(|n| name_key(n))
                .filter(|k| !k.is_empty())
                .collect();
            for key in &keys {
                k.institutions.insert(key.clone(), keys.clone());
            }
            shown
                .entry(name_key(&inst.name))
                .or_insert_with(|| inst.name.clone());
            if let Some(p) = &inst.province {
                k.provinces.insert(province_short(p).to_string());
            }
        }
        k.shown = shown.into_iter().collect();
        k.years = index_years.into_iter().cloned().collect();
        k
    }

    /// A rough size in bytes (for the cache's budget).
    pub(crate) fn weigh(&self) -> usize {
        let names: usize = self
            .index_names
            .iter()
            .map(|(k, v)| 64 + k.len() + v.iter().map(|n| 32 + n.len()).sum::<usize>())
            .sum();
        let inst: usize = self
            .institutions
            .iter()
            .map(|(k, v)| 64 + k.len() + v.iter().map(|n| 32 + n.len()).sum::<usize>())
            .sum();
        let shown: usize = self.shown.iter().map(|(a, b)| 48 + a.len() + b.len()).sum();
        names + inst + shown + 32 * (self.provinces.len() + self.years.len())
    }

    /// A school filter's values as the index names them, in either script, full- or
    /// half-width, by a registry alias (翠谷大学 → 翠谷大學 when that is how the report
    /// writes it). A value the archive knows but the index does not stays as given (its
    /// answer is "no report"); a value nobody knows is the caller's mistake, with the
    /// names it may have meant.
    pub fn schools(&self, values: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for value in values {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let key = name_key(value);
            let mut keys = vec![key.clone()];
            if let Some(all) = self.institutions.get(&key) {
                keys.extend(all.iter().cloned());
            }
            let found: BTreeSet<&String> = keys
                .iter()
                .filter_map(|k| self.index_names.get(k))
                .flatten()
                .collect();
            if !found.is_empty() {
                out.extend(found.into_iter().cloned());
            } else if self.institutions.contains_key(&key) {
                out.push(value.to_string());
            } else {
                return Err(Error::BadRequest(self.unknown_school(value, &key)));
            }
        }
        out.dedup();
        Ok(out)
    }

    fn unknown_school(&self, value: &str, key: &str) -> String {
        let mut near: Vec<&(String, String)> = self
            .shown
            .iter()
            .filter(|(k, _)| !key.is_empty() && (k.contains(key) || key.contains(k.as_str())))
            .collect();
        near.sort_by_key(|(k, _)| (!k.starts_with(key), k.chars().count()));
        let near: Vec<&str> = near
            .iter()
            .take(SUGGESTIONS)
            .map(|(_, n)| n.as_str())
            .collect();
        if near.is_empty() {
            format!("没有名为“{value}”的学校：请检查校名（简体、繁体均可）")
        } else {
            format!(
                "没有名为“{value}”的学校；您要找的是不是：{}",
                near.join("、")
            )
        }
    }

    /// A province and level filter: the province one the archive knows (湖南 or
    /// 湖南省), the level 本科 or 专科.
    pub fn institution_filter(&self, filter: &InstitutionFilter) -> Result<()> {
        if let Some(l) = &filter.level {
            if !matches!(l.trim(), "本科" | "专科") {
                return Err(Error::BadRequest(format!(
                    "层次“{}”无效：请写 本科 或 专科",
                    l.trim()
                )));
            }
        }
        if let Some(p) = &filter.province {
            let short = province_short(p);
            if !self.provinces.is_empty() && !self.provinces.contains(short) {
                let all: Vec<&str> = self.provinces.iter().map(String::as_str).collect();
                return Err(Error::BadRequest(format!(
                    "没有“{}”这个省份；可选：{}",
                    p.trim(),
                    all.join("、")
                )));
            }
        }
        Ok(())
    }

    /// Year filters (see [`years`]) that the index also holds reports for: asking which
    /// schools disclose something in a year no report covers would list every school as
    /// silent.
    pub fn held_years(&self, labels: &[String]) -> Result<Vec<String>> {
        let years = years(labels)?;
        for y in &years {
            if !self.years.contains(y) {
                return Err(Error::BadRequest(format!(
                    "没有 {y} 年度的报告；已有年度：{}",
                    if self.years.is_empty() {
                        "无（尚未导入或抓取报告）".to_string()
                    } else {
                        self.years.join("、")
                    }
                )));
            }
        }
        Ok(years)
    }
}

/// Academic-year filters for the coverage matrix (see [`academic_years`]) that are not
/// after `last` (the last academic year that has ended) unless the index holds reports
/// for them: a year still to come would be "not found" everywhere.
pub fn coverage_years(labels: &[String], last: &str, held: &[String]) -> Result<Vec<String>> {
    let years = academic_years(labels)?;
    for y in &years {
        if y.as_str() > last && !held.contains(y) {
            return Err(Error::BadRequest(format!(
                "学年“{y}”还没有结束，不会有报告：最近的学年是 {last}"
            )));
        }
    }
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(name: &str, aliases: &[&str], province: &str) -> Institution {
        Institution {
            id: 1,
            code: None,
            name: name.into(),
            province: Some(province.into()),
            city: None,
            authority: None,
            level: Some("本科".into()),
            remark: None,
            origin: "registry-2017".into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            sources: Vec::new(),
        }
    }

    fn known() -> Known {
        let schools = ["翠谷大學".to_string(), "东海海洋大学".to_string()];
        let years = ["2019-2020".to_string(), "2020-2021".to_string()];
        Known::new(
            &schools,
            &years,
            &[
                inst("翠谷大学", &[], "湖南省"),
                inst("东海海洋大学", &[], "浙江省"),
                inst("东海职业学院", &["東海職院"], "浙江省"),
                inst("北岭师范学院", &["北岭师专"], "湖南省"),
            ],
        )
    }

    /// Issue 18: a school filter is matched in either script and by alias, and a name
    /// nobody knows is an error that suggests the names it may mean — never an answer.
    #[test]
    fn school_filters_are_folded_and_unknown_ones_refused() {
        let k = known();
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(k.schools(&v(&["翠谷大学"])).expect("folded"), ["翠谷大學"]);
        assert_eq!(k.schools(&v(&[" 翠谷大學 "])).expect("as is"), ["翠谷大學"]);
        // Known to the archive only (no report indexed): kept, its answer is "no report".
        assert_eq!(k.schools(&v(&["北岭师专"])).expect("alias"), ["北岭师专"]);
        let err = k.schools(&v(&["不存在大学"])).expect_err("unknown");
        assert!(err.is_user_error());
        assert!(err.to_string().contains("不存在大学"), "{err}");
        let err = k.schools(&v(&["东海"])).expect_err("partial");
        let msg = err.to_string();
        assert!(
            msg.contains("东海海洋大学") && msg.contains("东海职业学院"),
            "{msg}"
        );
    }

    #[test]
    fn provinces_levels_and_years_are_checked_against_what_is_held() {
        let k = known();
        let filter = |p: &str, l: Option<&str>| InstitutionFilter {
            province: Some(p.into()),
            level: l.map(Into::into),
        };
        k.institution_filter(&filter("湖南", None)).expect("short");
        k.institution_filter(&filter("浙江省", Some("本科")))
            .expect("long");
        let err = k
            .institution_filter(&filter("火星", None))
            .expect_err("mars");
        assert!(err.to_string().contains("湖南"), "{err}");
        assert!(k.institution_filter(&filter("湖南", Some("硕士"))).is_err());

        assert_eq!(
            k.held_years(&["2020-2021".into()]).expect("held"),
            ["2020-2021"]
        );
        let err = k.held_years(&["2030-2031".into()]).expect_err("not held");
        assert!(err.to_string().contains("2019-2020、2020-2021"), "{err}");
        assert!(k.held_years(&["abc".into()]).is_err());

        assert!(coverage_years(&["2030-2031".into()], "2024-2025", &[]).is_err());
        assert_eq!(
            coverage_years(&["2024-2025".into()], "2024-2025", &[]).expect("ended"),
            ["2024-2025"]
        );
    }

    #[test]
    fn years_are_academic_or_calendar_and_plausible() {
        assert_eq!(year(" 2020-2021 ").expect("academic"), "2020-2021");
        assert_eq!(year("2023").expect("calendar"), "2023");
        for bad in ["abc", "2020-2022", "2021-2020", "1800-1801", "2020-21", ""] {
            let err = year(bad).expect_err(bad);
            assert!(err.is_user_error(), "{bad}");
            assert!(err.to_string().contains("年度"), "{err}");
        }
    }

    #[test]
    fn sections_by_name_or_a_message_listing_them() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            sections(&v(&[" on_request ", ""])).expect("known"),
            [SectionId::OnRequest]
        );
        let err = sections(&v(&["fees"])).expect_err("unknown");
        assert!(err.is_user_error());
        let msg = err.to_string();
        assert!(
            msg.contains("栏目“fees”") && msg.contains("on_request"),
            "{msg}"
        );
    }

    #[test]
    fn coverage_takes_academic_years_only() {
        assert_eq!(academic_year("2019-2020").expect("ok"), "2019-2020");
        let err = academic_year("2020").expect_err("calendar");
        assert!(err.to_string().contains("2019-2020"), "{err}");
        assert!(academic_years(&["2019-2020".into(), "x".into()]).is_err());
    }
}
