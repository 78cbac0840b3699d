//! `xxgk import PATH...`: read report files (.txt, .html, .htm) or folders of them, store
//! and index them. A file's identity is its absolute path (`file://…`), so importing the
//! same file again replaces its report.
//!
//! The school is `--school` when given; else the longest name of an institution the
//! archive knows (the 2017 registry, sources' names and aliases, either script) in the
//! title, the first lines, then the body; else a name the title clearly starts with
//! (`2020-2021学年度某某大学信息公开…`, for schools outside the registry). A file naming
//! none is refused with a message naming `--school`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use xxgk_archive::PutOutcome;
use xxgk_crawler::extract::{report_from_html, report_from_text, Hints};
use xxgk_crawler::names::SchoolNames;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or folders (searched recursively for .txt, .html and .htm).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The school of every file imported (overrides the name found in the text).
    #[arg(long)]
    pub school: Option<String>,
}

pub fn run(data: &Path, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files).with_context(|| format!("reading {}", path.display()))?;
    }
    if files.is_empty() {
        anyhow::bail!("no .txt, .html or .htm files found in the given paths");
    }
    let store = super::open_store(data)?;
    let names = Arc::new(known_names(&store)?);
    let engine = super::open_engine(data)?;
    let mut writer = super::open_writer(data, &engine, 1)?;
    // Whatever an earlier run stored but never indexed goes in first.
    xxgk_app::sync::sync_index(&store, &engine, &mut writer)?;
    let (mut new, mut changed, mut same, mut failed) = (0, 0, 0, 0);
    let mut out = String::new();
    for file in &files {
        match import_file(file, args.school.as_deref(), &names) {
            Ok(report) => {
                // Stored with its place in the outbox, in one transaction; indexed below.
                let outcome = store.put_report(&report)?;
                let what = match outcome {
                    PutOutcome::New => {
                        new += 1;
                        "new"
                    }
                    PutOutcome::Changed => {
                        changed += 1;
                        "updated"
                    }
                    PutOutcome::Unchanged => {
                        same += 1;
                        "unchanged"
                    }
                };
                outln!(
                    out,
                    "{what:9} {} — {} {} ({} sections)",
                    file.display(),
                    report.school,
                    report.year.as_deref().unwrap_or("(year unknown)"),
                    report.sections.len()
                );
            }
            Err(err) => {
                failed += 1;
                eprintln!("skipped   {}: {err:#}", file.display());
            }
        }
    }
    // The outbox into the index, committed, then emptied.
    xxgk_app::sync::drain_outbox(&store, &engine, &mut writer)?;
    writer.finish()?;
    outln!(
        out,
        "imported {new} new, {changed} updated, {same} unchanged; {failed} skipped"
    );
    super::emit(&out)?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() || is_report_file(&entry) {
                collect(&entry, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn is_report_file(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("txt" | "html" | "htm")
    )
}

/// Every name and alias of the institutions the archive knows.
fn known_names(store: &xxgk_archive::Archive) -> anyhow::Result<SchoolNames> {
    let institutions = store.institutions(&Default::default())?;
    Ok(SchoolNames::new(institutions.iter().flat_map(|i| {
        std::iter::once(i.name.as_str())
            .chain(i.aliases.iter().map(String::as_str))
            .chain(i.sources.iter().map(String::as_str))
    })))
}

fn import_file(
    path: &Path,
    school: Option<&str>,
    names: &Arc<SchoolNames>,
) -> anyhow::Result<xxgk_index::Report> {
    let bytes = std::fs::read(path)?;
    let absolute = std::fs::canonicalize(path)?;
    let text = decode(&bytes)?;
    let hints = Hints {
        url: format!("file://{}", absolute.display()),
        school: school.map(str::to_string),
        names: Some(names.clone()),
        ..Hints::default()
    };
    let is_html = matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("html" | "htm")
    );
    let report = if is_html {
        report_from_html(&text, &hints)?
    } else {
        report_from_text(&text, &hints)?
    };
    Ok(report)
}

/// Files saved from Chinese sites are often GBK or Big5: decode them as the crawler
/// decodes pages (BOM, `<meta>` charset, then detection; no domain hint, a file has no host).
fn decode(bytes: &[u8]) -> anyhow::Result<String> {
    let decoded = xxgk_crawler::decode::decode(bytes, None, None);
    if decoded.had_errors {
        anyhow::bail!(
            "the file is not valid text in {} (the closest guess); convert it to UTF-8",
            decoded.encoding.name()
        );
    }
    Ok(decoded.text)
}
