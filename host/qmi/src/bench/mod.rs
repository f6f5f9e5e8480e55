//! `qmi bench`: the runtime measured against a plain hyper server in the
//! same run — throughput and latency of one route, instantiation time, and
//! cold start with and without the compile cache; then the route table
//! (static files against the health route through the gateway) and the
//! registry's reads at 130 and at 10,000 communes against a native hyper +
//! rusqlite server on the same database file. Prints figures; asserts
//! nothing about them.

mod load;
mod native;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;

use self::load::{Figures, Probe, connect, load, micros, plain_hyper};
use crate::app::{App, LoadOptions};
use crate::runtime::ReuseConfig;

/// Options of `qmi bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// The route to measure (it should answer 200 without touching a database).
    #[arg(long, default_value = "/api/health")]
    path: String,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// How long each measurement runs (e.g. `5s`).
    #[arg(long, default_value = "5s", value_parser = crate::parse_duration)]
    duration: Duration,
    /// Instantiations timed for the per-request instantiation figure.
    #[arg(long, default_value_t = 2000)]
    instantiations: usize,
    /// Skip the cold-start measurement (it spawns `qmi up` three times).
    #[arg(long)]
    no_cold_start: bool,
    /// Also measure default reuse with the operator's metrics kept (as
    /// `qmi up --metrics-listen` keeps them).
    #[arg(long)]
    metrics: bool,
    /// The registry's size for the second column of the registry rows (the
    /// first is the Métropole's 130 communes, as migrated).
    #[arg(long, default_value_t = 10_000)]
    communes: usize,
    /// Skip the route table and the registry rows.
    #[arg(long)]
    no_routes: bool,
}

/// Runs every measurement and prints the figures.
pub async fn run(mut args: BenchArgs) -> Result<()> {
    // Everything the bench writes stays in its own directory: the runtime
    // config's relative database paths (`.spin/<label>.db`) resolve against
    // the working directory, which must not be the developer's.
    args.manifest = std::fs::canonicalize(&args.manifest)
        .with_context(|| format!("reading {}", args.manifest.display()))?;
    let workdir = tempdir("bench-work")?;
    std::env::set_current_dir(&workdir)?;
    println!(
        "qmi bench — {} on {} core(s), {} connections, {:?} per run\n",
        args.path,
        num_cpus(),
        args.connections,
        args.duration
    );

    // The reference: the same body from a plain hyper server.
    let body = reference_body(&args).await?;
    let hyper_addr = plain_hyper(body.clone()).await?;

    let data_dir = tempdir("bench-data")?;
    let default = serve_app(&args, &data_dir, ReuseConfig::default(), false).await?;
    let single = serve_app(
        &args,
        &data_dir,
        ReuseConfig {
            max_total: 1,
            max_concurrent: 1,
            ..Default::default()
        },
        false,
    )
    .await?;
    let counted = match args.metrics {
        true => Some(serve_app(&args, &data_dir, ReuseConfig::default(), true).await?),
        false => None,
    };

    // Warm up every server (compilation is done; this fills instance pools).
    let probe = Probe::get(args.path.as_str());
    for addr in [hyper_addr, default.0, single.0]
        .into_iter()
        .chain(counted.as_ref().map(|c| c.0))
    {
        load(addr, &probe, args.connections, Duration::from_millis(500)).await?;
    }
    let plain = load(hyper_addr, &probe, args.connections, args.duration).await?;
    let (reused, with_metrics) = match &counted {
        None => (
            load(default.0, &probe, args.connections, args.duration).await?,
            None,
        ),
        // Without and with metrics in alternated halves (ABBA), so that the
        // machine's drift weighs on both alike.
        Some((counted, _)) => {
            let (mut off, mut on) = (Figures::default(), Figures::default());
            for kept in [false, true, true, false] {
                let (addr, figures) = if kept {
                    (*counted, &mut on)
                } else {
                    (default.0, &mut off)
                };
                let half = args.duration / 2;
                figures.merge(load(addr, &probe, args.connections, half).await?);
            }
            (off, Some(on))
        }
    };
    let fresh = load(single.0, &probe, args.connections, args.duration).await?;
    plain.print("plain hyper server");
    reused.print("qmi, default reuse (16/128/1s)");
    if let Some(with_metrics) = &with_metrics {
        with_metrics.print("qmi, default reuse, metrics kept");
    }
    fresh.print("qmi, single-use instances");
    println!(
        "\nqmi / hyper: {:.0}% with default reuse, {:.0}% with single-use instances",
        100.0 * reused.rps() / plain.rps(),
        100.0 * fresh.rps() / plain.rps()
    );

    let per_instance = default
        .1
        .measure_instantiation(&args.path, args.instantiations)
        .await?;
    println!(
        "instantiation (store + instance of the composed component): mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs over {} runs",
        micros(per_instance.iter().sum::<Duration>() / per_instance.len() as u32),
        micros(per_instance[per_instance.len() / 2]),
        micros(per_instance[per_instance.len() * 99 / 100]),
        per_instance.len()
    );

    if !args.no_cold_start {
        let cache = tempdir("bench-cache")?;
        let cold = cold_start(&args, &cache).await?;
        let warm = cold_start(&args, &cache).await?;
        println!(
            "cold start to first response: {:.0} ms without compiled cache, {:.0} ms with it",
            cold.as_secs_f64() * 1e3,
            warm.as_secs_f64() * 1e3
        );
        let _ = std::fs::remove_dir_all(&cache);
    }
    if !args.no_routes {
        route_table(&args, default.0, &data_dir).await?;
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(())
}

/// The static files' rows, then the registry's at 130 communes and at
/// `args.communes`, each against the native baseline on the same file.
async fn route_table(args: &BenchArgs, qmi: SocketAddr, data_dir: &std::path::Path) -> Result<()> {
    let manifest = qmi_manifest::load(&args.manifest)?;
    let bundle = manifest
        .components
        .get("web")
        .map(|web| web.file_mounts(&manifest.dir))
        .transpose()?
        .into_iter()
        .flatten()
        .find_map(|mount| match mount {
            qmi_manifest::FileMount::Dir { host, guest } if guest == "/" => Some(host),
            _ => None,
        })
        .context("the manifest has no `web` component serving a bundle at /")?;
    routes::static_files(qmi, &bundle, args.connections, args.duration).await?;

    let runtime_config = args
        .manifest
        .parent()
        .map(|d| d.join("runtime-config.toml"))
        .filter(|p| p.exists());
    let identity = crate::data::databases(&args.manifest, data_dir, runtime_config.as_deref())?
        .into_iter()
        .find_map(|(label, path)| (label == "identity").then_some(path))
        .context("no identity database")?;
    let native = native::registry_server(&identity).await?;
    let small = routes::registry(qmi, native, 130, args.connections, args.duration).await?;
    let communes = routes::grow_registry(&identity, args.communes)?;
    let large = routes::registry(qmi, native, communes, args.connections, args.duration).await?;
    routes::print_registry(&small, &large);
    Ok(())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn tempdir(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("qmi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Loads the application in this process and serves it on a free port.
async fn serve_app(
    args: &BenchArgs,
    data_dir: &std::path::Path,
    reuse: ReuseConfig,
    metrics: bool,
) -> Result<(SocketAddr, Arc<App>)> {
    let runtime_config = args
        .manifest
        .parent()
        .map(|d| d.join("runtime-config.toml"))
        .filter(|p| p.exists());
    crate::data::migrate(&args.manifest, data_dir, runtime_config.as_deref()).await?;
    let app = App::load(&LoadOptions {
        manifest: args.manifest.clone(),
        data_dir: data_dir.to_owned(),
        runtime_config,
        components: Vec::new(),
        reuse,
        cache_dir: Some(crate::engine::default_cache_dir()),
        variable_overrides: {
            // As `qmi up` gives them: the signing keys and the internal token.
            let mut overrides = crate::keys::dev_overrides(|_| true, data_dir)?;
            overrides.extend(crate::keys::internal_token_override(|_| true, data_dir)?);
            overrides
        },
        http: Default::default(),
        clock: Default::default(),
        metrics: metrics.then(Default::default),
    })
    .await?;
    let listener = crate::server::bind(([127, 0, 0, 1], 0).into()).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(crate::server::serve(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    Ok((addr, app))
}

/// What the measured route answers, so the reference server sends the same.
async fn reference_body(args: &BenchArgs) -> Result<Bytes> {
    let data_dir = tempdir("bench-probe")?;
    let (addr, _app) = serve_app(args, &data_dir, ReuseConfig::default(), false).await?;
    let (status, _, body) = load::fetch(addr, &Probe::get(args.path.as_str())).await?;
    if !status.is_success() {
        bail!(
            "{} answered {status}: choose a route that answers 200",
            args.path
        );
    }
    Ok(body)
}

/// Spawns `qmi up` on a fresh data directory and times the first 200.
async fn cold_start(args: &BenchArgs, cache: &std::path::Path) -> Result<Duration> {
    let data_dir = tempdir(&format!("bench-cold-{}", rand_suffix()))?;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("up")
        .arg("-f")
        .arg(&args.manifest)
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(&data_dir)
        .env("QMI_CACHE_DIR", cache)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("spawning qmi up")?;
    let elapsed = loop {
        if started.elapsed() > Duration::from_secs(120) {
            bail!("qmi up did not answer within 120 s");
        }
        if let Ok(mut sender) = connect(addr).await
            && let Ok(request) = Probe::get(args.path.as_str()).request(addr)
            && let Ok(response) = sender.send_request(request).await
            && response.status().is_success()
        {
            break started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    child.kill().await.ok();
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(elapsed)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}
