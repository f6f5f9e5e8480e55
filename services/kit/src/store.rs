//! The store over `spin:sqlite` (async API of spin-sdk 7). A [`Db`] is opened
//! with its service's [`Schema`] and offers three paths (design D1):
//! [`Db::tenant`] (one commune's rows, from an allowed decision for it),
//! [`Db::across`] (every commune's rows, read-only, from an allowed decision
//! without one) and [`Db::platform`] (raw SQL on platform tables, refused when
//! it names a tenant table). [`Db::atomic`] runs a transaction whose handle is
//! the same `Db`, with the same three paths.

use std::cell::Cell;

use spin_sdk::sqlite::{self, Connection};

use crate::decision::Allowed;
use crate::problem::Problem;
use crate::sql::{
    Across, Delete, Dialect, Insert, InsertSelect, Platform, Rows, Schema, Select, Statement,
    Tenant, Update, Value, check_tenant_tables,
};

pub use crate::sql::StoreError;

/// An open database of one label.
pub struct Db {
    connection: Connection,
    schema: &'static Schema,
    in_transaction: Cell<bool>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

fn to_spin(v: Value) -> sqlite::Value {
    match v {
        Value::Null => sqlite::Value::Null,
        Value::Integer(i) => sqlite::Value::Integer(i),
        Value::Real(f) => sqlite::Value::Real(f),
        Value::Text(s) => sqlite::Value::Text(s),
        Value::Blob(b) => sqlite::Value::Blob(b),
    }
}

fn from_spin(v: sqlite::Value) -> Value {
    match v {
        sqlite::Value::Null => Value::Null,
        sqlite::Value::Integer(i) => Value::Integer(i),
        sqlite::Value::Real(f) => Value::Real(f),
        sqlite::Value::Text(s) => Value::Text(s),
        sqlite::Value::Blob(b) => Value::Blob(b),
    }
}

/// The SQL dialect of this backend.
const DIALECT: Dialect = Dialect::Sqlite;

impl Db {
    /// Opens the database of `label` (declared in the component's
    /// `sqlite_databases`), whose tables `schema` declares.
    pub async fn open(label: &str, schema: &'static Schema) -> Result<Self, StoreError> {
        let connection = Connection::open(label)
            .await
            .map_err(|e| StoreError::Open {
                label: label.to_owned(),
                message: format!("{e:?}"),
            })?;
        Ok(Self {
            connection,
            schema,
            in_transaction: Cell::new(false),
        })
    }

    /// One commune's tenant tables, for a decision the policy took for that
    /// commune (a 500 when the decision names none: the handler asked the wrong
    /// question).
    pub fn tenant<'a>(&'a self, allowed: &'a Allowed) -> Result<Tenant<'a>, Problem> {
        let insee = allowed.tenant().ok_or(StoreError::NoTenant)?;
        Ok(Tenant {
            conn: self,
            dialect: DIALECT,
            insee,
        })
    }

    /// Every commune's tenant tables, read-only, for a decision the policy took
    /// without a commune (or with one, to read beyond it where the policy allows).
    pub fn across(&self, allowed: &Allowed) -> Across<'_> {
        let _decided = allowed;
        Across {
            conn: self,
            dialect: DIALECT,
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
            dialect: DIALECT,
        }
    }

    /// Raw SQL on platform tables; a statement naming a tenant table is refused.
    pub fn platform(&self) -> Platform<'_> {
        Platform {
            conn: self,
            dialect: DIALECT,
            schema: self.schema,
        }
    }

    /// Runs a statement and collects its rows.
    async fn run(&self, statement: Statement) -> Result<Rows, StoreError> {
        let Statement { sql, params } = statement;
        let err = |source: sqlite::Error| StoreError::Execute {
            sql: sql.clone(),
            message: format!("{source:?}"),
        };
        let result = self
            .connection
            .execute(&sql, params.into_iter().map(to_spin))
            .await
            .map_err(err)?;
        let columns = result.columns().to_vec();
        let rows = result.collect().await.map_err(err)?;
        Ok(Rows {
            columns,
            rows: rows
                .into_iter()
                .map(|r| r.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    pub async fn changes(&self) -> u64 {
        self.connection.changes().await
    }

    /// Runs `work` as one transaction: every statement it runs on the `Db` it is
    /// given (through the same `tenant`, `across` and `platform` paths) commits
    /// together, or none does. `BEGIN IMMEDIATE` takes the write lock up front, so
    /// two requests that read then write cannot interleave; an `Err` from `work`
    /// (or a failed `COMMIT`) rolls everything back and is returned as it was.
    /// Transactions do not nest: `atomic` inside `work` fails with
    /// [`StoreError::NestedTransaction`]. (A trap in the middle leaves nothing
    /// behind either: the host discards the connection's open transaction.)
    pub async fn atomic<T, E>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        if self.in_transaction.replace(true) {
            return Err(StoreError::NestedTransaction.into());
        }
        let result = self.transaction(work).await;
        self.in_transaction.set(false);
        result
    }

    async fn transaction<T, E>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.control("BEGIN IMMEDIATE").await?;
        match work(self).await {
            Ok(value) => match self.control("COMMIT").await {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _rolled_back = self.control("ROLLBACK").await;
                    Err(e.into())
                }
            },
            Err(e) => {
                // A failed ROLLBACK means the transaction is already gone.
                let _rolled_back = self.control("ROLLBACK").await;
                Err(e)
            }
        }
    }

    /// Transaction control (no tables, no parameters).
    async fn control(&self, sql: &str) -> Result<(), StoreError> {
        self.run(Statement {
            sql: sql.to_owned(),
            params: Vec::new(),
        })
        .await
        .map(drop)
    }
}

impl Platform<'_> {
    /// Runs `sql` (written with `?`) on platform tables and collects its rows;
    /// refused with [`StoreError::TenantTableOnPlatformPath`] when it names a
    /// tenant table.
    pub async fn run(&self, sql: &str, params: Vec<Value>) -> Result<Rows, StoreError> {
        let statement = self.statement(sql, params)?;
        self.conn.run(statement).await
    }
}

impl Select<'_> {
    async fn checked(&self, statement: Statement) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, self.tenant_tables())?;
        self.conn.run(statement).await
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

impl Insert<'_> {
    /// Runs the insert (rows only with `returning`).
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        self.conn.run(self.statement()).await
    }
}

impl InsertSelect<'_> {
    /// Runs the insert-select.
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(
            self.conn.schema,
            std::iter::once(self.table.name()).chain(self.source.tenant_tables()),
        )?;
        self.conn.run(self.statement()).await
    }
}

impl Update<'_> {
    /// Runs the update (rows only with `returning`).
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        self.conn.run(self.statement()).await
    }
}

impl Delete<'_> {
    /// Runs the delete.
    pub async fn run(self) -> Result<Rows, StoreError> {
        check_tenant_tables(self.conn.schema, [self.table.name()])?;
        self.conn.run(self.statement()).await
    }
}
