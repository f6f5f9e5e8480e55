//! `DELETE /api/me` (RGPD art. 17): the signed-in account erased, its password
//! confirming it. A child of `component`.
//!
//! Refused (409) while the account is the last admin of a commune: the detail
//! names the communes, to hand over first. Otherwise, in an order that a
//! failure can resume:
//! 1. a tombstone id (`compte-supprime-<uuid>`) is drawn once and kept in the
//!    shared store under `erasing/<account>` until the end, so that a retry
//!    uses the same one;
//! 2. each service erases its part over its internal route
//!    (`qmi_kit::personal::erase_part`, idempotent): the tombstone replaces the
//!    account's id in the rows it authored, what is only about it is deleted;
//! 3. identity's part, last and in one transaction: a tombstone account without
//!    personal data takes the account's place where other people's rows point at
//!    it (invitations it sent, requests it answered, status changes it made), and
//!    its name, e-mail, password hash, sessions, links, throttle records,
//!    memberships, platform roles, invitations to its address and the outbox
//!    messages naming it are deleted, with the account row; notifications then
//!    erases once more (a message relayed meanwhile cannot leave an entry);
//! 4. its rights version is set past any token's (`rights/<account>`): from the
//!    next request on, the gateway refuses the access token it still holds, and
//!    no refresh token is left to renew it. Should the shared store be
//!    unreachable at that point, that token still lapses at its expiry (15
//!    minutes at most); the erasure is not undone for it.

use qmi_api::Principal;
use qmi_api::accountability::EraseMe;
use qmi_api::internal::{NOTIFICATIONS, PERSONAL};
use qmi_api::personal::{ERASED_NAME, EraseAccount, TOMBSTONE_PREFIX};
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, no_content};
use qmi_kit::sql::Value;
use qmi_kit::store::Db;
use qmi_kit::{Problem, Rows};
use spin_sdk::key_value::Store;

use super::passwords::verify_own_password;
use super::{Ctx, Operation};
use crate::tables::MEMBERSHIPS;
use crate::throttle;

/// The communes whose only admin is `account`: their INSEE codes and names.
async fn sole_admin_of(db: &Db, allowed: &Allowed, account: &str) -> Result<Rows, Problem> {
    Ok(db
        .across(allowed)
        .select(MEMBERSHIPS, &["m.insee", "c.name"])
        .alias("m")
        .join_platform("communes c", "c.insee = m.insee", [])
        .filter("m.account_id = ? AND m.role = 'admin'", [account.into()])
        .filter(
            "(SELECT COUNT(*) FROM memberships o WHERE o.insee = m.insee AND o.role = 'admin') = 1",
            [],
        )
        .order_by("m.insee")
        .rows()
        .await?)
}

/// The 409 naming the communes `account` is the last admin of.
fn last_admin(communes: &Rows) -> Problem {
    let named: Vec<String> = communes
        .iter()
        .map(|r| format!("{} {}", r.string("insee"), r.string("name")))
        .collect();
    Problem::conflict(format!(
        "the account is the last admin of {}: hand each over to another admin first, then erase the account",
        named.join(", ")
    ))
}

/// The password of the body, or a problem naming `password`.
fn password(cx: &Ctx<'_>) -> Result<String, Problem> {
    if cx.req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::invalid_field(
            "password",
            "required: the account's current password",
        ));
    }
    let body: EraseMe = cx.req.json()?;
    if body.password.is_empty() {
        return Err(Problem::invalid_field(
            "password",
            "required: the account's current password",
        ));
    }
    Ok(body.password)
}

fn unavailable(e: spin_sdk::key_value::Error) -> Problem {
    Problem::unavailable(format!("the shared key-value store: {e:?}"))
}

/// The tombstone of `account`'s erasure: the one an interrupted erasure drew,
/// else a new one, kept until the erasure is done.
async fn tombstone(store: &Store, account: &str) -> Result<String, Problem> {
    let key = format!("erasing/{account}");
    if let Some(kept) = store.get(&key).await.map_err(unavailable)? {
        let kept = String::from_utf8_lossy(&kept).into_owned();
        if kept.starts_with(TOMBSTONE_PREFIX) {
            return Ok(kept);
        }
    }
    let drawn = format!("{TOMBSTONE_PREFIX}{}", uuid::Uuid::new_v4());
    store
        .set(&key, drawn.as_bytes())
        .await
        .map_err(unavailable)?;
    Ok(drawn)
}

/// `DELETE /api/me`.
pub(super) async fn erase(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let allowed = cx.allow(Some(&p), Operation::EraseOwnAccount(None)).await?;
    let password = password(cx)?;
    verify_own_password(cx, &p.sub, "password", &password).await?;
    let sole = sole_admin_of(&cx.db, &allowed, &p.sub).await?;
    if !sole.is_empty() {
        return Err(last_admin(&sole));
    }
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT email, name FROM accounts WHERE id = ?",
            vec![p.sub.as_str().into()],
        )
        .await?;
    let account = rows
        .first()
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let (email, name) = (
        account.string("email").to_lowercase(),
        account.string("name"),
    );
    let store = Store::open_default().await.map_err(unavailable)?;
    let tombstone = tombstone(&store, &p.sub).await?;
    let erase = EraseAccount {
        account: p.sub.clone(),
        tombstone: tombstone.clone(),
        email: Some(email.clone()),
        name: Some(name),
    };
    cx.db.finish().await;
    for (_, target) in PERSONAL {
        qmi_kit::personal::erase_part(&target, &erase).await?;
    }
    own_part(cx, &p, &allowed, &erase, &email).await?;
    // A message relayed from identity's outbox while the services erased could
    // have put a directory entry back: notifications erases once more, now that
    // the outbox names the account no more.
    if let Err(e) = qmi_kit::personal::erase_part(&NOTIFICATIONS, &erase).await {
        qmi_kit::log!("erasure: notifications' second pass failed ({})", e.status);
    }
    // Past any token's version: the one it still holds is refused at once.
    let published = store
        .set(&crate::rights_key(&p.sub), u64::MAX.to_string().as_bytes())
        .await;
    if let Err(e) = published {
        qmi_kit::log!(
            "erasure: rights version not published ({e:?}); the access token lapses at its expiry"
        );
    }
    if let Err(e) = store.delete(&format!("erasing/{}", p.sub)).await {
        qmi_kit::log!("erasure: erasing/{} kept ({e:?})", p.sub);
    }
    qmi_kit::personal::checkpoint(&cx.db).await?;
    Ok(no_content())
}

/// Identity's part, in one transaction (see the module's documentation).
async fn own_part(
    cx: &Ctx<'_>,
    p: &Principal,
    allowed: &Allowed,
    erase: &EraseAccount,
    email: &str,
) -> Result<(), Problem> {
    let me = p.sub.as_str();
    let t = erase.tombstone.as_str();
    // A decision for each commune whose membership goes.
    let found = cx
        .db
        .facts()
        .select(MEMBERSHIPS, &["insee"])
        .filter("account_id = ?", [me.into()])
        .rows()
        .await?;
    qmi_kit::personal::secure_delete(&cx.db).await?;
    let mut decisions: Vec<Allowed> = Vec::new();
    for insee in qmi_kit::personal::communes(&found, "insee") {
        decisions.push(
            cx.allow(Some(p), Operation::EraseOwnAccount(Some(&insee)))
                .await?,
        );
    }
    let statements: Vec<(&str, Vec<Value>)> = vec![
        (
            "INSERT INTO accounts (id, email, password_hash, name, lang) VALUES (?, ?, NULL, ?, 'fr') ON CONFLICT (id) DO NOTHING",
            vec![t.into(), t.into(), ERASED_NAME.into()],
        ),
        (
            "UPDATE invitations SET invited_by = ? WHERE invited_by = ?",
            vec![t.into(), me.into()],
        ),
        (
            "UPDATE join_requests SET answered_by = ? WHERE answered_by = ?",
            vec![t.into(), me.into()],
        ),
        (
            "UPDATE commune_status_history SET by_account = ? WHERE by_account = ?",
            vec![t.into(), me.into()],
        ),
        (
            "DELETE FROM invitations WHERE email = ? COLLATE NOCASE",
            vec![email.into()],
        ),
        (
            "DELETE FROM join_requests WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM refresh_tokens WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM password_resets WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM email_changes WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM email_confirmations WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM platform_roles WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key IN (?, ?)",
            vec![
                throttle::stored_key(email).into(),
                throttle::stored_key(&format!("reset:{email}")).into(),
            ],
        ),
        (
            "DELETE FROM outbox WHERE instr(event, ?) > 0 OR instr(lower(event), ?) > 0",
            vec![me.into(), email.into()],
        ),
    ];
    cx.db
        .atomic(async |db| {
            let sole = sole_admin_of(db, allowed, me).await?;
            if !sole.is_empty() {
                return Err(last_admin(&sole));
            }
            for (sql, params) in statements {
                db.platform().run(sql, params).await?;
            }
            for decision in &decisions {
                db.tenant(decision)?
                    .delete(MEMBERSHIPS)
                    .filter("account_id = ?", [me.into()])
                    .run()
                    .await?;
            }
            let left = db
                .across(allowed)
                .select(MEMBERSHIPS, &["insee"])
                .filter("account_id = ?", [me.into()])
                .count()
                .await?;
            if left > 0 {
                return Err(Problem::conflict(
                    "a membership was added during the erasure: erase the account again",
                ));
            }
            db.platform()
                .run("DELETE FROM accounts WHERE id = ?", vec![me.into()])
                .await?;
            Ok(())
        })
        .await
}
