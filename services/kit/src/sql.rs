//! A small SQL builder for tenant-scoped tables. Every statement on a
//! [`TenantTable`] is built from a [`Scope`], which can only be made from an
//! [`Insee`]: the generated SQL always starts its `WHERE` clause (or its
//! column list) with `insee = ?`, bound to that code, so a query without a
//! tenant scope cannot be written with this API. Column names and filter
//! expressions are `&'static str` (never user input); values are bound.

use qmi_api::Insee;

/// A bound SQL value (mirrors `spin:sqlite`'s `value`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// INTEGER.
    Integer(i64),
    /// REAL.
    Real(f64),
    /// TEXT.
    Text(String),
    /// BLOB.
    Blob(Vec<u8>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Self::Integer(i)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Self::Integer(i.into())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Integer(b.into())
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Self::Blob(b)
    }
}
impl From<&Insee> for Value {
    fn from(i: &Insee) -> Self {
        Self::Text(i.as_str().to_owned())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Self::Null, Into::into)
    }
}

/// A statement and its parameters, positional (`?`).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// Bound values, in placeholder order.
    pub params: Vec<Value>,
}

impl Statement {
    /// A statement on platform-wide (non-tenant) tables: accounts, the registry,
    /// organisations, tokens. Never use it for a [`TenantTable`].
    pub fn global(sql: impl Into<String>, params: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            params,
        }
    }
}

/// A table whose primary key starts with `insee`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantTable(&'static str);

impl TenantTable {
    /// Declares a tenant table by name.
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The table name.
    pub fn name(&self) -> &'static str {
        self.0
    }
}

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
    pub fn select(&self, table: TenantTable, columns: &[&'static str]) -> Select {
        Select {
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
    pub fn update(&self, table: TenantTable, set: Vec<(&'static str, Value)>) -> Update {
        Update {
            where_: Where::new(self.insee),
            table,
            set,
        }
    }

    /// `DELETE FROM table WHERE insee = ? …`.
    pub fn delete(&self, table: TenantTable) -> Delete {
        Delete {
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
pub struct Select {
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
filterable!(Select);
filterable!(Update);
filterable!(Delete);

impl Select {
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
pub struct Update {
    where_: Where,
    table: TenantTable,
    set: Vec<(&'static str, Value)>,
}

impl Update {
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
pub struct Delete {
    where_: Where,
    table: TenantTable,
}

impl Delete {
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

/// Rows returned by a statement, with their column names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names.
    pub columns: Vec<String>,
    /// Row values, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// One row, read by column name.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl Rows {
    /// Iterates the rows.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Row<'_> {
    fn value(&self, column: &str) -> Option<&Value> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
    }

    /// A TEXT column (`None` when NULL, absent or not text).
    pub fn text(&self, column: &str) -> Option<&str> {
        match self.value(column)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A TEXT column as an owned string, empty when NULL.
    pub fn string(&self, column: &str) -> String {
        self.text(column).unwrap_or_default().to_owned()
    }

    /// A BLOB column.
    pub fn blob(&self, column: &str) -> Option<&[u8]> {
        match self.value(column)? {
            Value::Blob(b) => Some(b),
            _ => None,
        }
    }

    /// An INTEGER column.
    pub fn int(&self, column: &str) -> Option<i64> {
        match self.value(column)? {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: TenantTable = TenantTable::new("memberships");

    #[test]
    fn every_statement_is_scoped_first() {
        let insee: Insee = "93066".parse().unwrap();
        let s = tenant(&insee)
            .select(MEMBERS, &["account_id", "role"])
            .filter("account_id > ?", [Value::from("a")])
            .order_by("account_id")
            .limit(11)
            .build();
        assert_eq!(
            s.sql,
            "SELECT account_id, role FROM memberships WHERE (insee = ?) AND (account_id > ?) ORDER BY account_id LIMIT 11"
        );
        assert_eq!(s.params, vec![Value::from("93066"), Value::from("a")]);

        let s = tenant(&insee).insert(
            MEMBERS,
            vec![("account_id", "x".into()), ("role", "agent".into())],
            None,
        );
        assert_eq!(
            s.sql,
            "INSERT INTO memberships (insee, account_id, role) VALUES (?, ?, ?)"
        );
        assert_eq!(s.params[0], Value::from("93066"));

        let s = tenant(&insee)
            .update(MEMBERS, vec![("role", "admin".into())])
            .filter("account_id = ?", ["x".into()])
            .build();
        assert_eq!(
            s.sql,
            "UPDATE memberships SET role = ? WHERE (insee = ?) AND (account_id = ?)"
        );
        assert_eq!(
            s.params,
            vec![Value::from("admin"), Value::from("93066"), Value::from("x")]
        );

        let s = tenant(&insee).delete(MEMBERS).build();
        assert_eq!(s.sql, "DELETE FROM memberships WHERE (insee = ?)");
    }

    #[test]
    fn rows_by_name() {
        let rows = Rows {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::from("x"), Value::Integer(3)]],
        };
        let r = rows.first().unwrap();
        assert_eq!(
            (r.text("a"), r.int("b"), r.text("c")),
            (Some("x"), Some(3), None)
        );
    }
}
