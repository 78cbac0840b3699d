//! One module per subcommand. Each takes the data folder and its parsed arguments.

pub mod bench;
pub mod checklist;
pub mod coverage;
pub mod crawl;
pub mod demo;
pub mod import;
pub mod schools;
pub mod scorecard;
pub mod search;
pub mod serve;
pub mod soak;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use xxgk_app::data::DataDir;
use xxgk_app::sync;
use xxgk_archive::{Archive, Reader};
use xxgk_index::{Engine, Writer};

/// The data folder's layout lives in the application layer.
pub fn data_dir(data: &Path) -> DataDir {
    DataDir::new(data)
}

pub fn open_engine(data: &Path) -> anyhow::Result<Engine> {
    let dir = data_dir(data);
    dir.open_engine()
        .with_context(|| format!("opening the index in {}", dir.index_dir().display()))
}

/// The application over the data folder's index and archive, for a command that reads.
pub fn open_app(data: &Path) -> anyhow::Result<xxgk_app::App> {
    let dir = data_dir(data);
    xxgk_app::App::open(&dir)
        .with_context(|| format!("opening the data folder {}", dir.root().display()))
}

pub fn open_store(data: &Path) -> anyhow::Result<Archive> {
    let dir = data_dir(data);
    dir.open_archive()
        .with_context(|| format!("opening the archive {}", dir.archive_path().display()))
}

/// The archive for the web site (reads only).
pub fn open_reader(data: &Path) -> anyhow::Result<Reader> {
    let dir = data_dir(data);
    dir.open_reader()
        .with_context(|| format!("opening the archive {}", dir.archive_path().display()))
}

/// The index's one writer, for a command that writes (import, crawl, recrawl, reindex).
pub fn open_writer(data: &Path, engine: &Engine, threads: usize) -> anyhow::Result<Writer> {
    Ok(data_dir(data).open_writer(engine, threads)?)
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
pub fn parse_sections(names: &[String]) -> anyhow::Result<Vec<xxgk_app::SectionId>> {
    Ok(xxgk_app::filters::sections(names)?)
}

/// `xxgk reindex`: rebuild the whole index from the stored reports.
pub fn reindex(data: &Path) -> anyhow::Result<ExitCode> {
    let store = open_store(data)?;
    let engine = open_engine(data)?;
    let mut writer = open_writer(data, &engine, 2)?;
    let n = sync::reindex(&store, &engine, &mut writer)?;
    writer.finish()?;
    emit(&format!("reindexed {n} reports\n"))
}

/// `xxgk snapshot DIR`: a consistent copy of the data folder, while writers may run.
pub fn snapshot(data: &Path, dir: &Path) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let snap = data_dir(data)
        .snapshot_to(&data_dir(dir))
        .with_context(|| {
            format!(
                "writing a snapshot of {} to {}",
                data.display(),
                dir.display()
            )
        })?;
    emit(&format!(
        "snapshot of {} in {}: {} reports; index {} segments, {:.1} MB copied, \
         {} reports stored since its last commit indexed in the copy, {} removed ({:.1} s)\n",
        data.display(),
        dir.display(),
        snap.reconciled.stored_reports,
        snap.index.segments,
        snap.index.bytes as f64 / 1e6,
        snap.reconciled.written,
        snap.reconciled.removed,
        started.elapsed().as_secs_f64()
    ))
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
    let reconciled = match data_dir(data)
        .try_writer(&engine, 1)
        .context("opening the index writer")?
    {
        Some(mut writer) => {
            let done = sync::sync_index(&store, &engine, &mut writer)?;
            writer.finish()?;
            Some(done)
        }
        None => None,
    };
    let stats = engine.stats()?;
    // After reconciling, the index holds what the archive holds (its count is read back
    // from the index); otherwise compare them.
    let drift = match &reconciled {
        Some(r) => sync::Drift {
            stored_reports: r.stored_reports,
            indexed_reports: stats.reports,
            ..Default::default()
        },
        None => sync::drift(&store, &engine)?,
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
