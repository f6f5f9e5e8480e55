//! The account page (issue 12): name and language, a change of e-mail applied
//! once the new address is confirmed, and the signed-in sessions.
//!
//! Every route here acts on the caller's own account (the token's `sub`) and
//! nothing else, as `getMe` does: there is no other record to ask the policy
//! about. A session id that is not one of the caller's is a 404, like one that
//! does not exist.
//!
//! Sessions are refresh-token families: one sign-in and its renewals. A token
//! response names its family (`session_id`), which the client sends back in
//! `QMI-Session` to see its own session marked `current`. Signing a session
//! out revokes its family: it cannot be renewed, and its last access token
//! lapses within 15 minutes (a new password signs everything out at once).

use qmi_api::identity::{
    CommuneStatus, Email, EmailChange, Lang, LinkSent, Me, MePatch, MyMembership, SESSION_HEADER,
    Session,
};
use qmi_api::notifications::{Event, Recipient};
use qmi_api::{Insee, MembershipRole};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json, no_content};
use qmi_kit::outbox;
use qmi_kit::store::Db;
use qmi_kit::time::Instant;

use super::events::{account_changed, lang_of};
use super::invitations::gone;
use super::organisations::load_organisation;
use super::passwords::verify_own_password;
use super::{Ctx, issue, lower_rights, now, publish_rights, subject};
use crate::secrets;
use crate::tables::MEMBERSHIPS;

/// How long an e-mail confirmation link stays valid.
pub const EMAIL_TTL_SECONDS: i64 = 24 * 3600;

/// The most characters of a `User-Agent` kept with a session.
const USER_AGENT_CHARS: usize = 200;

/// The sessions listed at most (the most recently used first).
const MAX_SESSIONS: u32 = 100;

/// `GET /api/me`: the caller's account, organisation, platform roles and
/// memberships (those of suspended communes apart).
pub(super) async fn get_me(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT id, email, name, lang, organisation_id FROM accounts WHERE id = ?",
            vec![p.sub.as_str().into()],
        )
        .await?;
    let a = rows
        .first()
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let organisation = match a.text("organisation_id") {
        Some(id) => load_organisation(&cx.db, id).await?,
        None => None,
    };
    let subject = subject(&cx.db, &p.sub)
        .await?
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    // The caller's own memberships (their rights, as their token carries them).
    let rows = cx
        .db
        .facts()
        .select(MEMBERSHIPS, &["m.insee", "m.role", "c.name", "c.status"])
        .alias("m")
        .join_platform("communes c", "c.insee = m.insee", [])
        .filter("m.account_id = ?", [p.sub.as_str().into()])
        .order_by("m.insee")
        .rows()
        .await?;
    // Active memberships (exactly the token's), and apart those of suspended communes.
    let (mut memberships, mut suspended_memberships) = (Vec::new(), Vec::new());
    for r in rows.iter() {
        let (Some(insee), Some(role)) = (
            r.text("insee").and_then(|i| i.parse::<Insee>().ok()),
            r.text("role").and_then(MembershipRole::parse),
        ) else {
            continue;
        };
        let m = MyMembership {
            insee,
            name: r.string("name"),
            role,
        };
        if r.text("status") == Some(CommuneStatus::Suspended.as_str()) {
            suspended_memberships.push(m)
        } else {
            memberships.push(m)
        }
    }
    Ok(json(
        200,
        &Me {
            id: a.string("id"),
            email: a.string("email"),
            name: a.string("name"),
            lang: if a.text("lang") == Some("en") {
                Lang::En
            } else {
                Lang::Fr
            },
            platform_roles: subject.ops.clone(),
            organisation,
            memberships,
            suspended_memberships,
        },
    ))
}

/// `PATCH /api/me`: the caller's name and language; the directory is told in the
/// same transaction.
pub(super) async fn update_me(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let patch: MePatch = cx.req.json()?;
    let name = patch.name.as_deref().map(str::trim);
    if let Some(message) = name.and_then(crate::name_problem) {
        return Err(Problem::invalid_field("name", message));
    }
    cx.db
        .atomic(async |db| {
            db.platform().run(
                "UPDATE accounts SET name = COALESCE(?, name), lang = COALESCE(?, lang) WHERE id = ?",
                vec![
                    name.map(str::to_owned).into(),
                    patch.lang.map(|l| l.as_str().to_owned()).into(),
                    p.sub.as_str().into(),
                ],
            )
            .await?;
            if db.changes().await != 1 {
                return Err(Problem::unauthorized("the account no longer exists"));
            }
            account_changed(db, &p.sub).await?;
            Ok(())
        })
        .await?;
    outbox::relay(&cx.db).await;
    get_me(cx).await
}

/// `POST /api/me/email`: a confirmation link (24 hours) to the new address. The
/// answer is the same when another account has that address (nothing is sent
/// then, and confirming could not apply it), so that it tells nothing about who
/// is registered. A new request replaces the previous link.
pub(super) async fn change_email(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let body: EmailChange = cx.req.json()?;
    let email: Email = body
        .email
        .parse()
        .map_err(|_| Problem::invalid_field("email", "an e-mail address"))?;
    verify_own_password(cx, &p.sub, "password", &body.password).await?;
    let now = now();
    let token = secrets::new_refresh_token().map_err(Problem::internal)?;
    let hash = secrets::token_hash(&token);
    let link = outbox::public_link(&format!("/confirmer/{token}")).await;
    let expires_at = now + EMAIL_TTL_SECONDS;
    cx.db
        .atomic(async |db| {
            let me = db
                .platform().run(
                    "SELECT email, name, lang FROM accounts WHERE id = ?",
                    vec![p.sub.as_str().into()],
                )
                .await?;
            let me = me
                .first()
                .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
            if me.text("email") == Some(email.as_str()) {
                return Err(Problem::invalid_field(
                    "email",
                    "this is already the account's address",
                ));
            }
            let taken = db
                .platform().run(
                    "SELECT 1 AS taken FROM accounts WHERE email = ? COLLATE NOCASE",
                    vec![email.as_str().into()],
                )
                .await?;
            db.platform().run(
                "DELETE FROM email_changes WHERE account_id = ? OR expires_at <= ?",
                vec![p.sub.as_str().into(), now.into()],
            )
            .await?;
            if !taken.is_empty() {
                return Ok(());
            }
            db.platform().run(
                "INSERT INTO email_changes (token_hash, account_id, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                vec![hash.as_str().into(), p.sub.as_str().into(), email.as_str().into(), now.into(), expires_at.into()],
            )
            .await?;
            outbox::enqueue(
                db,
                Event::EmailConfirmation {
                    recipient: Recipient::Address {
                        email: email.clone(),
                        name: Some(me.string("name")),
                        lang: lang_of(me.text("lang")),
                    },
                    link: link.clone(),
                    expires_at: Instant(expires_at).to_string(),
                },
            )
            .await?;
            Ok(())
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(
        202,
        &LinkSent {
            email,
            expires_in: EMAIL_TTL_SECONDS as u64,
        },
    ))
}

/// `POST /api/auth/confirm-email` with the token of a change of e-mail (table
/// `email_changes`; `None` for any other token, which the sign-up confirmation
/// then answers). Used once within 24 hours, the link applies the new address,
/// which counts as confirmed (409 naming `email` when another account took it
/// meanwhile): the rights version is raised, so that sessions opened under the
/// old address renew their tokens, the directory is told, and the person who
/// followed the link is signed in (200, a new session), as after a sign-up.
pub(super) async fn confirm_change(
    cx: &Ctx<'_>,
    token_hash: &str,
) -> Result<Option<Reply>, Problem> {
    let now = now();
    let found = cx
        .db
        .platform()
        .run(
            "SELECT account_id FROM email_changes WHERE token_hash = ? AND expires_at > ?",
            vec![token_hash.into(), now.into()],
        )
        .await?;
    let Some(account_id) = found.first().map(|r| r.string("account_id")) else {
        return Ok(None);
    };
    let family = uuid::Uuid::new_v4().to_string();
    let tokens =
        cx.db
            .atomic(async |db| {
                let rows = db
                .platform().run(
                    "SELECT new_email FROM email_changes WHERE token_hash = ? AND expires_at > ?",
                    vec![token_hash.into(), now.into()],
                )
                .await?;
                let email = rows
                    .first()
                    .map(|r| r.string("new_email"))
                    .ok_or_else(gone)?;
                db.platform()
                    .run(
                        "DELETE FROM email_changes WHERE account_id = ?",
                        vec![account_id.as_str().into()],
                    )
                    .await?;
                let result = db
                    .platform()
                    .run(
                        "UPDATE accounts SET email = ?, email_confirmed_at = ? WHERE id = ?",
                        vec![
                            email.as_str().into(),
                            now.into(),
                            account_id.as_str().into(),
                        ],
                    )
                    .await;
                match result {
                    Err(e) if e.is_unique_violation() => {
                        return Err(Problem::conflict("another account has this address now")
                            .field("email", "already registered"));
                    }
                    other => other?,
                };
                if db.changes().await != 1 {
                    return Err(gone());
                }
                lower_rights(db, &account_id).await?;
                account_changed(db, &account_id).await?;
                let subject = subject(db, &account_id).await?.ok_or_else(gone)?;
                let tokens = issue(db, &subject, &family).await?;
                record_user_agent(db, &family, cx.req.header("user-agent")).await?;
                Ok::<_, Problem>(tokens)
            })
            .await?;
    publish_rights(&cx.db, &account_id).await?;
    outbox::relay(&cx.db).await;
    Ok(Some(json(200, &tokens)))
}

/// Keeps the `User-Agent` that opened a session (shortened, control characters
/// dropped) with its first refresh token.
pub(super) async fn record_user_agent(
    db: &Db,
    family: &str,
    user_agent: Option<&str>,
) -> Result<(), Problem> {
    let Some(agent) = user_agent
        .map(|ua| {
            ua.chars()
                .filter(|c| !c.is_control())
                .take(USER_AGENT_CHARS)
                .collect::<String>()
        })
        .filter(|ua| !ua.trim().is_empty())
    else {
        return Ok(());
    };
    db.platform()
        .run(
            "UPDATE refresh_tokens SET user_agent = ? WHERE family_id = ?",
            vec![agent.trim().into(), family.into()],
        )
        .await?;
    Ok(())
}

/// `GET /api/me/sessions`: the account's live sessions (a family with a token
/// neither rotated, revoked nor expired), the most recently used first.
pub(super) async fn list_sessions(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let current = cx.req.header(SESSION_HEADER).map(str::trim);
    let rows = cx
        .db
        .platform().run(
            &format!(
                "SELECT family_id, MIN(issued_at) AS started_at, MAX(issued_at) AS last_used_at, MAX(user_agent) AS user_agent \
                 FROM refresh_tokens WHERE account_id = ? GROUP BY family_id \
                 HAVING SUM(CASE WHEN revoked_at IS NULL AND rotated_at IS NULL AND expires_at > ? THEN 1 ELSE 0 END) > 0 \
                 ORDER BY last_used_at DESC, family_id LIMIT {MAX_SESSIONS}"
            ),
            vec![p.sub.as_str().into(), now().into()],
        )
        .await?;
    let sessions: Vec<Session> = rows
        .iter()
        .map(|r| {
            let id = r.string("family_id");
            Session {
                current: current == Some(id.as_str()),
                started_at: Instant(r.int("started_at").unwrap_or(0)).to_string(),
                last_used_at: Instant(r.int("last_used_at").unwrap_or(0)).to_string(),
                user_agent: r.text("user_agent").map(str::to_owned),
                id,
            }
        })
        .collect();
    Ok(json(200, &sessions))
}

/// `DELETE /api/me/sessions/{id}`: signs one of the caller's live sessions out
/// (anyone else's, or a session already ended: 404).
pub(super) async fn revoke_session(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let family = cx.param("id");
    let now = now();
    cx.db
        .atomic(async |db| {
            // Live: one of its tokens is still usable.
            let live = db
                .platform().run(
                    "SELECT 1 AS live FROM refresh_tokens WHERE family_id = ? AND account_id = ? \
                     AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > ? LIMIT 1",
                    vec![family.into(), p.sub.as_str().into(), now.into()],
                )
                .await?;
            if live.is_empty() {
                return Err(Problem::not_found(format!("no session {family}")));
            }
            db.platform().run(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND account_id = ? AND revoked_at IS NULL",
                vec![now.into(), family.into(), p.sub.as_str().into()],
            )
            .await?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
