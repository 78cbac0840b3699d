//! The archive file: opening, migrations from older schemas, copies, read-only use.

use super::*;

fn report(text: &str) -> Report {
    xxgk_testkit::report("甲大学", "2020-2021")
        .url("https://a.edu.cn/1.htm")
        .title("甲大学报告")
        .text(text)
        .build()
}

#[test]
fn same_id_replaces_and_reports_what_changed() {
    let store = Archive::open_in_memory().expect("store");
    assert_eq!(
        store.put_report(&report("一")).expect("put"),
        PutOutcome::New
    );
    assert_eq!(
        store.put_report(&report("一")).expect("put"),
        PutOutcome::Unchanged
    );
    assert_eq!(
        store.put_report(&report("二")).expect("put"),
        PutOutcome::Changed
    );
    assert_eq!(store.count_reports().expect("count"), 1);
    let back = store.report(&report("二").id).expect("get").expect("some");
    // Handed out with its institution's key (an institution made for 甲大学).
    assert!(back
        .institution
        .as_deref()
        .is_some_and(|k| k.starts_with('x')));
    assert_eq!(
        Report {
            institution: None,
            ..back
        },
        report("二")
    );
}

/// Issue 19: a report's year is rewritten in place, nothing else about it.
#[test]
fn set_report_year_rewrites_the_year_only() {
    let store = Archive::open_in_memory().expect("store");
    store.put_report(&report("一")).expect("put");
    let pending = store.pending_ids().expect("pending");
    store.clear_pending(&pending).expect("clear");
    let mut r = report("一");
    r.year = Some("2019-2020".into());
    r.year_as_written = Some("2020年度".into());
    assert!(store.set_report_year(&r).expect("set"));
    let back = store.report(&r.id).expect("get").map(|b| Report {
        institution: None,
        ..b
    });
    assert_eq!(back, Some(r.clone()));
    let rows = store
        .scorecard(&crate::ScorecardFilter::default())
        .expect("scorecard");
    assert_eq!(rows[0].card.year.as_deref(), Some("2019-2020"), "follows");
    assert_eq!(
        store.pending_count().expect("pending"),
        0,
        "no outbox entry"
    );
    // A report whose text changed since is left alone.
    let other = report("二");
    assert!(!store.set_report_year(&other).expect("set"));
}

/// An archive as `main` wrote it before institutions existed (schema 2: the crawl
/// tables, a crawled report with two versions of its page, an imported report) opens
/// with every report and version kept, and each report linked to its institution.
#[test]
fn an_archive_of_schema_2_opens_with_everything_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("xxgk.sqlite");
    let crawled = report("一");
    let mut imported = report("二");
    imported.url = "file:///r/beida.txt".into();
    imported.id = Report::id_for_url(&imported.url);
    imported.school = "北京大學".into();
    {
        let conn = Connection::open(&path).expect("open");
        for step in &MIGRATIONS[..2] {
            conn.execute_batch(step).expect("old schema");
        }
        conn.pragma_update(None, "user_version", 2)
            .expect("version");
        for r in [&crawled, &imported] {
            conn.execute(
                "INSERT INTO reports (id, url, school, year, content_hash, json, first_seen, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '2021-11-01T00:00:00Z', '2021-11-01T00:00:00Z')",
                params![r.id, r.url, r.school, r.year, r.content_hash,
                        serde_json::to_string(r).expect("json")],
            )
            .expect("report");
        }
        conn.execute(
            "INSERT INTO schools (name, json, updated) VALUES ('甲大学', ?1, '2021-11-01')",
            [r#"{"name":"甲大学","start":["https://a.edu.cn/"]}"#],
        )
        .expect("school");
        for (i, body) in ["<p>v1</p>", "<p>v2</p>"].iter().enumerate() {
            conn.execute(
                "INSERT INTO versions (url, hash, first_fetched, last_seen, size, body,
                                       report_id, report_json)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
                params![
                    crawled.url,
                    format!("{i:064}"),
                    format!("2021-11-0{}T00:00:00Z", i + 1),
                    body.len() as i64,
                    body.as_bytes(),
                    crawled.id,
                    serde_json::to_string(&crawled).expect("json")
                ],
            )
            .expect("version");
        }
        conn.execute(
            "INSERT INTO pages (url, school, role, first_seen, last_status, current_version,
                                report_id)
             VALUES (?1, '甲大学', 'report', '2021-11-01', 200, 2, ?2)",
            params![crawled.url, crawled.id],
        )
        .expect("page");
        conn.execute(
            "INSERT INTO crawl_runs (school, mode, started, finished)
             VALUES ('甲大学', 'crawl', '2021-11-01T00:00:00Z', '2021-11-01T00:10:00Z')",
            [],
        )
        .expect("run");
    }
    let archive = Archive::open(&path).expect("migrates");
    assert_eq!(archive.schema_version().expect("version"), MIGRATIONS.len());
    assert_eq!(archive.count_reports().expect("count"), 2);
    let without_institution = |id: &str| {
        archive.report(id).expect("get").map(|r| Report {
            institution: None,
            ..r
        })
    };
    assert_eq!(without_institution(&crawled.id), Some(crawled.clone()));
    assert_eq!(without_institution(&imported.id), Some(imported.clone()));
    assert_eq!(
        archive.report_history(&crawled.id).expect("history").len(),
        2
    );
    // The imported report found its registry institution by its traditional name; the
    // crawled one belongs to its source, an institution of its own.
    let beida = archive
        .find_institution("北京大学")
        .expect("find")
        .expect("known");
    assert_eq!(
        archive
            .report(&imported.id)
            .expect("get")
            .and_then(|r| r.institution),
        beida.code.clone()
    );
    let coverage = archive
        .coverage(&crate::CoverageRequest {
            years: vec!["2020-2021".into()],
            ..Default::default()
        })
        .expect("coverage");
    let row = |name: &str| {
        coverage
            .schools
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        row(&beida.name).years["2020-2021"].status,
        crate::Status::Archived
    );
    let jia = row("甲大学");
    assert!(jia.in_sources);
    let crawled: Vec<String> = archive
        .crawled_sources()
        .expect("sources")
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(crawled, ["甲大学"], "the source kept through migration 7");
    assert_eq!(jia.years["2020-2021"].reports[0].versions, 2);
    // Reopening changes nothing.
    drop(archive);
    let again = Archive::open(&path).expect("reopen");
    assert_eq!(again.count_reports().expect("count"), 2);
    assert_eq!(
        again.institutions(&Default::default()).expect("list").len(),
        coverage.schools.len()
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("xxgk.sqlite");
    Archive::open(&path).expect("create");
    Connection::open(&path)
        .expect("open")
        .pragma_update(None, "user_version", MIGRATIONS.len() + 1)
        .expect("bump");
    assert!(matches!(Archive::open(&path), Err(Error::TooNew { .. })));
}

#[test]
fn reopening_keeps_data_and_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.sqlite");
    Archive::open(&path)
        .expect("open")
        .put_report(&report("一"))
        .expect("put");
    let store = Archive::open(&path).expect("reopen");
    assert_eq!(store.reports().expect("all").len(), 1);
    assert_eq!(store.schema_version().expect("version"), MIGRATIONS.len());
}
