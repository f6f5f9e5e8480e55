//! The three paths to a database (design D1): [`Tenant`] (one commune's rows,
//! read and write), [`Across`] (every commune's rows, read-only) and
//! [`Platform`] (raw SQL on platform tables, each statement checked). The store
//! (`crate::store::Db`) hands them out — `tenant` and `across` only for an
//! [`Allowed`](crate::decision::Allowed) policy decision — and runs what they build.

use qmi_api::Insee;

use super::build::{Conn, Delete, Insert, InsertSelect, Scope, Select, Update};
use super::{Dialect, Schema, Statement, StoreError, TenantTable, Value};

/// The rows of one commune's tenant tables; made by `Db::tenant` from a policy
/// decision taken for that commune.
#[derive(Clone, Copy, Debug)]
pub struct Tenant<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) dialect: Dialect,
    pub(crate) insee: &'a Insee,
    /// The action allowed (what its writes' audit entries name).
    pub(crate) action: &'static str,
}

impl<'a> Tenant<'a> {
    /// The commune.
    pub fn insee(&self) -> &'a Insee {
        self.insee
    }

    /// `SELECT columns FROM table WHERE insee = ? …`.
    pub fn select(&self, table: TenantTable, columns: &'a [&'static str]) -> Select<'a> {
        Select::new(
            self.conn,
            self.dialect,
            Scope::Tenant(self.insee.clone()),
            table,
            columns,
        )
    }

    /// `INSERT INTO table (insee, columns…) VALUES (?, …)` (see [`Insert::upsert`],
    /// [`Insert::or_ignore`], [`Insert::returning`]).
    pub fn insert(&self, table: TenantTable, values: Vec<(&'static str, Value)>) -> Insert<'a> {
        let mut insert = Insert::new(self.conn, self.dialect, self.insee.clone(), table, values);
        insert.action = self.action;
        insert
    }

    /// `INSERT INTO table (insee, columns…) SELECT ?, source_columns… FROM source
    /// WHERE source.insee = ? …`: both sides in this commune.
    pub fn insert_select(
        &self,
        table: TenantTable,
        columns: &'a [&'static str],
        source: TenantTable,
        source_columns: &'a [&'static str],
    ) -> InsertSelect<'a> {
        let mut insert = InsertSelect::new(
            self.conn,
            table,
            columns,
            self.select(source, source_columns),
        );
        insert.action = self.action;
        insert
    }

    /// `UPDATE table SET … WHERE insee = ? …`.
    pub fn update(&self, table: TenantTable, set: Vec<(&'static str, Value)>) -> Update<'a> {
        let mut update = Update::new(self.conn, self.dialect, self.insee.clone(), table, set);
        update.action = self.action;
        update
    }

    /// `DELETE FROM table WHERE insee = ? …`.
    pub fn delete(&self, table: TenantTable) -> Delete<'a> {
        let mut delete = Delete::new(self.conn, self.dialect, self.insee.clone(), table);
        delete.action = self.action;
        delete
    }
}

/// Every commune's rows of the tenant tables, read-only; made by `Db::across`
/// from a policy decision taken without a commune (public listings, "my
/// applications", open data).
#[derive(Clone, Copy, Debug)]
pub struct Across<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) dialect: Dialect,
}

impl<'a> Across<'a> {
    /// `SELECT columns FROM table …` over every commune (joins on other tenant
    /// tables stay within each row's commune).
    pub fn select(&self, table: TenantTable, columns: &'a [&'static str]) -> Select<'a> {
        Select::new(self.conn, self.dialect, Scope::Across, table, columns)
    }
}

/// Raw SQL on platform tables (accounts, registry, organisations, outbox…):
/// every statement is checked against the schema and refused when it names a
/// tenant table.
#[derive(Clone, Copy, Debug)]
pub struct Platform<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) dialect: Dialect,
    pub(crate) schema: &'static Schema,
}

impl Platform<'_> {
    /// The statement for `sql` (written with `?`) in this dialect, or
    /// [`StoreError::TenantTableOnPlatformPath`] when it names a tenant table.
    pub fn statement(&self, sql: &str, params: Vec<Value>) -> Result<Statement, StoreError> {
        if let Some(table) = self.schema.tenant_table_in(sql) {
            return Err(StoreError::TenantTableOnPlatformPath {
                table,
                sql: sql.to_owned(),
            });
        }
        let (sql, _n) = self.dialect.render(sql, 1);
        Ok(Statement { sql, params })
    }
}

/// Checks that every tenant table a builder names is one of the schema's.
pub(crate) fn check_tenant_tables(
    schema: &Schema,
    tables: impl IntoIterator<Item = &'static str>,
) -> Result<(), StoreError> {
    for table in tables {
        if !schema.is_tenant(table) {
            return Err(StoreError::NotATenantTable { table });
        }
    }
    Ok(())
}
