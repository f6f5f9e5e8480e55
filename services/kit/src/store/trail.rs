//! The store's side of the audit trail ([`crate::audit`]): who acts in the
//! request ([`Db::attend`]), the changes waiting for their entry, and the
//! entries themselves, appended to their chains in the change's transaction just
//! before it commits. Handlers never write an entry: a tenant write made under a
//! policy decision marks its change, and `Db::atomic` (or the transaction the store
//! opens around a write made outside one) writes one entry per action and
//! commune it changed.

use std::collections::BTreeMap;

use qmi_api::Insee;
use qmi_api::accountability::{AuditEntry, ServiceUsage};

use super::{Access, Db, Reach};
use crate::audit::{self, AUDIT, Actor, COLUMNS, Filter, Mark, PLATFORM_AUDIT};
use crate::context::Ctx;
use crate::decision::Allowed;
use crate::http::Reply;
use crate::problem::Problem;
use crate::sql::{Dialect, Rows, Statement, StoreError, Value};

/// One request's trail: who acts, from which request, when, and the changes
/// of the open transaction waiting for their entry.
#[derive(Debug)]
pub(super) struct Trail {
    actor: Actor,
    request_id: String,
    pending: Vec<Mark>,
}

impl Trail {
    pub(super) fn new() -> Self {
        Self {
            actor: Actor::default(),
            request_id: String::new(),
            pending: Vec::new(),
        }
    }
}

impl Db {
    /// Who acts in this request, from its context (the principal the gateway
    /// verified, the request id, the request's instant): every component calls it
    /// once the context is parsed, before any change.
    pub fn attend(&self, ctx: &Ctx<'_>) {
        let mut trail = self.trail.borrow_mut();
        trail.actor = Actor {
            account_id: ctx.who().map(|p| p.sub.clone()).unwrap_or_default(),
            principal: ctx.who().cloned(),
            platform: false,
        };
        ctx.request_id()
            .unwrap_or_default()
            .clone_into(&mut trail.request_id);
    }

    /// The platform acts (an internal route, a scheduled sweep): no person.
    pub fn attend_platform(&self, request_id: Option<&str>) {
        let mut trail = self.trail.borrow_mut();
        trail.actor = Actor {
            platform: true,
            ..Actor::default()
        };
        request_id
            .unwrap_or_default()
            .clone_into(&mut trail.request_id);
    }

    /// The account acting, once a request proves it (a sign-in): the entries
    /// that follow name it.
    pub fn act_as(&self, account_id: &str) {
        account_id.clone_into(&mut self.trail.borrow_mut().actor.account_id);
    }

    /// Notes a change for its entry: the first of an action in a commune names
    /// the record.
    pub(super) fn mark(&self, mark: Mark) {
        let mut trail = self.trail.borrow_mut();
        if mark.by.is_some()
            || !trail
                .pending
                .iter()
                .any(|m| m.insee == mark.insee && m.action == mark.action)
        {
            trail.pending.push(mark);
        }
    }

    /// Forgets the changes of a transaction rolled back.
    pub(super) fn forget_marks(&self) {
        self.trail.borrow_mut().pending.clear();
    }

    /// Runs a tenant write made under `action` and marks its change (if it
    /// changed a row): inside the open transaction, or in one of its own with
    /// its entry.
    pub(super) async fn write(
        &self,
        reach: Reach,
        statement: Statement,
        mark: Mark,
    ) -> Result<Rows, StoreError> {
        if self.in_transaction.get() {
            let rows = self.run(reach, Access::Write, statement).await?;
            if self.changed.get() > 0 {
                self.mark(mark);
            }
            return Ok(rows);
        }
        self.atomic(async |db: &Db| {
            let rows = db.run(reach, Access::Write, statement).await?;
            if db.changed.get() > 0 {
                db.mark(mark);
            }
            Ok::<_, StoreError>(rows)
        })
        .await
    }

    /// Records a change made under `allowed` that its commune's tenant tables
    /// do not hold (a registry row of that commune, a tenant's suspension), in
    /// that commune's chain: with the open transaction, else in one of its own.
    pub async fn audit(
        &self,
        allowed: &Allowed,
        record_kind: &str,
        record_id: &str,
    ) -> Result<(), StoreError> {
        let insee = allowed.tenant().ok_or(StoreError::NoTenant)?.clone();
        self.note(Mark {
            insee: Some(insee),
            action: allowed.action().to_owned(),
            record_kind: record_kind.to_owned(),
            record_id: record_id.to_owned(),
            by: None,
            at: None,
            request_id: None,
        })
        .await
    }

    /// Records an event of no commune (a sign-in, an operator's action on the
    /// platform) in the platform's chain: with the open transaction, else in one
    /// of its own.
    pub async fn audit_platform(
        &self,
        action: &str,
        record_kind: &str,
        record_id: &str,
    ) -> Result<(), StoreError> {
        self.note(Mark {
            insee: None,
            action: action.to_owned(),
            record_kind: record_kind.to_owned(),
            record_id: record_id.to_owned(),
            by: None,
            at: None,
            request_id: None,
        })
        .await
    }

    async fn note(&self, mark: Mark) -> Result<(), StoreError> {
        if self.in_transaction.get() {
            self.mark(mark);
            return Ok(());
        }
        self.atomic(async |db: &Db| {
            db.mark(mark);
            Ok::<_, StoreError>(())
        })
        .await
    }

    /// Ends the request: a refusal of access it answered with (a 403 from the
    /// policy) is recorded in the refused commune's chain (the platform's when
    /// none), then the read transaction is committed ([`Db::finish`]).
    pub async fn close(&self, ctx: &Ctx<'_>, reply: &Result<Reply, Problem>) {
        // The principal refused, whoever acted since (a platform sweep).
        self.attend(ctx);
        if let (Err(problem), Some((insee, action))) = (reply, ctx.refused())
            && problem.status == 403
        {
            let mark = Mark {
                insee,
                action: format!("refusal:{action}"),
                record_kind: String::new(),
                record_id: ctx.param("id").to_owned(),
                by: None,
                at: None,
                request_id: None,
            };
            // Best effort: the refusal stands whether or not it is recorded.
            let _recorded = self.note(mark).await;
        }
        self.finish().await;
    }

    /// Moves the refusals the gateway left for a chain (`insee`; none: the
    /// platform's) into it: their entries in one transaction, then their keys
    /// removed from the shared store. Called before a trail is read.
    pub async fn absorb_refusals(&self, insee: Option<&Insee>) -> Result<(), StoreError> {
        use qmi_api::accountability::PendingRefusal;
        let Ok(store) = spin_sdk::key_value::Store::open_default().await else {
            return Ok(());
        };
        let prefix = PendingRefusal::chain_prefix(insee.map(Insee::as_str));
        let keys: Vec<String> = match store.get_keys().await.collect().await {
            Ok(keys) => keys
                .into_iter()
                .filter(|k| k.starts_with(&prefix))
                .collect(),
            Err(_) => return Ok(()),
        };
        let mut pending = Vec::new();
        for key in keys {
            if let Ok(Some(value)) = store.get(&key).await
                && let Ok(p) = serde_json::from_slice::<PendingRefusal>(&value)
            {
                pending.push((key, p));
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        pending.sort_by(|a, b| a.1.at.cmp(&b.1.at));
        self.atomic(async |db: &Db| {
            for (_, p) in &pending {
                db.mark(Mark {
                    insee: insee.cloned(),
                    action: p.action.clone(),
                    record_kind: "route".to_owned(),
                    record_id: p.path.clone(),
                    by: Some(p.account.clone()),
                    at: Some(p.at.clone()),
                    request_id: Some(p.request_id.clone()),
                });
            }
            Ok::<_, StoreError>(())
        })
        .await?;
        for (key, _) in pending {
            let _moved = store.delete(&key).await;
        }
        Ok(())
    }

    /// Appends the entries of the changes marked in the open transaction.
    pub(super) async fn write_entries(&self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.trail.borrow_mut().pending);
        if pending.is_empty() {
            return Ok(());
        }
        let changed = self.changed.get();
        for mark in pending {
            self.append(&mark).await?;
        }
        self.changed.set(changed);
        Ok(())
    }

    async fn append(&self, mark: &Mark) -> Result<(), StoreError> {
        let (table, reach) = match &mark.insee {
            Some(insee) => (AUDIT.name(), Reach::Commune(insee.clone())),
            None => (PLATFORM_AUDIT, Reach::Platform),
        };
        let chain = mark
            .insee
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        if self.dialect == Dialect::Postgres {
            // SQLite's BEGIN IMMEDIATE already serialises writers.
            let key = audit::lock_key(&self.label, &chain);
            self.run(
                reach.clone(),
                Access::Write,
                self.sql(
                    "SELECT pg_advisory_xact_lock(?) AS locked",
                    vec![Value::Integer(key)],
                ),
            )
            .await?;
        }
        let head = self
            .run(
                reach.clone(),
                Access::Write,
                self.sql(
                    &format!(
                        "SELECT seq, hash FROM {table} WHERE insee = ? ORDER BY seq DESC LIMIT 1"
                    ),
                    vec![Value::Text(chain.clone())],
                ),
            )
            .await?;
        let head = head
            .first()
            .and_then(|r| Some((r.int("seq")?, r.text("hash")?.to_owned())));
        let entry = {
            let trail = self.trail.borrow();
            audit::next_entry(
                &self.label,
                head,
                mark,
                &trail.actor,
                crate::time::now_millis(),
                &trail.request_id,
            )
        };
        let placeholders = vec!["?"; COLUMNS.len()].join(", ");
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({placeholders})",
            COLUMNS.join(", ")
        );
        self.run(reach, Access::Write, self.sql(&insert, entry_values(entry)))
            .await?;
        Ok(())
    }

    /// A statement of the kit's own (written with `?`), in this dialect.
    fn sql(&self, sql: &str, params: Vec<Value>) -> Statement {
        let (sql, _n) = self.dialect.render(sql, 1);
        Statement { sql, params }
    }

    /// Reads this service's entries of the chain a decision was taken for
    /// (its commune's; none: the platform's), newest first, narrowed by `filter`.
    pub async fn audit_entries(
        &self,
        allowed: &Allowed,
        filter: &Filter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_chain(allowed.tenant(), filter).await
    }

    /// [`Db::audit_entries`] for the internal route, which the internal token
    /// guards and which answers the chain its caller (identity, after its own
    /// decision) names.
    pub async fn audit_entries_internal(
        &self,
        insee: Option<&Insee>,
        filter: &Filter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_chain(insee, filter).await
    }

    /// Every entry naming `account` in this service's chains, every commune's
    /// and the platform's (a person's own data export, for the internal route).
    pub async fn audit_by_account(&self, account: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for (table, reach) in [
            (AUDIT.name(), Reach::Across),
            (PLATFORM_AUDIT, Reach::Platform),
        ] {
            let sql = format!(
                "SELECT {} FROM {table} WHERE account_id = ? ORDER BY insee, seq",
                COLUMNS.join(", ")
            );
            let rows = self
                .run(
                    reach,
                    Access::Read,
                    self.sql(&sql, vec![Value::Text(account.to_owned())]),
                )
                .await?;
            out.extend(rows.iter().map(|r| entry_of(&self.label, &r)));
        }
        Ok(out)
    }

    async fn audit_chain(
        &self,
        insee: Option<&Insee>,
        filter: &Filter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let (table, reach) = match insee {
            Some(insee) => (AUDIT.name(), Reach::Commune(insee.clone())),
            None => (PLATFORM_AUDIT, Reach::Platform),
        };
        let chain = insee.map(ToString::to_string).unwrap_or_default();
        let mut sql = format!("SELECT {} FROM {table} WHERE insee = ?", COLUMNS.join(", "));
        let mut params = vec![Value::Text(chain)];
        let mut and = |clause: &str, value: Value| {
            sql.push_str(" AND ");
            sql.push_str(clause);
            params.push(value);
        };
        if let Some(a) = &filter.account {
            and("account_id = ?", a.into());
        }
        if let Some(r) = &filter.record {
            and("record_id = ?", r.into());
        }
        if let Some(a) = &filter.action {
            and("action = ?", a.into());
        }
        if let Some(from) = &filter.from {
            and("at >= ?", from.into());
        }
        if let Some(to) = &filter.to {
            // Inclusive of the whole day: every instant of `to` sorts before `to` + "~".
            and("at < ?", format!("{to}~").into());
        }
        if let Some(before) = filter.before {
            and("seq < ?", before.into());
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", filter.limit.max(1)));
        let rows = self
            .run(reach, Access::Read, self.sql(&sql, params))
            .await?;
        Ok(rows.iter().map(|r| entry_of(&self.label, &r)).collect())
    }
}

/// An entry read back.
fn entry_of(service: &str, r: &crate::sql::Row<'_>) -> AuditEntry {
    let text = |c: &str| r.text(c).unwrap_or_default().to_owned();
    AuditEntry {
        service: service.to_owned(),
        insee: text("insee"),
        seq: r.int("seq").unwrap_or_default(),
        at: text("at"),
        account_id: text("account_id"),
        role: text("role"),
        action: text("action"),
        record_kind: text("record_kind"),
        record_id: text("record_id"),
        request_id: text("request_id"),
        prev_hash: text("prev_hash"),
        hash: text("hash"),
    }
}

fn entry_values(e: AuditEntry) -> Vec<Value> {
    vec![
        Value::Text(e.insee),
        Value::Integer(e.seq),
        Value::Text(e.at),
        Value::Text(e.account_id),
        Value::Text(e.role),
        Value::Text(e.action),
        Value::Text(e.record_kind),
        Value::Text(e.record_id),
        Value::Text(e.request_id),
        Value::Text(e.prev_hash),
        Value::Text(e.hash),
    ]
}

impl Db {
    /// Rows and bytes per commune over every tenant table of the service
    /// (counts only: the hosting operator's usage). Bytes are the values'
    /// lengths on SQLite, the rows' sizes on PostgreSQL.
    pub async fn usage(&self) -> Result<ServiceUsage, StoreError> {
        let mut per: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for table in self.schema.tenant {
            let table = table.name();
            let bytes = match self.dialect {
                Dialect::Postgres => "SUM(pg_column_size(t.*))".to_owned(),
                Dialect::Sqlite => {
                    let columns = self
                        .run(
                            Reach::Platform,
                            Access::Read,
                            self.sql(
                                "SELECT name FROM pragma_table_info(?)",
                                vec![Value::Text(table.to_owned())],
                            ),
                        )
                        .await?;
                    let lengths: Vec<String> = columns
                        .iter()
                        .filter_map(|r| {
                            r.text("name")
                                .map(|c| format!("IFNULL(LENGTH(\"{c}\"), 0)"))
                        })
                        .collect();
                    if lengths.is_empty() {
                        "0".to_owned()
                    } else {
                        format!("SUM({})", lengths.join(" + "))
                    }
                }
            };
            let sql = format!(
                "SELECT t.insee AS insee, COUNT(*) AS n, {bytes} AS bytes FROM {table} t GROUP BY t.insee"
            );
            let rows = self
                .run(Reach::Across, Access::Read, self.sql(&sql, Vec::new()))
                .await?;
            for r in rows.iter() {
                let Some(insee) = r.text("insee") else {
                    continue;
                };
                let entry = per.entry(insee.to_owned()).or_default();
                entry.0 += u64::try_from(r.int("n").unwrap_or(0)).unwrap_or(0);
                entry.1 += u64::try_from(r.int("bytes").unwrap_or(0)).unwrap_or(0);
            }
        }
        Ok(ServiceUsage {
            communes: per
                .into_iter()
                .map(|(insee, (rows, bytes))| (insee, rows, bytes))
                .collect(),
        })
    }
}
