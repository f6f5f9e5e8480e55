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

/// A `SELECT` on a tenant table (of one commune, or of every commune).
#[derive(Clone, Debug)]
#[must_use]
pub struct Select<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) dialect: Dialect,
    pub(crate) scope: Scope,
    table: TenantTable,
    alias: Option<&'static str>,
    columns: &'a [&'static str],
    /// Values of the `?` in the column list, in order.
    column_values: Vec<Value>,
    joins: Vec<Join>,
    where_: Where,
    group_by: Option<&'static str>,
    order: Option<&'static str>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl<'a> Select<'a> {
    pub(crate) fn new(
        conn: &'a Conn,
        dialect: Dialect,
        scope: Scope,
        table: TenantTable,
        columns: &'a [&'static str],
    ) -> Self {
        Self {
            conn,
            dialect,
            scope,
            table,
            alias: None,
            columns,
            column_values: Vec::new(),
            joins: Vec::new(),
            where_: Where::default(),
            group_by: None,
            order: None,
            limit: None,
            offset: None,
        }
    }

    /// Narrows a read across communes to commune `insee` (`insee = ?`, made by
    /// the builder, never by hand). A tenant select is already one commune's: it
    /// stays so.
    pub fn within(mut self, insee: &Insee) -> Self {
        if self.scope == Scope::Across || matches!(self.scope, Scope::Communes(_)) {
            self.scope = Scope::Tenant(insee.clone());
        }
        self
    }

    /// Narrows a read across communes to `communes` (`insee IN (?, …)`; none: no
    /// row). A tenant select stays its commune's.
    pub fn within_any(mut self, communes: &[Insee]) -> Self {
        if !matches!(self.scope, Scope::Tenant(_)) {
            self.scope = Scope::Communes(communes.to_vec());
        }
        self
    }

    /// Binds the `?` of the column list (e.g. `["?", "COALESCE(MAX(seq), 0) + 1"]`).
    pub fn bind(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.column_values.extend(values);
        self
    }

    /// Names the main table `alias` (`FROM table alias`), e.g. for a self-join.
    pub fn alias(mut self, alias: &'static str) -> Self {
        self.alias = Some(alias);
        self
    }

    /// Adds `AND (expr)`; `expr` holds one `?` per value, in order.
    pub fn filter(mut self, expr: &'static str, values: impl IntoIterator<Item = Value>) -> Self {
        self.where_.push(expr, values);
        self
    }

    /// `JOIN other ON other.insee = table.insee AND (on)`: the joined tenant
    /// table is scoped on the same commune as the main one.
    pub fn join(
        self,
        other: TenantTable,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Inner, other.name(), None, true, on, values)
    }

    /// Like [`Select::join`] with the joined table named `alias`.
    pub fn join_as(
        self,
        other: TenantTable,
        alias: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Inner, other.name(), Some(alias), true, on, values)
    }

    /// `JOIN other alias ON (on)` for a read across communes whose rows relate
    /// across them (a programme call's applications live in other communes than
    /// its row). In a select of one commune the join is scoped as [`Select::join`].
    pub fn join_across_as(
        mut self,
        other: TenantTable,
        alias: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        let scoped = matches!(self.scope, Scope::Tenant(_));
        self = self.join_with(
            JoinKind::Inner,
            other.name(),
            Some(alias),
            scoped,
            on,
            values,
        );
        if !scoped && let Some(j) = self.joins.last_mut() {
            j.cross = true;
        }
        self
    }

    /// `LEFT JOIN other ON other.insee = table.insee AND (on)`.
    pub fn left_join(
        self,
        other: TenantTable,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Left, other.name(), None, true, on, values)
    }

    /// Like [`Select::left_join`] with the joined table named `alias`.
    pub fn left_join_as(
        self,
        other: TenantTable,
        alias: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Left, other.name(), Some(alias), true, on, values)
    }

    /// `JOIN platform_table ON (on)`: a platform table (campaigns, registry…) has
    /// no commune to scope.
    pub fn join_platform(
        self,
        table: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Inner, table, None, false, on, values)
    }

    /// `LEFT JOIN platform_table ON (on)`.
    pub fn left_join_platform(
        self,
        table: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.join_with(JoinKind::Left, table, None, false, on, values)
    }

    fn join_with(
        mut self,
        kind: JoinKind,
        table: &'static str,
        alias: Option<&'static str>,
        tenant: bool,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.joins.push(Join {
            kind,
            table,
            alias,
            tenant,
            cross: false,
            on: Filter {
                expr: on,
                values: values.into_iter().collect(),
            },
        });
        self
    }

    /// `GROUP BY` a static expression.
    pub fn group_by(mut self, expr: &'static str) -> Self {
        self.group_by = Some(expr);
        self
    }

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

    /// Skips rows (after `ORDER BY`).
    pub fn offset(mut self, n: u32) -> Self {
        self.offset = Some(n);
        self
    }

    /// The tenant tables this statement reads.
    pub(crate) fn tenant_tables(&self) -> Vec<&'static str> {
        let mut t = vec![self.table.name()];
        t.extend(
            self.joins
                .iter()
                .filter(|j| j.tenant || j.cross)
                .map(|j| j.table),
        );
        t
    }

    fn name(&self) -> &'static str {
        self.alias.unwrap_or(self.table.name())
    }

    fn qualified(&self) -> Option<&'static str> {
        (!self.joins.is_empty() || self.alias.is_some()).then(|| self.name())
    }

    /// `FROM … JOIN … WHERE …` (everything after the column list but the
    /// grouping, order and limit).
    fn from(&self, sql: &mut Sql) {
        sql.push(" FROM ").push(self.table.name());
        if let Some(a) = self.alias {
            sql.push(" ").push(a);
        }
        let main = self.name();
        for j in &self.joins {
            sql.push(match j.kind {
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT JOIN ",
            })
            .push(j.table);
            if let Some(a) = j.alias {
                sql.push(" ").push(a);
            }
            sql.push(" ON ");
            if j.tenant {
                let other = j.alias.unwrap_or(j.table);
                sql.push(other)
                    .push(".insee = ")
                    .push(main)
                    .push(".insee AND ");
            }
            sql.push("(").expr(j.on.expr, &j.on.values).push(")");
        }
        self.where_.write(sql, &self.scope, self.qualified());
    }

    fn tail(&self, sql: &mut Sql) {
        if let Some(g) = self.group_by {
            sql.push(" GROUP BY ").push(g);
        }
        if let Some(o) = self.order {
            sql.push(" ORDER BY ").push(o);
        }
        if let Some(n) = self.limit {
            sql.push(&format!(" LIMIT {n}"));
        }
        if let Some(n) = self.offset {
            sql.push(&format!(" OFFSET {n}"));
        }
    }

    /// `SELECT columns FROM …`.
    pub fn statement(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ")
            .expr(&self.columns.join(", "), &self.column_values);
        self.from(&mut sql);
        self.tail(&mut sql);
        sql.done()
    }

    /// `SELECT COUNT(*) AS n FROM …` (order and limit ignored).
    pub fn count_statement(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT COUNT(*) AS n");
        self.from(&mut sql);
        sql.done()
    }

    /// `SELECT EXISTS (SELECT 1 FROM …) AS e`.
    pub fn exists_statement(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT EXISTS (SELECT 1");
        self.from(&mut sql);
        sql.push(") AS e");
        sql.done()
    }
}

/// What an `INSERT` does on a conflict.
#[derive(Clone, Debug)]
enum OnConflict {
    Fail,
    Ignore,
    Clause(&'static str),
    Update {
        key: &'static [&'static str],
        update: &'static [&'static str],
    },
}

/// An `INSERT` into a tenant table of one commune (`insee` written first).
#[derive(Clone, Debug)]
#[must_use]
pub struct Insert<'a> {
    pub(crate) conn: &'a Conn,
    dialect: Dialect,
    insee: Insee,
    pub(crate) table: TenantTable,
    values: Vec<(&'static str, Value)>,
    on_conflict: OnConflict,
    returning: Option<&'static [&'static str]>,
}

impl<'a> Insert<'a> {
    pub(crate) fn new(
        conn: &'a Conn,
        dialect: Dialect,
        insee: Insee,
        table: TenantTable,
        values: Vec<(&'static str, Value)>,
    ) -> Self {
        Self {
            conn,
            dialect,
            insee,
            table,
            values,
            on_conflict: OnConflict::Fail,
            returning: None,
        }
    }

    /// Upsert: on a conflict on `key` (without `insee`, which is added first),
    /// sets `update` to the new row's values.
    pub fn upsert(mut self, key: &'static [&'static str], update: &'static [&'static str]) -> Self {
        self.on_conflict = OnConflict::Update { key, update };
        self
    }

    /// Leaves an existing row alone on any unique conflict.
    pub fn or_ignore(mut self) -> Self {
        self.on_conflict = OnConflict::Ignore;
        self
    }

    /// A conflict clause the builder cannot say (a partial index's target, an
    /// update that is not the new row's values), written whole. Prefer
    /// [`Insert::upsert`] and [`Insert::or_ignore`]: this text is dialect-specific.
    pub fn on_conflict(mut self, clause: &'static str) -> Self {
        self.on_conflict = OnConflict::Clause(clause);
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
        sql.push("INSERT INTO ")
            .push(self.table.name())
            .push(" (insee");
        for (c, _) in &self.values {
            sql.push(", ").push(c);
        }
        sql.push(") VALUES (").param((&self.insee).into());
        for (_, v) in &self.values {
            sql.push(", ").param(v.clone());
        }
        sql.push(")");
        conflict(&mut sql, &self.on_conflict);
        if let Some(r) = self.returning {
            let r = self.dialect.returning(r);
            sql.push(&r);
        }
        sql.done()
    }
}

fn conflict(sql: &mut Sql, on_conflict: &OnConflict) {
    match on_conflict {
        OnConflict::Fail => {}
        OnConflict::Clause(c) => {
            sql.push(" ").push(c);
        }
        OnConflict::Ignore => {
            let c = sql.dialect.ignore_conflicts();
            sql.push(" ").push(c);
        }
        OnConflict::Update { key, update } => {
            let mut k = vec!["insee"];
            k.extend(key.iter().copied());
            let c = sql.dialect.upsert(&k, update);
            sql.push(" ").push(&c);
        }
    }
}

/// `INSERT INTO table (insee, columns…) SELECT ?, source columns… FROM source …`,
/// both in the same commune.
#[derive(Clone, Debug)]
#[must_use]
pub struct InsertSelect<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) table: TenantTable,
    columns: &'a [&'static str],
    pub(crate) source: Select<'a>,
    ignore: bool,
}

impl<'a> InsertSelect<'a> {
    pub(crate) fn new(
        conn: &'a Conn,
        table: TenantTable,
        columns: &'a [&'static str],
        source: Select<'a>,
    ) -> Self {
        Self {
            conn,
            table,
            columns,
            source,
            ignore: false,
        }
    }

    /// Binds the `?` of the source's column list.
    pub fn bind(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.source = self.source.bind(values);
        self
    }

    /// Adds `AND (expr)` to the source select.
    pub fn filter(mut self, expr: &'static str, values: impl IntoIterator<Item = Value>) -> Self {
        self.source = self.source.filter(expr, values);
        self
    }

    /// Joins another tenant table to the source (scoped on both sides).
    pub fn join(
        mut self,
        other: TenantTable,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.source = self.source.join(other, on, values);
        self
    }

    /// Joins a platform table to the source.
    pub fn join_platform(
        mut self,
        table: &'static str,
        on: &'static str,
        values: impl IntoIterator<Item = Value>,
    ) -> Self {
        self.source = self.source.join_platform(table, on, values);
        self
    }

    /// Leaves existing rows alone on any unique conflict.
    pub fn or_ignore(mut self) -> Self {
        self.ignore = true;
        self
    }

    /// The statement.
    pub fn statement(&self) -> Statement {
        let s = &self.source;
        let mut sql = Sql::new(s.dialect);
        sql.push("INSERT INTO ")
            .push(self.table.name())
            .push(" (insee");
        for c in self.columns {
            sql.push(", ").push(c);
        }
        sql.push(") SELECT ");
        match &s.scope {
            Scope::Tenant(insee) => sql.param(insee.into()),
            Scope::Communes(_) | Scope::Across => sql.push("NULL"),
        };
        if !s.columns.is_empty() {
            sql.push(", ").expr(&s.columns.join(", "), &s.column_values);
        }
        s.from(&mut sql);
        s.tail(&mut sql);
        if self.ignore {
            conflict(&mut sql, &OnConflict::Ignore);
        }
        sql.done()
    }
}

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
    scope: Scope,
    pub(crate) table: TenantTable,
    set: Vec<Set>,
    where_: Where,
    returning: Option<&'static [&'static str]>,
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
        }
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
    scope: Scope,
    pub(crate) table: TenantTable,
    where_: Where,
}

impl<'a> Delete<'a> {
    pub(crate) fn new(conn: &'a Conn, dialect: Dialect, insee: Insee, table: TenantTable) -> Self {
        Self {
            conn,
            dialect,
            scope: Scope::Tenant(insee),
            table,
            where_: Where::default(),
        }
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
