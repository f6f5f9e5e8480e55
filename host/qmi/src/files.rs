//! Spin's `files` mounts: a `{ source, destination }` directory is preopened
//! read-only as it is; files matched by globs are staged into a directory
//! under the data dir (as Spin copies them), then preopened.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use qmi_manifest::{AppManifest, Component, FileMount};

/// The read-only (host directory, guest path) preopens of a component.
pub fn mounts(
    manifest: &AppManifest,
    id: &str,
    component: &Component,
    data_dir: &Path,
) -> Result<Vec<(PathBuf, String)>> {
    let mut dirs = Vec::new();
    let staging = data_dir.join("files").join(id);
    let mut staged_any = false;
    for mount in component.file_mounts(&manifest.dir)? {
        match mount {
            FileMount::Dir { host, guest } => dirs.push((host, guest)),
            FileMount::File { host, guest } => {
                if !staged_any {
                    // Start from a clean copy so removed files disappear.
                    let _ = std::fs::remove_dir_all(&staging);
                    staged_any = true;
                }
                let relative = guest.trim_start_matches('/');
                let target = staging.join(relative);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::copy(&host, &target)
                    .with_context(|| format!("staging {} for component {id:?}", host.display()))?;
            }
        }
    }
    if staged_any {
        dirs.push((staging, "/".to_owned()));
    }
    Ok(dirs)
}
