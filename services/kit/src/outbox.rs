//! The producer side of notifications: a service writes each message
//! ([`qmi_api::notifications::Event`]) into its own `outbox` table in the same
//! transaction as the change that causes it ([`enqueue`], inside `Db::atomic`),
//! then, after the commit, hands the due rows to the `notifications` component
//! ([`relay`]: `POST /internal/notifications/deposit` on its internal route,
//! [`qmi_api::internal`]). No message without its change, none lost: a
//! relay that fails leaves the rows due again after a backoff, and the deposit is
//! idempotent by envelope id, so a relay retried after a lost answer delivers
//! nothing twice.
//!
//! A producing component needs the table (a migration with [`OUTBOX_SQL`]'s
//! schema), `"{{ notifications_url }}"` in its `allowed_outbound_hosts`, the
//! variables `notifications_url`, `internal_token` and `public_url` (for
//! [`public_link`]).
//!
//! The pure parts (backoff, envelope of a row) build and test natively; the Spin
//! glue exists only on `wasm32`.

use qmi_api::Insee;
use qmi_api::notifications::{Deposit, Envelope, Event};

use crate::time::Instant;

/// The schema every producing service's migration creates (for reference and tests).
pub const OUTBOX_SQL: &str = "\
CREATE TABLE IF NOT EXISTS outbox (
    id              TEXT PRIMARY KEY,
    at              INTEGER NOT NULL,
    event           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    relayed_at      INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (relayed_at, next_attempt_at);
";

/// Envelopes handed over per deposit.
pub const BATCH: u32 = 50;

/// How long a relay holds the rows it claimed (seconds): another relay takes them
/// over only after this, should the first one die mid-way.
pub const LEASE_SECONDS: i64 = 60;

/// The public URL used when the Spin variable `public_url` is unset or empty.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:3000";

/// Exponential backoff: `base` seconds after the first failure, doubling with each
/// attempt, never more than `cap`. `attempts` counts the failures so far (≥ 1).
pub fn backoff(attempts: u32, base: i64, cap: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).min(40);
    base.saturating_mul(1_i64 << doublings).min(cap)
}

/// The relay's wait after `attempts` failed deposits: 10 s, 20 s, 40 s … at most
/// 10 minutes. A relay never gives up: the notifications component is part of the
/// application, so a failure is an outage, not a bad message.
pub fn relay_backoff(attempts: u32) -> i64 {
    backoff(attempts, 10, 600)
}

/// The key under which a row's `event` JSON also holds the commune whose content
/// the message carries (no event has a field of that name).
const TENANT_KEY: &str = "tenant";

/// The `event` column of a row: the event as JSON, with `tenant` when given.
pub fn stored_event(tenant: Option<&Insee>, event: &Event) -> Result<String, serde_json::Error> {
    let mut value = serde_json::to_value(event)?;
    if let (Some(tenant), Some(object)) = (tenant, value.as_object_mut()) {
        object.insert(TENANT_KEY.to_owned(), tenant.as_str().into());
    }
    serde_json::to_string(&value)
}

/// The envelope of an outbox row (`id`, `at` in seconds, `event` as stored by
/// [`stored_event`]).
pub fn envelope_of(id: &str, at: i64, event: &str) -> Result<Envelope, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_str(event)?;
    let tenant = value
        .as_object_mut()
        .and_then(|o| o.remove(TENANT_KEY))
        .and_then(|t| t.as_str().and_then(|t| t.parse::<Insee>().ok()));
    Ok(Envelope {
        id: id.to_owned(),
        at: Instant(at).to_string(),
        tenant,
        event: serde_json::from_value::<Event>(value)?,
    })
}

/// The body of a deposit.
pub fn deposit_body(envelopes: Vec<Envelope>) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&Deposit { envelopes })
}

/// `public_url` (without its trailing `/`) followed by `path` (which starts with `/`).
pub fn join_link(public_url: &str, path: &str) -> String {
    let base = public_url.trim().trim_end_matches('/');
    let base = if base.is_empty() {
        DEFAULT_PUBLIC_URL
    } else {
        base
    };
    if path.starts_with('/') {
        format!("{base}{path}")
    } else {
        format!("{base}/{path}")
    }
}

#[cfg(target_arch = "wasm32")]
pub use glue::{enqueue, enqueue_in, public_link, relay};

#[cfg(target_arch = "wasm32")]
mod glue {
    use bytes::Bytes;
    use qmi_api::Insee;
    use qmi_api::internal::{NOTIFICATIONS, NOTIFICATIONS_DEPOSIT};
    use qmi_api::notifications::Event;
    use spin_sdk::http::{FullBody, Request};

    use super::{BATCH, LEASE_SECONDS, deposit_body, envelope_of, relay_backoff, stored_event};
    use crate::sql::{Rows, Value};
    use crate::store::{Db, StoreError};
    use crate::time::now;

    /// Writes `event` into the service's `outbox`, due at once. Call it inside the
    /// `db.atomic` transaction of the change that causes it; call [`relay`] after
    /// the commit. For a message that carries a commune's content, use [`enqueue_in`].
    pub async fn enqueue(db: &Db, event: Event) -> Result<(), StoreError> {
        insert(db, None, &event).await
    }

    /// [`enqueue`] for a message carrying the content of commune `tenant` (a call, an
    /// application, a review, a decision): its notices are hidden while the commune
    /// is suspended, as the rest of its content is.
    pub async fn enqueue_in(db: &Db, tenant: &Insee, event: Event) -> Result<(), StoreError> {
        insert(db, Some(tenant), &event).await
    }

    async fn insert(db: &Db, tenant: Option<&Insee>, event: &Event) -> Result<(), StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let t = now().0;
        // An Event always serialises (strings, enums, vectors of strings).
        let json = stored_event(tenant, event).unwrap_or_default();
        db.platform().run(
            "INSERT INTO outbox (id, at, event, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)",
            vec![id.into(), t.into(), json.into(), t.into()],
        )
        .await
        .map(drop)
    }

    /// An absolute link into the web app: the Spin variable `public_url` + `path`.
    pub async fn public_link(path: &str) -> String {
        let base = spin_sdk::variables::get("public_url")
            .await
            .unwrap_or_default();
        super::join_link(&base, path)
    }

    /// Hands the due outbox rows (oldest first, up to [`super::BATCH`] per deposit)
    /// to the notifications component. Best effort, after the commit: it never fails
    /// the request, and costs one indexed query when nothing is due. Rows are claimed
    /// with a lease so that two relays do not post them together; a failed deposit
    /// leaves them due again after [`relay_backoff`].
    pub async fn relay(db: &Db) {
        // A few batches at most: a request does not drain a large backlog alone.
        for _ in 0..4 {
            match relay_once(db).await {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    crate::log!("outbox relay: {e}");
                    return;
                }
            }
        }
    }

    #[derive(Debug, thiserror::Error)]
    enum RelayError {
        #[error(transparent)]
        Store(#[from] StoreError),
        #[error("deposit: {0}")]
        Deposit(String),
    }

    /// One batch; `Ok(true)` when a full batch was relayed (more may be due).
    async fn relay_once(db: &Db) -> Result<bool, RelayError> {
        let t = now().0;
        let due = db
            .platform()
            .run(
                "SELECT id FROM outbox WHERE relayed_at IS NULL AND next_attempt_at <= ? \
                 AND (lease_until IS NULL OR lease_until < ?) LIMIT 1",
                vec![t.into(), t.into()],
            )
            .await?;
        if due.is_empty() {
            return Ok(false);
        }
        let claimed: Rows = db
            .atomic(async |db| {
                let rows = db
                    .platform()
                    .run(
                        &format!(
                            "SELECT id, at, event, attempts FROM outbox \
                             WHERE relayed_at IS NULL AND next_attempt_at <= ? \
                             AND (lease_until IS NULL OR lease_until < ?) \
                             ORDER BY at, id LIMIT {BATCH}"
                        ),
                        vec![t.into(), t.into()],
                    )
                    .await?;
                for r in rows.iter() {
                    db.platform()
                        .run(
                            "UPDATE outbox SET lease_until = ? WHERE id = ?",
                            vec![(t + LEASE_SECONDS).into(), r.string("id").into()],
                        )
                        .await?;
                }
                Ok::<_, StoreError>(rows)
            })
            .await?;
        if claimed.is_empty() {
            return Ok(false);
        }
        let mut envelopes = Vec::new();
        for r in claimed.iter() {
            let id = r.string("id");
            match envelope_of(&id, r.int("at").unwrap_or(t), r.text("event").unwrap_or("")) {
                Ok(e) => envelopes.push(e),
                // A row this version cannot read (written by a newer one, say): set
                // aside rather than blocking the others.
                Err(e) => {
                    crate::log!("outbox relay: row {id} unreadable ({e}); set aside");
                    db.platform().run(
                        "UPDATE outbox SET lease_until = NULL, attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                        vec![(t + relay_backoff(10)).into(), id.into()],
                    )
                    .await?;
                }
            }
        }
        let ids: Vec<String> = envelopes.iter().map(|e| e.id.clone()).collect();
        let full = claimed.rows.len() as u32 >= BATCH;
        if ids.is_empty() {
            return Ok(full);
        }
        match post(envelopes).await {
            Ok(()) => {
                let done = now().0;
                for id in &ids {
                    db.platform().run(
                        "UPDATE outbox SET relayed_at = ?, lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
                        vec![done.into(), Value::from(id)],
                    )
                    .await?;
                }
                Ok(full)
            }
            Err(e) => {
                for r in claimed.iter() {
                    let attempts = r.int("attempts").unwrap_or(0).max(0) as u32 + 1;
                    db.platform().run(
                        "UPDATE outbox SET lease_until = NULL, attempts = ?, next_attempt_at = ? WHERE id = ? AND relayed_at IS NULL",
                        vec![
                            i64::from(attempts).into(),
                            (t + relay_backoff(attempts)).into(),
                            r.string("id").into(),
                        ],
                    )
                    .await?;
                }
                Err(e)
            }
        }
    }

    async fn post(envelopes: Vec<qmi_api::notifications::Envelope>) -> Result<(), RelayError> {
        let body = deposit_body(envelopes).map_err(|e| RelayError::Deposit(e.to_string()))?;
        let url = crate::internal::url(&NOTIFICATIONS, NOTIFICATIONS_DEPOSIT).await;
        let mut builder = Request::<()>::builder()
            .method("POST")
            .uri(url)
            .header("content-type", "application/json")
            .header("content-length", body.len().to_string());
        if let Some(auth) = crate::internal::authorization().await {
            builder = builder.header("authorization", auth);
        }
        let request = builder
            .body(FullBody::new(Bytes::from(body)))
            .map_err(|e| RelayError::Deposit(e.to_string()))?;
        let response = spin_sdk::http::send(request)
            .await
            .map_err(|e| RelayError::Deposit(format!("{e:?}")))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(RelayError::Deposit(format!("answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let waits: Vec<i64> = (1..=6).map(|a| backoff(a, 60, 600)).collect();
        assert_eq!(waits, [60, 120, 240, 480, 600, 600]);
        assert_eq!(backoff(0, 60, 600), 60);
        assert_eq!(backoff(u32::MAX, 60, 21_600), 21_600);
        assert_eq!(relay_backoff(1), 10);
        assert_eq!(relay_backoff(100), 600);
    }

    #[test]
    fn a_row_becomes_its_envelope() {
        let event = r#"{"kind":"password_changed","recipient":{"to":"account","account_id":"a1"}}"#;
        let e = envelope_of("0190-x", 1_777_636_800, event).unwrap();
        assert_eq!(e.id, "0190-x");
        assert_eq!(e.at, "2026-05-01T12:00:00Z");
        assert_eq!(e.tenant, None);
        assert!(matches!(e.event, Event::PasswordChanged { .. }));
        let body = deposit_body(vec![e.clone()]).unwrap();
        let back: Deposit = serde_json::from_slice(&body).unwrap();
        assert_eq!(back.envelopes, vec![e]);
        assert!(envelope_of("x", 0, "{}").is_err());
    }

    #[test]
    fn the_tenant_travels_with_the_event() {
        let insee: Insee = "93066".parse().unwrap();
        let event = Event::PasswordChanged {
            recipient: qmi_api::notifications::Recipient::Account {
                account_id: "a1".into(),
            },
        };
        let stored = stored_event(Some(&insee), &event).unwrap();
        let e = envelope_of("id", 0, &stored).unwrap();
        assert_eq!((e.tenant, e.event), (Some(insee), event.clone()));
        let plain = stored_event(None, &event).unwrap();
        assert!(!plain.contains("tenant"));
        let body = deposit_body(vec![envelope_of("id", 0, &plain).unwrap()]).unwrap();
        assert!(!String::from_utf8(body).unwrap().contains("tenant"));
    }

    #[test]
    fn links_join_the_public_url() {
        assert_eq!(
            join_link("https://qmi.example/", "/invitation/abc"),
            "https://qmi.example/invitation/abc"
        );
        assert_eq!(join_link("", "/x"), format!("{DEFAULT_PUBLIC_URL}/x"));
        assert_eq!(join_link("https://a.b", "x"), "https://a.b/x");
    }
}
