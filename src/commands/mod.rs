//! One module per subcommand. Each takes the data folder and its parsed arguments.

pub mod bench;
pub mod checklist;
pub mod crawl;
pub mod demo;
pub mod import;
pub mod schools;
pub mod search;
pub mod serve;
pub mod serve_versions;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use xxgk_crawler::store::Store;
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

pub fn open_store(data: &Path) -> anyhow::Result<Store> {
    let path = store_path(data);
    Store::open(&path).with_context(|| format!("opening the store {}", path.display()))
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

/// `xxgk stats`: what is stored and indexed.
pub fn stats(data: &Path) -> anyhow::Result<ExitCode> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    let stats = engine.stats()?;
    println!("data folder: {}", data.display());
    println!("stored reports: {}", store.count_reports()?);
    let (pages, versions, fetches, gone) = store.archive_counts()?;
    println!(
        "archive: {pages} pages and attachments, {versions} distinct versions, \
         {fetches} fetches, {gone} gone"
    );
    match store.last_crawl()? {
        Some(at) => println!("last crawl finished: {at}"),
        None => println!("last crawl finished: never"),
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
