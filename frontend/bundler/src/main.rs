//! `cargo run --release -p qmi-bundle`: builds the Leptos frontend and writes the
//! deployable bundle to `frontend/dist/` (content-hashed names, `.gz` siblings).

mod bindgen;
mod compile;
mod dist;
mod html;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The crate name of the frontend.
const FRONTEND: &str = "qmi-frontend";

fn main() -> Result<()> {
    let workspace = workspace_root()?;
    let frontend = workspace.join("frontend");
    let dist_dir = frontend.join("dist");

    let target_dir = compile::target_dir(&workspace)?;
    println!("qmi-bundle: building {FRONTEND} (release, wasm32-unknown-unknown)");
    let wasm = compile::build_frontend(&workspace, &target_dir, FRONTEND)?;
    println!("qmi-bundle: built {}", wasm.display());

    println!("qmi-bundle: running wasm-bindgen (target web)");
    let bound = bindgen::bind(&wasm)?;

    println!("qmi-bundle: writing {}", dist_dir.display());
    let mut bundle = dist::Bundle::new();
    let wasm_name = bundle.add_hashed("qmi", "_bg.wasm", bound.wasm);
    let js = bindgen::point_glue_at(&bound.js, &wasm_name)?;
    let js_name = bundle.add_hashed("qmi", ".js", js.into_bytes());
    let css = read(&frontend.join("assets/qmi.css"))?;
    let css_name = bundle.add_hashed("qmi", ".css", css);
    let icon = read(&frontend.join("assets/favicon.svg"))?;
    let icon_name = bundle.add_hashed("favicon", ".svg", icon);
    let index = html::index(&html::Assets {
        js: &js_name,
        wasm: &wasm_name,
        css: &css_name,
        icon: &icon_name,
    });
    bundle.add("index.html", index.into_bytes());

    let report = bundle.write(&dist_dir)?;
    for line in &report.lines {
        println!("qmi-bundle:   {line}");
    }
    if report.removed > 0 {
        println!("qmi-bundle: removed {} stale file(s)", report.removed);
    }
    let (raw, gz) = report
        .sizes(&wasm_name)
        .context("the wasm file is missing from the bundle report")?;
    println!(
        "qmi-bundle: wasm {wasm_name}: {} raw, {} gzipped",
        dist::human(raw),
        dist::human(gz)
    );
    println!("qmi-bundle: done");
    Ok(())
}

/// The workspace root: two levels above this crate's manifest. `cargo run`
/// passes the manifest directory at run time; that one wins over the one
/// compiled in, which is stale when a shared target directory holds a binary
/// built from another checkout.
fn workspace_root() -> Result<PathBuf> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let manifest = manifest.as_path();
    manifest
        .join("../..")
        .canonicalize()
        .with_context(|| format!("locating the workspace above {}", manifest.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}
