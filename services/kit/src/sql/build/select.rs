//! `SELECT` on tenant tables: joins, groups, counts, existence.

use super::*;

/// A `SELECT` on a tenant table (of one commune, or of every commune).
#[derive(Clone, Debug)]
#[must_use]
pub struct Select<'a> {
    pub(crate) conn: &'a Conn,
    pub(crate) dialect: Dialect,
    pub(crate) scope: Scope,
    table: TenantTable,
    alias: Option<&'static str>,
    pub(super) columns: &'a [&'static str],
    /// Values of the `?` in the column list, in order.
    pub(super) column_values: Vec<Value>,
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
    pub(super) fn from(&self, sql: &mut Sql) {
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

    pub(super) fn tail(&self, sql: &mut Sql) {
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
