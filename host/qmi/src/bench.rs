//! `qmi bench`: the runtime measured against a plain hyper server in the
//! same run — throughput and latency of one route, instantiation time, and
//! cold start with and without the compile cache. Prints figures; asserts
//! nothing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

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
}

/// Throughput and latency of one measurement.
#[derive(Default)]
struct Figures {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    /// Adds another measurement's requests and time to these.
    fn merge(&mut self, other: Figures) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort();
    }

    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }

    fn print(&self, label: &str) {
        println!(
            "{label:<34} {:>9.0} req/s   p50 {:>7.1} µs   p90 {:>7.1} µs   p99 {:>7.1} µs   ({} requests, {} errors)",
            self.rps(),
            micros(self.percentile(0.50)),
            micros(self.percentile(0.90)),
            micros(self.percentile(0.99)),
            self.requests,
            self.errors,
        );
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Runs every measurement and prints the figures.
pub async fn run(args: BenchArgs) -> Result<()> {
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
    for addr in [hyper_addr, default.0, single.0]
        .into_iter()
        .chain(counted.as_ref().map(|c| c.0))
    {
        load(
            addr,
            &args.path,
            args.connections,
            Duration::from_millis(500),
        )
        .await?;
    }
    let plain = load(hyper_addr, &args.path, args.connections, args.duration).await?;
    let (reused, with_metrics) = match &counted {
        None => (
            load(default.0, &args.path, args.connections, args.duration).await?,
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
                figures.merge(load(addr, &args.path, args.connections, half).await?);
            }
            (off, Some(on))
        }
    };
    let fresh = load(single.0, &args.path, args.connections, args.duration).await?;
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
    let _ = std::fs::remove_dir_all(&data_dir);
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
    let mut sender = connect(addr).await?;
    let response = sender.send_request(request(addr, &args.path)).await?;
    if !response.status().is_success() {
        bail!(
            "{} answered {}: choose a route that answers 200",
            args.path,
            response.status()
        );
    }
    Ok(response.into_body().collect().await?.to_bytes())
}

/// A plain hyper HTTP/1.1 server answering `body` to everything.
async fn plain_hyper(body: Bytes) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).ok();
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let mut response = hyper::Response::new(Full::new(body));
                        response.headers_mut().insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

fn request(addr: SocketAddr, path: &str) -> hyper::Request<Empty<Bytes>> {
    hyper::Request::get(path)
        .header(http::header::HOST, addr.to_string())
        .body(Empty::new())
        .expect("valid request")
}

/// Keeps `connections` keep-alive connections busy for `duration`.
async fn load(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    duration: Duration,
) -> Result<Figures> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let path = path.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match sender.send_request(request(addr, &path)).await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        response.into_body().collect().await?;
                        if ok {
                            latencies.push(sent.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        sender = connect(addr).await?;
                    }
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Figures {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
    })
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
            && let Ok(response) = sender.send_request(request(addr, &args.path)).await
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
