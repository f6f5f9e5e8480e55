//! One preparation of the data at a time: `qmi up`, `qmi migrate` and
//! `qmi seed` started together on the same databases (replicas on one
//! machine) would otherwise race on the migrations and the demo data. Each
//! holds an exclusive lock on `.qmi-prepare.lock` in every directory that
//! holds one of its databases, and in its data directory (the seed marker),
//! until it is done; the others wait, then find the work done.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

/// The lock file's name in each directory.
const LOCK_FILE: &str = ".qmi-prepare.lock";

/// Held locks, released when dropped (or when the process ends).
pub struct PrepareLock {
    _files: Vec<File>,
}

/// Locks every directory of `dirs`, in one order (so two processes cannot
/// each wait on the other), waiting for the process that holds a lock.
pub async fn acquire(dirs: impl IntoIterator<Item = PathBuf>) -> Result<PrepareLock> {
    let dirs: BTreeSet<PathBuf> = dirs.into_iter().collect();
    tokio::task::spawn_blocking(move || {
        let mut files = Vec::with_capacity(dirs.len());
        for dir in dirs {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join(LOCK_FILE);
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    tracing::info!(lock = %path.display(), "another process is preparing the data: waiting");
                    file.lock()
                        .with_context(|| format!("locking {}", path.display()))?;
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
            files.push(file);
        }
        Ok(PrepareLock { _files: files })
    })
    .await
    .context("locking the data directories")?
}
