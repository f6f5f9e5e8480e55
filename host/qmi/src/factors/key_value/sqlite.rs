//! Key-value stores of `type = "spin"`: SQLite files laid out as Spin lays them out:
//! label `default` is `<data-dir>/sqlite_key_value.db`, one table
//! `spin_key_value(store, key, value)`, stores separated by label.
//!
//! As in Spin, a store's file is opened (created, with its table) when a
//! component first opens the label, not at start-up: serving an app that
//! declares a store leaves no file behind until the store is used.
//!
//! Each store keeps a few `rusqlite` connections (WAL journal,
//! `synchronous = NORMAL`, a busy timeout, as the SQLite interface opens
//! its files) and statements prepared once per connection. Nothing is cached
//! but statements: every call reads or writes the file, so processes sharing
//! the store see each other's writes at once.
//!
//! Point reads (`get`, `exists`) run inline on the calling task: a lookup by
//! primary key in a local WAL file takes microseconds, where a hop to another
//! thread costs tens. They run without a busy timeout; the rare read that
//! finds the file locked (WAL recovery, another process closing it) is
//! retried off the executor, with the timeout. Writes and key listings always
//! run off the executor (`spawn_blocking`), as they may wait on another
//! writer's lock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context as _, Result};
use rusqlite::{Connection, OptionalExtension as _};
use tokio::sync::{OnceCell, Semaphore};

use super::{Error, other};
use crate::factors::sqlite::open_file;

/// How long a statement run off the executor waits for another connection's
/// lock (as the SQLite interface's connections do).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many connections of one store may run statements off the executor at
/// once (the SQLite interface's pools hold at most as many).
const MAX_BLOCKING: usize = 32;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (store, key))";
const SELECT_VALUE: &str = "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2";
const SELECT_EXISTS: &str = "SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2";
const UPSERT: &str = "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
    ON CONFLICT(store, key) DO UPDATE SET value = ?3";
const DELETE: &str = "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2";
const SELECT_KEYS: &str = "SELECT key FROM spin_key_value WHERE store = ?1";

/// A store's file and, once some component has opened it, its connections.
pub(super) struct SqliteStore {
    path: PathBuf,
    pool: OnceCell<Arc<Pool>>,
}

impl SqliteStore {
    /// The store of `label` in `path`, creating the file's parent directory
    /// as Spin does at start-up; the file itself is opened on first use.
    pub(super) fn new(label: &str, path: PathBuf) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| {
                format!(
                    "creating the directory of key-value store {label:?}: {}",
                    dir.display()
                )
            })?;
        }
        Ok(Self {
            path,
            pool: OnceCell::new(),
        })
    }

    /// The store's connections for `label`, opening its file and creating
    /// Spin's table on first use.
    pub(super) async fn open(&self, label: &str) -> Result<SqliteOpened, Error> {
        let pool = match self.pool.get() {
            Some(pool) => pool.clone(),
            None => self
                .pool
                .get_or_try_init(|| Pool::open(self.path.clone()))
                .await
                .map_err(|message| {
                    tracing::error!(label, %message, "cannot open key-value store");
                    Error::Other(message)
                })?
                .clone(),
        };
        Ok(SqliteOpened {
            label: Arc::from(label),
            pool,
        })
    }

    /// Closes the store if it was opened (checkpointing its WAL file), once
    /// the statements running off the executor are done.
    pub(super) async fn close(&self) {
        if let Some(pool) = self.pool.get() {
            pool.close().await;
        }
    }
}

/// An open SQLite store: its label (the `store` column) and connections.
#[derive(Clone)]
pub(super) struct SqliteOpened {
    label: Arc<str>,
    pool: Arc<Pool>,
}

impl SqliteOpened {
    /// The value of `key`, if any.
    pub(super) async fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        let label = self.label.clone();
        self.pool
            .read(move |conn| {
                conn.prepare_cached(SELECT_VALUE)?
                    .query_row((&*label, &key), |row| row.get::<_, Vec<u8>>(0))
                    .optional()
            })
            .await
    }

    /// Sets `key` to `value`.
    pub(super) async fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        let label = self.label.clone();
        self.pool
            .blocking(move |conn| {
                conn.prepare_cached(UPSERT)?
                    .execute((&*label, &key, &value))
                    .map(drop)
            })
            .await
    }

    /// Deletes `key` (absent or not).
    pub(super) async fn delete(&self, key: String) -> Result<(), Error> {
        let label = self.label.clone();
        self.pool
            .blocking(move |conn| {
                conn.prepare_cached(DELETE)?
                    .execute((&*label, &key))
                    .map(drop)
            })
            .await
    }

    /// Whether `key` has a value.
    pub(super) async fn exists(&self, key: String) -> Result<bool, Error> {
        let label = self.label.clone();
        self.pool
            .read(move |conn| conn.prepare_cached(SELECT_EXISTS)?.exists((&*label, &key)))
            .await
    }

    /// Every key of the store (of its label only).
    pub(super) async fn keys(&self) -> Result<Vec<String>, Error> {
        let label = self.label.clone();
        self.pool
            .blocking(move |conn| {
                conn.prepare_cached(SELECT_KEYS)?
                    .query_map([&*label], |row| row.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .await
    }
}

/// The connections of one store file: those not running a statement wait in
/// `idle`, each with its prepared statements.
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Set (under `idle`'s lock) by [`Pool::close`]: returned connections are
    /// closed instead of kept.
    closed: AtomicBool,
    /// Bounds the connections running statements off the executor; closed
    /// with the pool.
    blocking: Arc<Semaphore>,
}

/// Whether SQLite gave up on a lock another connection holds.
fn is_busy(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

impl Pool {
    /// Opens the file's first connection and creates Spin's table, off the
    /// executor (the file may be locked by another process).
    async fn open(path: PathBuf) -> Result<Arc<Pool>, String> {
        let file = path.clone();
        let first = tokio::task::spawn_blocking(move || {
            let conn = open_file(&file)
                .map_err(|e| format!("opening SQLite database {}: {e}", file.display()))?;
            conn.execute_batch(CREATE_TABLE)
                .map_err(|e| format!("creating spin_key_value in {}: {e}", file.display()))?;
            Ok::<_, String>(conn)
        })
        .await
        .map_err(|e| format!("opening SQLite database {}: {e}", path.display()))??;
        Ok(Arc::new(Pool {
            path,
            idle: Mutex::new(vec![first]),
            closed: AtomicBool::new(false),
            blocking: Arc::new(Semaphore::new(MAX_BLOCKING)),
        }))
    }

    /// The idle connections (a panic while the lock was held leaves the list
    /// itself sound).
    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns a connection to the idle ones, unless the pool is closed or a
    /// transaction is open on it (which would show later reads a stale
    /// snapshot): such a connection is closed, which rolls back.
    fn put_back(&self, conn: Connection) {
        if !conn.is_autocommit() {
            return;
        }
        let mut idle = self.idle();
        if !self.closed.load(Ordering::Acquire) {
            idle.push(conn);
            return;
        }
        drop(idle);
        drop(conn);
    }

    /// Runs a point read inline, on an idle connection and without a busy
    /// timeout; off the executor, with the timeout, if no connection is idle
    /// or the file is locked.
    async fn read<R: Send + 'static>(
        self: &Arc<Self>,
        op: impl Fn(&Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, Error> {
        let conn = self.idle().pop();
        if let Some(conn) = conn {
            let result = conn.busy_timeout(Duration::ZERO).and_then(|()| op(&conn));
            self.put_back(conn);
            match result {
                Err(e) if is_busy(&e) => {}
                result => return result.map_err(other),
            }
        }
        self.blocking(op).await
    }

    /// Runs `op` off the executor on an idle connection, or a new one, with
    /// the busy timeout.
    async fn blocking<R: Send + 'static>(
        self: &Arc<Self>,
        op: impl FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, Error> {
        let permit = self
            .blocking
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Other("the key-value store is closed".to_owned()))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = pool.idle().pop();
            let conn = match conn {
                Some(conn) => conn,
                None => open_file(&pool.path)?,
            };
            let result = conn.busy_timeout(BUSY_TIMEOUT).and_then(|()| op(&conn));
            pool.put_back(conn);
            result
        })
        .await
        .map_err(other)?
        .map_err(other)
    }

    /// Waits for the statements running off the executor, refuses new ones
    /// and closes the idle connections (the last one checkpoints the WAL).
    async fn close(&self) {
        if let Ok(_all) = self.blocking.acquire_many(MAX_BLOCKING as u32).await {
            self.blocking.close();
        }
        let conns = {
            let mut idle = self.idle();
            self.closed.store(true, Ordering::Release);
            std::mem::take(&mut *idle)
        };
        if !conns.is_empty() {
            let _closed = tokio::task::spawn_blocking(move || drop(conns)).await;
        }
    }
}
