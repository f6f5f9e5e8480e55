//! `UPDATE` and `DELETE` within one commune.

use super::*;

/// One assignment of an `UPDATE`.
#[derive(Clone, Debug)]
enum Set {
    /// `column = ?`.
    Value(&'static str, Value),
    /// `column = expr`, one `?` per value.
    Expr(&'static str, Filter),
}

/// An `UPDATE` of a tenant table of one commune.
#[derive(Clone, Debug)]
#[must_use]
pub struct Update<'a> {
    pub(crate) conn: &'a Conn,
    dialect: Dialect,
    pub(crate) scope: Scope,
    pub(crate) table: TenantTable,
    set: Vec<Set>,
    where_: Where,
    returning: Option<&'static [&'static str]>,
    /// The action it is made under (its audit entry's).
    pub(crate) action: &'static str,
}

impl<'a> Update<'a> {
    pub(crate) fn new(
        conn: &'a Conn,
        dialect: Dialect,
        insee: Insee,
        table: TenantTable,
        set: Vec<(&'static str, Value)>,
    ) -> Self {
        Self {
            conn,
            dialect,
            scope: Scope::Tenant(insee),
            table,
            set: set.into_iter().map(|(c, v)| Set::Value(c, v)).collect(),
            where_: Where::default(),
            returning: None,
            action: "",
        }
    }

    /// The record its audit entry names.
    pub(crate) fn record_id(&self) -> String {
        self.where_.record_id()
    }

    /// Adds `column = expr` (e.g. `("seq", "seq + ?", [1.into()])`), one `?` per value.
    pub fn set_expr(
        mut self,
        column: &'static str,
        expr: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.set.push(Set::Expr(
            column,
            Filter {
                expr,
                values: values.into_iter().collect(),
            },
        ));
        self
    }

    /// Adds `AND (expr)`; `expr` holds one `?` per value, in order.
    pub fn filter(mut self, expr: &'static str, values: impl IntoIterator<Item = Value>) -> Self {
        self.where_.push(expr, values);
        self
    }

    /// `RETURNING columns`.
    pub fn returning(mut self, columns: &'static [&'static str]) -> Self {
        self.returning = Some(columns);
        self
    }

    /// The statement.
    pub fn statement(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("UPDATE ").push(self.table.name()).push(" SET ");
        for (i, s) in self.set.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            match s {
                Set::Value(c, v) => sql.push(c).push(" = ").param(v.clone()),
                Set::Expr(c, f) => sql.push(c).push(" = ").expr(f.expr, &f.values),
            };
        }
        self.where_.write(&mut sql, &self.scope, None);
        if let Some(r) = self.returning {
            let r = self.dialect.returning(r);
            sql.push(&r);
        }
        sql.done()
    }
}

/// A `DELETE` from a tenant table of one commune.
#[derive(Clone, Debug)]
#[must_use]
pub struct Delete<'a> {
    pub(crate) conn: &'a Conn,
    dialect: Dialect,
    pub(crate) scope: Scope,
    pub(crate) table: TenantTable,
    where_: Where,
    /// The action it is made under (its audit entry's).
    pub(crate) action: &'static str,
}

impl<'a> Delete<'a> {
    pub(crate) fn new(conn: &'a Conn, dialect: Dialect, insee: Insee, table: TenantTable) -> Self {
        Self {
            conn,
            dialect,
            scope: Scope::Tenant(insee),
            table,
            where_: Where::default(),
            action: "",
        }
    }

    /// The record its audit entry names.
    pub(crate) fn record_id(&self) -> String {
        self.where_.record_id()
    }

    /// Adds `AND (expr)`; `expr` holds one `?` per value, in order.
    pub fn filter(mut self, expr: &'static str, values: impl IntoIterator<Item = Value>) -> Self {
        self.where_.push(expr, values);
        self
    }

    /// The statement.
    pub fn statement(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("DELETE FROM ").push(self.table.name());
        self.where_.write(&mut sql, &self.scope, None);
        sql.done()
    }
}
