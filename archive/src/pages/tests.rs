//! The crawl tables: versions by hash, the frontier's resumption, the roles the schema
//! admits.

use super::*;

fn fetched(body: &str) -> DocState {
    DocState::Fetched {
        etag: Some(format!("\"{}\"", body.len())),
        last_modified: None,
        content_type: Some("text/html".into()),
        encoding: Some("UTF-8".into()),
        body: body.as_bytes().to_vec(),
        text: None,
    }
}

fn work(url: &str, state: DocState) -> PageWork {
    PageWork {
        school: "甲大学".into(),
        frontier_url: url.into(),
        docs: vec![DocRecord {
            url: url.into(),
            role: PageRole::List,
            form: None,
            state,
        }],
        ..PageWork::default()
    }
}

#[test]
fn versions_by_hash_and_gone_keeps_them() {
    let store = Archive::open_in_memory().expect("store");
    let u = "http://a.edu.cn/1.htm";
    assert_eq!(
        store
            .record_page(&work(u, fetched("v1")))
            .expect("w")
            .new_versions,
        1
    );
    assert_eq!(
        store
            .record_page(&work(u, fetched("v1")))
            .expect("w")
            .unchanged,
        1
    );
    assert_eq!(
        store
            .record_page(&work(u, DocState::NotModified))
            .expect("w")
            .unchanged,
        1
    );
    assert_eq!(
        store
            .record_page(&work(u, fetched("v2")))
            .expect("w")
            .new_versions,
        1
    );
    assert_eq!(store.page_versions(u).expect("versions").len(), 2);
    let info = store.page(u).expect("page").expect("known");
    assert_eq!(info.etag.as_deref(), Some("\"2\""));
    assert_eq!(
        store.record_page(&work(u, DocState::Gone)).expect("w").gone,
        1
    );
    assert_eq!(
        store.record_page(&work(u, DocState::Gone)).expect("w").gone,
        0
    );
    assert!(store.page(u).expect("page").expect("known").gone);
    assert_eq!(store.page_versions(u).expect("versions").len(), 2);
    // A URL never stored that 404s is a dead link, not a gone page.
    let dead = store.record_page(&work("http://a.edu.cn/x.htm", DocState::Gone));
    assert_eq!(dead.expect("w").dead, 1);
}

#[test]
fn frontier_resumes_an_unfinished_run_and_restarts_a_finished_one() {
    let store = Archive::open_in_memory().expect("store");
    let seeds = vec![QueueItem::seed("http://a/", 0, PageRole::Start)];
    assert!(!store.begin_run("甲", "crawl", &seeds).expect("begin"));
    let mut w = work("http://a/", fetched("x"));
    w.school = "甲".into();
    // A page a script fetches by POST keeps its form body through the queue.
    let posted = QueueItem {
        url: "http://a/dataproxy.jsp?startrecord=4".into(),
        depth: 1,
        role: PageRole::List,
        link_text: "记录4-6".into(),
        form: Some("columnid=1234&unitid=4101".into()),
    };
    w.enqueue = vec![posted.clone()];
    store.record_page(&w).expect("record");
    assert_eq!(store.next_queued("甲").expect("next"), Some(posted.clone()));
    // Killed here: the next run resumes with the queue as it was.
    assert!(store.begin_run("甲", "crawl", &seeds).expect("begin"));
    assert_eq!(store.done_count("甲").expect("done"), 1);
    assert_eq!(store.next_queued("甲").expect("next"), Some(posted.clone()));
    // Once fetched, a recrawl seeds it again with its form.
    let mut w = work(&posted.url, fetched("y"));
    w.school = "甲".into();
    w.docs[0].form = posted.form.clone();
    store.record_page(&w).expect("record");
    let known = store.known_pages("甲", 1).expect("known");
    assert_eq!(known.len(), 2);
    assert_eq!(known[1].form, posted.form);
    store.finish_run("甲").expect("finish");
    assert!(!store.begin_run("甲", "crawl", &seeds).expect("begin"));
    assert_eq!(store.done_count("甲").expect("done"), 0);
    assert_eq!(store.queued_count("甲").expect("queued"), 1);
}

#[test]
fn the_schema_refuses_a_role_that_is_not_a_page_role() {
    let store = Archive::open_in_memory().expect("store");
    let insert = |table: &str, role: &str| {
        let sql = match table {
            "pages" => {
                "INSERT INTO pages (url, school, role, first_seen) VALUES ('u', 's', ?1, '')"
            }
            _ => "INSERT INTO frontier (school, url, depth, role) VALUES ('s', 'u', 0, ?1)",
        };
        store.conn.execute(sql, [role])
    };
    for table in ["pages", "frontier"] {
        let err = insert(table, "page").expect_err("not a role");
        assert!(err.to_string().contains("page role"), "{table}: {err}");
    }
    for (i, role) in PageRole::ALL.iter().enumerate() {
        store
            .conn
            .execute(
                "INSERT INTO frontier (school, url, depth, role) VALUES ('s', ?1, 0, ?2)",
                params![i.to_string(), role.as_str()],
            )
            .expect("every role is admitted");
    }
}
