//! Passwords (issue 12): reset by an e-mailed single-use link, change from the
//! account page, and the sign-in throttle on every password check.
//!
//! - `POST /api/auth/password-reset` answers 202 and the same body whether or not
//!   an account has the e-mail, after the same work (a token drawn and hashed, the
//!   throttle written, the account looked up, one transaction). The link goes
//!   only to an account that has a password: an invited account that never set
//!   one sets it through its invitation (which the inviter can resend), so a reset
//!   never stands in for accepting an invitation. A new request deletes the
//!   account's older links.
//! - `POST /api/auth/password-reset/confirm` uses the link once, within the hour.
//! - `POST /api/me/password` needs the current password.
//!
//! A new password signs out every session of the account: its refresh-token
//! families are revoked and its rights version raised (so live access tokens
//! stop at the gateway); a change gives the caller a fresh session. Either way
//! the person is told (`Event::PasswordChanged`), in the same transaction.

use qmi_api::identity::{
    Email, LinkSent, PasswordChange, PasswordResetConfirm, PasswordResetRequest,
};
use qmi_api::notifications::{Event, Recipient};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json, no_content};
use qmi_kit::outbox;
use qmi_kit::store::Db;
use qmi_kit::time::Instant;

use super::account::record_user_agent;
use super::events::{account_changed, lang_of};
use super::invitations::gone;
use super::{
    Ctx, client_key, issue, lower_rights, now, publish_rights, save_throttle, subject,
    throttle_state,
};
use crate::{secrets, throttle};

/// How long a reset link stays valid.
pub const RESET_TTL_SECONDS: i64 = 3600;

/// The sign-in throttle's two counters for one attempt: per e-mail (whether or not
/// an account has it) and per client address, with sign-in's limits. A signed-in
/// password check shares sign-in's counters: either blocking refuses it, and a
/// wrong password counts against the account (wherever it is typed, the same
/// lock-out); the client's counter, which slows one address trying many
/// accounts, is left to sign-in, since a token speaks for one account only.
/// Reset requests have their own counters (`reset:` keys), each request counting,
/// so that nobody floods an address with links.
pub(super) struct Gate {
    account_key: String,
    client_key: String,
    account: throttle::State,
    client: throttle::State,
    now: i64,
}

impl Gate {
    /// Reads both counters; `prefix` separates the reset requests' keys.
    pub(super) async fn load(
        cx: &Ctx<'_>,
        prefix: &str,
        email: &str,
        now: i64,
    ) -> Result<Self, Problem> {
        let account_key = format!("{prefix}{}", email.trim().to_lowercase());
        let client_key = format!("{prefix}{}", client_key(cx.req));
        Ok(Self {
            account: throttle_state(&cx.db, "account", &account_key).await?,
            client: throttle_state(&cx.db, "client", &client_key).await?,
            account_key,
            client_key,
            now,
        })
    }

    /// 429 with `Retry-After` while either counter blocks.
    pub(super) fn check(&self) -> Result<(), Problem> {
        let wait = [
            throttle::ACCOUNT.check(&self.account, self.now),
            throttle::CLIENT.check(&self.client, self.now),
        ]
        .into_iter()
        .filter_map(Result::err)
        .max();
        match wait {
            Some(wait) => Err(Problem::too_many_requests(
                wait,
                "too many attempts; try again later",
            )),
            None => Ok(()),
        }
    }

    /// Counts one more failed password against the account.
    pub(super) async fn count_account(&self, db: &Db) -> Result<(), Problem> {
        let account = throttle::ACCOUNT.fail(&self.account, self.now);
        save_throttle(db, "account", &self.account_key, account).await
    }

    /// Counts one more attempt on both counters (a reset request).
    pub(super) async fn count(&self, db: &Db) -> Result<(), Problem> {
        let account = throttle::ACCOUNT.fail(&self.account, self.now);
        let client = throttle::CLIENT.fail(&self.client, self.now);
        save_throttle(db, "account", &self.account_key, account).await?;
        save_throttle(db, "client", &self.client_key, client).await
    }

    /// Forgets the account's failures (a right password), as sign-in does.
    pub(super) async fn clear_account(&self, db: &Db) -> Result<(), Problem> {
        db.platform()
            .run(
                "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key = ?",
                vec![throttle::stored_key(&self.account_key).into()],
            )
            .await?;
        Ok(())
    }
}

/// A new password's problem, as a 422 naming `field`.
pub(super) fn check_new_password(field: &str, password: &str) -> Result<(), Problem> {
    match crate::secrets::password_problem(password) {
        Some(message) => Err(Problem::invalid_field(field, message)),
        None => Ok(()),
    }
}

/// Checks the signed-in account's password against `password` (throttled as
/// sign-in, sharing its account counter: see [`Gate`]); a wrong one is a 403
/// naming `field`.
pub(super) async fn verify_own_password(
    cx: &Ctx<'_>,
    account_id: &str,
    field: &str,
    password: &str,
) -> Result<(), Problem> {
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT email, password_hash FROM accounts WHERE id = ?",
            vec![account_id.into()],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let gate = Gate::load(cx, "", &row.string("email"), now()).await?;
    gate.check()?;
    let right = match row.text("password_hash") {
        Some(hash) => secrets::verify_password(password, hash),
        None => {
            let _ = secrets::verify_password(password, secrets::DUMMY_HASH);
            false
        }
    };
    if right {
        gate.clear_account(&cx.db).await
    } else {
        gate.count_account(&cx.db).await?;
        Err(Problem::new(403, "wrong-password", "Wrong password")
            .detail("the current password is not this one")
            .field(field, "not the current password"))
    }
}

/// Where a message to the account's current address goes: the address itself
/// (a reset link is for whoever reads that mailbox, directory or not).
fn address_of(row: &qmi_kit::sql::Row<'_>) -> Result<Recipient, Problem> {
    Ok(Recipient::Address {
        email: row
            .string("email")
            .parse::<Email>()
            .map_err(Problem::internal)?,
        name: Some(row.string("name")),
        lang: lang_of(row.text("lang")),
    })
}

/// `POST /api/auth/password-reset`.
pub(super) async fn request_reset(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: PasswordResetRequest = cx.req.json()?;
    let email: Email = body
        .email
        .parse()
        .map_err(|_| Problem::invalid_field("email", "an e-mail address"))?;
    let now = now();
    let gate = Gate::load(cx, "reset:", email.as_str(), now).await?;
    gate.check()?;
    // The same work whoever asks: a token is drawn, hashed and made a link, then one
    // transaction counts the request and looks the account up.
    let token = secrets::new_refresh_token().map_err(Problem::internal)?;
    let hash = secrets::token_hash(&token);
    let link = outbox::public_link(&format!("/reinitialiser/{token}")).await;
    let expires_at = now + RESET_TTL_SECONDS;
    cx.db
        .atomic(async |db| {
            gate.count(db).await?;
            let rows = db
                .platform().run(
                    "SELECT id, email, name, lang FROM accounts WHERE email = ? COLLATE NOCASE AND password_hash IS NOT NULL",
                    vec![email.as_str().into()],
                )
                .await?;
            let Some(account) = rows.first() else {
                return Ok(());
            };
            let account_id = account.string("id");
            // A new link kills the older ones (and expired links go).
            db.platform().run(
                "DELETE FROM password_resets WHERE account_id = ? OR expires_at <= ?",
                vec![account_id.as_str().into(), now.into()],
            )
            .await?;
            db.platform().run(
                "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                vec![hash.as_str().into(), account_id.as_str().into(), now.into(), expires_at.into()],
            )
            .await?;
            outbox::enqueue(
                db,
                Event::PasswordReset {
                    recipient: address_of(&account)?,
                    link: link.clone(),
                    expires_at: Instant(expires_at).to_string(),
                },
            )
            .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(
        202,
        &LinkSent {
            email,
            expires_in: RESET_TTL_SECONDS as u64,
        },
    ))
}

/// `POST /api/auth/password-reset/confirm`.
pub(super) async fn confirm_reset(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: PasswordResetConfirm = cx.req.json()?;
    check_new_password("password", &body.password)?;
    let hash = secrets::token_hash(body.token.trim());
    let now = now();
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT account_id, expires_at FROM password_resets WHERE token_hash = ?",
            vec![hash.as_str().into()],
        )
        .await?;
    let row = rows.first().ok_or_else(gone)?;
    if row.int("expires_at").unwrap_or(0) <= now {
        return Err(gone());
    }
    let account_id = row.string("account_id");
    let phc = secrets::hash_password(&body.password).map_err(Problem::internal)?;
    cx.db
        .atomic(async |db| {
            // Single use, even against a concurrent request with the same link.
            db.platform().run(
                "DELETE FROM password_resets WHERE token_hash = ? AND expires_at > ?",
                vec![hash.as_str().into(), now.into()],
            )
            .await?;
            if db.changes().await != 1 {
                return Err(gone());
            }
            set_password(db, &account_id, &phc, now).await?;
            // Whoever followed the link reads the account's mailbox: the address is
            // confirmed (a sign-up never confirmed is now), and sign-in failures are
            // forgotten.
            db.platform().run(
                "UPDATE accounts SET email_confirmed_at = COALESCE(email_confirmed_at, ?) WHERE id = ?",
                vec![now.into(), account_id.as_str().into()],
            )
            .await?;
            let email = db
                .platform()
                .run("SELECT email FROM accounts WHERE id = ?", vec![account_id.as_str().into()])
                .await?;
            if let Some(email) = email.first().and_then(|r| r.text("email").map(throttle::stored_key)) {
                db.platform()
                    .run(
                        "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key = ?",
                        vec![email.into()],
                    )
                    .await?;
            }
            Ok(())
        })
        .await?;
    publish_rights(&cx.db, &account_id).await?;
    outbox::relay(&cx.db).await;
    Ok(no_content())
}

/// `POST /api/me/password`: the caller's new tokens (a new session); every
/// other session is signed out.
pub(super) async fn change_password(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let body: PasswordChange = cx.req.json()?;
    check_new_password("new_password", &body.new_password)?;
    verify_own_password(cx, &p.sub, "current_password", &body.current_password).await?;
    let phc = secrets::hash_password(&body.new_password).map_err(Problem::internal)?;
    let family = uuid::Uuid::new_v4().to_string();
    let tokens = cx
        .db
        .atomic(async |db| {
            set_password(db, &p.sub, &phc, now()).await?;
            // Read after the raised rights version: the new token carries it.
            let subject = subject(db, &p.sub)
                .await?
                .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
            let tokens = issue(db, &subject, &family).await?;
            record_user_agent(db, &family, cx.req.header("user-agent")).await?;
            Ok::<_, Problem>(tokens)
        })
        .await?;
    publish_rights(&cx.db, &p.sub).await?;
    outbox::relay(&cx.db).await;
    Ok(json(200, &tokens))
}

/// Sets the account's password hash and signs every session out, inside the
/// caller's transaction: refresh-token families revoked, other reset links
/// deleted, rights version raised (publish it after the commit), and the person
/// told.
async fn set_password(db: &Db, account_id: &str, phc: &str, now: i64) -> Result<(), Problem> {
    db.platform()
        .run(
            "UPDATE accounts SET password_hash = ? WHERE id = ?",
            vec![phc.into(), account_id.into()],
        )
        .await?;
    if db.changes().await != 1 {
        return Err(Problem::unauthorized("the account no longer exists"));
    }
    db.platform()
        .run(
            "DELETE FROM password_resets WHERE account_id = ?",
            vec![account_id.into()],
        )
        .await?;
    revoke_all_sessions(db, account_id, now).await?;
    lower_rights(db, account_id).await?;
    // The directory learns the account first (it may predate the outbox).
    account_changed(db, account_id).await?;
    outbox::enqueue(
        db,
        Event::PasswordChanged {
            recipient: Recipient::Account {
                account_id: account_id.to_owned(),
            },
        },
    )
    .await?;
    Ok(())
}

/// Revokes every refresh-token family of the account.
pub(super) async fn revoke_all_sessions(
    db: &Db,
    account_id: &str,
    now: i64,
) -> Result<(), Problem> {
    db.platform()
        .run(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
            vec![now.into(), account_id.into()],
        )
        .await?;
    Ok(())
}
