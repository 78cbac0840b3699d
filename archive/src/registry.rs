//! The institution registry: the Ministry of Education's list of regular higher-education
//! institutions (全国普通高等学校名单), **as published in 2017** — 2,631 institutions with
//! their 10-digit code, name, province, city, supervising authority, level and remark.
//! It ships inside the binary (`data/institutions-2017.tsv`) and is loaded into the
//! archive at open; it is what coverage counts against ("every institution that must
//! publish").
//!
//! Names changed since 2017 and schools opened since are not in it: a source links to
//! its row by exact name or by `code`, with `aliases` for the old name, a traditional
//! spelling or a short name; a source whose name is not in the list is an institution of
//! its own (see [`crate::Archive::sync_sources`]).

use serde::Serialize;

use crate::{Error, Result};

/// The registry file, as shipped.
pub const REGISTRY_TSV: &str = include_str!("../data/institutions-2017.tsv");
/// Which list [`REGISTRY_TSV`] is, as stored in `institutions.origin`.
pub const REGISTRY_ORIGIN: &str = "registry-2017";

/// One institution of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryEntry {
    /// 学校标识码: ten digits, `41` + the province's two-digit GB/T 2260 code + …
    pub code: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub authority: String,
    /// 本科 or 专科.
    pub level: String,
    /// 民办, 中外合作办学 … or empty (public).
    pub remark: String,
}

/// Parses a registry file (header line, then one tab-separated row per institution).
pub fn parse(tsv: &str) -> Result<Vec<RegistryEntry>> {
    let mut lines = tsv.lines().enumerate();
    let header = lines
        .next()
        .map(|(_, l)| l.trim_start_matches('\u{feff}'))
        .unwrap_or_default();
    let expected = "code\tname\tprovince\tcity\tauthority\tlevel\tremark";
    if header != expected {
        return Err(Error::Registry(format!(
            "header is {header:?}, expected {expected:?}"
        )));
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        if f.len() != 7 {
            return Err(Error::Registry(format!(
                "line {}: {} fields, expected 7",
                i + 1,
                f.len()
            )));
        }
        if f[0].len() != 10 || !f[0].bytes().all(|b| b.is_ascii_digit()) || f[1].is_empty() {
            return Err(Error::Registry(format!(
                "line {}: bad code or empty name: {line:?}",
                i + 1
            )));
        }
        out.push(RegistryEntry {
            code: f[0].into(),
            name: f[1].into(),
            province: f[2].into(),
            city: f[3].into(),
            authority: f[4].into(),
            level: f[5].into(),
            remark: f[6].into(),
        });
    }
    Ok(out)
}

/// The shipped registry.
pub fn shipped() -> Result<Vec<RegistryEntry>> {
    parse(REGISTRY_TSV)
}

pub use xxgk_model::names::{name_key, province_short};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_registry_parses_whole() {
        let all = shipped().expect("registry");
        assert_eq!(all.len(), 2631);
        let codes: std::collections::HashSet<&str> = all.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        let pku = all.iter().find(|e| e.name == "北京大学").expect("北京大学");
        assert_eq!(pku.code, "4111010001");
        assert_eq!(pku.level, "本科");
        assert!(all.iter().all(|e| e.level == "本科" || e.level == "专科"));
        // Digits 3–4 of the code are the province.
        let hunan: Vec<_> = all.iter().filter(|e| e.province == "湖南省").collect();
        assert!(hunan.len() > 100);
        assert!(hunan.iter().all(|e| &e.code[2..4] == "43"));
    }

    #[test]
    fn bad_registry_files_are_refused() {
        assert!(parse("name\tcode\n").is_err());
        let header = "code\tname\tprovince\tcity\tauthority\tlevel\tremark\n";
        assert!(parse(&format!(
            "{header}411101\t甲\t北京市\t北京市\t教育部\t本科\t\n"
        ))
        .is_err());
        assert!(parse(&format!("{header}4111010001\t甲\t北京市\n")).is_err());
        assert_eq!(
            parse(&format!(
                "{header}4111010001\t甲大学\t北京市\t北京市\t教育部\t本科\t\n"
            ))
            .expect("ok")
            .len(),
            1
        );
    }

    #[test]
    fn names_fold_across_scripts_and_widths() {
        assert_eq!(name_key("北京師範大學"), name_key("北京师范大学"));
        assert_eq!(
            name_key("华北电力大学（保定）"),
            name_key("华北电力大学(保定)")
        );
        assert_eq!(province_short("广西壮族自治区"), "广西");
        assert_eq!(province_short("北京市"), "北京");
        assert_eq!(province_short("湖南"), "湖南");
    }
}
