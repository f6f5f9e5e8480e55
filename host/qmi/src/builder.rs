//! `qmi build`: what `spin build` does — each component's build commands,
//! run with `sh -c` from the manifest's directory (or the `workdir`) — after
//! making sure the rustup targets the project builds for are installed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

/// The targets the project's components and frontend compile to.
pub const RUST_TARGETS: &[&str] = &["wasm32-wasip2", "wasm32-unknown-unknown"];

/// Installs any missing rustup target.
pub fn ensure_targets() -> Result<()> {
    let Ok(output) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        tracing::warn!("rustup not found: assuming the wasm targets are installed");
        return Ok(());
    };
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("Installing rustup targets: {}", missing.join(", "));
    let status = Command::new("rustup")
        .arg("target")
        .arg("add")
        .args(&missing)
        .status()?;
    if !status.success() {
        bail!("`rustup target add {}` failed", missing.join(" "));
    }
    Ok(())
}

/// Builds the components of the manifest (only `only` when not empty).
pub fn build(manifest_path: &Path, only: &[String]) -> Result<()> {
    ensure_targets()?;
    let manifest = qmi_manifest::load(manifest_path)
        .with_context(|| format!("loading {}", manifest_path.display()))?;
    for id in only {
        if !manifest.components.contains_key(id.as_str()) {
            bail!("--component-id {id:?} names no component of the application");
        }
    }
    let started = Instant::now();
    let mut built = 0;
    for (id, component) in &manifest.components {
        if !only.is_empty() && !only.iter().any(|c| c == id.as_str()) {
            continue;
        }
        let Some(build) = &component.build else {
            eprintln!("{id}: no build command, skipped");
            continue;
        };
        let workdir = build
            .workdir
            .clone()
            .unwrap_or_else(|| manifest.dir.clone());
        for command in &build.command {
            run(id.as_str(), command, &workdir)?;
        }
        built += 1;
    }
    eprintln!(
        "Finished building {built} component(s) in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs one build command with a spinner showing its latest output line.
fn run(id: &str, command: &str, workdir: &Path) -> Result<()> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg}").unwrap());
    bar.set_prefix(id.to_owned());
    bar.set_message(command.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(workdir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running `{command}` for {id}"))?;
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let readers: Vec<_> = [
        Box::new(stderr) as Box<dyn std::io::Read + Send>,
        Box::new(stdout),
    ]
    .into_iter()
    .map(|stream| {
        let bar = bar.clone();
        let log = log.clone();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(Result::ok)
            {
                bar.set_message(line.trim().to_owned());
                log.lock().unwrap().push(line);
            }
        })
    })
    .collect();
    let status = child.wait()?;
    for reader in readers {
        let _ = reader.join();
    }
    bar.finish_and_clear();
    if !status.success() {
        for line in log.lock().unwrap().iter() {
            eprintln!("{line}");
        }
        bail!("{id}: `{command}` failed ({status})");
    }
    eprintln!(
        "{id}: `{command}` done in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
