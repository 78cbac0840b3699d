//! `xxgk`: the command line. Thin glue: parse arguments, call the crates, print.
//! Only this layer prints errors and picks exit codes.

/// `writeln!` into a `String` (cannot fail) — commands build their output, then
/// `commands::emit` writes it.
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// `write!` into a `String`, as [`outln!`].
macro_rules! outp {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = write!($out, $($arg)*);
    }};
}

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Search engine over Chinese universities' annual information-disclosure reports
/// (高等学校信息公开年度报告).
#[derive(Debug, Parser)]
#[command(name = "xxgk", version, about)]
pub struct Cli {
    /// Data folder: the report store (SQLite) and the search index.
    #[arg(long, global = true, env = "XXGK_DATA", default_value = "xxgk-data")]
    pub data: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import reports from .txt/.html/.htm files or folders; re-importing replaces.
    Import(commands::import::ImportArgs),
    /// Search the index.
    Search(commands::search::SearchArgs),
    /// Rebuild the search index from the stored reports.
    Reindex,
    /// Write a consistent copy of the data folder to DIR (new or empty), safe while a
    /// crawl or import writes: a replica to serve read-only (see DEPLOY.md).
    Snapshot {
        /// The folder to write the copy to.
        dir: std::path::PathBuf,
    },
    /// Show what is stored and indexed (reconciling the two when no other writer runs).
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Crawl the schools in the sources file: find their reports, keep every version,
    /// index new and changed reports.
    Crawl(commands::crawl::CrawlArgs),
    /// Revisit pages already crawled (conditional GET): changed pages get a new version,
    /// pages that now 404 are marked gone.
    Recrawl(commands::crawl::RecrawlArgs),
    /// Benchmarks: generate a report corpus, measure xxgk and SQLite FTS5 on it.
    Bench(commands::bench::BenchArgs),
    /// Serve the search site and JSON API (the index reloads when a crawl or import commits).
    Serve(commands::serve::ServeArgs),
    /// Which schools mention QUERY, and which do not (text, --csv or --json).
    Schools(commands::schools::SchoolsArgs),
    /// The transparency scorecard: per report, the figures it states (requests received,
    /// granted, refused …), whether it came out on time, its parts and checklist count
    /// (text, --csv or --json).
    Scorecard(commands::scorecard::ScorecardArgs),
    /// Which of the 50 items of the disclosure checklist each school's report mentions,
    /// for one year (text, --csv or --json).
    Checklist(commands::checklist::ChecklistArgs),
    /// Every institution × academic year: report archived, not found on a crawled site,
    /// site unreachable, or not crawled — with the evidence (text, --csv or --json).
    Coverage(commands::coverage::CoverageArgs),
    /// The institutions the archive knows: the 2017 registry and schools not in it.
    Institutions(commands::coverage::InstitutionsArgs),
    /// Build a sample corpus (first run only) and serve it: the quickest look at xxgk.
    Demo(commands::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xxgk: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

impl Command {
    /// Whether the command only reads the data folder (and so must find one there).
    fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Search(_)
                | Command::Stats { .. }
                | Command::Snapshot { .. }
                | Command::Schools(_)
                | Command::Checklist(_)
                | Command::Coverage(_)
                | Command::Scorecard(_)
                | Command::Institutions(_)
        )
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data = cli.data;
    match &cli.command {
        Command::Serve(_) => commands::data_dir(&data).require_folder()?,
        command if command.only_reads() => commands::data_dir(&data).require_archive()?,
        _ => {}
    }
    match cli.command {
        Command::Import(args) => commands::import::run(&data, args),
        Command::Search(args) => commands::search::run(&data, args),
        Command::Reindex => commands::reindex(&data),
        Command::Stats { json } => commands::stats(&data, json),
        Command::Snapshot { dir } => commands::snapshot(&data, &dir),
        Command::Crawl(args) => commands::crawl::run(&data, args),
        Command::Recrawl(args) => commands::crawl::recrawl(&data, args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Serve(args) => commands::serve::run(&data, args),
        Command::Schools(args) => commands::schools::run(&data, args),
        Command::Checklist(args) => commands::checklist::run(&data, args),
        Command::Coverage(args) => commands::coverage::run(&data, args),
        Command::Scorecard(args) => commands::scorecard::run(&data, args),
        Command::Institutions(args) => commands::coverage::institutions(&data, args),
        Command::Demo(args) => commands::demo::run(&data, args),
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings, and our own info lines).
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,xxgk=info,xxgk_crawler=info,xxgk_web=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
