//! The store over `spin:sqlite` (async API of spin-sdk 7). A [`Db`] is opened
//! with its service's [`Schema`] and offers three paths (design D1):
//! [`Db::tenant`] (one commune's rows, from an allowed decision for it),
//! [`Db::across`] (every commune's rows, read-only, from an allowed decision
//! without one) and [`Db::platform`] (raw SQL on platform tables, refused when
//! it names a tenant table). [`Db::atomic`] runs a transaction whose handle is
//! the same `Db`, with the same three paths.

use std::cell::{Cell, RefCell};

use qmi_api::Insee;
use spin_sdk::wit_bindgen::{StreamReader, StreamResult};
use spin_sdk::{pg, sqlite};

use crate::audit::Mark;
use crate::decision::Allowed;
use crate::problem::Problem;
use crate::sql::{
    Across, Delete, Dialect, Insert, InsertSelect, Platform, Rows, Schema, Scope, Select,
    Statement, Tenant, Update, Value, check_tenant_tables,
};

pub use crate::sql::StoreError;

mod trail;

/// The Spin variable naming the component's PostgreSQL database (a
/// `postgres://` URL, the component's own role); empty or undeclared: the
/// SQLite label.
pub const DATABASE_URL_VARIABLE: &str = "database_url";

/// Rows read from a result's row stream at a time (either backend).
const ROW_BATCH: usize = 128;

/// An open database of one label.
pub struct Db {
    backend: Backend,
    dialect: Dialect,
    schema: &'static Schema,
    in_transaction: Cell<bool>,
    /// PostgreSQL: a transaction holding the request's reads is open (see
    /// [`Db::run`]); ended by a write, [`Db::atomic`], a platform statement or
    /// [`Db::finish`].
    reading: Cell<bool>,
    /// PostgreSQL: which rows the open transaction's settings reach.
    reach: RefCell<Option<Reach>>,
    /// Rows changed by the last write.
    changed: Cell<u64>,
    /// The label (the audit entries' service).
    label: String,
    /// The request's audit trail: who acts, the changes waiting for their entry.
    trail: RefCell<trail::Trail>,
}

/// The connection, on `spin:sqlite` or on `spin:postgres`.
enum Backend {
    Sqlite(sqlite::Connection),
    Postgres(pg::Connection),
}

/// Which rows a statement may reach: what row-level security is told, on
/// PostgreSQL, with transaction-local settings (`qmi.commune`, `qmi.across`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// One commune's rows (read and write).
    Commune(Insee),
    /// Every commune's rows, read-only.
    Across,
    /// Platform tables only: no setting.
    Platform,
}

/// Whether a statement only reads (and may join the request's read
/// transaction) or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

impl Reach {
    /// What a builder's scope reaches: its commune, or (reads of several or
    /// every commune) every commune, narrowed by the statement's own `WHERE`.
    fn of(scope: &Scope) -> Self {
        match scope {
            Scope::Tenant(insee) => Self::Commune(insee.clone()),
            Scope::Communes(_) | Scope::Across => Self::Across,
        }
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

fn to_sqlite(v: Value) -> sqlite::Value {
    match v {
        Value::Null => sqlite::Value::Null,
        Value::Integer(i) => sqlite::Value::Integer(i),
        Value::Real(f) => sqlite::Value::Real(f),
        Value::Text(s) => sqlite::Value::Text(s),
        Value::Blob(b) => sqlite::Value::Blob(b),
    }
}

fn from_sqlite(v: sqlite::Value) -> Value {
    match v {
        sqlite::Value::Null => Value::Null,
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(f) => Value::Real(f),
        sqlite::Value::Text(s) => Value::Text(s),
        sqlite::Value::Blob(b) => Value::Blob(b),
    }
}

/// Every integer is bound as `bigint` (the PostgreSQL schema's integer type).
fn to_pg(v: Value) -> pg::ParameterValue {
    match v {
        Value::Null => pg::ParameterValue::DbNull,
        Value::Integer(i) => pg::ParameterValue::Int64(i),
        Value::Real(f) => pg::ParameterValue::Floating64(f),
        Value::Text(s) => pg::ParameterValue::Str(s),
        Value::Blob(b) => pg::ParameterValue::Binary(b),
    }
}

/// A PostgreSQL value as SQLite's storage classes: booleans are integers,
/// whole numerics (`SUM` of a bigint) integers, dates and times ISO text.
fn from_pg(v: pg::DbValue) -> Value {
    use pg::DbValue as D;
    match v {
        D::DbNull => Value::Null,
        D::Boolean(b) => Value::Integer(i64::from(b)),
        D::Int8(i) => Value::Integer(i.into()),
        D::Int16(i) => Value::Integer(i.into()),
        D::Int32(i) => Value::Integer(i.into()),
        D::Int64(i) => Value::Integer(i),
        D::Floating32(f) => Value::Real(f.into()),
        D::Floating64(f) => Value::Real(f),
        D::Str(s) | D::Uuid(s) => Value::Text(s),
        D::Decimal(s) => match (s.parse::<i64>(), s.parse::<f64>()) {
            (Ok(i), _) => Value::Integer(i),
            (_, Ok(f)) => Value::Real(f),
            _ => Value::Text(s),
        },
        D::Binary(b) | D::Unsupported(b) => Value::Blob(b),
        D::Jsonb(b) => Value::Text(String::from_utf8_lossy(&b).into_owned()),
        D::Date((y, m, d)) => Value::Text(format!("{y:04}-{m:02}-{d:02}")),
        D::Time((h, mi, s, ns)) => {
            Value::Text(format!("{h:02}:{mi:02}:{s:02}.{:03}", ns / 1_000_000))
        }
        D::Datetime((y, mo, d, h, mi, s, ns)) => Value::Text(format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            ns / 1_000_000
        )),
        D::Timestamp(t) => Value::Integer(t),
        other => Value::Text(format!("{other:?}")),
    }
}

/// A PostgreSQL failure, worded with its SQLSTATE (see
/// [`StoreError::is_unique_violation`]).
fn pg_message(e: &pg::Error) -> String {
    match e {
        pg::Error::PgError(pg::PgError::QueryFailed(pg::QueryError::DbError(db))) => {
            format!("SQLSTATE {}: {}", db.code, db.message)
        }
        other => other.to_string(),
    }
}

/// Whether a statement starts with the keyword `word` (ASCII, any case).
fn starts_with(sql: &str, word: &str) -> bool {
    sql.trim_start()
        .as_bytes()
        .get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
}

/// Whether a statement answers rows on PostgreSQL (run with `query`, else
/// with `execute`, which answers the rows changed).
fn answers_rows(sql: &str) -> bool {
    starts_with(sql, "select")
        || starts_with(sql, "with")
        || starts_with(sql, "values")
        || sql
            .as_bytes()
            .windows(" returning ".len())
            .any(|w| w.eq_ignore_ascii_case(b" returning "))
}

impl Db {
    /// Opens the database of `label`, whose tables `schema` declares: the
    /// PostgreSQL database named by the component's `database_url` variable
    /// when it is set, else the SQLite label (declared in the component's
    /// `sqlite_databases`). The same component serves both: the choice is
    /// configuration.
    pub async fn open(label: &str, schema: &'static Schema) -> Result<Self, StoreError> {
        let open_error = |message: String| StoreError::Open {
            label: label.to_owned(),
            message,
        };
        let url = spin_sdk::variables::get(DATABASE_URL_VARIABLE)
            .await
            .unwrap_or_default();
        let (backend, dialect) = if url.trim().is_empty() {
            let connection = sqlite::Connection::open(label)
                .await
                .map_err(|e| open_error(format!("{e:?}")))?;
            (Backend::Sqlite(connection), Dialect::Sqlite)
        } else {
            let connection = pg::Connection::open(url.trim())
                .await
                .map_err(|e| open_error(pg_message(&e)))?;
            (Backend::Postgres(connection), Dialect::Postgres)
        };
        Ok(Self {
            backend,
            dialect,
            schema,
            in_transaction: Cell::new(false),
            reading: Cell::new(false),
            reach: RefCell::new(None),
            changed: Cell::new(0),
            label: label.to_owned(),
            trail: RefCell::new(trail::Trail::new()),
        })
    }

    /// The SQL dialect of the backend.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// One commune's tenant tables, for a decision the policy took for that
    /// commune (a 500 when the decision names none: the handler asked the wrong
    /// question).
    pub fn tenant<'a>(&'a self, allowed: &'a Allowed) -> Result<Tenant<'a>, Problem> {
        let insee = allowed.tenant().ok_or(StoreError::NoTenant)?;
        Ok(Tenant {
            conn: self,
            dialect: self.dialect,
            insee,
            action: allowed.action(),
        })
    }

    /// Every commune's tenant tables, read-only, for a decision the policy took
    /// without a commune (or with one, to read beyond it where the policy allows).
    pub fn across(&self, allowed: &Allowed) -> Across<'_> {
        let _decided = allowed;
        Across {
            conn: self,
            dialect: self.dialect,
        }
    }

    /// Every commune's tenant tables, read-only, for what must be known *before*
    /// the policy is asked: a record's facts (its commune, organisation, status,
    /// publication) looked up by id, or a principal's own memberships when identity
    /// mints their token. What a handler returns or writes comes through
    /// [`Db::tenant`] / [`Db::across`] after the decision.
    pub fn facts(&self) -> Across<'_> {
        Across {
            conn: self,
            dialect: self.dialect,
        }
    }

    /// Raw SQL on platform tables; a statement naming a tenant table is refused.
    pub fn platform(&self) -> Platform<'_> {
        Platform {
            conn: self,
            dialect: self.dialect,
            schema: self.schema,
        }
    }

    /// Runs a statement that reaches `reach` and collects its rows. On
    /// PostgreSQL a tenant-scoped statement runs inside a transaction whose
    /// settings tell row-level security which rows it may reach: the open one
    /// (inside [`Db::atomic`]); for a read, the request's read transaction,
    /// opened by its first read and kept for the reads that follow (their
    /// settings changed only when the reach does), so that a request's reads
    /// cost one `BEGIN` and one `COMMIT` between them; for a write, one of its
    /// own, committed at once (the read transaction committed first). A
    /// platform statement ends the read transaction and runs on its own.
    pub(crate) async fn run(
        &self,
        reach: Reach,
        access: Access,
        statement: Statement,
    ) -> Result<Rows, StoreError> {
        match &self.backend {
            Backend::Sqlite(connection) => {
                // A SELECT changes nothing: no host call to ask how much it changed
                // (SQLite's count is still the last write's, as it was).
                let counts = access == Access::Write && !starts_with(&statement.sql, "select");
                let rows = run_sqlite(connection, statement).await?;
                if counts {
                    self.changed.set(connection.changes().await);
                }
                Ok(rows)
            }
            Backend::Postgres(connection) => {
                if self.in_transaction.get() {
                    self.reach_rows(connection, &reach).await?;
                    return self.run_pg(connection, statement).await;
                }
                if reach == Reach::Platform {
                    self.finish().await;
                    return self.run_pg(connection, statement).await;
                }
                if access == Access::Read {
                    if !self.reading.get() {
                        self.control("BEGIN").await?;
                        self.reading.set(true);
                    }
                    let result = async {
                        self.reach_rows(connection, &reach).await?;
                        self.run_pg(connection, statement).await
                    }
                    .await;
                    if result.is_err() {
                        // The failed statement aborted the transaction.
                        self.reading.set(false);
                        self.end(false).await;
                    }
                    return result;
                }
                self.finish().await;
                self.control("BEGIN").await?;
                let result = async {
                    self.reach_rows(connection, &reach).await?;
                    self.run_pg(connection, statement).await
                }
                .await;
                self.end(result.is_ok()).await;
                result
            }
        }
    }

    /// Commits the request's read transaction, if one is open (PostgreSQL;
    /// nothing to do on SQLite). Every component calls it once its answer is
    /// ready: no transaction is left open on a pooled connection (the host
    /// would roll it back, but Spin's pool would hand it to the next request).
    pub async fn finish(&self) {
        if self.reading.replace(false) {
            self.end(true).await;
        }
    }

    /// Sets the open transaction's reach (PostgreSQL), unless it is already set.
    async fn reach_rows(
        &self,
        connection: &pg::Connection,
        reach: &Reach,
    ) -> Result<(), StoreError> {
        if *reach == Reach::Platform || self.reach.borrow().as_ref() == Some(reach) {
            return Ok(());
        }
        let (commune, across) = match reach {
            Reach::Commune(insee) => (insee.to_string(), ""),
            Reach::Across | Reach::Platform => (String::new(), "read"),
        };
        let sql = "SELECT set_config('qmi.commune', $1, true), set_config('qmi.across', $2, true)";
        // `execute`: the settings' values are not needed, and no row stream is opened.
        connection
            .execute(
                sql,
                vec![
                    pg::ParameterValue::Str(commune),
                    pg::ParameterValue::Str(across.to_owned()),
                ],
            )
            .await
            .map_err(|e| StoreError::Execute {
                sql: sql.to_owned(),
                message: pg_message(&e),
            })?;
        *self.reach.borrow_mut() = Some(reach.clone());
        Ok(())
    }

    async fn run_pg(
        &self,
        connection: &pg::Connection,
        statement: Statement,
    ) -> Result<Rows, StoreError> {
        let Statement { sql, params } = statement;
        let err = |e: pg::Error| StoreError::Execute {
            sql: sql.clone(),
            message: pg_message(&e),
        };
        let params: Vec<pg::ParameterValue> = params.into_iter().map(to_pg).collect();
        if !answers_rows(&sql) {
            let changed = connection
                .execute(sql.as_str(), params)
                .await
                .map_err(err)?;
            self.changed.set(changed);
            return Ok(Rows {
                columns: Vec::new(),
                rows: Vec::new(),
            });
        }
        let mut result = connection.query(sql.as_str(), params).await.map_err(err)?;
        let columns = result.columns().iter().map(|c| c.name.clone()).collect();
        let rows: Vec<Vec<Value>> = read_rows(result.rows())
            .await
            .into_iter()
            .map(|values| values.into_iter().map(from_pg).collect())
            .collect();
        result.result().await.map_err(err)?;
        self.changed.set(rows.len() as u64);
        Ok(Rows { columns, rows })
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE (not counting the
    /// audit entry the store appends).
    pub async fn changes(&self) -> u64 {
        self.changed.get()
    }

    /// Runs `work` as one transaction: every statement it runs on the `Db` it is
    /// given (through the same `tenant`, `across` and `platform` paths) commits
    /// together, or none does. On SQLite `BEGIN IMMEDIATE` takes the write lock
    /// up front, so two requests that read then write cannot interleave; on
    /// PostgreSQL the transaction's settings follow the paths its statements
    /// take. An `Err` from `work` (or a failed `COMMIT`) rolls everything back
    /// and is returned as it was. Transactions do not nest: `atomic` inside
    /// `work` fails with [`StoreError::NestedTransaction`]. (A trap in the
    /// middle leaves nothing behind either: the host discards the connection's
    /// open transaction.)
    pub async fn atomic<T, E>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        if self.in_transaction.get() {
            return Err(StoreError::NestedTransaction.into());
        }
        self.finish().await;
        self.in_transaction.set(true);
        let result = self.transaction(work).await;
        self.in_transaction.set(false);
        result
    }

    async fn transaction<T, E>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let begin = match self.dialect {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        self.control(begin).await?;
        self.forget_marks();
        let done = match work(self).await {
            Ok(value) => match self.write_entries().await {
                Ok(()) => Ok(value),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e),
        };
        match done {
            Ok(value) => match self.control("COMMIT").await {
                Ok(()) => {
                    self.reach.replace(None);
                    Ok(value)
                }
                Err(e) => {
                    self.end(false).await;
                    Err(e.into())
                }
            },
            Err(e) => {
                self.forget_marks();
                self.end(false).await;
                Err(e)
            }
        }
    }

    /// Ends the open transaction: commits it, or rolls it back. A failed
    /// ROLLBACK means the transaction is already gone.
    async fn end(&self, commit: bool) {
        let done = if commit {
            self.control("COMMIT").await.is_ok()
        } else {
            false
        };
        if !done {
            let _rolled_back = self.control("ROLLBACK").await;
        }
        self.reach.replace(None);
    }

    /// Transaction control (no tables, no parameters).
    async fn control(&self, sql: &str) -> Result<(), StoreError> {
        let statement = Statement {
            sql: sql.to_owned(),
            params: Vec::new(),
        };
        match &self.backend {
            Backend::Sqlite(connection) => run_sqlite(connection, statement).await.map(drop),
            Backend::Postgres(connection) => connection
                .execute(sql, Vec::new())
                .await
                .map(drop)
                .map_err(|e| StoreError::Execute {
                    sql: sql.to_owned(),
                    message: pg_message(&e),
                }),
        }
    }
}

/// Every row of a result's stream, read [`ROW_BATCH`] at a time: each read is
/// a host round trip (`next()` reads one row; the SDK's `collect` starts from a
/// buffer of four and doubles it).
async fn read_rows<T: 'static>(stream: &mut StreamReader<T>) -> Vec<T> {
    let mut rows = Vec::new();
    loop {
        let (status, batch) = stream.read(Vec::with_capacity(ROW_BATCH)).await;
        rows.extend(batch);
        if !matches!(status, StreamResult::Complete(_)) {
            return rows;
        }
    }
}

/// Runs a statement on SQLite and collects its rows.
async fn run_sqlite(
    connection: &sqlite::Connection,
    statement: Statement,
) -> Result<Rows, StoreError> {
    let Statement { sql, params } = statement;
    let err = |source: sqlite::Error| StoreError::Execute {
        sql: sql.clone(),
        message: format!("{source:?}"),
    };
    let result = connection
        .execute(&sql, params.into_iter().map(to_sqlite))
        .await
        .map_err(err)?;
    let (columns, mut stream, done) = result.into_inner();
    let rows = read_rows(&mut stream).await;
    done.await.map_err(err)?;
    Ok(Rows {
        columns,
        rows: rows
            .into_iter()
            .map(|r| r.values.into_iter().map(from_sqlite).collect())
            .collect(),
    })
}

impl Platform<'_> {
    /// Runs `sql` (written with `?`) on platform tables and collects its rows;
    /// refused with [`StoreError::TenantTableOnPlatformPath`] when it names a
    /// tenant table.
    pub async fn run(&self, sql: &str, params: Vec<Value>) -> Result<Rows, StoreError> {
        let statement = self.statement(sql, params)?;
        self.conn
            .run(Reach::Platform, Access::Write, statement)
            .await
    }
}

impl Select<'_> {
    async fn checked(&self, statement: Statement) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, self.tenant_tables())?;
        self.conn
            .run(Reach::of(&self.scope), Access::Read, statement)
            .await
    }

    /// Runs the select.
    pub async fn rows(self) -> Result<Rows, StoreError> {
        self.checked(self.statement()).await
    }

    /// `COUNT(*)` of the rows it selects.
    pub async fn count(self) -> Result<i64, StoreError> {
        let rows = self.checked(self.count_statement()).await?;
        Ok(rows.first().and_then(|r| r.int("n")).unwrap_or(0))
    }

    /// Whether it selects any row.
    pub async fn exists(self) -> Result<bool, StoreError> {
        let rows = self.checked(self.exists_statement()).await?;
        Ok(rows.first().and_then(|r| r.int("e")).unwrap_or(0) != 0)
    }
}

/// The change a tenant write marks for its audit entry.
fn mark(insee: Option<&Insee>, action: &str, table: &str, record_id: String) -> Mark {
    Mark {
        insee: insee.cloned(),
        action: action.to_owned(),
        record_kind: table.to_owned(),
        record_id,
        by: None,
        at: None,
        request_id: None,
    }
}

/// The commune a write's scope names.
fn commune(scope: &Scope) -> Option<&Insee> {
    match scope {
        Scope::Tenant(insee) => Some(insee),
        Scope::Communes(_) | Scope::Across => None,
    }
}

impl Insert<'_> {
    /// Runs the insert (rows only with `returning`).
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        let reach = Reach::Commune(self.insee.clone());
        let mark = mark(
            Some(&self.insee),
            self.action,
            self.table.name(),
            self.record_id(),
        );
        self.conn.write(reach, self.statement(), mark).await
    }
}

impl InsertSelect<'_> {
    /// Runs the insert-select.
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(
            self.conn.schema,
            std::iter::once(self.table.name()).chain(self.source.tenant_tables()),
        )?;
        let reach = Reach::of(&self.source.scope);
        let mark = mark(
            commune(&self.source.scope),
            self.action,
            self.table.name(),
            String::new(),
        );
        self.conn.write(reach, self.statement(), mark).await
    }
}

impl Update<'_> {
    /// Runs the update (rows only with `returning`).
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        let reach = Reach::of(&self.scope);
        let mark = mark(
            commune(&self.scope),
            self.action,
            self.table.name(),
            self.record_id(),
        );
        self.conn.write(reach, self.statement(), mark).await
    }
}

impl Delete<'_> {
    /// Runs the delete.
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        let reach = Reach::of(&self.scope);
        let mark = mark(
            commune(&self.scope),
            self.action,
            self.table.name(),
            self.record_id(),
        );
        self.conn.write(reach, self.statement(), mark).await
    }
}
