//! The application's answers over a RAM index: filters checked once, names folded, the
//! cache dropped on a new index generation.

use xxgk_model::SectionId;
use xxgk_testkit::report;

use super::*;
use crate::cache::Kind;
use crate::ErrorKind;

fn app_with(reports: &[Report]) -> (App, xxgk_index::Writer) {
    let engine = Engine::create_in_ram().expect("ram index");
    let mut writer = engine.writer(1).expect("writer");
    for r in reports {
        writer.upsert(r).expect("upsert");
    }
    writer.commit().expect("commit");
    let app = App::new(engine);
    app.reload().expect("reload");
    (app, writer)
}

fn fees(school: &str, year: &str) -> Report {
    report(school, year)
        .section(SectionId::KeyAreas, "收费", "学校收费标准按规定公示。")
        .build()
}

fn schools_req(years: &[&str], schools: &[&str]) -> SchoolsRequest {
    SchoolsRequest {
        years: years.iter().map(|y| y.to_string()).collect(),
        schools: schools.iter().map(|s| s.to_string()).collect(),
        ..SchoolsRequest::new("收费标准")
    }
}

/// Issue 18: a year that is not a year, or that no report covers, is the caller's
/// mistake — never an answer listing every school as silent.
#[test]
fn bad_years_are_errors_not_absences() {
    let (app, _w) = app_with(&[fees("翠谷大學", "2020-2021"), fees("东海大学", "2019-2020")]);
    for bad in ["abc", "2020-2022", "2030-2031"] {
        let err = app.schools(&schools_req(&[bad], &[])).expect_err(bad);
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{bad}: {err}");
        assert!(err.to_string().contains(bad), "{err}");
    }
    let err = app
        .schools(&schools_req(&["2030-2031"], &[]))
        .expect_err("not held");
    assert!(
        err.to_string().contains("2019-2020"),
        "names the years held: {err}"
    );
    let mut search = SearchRequest::new("收费标准");
    search.years = vec!["2030-2031".into()];
    let err = app.search(&search).expect_err("a year no report covers");
    assert!(err.to_string().contains("2020-2021"), "{err}");
    let ok = app
        .schools(&schools_req(&["2020-2021"], &[]))
        .expect("held year");
    let matched: Vec<&str> = ok
        .matches
        .matched
        .iter()
        .map(|m| m.school.as_str())
        .collect();
    assert_eq!(matched, ["翠谷大學"]);
}

/// Issue 18: school filters are folded (翠谷大学 finds 翠谷大學) on every question, and a
/// school nobody knows is an error naming the near ones.
#[test]
fn school_filters_are_folded_everywhere() {
    let (app, _w) = app_with(&[
        fees("翠谷大學", "2020-2021"),
        fees("东海海洋大学", "2020-2021"),
    ]);
    let answer = app
        .schools(&schools_req(&[], &["翠谷大学"]))
        .expect("folded");
    assert_eq!(answer.matches.matched.len(), 1);
    assert_eq!(answer.matches.matched[0].school, "翠谷大學");

    let mut search = SearchRequest::new("收费标准");
    search.schools = vec!["翠谷大学".into()];
    assert_eq!(app.search(&search).expect("search").total, 1);

    let compared = app
        .compare(&["翠谷大学".to_string()], None)
        .expect("compare");
    assert!(compared.unknown.is_empty(), "{:?}", compared.unknown);
    assert_eq!(compared.columns[0].school, "翠谷大學");

    let err = app
        .schools(&schools_req(&[], &["东海"]))
        .expect_err("partial name");
    assert!(err.is_user_error());
    assert!(err.to_string().contains("东海海洋大学"), "{err}");
    let err = app.search(&{
        let mut r = SearchRequest::new("收费标准");
        r.schools = vec!["不存在大学".into()];
        r
    });
    assert!(err.expect_err("unknown").is_user_error());
}

/// The cache serves an answer again while the index is unchanged, and recomputes it once
/// a commit gives the index a new generation.
#[test]
fn a_new_index_generation_invalidates_cached_answers() {
    let (app, mut writer) = app_with(&[fees("翠谷大學", "2020-2021")]);
    let req = schools_req(&[], &[]);
    let first = app.schools(&req).expect("first");
    assert_eq!(first.matches.matched.len(), 1);
    app.schools(&req).expect("again");
    assert_eq!(app.computed(Kind::Schools), 1, "served from the cache");
    let search = SearchRequest::new("收费标准");
    app.search(&search).expect("search");
    app.search(&search).expect("search again");
    assert_eq!(app.computed(Kind::Search), 1);

    writer
        .upsert(&fees("东海大学", "2020-2021"))
        .expect("upsert");
    writer.commit().expect("commit");
    app.reload().expect("reload");

    let second = app.schools(&req).expect("after commit");
    assert_eq!(app.computed(Kind::Schools), 2, "recomputed");
    assert_eq!(second.matches.matched.len(), 2);
    assert_eq!(app.search(&search).expect("search").total, 2);
    assert_eq!(app.computed(Kind::Search), 2);
    // The new school is known to the filters too.
    app.schools(&schools_req(&[], &["东海大学"]))
        .expect("known after commit");
}

/// Issue 20: the scorecard comes from the archive's stored rows with the index's
/// checklist count, computed once per index generation and archive version; its
/// filters are checked like every other question's.
#[test]
fn the_scorecard_joins_archive_rows_with_checklist_counts_once() {
    let stated = report("东海大学", "2020-2021")
        .section(
            SectionId::OnRequest,
            "三、依申请公开和不予公开情况",
            "本学年共收到信息公开申请5件，其中同意公开3件，不予公开2件。",
        )
        .section(SectionId::KeyAreas, "收费", "学校收费标准按规定公示。")
        .build();
    let archive = xxgk_archive::Archive::open_in_memory().expect("archive");
    archive.put_report(&stated).expect("put");
    let stored = archive.report(&stated.id).expect("read").expect("stored");
    let (app, _w) = app_with(&[stored]);
    let app = app.with_archive(Arc::new(xxgk_archive::Reader::new(archive)));

    let req = crate::scorecard::ScorecardRequest::default();
    let card = app.scorecard(&req).expect("scorecard");
    assert_eq!(card.total, 1);
    let line = &card.rows[0];
    let received = line
        .row
        .card
        .figures
        .get(xxgk_model::figures::FigureKind::RequestsReceived)
        .expect("stated");
    assert_eq!(received.value.as_f64(), 5.0);
    assert!(line.checklist_items.is_some_and(|n| n >= 1), "{line:?}");
    app.scorecard(&req).expect("again");
    assert_eq!(app.computed(Kind::Scorecard), 1, "kept");

    let bad = crate::scorecard::ScorecardRequest {
        province: Some("火星".into()),
        ..Default::default()
    };
    let err = app.scorecard(&bad).expect_err("unknown province");
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    let bad = crate::scorecard::ScorecardRequest {
        years: vec!["2030-2031".into()],
        ..Default::default()
    };
    assert_eq!(
        app.scorecard(&bad).expect_err("no report").kind(),
        ErrorKind::BadRequest
    );
}

/// Issue 18: a checklist filter nobody has (a kind, a school) is an error naming what
/// exists, not an empty matrix.
#[test]
fn checklist_filters_name_what_exists() {
    let with_kind = |school: &str, kind: &str| {
        report(school, "2020-2021")
            .kind(kind)
            .section(SectionId::KeyAreas, "收费", "学校收费标准按规定公示。")
            .build()
    };
    let (app, _w) = app_with(&[with_kind("翠谷大學", "大学"), with_kind("东海学院", "学院")]);
    let req = |kinds: &[&str], schools: &[&str]| MatrixRequest {
        year: Some("2020-2021".into()),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        schools: schools.iter().map(|s| s.to_string()).collect(),
        without_snippets: true,
        ..MatrixRequest::default()
    };
    let m = app.checklist(&req(&["大学"], &[])).expect("known kind");
    assert_eq!(m.rows.len(), 1);
    let err = app
        .checklist(&req(&["火星学院"], &[]))
        .expect_err("unknown kind");
    assert!(err.is_user_error());
    assert!(err.to_string().contains("大学、学院"), "{err}");
    let m = app
        .checklist(&req(&[], &["翠谷大学"]))
        .expect("folded school");
    assert_eq!(m.rows[0].school, "翠谷大學");
    assert!(app.checklist(&req(&[], &["不存在大学"])).is_err());
}

/// The search page counts each facet without its own filter: choosing one year still
/// shows the other years to add.
#[test]
fn search_page_facets_ignore_their_own_filter() {
    let (app, _w) = app_with(&[fees("翠谷大學", "2020-2021"), fees("翠谷大學", "2019-2020")]);
    let mut req = SearchRequest::new("收费标准");
    req.years = vec!["2020-2021".into()];
    let page = app.search_page(&req).expect("page");
    assert_eq!(page.total, 1);
    let years: Vec<&str> = page.facets.year.keys().map(String::as_str).collect();
    assert_eq!(years, ["2019-2020", "2020-2021"]);
    assert_eq!(app.search(&req).expect("plain").facets.year.len(), 1);
}
