use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{fixture_reports, hit_schools, seeds_dir, xxgk_json, xxgk_ok};

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn import_fixtures(data: &Path) {
    let out = xxgk_ok(data, &["import", fixture_reports().to_str().expect("path")]);
    assert!(out.contains("12 new"), "{out}");
}

/// Issue 2: the fixture corpus imports with the right school, year and script for every
/// report, and its sections are split at every heading style.
#[test]
fn fixture_reports_import_with_school_year_and_sections() {
    let data = tempfile::tempdir().expect("tempdir");
    import_fixtures(data.path());
    let all = xxgk_json(data.path(), &["search", "公开", "--json", "--limit", "100"]);
    let schools: BTreeSet<String> = all["facets"]["school"]
        .as_object()
        .expect("school facet")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        schools,
        set(&[
            "东海海洋大学",
            "中原农业大学",
            "北辰職業技術學院",
            "南岭师范大学",
            "嶺東科技大學",
            "江淮财经学院",
            "西山理工学院",
            "青川醫學院"
        ])
    );
    let years: BTreeSet<String> = all["facets"]["year"]
        .as_object()
        .expect("year facet")
        .keys()
        .cloned()
        .collect();
    // nanling-2020.txt is a calendar-year report (2020年度): it keeps its label (issue 11).
    assert_eq!(years, set(&["2019-2020", "2020", "2020-2021", "2021-2022"]));
    // Every report has its complaints section, whatever its heading style (一、 一． （一）
    // 第一部分) and script.
    let complaints = xxgk_json(
        data.path(),
        &[
            "search",
            "",
            "--section",
            "complaints",
            "--json",
            "--limit",
            "100",
        ],
    );
    assert_eq!(complaints["total"], 12, "{complaints}");
    let stats = xxgk_ok(data.path(), &["stats"]);
    assert!(stats.contains("stored reports: 12"), "{stats}");
}

/// Issue 2: a query in either script finds both scripts, and the snippet shows the text as
/// written with the match marked.
#[test]
fn either_script_finds_both_and_marks_the_original() {
    let data = tempfile::tempdir().expect("tempdir");
    import_fixtures(data.path());
    let expected = set(&["东海海洋大学", "北辰職業技術學院", "中原农业大学"]);
    for query in ["收费标准", "收費標準"] {
        let r = xxgk_json(data.path(), &["search", query, "--json", "--limit", "50"]);
        assert_eq!(hit_schools(&r), expected, "{query}");
        let beichen = r["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["school"] == "北辰職業技術學院")
            .expect("traditional hit");
        let snippet = beichen["snippet_html"].as_str().expect("snippet");
        assert!(snippet.contains("<mark>收費標準</mark>"), "{snippet}");
    }
    // 財務 (traditional) finds the simplified-free traditional reports only where written.
    let r = xxgk_json(
        data.path(),
        &["search", "财务预算", "--json", "--limit", "50"],
    );
    assert_eq!(hit_schools(&r), set(&["北辰職業技術學院", "青川醫學院"]));
}

/// Issue 2: filters, phrases, OR and NOT.
#[test]
fn filters_phrases_or_and_not() {
    let data = tempfile::tempdir().expect("tempdir");
    import_fixtures(data.path());
    let d = data.path();
    let r = xxgk_json(d, &["search", "收费标准", "--year", "2021-2022", "--json"]);
    assert_eq!(hit_schools(&r), set(&["东海海洋大学", "中原农业大学"]));
    assert!(r["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|h| h["year"] == "2021-2022" && h["section"] == "key_areas"));

    let r = xxgk_json(
        d,
        &["search", "收费标准", "--school", "中原农业大学", "--json"],
    );
    assert_eq!(r["total"], 1);

    let r = xxgk_json(d, &["search", "行政复议", "--json"]);
    assert_eq!(hit_schools(&r), set(&["江淮财经学院"]));
    assert_eq!(r["hits"][0]["section"], "complaints");

    let r = xxgk_json(
        d,
        &["search", "行政复议 OR 收費標準", "--json", "--limit", "50"],
    );
    assert_eq!(
        hit_schools(&r),
        set(&[
            "江淮财经学院",
            "东海海洋大学",
            "北辰職業技術學院",
            "中原农业大学"
        ])
    );

    let r = xxgk_json(d, &["search", "收费标准 -东海", "--json", "--limit", "50"]);
    assert_eq!(hit_schools(&r), set(&["北辰職業技術學院", "中原农业大学"]));

    // A quoted phrase is stricter than the same words apart.
    let words = xxgk_json(d, &["search", "学费 收费依据", "--json"]);
    let phrase = xxgk_json(d, &["search", "\"学费收费依据\"", "--json"]);
    assert_eq!(words["total"], 4);
    assert_eq!(phrase["total"], 0);

    // Facet counts are over all matches and agree with the filtered totals.
    let all = xxgk_json(d, &["search", "依申请公开", "--json"]);
    let n_2019 = all["facets"]["year"]["2019-2020"].as_u64().expect("count");
    let only = xxgk_json(
        d,
        &["search", "依申请公开", "--year", "2019-2020", "--json"],
    );
    assert_eq!(only["total"].as_u64(), Some(n_2019));
}

/// Issue 2: importing the same files again replaces them; reindex rebuilds the same index.
#[test]
fn reimport_replaces_and_reindex_rebuilds() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    import_fixtures(d);
    let before = xxgk_json(d, &["search", "信息公开", "--json", "--limit", "5"]);
    let again = xxgk_ok(d, &["import", fixture_reports().to_str().expect("path")]);
    assert!(again.contains("0 new, 0 updated, 12 unchanged"), "{again}");
    let after = xxgk_json(d, &["search", "信息公开", "--json", "--limit", "5"]);
    assert_eq!(before["total"], after["total"]);
    assert_eq!(before["facets"], after["facets"]);

    let out = xxgk_ok(d, &["reindex"]);
    assert!(out.contains("reindexed 12 reports"), "{out}");
    let rebuilt = xxgk_json(d, &["search", "信息公开", "--json", "--limit", "5"]);
    assert_eq!(before["total"], rebuilt["total"]);
    assert_eq!(
        before["hits"][0]["report_id"],
        rebuilt["hits"][0]["report_id"]
    );
}

/// Issue 2: the real seeds. 信息公開 and 信息公开 each find both schools; the on_request
/// filter narrows; the traditional snippet is marked in traditional characters; school and
/// year come out right.
#[test]
fn real_seeds_in_both_scripts() {
    let Some(seeds) = seeds_dir() else { return };
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    xxgk_ok(d, &["import", seeds.to_str().expect("path")]);
    let both = set(&["湖南工商大学", "河南機電職業學院"]);
    for query in ["信息公開", "信息公开"] {
        let r = xxgk_json(d, &["search", query, "--json", "--limit", "100"]);
        assert_eq!(hit_schools(&r), both, "{query}");
        let henan = r["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["school"] == "河南機電職業學院")
            .expect("traditional hit");
        assert_eq!(henan["year"], "2019-2020");
        let snippet = henan["snippet_html"].as_str().expect("snippet");
        assert!(snippet.contains("<mark>信息公開</mark>"), "{snippet}");
        let hunan = r["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["school"] == "湖南工商大学")
            .expect("simplified hit");
        assert_eq!(hunan["year"], "2020-2021");
        assert_eq!(hunan["published"], "2021-10-28");
    }
    let r = xxgk_json(
        d,
        &[
            "search",
            "信息公開",
            "--section",
            "on_request",
            "--group",
            "section",
            "--json",
            "--limit",
            "100",
        ],
    );
    assert_eq!(hit_schools(&r), both);
    assert!(r["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|h| h["section"] == "on_request"));
    let total_all = xxgk_json(d, &["search", "信息公開", "--group", "section", "--json"])["total"]
        .as_u64()
        .expect("total");
    assert!(r["total"].as_u64().expect("total") < total_all);

    // The breadcrumb and share words are not indexed as report text.
    let r = xxgk_json(d, &["search", "您的位置", "--json"]);
    assert_eq!(r["total"], 0, "{r}");
}

/// Issue 11: the heading detector in `index` (to replace the crawler's at merge) finds the
/// same sections as the crawler's on every fixture report and real seed.
#[test]
fn issue_11_index_sections_agree_with_the_crawler_on_fixtures_and_seeds() {
    let mut dirs = vec![
        fixture_reports(),
        crate::common::repo_root().join("tests/fixtures/checklist-reports"),
    ];
    dirs.extend(seeds_dir());
    let mut compared = 0;
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("text");
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let old = xxgk_crawler::extract::split_sections(&lines);
            let new = xxgk_index::sections::split_sections(&lines);
            let key = |s: &[xxgk_index::Section]| -> Vec<(xxgk_index::SectionId, String)> {
                s.iter().map(|s| (s.id, s.heading.clone())).collect()
            };
            assert_eq!(key(&new), key(&old), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared >= 12, "{compared}");
}
