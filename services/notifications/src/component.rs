//! The Spin component: the internal `POST /internal/notifications/deposit`
//! (the services' outboxes, with the internal token, no middleware) and the catalogued `/api/notifications…`
//! routes (behind the gateway). Every API action asks the `policy` component;
//! notices and preferences are the asking account's own (selected by its id).

use qmi_api::notifications::{Deposit, Notice, Preferences, Topic, Unread};
use qmi_api::routes::notifications::Op;
use qmi_api::{Insee, Principal};
use qmi_kit::context::Ctx;
use qmi_kit::http::{Incoming, Reply, json, no_content};
use qmi_kit::policy::{Action, Facts};
use qmi_kit::sql::Value;
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem};
use spin_sdk::http::Request;

use crate::{deposit, mailer};

/// Mails a request sends before answering (bounded: a request is not a queue runner).
const OPPORTUNISTIC_BATCH: u32 = 5;
/// Mails sent right after a deposit.
const DEPOSIT_BATCH: u32 = 20;
/// Mails sent by the operator's route.
const OPERATOR_BATCH: u32 = 100;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

async fn public_url() -> String {
    spin_sdk::variables::get("public_url")
        .await
        .unwrap_or_default()
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    // The gateway's routes all start with /api/, the internal route's with
    // /internal/notifications/ (spin.toml routes nothing else here).
    if !req.path.starts_with("/api/") {
        if crate::personal::serves(&req.path) {
            return crate::personal::route(req).await;
        }
        qmi_kit::internal::authorize(req).await?;
        if req.path == crate::DEPOSIT_PATH {
            return receive(req).await;
        }
        return Err(Problem::not_found(format!(
            "no internal route {} {}",
            req.method, req.path
        )));
    }
    let (op, cx) = Ctx::route::<Op>(req)?;
    let p = cx.me()?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    if op != Op::RunDeliveries {
        // Mails that came due since the last pass: a few, best effort.
        if let Err(e) = mailer::pass(&db, OPPORTUNISTIC_BATCH, false).await {
            qmi_kit::log!("notifications: delivery pass: {e}");
        }
    }
    let id = cx.param("id");
    // Notices and preferences are the asking account's own (selected by its id).
    let mine = Facts::default();
    let reply = async {
        match op {
        Op::ListNotifications => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            list(&cx, &db, p).await
        }
        Op::CountUnreadNotifications => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            let (visible, mut params) = visible(&cx, &db, p).await?;
            params.insert(0, p.sub.as_str().into());
            let rows = db
                .platform().run(
                    &format!(
                        "SELECT count(*) AS n FROM notices WHERE account_id = ? AND read_at IS NULL {visible}"
                    ),
                    params,
                )
                .await?;
            let unread = rows
                .first()
                .and_then(|r| r.int("n"))
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0);
            Ok(json(200, &Unread { unread }))
        }
        Op::ReadNotification => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            let rows = db
                .platform()
                .run(
                    "SELECT tenant FROM notices WHERE id = ? AND account_id = ?",
                    vec![id.into(), p.sub.as_str().into()],
                )
                .await?;
            let Some(notice) = rows.first() else {
                return Err(Problem::not_found(format!("no notice {id}")));
            };
            if let Some(tenant) = notice.text("tenant") {
                let facts = notice_facts(tenant).ok_or_else(|| {
                    Problem::internal(format!("notice {id}: stored commune {tenant:?}"))
                })?;
                let _allowed = cx.ask(Action::NotificationRead, &facts).await?;
            }
            db.platform().run(
                "UPDATE notices SET read_at = COALESCE(read_at, ?) WHERE id = ? AND account_id = ?",
                vec![
                    qmi_kit::time::now().0.into(),
                    id.into(),
                    p.sub.as_str().into(),
                ],
            )
            .await?;
            if db.changes().await == 0 {
                return Err(Problem::not_found(format!("no notice {id}")));
            }
            Ok(no_content())
        }
        Op::ReadAllNotifications => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            let (visible, hidden) = visible(&cx, &db, p).await?;
            let mut params = vec![qmi_kit::time::now().0.into(), p.sub.as_str().into()];
            params.extend(hidden);
            db.platform().run(
                &format!(
                    "UPDATE notices SET read_at = ? WHERE account_id = ? AND read_at IS NULL {visible}"
                ),
                params,
            )
            .await?;
            Ok(no_content())
        }
        Op::GetNotificationPreferences => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            let email = deposit::topics(&db, &p.sub).await?;
            Ok(json(200, &Preferences { email }))
        }
        Op::PutNotificationPreferences => {
            let _allowed = cx.ask(Action::NotificationRead, &mine).await?;
            let email = topics_of(req)?;
            let stored = serde_json::to_string(&email).map_err(Problem::internal)?;
            db.platform().run(
                "INSERT INTO preferences (account_id, email, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
                vec![
                    p.sub.as_str().into(),
                    stored.into(),
                    qmi_kit::time::now().0.into(),
                ],
            )
            .await?;
            Ok(json(200, &Preferences { email }))
        }
        Op::RunDeliveries => {
            let _allowed = cx.ask(Action::JobsRun, &mine).await?;
            Ok(json(200, &mailer::pass(&db, OPERATOR_BATCH, true).await?))
        }
    }
    }
    .await;
    db.finish().await;
    reply
}

/// The body of `PUT /api/notifications/preferences`: the topics, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesInput {
    email: Vec<String>,
}

/// The topics of a preferences body: a malformed body is 400, an unknown topic
/// 422 naming its place (`email[1]`); duplicates count once, in display order.
fn topics_of(req: &Incoming) -> Result<Vec<Topic>, Problem> {
    let input: PreferencesInput = req.json()?;
    let mut problem = Problem::validation();
    let mut chosen = Vec::new();
    for (i, raw) in input.email.iter().enumerate() {
        match serde_json::from_value::<Topic>(serde_json::Value::String(raw.clone())) {
            Ok(t) => chosen.push(t),
            Err(_) => {
                problem = problem.field(
                    format!("email[{i}]"),
                    "one of receipts, reviews, deadlines, decisions, memberships",
                );
            }
        }
    }
    if !problem.errors.is_empty() {
        return Err(problem);
    }
    Ok(Topic::ALL
        .into_iter()
        .filter(|t| chosen.contains(t))
        .collect())
}

/// The facts of a notice carrying the content of commune `tenant` (as stored with
/// it; deposits name communes by INSEE code, so `None` means a damaged row).
fn notice_facts(tenant: &str) -> Option<Facts> {
    tenant
        .parse::<Insee>()
        .ok()
        .map(|insee| Facts::tenant(&insee))
}

/// The condition (`AND …`, one `?` per value returned) keeping the notices `p` may
/// see now: the policy hides those carrying the content of a suspended commune (or
/// any commune's, from a hosting operator; a damaged row's). Asked once per commune
/// `p` has notices of.
async fn visible(cx: &Ctx<'_>, db: &Db, p: &Principal) -> Result<(String, Vec<Value>), Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT DISTINCT tenant FROM notices WHERE account_id = ? AND tenant IS NOT NULL",
            vec![p.sub.as_str().into()],
        )
        .await?;
    let mut hidden = Vec::new();
    for r in rows.iter() {
        let tenant = r.string("tenant");
        let seen = match notice_facts(&tenant) {
            Some(facts) => cx.allows(Action::NotificationRead, &facts).await?,
            None => false,
        };
        if !seen {
            hidden.push(Value::from(tenant));
        }
    }
    if hidden.is_empty() {
        return Ok((String::new(), hidden));
    }
    let marks = vec!["?"; hidden.len()].join(", ");
    Ok((
        format!("AND (tenant IS NULL OR tenant NOT IN ({marks}))"),
        hidden,
    ))
}

/// `GET /api/notifications`: newest first (ids are UUID v7), cursor-paginated.
async fn list(cx: &Ctx<'_>, db: &Db, p: &Principal) -> Result<Reply, Problem> {
    let page = PageRequest::from_query(&cx.req.query)?;
    let before = page.after.as_ref().map(|c| c.key().to_owned());
    let (visible, hidden) = visible(cx, db, p).await?;
    let mut params: Vec<Value> = vec![p.sub.as_str().into(), before.clone().into(), before.into()];
    params.extend(hidden);
    let rows = db
        .platform().run(
            &format!(
                "SELECT id, kind, title, body, link, at, read_at FROM notices \
                 WHERE account_id = ? AND (CAST(? AS TEXT) IS NULL OR id < ?) {visible} ORDER BY id DESC LIMIT {}",
                page.fetch()
            ),
            params,
        )
        .await?;
    let items: Vec<Notice> = rows
        .iter()
        .map(|r| Notice {
            id: r.string("id"),
            kind: r.string("kind"),
            title: r.string("title"),
            body: r.string("body"),
            link: r.text("link").map(str::to_owned),
            at: r.string("at"),
            read: r.int("read_at").is_some(),
        })
        .collect();
    Ok(json(200, &page.page(items, |n| n.id.clone())))
}

/// `POST /internal/notifications/deposit` (internal route: the caller showed
/// the internal token).
async fn receive(req: &Incoming) -> Result<Reply, Problem> {
    if req.method.as_str() != "POST" {
        return Err(Problem::method_not_allowed_with(
            req.method.as_str(),
            &["POST"],
        ));
    }
    let body: Deposit = req.json()?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    let public_url = public_url().await;
    let fresh = deposit::deposit(&db, &body, &public_url).await?;
    // The mails of this deposit, at once if the e-mail API answers; those that
    // fail wait for a later pass.
    if fresh > 0
        && let Err(e) = mailer::pass(&db, DEPOSIT_BATCH, false).await
    {
        qmi_kit::log!("notifications: delivery pass after a deposit: {e}");
    }
    db.finish().await;
    Ok(json(200, &serde_json::json!({ "deposited": fresh })))
}
