//! The store over `spin:sqlite` (async API of spin-sdk 7): runs
//! [`Statement`]s built with [`crate::sql`] and returns [`Rows`].

use spin_sdk::sqlite::{self, Connection};

use crate::problem::Problem;
use crate::sql::{Rows, Statement, Value};

/// A store failure, with the statement's context.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened.
    #[error("opening database {label}: {source:?}")]
    Open {
        /// The SQLite label.
        label: String,
        /// The Spin error.
        source: sqlite::Error,
    },
    /// A statement failed.
    #[error("running `{sql}`: {source:?}")]
    Execute {
        /// The statement.
        sql: String,
        /// The Spin error.
        source: sqlite::Error,
    },
}

impl StoreError {
    /// Whether a UNIQUE or PRIMARY KEY constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Execute { source: sqlite::Error::Io(m), .. } if m.contains("UNIQUE constraint failed"))
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem::internal(e)
    }
}

/// An open database of one label.
pub struct Db(Connection);

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

impl Db {
    /// Opens the database of `label` (declared in the component's `sqlite_databases`).
    pub async fn open(label: &str) -> Result<Self, StoreError> {
        Connection::open(label)
            .await
            .map(Self)
            .map_err(|source| StoreError::Open {
                label: label.to_owned(),
                source,
            })
    }

    /// Runs a statement and collects its rows.
    pub async fn run(&self, statement: Statement) -> Result<Rows, StoreError> {
        let Statement { sql, params } = statement;
        let err = |source| StoreError::Execute {
            sql: sql.clone(),
            source,
        };
        let result = self
            .0
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

    /// Runs a statement on platform-wide tables (see [`Statement::global`]).
    pub async fn global(&self, sql: &str, params: Vec<Value>) -> Result<Rows, StoreError> {
        self.run(Statement::global(sql, params)).await
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    pub async fn changes(&self) -> u64 {
        self.0.changes().await
    }

    /// Runs `work` as one transaction: every statement it runs on this `Db` commits
    /// together, or none does. `BEGIN IMMEDIATE` takes the write lock up front, so two
    /// requests that read then write cannot interleave; an `Err` from `work` (or a
    /// failed `COMMIT`) rolls everything back and is returned as it was. Transactions
    /// do not nest: `work` must not call `atomic` again. (A trap in the middle leaves
    /// nothing behind either: the host discards the connection's open transaction.)
    pub async fn atomic<T, E>(&self, work: impl AsyncFnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.statement("BEGIN IMMEDIATE").await?;
        match work(self).await {
            Ok(value) => match self.statement("COMMIT").await {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _rolled_back = self.statement("ROLLBACK").await;
                    Err(e.into())
                }
            },
            Err(e) => {
                // A failed ROLLBACK means the transaction is already gone.
                let _rolled_back = self.statement("ROLLBACK").await;
                Err(e)
            }
        }
    }

    /// Runs a statement without parameters or rows (transaction control).
    async fn statement(&self, sql: &str) -> Result<(), StoreError> {
        self.run(Statement::global(sql, Vec::new())).await.map(drop)
    }
}
