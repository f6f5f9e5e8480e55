//! The real application (the root `spin.toml`) under `qmi up`: building the
//! components a test needs once, and serving a subset with demo data.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::{Qmi, QmiServer, qmi_bin, workspace_root};

/// The application manifest at the workspace root.
pub fn root_manifest() -> PathBuf {
    workspace_root().join("spin.toml")
}

/// Builds `components` of the root application (`qmi build -c …`), each at
/// most once per test binary; panics with the build's output on failure.
pub fn build(components: &[&str]) {
    static BUILT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    let missing: Vec<&str> = components.iter().copied().filter(|c| !built.contains(*c)).collect();
    if missing.is_empty() {
        return;
    }
    let mut command = Command::new(qmi_bin());
    command.args(["build", "-f"]).arg(root_manifest()).stdin(Stdio::null());
    for component in &missing {
        command.args(["-c", component]);
    }
    let out = command.output().expect("qmi build runs");
    assert!(out.status.success(), "qmi build failed:\n{}", String::from_utf8_lossy(&out.stderr));
    built.extend(missing.iter().map(|c| (*c).to_owned()));
}

/// Serves `components` of the root application (with the gateway and policy
/// they depend on, which `qmi` composes in) on a fresh data directory seeded
/// with the demo data, every demo account's password being `password`.
pub fn serve(components: &[&str], password: &str) -> QmiServer {
    let mut all: Vec<&str> = components.to_vec();
    all.extend(["gateway", "policy"]);
    build(&all);
    let mut up = Qmi::up()
        .manifest(root_manifest())
        .without_runtime_config()
        .flag("--runtime-config-file", workspace_root().join("runtime-config.toml").to_str().expect("UTF-8 path"));
    for component in components {
        up = up.flag("--component-id", component);
    }
    up.env("QMI_DEMO_PASSWORD", password).start()
}
