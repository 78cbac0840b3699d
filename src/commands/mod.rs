//! One module per subcommand. Each takes the data folder and its parsed arguments.

pub mod bench;
pub mod checklist;
pub mod coverage;
pub mod crawl;
pub mod demo;
pub mod import;
pub mod schools;
pub mod search;
pub mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use xxgk_archive::{Archive, Reader};
use xxgk_index::Engine;

/// The Tantivy index inside the data folder.
pub fn index_dir(data: &Path) -> PathBuf {
    data.join("index")
}

/// The SQLite store inside the data folder.
pub fn store_path(data: &Path) -> PathBuf {
    data.join("xxgk.sqlite")
}

pub fn open_engine(data: &Path) -> anyhow::Result<Engine> {
    let dir = index_dir(data);
    Engine::open_or_create(&dir).with_context(|| format!("opening the index in {}", dir.display()))
}

pub fn open_store(data: &Path) -> anyhow::Result<Archive> {
    let path = store_path(data);
    Archive::open(&path).with_context(|| format!("opening the archive {}", path.display()))
}

/// The archive for the web site (reads only).
pub fn open_reader(data: &Path) -> anyhow::Result<Reader> {
    let path = store_path(data);
    Reader::open(&path).with_context(|| format!("opening the archive {}", path.display()))
}

/// Writes a command's output to stdout. A reader that stops early (`xxgk search … | head`)
/// is not an error: a broken pipe ends the output quietly instead of panicking in `println!`.
pub fn emit(out: &str) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `--section` values as section ids; an unknown one is an error that lists the known.
pub fn parse_sections(names: &[String]) -> anyhow::Result<Vec<xxgk_index::SectionId>> {
    use xxgk_index::SectionId;
    names
        .iter()
        .map(|s| {
            SectionId::parse(s).ok_or_else(|| {
                let known: Vec<&str> = SectionId::ALL.iter().map(|s| s.as_str()).collect();
                anyhow::anyhow!("unknown section {s:?}; known: {}", known.join(", "))
            })
        })
        .collect()
}

/// `xxgk reindex`: rebuild the whole index from the stored reports.
pub fn reindex(data: &Path) -> anyhow::Result<ExitCode> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    let mut writer = engine.writer(2)?;
    writer.clear()?;
    let mut n = 0usize;
    for report in store.reports()? {
        writer.upsert(&report)?;
        n += 1;
    }
    writer.commit()?;
    writer.finish()?;
    println!("reindexed {n} reports");
    Ok(ExitCode::SUCCESS)
}

/// One source's crawl health in a line (`xxgk stats`, crawl summaries).
pub fn health_line(h: &xxgk_archive::SourceHealth) -> String {
    let Some(run) = &h.last_run else {
        return format!("{}: never crawled", h.source);
    };
    let mut line = format!(
        "{}: {} {} → {}, {} pages, {} reports",
        h.source,
        run.mode,
        run.started,
        run.finished.as_deref().unwrap_or("not finished"),
        run.pages_ok,
        run.reports_found
    );
    if let Some(e) = &run.start_error {
        line.push_str(&format!(", UNREACHABLE ({e})"));
    }
    if !run.errors.is_empty() {
        let list: Vec<String> = run.errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
        line.push_str(&format!(", errors: {}", list.join(", ")));
    }
    if !run.robots_blocked.is_empty() {
        line.push_str(&format!(
            ", robots-blocked: {}",
            run.robots_blocked.join(" ")
        ));
    }
    line
}

/// `xxgk stats`: what is stored and indexed.
pub fn stats(data: &Path) -> anyhow::Result<ExitCode> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    let stats = engine.stats()?;
    println!("data folder: {}", data.display());
    println!("stored reports: {}", store.count_reports()?);
    let c = store.archive_counts()?;
    println!(
        "archive: {} pages and attachments, {} distinct versions, {} fetches, {} gone",
        c.pages, c.versions, c.fetches, c.gone
    );
    println!(
        "institutions: {} (registry of 2017 and schools not in it), sources: {}",
        c.institutions, c.sources
    );
    match store.last_crawl()? {
        Some(at) => println!("last crawl finished: {at}"),
        None => println!("last crawl finished: never"),
    }
    for h in store.crawl_health()? {
        println!("  {}", health_line(&h));
    }
    println!(
        "indexed: {} reports, {} sections, {} schools",
        stats.reports,
        stats.sections,
        stats.schools.len()
    );
    for (year, n) in &stats.years {
        println!("  {year}: {n} sections");
    }
    Ok(ExitCode::SUCCESS)
}
