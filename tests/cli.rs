use crate::common::{fixture_reports, xxgk, xxgk_ok};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Bad queries and parameters: non-zero exit, one clear line on stderr, no panic.
#[test]
fn bad_input_is_one_clear_error_line() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    xxgk_ok(d, &["import", fixture_reports().to_str().expect("path")]);
    let long = "收费".repeat(5000);
    for (args, expect) in [
        (vec!["search", "，。！"], "no searchable words"),
        (vec!["search", "-收费"], "only excludes"),
        (vec!["search", long.as_str()], "too long"),
        (vec!["search", "收费", "--section", "fees"], "栏目“"),
        (vec!["search", "收费", "--limit", "0"], "limit must be"),
        (vec!["search", "收费", "--limit", "10000"], "limit must be"),
    ] {
        let out = xxgk(d, &args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // Odd but searchable syntax falls back sensibly.
    for q in [
        "\"收费标准",
        "OR",
        "收费 OR",
        "NOT 收费 学费",
        "((收费))",
        "<script>",
    ] {
        let out = xxgk(d, &["search", q, "--json"]);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{q}: {err}");
    }
}

/// A file that is not a report is skipped with its reason; the others are imported.
#[test]
fn import_skips_bad_files_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    std::fs::write(input.join("empty.txt"), "\n\n").expect("write");
    // The same report saved as GBK and as Big5, the way Chinese sites serve them.
    let good =
        std::fs::read_to_string(fixture_reports().join("donghai-2020-2021.txt")).expect("fixture");
    let big5_text = "2020-2021學年度北海商業學院信息公開工作年度報告\n\
        一、概述\n北海商業學院在網站公開了學費和住宿費的收費標準。\n";
    let renamed = good.replace("东海海洋大学", "东湖大学");
    let (gbk, _, gbk_err) = encoding_rs::GBK.encode(&renamed);
    let (big5, _, big5_err) = encoding_rs::BIG5.encode(big5_text);
    assert!(!gbk_err && !big5_err);
    std::fs::write(input.join("gbk.txt"), &gbk).expect("write");
    std::fs::write(input.join("big5.txt"), &big5).expect("write");
    std::fs::write(input.join("binary.txt"), [0xFFu8, 0x00, 0xFE, 0x81, 0xFF]).expect("write");
    std::fs::copy(
        fixture_reports().join("donghai-2020-2021.txt"),
        input.join("good.txt"),
    )
    .expect("copy");
    std::fs::write(input.join("ignored.pdf"), "x").expect("write");
    let data = dir.path().join("data");
    let out = xxgk(&data, &["import", input.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("empty.txt") && err.contains("no text"),
        "{err}"
    );
    assert!(err.contains("binary.txt"), "{err}");
    assert!(
        !err.contains("gbk.txt") && !err.contains("big5.txt"),
        "{err}"
    );
    assert!(!err.contains("ignored.pdf"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("3 new"), "{stdout}");
    let found = xxgk_ok(&data, &["search", "收费标准"]);
    assert!(found.contains("东海海洋大学"), "{found}");
    assert!(found.contains("东湖大学"), "GBK file decoded: {found}");
    assert!(found.contains("北海商業學院"), "Big5 file decoded: {found}");

    let missing = xxgk(&data, &["import", "/nonexistent/path"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("/nonexistent/path"));
}

/// A reader that stops early (`xxgk search … | head`) ends the output quietly: no panic
/// from `println!` on a closed pipe.
#[test]
fn closed_stdout_is_not_a_panic() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    xxgk_ok(d, &["import", fixture_reports().to_str().expect("path")]);
    for args in [
        vec!["search", "公开", "--limit", "50"],
        vec!["search", "公开", "--json"],
        vec!["schools", "收费标准"],
    ] {
        let mut child = std::process::Command::new(crate::common::xxgk_bin())
            .arg("--data")
            .arg(d)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the read end before the command has written anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {err}");
    }
}

/// Issue 13: kill -9 in the middle of an import, then any command: the archive and the
/// index agree again (every stored report searchable, nothing indexed that is not
/// stored), because what must be indexed is in the archive's outbox from the same
/// transaction that stored it.
#[test]
fn import_killed_midway_converges_at_the_next_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).expect("mkdir");
    let template =
        std::fs::read_to_string(fixture_reports().join("donghai-2019-2020.txt")).expect("fixture");
    for i in 0..400 {
        // Distinct reports: each file is its own report and has its own text.
        let text = template.replace("共计222条", &format!("共计{}条", 1000 + i));
        std::fs::write(files.join(format!("r{i:04}.txt")), text).expect("write");
    }
    let mut child = std::process::Command::new(crate::common::xxgk_bin())
        .arg("--data")
        .arg(&data)
        .args(["import", files.to_str().expect("path")])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start import");
    // Wait until some reports are stored, then kill -9 mid-run.
    let db = data.join("xxgk.sqlite");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let stored = || {
        xxgk_archive::Archive::open(&db)
            .and_then(|a| a.count_reports())
            .unwrap_or(0)
    };
    while std::time::Instant::now() < deadline && (!db.exists() || stored() < 20) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();

    // Any command: stats reconciles (no other writer runs) and says both agree.
    let stats = crate::common::xxgk_json(&data, &["stats", "--json"]);
    let stored = stats["stored_reports"].as_u64().expect("stored");
    assert!(
        stored > 0,
        "the import stored nothing before the kill: {stats}"
    );
    assert_eq!(stats["indexed_reports"], stored, "{stats}");
    assert_eq!(stats["pending_index"], 0, "{stats}");
    // And search sees them.
    let found = crate::common::xxgk_json(&data, &["search", "信息公开", "--json", "--limit", "1"]);
    assert!(found["total"].as_u64().unwrap_or(0) >= stored, "{found}");
    // Finishing the import gives what a clean run gives.
    xxgk_ok(&data, &["import", files.to_str().expect("path")]);
    let stats = crate::common::xxgk_json(&data, &["stats", "--json"]);
    assert_eq!(stats["stored_reports"], 400, "{stats}");
    assert_eq!(stats["indexed_reports"], 400, "{stats}");
}

/// A second writer gets one clear line naming the one that runs.
#[test]
fn a_second_writer_is_told_who_holds_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    xxgk_ok(data, &["import", fixture_reports().to_str().expect("path")]);
    // Hold the index writer as a running import would.
    let engine = xxgk_index::Engine::open_or_create(&data.join("index")).expect("index");
    let _writer = engine.writer(1).expect("writer");
    std::fs::write(data.join("writer.pid"), "4242").expect("pid");
    let out = xxgk(data, &["reindex"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("another import, crawl or reindex is running: pid 4242"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // stats still answers, without reconciling.
    let stats = crate::common::xxgk_json(data, &["stats", "--json"]);
    assert!(stats["reconciled"].is_null(), "{stats}");
}

/// Issue 11: an import names its school from the registry (longest name, both scripts),
/// never from a sentence; a file naming none is refused with a message naming --school,
/// and --school overrides.
#[test]
fn issue_11_imports_name_the_school_from_the_registry_or_refuse() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    let files = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let p = files.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let body = "一、概述\n学校进一步提高学校信息公开工作水平，方便公众查阅学校信息。\n\
                二、主动公开情况\n本学年主动公开信息一百条。\n";
    // Title without a school; the first lines name a registry school (the longer of
    // 集美大学 and 集美大学诚毅学院), in traditional characters.
    let named = write(
        "named.txt",
        &format!("2020-2021学年信息公开年度报告\n請聯繫集美大學誠毅學院辦公室\n{body}"),
    );
    let out = xxgk_ok(d, &["import", &named]);
    assert!(out.contains("集美大學誠毅學院 2020-2021"), "{out}");
    // No school anywhere: refused, the message names --school; never 公众查阅学校.
    let nameless = write(
        "nameless.txt",
        &format!("2020-2021学年信息公开年度报告\n{body}"),
    );
    let out = xxgk(d, &["import", &nameless]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--school"), "{err}");
    assert!(
        !err.contains("公众查阅学校") && !err.contains("提高学校"),
        "{err}"
    );
    // --school overrides.
    let out = xxgk_ok(d, &["import", &nameless, "--school", "集美大学"]);
    assert!(out.contains("集美大学 2020-2021"), "{out}");
}

/// Issue 20: `xxgk scorecard` reads the figures each report states, with the sentence
/// it read them from, in either script; a year that is not a year is an error, not an
/// empty scorecard.
#[test]
fn scorecard_lists_each_reports_figures_with_their_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    std::fs::write(
        input.join("a.txt"),
        "2020-2021学年度东湖理工学院信息公开工作年度报告\n\
         一、概述\n学校认真落实信息公开要求。\n\
         二、主动公开情况\n本学年主动公开信息1,200余条。\n\
         三、依申请公开和不予公开情况\n本学年共收到信息公开申请十二件，其中同意公开8件，部分公开2件，不予公开2件。\n\
         四、因学校信息公开工作受到举报、复议、诉讼的情况\n本学年收到举报3件，未发生行政复议和行政诉讼。\n",
    )
    .expect("write");
    std::fs::write(
        input.join("b.txt"),
        "2019-2020學年度北海商業學院信息公開工作年度報告\n\
         一、概述\n學校依法公開信息。\n\
         三、依申請公開和不予公開情況\n本學年未收到信息公開申請。\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    xxgk_ok(&data, &["import", input.to_str().expect("path")]);

    let out = xxgk_ok(&data, &["scorecard", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["total"], 2, "{json}");
    let rows = json["rows"].as_array().expect("rows");
    let donghu = rows
        .iter()
        .find(|r| r["school"] == "东湖理工学院")
        .expect("donghu row");
    // Joined with the index's checklist matrix for its year.
    assert!(donghu["checklist_items"].is_u64(), "{donghu}");
    // Undated, and imported today: no proof either way (never "late" for that).
    assert_eq!(donghu["on_time"], serde_json::Value::Null, "{donghu}");
    assert_eq!(donghu["published_is_first_seen"], true);
    let figures = &donghu["figures"];
    assert_eq!(figures["requests_received"]["value"], 12, "{figures}");
    assert_eq!(figures["requests_granted"]["value"], 8);
    assert_eq!(figures["requests_refused"]["value"], 2);
    assert_eq!(figures["complaints"]["value"], 3);
    assert_eq!(figures["reviews"]["value"], 0);
    assert_eq!(figures["lawsuits"]["value"], 0);
    assert_eq!(figures["proactive_items"]["value"], 1200);
    assert_eq!(figures["proactive_items"]["approx"], true);
    assert!(figures["requests_received"]["quote"]
        .as_str()
        .is_some_and(|q| q.contains("十二件")));
    assert!(figures["satisfaction_pct"].is_null());
    let beihai = rows
        .iter()
        .find(|r| r["year"] == "2019-2020")
        .expect("beihai row");
    assert_eq!(beihai["figures"]["requests_received"]["value"], 0);
    assert!(beihai["figures"]["complaints"].is_null(), "{beihai}");

    let csv = xxgk_ok(&data, &["scorecard", "--csv", "--year", "2020-2021"]);
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with("school,code,province,year,report_id"),
        "{header}"
    );
    assert!(header.contains("requests_received,requests_received_quote"));
    assert_eq!(lines.count(), 1, "{csv}");

    let out = xxgk(&data, &["scorecard", "--year", "abc"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("abc"), "{}", stderr(&out));
}

/// Issue 18: a filter value the data has never heard of — a year that is not one, or
/// that no report covers, a school or a province nobody knows — is a non-zero exit with
/// one line in Chinese naming what exists, never a confident "not found" for every school.
#[test]
fn issue_18_bad_filters_are_refused_not_answered() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = data.path();
    xxgk_ok(d, &["import", fixture_reports().to_str().expect("path")]);
    for (args, expect) in [
        (vec!["schools", "收费标准", "--year", "abc"], "abc"),
        (
            vec!["schools", "收费标准", "--year", "2020-2022"],
            "2020-2022",
        ),
        // Well formed but held by no report: the message names the years held.
        (
            vec!["schools", "收费标准", "--year", "2030-2031"],
            "2019-2020",
        ),
        (
            vec!["schools", "收费标准", "--school", "不存在大学"],
            "不存在大学",
        ),
        // A partial name suggests the schools it may mean.
        (
            vec!["schools", "收费标准", "--school", "东海"],
            "东海海洋大学",
        ),
        (vec!["coverage", "--province", "火星"], "火星"),
        (vec!["coverage", "--year", "2030-2031"], "2030-2031"),
        (vec!["search", "收费标准", "--year", "abc"], "abc"),
        (
            vec!["search", "收费标准", "--school", "不存在大学"],
            "不存在大学",
        ),
        (vec!["checklist", "--school", "不存在大学"], "不存在大学"),
    ] {
        let out = xxgk(d, &args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    // School names are folded: the simplified name finds the traditional report.
    let answer = crate::common::xxgk_json(
        d,
        &[
            "schools",
            "收费标准",
            "--school",
            "北辰职业技术学院",
            "--json",
        ],
    );
    assert_eq!(
        answer["matched"][0]["school"], "北辰職業技術學院",
        "{answer}"
    );
    let hits = crate::common::xxgk_json(
        d,
        &[
            "search",
            "收费标准",
            "--school",
            "北辰职业技术学院",
            "--json",
        ],
    );
    assert!(hits["total"].as_u64().unwrap_or(0) >= 1, "{hits}");
}

/// Issue 18: a command that only reads never invents an archive — a mistyped `--data`
/// is one line naming the way out, and the folder is not created; writing commands
/// still create it.
#[test]
fn read_commands_refuse_a_data_folder_without_an_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nope = dir.path().join("nope");
    for args in [
        vec!["schools", "收费标准"],
        vec!["search", "收费标准"],
        vec!["coverage"],
        vec!["checklist"],
        vec!["scorecard"],
        vec!["stats"],
        vec!["serve", "--addr", "127.0.0.1:0"],
    ] {
        let out = xxgk(&nope, &args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            err.contains("xxgk import") && err.contains("--data"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!nope.exists(), "{args:?} created {}", nope.display());
    }
    // An existing but empty folder holds no archive either.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    assert!(!xxgk(&empty, &["schools", "收费标准"]).status.success());
    // A writing command makes the folder.
    xxgk_ok(
        &nope,
        &["import", fixture_reports().to_str().expect("path")],
    );
    xxgk_ok(&nope, &["schools", "收费标准"]);
}
