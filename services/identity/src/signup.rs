//! Partner sign-up (issue 12): a startup, association or company creates its own
//! account, then confirms its e-mail by a single-use link (24 hours) before it can
//! create or join an organisation (the policy's `account-unconfirmed` fact), hence
//! apply. The answer to a sign-up is the same whether or not the address is taken:
//! a taken address's owner gets a password reset link instead (the same kind of
//! message as `POST /api/auth/password-reset`), and nothing changes on the account.
//!
//! A child of `component`, as [`super::invitations`].

use qmi_api::notifications::{Event, Recipient};
use qmi_kit::outbox;
use qmi_kit::time::Instant;

use super::events::{account_changed, lang_of};
use super::invitations::{gone, new_token};
use super::*;

/// How long a confirmation link stays valid (seconds): 24 hours.
pub(super) const CONFIRMATION_TTL: i64 = 24 * 3600;

/// Whether `account` has not confirmed its e-mail address yet (a fact for the
/// policy's questions about organisations).
pub(super) async fn unconfirmed(db: &Db, account: &str) -> Result<bool, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT email_confirmed_at FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    Ok(rows
        .first()
        .is_some_and(|r| r.int("email_confirmed_at").is_none()))
}

/// `POST /api/auth/sign-up`: 202, the same answer whether or not the e-mail is taken.
pub(super) async fn sign_up(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: SignUp = cx.req.json()?;
    let name = body.name.trim().to_owned();
    let mut problem = Problem::validation();
    if let Some(message) = crate::name_problem(&body.name) {
        problem = problem.field("name", message);
    }
    if let Some(message) = crate::secrets::password_problem(&body.password) {
        problem = problem.field("password", message);
    }
    if !problem.errors.is_empty() {
        return Err(problem);
    }
    let lang = body.lang.unwrap_or(Lang::Fr);
    // Hashed whether or not the address is free: both answers take as long.
    let hash = secrets::hash_password(&body.password).map_err(Problem::internal)?;
    let (token, token_hash) = new_token()?;
    let t = now();
    let expires = t + CONFIRMATION_TTL;
    cx.db
        .atomic(async |db| {
            let rows = db
                .platform().run(
                    "SELECT id, name, lang, password_hash, email_confirmed_at FROM accounts WHERE email = ? COLLATE NOCASE",
                    vec![body.email.as_str().into()],
                )
                .await?;
            let account = match rows.first() {
                Some(a) if a.int("email_confirmed_at").is_some() => {
                    // Taken: nothing changes on the account. Its owner, who may have
                    // forgotten it, gets a password reset link (1 hour) instead, in its
                    // own language; an invited account without a password gets nothing
                    // (its invitation sets one).
                    if a.text("password_hash").is_some() {
                        let reset_expires = t + super::passwords::RESET_TTL_SECONDS;
                        db.platform().run(
                            "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                            vec![token_hash.as_str().into(), a.string("id").into(), t.into(), reset_expires.into()],
                        )
                        .await?;
                        outbox::enqueue(
                            db,
                            Event::PasswordReset {
                                recipient: Recipient::Address {
                                    email: body.email.clone(),
                                    name: Some(a.string("name")),
                                    lang: lang_of(a.text("lang")),
                                },
                                link: outbox::public_link(&format!("/reinitialiser/{token}")).await,
                                expires_at: Instant(reset_expires).to_string(),
                            },
                        )
                        .await?;
                    }
                    return Ok(());
                }
                // Signed up before, never confirmed: this attempt gets its own link.
                Some(a) => a.string("id"),
                None => {
                    let id = uuid::Uuid::now_v7().to_string();
                    db.platform().run(
                        "INSERT INTO accounts (id, email, password_hash, name, lang) VALUES (?, ?, ?, ?, ?)",
                        vec![id.as_str().into(), body.email.as_str().into(), hash.as_str().into(), name.as_str().into(), lang.as_str().into()],
                    )
                    .await?;
                    account_changed(db, &id).await?;
                    id
                }
            };
            db.platform().run(
                "INSERT INTO email_confirmations (token_hash, account_id, password_hash, name, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![token_hash.as_str().into(), account.as_str().into(), hash.as_str().into(), name.as_str().into(), lang.as_str().into(), t.into(), expires.into()],
            )
            .await?;
            outbox::enqueue(
                db,
                Event::EmailConfirmation {
                    recipient: Recipient::Address {
                        email: body.email.clone(),
                        name: Some(name.clone()),
                        lang,
                    },
                    link: outbox::public_link(&format!("/confirmer/{token}")).await,
                    expires_at: Instant(expires).to_string(),
                },
            )
            .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(
        202,
        &SignUpReceived {
            email: body.email,
            expires_in: CONFIRMATION_TTL as u64,
        },
    ))
}

/// `POST /api/auth/confirm-email`: a change of address (see
/// `super::account::confirm_change`), or a sign-up's: the address is confirmed, the account takes the
/// password, name and language of the sign-up whose link was followed, every other
/// session is signed out, and the person is signed in (200, tokens).
pub(super) async fn confirm_email(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: ConfirmEmail = cx.req.json()?;
    let hash = secrets::token_hash(body.token.trim());
    // The same link shape confirms a change of address from the account page.
    if let Some(reply) = super::account::confirm_change(cx, &hash).await? {
        return Ok(reply);
    }
    let t = now();
    let (tokens, account) = cx
        .db
        .atomic(async |db| {
            let rows = db
                .platform().run(
                    "SELECT account_id, password_hash, name, lang FROM email_confirmations WHERE token_hash = ? AND expires_at > ?",
                    vec![hash.as_str().into(), t.into()],
                )
                .await?;
            let row = rows.first().ok_or_else(gone)?;
            let account = row.string("account_id");
            db.platform().run(
                "DELETE FROM email_confirmations WHERE account_id = ?",
                vec![account.as_str().into()],
            )
            .await?;
            db.platform().run(
                "UPDATE accounts SET password_hash = ?, name = ?, lang = ?, email_confirmed_at = ? WHERE id = ? AND email_confirmed_at IS NULL",
                vec![row.string("password_hash").into(), row.string("name").into(), row.string("lang").into(), t.into(), account.as_str().into()],
            )
            .await?;
            if db.changes().await != 1 {
                return Err(gone());
            }
            db.platform().run(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                vec![t.into(), account.as_str().into()],
            )
            .await?;
            lower_rights(db, &account).await?;
            account_changed(db, &account).await?;
            let subject = subject(db, &account)
                .await?
                .ok_or_else(|| Problem::internal("account vanished during confirmation"))?;
            let tokens = issue(db, &subject, &uuid::Uuid::new_v4().to_string()).await?;
            Ok((tokens, account))
        })
        .await?;
    publish_rights(&cx.db, &account).await?;
    outbox::relay(&cx.db).await;
    Ok(json(200, &tokens))
}
