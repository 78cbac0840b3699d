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
        (
            vec!["search", "收费", "--section", "fees"],
            "unknown section",
        ),
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
    std::fs::write(input.join("gbk.txt"), [0xD0u8, 0xC5, 0xCF, 0xA2]).expect("write");
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
    assert!(
        err.contains("gbk.txt") && err.contains("not UTF-8"),
        "{err}"
    );
    assert!(!err.contains("ignored.pdf"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 new"), "{stdout}");
    let found = xxgk_ok(&data, &["search", "收费标准"]);
    assert!(found.contains("东海海洋大学"), "{found}");

    let missing = xxgk(&data, &["import", "/nonexistent/path"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("/nonexistent/path"));
}
