//! `xxgk bench soak --minutes N`: the server under steady load while writers run and are
//! killed. Everything on loopback, in a temporary data folder:
//!
//! 1. the sample corpus is served as sample disclosure sites and crawled once;
//! 2. `xxgk serve` starts (a child process, the real binary);
//! 3. load tasks loop over cheap routes (search, report, `/about`) and heavy ones
//!    (`/schools`, `/coverage`, `/checklist`, CSV);
//! 4. meanwhile writers run one after another — `import` of the sample reports as files,
//!    `recrawl --all`, `reindex` — and about half are killed with SIGKILL at a random
//!    moment;
//! 5. at the end `xxgk stats --json` must show the archive and the index agreeing.
//!
//! Invariants checked: no 5xx but the designed 503s of heavy routes; cheap routes' p99
//! under `--cheap-p99-ms`; the indexed report count never goes down (a killed writer
//! loses nothing committed); stored = indexed with an empty outbox at the end.

use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;

#[derive(Debug, Args)]
pub struct SoakArgs {
    /// How long the load and the writers run (bounded: 1–60).
    #[arg(long, default_value_t = 1)]
    pub minutes: u64,
    /// Load connections (each loops request after request).
    #[arg(long, default_value_t = 6)]
    pub clients: usize,
    /// Fail when a cheap route's p99 latency is above this (milliseconds).
    #[arg(long, default_value_t = 2000)]
    pub cheap_p99_ms: u64,
    /// Seed of the kill schedule.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// xorshift64*: a reproducible kill schedule without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Debug, Default)]
struct RouteStats {
    latencies_ms: Vec<u64>,
    ok: u64,
    busy_503: u64,
    other_5xx: u64,
    client_4xx: u64,
    failed: u64,
    /// The slowest requests, slowest first, with what was writing at the time: what a
    /// slow cheap request is explained by (issue 22).
    slowest: Vec<Slow>,
}

/// One slow request.
#[derive(Debug, Clone)]
struct Slow {
    ms: u64,
    path: &'static str,
    /// Seconds into the soak when it was sent.
    at_s: f64,
    /// The writer running when it was sent ("none" between writers).
    writer: String,
}

/// How many of the slowest requests a route keeps.
const SLOWEST: usize = 5;

impl RouteStats {
    fn note_slow(&mut self, slow: Slow) {
        if self.slowest.len() < SLOWEST || self.slowest.last().is_some_and(|s| s.ms < slow.ms) {
            self.slowest.push(slow);
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.ms));
            self.slowest.truncate(SLOWEST);
        }
    }

    fn percentile(&self, p: f64) -> u64 {
        if self.latencies_ms.is_empty() {
            return 0;
        }
        let mut v = self.latencies_ms.clone();
        v.sort_unstable();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i.min(v.len() - 1)]
    }
}

#[derive(Debug, Default)]
struct Writers {
    started: u64,
    killed: u64,
    finished_ok: u64,
    /// Exited non-zero without being killed (a clear "busy" is one of these).
    refused: u64,
}

fn xxgk(exe: &Path, data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(exe);
    cmd.arg("--data")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "error")
        .env_remove("XXGK_DATA")
        .env_remove("XXGK_ADDR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// `xxgk serve` on a free loopback port; returns the child and its base URL.
fn start_server(exe: &Path, data: &Path) -> anyhow::Result<(Child, String)> {
    use std::io::BufRead;
    let mut child = xxgk(exe, data, &["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting xxgk serve")?;
    let stdout = child.stdout.take().context("serve's stdout")?;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(url) = line.strip_prefix("listening on ") {
            return Ok((child, url.trim_end_matches('/').to_string()));
        }
    }
    let _ = child.kill();
    bail!("xxgk serve printed no address")
}

pub fn run(args: SoakArgs) -> anyhow::Result<ExitCode> {
    let minutes = args.minutes.clamp(1, 60);
    let exe = std::env::current_exe().context("finding this binary")?;
    let work = tempfile::tempdir().context("a temporary folder")?;
    let data = work.path().join("data");
    let files = work.path().join("reports");
    std::fs::create_dir_all(&files)?;

    // The corpus: sample sites to crawl, and the same reports as files to import.
    let pages = super::demo::sample_pages();
    for (i, page) in pages.iter().enumerate() {
        std::fs::write(files.join(format!("r{i:03}.txt")), &page.text)?;
    }
    let served = super::demo::sites::serve_sample_sites(&super::demo::sample_sites(&pages))?;
    let sources = work.path().join("sources.toml");
    let toml = toml::to_string(&xxgk_archive::sources::Sources {
        school: served.schools.clone(),
    })
    .context("writing the sources")?;
    std::fs::write(&sources, toml)?;
    let sources_arg = sources.display().to_string();
    let status = xxgk(
        &exe,
        &data,
        &["crawl", "--sources", &sources_arg, "--delay-ms", "0"],
    )
    .status()?;
    if !status.success() {
        bail!("the first crawl failed ({status})");
    }

    let (mut server, base) = start_server(&exe, &data)?;
    println!(
        "soak: {minutes} min, {} clients, serving {base}",
        args.clients
    );
    let deadline = Instant::now() + Duration::from_secs(minutes * 60);
    let stop = Arc::new(AtomicBool::new(false));
    let cheap = Arc::new(Mutex::new(RouteStats::default()));
    let heavy = Arc::new(Mutex::new(RouteStats::default()));
    let min_reports = Arc::new(AtomicU64::new(u64::MAX));
    let reports_went_down = Arc::new(AtomicBool::new(false));
    let writing = Arc::new(Mutex::new(String::from("none")));
    let soak_start = Instant::now();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut load = Vec::new();
    for c in 0..args.clients.max(2) {
        let (client, base, stop) = (client.clone(), base.clone(), Arc::clone(&stop));
        // One client in three asks heavy questions.
        let is_heavy = c % 3 == 2;
        let stats = Arc::clone(if is_heavy { &heavy } else { &cheap });
        let (min_reports, went_down) = (Arc::clone(&min_reports), Arc::clone(&reports_went_down));
        let writing = Arc::clone(&writing);
        load.push(runtime.spawn(async move {
            let cheap_paths = [
                "/?q=%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86",
                "/api/search?q=%E4%BE%9D%E7%94%B3%E8%AB%8B%E5%85%AC%E9%96%8B",
                "/about",
                "/api/stats",
            ];
            let heavy_paths = [
                "/schools?q=%E6%94%B6%E8%B4%B9",
                "/coverage",
                "/checklist",
                "/schools.csv?q=%E6%8B%9B%E7%94%9F",
            ];
            let mut i = c;
            let mut last_reports = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let path = if is_heavy {
                    heavy_paths[i % heavy_paths.len()]
                } else {
                    cheap_paths[i % cheap_paths.len()]
                };
                i += 1;
                let started = Instant::now();
                let writer = writing.lock().map(|w| w.clone()).unwrap_or_default();
                let answer = client.get(format!("{base}{path}")).send().await;
                let ms = started.elapsed().as_millis() as u64;
                let slow = Slow {
                    ms,
                    path,
                    at_s: started.duration_since(soak_start).as_secs_f64(),
                    writer,
                };
                match answer {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        {
                            let mut s = stats.lock().unwrap_or_else(|e| e.into_inner());
                            s.latencies_ms.push(ms);
                            s.note_slow(slow);
                            match status {
                                200..=299 => s.ok += 1,
                                503 => s.busy_503 += 1,
                                500..=599 => s.other_5xx += 1,
                                _ => s.client_4xx += 1,
                            }
                        }
                        if path == "/api/stats" && status == 200 {
                            if let Ok(v) = res.json::<serde_json::Value>().await {
                                let n = v["reports"].as_u64().unwrap_or(0);
                                // Totals only move at commits, and no writer deletes.
                                if n < last_reports {
                                    went_down.store(true, Ordering::Relaxed);
                                }
                                last_reports = n;
                                min_reports.fetch_min(n, Ordering::Relaxed);
                            }
                        }
                    }
                    Err(_) => stats.lock().unwrap_or_else(|e| e.into_inner()).failed += 1,
                }
            }
        }));
    }

    // Snapshots while the writers run (issue 22, DEPLOY.md): each must be consistent as
    // taken — its own `stats` finds nothing to reconcile — and hold reports.
    let snapshots = {
        let (exe, data, work, stop) = (
            exe.clone(),
            data.clone(),
            work.path().to_path_buf(),
            Arc::clone(&stop),
        );
        std::thread::spawn(move || snapshot_loop(&exe, &data, &work, &stop))
    };

    // Writers, one at a time, half of them killed at a random moment.
    let mut rng = Rng(args.seed.max(1));
    let mut writers = Writers::default();
    let files_arg = files.display().to_string();
    let jobs: [Vec<&str>; 3] = [
        vec!["import", &files_arg],
        vec!["recrawl", "--all", "--delay-ms", "0"],
        vec!["reindex"],
    ];
    let mut round = 0usize;
    while Instant::now() < deadline {
        let job = &jobs[round % jobs.len()];
        round += 1;
        if let Ok(mut w) = writing.lock() {
            *w = job.first().copied().unwrap_or("none").to_string();
        }
        let mut child = xxgk(&exe, &data, job).spawn()?;
        writers.started += 1;
        let kill = rng.below(2) == 0;
        let kill_at = Instant::now() + Duration::from_millis(100 + rng.below(2000));
        loop {
            if let Some(status) = child.try_wait()? {
                if status.success() {
                    writers.finished_ok += 1;
                } else {
                    writers.refused += 1;
                }
                break;
            }
            if kill && Instant::now() >= kill_at {
                let _ = child.kill(); // SIGKILL
                let _ = child.wait();
                writers.killed += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(mut w) = writing.lock() {
            *w = "none".into();
        }
    }
    stop.store(true, Ordering::Relaxed);
    let snapshots = snapshots.join().unwrap_or_else(|_| SnapshotCheck {
        problems: vec!["the snapshot thread panicked".into()],
        ..SnapshotCheck::default()
    });
    runtime.block_on(async {
        for task in load {
            let _ = task.await;
        }
    });
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    drop(served);

    // The end state: what a clean run gives.
    let out = xxgk(&exe, &data, &["stats", "--json"])
        .stdout(Stdio::piped())
        .output()?;
    let stats: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reading xxgk stats --json")?;
    let stored = stats["stored_reports"].as_u64().unwrap_or(0);
    let indexed = stats["indexed_reports"].as_u64().unwrap_or(0);
    let pending = stats["pending_index"].as_u64().unwrap_or(0);

    let cheap = cheap.lock().unwrap_or_else(|e| e.into_inner());
    let heavy = heavy.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "{:<8} {:>8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7}",
        "routes", "requests", "ok", "503", "5xx", "failed", "p50 ms", "p99 ms", "max ms"
    );
    for (name, s) in [("cheap", &*cheap), ("heavy", &*heavy)] {
        println!(
            "{:<8} {:>8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7}",
            name,
            s.latencies_ms.len() as u64 + s.failed,
            s.ok,
            s.busy_503,
            s.other_5xx,
            s.failed,
            s.percentile(0.5),
            s.percentile(0.99),
            s.latencies_ms.iter().max().copied().unwrap_or(0)
        );
    }
    for (name, s) in [("cheap", &*cheap), ("heavy", &*heavy)] {
        let slowest: Vec<String> = s
            .slowest
            .iter()
            .map(|w| format!("{} ms {} at {:.1} s ({})", w.ms, w.path, w.at_s, w.writer))
            .collect();
        println!("slowest {name}: {}", slowest.join("; "));
    }
    println!(
        "writers: {} started, {} killed (SIGKILL), {} finished, {} refused",
        writers.started, writers.killed, writers.finished_ok, writers.refused
    );
    println!("end: {stored} stored, {indexed} indexed, {pending} in the outbox");
    println!(
        "snapshots while writing: {} taken, {} refused (writer busy), consistent as taken: {}",
        snapshots.taken,
        snapshots.busy,
        snapshots.taken - snapshots.problems.len().min(snapshots.taken)
    );

    let mut failures = Vec::new();
    if cheap.other_5xx + heavy.other_5xx > 0 {
        failures.push(format!(
            "{} 5xx answers other than the designed 503",
            cheap.other_5xx + heavy.other_5xx
        ));
    }
    failures.extend(snapshots.problems.iter().map(|p| format!("snapshot: {p}")));
    if snapshots.taken == 0 {
        failures.push("no snapshot was taken while the writers ran".into());
    }
    if cheap.busy_503 > 0 {
        failures.push(format!("{} cheap requests answered 503", cheap.busy_503));
    }
    if cheap.failed + heavy.failed > 0 {
        failures.push(format!(
            "{} requests got no answer",
            cheap.failed + heavy.failed
        ));
    }
    if cheap.percentile(0.99) > args.cheap_p99_ms {
        failures.push(format!(
            "cheap p99 {} ms above {} ms",
            cheap.percentile(0.99),
            args.cheap_p99_ms
        ));
    }
    if reports_went_down.load(Ordering::Relaxed) {
        failures.push("the indexed report count went down during the run".into());
    }
    if stored == 0 || stored != indexed || pending != 0 {
        failures.push(format!(
            "archive and index disagree at the end: {stored} stored, {indexed} indexed, \
             {pending} pending"
        ));
    }
    if failures.is_empty() {
        println!("soak: all invariants held");
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("soak: {}", failures.join("; "))
    }
}

/// What the snapshots taken during a soak showed.
#[derive(Debug, Default)]
struct SnapshotCheck {
    taken: usize,
    busy: usize,
    problems: Vec<String>,
}

/// Takes a snapshot every few seconds until `stop`, and checks each: its `stats` must
/// find its index already at its archive (nothing written, nothing removed, nothing
/// pending) and reports in it.
fn snapshot_loop(exe: &Path, data: &Path, work: &Path, stop: &AtomicBool) -> SnapshotCheck {
    let mut check = SnapshotCheck::default();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(1500));
        n += 1;
        let dir = work.join(format!("snapshot-{n}"));
        let dir_arg = dir.display().to_string();
        let taken = match xxgk(exe, data, &["snapshot", &dir_arg])
            .stderr(Stdio::piped())
            .output()
        {
            Ok(out) => out,
            Err(e) => {
                check.problems.push(format!("cannot run snapshot: {e}"));
                continue;
            }
        };
        if !taken.status.success() {
            let err = String::from_utf8_lossy(&taken.stderr);
            // A snapshot writes its copy's index, never the source's: only the source
            // archive's own lock may make it wait; a failure is a problem.
            check
                .problems
                .push(format!("snapshot {n} failed: {}", err.trim()));
            let _ = std::fs::remove_dir_all(&dir);
            continue;
        }
        check.taken += 1;
        let stats = xxgk(exe, &dir, &["stats", "--json"])
            .stdout(Stdio::piped())
            .output()
            .ok()
            .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
        match stats {
            Some(v) => {
                let r = &v["reconciled"];
                let (written, removed) = (r["written"].as_u64(), r["removed"].as_u64());
                if r.is_null() {
                    check.busy += 1;
                } else if written != Some(0) || removed != Some(0) {
                    check.problems.push(format!(
                        "snapshot {n} was not consistent as taken: its index needed {written:?} \
                         written and {removed:?} removed"
                    ));
                } else if v["indexed_reports"].as_u64().unwrap_or(0) == 0 {
                    check
                        .problems
                        .push(format!("snapshot {n} holds no reports"));
                }
            }
            None => check.problems.push(format!("snapshot {n}: no stats")),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    check
}
