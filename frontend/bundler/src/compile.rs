//! Building the frontend crate with cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasm target of the frontend.
const TARGET: &str = "wasm32-unknown-unknown";

/// `CARGO_TARGET_DIR` if set (relative to the current directory, as cargo reads
/// it), otherwise `<workspace>/target`.
pub fn target_dir(workspace: &Path) -> Result<PathBuf> {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                Ok(dir)
            } else {
                let cwd = std::env::current_dir().context("reading the current directory")?;
                Ok(cwd.join(dir))
            }
        }
        _ => Ok(workspace.join("target")),
    }
}

/// Runs `cargo build --release --target wasm32-unknown-unknown -p <package>` and
/// returns the path of the produced module (a binary keeps the dashes of its name).
///
/// Link-time optimisation cannot be set per package in a profile, and the global
/// release profile serves the components too; it is turned on here, for this
/// build only, unless the caller already chose (`CARGO_PROFILE_RELEASE_LTO`).
/// `strip = true` would also drop the `target_features` section wasm-bindgen reads
/// to detect the enabled wasm features, so this build strips debug info only and
/// wasm-bindgen removes the name section afterwards. Leptos views are
/// type-erased (`--cfg erase_components`), which makes the module markedly
/// smaller (and the build faster) at no visible cost. The linker keeps its
/// relocations (`--emit-relocs`): the split step needs them to move functions
/// and data between modules.
pub fn build_frontend(workspace: &Path, target_dir: &Path, package: &str) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .args(["build", "--release", "--target", TARGET, "-p", package])
        .arg("--config")
        .arg(format!(
            "profile.release.package.{package}.strip=\"debuginfo\""
        ))
        // The whole dependency tree (Leptos above all) is optimised for size, not
        // only the frontend crate: this build is the only one for this target.
        .arg("--config")
        .arg("profile.release.package.\"*\".opt-level=\"z\"")
        .arg("--config")
        .arg("profile.release.package.\"*\".codegen-units=1")
        .arg("--config")
        .arg(format!(
            "target.{TARGET}.rustflags=[\"--cfg\", \"erase_components\", \"-Clink-args=--emit-relocs\"]"
        ))
        .env("CARGO_TARGET_DIR", target_dir);
    if std::env::var_os("CARGO_PROFILE_RELEASE_LTO").is_none() {
        command.env("CARGO_PROFILE_RELEASE_LTO", "true");
    }
    let status = command
        .status()
        .with_context(|| format!("running {} build", cargo.to_string_lossy()))?;
    if !status.success() {
        bail!("cargo build of {package} failed ({status})");
    }
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{package}.wasm"));
    if !wasm.is_file() {
        bail!("cargo succeeded but {} is missing", wasm.display());
    }
    Ok(wasm)
}
