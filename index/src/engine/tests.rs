//! The engine's tests: facet counts against counting by hand, issue 11's ranking, and
//! the bigram query against a substring scan.

use tantivy::query::Query;
use tantivy::Term;

use super::bigrams::{bigram_set, substring_query};
use super::{Engine, FacetCounts, Group, SearchRequest, Sort, SECTIONS_SHOWN};
use crate::fold::{fold, is_han};
use crate::query::Atom;
use crate::report::{Report, Script, SectionId};

fn report(school: &str, year: &str, texts: &[(SectionId, &str)]) -> Report {
    let builder = xxgk_testkit::report(school, year)
        .url(&format!("https://{school}.example.edu.cn/{year}.htm"))
        .script(Script::Simplified);
    texts
        .iter()
        .fold(builder, |b, (s, text)| b.section(*s, "", text))
        .build()
}

/// The cached-name facet counter against counting by hand, over several segments
/// (one per commit), after a delete, and after the segments are merged into one.
#[test]
fn facet_counts_match_the_matching_sections_across_segments_and_merges() {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    let reports = [
        report(
            "甲大学",
            "2020-2021",
            &[
                (SectionId::Proactive, "公开了收费标准。"),
                (SectionId::OnRequest, "收费标准咨询1件。"),
            ],
        ),
        report(
            "乙學院",
            "2020-2021",
            &[(SectionId::Proactive, "收費標準已公開。")],
        ),
        report("乙學院", "2021-2022", &[(SectionId::Other, "无其他事项。")]),
        report(
            "丙大学",
            "2021-2022",
            &[(SectionId::Checklist, "收费标准：已公开。")],
        ),
    ];
    for r in &reports {
        w.upsert(r).expect("upsert");
        w.commit().expect("commit");
    }
    engine.reload().expect("reload");
    let expected = |engine: &Engine, query: &str| -> FacetCounts {
        let mut counts = FacetCounts::default();
        for (id, idx) in engine
            .matching_sections(&SearchRequest::new(query))
            .expect("matching")
        {
            let r = reports.iter().find(|r| r.id == id).expect("report");
            let s = &r.sections[idx as usize];
            *counts.school.entry(r.school.clone()).or_default() += 1;
            *counts
                .year
                .entry(r.year.clone().unwrap_or_default())
                .or_default() += 1;
            *counts.section.entry(s.id.as_str().to_string()).or_default() += 1;
        }
        counts
    };
    let check = |engine: &Engine| {
        for query in ["收费标准", "公开", ""] {
            let got = engine.search(&SearchRequest::new(query)).expect("search");
            let want = expected(engine, query);
            assert_eq!(got.facets.school, want.school, "{query}");
            assert_eq!(got.facets.year, want.year, "{query}");
            assert_eq!(got.facets.section, want.section, "{query}");
        }
    };
    check(&engine);
    let got = engine
        .search(&SearchRequest::new("收费标准"))
        .expect("search");
    assert_eq!(got.facets.school.get("乙學院"), Some(&1));
    assert_eq!(got.facets.section.get("proactive"), Some(&2));

    w.delete(&reports[0].id);
    w.commit().expect("commit");
    engine.reload().expect("reload");
    let got = engine
        .search(&SearchRequest::new("收费标准"))
        .expect("search");
    assert_eq!(got.facets.school.get("甲大学"), None, "deleted report");
    assert_eq!(got.total, 2);

    let ids = engine.index.searchable_segment_ids().expect("segments");
    assert!(ids.len() > 1);
    w.inner.merge(&ids).wait().expect("merge");
    w.commit().expect("commit");
    engine.reload().expect("reload");
    assert_eq!(engine.reader.searcher().segment_readers().len(), 1);
    let got = engine
        .search(&SearchRequest::new("收费标准"))
        .expect("search");
    assert_eq!(got.facets.school.get("乙學院"), Some(&1));
    assert_eq!(got.facets.school.get("丙大学"), Some(&1));
    assert_eq!(
        engine.facet_names.lock().len(),
        1,
        "retired segments forgotten"
    );
}

fn engine_with(reports: &[Report]) -> Engine {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    for r in reports {
        w.upsert(r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    engine
}

fn unmarked(html: &str) -> String {
    html.replace("<mark>", "").replace("</mark>", "")
}

/// Issue 11: a section holding the unquoted chunk as written ranks above every section
/// holding only its words, however often, and its snippet shows the chunk.
#[test]
fn issue_11_exact_chunk_ranks_first_and_is_shown() {
    let noisy = "学校公开工作，公开工作要点，要求公开，工作公开，开展工作。".repeat(20);
    let exact = format!(
        "{}学校召开信息公开工作的要点部署会。{}",
        "前面的文字。".repeat(60),
        "后面的文字。".repeat(30)
    );
    let mut reports: Vec<Report> = (0..30)
        .map(|i| {
            report(
                &format!("校{i}"),
                "2020-2021",
                &[(SectionId::Overview, noisy.as_str())],
            )
        })
        .collect();
    reports.push(report(
        "对的大学",
        "2020-2021",
        &[(SectionId::Other, exact.as_str())],
    ));
    let engine = engine_with(&reports);
    for q in ["开工作的要", "開工作的要"] {
        let got = engine.search(&SearchRequest::new(q)).expect("search");
        assert_eq!(got.total, 31, "{q}: every section holds the words");
        let first = &got.hits[0];
        assert_eq!(first.school, "对的大学", "{q}");
        assert!(
            unmarked(&first.snippet_html).contains("开工作的要"),
            "{}",
            first.snippet_html
        );
        assert!(got.hits[0].score > got.hits[1].score);
    }
    // Quoted: only the exact section.
    let got = engine
        .search(&SearchRequest::new("\"开工作的要\""))
        .expect("search");
    assert_eq!(got.total, 1);
}

/// Issue 19: a string copied from a report that begins or ends with a function
/// character the query drops (为, 是, 的, 在, 对, 和) still ranks the section holding the
/// whole string first, above sections holding only the word left, however often.
#[test]
fn issue_19_a_chunk_with_a_dropped_edge_character_ranks_its_section_first() {
    for (q, exact, word) in [
        (
            "为师生员工",
            "学校坚持为师生员工提供便捷的信息服务。",
            "师生员工",
        ),
        (
            "是中山大学",
            "本报告是中山大学信息公开工作的年度总结。",
            "中山大学",
        ),
        ("师生员工的", "充分保障师生员工的知情权。", "师生员工"),
        ("在信息公开网", "各类信息均在信息公开网发布。", "信息公开网"),
        (
            "对校务委员会",
            "师生对校务委员会的工作总体满意。",
            "校务委员会",
        ),
        ("和教职工", "面向学生和教职工开展培训。", "教职工"),
    ] {
        let noisy = format!("{word}，").repeat(40);
        let mut reports: Vec<Report> = (0..12)
            .map(|i| {
                report(
                    &format!("校{i}"),
                    "2020-2021",
                    &[(SectionId::Overview, noisy.as_str())],
                )
            })
            .collect();
        let long = format!(
            "{}{exact}{}",
            "前面的文字。".repeat(40),
            "后面的文字。".repeat(40)
        );
        reports.push(report(
            "整句大学",
            "2020-2021",
            &[(SectionId::Other, long.as_str())],
        ));
        let engine = engine_with(&reports);
        let got = engine.search(&SearchRequest::new(q)).expect("search");
        assert_eq!(got.total, 13, "{q}: every section holds {word}");
        assert_eq!(got.hits[0].school, "整句大学", "{q}");
        assert!(got.hits[0].score > got.hits[1].score, "{q}");
    }
}

/// Issue 11: the chunk's words close together and in order rank above the words apart.
#[test]
fn issue_11_words_close_together_rank_above_words_apart() {
    let apart = format!("学校{}收费", "，其他的内容".repeat(30));
    let near = format!("学校的收费已公开。{}", "，其他的内容".repeat(40));
    let engine = engine_with(&[
        report("远大学", "2020-2021", &[(SectionId::Other, apart.as_str())]),
        report("近大学", "2020-2021", &[(SectionId::Other, near.as_str())]),
    ]);
    let atom = Atom {
        text: "学校收费".into(),
        phrase: false,
    };
    assert_eq!(atom.required_words(), ["学校", "收费"]);
    let got = engine
        .search(&SearchRequest::new("学校收费"))
        .expect("search");
    assert_eq!(got.total, 2);
    assert_eq!(got.hits[0].school, "近大学");
}

/// Issue 11: 批覆 (OpenCC's traditional for 批复) finds 批复 and back, quoted or not.
#[test]
fn issue_11_phrase_level_folding_matches_both_scripts() {
    let engine = engine_with(&[
        report(
            "甲大学",
            "2020-2021",
            &[(SectionId::OnRequest, "均已批复申请人。")],
        ),
        report(
            "乙大學",
            "2020-2021",
            &[(SectionId::OnRequest, "均已批覆申請人，環境乾淨。")],
        ),
    ]);
    for q in ["批覆", "\"批覆\"", "批复", "「批復」"] {
        let got = engine.search(&SearchRequest::new(q)).expect("search");
        assert_eq!(got.total, 2, "{q}");
    }
    let got = engine.search(&SearchRequest::new("干净")).expect("search");
    assert_eq!(got.total, 1);
    assert!(
        got.hits[0].snippet_html.contains("<mark>乾淨</mark>"),
        "{}",
        got.hits[0].snippet_html
    );
}

/// Issue 11: 瑶海校区 needs 瑶海 as written, not any section with 校区.
#[test]
fn issue_11_names_jieba_does_not_know_are_required() {
    let engine = engine_with(&[
        report(
            "甲大学",
            "2020-2021",
            &[(SectionId::Other, "瑶海校区完成改造。")],
        ),
        report(
            "乙大学",
            "2020-2021",
            &[(SectionId::Other, "新校区完成改造。海瑶")],
        ),
    ]);
    let got = engine
        .search(&SearchRequest::new("瑶海校区"))
        .expect("search");
    assert_eq!(got.total, 1);
    assert_eq!(got.hits[0].school, "甲大学");
}

/// Issue 11: one result per report, its best section first and its other matching
/// sections beneath; facets count reports; `total` counts reports; paging by report.
#[test]
fn issue_11_one_result_per_report() {
    let mut many = report(
        "甲大学",
        "2020-2021",
        &[
            (SectionId::Overview, "收费标准收费标准收费标准，依法公开。"),
            (SectionId::Proactive, "公开了收费标准。"),
            (SectionId::KeyAreas, "收费标准见附表。"),
            (SectionId::OnRequest, "收费标准咨询2件。"),
            (SectionId::Other, "收费标准。"),
            (SectionId::Complaints, "无举报。"),
        ],
    );
    many.published = Some("2021-10-01".into());
    let mut one = report(
        "乙学院",
        "2021-2022",
        &[(SectionId::Proactive, "收费标准已公开。")],
    );
    one.published = Some("2022-10-01".into());
    let engine = engine_with(&[many.clone(), one.clone()]);
    let mut req = SearchRequest::new("收费标准");
    req.group = Group::Report;
    let got = engine.search(&req).expect("search");
    assert_eq!(got.total, 2);
    assert_eq!(got.hits.len(), 2);
    let first = &got.hits[0];
    assert_eq!(first.report_id, many.id);
    assert_eq!(
        first.section,
        SectionId::Overview,
        "best section is the hit"
    );
    assert_eq!(first.matching_sections, Some(5));
    let beneath = first.sections.as_ref().expect("sections");
    assert_eq!(beneath.len(), SECTIONS_SHOWN);
    assert!(beneath.iter().all(|s| s.section != SectionId::Overview));
    assert!(beneath.iter().all(|s| s.snippet_html.contains("<mark>")));
    assert_eq!(got.hits[1].matching_sections, Some(1));
    assert_eq!(got.hits[1].sections.as_ref().map(Vec::len), Some(0));
    assert_eq!(
        got.facets.school.get("甲大学"),
        Some(&1),
        "facets count reports"
    );
    assert_eq!(got.facets.year.get("2020-2021"), Some(&1));
    assert_eq!(got.facets.section.get("proactive"), Some(&2));
    assert_eq!(got.facets.section.get("complaints"), None);
    // Paging counts reports.
    req.limit = 1;
    req.offset = 1;
    let page2 = engine.search(&req).expect("search");
    assert_eq!(page2.total, 2);
    assert_eq!(page2.hits.len(), 1);
    assert_eq!(page2.hits[0].report_id, one.id);
    // Newest report first by date.
    req.offset = 0;
    req.sort = Sort::Date;
    let by_date = engine.search(&req).expect("search");
    assert_eq!(by_date.hits[0].report_id, one.id);
    // Per section, as before.
    let mut per_section = SearchRequest::new("收费标准");
    per_section.group = Group::Section;
    let got = engine.search(&per_section).expect("search");
    assert_eq!(got.total, 6);
    assert!(got
        .hits
        .iter()
        .all(|h| h.sections.is_none() && h.matching_sections.is_none()));
    assert_eq!(got.facets.school.get("甲大学"), Some(&5));
    // Filters apply to the grouped view too; the empty query browses reports.
    let mut browse = SearchRequest::new("");
    browse.group = Group::Report;
    browse.years = vec!["2021-2022".into()];
    let got = engine.search(&browse).expect("search");
    assert_eq!(got.total, 1);
    assert_eq!(got.hits[0].report_id, one.id);
}

/// Issue 18: what the index holds counts reports per school and year (the unit of the
/// search page's facets), not sections.
#[test]
fn stats_count_reports_per_school_and_year() {
    let engine = Engine::create_in_ram().expect("index");
    let mut w = engine.writer(1).expect("writer");
    for (school, year) in [
        ("甲大学", "2020-2021"),
        ("甲大学", "2021-2022"),
        ("乙大学", "2021-2022"),
    ] {
        let r = xxgk_testkit::report(school, year)
            .section(SectionId::Overview, "一、概述", "学校重视信息公开。")
            .section(SectionId::Proactive, "二、主动公开", "公开了收费标准。")
            .section(SectionId::OnRequest, "三、依申请公开", "收到申请两件。")
            .build();
        w.upsert(&r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    let stats = engine.stats().expect("stats");
    assert_eq!((stats.reports, stats.sections), (3, 9));
    assert_eq!(stats.schools.get("甲大学"), Some(&2));
    assert_eq!(stats.schools.get("乙大学"), Some(&1));
    assert_eq!(stats.years.get("2021-2022"), Some(&2));
}

/// Issue 18: by date, the dated reports newest first, then the undated ones by year,
/// newest first — not in the order they happened to be indexed.
#[test]
fn undated_reports_sort_by_year_after_the_dated_ones() {
    let engine = Engine::create_in_ram().expect("index");
    let mut w = engine.writer(1).expect("writer");
    let mk = |school: &str, year: &str, published: Option<&str>| {
        let mut b = xxgk_testkit::report(school, year).text("学校公开了收费标准。");
        if let Some(p) = published {
            b = b.published(p);
        }
        b.build()
    };
    let reports = [
        mk("甲大学", "2019-2020", None),
        mk("乙大学", "2021-2022", Some("2022-10-20")),
        mk("丙大学", "2021-2022", None),
        mk("丁大学", "2020-2021", Some("2021-10-30")),
        mk("戊大学", "2020-2021", None),
    ];
    for r in &reports {
        w.upsert(r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    let mut req = SearchRequest::new("收费标准");
    req.sort = Sort::Date;
    let got = engine.search(&req).expect("search");
    let schools: Vec<&str> = got.hits.iter().map(|h| h.school.as_str()).collect();
    assert_eq!(schools, ["乙大学", "丁大学", "丙大学", "戊大学", "甲大学"]);
}

/// An index of one report per text (school 校0, 校1, …), each text its one section, in
/// one fresh segment: document ids follow the texts' order.
fn one_section_each<T: AsRef<str>>(texts: &[T]) -> Engine {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut w = engine.writer(1).expect("writer");
    for (i, t) in texts.iter().enumerate() {
        let r = report(
            &format!("校{i}"),
            "2020-2021",
            &[(SectionId::Other, t.as_ref())],
        );
        w.upsert(&r).expect("upsert");
    }
    w.commit().expect("commit");
    engine.reload().expect("reload");
    engine
}

fn body_matches(engine: &Engine, query: &dyn Query) -> Vec<u32> {
    let searcher = engine.reader.searcher();
    let mut docs: Vec<u32> = searcher
        .search(query, &tantivy::collector::DocSetCollector)
        .expect("search")
        .into_iter()
        .map(|addr| addr.doc_id)
        .collect();
    docs.sort_unstable();
    docs
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

    /// The bigram query (with its jieba-word shortcut and its check anchored on the words
    /// of a phrase such as 学校信息公开工作) finds exactly the sections whose folded text
    /// contains the string: the same as a plain scan, and as tantivy's phrase query over
    /// the same bigram set.
    #[test]
    fn bigram_query_matches_a_substring_scan_and_the_phrase_query(
        texts in proptest::collection::vec(
            "(信息公开|信息公開|依申请公开|收费标准|学校信息公开工作|领导小组|门户网站|[信息公開开依申請请工作收费費标准學学校年度领导小组门户网站，。]){0,16}",
            1..12,
        ),
        picks in proptest::collection::vec((0usize..12, 0usize..40, 2usize..7), 1..6),
        extra in proptest::collection::vec(
            "[信息公開开依申請请工作收费標准]{2,6}|学校信息公开工作|信息公开工作领导小组|学校门户网站|依申请公开工作|学校信息公开工作领导小组",
            0..4,
        ),
    ) {
        let engine = one_section_each(&texts);
        let searcher = engine.reader.searcher();
        proptest::prop_assert_eq!(searcher.segment_readers().len(), 1);
        // Document ids follow insertion order in a single fresh segment.
        let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
        let mut queries: Vec<String> = extra.iter().map(|q| fold(q)).collect();
        for (doc, start, len) in picks {
            let chars: Vec<char> = folded[doc % folded.len()].chars().collect();
            if chars.len() >= 2 {
                let start = start % (chars.len() - 1);
                let end = (start + len).min(chars.len());
                queries.push(chars[start..end].iter().collect());
            }
        }
        for q in queries {
            if q.chars().count() < 2 || !q.chars().all(is_han) {
                continue;
            }
            let expected: Vec<u32> = folded
                .iter()
                .enumerate()
                .filter(|(_, text)| text.contains(q.as_str()))
                .map(|(i, _)| i as u32)
                .collect();
            let Some(bigram_query) = substring_query(engine.f.body, &q) else {
                continue;
            };
            proptest::prop_assert_eq!(
                &body_matches(&engine, bigram_query.as_ref()), &expected, "bigrams {}", q
            );
            let (terms, prefix) = bigram_set(&q);
            if prefix.is_none() && terms.len() > 1 {
                let phrase = tantivy::query::PhraseQuery::new_with_offset(
                    terms
                        .into_iter()
                        .map(|(o, t)| (o, Term::from_field_text(engine.f.body, &t)))
                        .collect(),
                );
                proptest::prop_assert_eq!(
                    &body_matches(&engine, &phrase), &expected, "phrase {}", q
                );
            }
        }
    }
}

/// Issue 21: a phrase whose bigrams are in many sections that lack it is checked rarest
/// terms first once the segment shows that (after 64 candidates); either way it finds
/// exactly the sections a substring scan finds, where jieba cut it as words and where it
/// did not.
#[test]
fn a_phrase_finds_the_same_sections_whichever_check_goes_first() {
    let kinds = [
        "本校学校信息公开工作顺利。",
        "学校信息公开网，信息公开工作。",
        "学校信息化，公开工作与信息公开开工。",
        "在中学校信息公开工作中。",
        "學校信息公開工作領導小組。",
    ];
    let texts: Vec<&str> = (0..400).map(|i| kinds[(i * 7) % kinds.len()]).collect();
    let engine = one_section_each(&texts);
    for q in [
        "学校信息公开工作",
        "信息公开工作领导小组",
        "学校信息公开",
        "公开工作",
    ] {
        let expected: Vec<u32> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| fold(t).contains(q))
            .map(|(i, _)| i as u32)
            .collect();
        assert!(!expected.is_empty() && expected.len() < texts.len() || q == "公开工作");
        let query = substring_query(engine.f.body, q).expect("a query");
        assert_eq!(body_matches(&engine, query.as_ref()), expected, "{q}");
    }
}

/// Issue 21: the body's query adds half the whole word's own BM25 score where a section
/// has the word indexed — the same score a separate term query on the word used to add
/// to the union, without a second pass over the word's postings.
#[test]
fn the_whole_word_score_is_the_term_query_s_added_in_one_pass() {
    use std::collections::HashMap;
    use tantivy::collector::TopDocs;
    let engine = one_section_each(&[
        "本校的信息公开工作顺利，信息公开网运行良好。",
        "信息公开。信息公开。信息公开。",
        "没有这个词。",
        "信息公開目录",
    ]);
    let searcher = engine.reader.searcher();
    let scores = |q: &dyn tantivy::query::Query| -> HashMap<u32, f32> {
        searcher
            .search(q, &TopDocs::with_limit(10).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(score, addr)| (addr.doc_id, score))
            .collect()
    };
    let word = "信息公开";
    let combined = scores(
        super::bigrams::substring_query_scoring_word(engine.f.body, word, 0.5)
            .expect("query")
            .as_ref(),
    );
    let plain = scores(
        substring_query(engine.f.body, word)
            .expect("query")
            .as_ref(),
    );
    let term = scores(&tantivy::query::BoostQuery::new(
        Box::new(tantivy::query::TermQuery::new(
            Term::from_field_text(engine.f.body, word),
            tantivy::schema::IndexRecordOption::WithFreqs,
        )),
        0.5,
    ));
    assert_eq!(combined.len(), plain.len());
    assert!(!term.is_empty(), "{plain:?}");
    for (doc, score) in &combined {
        let expected = plain[doc] + term.get(doc).copied().unwrap_or(0.0);
        assert!(
            (score - expected).abs() < 1e-4,
            "doc {doc}: {score} vs {expected}"
        );
    }
}

/// Issue 17: the report's institution goes into the index and comes back on hits, on the
/// report, on the "which schools" rows and on the checklist's rows; a report without one
/// has none.
#[test]
fn issue_17_the_index_returns_the_reports_institution() {
    let with = xxgk_testkit::report("甲大学", "2020-2021")
        .institution("4111010001")
        .section(SectionId::Proactive, "二、主动公开", "公开了收费标准。")
        .build();
    let without = xxgk_testkit::report("乙学院", "2020-2021")
        .section(SectionId::Proactive, "二、主动公开", "收费标准已公开。")
        .build();
    let engine = engine_with(&[with.clone(), without.clone()]);

    let got = engine
        .search(&SearchRequest::new("收费标准"))
        .expect("search");
    let institution_of = |school: &str| {
        got.hits
            .iter()
            .find(|h| h.school == school)
            .map(|h| h.institution.clone())
    };
    assert_eq!(institution_of("甲大学"), Some(Some("4111010001".into())));
    assert_eq!(institution_of("乙学院"), Some(None));
    let mut grouped = SearchRequest::new("收费标准");
    grouped.group = Group::Report;
    let got = engine.search(&grouped).expect("search");
    assert!(got
        .hits
        .iter()
        .any(|h| h.institution.as_deref() == Some("4111010001")));

    assert_eq!(engine.report(&with.id).expect("report"), Some(with.clone()));
    assert_eq!(
        engine
            .report(&without.id)
            .expect("report")
            .and_then(|r| r.institution),
        None
    );

    let schools = engine
        .schools(&crate::SchoolsRequest::new("\"公开了收费\""))
        .expect("schools");
    assert_eq!(schools.matched.len(), 1);
    assert_eq!(
        schools.matched[0].institution.as_deref(),
        Some("4111010001")
    );
    assert_eq!(schools.unmatched.len(), 1);
    assert_eq!(schools.unmatched[0].school, "乙学院");
    assert_eq!(schools.unmatched[0].institution, None);
    let mut out_of_scope = crate::SchoolsRequest::new("收费标准");
    out_of_scope.years = vec!["2021-2022".into()];
    let schools = engine.schools(&out_of_scope).expect("schools");
    let jia = schools
        .unmatched
        .iter()
        .find(|u| u.school == "甲大学")
        .expect("甲大学 listed");
    assert_eq!(jia.sections_in_scope, 0);
    assert_eq!(jia.institution.as_deref(), Some("4111010001"));

    let matrix = engine
        .checklist_matrix(&crate::checklist::MatrixRequest::default())
        .expect("matrix");
    let row = |school: &str| {
        matrix
            .rows
            .iter()
            .find(|r| r.school == school)
            .expect("row")
    };
    assert_eq!(row("甲大学").institution.as_deref(), Some("4111010001"));
    assert_eq!(row("乙学院").institution, None);
}

/// Issue 17: an index built with the previous schema (no institution field, no version
/// file) or with an unreadable version is refused with `OldSchema`, writable or not; a
/// new index records its version and opens again.
#[test]
fn issue_17_an_index_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("old");
    Engine::create_previous_version(&old).expect("old index");
    for result in [Engine::open_or_create(&old), Engine::open_read_only(&old)] {
        match result {
            Err(crate::Error::OldSchema { path, found }) => {
                assert_eq!(path, old);
                assert_eq!(found, 1);
            }
            other => panic!("expected OldSchema, got {other:?}"),
        }
    }
    let err = Engine::open_or_create(&old).expect_err("old");
    assert!(!err.is_user_error());
    assert!(err.to_string().contains("schema version 1"), "{err}");

    let new = dir.path().join("new");
    let engine = Engine::open_or_create(&new).expect("new index");
    let mut w = engine.writer(1).expect("writer");
    w.upsert(&report(
        "甲大学",
        "2020-2021",
        &[(SectionId::Other, "正文")],
    ))
    .expect("upsert");
    w.commit().expect("commit");
    drop(w);
    drop(engine);
    let engine = Engine::open_or_create(&new).expect("reopened");
    assert_eq!(engine.stats().expect("stats").reports, 1);
    drop(engine);
    Engine::open_read_only(&new).expect("read-only");

    std::fs::write(new.join(super::VERSION_FILE), "two").expect("write");
    assert!(matches!(
        Engine::open_or_create(&new),
        Err(crate::Error::OldSchema { found: 0, .. })
    ));
}

/// `XXGK_SEARCH_THREADS` is taken only as a count from 1 to 64; anything else falls back
/// to the default (and is logged), never to a silent 0 or a thousand threads.
#[test]
fn search_threads_are_a_count_from_1_to_64() {
    use super::search_threads_value as value;
    assert_eq!(value("1"), Some(1));
    assert_eq!(value(" 4\n"), Some(4));
    assert_eq!(value("64"), Some(64));
    for bad in ["0", "65", "1000", "-2", "two", "", "2.5"] {
        assert_eq!(value(bad), None, "{bad:?}");
    }
}
