//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `xxgk` binary built for these tests.
pub fn xxgk_bin() -> &'static str {
    env!("CARGO_BIN_EXE_xxgk")
}

/// `xxgk --data DATA ARGS…`, run to completion.
pub fn xxgk(data: &Path, args: &[&str]) -> Output {
    Command::new(xxgk_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("XXGK_DATA")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the xxgk binary")
}

/// Runs `xxgk` and returns stdout, failing the test with stderr when it fails.
pub fn xxgk_ok(data: &Path, args: &[&str]) -> String {
    let out = xxgk(data, args);
    assert!(
        out.status.success(),
        "xxgk {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs `xxgk … --json` and parses the output.
pub fn xxgk_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let stdout = xxgk_ok(data, args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}"))
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Our own fixture reports (see tests/fixtures/reports/EXPECTED.md).
pub fn fixture_reports() -> PathBuf {
    repo_root().join("tests/fixtures/reports")
}

/// The real seed reports, read in place (never copied into the repo). When the folder is
/// not there: a failure under `XXGK_REQUIRE_EXTERNAL=1` (a passing test that read
/// nothing would hide it), unless `XXGK_SEEDS=optional` says the machine has none —
/// `.ci/run` sets that, loudly, only when `../shared/seeds` is missing — else `None` with
/// a printed reason.
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/seeds");
    if dir.join("000_532395fc2a8f3de4.txt").exists() {
        return Some(dir);
    }
    let required = std::env::var("XXGK_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1");
    let optional = std::env::var("XXGK_SEEDS").is_ok_and(|v| v == "optional");
    if required && !optional {
        panic!(
            "the real seeds are required (XXGK_REQUIRE_EXTERNAL=1) but not at {} \
             (set XXGK_SEEDS=optional on a machine without them)",
            dir.display()
        );
    }
    eprintln!("skipped: the real seeds are not at {}", dir.display());
    None
}

/// For tests that need a program beyond Rust (Chromium, poppler): `true` when it may skip
/// because `what` is missing — printing why — and a panic when `.ci/run` demanded it
/// (`XXGK_REQUIRE_EXTERNAL=1`).
pub fn skip_without(what: &str, available: bool) -> bool {
    if available {
        return false;
    }
    if std::env::var("XXGK_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1") {
        panic!("{what} is required (XXGK_REQUIRE_EXTERNAL=1) but missing");
    }
    eprintln!("skipped: {what} is not installed");
    true
}

/// The names of the schools among the hits of a JSON search result.
pub fn hit_schools(results: &serde_json::Value) -> std::collections::BTreeSet<String> {
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["school"].as_str().expect("school").to_string())
        .collect()
}
