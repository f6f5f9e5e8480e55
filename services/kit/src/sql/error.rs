//! Store failures (built natively so the refusals are unit-tested).

use crate::problem::Problem;

/// A store failure, with the statement's context. Every variant is a 500: the
/// refusals are programming errors, not requests to correct.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened.
    #[error("opening database {label}: {message}")]
    Open {
        /// The SQLite label.
        label: String,
        /// The backend's error.
        message: String,
    },
    /// A statement failed.
    #[error("running `{sql}`: {message}")]
    Execute {
        /// The statement.
        sql: String,
        /// The backend's error.
        message: String,
    },
    /// A raw statement on the platform path named a tenant table.
    #[error(
        "the platform path refuses `{sql}`: `{table}` is a tenant table (use Db::tenant or Db::across)"
    )]
    TenantTableOnPlatformPath {
        /// The tenant table named.
        table: &'static str,
        /// The statement.
        sql: String,
    },
    /// A tenant builder named a table the service's schema does not list as a tenant table.
    #[error("`{table}` is not a tenant table of this database's schema")]
    NotATenantTable {
        /// The table.
        table: &'static str,
    },
    /// A tenant handle was asked of a decision taken without a commune.
    #[error("the policy decision names no commune: tenant tables need Db::across")]
    NoTenant,
    /// `atomic` was called inside `atomic`.
    #[error("transactions do not nest")]
    NestedTransaction,
}

impl StoreError {
    /// Whether a UNIQUE or PRIMARY KEY constraint refused the write (SQLite's
    /// words, or PostgreSQL's SQLSTATE 23505).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Execute { message, .. }
            if message.contains("UNIQUE constraint failed") || message.starts_with("SQLSTATE 23505"))
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem::internal(e)
    }
}
