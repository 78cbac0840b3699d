//! The data file's checks, the phrase matcher against the index, and the matrix.

use std::collections::{BTreeMap, BTreeSet};

use super::build::parallel_map;
use super::evidence::evidence_snippet;
use super::items::parse;
use super::phrases::phrases_of;
use super::*;
use crate::engine::{Engine, SearchRequest};
use crate::fold::fold;
use crate::highlight::SNIPPET_CHARS;
use crate::report::{Report, Script, Section, SectionId};
use crate::Error;

#[test]
fn the_data_file_has_fifty_items_in_ten_categories() {
    let items = items();
    assert_eq!(items.len(), ITEM_COUNT);
    let per_category: Vec<usize> = CATEGORIES
        .iter()
        .map(|c| items.iter().filter(|i| i.category == *c).count())
        .collect();
    // The list's own counts per category.
    assert_eq!(per_category, [6, 8, 7, 5, 9, 4, 3, 4, 2, 2]);
    let shorts: BTreeSet<&str> = items.iter().map(|i| i.short.as_str()).collect();
    assert_eq!(shorts.len(), ITEM_COUNT, "short labels must be unique");
    for item in items {
        assert!(
            !item.examples.is_empty(),
            "item {} has no example sentence",
            item.number
        );
    }
}

#[test]
fn broken_data_files_are_refused_with_a_reason() {
    let one = |number: u32, category: &str, query: &str| {
        format!(
            "[[item]]\nnumber = {number}\ncategory = \"{category}\"\nshort = \"s{number}\"\n\
             wording = \"w\"\nquery = '{query}'\n"
        )
    };
    let file = |f: &dyn Fn(u32) -> String| (1..=50).map(f).collect::<String>();
    let good = file(&|n| one(n, "基本信息", "收费"));
    assert!(parse(&good).is_ok());
    for (data, reason) in [
        (
            file(&|n| one(if n == 7 { 8 } else { n }, "基本信息", "收费")),
            "numbered",
        ),
        (
            file(&|n| one(n, if n == 3 { "财务" } else { "基本信息" }, "收费")),
            "unknown category",
        ),
        (
            file(&|n| one(n, if n == 1 { "其他" } else { "基本信息" }, "收费")),
            "out of order",
        ),
        (
            file(&|n| one(n, "基本信息", if n == 9 { "-收费" } else { "收费" })),
            "item 9",
        ),
        (one(1, "基本信息", "收费"), "1 items"),
        ("[[item]]\nnumber = 1\ncolour = 2\n".to_string(), "colour"),
    ] {
        match parse(&data) {
            Err(e) => assert!(e.contains(reason), "{reason}: {e}"),
            Ok(_) => panic!("accepted a file with {reason}"),
        }
    }
}

fn report(id: &str, school: &str, year: &str, texts: &[(SectionId, &str)]) -> Report {
    let builder = xxgk_testkit::report(school, year)
        .id(id)
        .url(&format!("https://example.edu.cn/{id}.htm"))
        .title(&format!("{school}{year}学年信息公开工作年度报告"))
        .published(&format!("{}-10-30", &year[5..]))
        .script(Script::Simplified);
    texts
        .iter()
        .fold(builder, |b, (s, text)| b.section(*s, s.label(), text))
        .build()
}

/// Every example of every item matches its query, as written and in traditional
/// characters; no near-miss does. Each sentence is one report of one section, as a
/// report's mention would be, searched through the real index.
#[test]
fn every_item_query_finds_its_examples_and_not_its_near_misses_in_both_scripts() {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    // (report id, item, sentence, must match)
    let mut cases: Vec<(String, u32, String, bool)> = Vec::new();
    for item in items() {
        let sentences = item
            .examples
            .iter()
            .map(|s| (s, true))
            .chain(item.near_misses.iter().map(|s| (s, false)));
        for (k, (sentence, positive)) in sentences.enumerate() {
            let traditional = hanconv::s2t(sentence);
            assert_ne!(
                &traditional, sentence,
                "item {}: no conversion",
                item.number
            );
            for (script, text) in [("s", sentence.clone()), ("t", traditional)] {
                let id = format!("i{}-{k}-{script}", item.number);
                let mut r = report(
                    &id,
                    "测试学校",
                    "2020-2021",
                    &[(SectionId::Proactive, &text)],
                );
                r.title = "测试".into();
                writer.upsert(&r).expect("upsert");
                cases.push((id, item.number, text, positive));
            }
        }
    }
    writer.commit().expect("commit");
    engine.reload().expect("reload");
    let mut failures = Vec::new();
    for item in items() {
        let found: BTreeSet<String> = engine
            .matching_sections(&SearchRequest::new(item.query.clone()))
            .expect("search")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        for (id, number, text, positive) in &cases {
            if *number != item.number {
                continue;
            }
            if found.contains(id) != *positive {
                failures.push(format!(
                    "item {number} {:?}: {} {text:?}",
                    item.short,
                    if *positive {
                        "misses"
                    } else {
                        "wrongly matches"
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every item has at least one near-miss or says why not: the tricky ones all do.
    let without: Vec<u32> = items()
        .iter()
        .filter(|i| i.near_misses.is_empty())
        .map(|i| i.number)
        .collect();
    assert!(without.is_empty(), "items without a near-miss: {without:?}");
}

fn matrix_engine() -> Engine {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    let mut reports = vec![
        report(
            "a1",
            "甲大学",
            "2020-2021",
            &[
                (SectionId::Overview, "学校修订了信息公开目录。"),
                (
                    SectionId::Proactive,
                    "学校公布了学费、住宿费等收费标准，以及本科招生章程。",
                ),
                (SectionId::Checklist, "收费标准：已在财务处网站公开。"),
            ],
        ),
        report(
            "a0",
            "甲大学",
            "2019-2020",
            &[(SectionId::Proactive, "学校公开了学术委员会年度报告。")],
        ),
        report(
            "b1",
            "乙學院",
            "2020-2021",
            &[(SectionId::Proactive, "學院公布了收費標準和學生申訴辦法。")],
        ),
        report(
            "c1",
            "丙职业技术学院",
            "2020-2021",
            &[(SectionId::Proactive, "学院依申请公开不收取费用。")],
        ),
    ];
    reports[0].province = Some("湖南".into());
    reports[0].kind = Some("大学".into());
    reports[2].province = Some("广东".into());
    reports[2].kind = Some("学院".into());
    reports[2].script = Script::Traditional;
    reports[3].province = Some("湖南".into());
    reports[3].kind = Some("职业技术学院".into());
    for r in &reports {
        w.upsert(r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    engine
}

fn covered(m: &Matrix) -> Vec<(String, usize, Vec<u32>)> {
    m.rows
        .iter()
        .map(|r| {
            let numbers = r
                .cells
                .iter()
                .zip(items())
                .filter(|(c, _)| c.is_some())
                .map(|(_, i)| i.number)
                .collect();
            (r.school.clone(), r.covered, numbers)
        })
        .collect()
}

#[test]
fn matrix_cells_coverage_and_evidence() {
    let engine = matrix_engine();
    let m = engine
        .checklist_matrix(&MatrixRequest::default())
        .expect("matrix");
    assert_eq!(m.year, "2020-2021", "newest year by default");
    assert_eq!(m.years, ["2020-2021", "2019-2020"]);
    assert_eq!(
        covered(&m),
        [
            ("甲大学".to_string(), 3, vec![6, 7, 21]),
            ("乙學院".to_string(), 2, vec![21, 39]),
            ("丙职业技术学院".to_string(), 0, vec![]),
        ]
    );
    assert_eq!(m.items[20].schools, 2);
    assert_eq!(m.items[38].schools, 1);
    assert_eq!(m.items[0].schools, 0);
    // The first matching section in document order is the evidence.
    let fees = m.rows[0].cells[20].as_ref().expect("甲 mentions fees");
    assert_eq!(fees.report_id, "a1");
    assert_eq!(fees.section, SectionId::Proactive);
    assert_eq!(fees.section_index, 1);
    assert!(
        fees.snippet_html.contains("<mark>收费标准</mark>"),
        "{fees:?}"
    );
    // Traditional reports show their own characters.
    let yi = m.rows[1].cells[38].as_ref().expect("乙 mentions appeals");
    assert!(yi.snippet_html.contains("<mark>學生申訴</mark>"), "{yi:?}");
    assert_eq!(m.provinces, ["广东", "湖南"]);
    assert_eq!(m.kinds, ["大学", "学院", "职业技术学院"]);

    // Another year.
    let old = engine
        .checklist_matrix(&MatrixRequest {
            year: Some("2019-2020".into()),
            ..MatrixRequest::default()
        })
        .expect("matrix");
    assert_eq!(covered(&old), [("甲大学".to_string(), 1, vec![4])]);
}

#[test]
fn matrix_filters_by_province_and_kind_and_rejects_unknown_years() {
    let engine = matrix_engine();
    let hunan = engine
        .checklist_matrix(&MatrixRequest {
            provinces: vec!["湖南".into()],
            ..MatrixRequest::default()
        })
        .expect("matrix");
    let names: Vec<&str> = hunan.rows.iter().map(|r| r.school.as_str()).collect();
    assert_eq!(names, ["甲大学", "丙职业技术学院"]);
    assert_eq!(hunan.items[20].schools, 1, "coverage counts filtered rows");
    assert_eq!(hunan.provinces, ["广东", "湖南"], "choices stay");

    let colleges = engine
        .checklist_matrix(&MatrixRequest {
            kinds: vec!["学院".into(), "职业技术学院".into()],
            ..MatrixRequest::default()
        })
        .expect("matrix");
    let names: Vec<&str> = colleges.rows.iter().map(|r| r.school.as_str()).collect();
    assert_eq!(names, ["乙學院", "丙职业技术学院"]);

    let err = engine
        .checklist_matrix(&MatrixRequest {
            year: Some("1999-2000".into()),
            ..MatrixRequest::default()
        })
        .expect_err("unknown year");
    assert!(err.is_user_error());
    assert!(err.to_string().contains("2020-2021"), "{err}");

    let bare = engine
        .checklist_matrix(&MatrixRequest {
            without_snippets: true,
            ..MatrixRequest::default()
        })
        .expect("matrix");
    let cell = bare.rows[0].cells[20].as_ref().expect("cell");
    assert!(cell.snippet_html.is_empty());
    assert_eq!(cell.report_id, "a1");
}

#[test]
fn evidence_snippets_window_the_first_match_of_long_sections() {
    let filler = "学校坚持以公开为常态、不公开为例外。".repeat(120);
    let text = format!("{filler}學校公布了學費、住宿費收費標準。{filler}");
    let needles = vec!["收费标准".to_string()];
    let out = evidence_snippet("二、主動公開", &text, &fold(&text), &needles);
    assert!(out.contains("<mark>收費標準</mark>"), "{out}");
    assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
    assert!(!out.starts_with("……"), "{out}");
    let shown = out.replace("<mark>", "").replace("</mark>", "");
    assert!(shown.chars().count() <= SNIPPET_CHARS + 2, "{shown}");
    // Only the heading matches: the heading is the evidence.
    let out = evidence_snippet("收費標準公示", "正文", "正文", &needles);
    assert_eq!(out, "<mark>收費標準</mark>公示");
    // Short sections are shown whole.
    let out = evidence_snippet("", "公開收費標準。", "公开收费标准。", &needles);
    assert_eq!(out, "公開<mark>收費標準</mark>。");
}

#[test]
fn parallel_map_keeps_order_and_returns_the_error() {
    let inputs: Vec<u32> = (0..101).collect();
    let out = parallel_map(&inputs, |x| Ok(x * 2)).expect("map");
    assert_eq!(out, inputs.iter().map(|x| x * 2).collect::<Vec<_>>());
    let err = parallel_map(&inputs, |x| {
        if *x == 77 {
            Err(Error::BadRequest("seventy-seven".into()))
        } else {
            Ok(*x)
        }
    })
    .expect_err("error");
    assert!(err.to_string().contains("seventy-seven"));
    assert!(parallel_map(&[] as &[u32], |x| Ok(*x))
        .expect("empty")
        .is_empty());
}

/// The in-memory matcher against its naive twin, the index: on random reports built
/// from item phrases, near-misses and filler (in either script, in text, heading and
/// title), every cell names the first section that the item's own search finds.
mod twin {
    use super::*;
    use proptest::prelude::*;

    fn fragments() -> Vec<String> {
        let mut out: Vec<String> = vec![
            "学校坚持以公开为常态。".into(),
            "财务预算决算".into(),
            "同等学历".into(),
            "安全巡查".into(),
            "不收取费用".into(),
            "信息公开年度报告".into(),
            "、".into(),
            "\n".into(),
            "ABC１２３".into(),
        ];
        for item in items() {
            if let Some(phrases) = phrases_of(&item.query) {
                out.extend(phrases);
            }
            out.extend(item.near_misses.iter().cloned());
        }
        // Mentions that are not disclosures (a complaint, a problem, a plan) have their
        // own rule and test (`context`); the twins agree on everything else.
        out.retain(|f| super::super::context::applies_to(f));
        out
    }

    fn text(picks: &[(usize, bool)], pool: &[String]) -> String {
        picks
            .iter()
            .map(|(i, trad)| {
                let f = &pool[i % pool.len()];
                if *trad {
                    hanconv::s2t(f)
                } else {
                    f.clone()
                }
            })
            .collect()
    }

    type SectionPicks = (Vec<(usize, bool)>, Vec<(usize, bool)>);

    /// Sections whose mentions can be disclosures (not 举报… nor 问题与改进).
    const DISCLOSING: [SectionId; 8] = [
        SectionId::Preamble,
        SectionId::Overview,
        SectionId::Proactive,
        SectionId::KeyAreas,
        SectionId::OnRequest,
        SectionId::Appraisal,
        SectionId::Other,
        SectionId::Checklist,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matrix_cells_are_what_each_items_search_finds(
            schools in prop::collection::vec(
                (
                    prop::collection::vec((any::<usize>(), any::<bool>()), 0..2),
                    prop::collection::vec(
                        (
                            prop::collection::vec((any::<usize>(), any::<bool>()), 0..2),
                            prop::collection::vec((any::<usize>(), any::<bool>()), 0..6),
                        ),
                        1..5,
                    ),
                ),
                1..6,
            )
        ) {
            let pool = fragments();
            let engine = Engine::create_in_ram().expect("ram index");
            let mut w = engine.writer(1).expect("writer");
            for (n, (title, sections)) in schools.iter().enumerate() {
                let sections: &Vec<SectionPicks> = sections;
                let texts: Vec<(String, String)> = sections
                    .iter()
                    .map(|(h, t)| (text(h, &pool), text(t, &pool)))
                    .collect();
                // The school's name may hold a phrase too (it is searched with the title).
                let name_picks: Vec<(usize, bool)> =
                    title.iter().map(|(i, t)| (i.wrapping_add(1), *t)).collect();
                let school = format!("学校{n}{}", text(&name_picks, &pool).replace('\n', ""));
                let mut r = report(&format!("r{n}"), &school, "2020-2021", &[]);
                r.title = format!("报告{}", text(title, &pool));
                r.sections = texts
                    .into_iter()
                    .enumerate()
                    .map(|(k, (heading, text))| Section {
                        id: DISCLOSING[k % DISCLOSING.len()],
                        heading,
                        text,
                    })
                    .collect();
                w.upsert(&r).expect("upsert");
            }
            w.commit().expect("commit");
            engine.reload().expect("reload");
            let m = engine.checklist_matrix(&MatrixRequest::default()).expect("matrix");
            prop_assert_eq!(m.rows.len(), schools.len());
            for (i, item) in items().iter().enumerate() {
                let mut first: BTreeMap<String, u64> = BTreeMap::new();
                for (id, idx) in engine
                    .matching_sections(&SearchRequest::new(item.query.clone()))
                    .expect("search")
                {
                    let e = first.entry(id).or_insert(idx);
                    *e = (*e).min(idx);
                }
                for row in &m.rows {
                    let got = row.cells[i].as_ref().map(|e| (e.report_id.clone(), e.section_index as u64));
                    let id = &row.reports[0].id;
                    let want = first.get(id).map(|idx| (id.clone(), *idx));
                    prop_assert_eq!(got, want, "item {} school {}", item.number, row.school);
                }
            }
        }
    }
}

/// Issue 18: 举报…内容涉及收费公示不及时 is a complaint, not the school publishing its
/// fees; a plan to 规范收费公示 is not a disclosure either. A school that also states its
/// fees is counted, with that sentence as the evidence.
#[test]
fn a_complaint_or_a_plan_is_not_a_disclosure() {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    let complaint = (
        SectionId::Complaints,
        "本学年收到关于信息公开工作的举报1件，内容涉及收费公示不及时，已整改。",
    );
    let plan = (SectionId::Improvements, "下一步将进一步规范收费公示。");
    let only_mentions = report(
        "a1",
        "甲大学",
        "2020-2021",
        &[(SectionId::Overview, "学校重视信息公开。"), complaint, plan],
    );
    let discloses = report(
        "b1",
        "乙大学",
        "2020-2021",
        &[
            (
                SectionId::Overview,
                "學院收到舉報1件，內容涉及收費公示不及時。",
            ),
            (
                SectionId::Proactive,
                "学校在信息公开网公布了学费、住宿费等收费标准。",
            ),
            complaint,
        ],
    );
    for r in [&only_mentions, &discloses] {
        w.upsert(r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    let m = engine
        .checklist_matrix(&MatrixRequest::default())
        .expect("matrix");
    let fees = items()
        .iter()
        .position(|i| i.short == "收费标准")
        .expect("the fees item");
    let row = |school: &str| m.rows.iter().find(|r| r.school == school).expect("row");
    assert!(
        row("甲大学").cells[fees].is_none(),
        "a complaint and a plan only"
    );
    let cell = row("乙大学").cells[fees]
        .as_ref()
        .expect("discloses its fees");
    assert_eq!(cell.section_index, 1, "the sentence that discloses");
    assert_eq!(m.items[fees].schools, 1);
}

#[test]
fn empty_index_gives_an_empty_matrix() {
    let engine = Engine::create_in_ram().expect("ram index");
    let m = engine
        .checklist_matrix(&MatrixRequest::default())
        .expect("matrix");
    assert!(m.rows.is_empty());
    assert_eq!(m.items.len(), ITEM_COUNT);
    assert_eq!(m.year, "");
}

#[test]
fn rows_sort_by_coverage_name_province_or_item() {
    let engine = matrix_engine();
    let mut m = engine
        .checklist_matrix(&MatrixRequest::default())
        .expect("matrix");
    let order = |m: &Matrix| -> Vec<String> { m.rows.iter().map(|r| r.school.clone()).collect() };
    m.sort_rows(MatrixSort::Item(39), false);
    assert_eq!(order(&m)[0], "乙學院");
    m.sort_rows(MatrixSort::Coverage, true);
    assert_eq!(order(&m)[0], "丙职业技术学院");
    m.sort_rows(MatrixSort::Province, false);
    assert_eq!(order(&m), ["乙學院", "丙职业技术学院", "甲大学"]);
    assert_eq!(MatrixSort::parse("item:21"), Some(MatrixSort::Item(21)));
    assert_eq!(MatrixSort::parse("item:51"), None);
    assert_eq!(MatrixSort::parse("item:x"), None);
    assert_eq!(MatrixSort::parse("school"), Some(MatrixSort::School));
    for s in [
        MatrixSort::Coverage,
        MatrixSort::Item(3),
        MatrixSort::Province,
    ] {
        assert_eq!(MatrixSort::parse(&s.as_string()), Some(s));
    }
}
