//! The real application (the root `spin.toml`) under `qmi up`: building the
//! components a test needs once, and serving a subset with demo data.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::{Qmi, QmiServer, Up, qmi_bin, workspace_root};

/// The application manifest at the workspace root.
pub fn root_manifest() -> PathBuf {
    workspace_root().join("spin.toml")
}

/// The application's runtime config (`runtime-config.toml` at the workspace root).
pub fn runtime_config() -> String {
    std::fs::read_to_string(workspace_root().join("runtime-config.toml"))
        .expect("read runtime-config.toml")
}

/// The application's runtime config with the key-value store `default` (what
/// the gateway reads on every request) on the Redis server at `url` instead of
/// a file; the databases stay where the application's config puts them.
pub fn runtime_config_with_redis(url: &str) -> String {
    let mut config: toml::Table =
        toml::from_str(&runtime_config()).expect("parse runtime-config.toml");
    let mut store = toml::Table::new();
    store.insert("type".into(), "redis".into());
    store.insert("url".into(), url.into());
    let mut stores = toml::Table::new();
    stores.insert("default".into(), store.into());
    config.insert("key_value_store".into(), stores.into());
    toml::to_string(&config).expect("serialize the runtime config")
}

/// Replicas of one deployment: `qmi up` processes serving the same components
/// over one working directory — so the runtime config given, and the databases
/// and stores it names, are theirs in common —, each with its own port and
/// data directory (its mailbox, its seed marker), all signing with one key
/// pair. The servers stop before the directory is removed.
pub struct Replicas {
    /// The running servers, in the order they were asked for.
    pub servers: Vec<QmiServer>,
    dir: tempfile::TempDir,
}

impl Replicas {
    /// Starts `count` replicas of `components` (demo data seeded, every demo
    /// account's password being `password`) with `runtime_config` as their
    /// runtime config file, all at once: their starts, which migrate and
    /// seed the same databases, overlap.
    pub fn start(components: &[&str], password: &str, runtime_config: &str, count: usize) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("qmi-replicas-")
            .tempdir()
            .expect("temp dir");
        std::fs::write(dir.path().join("runtime-config.toml"), runtime_config)
            .expect("write the runtime config");
        let keys = crate::gateway::Keys::generate();
        let ups: Vec<Up> = (0..count)
            .map(|i| {
                up_beside_runtime_config(components, password)
                    .in_dir(dir.path())
                    .data_dir(dir.path().join(format!("data-{i}")))
                    .env("SPIN_VARIABLE_JWT_PRIVATE_KEY", &keys.private_pem)
                    .env("SPIN_VARIABLE_JWT_PUBLIC_KEY", &keys.public_pem)
            })
            .collect();
        let servers = std::thread::scope(|scope| {
            let started: Vec<_> = ups
                .into_iter()
                .map(|up| scope.spawn(move || up.start()))
                .collect();
            started
                .into_iter()
                .map(|s| s.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        Self { servers, dir }
    }

    /// The working directory the replicas share.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Builds `components` of the root application (`qmi build -c …`), each at
/// most once per test binary; panics with the build's output on failure.
pub fn build(components: &[&str]) {
    static BUILT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    let missing: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| !built.contains(*c))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut command = Command::new(qmi_bin());
    command
        .args(["build", "-f"])
        .arg(root_manifest())
        .stdin(Stdio::null());
    for component in &missing {
        command.args(["-c", component]);
    }
    let out = command.output().expect("qmi build runs");
    assert!(
        out.status.success(),
        "qmi build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    built.extend(missing.iter().map(|c| (*c).to_owned()));
}

/// Serves `components` of the root application (with the gateway and policy
/// they depend on, which `qmi` composes in) on a fresh data directory seeded
/// with the demo data, every demo account's password being `password`.
pub fn serve(components: &[&str], password: &str) -> QmiServer {
    up(components, password).start()
}

/// The `qmi up` invocation of [`serve`], to adjust before starting it (e.g. two
/// servers `in_dir` one directory, as replicas of one deployment).
pub fn up(components: &[&str], password: &str) -> Up {
    // The runtime config goes into the server's working directory: its relative
    // paths (the databases and the shared key-value store) all resolve there, so
    // a server's data is its own, or its directory's.
    up_beside_runtime_config(components, password)
        .work_file("runtime-config.toml", runtime_config())
}

/// [`up`] without writing the runtime config: the server reads
/// `runtime-config.toml` in its working directory, written by the caller.
fn up_beside_runtime_config(components: &[&str], password: &str) -> Up {
    let chained = with_chaining_targets(components);
    let mut all: Vec<&str> = chained.iter().map(String::as_str).collect();
    all.extend(["gateway", "policy"]);
    build(&all);
    let mut up = Qmi::up()
        .manifest(root_manifest())
        .without_runtime_config()
        .flag("--runtime-config-file", "runtime-config.toml");
    for id in locked_ids(components) {
        up = up.flag("--component-id", &id);
    }
    if crate::postgres::backend_is_postgres() {
        up = up.on_postgres();
    }
    up.env("QMI_DEMO_PASSWORD", password)
}

/// The component ids that run the triggers of `components` once Spin's loader
/// has locked the app (what `--component-id` selects): a component shared by
/// several triggers with middleware runs under one synthetic id per trigger
/// (`identity-for-<trigger>`), so its plain id selects nothing.
///
/// The components they chain to (`http://<c>.spin.internal`, e.g. the outbox relay
/// to `notifications`) are selected with them: Spin refuses to start a selection
/// that leaves a chaining target out.
pub fn locked_ids(components: &[&str]) -> Vec<String> {
    let components = with_chaining_targets(components);
    let manifest = qmi_manifest::load(&root_manifest()).expect("load spin.toml");
    let mut ids: Vec<String> = Vec::new();
    for (trigger, id) in manifest
        .http_triggers
        .iter()
        .zip(manifest.trigger_component_ids())
    {
        if components.iter().any(|c| c == trigger.component.as_str()) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    assert!(
        !ids.is_empty() || components.is_empty(),
        "no trigger runs {components:?}"
    );
    ids
}

/// `components` and, transitively, the components they may chain to
/// (`http://<c>.spin.internal` in their `allowed_outbound_hosts`, templates
/// rendered with the variables' defaults, as `qmi up` resolves them when the
/// environment sets none), read from the root `spin.toml`.
pub fn with_chaining_targets(components: &[&str]) -> Vec<String> {
    let manifest = qmi_manifest::load(&root_manifest()).expect("load spin.toml");
    let default = |name: &str| manifest.variables.get(name).and_then(|v| v.default.clone());
    let mut all: Vec<String> = components.iter().map(|c| (*c).to_owned()).collect();
    let mut i = 0;
    while i < all.len() {
        let entries = manifest
            .component(&all[i])
            .map(|c| c.allowed_outbound_hosts.clone())
            .unwrap_or_default();
        for entry in entries {
            let Ok(Some(host)) = entry.resolve(default) else {
                continue;
            };
            let target = match &host.host {
                qmi_manifest::Host::Domain(domain) => {
                    qmi_manifest::service_chaining_component(domain).map(str::to_owned)
                }
                _ => None,
            };
            if let Some(target) = target
                && !all.contains(&target)
            {
                all.push(target);
            }
        }
        i += 1;
    }
    all
}
