//! `xxgk serve`: the search site and JSON API over the data folder's index. The index is
//! opened once; its reader reloads on every commit, so an `import` or crawl run from
//! another shell shows up without a restart.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use xxgk_app::stores::{Engine, Reader};
use xxgk_app::App;
use xxgk_web::AppState;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the URL is printed).
    #[arg(long, env = "XXGK_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seconds a request may take before it is answered with 503.
    #[arg(long, env = "XXGK_REQUEST_TIMEOUT", default_value_t = 20)]
    pub timeout: u64,
    /// The site's public address for absolute links (Atom feeds), e.g.
    /// https://xxgk.example.org; request headers never set it. Default: the address
    /// served.
    #[arg(long, env = "XXGK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve a copy on read-only media: write nothing in the data folder (no lock files,
    /// no schema upgrade); the index is not watched for commits.
    #[arg(long, env = "XXGK_READ_ONLY")]
    pub read_only: bool,
    /// Seconds a client has to send a request's headers; idle keep-alive connections
    /// are closed after as long.
    #[arg(long, env = "XXGK_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Search results kept per index generation, so a burst of the same search is
    /// answered once (0 turns the cache off).
    #[arg(long, env = "XXGK_SEARCH_CACHE", default_value_t = 1024)]
    pub search_cache: usize,
}

pub fn run(data: &Path, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let engine = if args.read_only {
        let dir = super::data_dir(data).index_dir();
        Engine::open_read_only(&dir)
            .with_context(|| format!("opening the index in {} read-only", dir.display()))?
    } else {
        super::open_engine(data)?
    };
    serve_engine(engine, data, &args)
}

/// Serves `engine` until Ctrl-C or SIGTERM, then lets open requests finish.
pub fn serve_engine(engine: Engine, data: &Path, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let stats = engine.stats()?;
    let mut app = App::new(engine).with_index_dir(super::data_dir(data).index_dir());
    let reader = if args.read_only {
        let path = super::data_dir(data).archive_path();
        Reader::open_read_only(&path)
            .with_context(|| format!("opening the archive {} read-only", path.display()))
    } else {
        super::open_reader(data)
    };
    match reader {
        Ok(reader) => app = app.with_archive(Arc::new(reader)),
        // The index alone is enough to search; say what is missing.
        Err(err) => tracing::warn!("serving without report versions: {err:#}"),
    }
    // Reports a killed crawl or import stored but never indexed: searches miss them
    // until a writer drains the outbox (serve never writes the index).
    match app.stats() {
        Ok(s) if s.pending_index > 0 => tracing::warn!(
            pending_index = s.pending_index,
            "{} stored reports wait for the index (an interrupted crawl or import): \
             `xxgk --data {} stats` indexes them while this server runs",
            s.pending_index,
            data.display()
        ),
        Ok(_) => {}
        Err(err) => tracing::warn!("cannot count the reports waiting for the index: {err:#}"),
    }
    app.warm_up();
    let state = AppState::new(app)
        .with_timeout(Duration::from_secs(args.timeout.max(1)))
        .with_search_cache(args.search_cache);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        let public_url = match &args.public_url {
            Some(url) => {
                let parsed = url::Url::parse(url)
                    .with_context(|| format!("--public-url {url:?} is not a URL"))?;
                anyhow::ensure!(
                    matches!(parsed.scheme(), "http" | "https"),
                    "--public-url must be http or https, not {url:?}"
                );
                url.clone()
            }
            None => format!("http://{addr}"),
        };
        let state = state.with_public_url(&public_url);
        let mut limits = xxgk_web::ServeLimits::from_environment();
        limits.header_read_timeout = Duration::from_secs(args.header_timeout.max(1));
        println!(
            "serving {} reports of {} schools from {}",
            stats.reports,
            stats.schools.len(),
            data.display()
        );
        // Tests and scripts read this line for the port.
        println!("listening on http://{addr}/");
        use std::io::Write;
        std::io::stdout().flush()?;
        xxgk_web::serve_with(listener, state, limits, xxgk_web::shutdown_signal())
            .await
            .context("serving HTTP")
    })?;
    Ok(ExitCode::SUCCESS)
}
