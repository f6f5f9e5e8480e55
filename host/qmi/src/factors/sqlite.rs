//! `spin:sqlite@3.1.0` over the same files Spin uses: label `default` is
//! `<data-dir>/sqlite_db.db`, other labels come from the runtime config file.
//! A component may open only the labels it declares (`access-denied`
//! otherwise); a label nobody defined is `no-such-database`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Column, Either, Executor, Row, Sqlite, SqlitePool, Statement, TypeInfo, ValueRef};
use tokio::sync::Mutex;
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

use super::bindings::spin::sqlite::sqlite::{self, Error, QueryResult, RowResult, Value};

/// Opens a pool on an SQLite file as Spin configures it: created when
/// missing, WAL journal, `synchronous = NORMAL`, a busy timeout.
pub async fn open_pool(path: &Path) -> Result<SqlitePool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        // SQLite's own default, which Spin keeps; a service that wants
        // foreign keys enforced says so on its connection.
        .foreign_keys(false);
    SqlitePoolOptions::new()
        .max_connections(32)
        // A local file does not go stale: skip the ping before every acquire.
        .test_before_acquire(false)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database {}", path.display()))
}

/// Every SQLite database of the application, by label.
#[derive(Default)]
pub struct Databases {
    pools: HashMap<String, (PathBuf, SqlitePool)>,
}

impl Databases {
    /// Opens the given label → file pairs.
    pub async fn open(labels: impl IntoIterator<Item = (String, PathBuf)>) -> Result<Self> {
        let mut pools = HashMap::new();
        for (label, path) in labels {
            let pool = open_pool(&path).await?;
            pools.insert(label, (path, pool));
        }
        Ok(Self { pools })
    }

    /// The pool of a label.
    pub fn pool(&self, label: &str) -> Option<&SqlitePool> {
        self.pools.get(label).map(|(_, pool)| pool)
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
    /// `None` only once released.
    conn: Option<PoolConnection<Sqlite>>,
    /// Whether the guest ran any statement (else nothing can be left open).
    used: bool,
    last_insert_rowid: i64,
    changes: u64,
}

impl Drop for ConnectionInner {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if !self.used {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(release(conn));
            }
            // No runtime to roll back on: closing the connection rolls back.
            Err(_) => conn.close_on_drop(),
        }
    }
}

/// `ROLLBACK` on one connection.
async fn rollback(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    conn.execute("ROLLBACK").await.map(drop)
}

/// Rolls back a transaction the guest left open, then returns the connection
/// to the pool; a connection that cannot be reset is closed instead (SQLite
/// rolls back on close).
async fn release(mut conn: PoolConnection<Sqlite>) {
    match rollback(&mut conn).await {
        Ok(_) => tracing::debug!("rolled back a transaction the guest left open"),
        Err(error) if error.to_string().contains("no transaction is active") => {}
        Err(error) => {
            tracing::warn!(%error, "closing a SQLite connection that could not be reset");
            conn.close_on_drop();
        }
    }
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

impl SqliteState {
    async fn open(&self, label: &str) -> Result<Connection, Error> {
        if !self.allowed.contains(label) {
            return Err(Error::AccessDenied);
        }
        let pool = self.databases.pool(label).ok_or(Error::NoSuchDatabase)?;
        let conn = pool.acquire().await.map_err(io)?;
        Ok(Connection {
            inner: Arc::new(Mutex::new(ConnectionInner {
                conn: Some(conn),
                used: false,
                last_insert_rowid: 0,
                changes: 0,
            })),
        })
    }
}

impl ConnectionInner {
    /// Runs one statement, returning its column names and rows.
    async fn execute(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<(Vec<String>, Vec<RowResult>), Error> {
        let conn: &mut SqliteConnection = self.conn.as_mut().ok_or(Error::InvalidConnection)?;
        self.used = true;
        let statement = conn.prepare(sql).await.map_err(io)?;
        let columns: Vec<String> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let mut query = statement.query();
        for param in params {
            query = match param {
                Value::Integer(i) => query.bind(i),
                Value::Real(f) => query.bind(f),
                Value::Text(s) => query.bind(s),
                Value::Blob(b) => query.bind(b),
                Value::Null => query.bind(None::<i64>),
            };
        }
        let mut rows = Vec::new();
        let mut changes = 0;
        let mut last_insert_rowid = None;
        {
            let mut results = conn.fetch_many(query);
            while let Some(item) = results.try_next().await.map_err(io)? {
                match item {
                    Either::Left(done) => {
                        changes += done.rows_affected();
                        if done.last_insert_rowid() != 0 {
                            last_insert_rowid = Some(done.last_insert_rowid());
                        }
                    }
                    Either::Right(row) => rows.push(RowResult {
                        values: row_values(&row)?,
                    }),
                }
            }
        }
        let is_write = !statement_is_read_only(sql);
        if is_write {
            self.changes = changes;
        }
        if let Some(id) = last_insert_rowid {
            self.last_insert_rowid = id;
        }
        Ok((columns, rows))
    }
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

fn row_values(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Value>, Error> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i).map_err(io)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = raw.type_info().name().to_ascii_uppercase();
            Ok(match kind.as_str() {
                "INTEGER" | "INT" | "INT4" | "INT8" | "BIGINT" | "BOOLEAN" => {
                    Value::Integer(row.try_get_unchecked::<i64, _>(i).map_err(io)?)
                }
                "REAL" | "FLOAT" | "DOUBLE" | "NUMERIC" => {
                    Value::Real(row.try_get_unchecked::<f64, _>(i).map_err(io)?)
                }
                "BLOB" => Value::Blob(row.try_get_unchecked::<Vec<u8>, _>(i).map_err(io)?),
                _ => Value::Text(row.try_get_unchecked::<String, _>(i).map_err(io)?),
            })
        })
        .collect()
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
