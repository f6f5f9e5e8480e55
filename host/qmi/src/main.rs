//! `qmi`: QMI's Spin-compatible runtime and operator CLI.
//!
//! `qmi up` runs the Spin application of `spin.toml` as `spin up` (Spin 4.1)
//! would; `qmi build` builds it as `spin build` does; `qmi migrate` prepares
//! its databases so that real Spin can serve the same files.

mod app;
mod audit;
mod bench;
mod builder;
mod clock;
mod compose;
mod data;
mod database;
mod deploy;
mod engine;
mod factors;
mod files;
mod gateway_facts;
mod keys;
mod mailbox;
mod maintenance;
mod metrics;
mod postgres;
mod prepare_lock;
mod runtime;
mod server;
mod stall;
mod state;
mod tenants;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand};

use crate::app::{App, LoadOptions};

/// The request path allocates a lot of short-lived buffers: mimalloc's
/// thread-local free lists serve them faster than glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use crate::runtime::ReuseConfig;

/// QMI's Spin-compatible runtime and operator CLI.
#[derive(Parser)]
#[command(name = "qmi", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the application's components and frontend, as `spin build` does.
    Build(BuildArgs),
    /// Migrate, seed and serve the application, as `spin up` serves it.
    Up(UpArgs),
    /// Apply every service's SQL migrations to its database.
    Migrate(DataArgs),
    /// Load the demo data (migrating first).
    Seed(DataArgs),
    /// Measure the runtime against a plain hyper server.
    Bench(bench::BenchArgs),
    /// Print a fresh Ed25519 token signing key pair and internal token, as
    /// environment variables for real Spin.
    Keys,
    /// Add, list, suspend and resume tenants through the running
    /// application's operator API (password from `QMI_OPERATOR_PASSWORD`).
    Tenants(tenants::TenantArgs),
    /// Generate deployment manifests from `spin.toml` (`qmi deploy kubernetes`).
    Deploy(deploy::DeployArgs),
    /// The audit trail: `qmi audit verify` recomputes every chain (same data
    /// arguments as `qmi migrate`).
    Audit(audit::AuditArgs),
    /// Purge what the retention periods let go (expired tokens and throttle
    /// records, old mail bodies, relayed outbox messages), never audit entries.
    Maintenance(MaintenanceArgs),
}

#[derive(Args)]
struct MaintenanceArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    retention: maintenance::Retention,
}

#[derive(Args, Clone)]
struct AppArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    app: AppArgs,
    /// Build only these components.
    #[arg(short = 'c', long = "component-id")]
    components: Vec<String>,
}

#[derive(Args, Clone)]
struct DataArgs {
    #[command(flatten)]
    app: AppArgs,
    /// Spin's state directory (the default SQLite database and key-value
    /// store live here); as `spin up --state-dir`: else the runtime config's
    /// `state_dir`, else `.spin` beside the manifest.
    #[arg(long = "data-dir", visible_alias = "state-dir")]
    data_dir: Option<PathBuf>,
    /// Spin runtime config file defining the SQLite labels.
    #[arg(long = "runtime-config-file")]
    runtime_config: Option<PathBuf>,
    /// PostgreSQL instead of the SQLite files: an administrator's URL
    /// (`postgres://admin@host:5432/qmi`). `migrate` and `seed` create the
    /// service roles and schemas there; `up` also points each service at it,
    /// as its own role. The key-value store stays where the runtime config says.
    #[arg(long = "database-url", env = "QMI_DATABASE_URL")]
    database_url: Option<String>,
}

impl DataArgs {
    /// The state directory, resolved as Spin resolves it: the flag, else the
    /// runtime config's `state_dir` (relative to the working directory), else
    /// `<manifest dir>/.spin`. A `state_dir = ""` (Spin keeps its default
    /// stores in memory) is refused: qmi keeps them on disk.
    fn data_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        let config = qmi_manifest::RuntimeConfig::load(self.runtime_config().as_deref())?;
        let manifest_dir = match self.app.manifest.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        config
            .state_dir(&std::path::absolute(&manifest_dir)?)
            .context(
                "the runtime config sets state_dir = \"\" (Spin's default stores in memory); \
             qmi keeps them on disk: pass --data-dir",
            )
    }

    /// The runtime config: the flag, else `runtime-config.toml` beside the
    /// manifest when it exists.
    fn runtime_config(&self) -> Option<PathBuf> {
        self.runtime_config.clone().or_else(|| {
            let dir = self
                .app
                .manifest
                .parent()
                .unwrap_or(std::path::Path::new("."));
            let default = dir.join("runtime-config.toml");
            default.exists().then_some(default)
        })
    }
}

#[derive(Args)]
struct UpArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "SPIN_HTTP_LISTEN_ADDR", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Serve only these components.
    #[arg(long = "component-id")]
    components: Vec<String>,
    /// Build before serving.
    #[arg(long)]
    build: bool,
    /// Do not load demo data on first start.
    #[arg(long)]
    no_seed: bool,
    /// Concurrent requests one instance may serve.
    #[arg(long, default_value_t = 16)]
    max_instance_concurrent_reuse_count: usize,
    /// Requests an instance serves before it is dropped.
    #[arg(long, default_value_t = 128)]
    max_instance_reuse_count: usize,
    /// How long an idle instance is kept (e.g. `1s`, `500ms`).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    idle_instance_timeout: Duration,
    /// Request deadline (e.g. `30s`); none by default, as in Spin.
    #[arg(long, value_parser = parse_duration)]
    request_timeout: Option<Duration>,
    /// Memory cap of each instance (e.g. `128MiB`).
    #[arg(long, default_value = "128MiB", value_parser = parse_bytes)]
    max_instance_memory: usize,
    /// How long a client may take to send a request's headers, and how long
    /// an idle keep-alive connection is kept (e.g. `30s`; `0` for ever, as
    /// Spin). The connection is closed.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    header_read_timeout: Duration,
    /// How long a request body may send nothing while the component waits
    /// for it before the request is answered 408 and the connection closed
    /// (e.g. `10s`; `0` for ever, as Spin); by default the request timeout,
    /// else 30 s.
    #[arg(long, value_parser = parse_duration)]
    body_read_timeout: Option<Duration>,
    /// Do not cache compiled components on disk.
    #[arg(long)]
    no_compile_cache: bool,
    /// Set an application variable (`NAME=VALUE`), as `spin up --variable`;
    /// wins over `SPIN_VARIABLE_*` and qmi's development values.
    #[arg(long = "variable", value_name = "NAME=VALUE", value_parser = parse_variable)]
    variables: Vec<(String, String)>,
    /// Address of the development mailbox, the local e-mail API the
    /// application delivers to (`mail_api_url`); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    mailbox: SocketAddr,
    /// Run no development mailbox (then no `POST /clock` either).
    #[arg(long, conflicts_with = "mailbox")]
    no_mailbox: bool,
    /// The guests' wall clock: the system's, or `manual`, which starts at the
    /// real time and moves only on `POST /clock {"advance_seconds": N}` to the
    /// mailbox's address (for tests).
    #[arg(long, value_enum, default_value = "system")]
    clock: clock::ClockMode,
    /// Serve the operator's metrics on this address, apart from the
    /// application: `GET /metrics` (Prometheus' text format) and
    /// `GET /usage/requests` (requests per commune, JSON); port 0 picks a
    /// free port. None by default (nothing is counted then).
    #[arg(long, env = "QMI_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
}

/// Parses `NAME=VALUE`.
fn parse_variable(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))?;
    qmi_manifest::VariableName::parse(name.trim())
        .map_err(|e| format!("invalid variable name {name:?}: {e}"))?;
    Ok((name.trim().to_owned(), value.to_owned()))
}

/// Parses Spin's duration syntax: a number with an optional `s`, `ms`,
/// `us`/`μs` or `ns` suffix (seconds without one).
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {s:?}"))?;
    let seconds = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1e3,
        "us" | "μs" => n / 1e6,
        "ns" => n / 1e9,
        other => {
            return Err(format!(
                "unknown duration unit {other:?} (use s, ms, us or ns)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string())
}

/// Parses a byte size: `134217728`, `128MiB`, `64MB`, `1GiB`, `512KiB`.
fn parse_bytes(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: usize = number.parse().map_err(|_| format!("invalid size {s:?}"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?}")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| "size too large".to_owned())
}

#[tokio::main]
async fn main() -> Result<()> {
    // Request logs go through a background writer: a slow terminal must not
    // slow the server.
    let cli = Cli::parse();
    // `qmi bench` measures requests, not the formatting of a log line per
    // request (Spin logs none either): warnings only, unless RUST_LOG says more.
    let default_filter = match cli.command {
        Command::Bench(_) => "qmi=warn,wasmtime=warn",
        _ => "qmi=info,wasmtime=warn",
    };
    let (writer, _flush_on_exit) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(writer)
        .init();
    match cli.command {
        Command::Build(args) => builder::build(&args.app.manifest, &args.components),
        Command::Up(args) => up(args).await,
        Command::Migrate(args) => {
            let (data_dir, runtime_config) = (args.data_dir()?, args.runtime_config());
            let _lock =
                data::lock(&args.app.manifest, &data_dir, runtime_config.as_deref()).await?;
            match &args.database_url {
                Some(url) => {
                    postgres::migrate(&args.app.manifest, url).await?;
                    data::sync_tenant_status_from_postgres(
                        &data_dir,
                        runtime_config.as_deref(),
                        url,
                    )
                    .await
                }
                None => {
                    data::migrate(&args.app.manifest, &data_dir, runtime_config.as_deref()).await
                }
            }
        }
        Command::Seed(args) => {
            let (data_dir, runtime_config) = (args.data_dir()?, args.runtime_config());
            let _lock =
                data::lock(&args.app.manifest, &data_dir, runtime_config.as_deref()).await?;
            match &args.database_url {
                Some(url) => {
                    postgres::seed(&args.app.manifest, url).await?;
                    data::sync_tenant_status_from_postgres(
                        &data_dir,
                        runtime_config.as_deref(),
                        url,
                    )
                    .await
                }
                None => data::seed(&args.app.manifest, &data_dir, runtime_config.as_deref()).await,
            }
        }
        Command::Bench(args) => bench::run(args).await,
        Command::Tenants(args) => tenants::run(args).await,
        Command::Deploy(args) => deploy::run(args),
        Command::Audit(args) => audit::run(args).await,
        Command::Maintenance(args) => {
            let manifest = &args.data.app.manifest;
            match &args.data.database_url {
                Some(url) => maintenance::run_postgres(manifest, url, &args.retention).await,
                None => {
                    let data_dir = args.data.data_dir()?;
                    let config = args.data.runtime_config();
                    maintenance::run_sqlite(manifest, &data_dir, config.as_deref(), &args.retention)
                        .await
                }
            }
        }
        Command::Keys => {
            let pair = keys::generate()?;
            println!(
                "SPIN_VARIABLE_JWT_PRIVATE_KEY='{}'",
                pair.private_pem.trim_end()
            );
            println!(
                "SPIN_VARIABLE_JWT_PUBLIC_KEY='{}'",
                pair.public_pem.trim_end()
            );
            println!("SPIN_VARIABLE_INTERNAL_TOKEN='{}'", keys::internal_token()?);
            Ok(())
        }
    }
}

async fn up(args: UpArgs) -> Result<()> {
    let manifest = &args.data.app.manifest;
    if args.build {
        builder::build(manifest, &[])?;
    }
    let runtime_config = args.data.runtime_config();
    let data_dir = args.data.data_dir()?;
    // Replicas started together take turns to prepare the data; the lock is
    // released before serving.
    {
        let _lock = data::lock(manifest, &data_dir, runtime_config.as_deref()).await?;
        match &args.data.database_url {
            Some(url) => {
                // The demo data once per data directory, as on SQLite (a second
                // run would change nothing but put back deleted demo rows).
                let marker = data_dir.join(".qmi-seeded-postgres");
                if args.no_seed || marker.exists() {
                    postgres::migrate(manifest, url).await?;
                } else {
                    postgres::seed(manifest, url).await?;
                    std::fs::create_dir_all(&data_dir)?;
                    std::fs::write(&marker, b"demo data loaded\n")?;
                }
                data::sync_tenant_status_from_postgres(&data_dir, runtime_config.as_deref(), url)
                    .await?;
            }
            None => {
                data::migrate(manifest, &data_dir, runtime_config.as_deref()).await?;
                if !args.no_seed {
                    data::seed_if_new(manifest, &data_dir, runtime_config.as_deref()).await?;
                }
            }
        }
    }
    if args.no_mailbox && args.clock == clock::ClockMode::Manual {
        anyhow::bail!("--clock manual is controlled through the mailbox's port: drop --no-mailbox");
    }
    let declared = qmi_manifest::load(manifest)?;
    let is_declared = |name: &str| declared.variables.keys().any(|v| v.as_str() == name);
    let is_set = |name: &str| {
        std::env::var_os(qmi_manifest::env_var_name(name)).is_some()
            || args.variables.iter().any(|(n, _)| n == name)
    };
    // The listeners come first: their addresses are variable values.
    let listener = server::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let mailbox_listener = match args.no_mailbox {
        true => None,
        false => Some(mailbox::bind(args.mailbox).await?),
    };
    let mailbox_addr = mailbox_listener
        .as_ref()
        .map(tokio::net::TcpListener::local_addr)
        .transpose()?;
    let metrics_listener = match args.metrics_listen {
        Some(at) => Some(server::bind(at).await.context("the metrics listener")?),
        None => None,
    };
    let mut variable_overrides = keys::dev_overrides(is_declared, &data_dir)?;
    variable_overrides.extend(keys::internal_token_override(is_declared, &data_dir)?);
    variable_overrides.extend(mailbox::dev_overrides(
        is_declared,
        is_set,
        addr,
        mailbox_addr,
    ));
    // The app reads its own runtime figures for the hosting operator's page
    // (`metrics_url`, spin.toml) at the metrics listener, unless the operator set it.
    if let Some(listener) = &metrics_listener
        && is_declared("metrics_url")
        && !is_set("metrics_url")
    {
        variable_overrides.insert(
            qmi_manifest::env_var_name("metrics_url"),
            format!("http://{}", listener.local_addr()?),
        );
    }
    if let Some(url) = &args.data.database_url {
        let url = database::DatabaseUrl::parse(url)?;
        let labels = declared
            .components
            .values()
            .flat_map(|c| c.sqlite_databases.iter().cloned());
        variable_overrides.extend(database::variable_overrides(&url, is_declared, labels));
    }
    for (name, value) in &args.variables {
        variable_overrides.insert(qmi_manifest::env_var_name(name), value.clone());
    }
    let clock = clock::Clock::new(args.clock);
    let options = LoadOptions {
        manifest: manifest.clone(),
        data_dir,
        runtime_config,
        components: args.components.clone(),
        reuse: ReuseConfig {
            max_concurrent: args.max_instance_concurrent_reuse_count.max(1),
            max_total: args.max_instance_reuse_count.max(1),
            idle_timeout: args.idle_instance_timeout,
            request_timeout: args.request_timeout,
            max_memory: args.max_instance_memory,
        },
        cache_dir: (!args.no_compile_cache).then(engine::default_cache_dir),
        variable_overrides,
        http: stall::HttpLimits {
            header_read: Some(args.header_read_timeout).filter(|d| !d.is_zero()),
            body_stall: args
                .body_read_timeout
                .or(args.request_timeout)
                .or(Some(Duration::from_secs(30)))
                .filter(|d| !d.is_zero()),
        },
        clock: clock.clone(),
        metrics: metrics_listener.as_ref().map(|_| app::MetricsOptions {
            database_url: args.data.database_url.clone(),
        }),
    };
    let app = App::load(&options).await?;
    let _metrics = match (metrics_listener, app.metrics()) {
        (Some(listener), Some(metrics)) => {
            println!("Metrics: http://{}/metrics", listener.local_addr()?);
            Some(AbortOnDrop(tokio::spawn(metrics::serve(
                metrics.clone(),
                listener,
            ))))
        }
        _ => None,
    };
    let _mailbox = match (mailbox_listener, mailbox_addr) {
        (Some(listener), Some(at)) => {
            let store = mailbox::Mailbox::new(Some(options.data_dir.join("mailbox.jsonl")), clock);
            println!("Mailbox: {}/", mailbox::origin(at));
            Some(AbortOnDrop(tokio::spawn(mailbox::serve(
                std::sync::Arc::new(store),
                listener,
            ))))
        }
        _ => None,
    };
    if args.clock == clock::ClockMode::Manual {
        println!("Clock: manual (POST /clock {{\"advance_seconds\": N}} on the mailbox)");
    }
    println!("Serving http://{addr}");
    println!("Available Routes:");
    for (route, component) in app.routes() {
        let shown = route
            .strip_suffix("/...")
            .map(|p| format!("{p} (wildcard)"))
            .unwrap_or_else(|| route.to_owned());
        println!("  {component}: http://{addr}{}", shown);
    }
    use std::io::Write as _;
    std::io::stdout().flush().ok();
    server::serve(app.clone(), listener, shutdown_signal()).await?;
    app.close().await;
    eprintln!("Stopped.");
    Ok(())
}

/// Stops a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        Err(error) => {
            tracing::warn!(%error, "cannot handle SIGTERM: stop with Ctrl-C");
            let _ = ctrl_c.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_spin_syntax() {
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10us"), Ok(Duration::from_micros(10)));
        assert!(parse_duration("1h").is_err());
        assert!(parse_duration("x").is_err());
    }

    fn data_args(
        manifest: &std::path::Path,
        data_dir: Option<&str>,
        config: Option<&std::path::Path>,
    ) -> DataArgs {
        DataArgs {
            app: AppArgs {
                manifest: manifest.to_owned(),
            },
            data_dir: data_dir.map(PathBuf::from),
            runtime_config: config.map(std::path::Path::to_owned),
            database_url: None,
        }
    }

    #[test]
    fn state_dir_resolves_as_spin_resolves_it() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("qmi-state-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let manifest = dir.join("spin.toml");
        // No flag, no runtime config: `.spin` beside the manifest.
        assert_eq!(
            data_args(&manifest, None, None).data_dir()?,
            dir.join(".spin")
        );
        // The flag wins over everything.
        assert_eq!(
            data_args(&manifest, Some("elsewhere"), None).data_dir()?,
            PathBuf::from("elsewhere")
        );
        // The runtime config's `state_dir`.
        let config = dir.join("rc.toml");
        let state = dir.join("state");
        std::fs::write(
            &config,
            format!("state_dir = {:?}\n", state.display().to_string()),
        )?;
        assert_eq!(data_args(&manifest, None, Some(&config)).data_dir()?, state);
        assert_eq!(
            data_args(&manifest, Some("flag"), Some(&config)).data_dir()?,
            PathBuf::from("flag")
        );
        // `state_dir = ""`: Spin's in-memory default stores, which qmi refuses.
        std::fs::write(&config, "state_dir = \"\"\n")?;
        assert!(
            data_args(&manifest, None, Some(&config))
                .data_dir()
                .is_err()
        );
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn sizes_accept_binary_units() {
        assert_eq!(parse_bytes("128MiB"), Ok(128 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("12XB").is_err());
    }
}
