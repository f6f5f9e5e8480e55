//! The builder of before issue 14, kept only while identity and applications
//! move to [`super::Tenant`]; deleted at the end of the migration.
#![allow(missing_docs, reason = "transitional")]

use qmi_api::Insee;

use super::{Statement, TenantTable, Value};

/// The tenant every statement built from it is confined to.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    insee: &'a Insee,
}

/// Starts statements confined to one commune.
pub fn tenant(insee: &Insee) -> Scope<'_> {
    Scope { insee }
}

impl<'a> Scope<'a> {
    /// The commune.
    pub fn insee(&self) -> &Insee {
        self.insee
    }

    /// `SELECT columns FROM table WHERE insee = ? …`.
    pub fn select(&self, table: TenantTable, columns: &[&'static str]) -> LegacySelect {
        LegacySelect {
            where_: Where::new(self.insee),
            table,
            columns: columns.join(", "),
            order: None,
            limit: None,
        }
    }

    /// `INSERT INTO table (insee, columns…) VALUES (?, …)`; `on_conflict` is an
    /// optional static clause such as `ON CONFLICT (insee, account_id) DO UPDATE SET role = excluded.role`.
    pub fn insert(
        &self,
        table: TenantTable,
        values: Vec<(&'static str, Value)>,
        on_conflict: Option<&'static str>,
    ) -> Statement {
        let mut columns = vec!["insee"];
        let mut params = vec![Value::from(self.insee)];
        for (c, v) in values {
            columns.push(c);
            params.push(v);
        }
        let marks = vec!["?"; columns.len()].join(", ");
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            table.name(),
            columns.join(", ")
        );
        if let Some(clause) = on_conflict {
            sql.push(' ');
            sql.push_str(clause);
        }
        Statement { sql, params }
    }

    /// `UPDATE table SET … WHERE insee = ? …`.
    pub fn update(&self, table: TenantTable, set: Vec<(&'static str, Value)>) -> LegacyUpdate {
        LegacyUpdate {
            where_: Where::new(self.insee),
            table,
            set,
        }
    }

    /// `DELETE FROM table WHERE insee = ? …`.
    pub fn delete(&self, table: TenantTable) -> LegacyDelete {
        LegacyDelete {
            where_: Where::new(self.insee),
            table,
        }
    }
}

/// The `WHERE` clause, always starting with the tenant.
#[derive(Clone, Debug)]
struct Where {
    clauses: Vec<&'static str>,
    params: Vec<Value>,
}

impl Where {
    fn new(insee: &Insee) -> Self {
        Self {
            clauses: vec!["insee = ?"],
            params: vec![insee.into()],
        }
    }

    fn sql(&self) -> String {
        self.clauses
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// A tenant-scoped `SELECT`.
#[derive(Clone, Debug)]
pub struct LegacySelect {
    where_: Where,
    table: TenantTable,
    columns: String,
    order: Option<&'static str>,
    limit: Option<u32>,
}

macro_rules! filterable {
    ($t:ident) => {
        impl $t {
            /// Adds `AND (expr)`; `expr` holds one `?` per value, in order.
            pub fn filter(
                mut self,
                expr: &'static str,
                values: impl IntoIterator<Item = Value>,
            ) -> Self {
                self.where_.clauses.push(expr);
                self.where_.params.extend(values);
                self
            }
        }
    };
}
filterable!(LegacySelect);
filterable!(LegacyUpdate);
filterable!(LegacyDelete);

impl LegacySelect {
    /// Orders by a static expression.
    pub fn order_by(mut self, order: &'static str) -> Self {
        self.order = Some(order);
        self
    }

    /// Caps the rows.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// The statement.
    pub fn build(self) -> Statement {
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {}",
            self.columns,
            self.table.name(),
            self.where_.sql()
        );
        if let Some(o) = self.order {
            sql.push_str(" ORDER BY ");
            sql.push_str(o);
        }
        if let Some(n) = self.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        Statement {
            sql,
            params: self.where_.params,
        }
    }
}

/// A tenant-scoped `UPDATE`.
#[derive(Clone, Debug)]
pub struct LegacyUpdate {
    where_: Where,
    table: TenantTable,
    set: Vec<(&'static str, Value)>,
}

impl LegacyUpdate {
    /// The statement.
    pub fn build(self) -> Statement {
        let set: Vec<String> = self.set.iter().map(|(c, _)| format!("{c} = ?")).collect();
        let mut params: Vec<Value> = self.set.into_iter().map(|(_, v)| v).collect();
        params.extend(self.where_.params.iter().cloned());
        Statement {
            sql: format!(
                "UPDATE {} SET {} WHERE {}",
                self.table.name(),
                set.join(", "),
                self.where_.sql()
            ),
            params,
        }
    }
}

/// A tenant-scoped `DELETE`.
#[derive(Clone, Debug)]
pub struct LegacyDelete {
    where_: Where,
    table: TenantTable,
}

impl LegacyDelete {
    /// The statement.
    pub fn build(self) -> Statement {
        Statement {
            sql: format!(
                "DELETE FROM {} WHERE {}",
                self.table.name(),
                self.where_.sql()
            ),
            params: self.where_.params,
        }
    }
}
