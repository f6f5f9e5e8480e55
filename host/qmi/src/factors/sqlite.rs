//! `spin:sqlite@3.1.0` over the same files Spin uses: label `default` is
//! `<data-dir>/sqlite_db.db`, other labels come from the runtime config file.
//! A component may open only the labels it declares (`access-denied`
//! otherwise); a label nobody defined is `no-such-database`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context as _, Result};
use rusqlite::types::{Null, ValueRef};
use rusqlite::{Batch, OpenFlags};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

use super::bindings::spin::sqlite::sqlite::{self, Error, QueryResult, RowResult, Value};

/// How long a statement waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many connections of one database may be open at once.
const MAX_CONNECTIONS: usize = 32;

/// How long opening a guest connection waits for one of them.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 100;

/// Opens a pool on an SQLite file as Spin configures it: created when
/// missing, WAL journal, `synchronous = NORMAL`, a busy timeout (for the
/// host's own use of a database: migrations, seeds), and, as every connection
/// qmi opens, `secure_delete` (see [`open_file`]).
pub async fn open_pool(path: &Path) -> Result<SqlitePool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        // SQLite's own default, which Spin keeps; a service that wants
        // foreign keys enforced says so on its connection.
        .foreign_keys(false)
        .pragma("secure_delete", "ON");
    SqlitePoolOptions::new()
        .max_connections(MAX_CONNECTIONS as u32)
        // A local file does not go stale: skip the ping before every acquire.
        .test_before_acquire(false)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database {}", path.display()))
}

/// Opens an SQLite file as Spin configures it: created when missing, WAL
/// journal, `synchronous = NORMAL`, foreign keys off, a busy timeout of
/// [`BUSY_TIMEOUT`] (the SQLite interface's files and the key-value store's).
///
/// One addition to Spin's settings: `PRAGMA secure_delete = ON`, so that what a
/// statement deletes is overwritten with zeros in the file instead of lingering
/// in free space (an erased person's e-mail must be nowhere in a database
/// file). Spin does not set it: under real Spin, erasure ends with a
/// `wal_checkpoint(TRUNCATE)` of its own (`qmi_kit::personal::checkpoint`), and
/// `qmi maintenance` rewrites the files (`VACUUM`).
pub(crate) fn open_file(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Answers the journal mode in a row, which `execute` would refuse.
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    // SQLite's own default for foreign keys, which Spin keeps; a service
    // that wants them enforced says so on its connection.
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")?;
    // Answers the setting in a row, as the journal mode does.
    conn.query_row("PRAGMA secure_delete = ON", [], |_| Ok(()))?;
    Ok(conn)
}

/// A connection of the SQLite interface ([`open_file`]). Its busy timeout is
/// zero: statements run inline first ([`Leased::execute`]).
fn connect(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = open_file(path)?;
    conn.busy_timeout(Duration::ZERO)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// The `rusqlite` connections of one database file: those no guest holds
/// wait in `idle`.
pub struct Pool {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
    /// Set (under `idle`'s lock) by [`Pool::close`]: returned connections are
    /// closed instead of kept.
    closed: AtomicBool,
    /// One per open connection; closed with the pool.
    permits: Arc<Semaphore>,
    /// Statements the guests ran (the operator's metrics).
    statements: AtomicU64,
}

impl Pool {
    /// Opens the file's first connection (creating the file), off the
    /// executor: the file may be locked by another process.
    async fn open(path: PathBuf) -> Result<Arc<Pool>> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let file = path.clone();
        let first = tokio::task::spawn_blocking(move || connect(&file))
            .await?
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        Ok(Arc::new(Pool {
            path,
            idle: std::sync::Mutex::new(vec![first]),
            closed: AtomicBool::new(false),
            permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            statements: AtomicU64::new(0),
        }))
    }

    /// The idle connections (a panic while the lock was held leaves the list
    /// itself sound).
    fn idle(&self) -> MutexGuard<'_, Vec<rusqlite::Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection for a guest: an idle one, or a new one if fewer than
    /// [`MAX_CONNECTIONS`] are open (waiting up to [`ACQUIRE_TIMEOUT`]
    /// otherwise).
    async fn acquire(self: &Arc<Self>) -> Result<Leased, Error> {
        let permit =
            match tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.clone().acquire_owned()).await
            {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) => return Err(io("attempted to acquire a connection on a closed pool")),
                Err(_) => return Err(io("pool timed out while waiting for an open connection")),
            };
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let path = self.path.clone();
                tokio::task::spawn_blocking(move || connect(&path))
                    .await
                    .map_err(io)?
                    .map_err(database_error)?
            }
        };
        Ok(Leased {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        })
    }

    /// Takes back a connection no transaction is open on, unless the pool is
    /// closed (the connection is closed then).
    fn put_back(&self, conn: rusqlite::Connection) {
        let mut idle = self.idle();
        if !self.closed.load(Ordering::Acquire) {
            idle.push(conn);
            return;
        }
        drop(idle);
        drop(conn);
    }

    /// Waits (a while) for the guests' connections to come back, refuses new
    /// ones and closes the idle connections (the last one checkpoints the
    /// WAL).
    async fn close(&self) {
        let all = tokio::time::timeout(
            ACQUIRE_TIMEOUT,
            self.permits.acquire_many(MAX_CONNECTIONS as u32),
        )
        .await;
        self.permits.close();
        drop(all);
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

/// Every SQLite database of the application, by label.
#[derive(Default)]
pub struct Databases {
    pools: HashMap<String, (PathBuf, Arc<Pool>)>,
}

impl Databases {
    /// Opens the given label → file pairs.
    pub async fn open(labels: impl IntoIterator<Item = (String, PathBuf)>) -> Result<Self> {
        let mut pools = HashMap::new();
        for (label, path) in labels {
            let pool = Pool::open(path.clone()).await?;
            pools.insert(label, (path, pool));
        }
        Ok(Self { pools })
    }

    /// The pool of a label.
    pub fn pool(&self, label: &str) -> Option<&Arc<Pool>> {
        self.pools.get(label).map(|(_, pool)| pool)
    }

    /// Each label with its file and the statements the guests ran on it.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &Path, u64)> {
        self.pools.iter().map(|(label, (path, pool))| {
            (
                label.as_str(),
                path.as_path(),
                pool.statements.load(Ordering::Relaxed),
            )
        })
    }

    /// Closes every pool, checkpointing the WAL files.
    pub async fn close(&self) {
        for (_, pool) in self.pools.values() {
            pool.close().await;
        }
    }
}

/// The per-instance state: which labels the component declared.
#[derive(Clone)]
pub struct SqliteState {
    allowed: Arc<BTreeSet<String>>,
    databases: Arc<Databases>,
}

impl SqliteState {
    /// State for a component that declared `allowed`.
    pub fn new(allowed: Arc<BTreeSet<String>>, databases: Arc<Databases>) -> Self {
        Self { allowed, databases }
    }
}

/// An open connection: one pooled SQLite connection held for the
/// resource's lifetime, so transactions span calls as they do in Spin.
///
/// Under Spin each guest connection is a SQLite connection of its own, closed
/// when the guest drops it (or its instance goes): a transaction left open is
/// rolled back and never seen by another request. Here the connection goes
/// back to a pool, so dropping it first rolls back whatever the guest left
/// open ([`release`]).
pub struct Connection {
    inner: Arc<Mutex<ConnectionInner>>,
}

struct ConnectionInner {
    /// `None` only while a statement runs off the executor (or if that task
    /// failed).
    conn: Option<Leased>,
    last_insert_rowid: i64,
    changes: u64,
}

/// A pooled connection a guest holds; dropping it returns it to the pool
/// ([`release`]).
struct Leased {
    /// `None` only once released.
    conn: Option<rusqlite::Connection>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Leased {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            release(&self.pool, conn);
        }
    }
}

/// Rolls back a transaction the guest left open, then returns the connection
/// to the pool; a connection that cannot be reset is closed instead (SQLite
/// rolls back on close). `ROLLBACK` waits on no lock, so it runs inline.
fn release(pool: &Pool, conn: rusqlite::Connection) {
    if !conn.is_autocommit() {
        match conn.execute_batch("ROLLBACK") {
            Ok(()) if conn.is_autocommit() => {
                tracing::debug!("rolled back a transaction the guest left open")
            }
            Ok(()) => {
                tracing::warn!("closing a SQLite connection still in a transaction");
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "closing a SQLite connection that could not be reset");
                return;
            }
        }
    }
    pool.put_back(conn);
}

/// What the interface sees of the store.
pub struct SqliteView<'a> {
    /// The component's SQLite state.
    pub state: &'a SqliteState,
    /// The instance's resource table.
    pub table: &'a mut ResourceTable,
}

/// Marker type through which the interface is linked.
pub struct SpinSqlite;

impl HasData for SpinSqlite {
    type Data<'a> = SqliteView<'a>;
}

/// Adds `spin:sqlite` to a linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> SqliteView<'_>,
) -> wasmtime::Result<()> {
    sqlite::add_to_linker::<T, SpinSqlite>(linker, get)
}

fn io(error: impl std::fmt::Display) -> Error {
    Error::Io(error.to_string())
}

/// An SQLite error as the guest sees it: SQLite's code and text, as sqlx
/// words them (services match on the text, e.g. `UNIQUE constraint failed`).
fn database_error(error: rusqlite::Error) -> Error {
    match &error {
        rusqlite::Error::SqliteFailure(code, message) => io(format_args!(
            "error returned from database: (code: {}) {}",
            code.extended_code,
            message.clone().unwrap_or_else(|| code.to_string())
        )),
        _ => io(error),
    }
}

impl SqliteState {
    async fn open(&self, label: &str) -> Result<Connection, Error> {
        if !self.allowed.contains(label) {
            return Err(Error::AccessDenied);
        }
        let pool = self.databases.pool(label).ok_or(Error::NoSuchDatabase)?;
        let conn = pool.acquire().await?;
        Ok(Connection {
            inner: Arc::new(Mutex::new(ConnectionInner {
                conn: Some(conn),
                last_insert_rowid: 0,
                changes: 0,
            })),
        })
    }
}

/// What one call to `execute` produced.
struct Outcome {
    columns: Vec<String>,
    rows: Vec<RowResult>,
    /// The rows the statements changed, summed.
    changes: u64,
    /// The connection's last inserted row id, if any row was ever inserted.
    last_insert_rowid: Option<i64>,
}

/// Why a call to `execute` failed.
enum Failure {
    /// SQLite found the file locked before anything ran: the call may be run
    /// again, with a busy timeout.
    Busy(Error),
    Error(Error),
}

impl ConnectionInner {
    /// Runs one statement, returning its column names and rows: inline on the
    /// calling task and without a busy timeout, or, if SQLite finds the file
    /// locked (another connection writing), off the executor with the busy
    /// timeout.
    async fn execute(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<(Vec<String>, Vec<RowResult>), Error> {
        // `RUST_LOG=qmi::sql=debug`: every statement a guest runs, as written.
        tracing::debug!(target: "qmi::sql", "{sql}");
        let leased = self.conn.as_mut().ok_or(Error::InvalidConnection)?;
        leased.pool.statements.fetch_add(1, Ordering::Relaxed);
        let conn = leased.conn.as_ref().ok_or(Error::InvalidConnection)?;
        let outcome = match run(conn, sql, &params) {
            Ok(outcome) => outcome,
            Err(Failure::Error(e)) => return Err(e),
            Err(Failure::Busy(_)) => {
                let leased = self.conn.take().ok_or(Error::InvalidConnection)?;
                let sql = sql.to_owned();
                let (leased, result) = tokio::task::spawn_blocking(move || {
                    let result = match leased.conn.as_ref() {
                        Some(conn) => run_waiting(conn, &sql, &params),
                        None => Err(Error::InvalidConnection),
                    };
                    (leased, result)
                })
                .await
                .map_err(io)?;
                self.conn = Some(leased);
                result?
            }
        };
        let is_write = !statement_is_read_only(sql);
        if is_write {
            self.changes = outcome.changes;
        }
        if let Some(id) = outcome.last_insert_rowid {
            self.last_insert_rowid = id;
        }
        Ok((outcome.columns, outcome.rows))
    }
}

/// Runs `sql` with the busy timeout, back to none afterwards.
fn run_waiting(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Outcome, Error> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(database_error)?;
    let result = run(conn, sql, params);
    conn.busy_timeout(Duration::ZERO).map_err(database_error)?;
    result.map_err(|failure| match failure {
        Failure::Busy(e) | Failure::Error(e) => e,
    })
}

/// Runs the statements of `sql` in order (as sqlx does: all are prepared
/// first; `?` parameters are numbered across them, `?NNN` name theirs; the
/// columns are those of the first statement that has any).
fn run(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Outcome, Failure> {
    // Nothing has run yet: a busy file may be retried.
    let fail = |error: rusqlite::Error, ran: bool| {
        if !ran && error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
            Failure::Busy(database_error(error))
        } else {
            Failure::Error(database_error(error))
        }
    };
    let mut outcome = Outcome {
        columns: Vec::new(),
        rows: Vec::new(),
        changes: 0,
        last_insert_rowid: None,
    };
    let mut ran = false;
    let mut offset = 0;
    // One statement (the usual call): prepared once per connection.
    if !sql
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
        .contains(';')
    {
        let mut statement = conn.prepare_cached(sql).map_err(|e| fail(e, false))?;
        run_statement(
            conn,
            &mut statement,
            params,
            &mut offset,
            &mut outcome,
            &mut ran,
        )
        .map_err(|e| fail(e, ran))?;
        return Ok(outcome);
    }
    let mut statements = Vec::new();
    let mut batch = Batch::new(conn, sql);
    while let Some(statement) = batch.next().map_err(|e| fail(e, false))? {
        statements.push(statement);
    }
    for statement in &mut statements {
        run_statement(conn, statement, params, &mut offset, &mut outcome, &mut ran)
            .map_err(|e| fail(e, ran))?;
    }
    Ok(outcome)
}

/// Binds and runs one prepared statement, adding its rows and changes to
/// `outcome`; `ran` is set once SQLite ran any of it.
fn run_statement(
    conn: &rusqlite::Connection,
    statement: &mut rusqlite::Statement<'_>,
    params: &[Value],
    offset: &mut usize,
    outcome: &mut Outcome,
    ran: &mut bool,
) -> rusqlite::Result<()> {
    if outcome.columns.is_empty() {
        outcome.columns = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    for index in 1..=statement.parameter_count() {
        let number = match statement.parameter_name(index) {
            Some(name) => match name
                .strip_prefix('?')
                .or_else(|| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(number) => number,
                None => {
                    return Err(rusqlite::Error::InvalidParameterName(format!(
                        "unsupported SQL parameter format: {name}"
                    )));
                }
            },
            None => {
                *offset += 1;
                *offset
            }
        };
        // A parameter without a value is NULL.
        match number.checked_sub(1).and_then(|i| params.get(i)) {
            Some(Value::Integer(i)) => statement.raw_bind_parameter(index, i)?,
            Some(Value::Real(f)) => statement.raw_bind_parameter(index, f)?,
            Some(Value::Text(s)) => statement.raw_bind_parameter(index, s.as_str())?,
            Some(Value::Blob(b)) => statement.raw_bind_parameter(index, b.as_slice())?,
            Some(Value::Null) | None => statement.raw_bind_parameter(index, Null)?,
        }
    }
    let width = statement.column_count();
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next()? {
        *ran = true;
        let values = (0..width)
            .map(|i| {
                Ok(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Integer(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(
                        String::from_utf8(t.to_vec())
                            .map_err(|e| rusqlite::Error::Utf8Error(e.utf8_error()))?,
                    ),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                })
            })
            .collect::<rusqlite::Result<Vec<Value>>>()?;
        outcome.rows.push(RowResult { values });
    }
    *ran = true;
    outcome.changes += conn.changes();
    let id = conn.last_insert_rowid();
    if id != 0 {
        outcome.last_insert_rowid = Some(id);
    }
    Ok(())
}

/// SQLite counts `changes()` for INSERT, UPDATE and DELETE only.
fn statement_is_read_only(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    !matches!(
        first.as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "WITH"
    )
}

fn connection(
    table: &ResourceTable,
    rep: &Resource<Connection>,
) -> wasmtime::Result<Arc<Mutex<ConnectionInner>>> {
    Ok(table.get(rep)?.inner.clone())
}

impl sqlite::Host for SqliteView<'_> {}

impl sqlite::HostConnection for SqliteView<'_> {
    async fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        Ok(match self.state.open(&database).await {
            Ok(conn) => Ok(self.table.push(conn)?),
            Err(e) => Err(e),
        })
    }

    async fn execute(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let conn = connection(self.table, &this)?;
        let mut conn = conn.lock().await;
        Ok(conn
            .execute(&statement, parameters)
            .await
            .map(|(columns, rows)| QueryResult { columns, rows }))
    }

    async fn last_insert_rowid(&mut self, this: Resource<Connection>) -> wasmtime::Result<i64> {
        Ok(connection(self.table, &this)?
            .lock()
            .await
            .last_insert_rowid)
    }

    async fn changes(&mut self, this: Resource<Connection>) -> wasmtime::Result<u64> {
        Ok(connection(self.table, &this)?.lock().await.changes)
    }

    async fn drop(&mut self, this: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl<T> sqlite::HostConnectionWithStore<T> for SpinSqlite {
    async fn open_async(
        accessor: &Accessor<T, Self>,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let state = accessor.with(|mut access| access.get().state.clone());
        match state.open(&database).await {
            Ok(conn) => accessor.with(|mut access| Ok(Ok(access.get().table.push(conn)?))),
            Err(e) => Ok(Err(e)),
        }
    }

    async fn execute_async(
        accessor: &Accessor<T, Self>,
        this: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<
        Result<
            (
                Vec<String>,
                StreamReader<RowResult>,
                FutureReader<Result<(), Error>>,
            ),
            Error,
        >,
    > {
        let conn = accessor.with(|mut access| connection(access.get().table, &this))?;
        let result = conn.lock().await.execute(&statement, parameters).await;
        let (columns, rows) = match result {
            Ok(ok) => ok,
            Err(e) => return Ok(Err(e)),
        };
        accessor.with(|mut access| {
            let rows = StreamReader::new(&mut access, rows)?;
            let done = FutureReader::new(&mut access, async {
                wasmtime::error::Ok(Ok::<(), Error>(()))
            })?;
            Ok(Ok((columns, rows, done)))
        })
    }

    async fn last_insert_rowid_async(
        accessor: &Accessor<T, Self>,
        this: Resource<Connection>,
    ) -> wasmtime::Result<i64> {
        let conn = accessor.with(|mut access| connection(access.get().table, &this))?;
        Ok(conn.lock().await.last_insert_rowid)
    }

    async fn changes_async(
        accessor: &Accessor<T, Self>,
        this: Resource<Connection>,
    ) -> wasmtime::Result<u64> {
        let conn = accessor.with(|mut access| connection(access.get().table, &this))?;
        Ok(conn.lock().await.changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qmi-sqlite-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("db.sqlite")
    }

    fn ok(result: Result<Outcome, Failure>) -> Outcome {
        match result {
            Ok(outcome) => outcome,
            Err(Failure::Busy(e) | Failure::Error(e)) => panic!("{e:?}"),
        }
    }

    fn message(result: Result<Outcome, Failure>) -> String {
        match result {
            Err(Failure::Error(Error::Io(message))) => message,
            Err(Failure::Busy(_)) => panic!("busy"),
            _ => panic!("not an io error"),
        }
    }

    #[test]
    fn statements_values_and_errors_are_those_of_sqlx() {
        let conn = connect(&file("values")).unwrap();
        ok(run(
            &conn,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT UNIQUE, r REAL, b BLOB)",
            &[],
        ));
        // Several statements: `?` numbered across them.
        let outcome = ok(run(
            &conn,
            "INSERT INTO t (x, r, b) VALUES (?, ?, ?); DELETE FROM t WHERE x = ?;
             INSERT INTO t (x, r, b) VALUES (?, ?, ?);",
            &[
                Value::Text("z".into()),
                Value::Null,
                Value::Null,
                Value::Text("z".into()),
                Value::Text("a".into()),
                Value::Real(1.5),
                Value::Blob(vec![1, 2]),
            ],
        ));
        assert_eq!(outcome.changes, 3);
        assert_eq!(outcome.last_insert_rowid, Some(1));
        let outcome = ok(run(
            &conn,
            "INSERT INTO t (x) VALUES (?2)",
            &[Value::Null, Value::Text("b".into())],
        ));
        assert_eq!(outcome.last_insert_rowid, Some(2));
        let outcome = ok(run(&conn, "SELECT id, x, r, b FROM t ORDER BY id", &[]));
        assert_eq!(outcome.columns, ["id", "x", "r", "b"]);
        assert_eq!(outcome.rows.len(), 2);
        assert!(matches!(
            outcome.rows[0].values.as_slice(),
            [Value::Integer(1), Value::Text(x), Value::Real(r), Value::Blob(b)]
                if x == "a" && *r == 1.5 && b == &[1, 2]
        ));
        assert!(matches!(
            outcome.rows[1].values.as_slice(),
            [Value::Integer(2), Value::Text(_), Value::Null, Value::Null]
        ));
        let error = message(run(
            &conn,
            "INSERT INTO t (x) VALUES (?)",
            &[Value::Text("a".into())],
        ));
        assert_eq!(
            error,
            "error returned from database: (code: 2067) UNIQUE constraint failed: t.x"
        );
        assert!(message(run(&conn, "SELEC 1", &[])).contains("syntax error"));
    }

    #[test]
    fn a_locked_file_is_retried_with_the_busy_timeout() {
        let path = file("busy");
        let writer = connect(&path).unwrap();
        let other = connect(&path).unwrap();
        ok(run(&writer, "CREATE TABLE t (x)", &[]));
        ok(run(&writer, "BEGIN IMMEDIATE", &[]));
        assert!(matches!(
            run(&other, "BEGIN IMMEDIATE", &[]),
            Err(Failure::Busy(_))
        ));
        let waiting = std::thread::spawn(move || {
            run_waiting(&other, "INSERT INTO t VALUES (1)", &[]).map(|o| o.changes)
        });
        std::thread::sleep(Duration::from_millis(50));
        ok(run(&writer, "COMMIT", &[]));
        assert!(matches!(waiting.join().unwrap(), Ok(1)));
    }
}
