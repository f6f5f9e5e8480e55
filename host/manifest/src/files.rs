//! Resolving a component's `files` into concrete host → guest mounts.

use std::path::{Component as PathPart, Path, PathBuf};

use crate::{
    component::{Component, FilesSpec},
    error::{Result, invalid},
    walk::join,
};

/// A host path made visible to the guest at an absolute guest path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileMount {
    /// A whole directory, read-only.
    Dir {
        /// Host directory.
        host: PathBuf,
        /// Absolute guest path.
        guest: String,
    },
    /// A single file, read-only.
    File {
        /// Host file.
        host: PathBuf,
        /// Absolute guest path.
        guest: String,
    },
}

impl Component {
    /// Resolves `files` against the app directory as Spin does:
    /// - a pattern naming a directory mounts it at `/<pattern>`, naming a file mounts it at
    ///   `/<pattern>`, otherwise it is a glob whose matching files appear at
    ///   `/<path relative to the app dir>`;
    /// - `{ source, destination }` mounts a directory (or file) at `destination`.
    ///
    /// Files matching `exclude_files` (relative to the app directory) are left out: a
    /// directory with exclusions is mounted file by file. Anything outside the app
    /// directory, symlinks included, is refused.
    pub fn file_mounts(&self, manifest_dir: &Path) -> Result<Vec<FileMount>> {
        let at = join(&join("component", self.id.as_str()), "files");
        let root = manifest_dir.canonicalize().map_err(|e| {
            invalid(
                &at,
                format!(
                    "cannot resolve app directory {}: {e}",
                    manifest_dir.display()
                ),
            )
        })?;
        let excludes: Vec<glob::Pattern> = self
            .exclude_files
            .iter()
            .map(|p| {
                glob::Pattern::new(p)
                    .map_err(|e| invalid(&at, format!("invalid exclude_files glob {p:?}: {e}")))
            })
            .collect::<Result<_>>()?;
        let ctx = Ctx {
            root: &root,
            excludes: &excludes,
            at: &at,
        };
        let mut mounts = Vec::new();
        for spec in &self.files {
            match spec {
                FilesSpec::Pattern(p) => ctx.pattern(p, &mut mounts)?,
                FilesSpec::Placement {
                    source,
                    destination,
                } => {
                    let src = root.join(source);
                    if !src.exists() {
                        return Err(invalid(
                            &at,
                            format!("File or directory \"{source}\" does not exist"),
                        ));
                    }
                    ctx.place(&src, destination, &mut mounts)?;
                }
            }
        }
        Ok(mounts)
    }
}

struct Ctx<'a> {
    root: &'a Path,
    excludes: &'a [glob::Pattern],
    at: &'a str,
}

impl Ctx<'_> {
    fn pattern(&self, pattern: &str, mounts: &mut Vec<FileMount>) -> Result<()> {
        let path = self.root.join(pattern);
        if path.exists() {
            return self.place(&path, &guest_join("/", Path::new(pattern)), mounts);
        }
        if glob::Pattern::escape(pattern) == pattern {
            return Err(invalid(
                self.at,
                format!("{pattern:?} does not exist and doesn't appear to be a glob pattern"),
            ));
        }
        let full = path.to_string_lossy().into_owned();
        let paths = glob::glob(&full).map_err(|e| {
            invalid(
                self.at,
                format!("Failed to resolve glob pattern {pattern:?}: {e}"),
            )
        })?;
        for found in paths {
            let found = found.map_err(|e| invalid(self.at, e.to_string()))?;
            if !found.is_file() {
                continue;
            }
            let rel = self.inside(&found)?;
            if !self.excluded(&rel) {
                mounts.push(FileMount::File {
                    guest: guest_join("/", &rel),
                    host: found,
                });
            }
        }
        Ok(())
    }

    /// Mounts a directory (file by file when exclusions exist) or a single file.
    fn place(&self, src: &Path, guest: &str, mounts: &mut Vec<FileMount>) -> Result<()> {
        self.inside(src)?;
        if !src.is_dir() {
            mounts.push(FileMount::File {
                host: src.to_owned(),
                guest: guest.to_owned(),
            });
            return Ok(());
        }
        if self.excludes.is_empty() {
            mounts.push(FileMount::Dir {
                host: src.to_owned(),
                guest: guest.to_owned(),
            });
            return Ok(());
        }
        let mut files = Vec::new();
        walk(src, &mut files)
            .map_err(|e| invalid(self.at, format!("cannot read {}: {e}", src.display())))?;
        for file in files {
            let rel = self.inside(&file)?;
            if self.excluded(&rel) {
                continue;
            }
            let below = file.strip_prefix(src).unwrap_or(&file);
            mounts.push(FileMount::File {
                guest: guest_join(guest, below),
                host: file,
            });
        }
        Ok(())
    }

    /// The path relative to the app directory, refusing anything (symlinks included)
    /// that resolves outside it.
    fn inside(&self, path: &Path) -> Result<PathBuf> {
        let outside = || {
            invalid(
                self.at,
                format!(
                    "{} cannot be mapped because it is outside the application directory. Files must be within the application directory.",
                    path.display()
                ),
            )
        };
        let real = path.canonicalize().map_err(|_| outside())?;
        real.strip_prefix(self.root).map_err(|_| outside())?;
        path.strip_prefix(self.root)
            .map(Path::to_owned)
            .map_err(|_| outside())
    }

    fn excluded(&self, rel: &Path) -> bool {
        self.excludes.iter().any(|p| p.matches_path(rel))
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// `base` + the normal components of `rel`, with `/` separators.
fn guest_join(base: &str, rel: &Path) -> String {
    let mut out = base.trim_end_matches('/').to_owned();
    for part in rel.components() {
        if let PathPart::Normal(p) = part {
            out.push('/');
            out.push_str(&p.to_string_lossy());
        }
    }
    if out.is_empty() { "/".to_owned() } else { out }
}
