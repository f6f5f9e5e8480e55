//! The bundle directory: content-hashed names, `.gz` siblings, stale-file cleanup.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use flate2::{Compression, write::GzEncoder};
use sha2::{Digest, Sha256};

/// Files to write, in order (write `index.html` last so it never names a
/// file that is not there yet).
#[derive(Default)]
pub struct Bundle {
    files: Vec<(String, Vec<u8>)>,
}

/// What [`Bundle::write`] did.
pub struct Report {
    /// One human-readable line per written file.
    pub lines: Vec<String>,
    /// Stale entries removed from the directory.
    pub removed: usize,
    sizes: Vec<(String, u64, u64)>,
}

impl Report {
    /// Raw and gzipped sizes of a written file that got a `.gz` sibling.
    pub fn sizes(&self, name: &str) -> Option<(u64, u64)> {
        self.sizes
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, raw, gz)| (*raw, *gz))
    }

    /// Raw and gzipped sizes summed over the written files whose name ends
    /// with `suffix`.
    pub fn total(&self, suffix: &str) -> (u64, u64) {
        self.sizes
            .iter()
            .filter(|(n, _, _)| n.ends_with(suffix))
            .fold((0, 0), |(raw, gz), (_, r, g)| (raw + r, gz + g))
    }
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files added so far, in order: name and content.
    #[cfg(test)]
    pub fn files(&self) -> &[(String, Vec<u8>)] {
        &self.files
    }

    /// Adds a file under a fixed name.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.push((name.to_owned(), bytes));
    }

    /// Adds a file named `<stem>-<hash><suffix>` and returns that name.
    pub fn add_hashed(&mut self, stem: &str, suffix: &str, bytes: Vec<u8>) -> String {
        let name = format!("{stem}-{}{suffix}", content_hash(&bytes));
        self.add(&name, bytes);
        name
    }

    /// Writes every file (and the `.gz` siblings) into `dir`, then removes
    /// anything else found there.
    pub fn write(&self, dir: &Path) -> Result<Report> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut keep = BTreeSet::new();
        let mut report = Report {
            lines: Vec::new(),
            removed: 0,
            sizes: Vec::new(),
        };
        for (name, bytes) in &self.files {
            write_atomic(dir, name, bytes)?;
            keep.insert(name.clone());
            let raw = bytes.len() as u64;
            if gzip_worthy(name) {
                let gz = gzip(bytes).with_context(|| format!("compressing {name}"))?;
                let gz_name = format!("{name}.gz");
                write_atomic(dir, &gz_name, &gz)?;
                keep.insert(gz_name);
                let gz_len = gz.len() as u64;
                report.lines.push(format!(
                    "{name:<34} {:>10}  (gzip {})",
                    human(raw),
                    human(gz_len)
                ));
                report.sizes.push((name.clone(), raw, gz_len));
            } else {
                report.lines.push(format!("{name:<34} {:>10}", human(raw)));
            }
        }
        report.removed = remove_stale(dir, &keep)?;
        Ok(report)
    }
}

/// First 16 hex digits of the SHA-256 of `bytes`.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a file gets a precompressed `.gz` sibling (the page too: it is
/// fetched, or revalidated, on every visit).
fn gzip_worthy(name: &str) -> bool {
    [".html", ".js", ".wasm", ".css", ".geojson"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Writes through a temporary name and a rename, so a server never reads half a file.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("renaming to {}", path.display()))
}

fn remove_stale(dir: &Path, keep: &BTreeSet<String>) -> Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if keep.contains(&name) {
            continue;
        }
        let path = entry.path();
        let kind = entry
            .file_type()
            .with_context(|| format!("inspecting {}", path.display()))?;
        if kind.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        }
        .with_context(|| format!("removing stale {}", path.display()))?;
        removed += 1;
    }
    Ok(removed)
}

/// A byte count for people: `812 B`, `41.3 KiB`, `1.20 MiB`.
pub fn human(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.2} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_16_hex_of_sha256() {
        // SHA-256("") = e3b0c44298fc1c14…
        assert_eq!(content_hash(b""), "e3b0c44298fc1c14");
    }

    #[test]
    fn hashed_names() {
        let mut bundle = Bundle::new();
        assert_eq!(
            bundle.add_hashed("qmi", "_bg.wasm", Vec::new()),
            "qmi-e3b0c44298fc1c14_bg.wasm"
        );
    }

    #[test]
    fn text_assets_get_a_gzip_sibling() {
        assert!(gzip_worthy("qmi-e3b0c44298fc1c14.css"));
        assert!(gzip_worthy("communes-mgp.geojson"));
        assert!(gzip_worthy("index.html"));
        assert!(!gzip_worthy("favicon-e3b0c44298fc1c14.svg"));
    }

    #[test]
    fn sizes() {
        assert_eq!(human(812), "812 B");
        assert_eq!(human(2048), "2.0 KiB");
    }
}
