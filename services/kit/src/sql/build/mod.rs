//! The statement builders behind the tenant handles. A [`Scope`] is either one
//! commune (every statement starts its `WHERE` clause with `table.insee = ?`,
//! every insert writes `insee` first) or every commune, read-only ([`Scope::Across`]
//! builds selects only). A join on another tenant table is scoped on both sides
//! (`ON other.insee = table.insee AND …`). Column names and expressions are
//! `&'static str` (never user input), written with `?` for values; values are bound.
//!
//! On `wasm32` each builder also runs itself (`rows`, `first`, `count`, `exists`,
//! `run`) on the database handle it came from (see `crate::store`).

use qmi_api::Insee;

use super::{Dialect, Statement, TenantTable, Value};

/// What a builder runs on: the database on `wasm32`, nothing natively (where
/// builders only render statements, for tests).
#[cfg(target_arch = "wasm32")]
pub(crate) type Conn = crate::store::Db;
/// What a builder runs on: the database on `wasm32`, nothing natively (where
/// builders only render statements, for tests).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Conn = ();

/// Which rows a builder reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The rows of one commune.
    Tenant(Insee),
    /// The rows of a few communes (reads only; e.g. a programme call's districts).
    Communes(Vec<Insee>),
    /// The rows of every commune (reads only).
    Across,
}

/// Accumulates SQL text and parameters in one dialect.
#[derive(Debug)]
struct Sql {
    dialect: Dialect,
    text: String,
    params: Vec<Value>,
}

impl Sql {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            text: String::new(),
            params: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn param(&mut self, v: Value) -> &mut Self {
        self.params.push(v);
        let p = self.dialect.placeholder(self.params.len());
        self.text.push_str(&p);
        self
    }

    /// An expression written with `?`, one per value.
    fn expr(&mut self, expr: &str, values: &[Value]) -> &mut Self {
        let (text, _n) = self.dialect.render(expr, self.params.len() + 1);
        self.text.push_str(&text);
        self.params.extend(values.iter().cloned());
        self
    }

    fn done(self) -> Statement {
        Statement {
            sql: self.text,
            params: self.params,
        }
    }
}

#[derive(Clone, Debug)]
struct Filter {
    expr: &'static str,
    values: Vec<Value>,
}

/// The tenant-first `WHERE` clause.
#[derive(Clone, Debug, Default)]
struct Where(Vec<Filter>);

impl Where {
    /// The id a filter pins, for the audit entry's record: `id = ?`, else the
    /// first `<x>_id = ?` (empty: none).
    fn record_id(&self) -> String {
        let pinned = |f: &&Filter| {
            let e = f.expr.trim();
            e.ends_with("= ?") && f.values.len() == 1 && {
                let column = e.trim_end_matches("= ?").trim();
                column == "id" || column.ends_with("_id") || column.ends_with(".id")
            }
        };
        let exact = self
            .0
            .iter()
            .find(|f| f.expr.trim().trim_end_matches("= ?").trim() == "id" && pinned(f));
        exact
            .or_else(|| self.0.iter().find(pinned))
            .and_then(|f| f.values.first())
            .map(Value::as_record_id)
            .unwrap_or_default()
    }

    fn push(&mut self, expr: &'static str, values: impl IntoIterator<Item = Value>) {
        self.0.push(Filter {
            expr,
            values: values.into_iter().collect(),
        });
    }

    /// ` WHERE (q.insee = ?) AND (…)`, or nothing for an unfiltered read across.
    fn write(&self, sql: &mut Sql, scope: &Scope, qualifier: Option<&str>) {
        let mut first = true;
        let mut and = |sql: &mut Sql| {
            sql.push(if first { " WHERE " } else { " AND " });
            first = false;
        };
        let column = |sql: &mut Sql| {
            match qualifier {
                Some(q) => sql.push("(").push(q).push(".insee"),
                None => sql.push("(insee"),
            };
        };
        match scope {
            Scope::Tenant(insee) => {
                and(sql);
                column(sql);
                sql.push(" = ").param(insee.into()).push(")");
            }
            Scope::Communes(communes) if communes.is_empty() => {
                and(sql);
                sql.push("(1 = 0)");
            }
            Scope::Communes(communes) => {
                and(sql);
                column(sql);
                sql.push(" IN (");
                for (i, insee) in communes.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.param(insee.into());
                }
                sql.push("))");
            }
            Scope::Across => {}
        }
        for f in &self.0 {
            and(sql);
            sql.push("(").expr(f.expr, &f.values).push(")");
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JoinKind {
    Inner,
    Left,
}

#[derive(Clone, Debug)]
struct Join {
    kind: JoinKind,
    table: &'static str,
    alias: Option<&'static str>,
    /// A tenant table: scoped on the commune of the main table.
    tenant: bool,
    /// A tenant table joined across communes (a read across only).
    cross: bool,
    on: Filter,
}

mod change;
mod insert;
mod select;

pub use change::{Delete, Update};
pub use insert::{Insert, InsertSelect};
pub use select::Select;
