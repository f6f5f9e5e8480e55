//! `INSERT` into a commune's tenant table, of values or of a select.

use super::*;

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
    pub(crate) insee: Insee,
    pub(crate) table: TenantTable,
    values: Vec<(&'static str, Value)>,
    on_conflict: OnConflict,
    returning: Option<&'static [&'static str]>,
    /// The action it is made under (its audit entry's).
    pub(crate) action: &'static str,
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
            action: "",
        }
    }

    /// The record its audit entry names: the `id` written, else the first `<x>_id`.
    pub(crate) fn record_id(&self) -> String {
        let value = |pick: &dyn Fn(&str) -> bool| {
            self.values
                .iter()
                .find(|(c, _)| pick(c))
                .map(|(_, v)| v.as_record_id())
        };
        value(&|c| c == "id")
            .or_else(|| value(&|c| c.ends_with("_id")))
            .unwrap_or_default()
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
    /// The action it is made under (its audit entry's).
    pub(crate) action: &'static str,
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
            action: "",
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
