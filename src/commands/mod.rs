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
pub mod soak;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use xxgk_archive::{Archive, Reader};
use xxgk_index::{Engine, Writer};

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

/// The index's one writer, for a command that writes (import, crawl, recrawl, reindex).
/// When another process holds it, one clear line says which (from the pid file the
/// holder left); the holder's pid is written for the next one to read.
pub fn open_writer(data: &Path, engine: &Engine, threads: usize) -> anyhow::Result<Writer> {
    let pid_file = data.join("writer.pid");
    match engine.writer(threads) {
        Ok(writer) => {
            // Best effort: the pid only makes the "busy" message more useful.
            let _ = std::fs::write(&pid_file, std::process::id().to_string());
            Ok(writer)
        }
        Err(xxgk_index::Error::WriterBusy) => {
            let pid = std::fs::read_to_string(&pid_file)
                .map(|p| format!(": pid {}", p.trim()))
                .unwrap_or_default();
            anyhow::bail!("another import, crawl or reindex is running{pid}; wait for it to finish")
        }
        Err(e) => Err(e).context("opening the index writer"),
    }
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
    let mut writer = open_writer(data, &engine, 2)?;
    writer.clear()?;
    let mut n = 0usize;
    for report in store.reports()? {
        writer.upsert(&report)?;
        n += 1;
    }
    writer.commit()?;
    engine.reload()?;
    // Everything is indexed now: this only empties the outbox.
    store.drain_outbox(&engine, &mut writer)?;
    writer.finish()?;
    emit(&format!("reindexed {n} reports\n"))
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
pub fn stats(data: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    // Reconcile the archive and the index when no other writer runs; otherwise only
    // say how they differ (the running writer drains its own outbox).
    let reconciled = match engine.writer(1) {
        Ok(mut writer) => {
            let done = store.sync_index(&engine, &mut writer)?;
            writer.finish()?;
            Some(done)
        }
        Err(xxgk_index::Error::WriterBusy) => None,
        Err(e) => return Err(e).context("opening the index writer"),
    };
    let stats = engine.stats()?;
    // After reconciling, the index holds what the archive holds (its count is read back
    // from the index); otherwise compare them.
    let drift = match &reconciled {
        Some(r) => xxgk_archive::Drift {
            stored_reports: r.stored_reports,
            indexed_reports: stats.reports,
            ..Default::default()
        },
        None => store.drift(&engine)?,
    };
    let c = store.archive_counts()?;
    let health = store.crawl_health()?;
    let last_crawl = store.last_crawl()?;
    if json {
        let value = serde_json::json!({
            "data": data.display().to_string(),
            "stored_reports": drift.stored_reports,
            "indexed_reports": drift.indexed_reports,
            "indexed_sections": stats.sections,
            "pending_index": drift.pending,
            "missing_or_stale": drift.missing_or_stale.len(),
            "orphans": drift.orphans.len(),
            "reconciled": reconciled,
            "archive": c,
            "last_crawl": last_crawl,
            "sources": health,
            "years": stats.years,
        });
        return emit(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    let mut out = String::new();
    outln!(out, "data folder: {}", data.display());
    outln!(out, "stored reports: {}", drift.stored_reports);
    outln!(
        out,
        "archive: {} pages and attachments, {} distinct versions, {} fetches, {} gone",
        c.pages,
        c.versions,
        c.fetches,
        c.gone
    );
    outln!(
        out,
        "institutions: {} (registry of 2017 and schools not in it), sources: {}",
        c.institutions,
        c.sources
    );
    match &last_crawl {
        Some(at) => outln!(out, "last crawl finished: {at}"),
        None => outln!(out, "last crawl finished: never"),
    }
    for h in &health {
        outln!(out, "  {}", health_line(h));
    }
    outln!(
        out,
        "indexed: {} reports, {} sections, {} schools",
        stats.reports,
        stats.sections,
        stats.schools.len()
    );
    match reconciled {
        Some(r) if r.written + r.removed > 0 => outln!(
            out,
            "reconciled the index with the archive: {} written, {} removed",
            r.written,
            r.removed
        ),
        Some(_) => {}
        None => outln!(
            out,
            "another process is writing the index; not reconciled ({} in its outbox)",
            drift.pending
        ),
    }
    for (year, n) in &stats.years {
        outln!(out, "  {year}: {n} sections");
    }
    emit(&out)
}
