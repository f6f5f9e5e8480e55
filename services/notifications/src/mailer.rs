//! A delivery pass: the due mails (claimed with a lease, so two passes never send
//! one together) posted to the HTTP e-mail API — `POST {mail_api_url}` with JSON
//! `{from, to, subject, text, html}`, `Idempotency-Key: <mail id>` and
//! `Authorization: Bearer <mail_api_key>` when a key is set. With no
//! `mail_api_url`, mails wait.

use bytes::Bytes;
use qmi_api::notifications::DeliveryRun;
use qmi_kit::store::{Db, StoreError};
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

use crate::delivery::{LEASE_SECONDS, Outcome, outcome};

/// The e-mail API's settings (Spin variables).
struct Config {
    url: String,
    key: String,
    from: String,
}

async fn variable(name: &str) -> String {
    spin_sdk::variables::get(name)
        .await
        .unwrap_or_default()
        .trim()
        .to_owned()
}

async fn config() -> Config {
    let from = variable("mail_from").await;
    Config {
        url: variable("mail_api_url").await,
        key: variable("mail_api_key").await,
        from: if from.is_empty() {
            "QMI <ne-pas-repondre@qmi.localhost>".to_owned()
        } else {
            from
        },
    }
}

/// Sends up to `limit` due mails; `pending` counts the mails still waiting only
/// when `count_pending` (the operator's route), else it is 0.
pub async fn pass(db: &Db, limit: u32, count_pending: bool) -> Result<DeliveryRun, StoreError> {
    let mut run = DeliveryRun {
        sent: 0,
        failed: 0,
        pending: 0,
    };
    let config = config().await;
    if !config.url.is_empty() {
        let t = qmi_kit::time::now().0;
        let due = db
            .platform()
            .run(
                "SELECT id FROM mails WHERE status = 'pending' AND next_attempt_at <= ? \
                 AND (lease_until IS NULL OR lease_until < ?) LIMIT 1",
                vec![t.into(), t.into()],
            )
            .await?;
        if !due.is_empty() {
            let claimed = db
                .atomic(async |db| {
                    let rows = db
                        .platform()
                        .run(
                            &format!(
                                "SELECT id, to_address, subject, text, html, attempts FROM mails \
                                 WHERE status = 'pending' AND next_attempt_at <= ? \
                                 AND (lease_until IS NULL OR lease_until < ?) \
                                 ORDER BY next_attempt_at, id LIMIT {limit}"
                            ),
                            vec![t.into(), t.into()],
                        )
                        .await?;
                    for r in rows.iter() {
                        db.platform()
                            .run(
                                "UPDATE mails SET lease_until = ? WHERE id = ?",
                                vec![(t + LEASE_SECONDS).into(), r.string("id").into()],
                            )
                            .await?;
                    }
                    Ok::<_, StoreError>(rows)
                })
                .await?;
            for r in claimed.iter() {
                let id = r.string("id");
                let attempts = u32::try_from(r.int("attempts").unwrap_or(0)).unwrap_or(0) + 1;
                let body = serde_json::json!({
                    "from": config.from,
                    "to": r.string("to_address"),
                    "subject": r.string("subject"),
                    "text": r.string("text"),
                    "html": r.string("html"),
                });
                let (status, error) = send(&config, &id, &body).await;
                let now = qmi_kit::time::now().0;
                match outcome(status, attempts, now) {
                    Outcome::Sent => {
                        run.sent += 1;
                        db.platform().run(
                            "UPDATE mails SET status = 'sent', attempts = ?, sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                            vec![attempts.into(), now.into(), id.into()],
                        )
                        .await?;
                    }
                    Outcome::Retry(next) => {
                        run.failed += 1;
                        db.platform().run(
                            "UPDATE mails SET attempts = ?, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                            vec![attempts.into(), next.into(), error.into(), id.into()],
                        )
                        .await?;
                    }
                    Outcome::Failed => {
                        run.failed += 1;
                        qmi_kit::log!("notifications: mail {id} failed for good: {error}");
                        db.platform().run(
                            "UPDATE mails SET status = 'failed', attempts = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                            vec![attempts.into(), error.into(), id.into()],
                        )
                        .await?;
                    }
                }
            }
        }
    }
    if count_pending {
        let rows = db
            .platform()
            .run(
                "SELECT count(*) AS n FROM mails WHERE status = 'pending'",
                Vec::new(),
            )
            .await?;
        run.pending = rows
            .first()
            .and_then(|r| r.int("n"))
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
    }
    Ok(run)
}

/// How long the e-mail API has to answer one message.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Posts one mail; the answer's status (`None`: none) and what to log.
async fn send(config: &Config, id: &str, body: &serde_json::Value) -> (Option<u16>, String) {
    let payload = match serde_json::to_vec(body) {
        Ok(p) => p,
        Err(e) => return (None, e.to_string()),
    };
    let mut b = Request::<()>::builder()
        .method("POST")
        .uri(&config.url)
        .header("content-type", "application/json")
        .header("content-length", payload.len().to_string())
        .header("idempotency-key", id);
    if !config.key.is_empty() {
        b = b.header("authorization", format!("Bearer {}", config.key));
    }
    let request = match b.body(FullBody::new(Bytes::from(payload))) {
        Ok(r) => r,
        Err(e) => return (None, e.to_string()),
    };
    // A mail API that hangs must not hold the request that triggered the pass (a
    // deposit, a notifications request): past SEND_TIMEOUT the attempt counts as
    // failed and is retried with backoff, under the same Idempotency-Key.
    let sent = std::pin::pin!(spin_sdk::http::send(request));
    let timer = std::pin::pin!(spin_sdk::time::sleep(SEND_TIMEOUT));
    let answer = match futures::future::select(sent, timer).await {
        futures::future::Either::Left((answer, _)) => answer,
        futures::future::Either::Right(((), _)) => {
            return (
                None,
                format!("no answer within {} s", SEND_TIMEOUT.as_secs()),
            );
        }
    };
    match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = match response.into_body().bytes().await {
                Ok(b) => String::from_utf8_lossy(&b).chars().take(300).collect(),
                Err(e) => format!("{e:?}"),
            };
            (Some(status), format!("{status}: {text}"))
        }
        Err(e) => (None, format!("{e:?}")),
    }
}
