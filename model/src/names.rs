//! The keys school and province names are compared by, decided once: every crate that
//! matches a name (the archive's institutions, the crawler's name finder, the filters of
//! the site and the command line) goes through these.

/// The key a name is looked up by: folded to simplified, half-width, lower case, without
/// spaces and brackets' width differences — 北京師範大學 and 北京师范大学 are one key,
/// and so are 华北电力大学（保定） and 华北电力大学(保定).
pub fn name_key(name: &str) -> String {
    crate::fold::fold(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Province names as the registry writes them (北京市, 广西壮族自治区) and as people do
/// (北京, 广西): the short form, for matching filters and sources' `province`.
pub fn province_short(p: &str) -> &str {
    let p = p.trim();
    for suffix in [
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "自治区",
        "特别行政区",
        "省",
        "市",
    ] {
        if let Some(short) = p.strip_suffix(suffix) {
            if !short.is_empty() {
                return short;
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_widths_and_spaces_share_a_key() {
        assert_eq!(name_key("北京師範大學"), name_key("北京师范大学"));
        assert_eq!(
            name_key("华北电力大学（保定）"),
            name_key("华北电力大学(保定)")
        );
        assert_eq!(name_key("翠谷 大学"), "翠谷大学");
        assert_ne!(name_key("北京大学"), name_key("北京师范大学"));
    }

    #[test]
    fn provinces_lose_their_suffix_but_not_their_name() {
        assert_eq!(province_short("广西壮族自治区"), "广西");
        assert_eq!(province_short("北京市"), "北京");
        assert_eq!(province_short("  浙江省 "), "浙江");
        assert_eq!(province_short("省"), "省");
    }
}
