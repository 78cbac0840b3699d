//! Which school a report names, for imports (issue 11): the longest registry name or
//! alias, matched on folded text (both scripts) in the title, then the first lines, then
//! the body — never a name cut from a sentence. Crawled reports do not need this: the
//! source names the school ([`crate::extract::report_from_page`]).
//!
//! One exception for schools outside the registry (new or invented ones): a title of the
//! clear shape `[academic year]NAME[year]信息公开…` names NAME, when NAME is a run of Han
//! characters ending in 大学 / 学院 / 学校 that starts the title (after the year).

use aho_corasick::{AhoCorasick, MatchKind};
use xxgk_archive::registry::name_key;
use xxgk_model::fold::{fold, is_han};

/// Known school names (registry names and aliases), matched in folded text.
#[derive(Debug, Clone)]
pub struct SchoolNames {
    matcher: Option<AhoCorasick>,
    keys: Vec<String>,
}

impl SchoolNames {
    /// A matcher over `names` (any script; keyed by [`name_key`]). Names shorter than four
    /// characters are left out: they occur inside other words.
    pub fn new<I, S>(names: I) -> SchoolNames
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut keys: Vec<String> = names
            .into_iter()
            .map(|n| name_key(n.as_ref()))
            .filter(|k| k.chars().count() >= 4)
            .collect();
        keys.sort();
        keys.dedup();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&keys)
            .ok();
        SchoolNames { matcher, keys }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The longest known name in `text`, as written there (same span in the original).
    pub fn find(&self, text: &str) -> Option<String> {
        let matcher = self.matcher.as_ref()?;
        let folded = fold(text);
        let best = matcher
            .find_overlapping_iter(&folded)
            .max_by_key(|m| (m.len(), std::cmp::Reverse(m.start())))?;
        // Folding keeps the character count: map the byte span to characters.
        let start = folded[..best.start()].chars().count();
        let len = folded[best.start()..best.end()].chars().count();
        Some(text.chars().skip(start).take(len).collect())
    }
}

/// The school of an imported report: the longest known name in the title, a name the title
/// clearly starts with, then the longest known name in the first lines, then in the body.
pub fn school_in(
    names: &SchoolNames,
    title: Option<&str>,
    first_lines: &str,
    body: &str,
) -> Option<String> {
    title
        .and_then(|t| names.find(t).or_else(|| name_starting_title(t)))
        .or_else(|| names.find(first_lines))
        .or_else(|| names.find(body))
}

/// NAME in a title shaped `[year]NAME[year]信息公开…` (`2020-2021学年度东海海洋大学信息公开
/// 工作年度报告`, `北岭大学2021年信息公开工作报告`), as written.
pub fn name_starting_title(title: &str) -> Option<String> {
    let orig: Vec<char> = title.trim().chars().collect();
    let f: Vec<char> = fold(&orig.iter().collect::<String>()).chars().collect();
    // Skip a leading year: digits, dashes, 学年度 / 学年 / 年度 / 年, spaces.
    let mut i = 0;
    while i < f.len() && (f[i].is_ascii_digit() || "-—–~至/ ".contains(f[i])) {
        i += 1;
    }
    if i > 0 {
        for word in ["学年度", "学年", "年度", "年"] {
            let w: Vec<char> = word.chars().collect();
            if f.get(i..i + w.len()) == Some(&w[..]) {
                i += w.len();
                break;
            }
        }
    }
    let start = i;
    while i < f.len() && is_han(f[i]) {
        i += 1;
    }
    // The Han run goes up to a year or to 信息公开; the name is the run before 信息公开.
    let run: String = f[start..i].iter().collect();
    let name_len = match run.find("信息公开").or_else(|| run.find("校务公开")) {
        Some(byte) => run[..byte].chars().count(),
        None if f.get(i).is_some_and(char::is_ascii_digit) => run.chars().count(),
        None => return None,
    };
    let name: String = f[start..start + name_len].iter().collect();
    let n = name.chars().count();
    const BEFORE: &[&str] = &[
        "关于", "公布", "转发", "我校", "本校", "学校", "印发", "发布",
    ];
    let plausible = (4..=20).contains(&n)
        && ["大学", "学院", "学校"].iter().any(|s| name.ends_with(s))
        && !BEFORE.iter().any(|b| name.starts_with(b));
    plausible.then(|| orig[start..start + name_len].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> SchoolNames {
        SchoolNames::new([
            "集美大学",
            "集美大学诚毅学院",
            "河南机电职业学院",
            "长江大学",
        ])
    }

    #[test]
    fn the_longest_known_name_as_written() {
        let n = names();
        assert_eq!(
            n.find("请联系集美大学诚毅学院办公室").as_deref(),
            Some("集美大学诚毅学院")
        );
        assert_eq!(
            n.find("現編制本學年河南機電職業學院信息公開").as_deref(),
            Some("河南機電職業學院")
        );
        assert_eq!(n.find("进一步提高学校信息公开水平"), None);
    }

    /// Issue 11: names are never cut from a sentence.
    #[test]
    fn issue_11_no_names_cut_from_sentences() {
        let n = names();
        for body in [
            "公众查阅学校信息公开目录",
            "进一步提高学校信息公开工作水平",
            "代职业学院开展工作",
        ] {
            assert_eq!(school_in(&n, None, body, body), None, "{body}");
        }
        assert_eq!(
            school_in(
                &n,
                Some("2020-2021学年信息公开年度报告"),
                "请联系集美大学诚毅学院",
                ""
            )
            .as_deref(),
            Some("集美大学诚毅学院")
        );
    }

    #[test]
    fn a_title_that_starts_with_a_name() {
        assert_eq!(
            name_starting_title("2021-2022学年度东海海洋大学信息公开工作年度报告").as_deref(),
            Some("东海海洋大学")
        );
        assert_eq!(
            name_starting_title("2019-2020學年北辰職業技術學院信息公開工作年度報告").as_deref(),
            Some("北辰職業技術學院")
        );
        assert_eq!(
            name_starting_title("北岭大学2021年信息公开工作报告").as_deref(),
            Some("北岭大学")
        );
        assert_eq!(
            name_starting_title("2020年度南岭师范大学信息公开工作年度报告").as_deref(),
            Some("南岭师范大学")
        );
        assert_eq!(
            name_starting_title("关于公布福建医科大学2019-2020学年信息公开年度报告的通知"),
            None
        );
        assert_eq!(name_starting_title("2020-2021学年信息公开年度报告"), None);
    }
}
