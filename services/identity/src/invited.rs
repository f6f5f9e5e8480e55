//! Invitations, the addressee's side (issue 12): the link's preview and its
//! acceptance (a newcomer chooses name, password and language; an existing account
//! gives its current password, throttled as sign-in: nobody is added without
//! consenting), and the organisation invitations a signed-in account answers in
//! `GET /api/me/invitations`.
//!
//! A child of `component`; the inviter's side is [`super::invitations`].

use qmi_kit::outbox;

use super::events::{account_changed, membership_changed};
use super::invitations::{COLUMNS, Stored, account_name, gone, joining, rfc3339, stored};
use super::*;

/// The signed-in account's e-mail (401 when the account is gone).
async fn my_email(db: &Db, account: &str) -> Result<String, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT email FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    rows.first()
        .map(|r| r.string("email"))
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))
}

/// `GET /api/me/invitations`: the pending, unexpired invitations to join an
/// organisation addressed to the account's e-mail.
pub(super) async fn list_my_invitations(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let email = my_email(&cx.db, &p.sub).await?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT i.id AS invitation_id, i.created_at AS sent_at, i.organisation_id FROM invitations i WHERE i.email = ? COLLATE NOCASE AND i.kind = 'organisation' AND i.status = 'pending' AND i.expires_at > ? ORDER BY i.id LIMIT 500",
            vec![email.into(), now().into()],
        )
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.string("organisation_id")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut cards = super::cards::cards(&ids).await?;
    // An invitation whose organisation has left the directory is not shown.
    let invitations: Vec<Invitation> = rows
        .iter()
        .filter_map(|r| {
            Some(Invitation {
                id: r.string("invitation_id"),
                organisation: cards.remove(r.text("organisation_id")?)?,
                invited_at: rfc3339(r.int("sent_at").unwrap_or(0)),
            })
        })
        .collect();
    Ok(json(200, &invitations))
}

/// `POST /api/me/invitations/{id}/accept|decline`. Only the invitation's
/// addressee answers it (anyone else: 404, as for one that does not exist), and
/// only once, before it expires. Accepting joins the organisation and records the
/// answer in one transaction; an account of another organisation leaves it first (409).
pub(super) async fn answer_invitation(cx: &Ctx<'_>, accept: bool) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let invitation = cx.param("id").to_owned();
    let email = my_email(&cx.db, &p.sub).await?;
    let t = now();
    let joined = cx
        .db
        .atomic(async |db| {
            let rows = db
                .platform().run(
                    "SELECT organisation_id FROM invitations WHERE id = ? AND email = ? COLLATE NOCASE AND kind = 'organisation' AND status = 'pending' AND expires_at > ?",
                    vec![invitation.as_str().into(), email.as_str().into(), t.into()],
                )
                .await?;
            let organisation = rows
                .first()
                .map(|r| r.string("organisation_id"))
                .ok_or_else(|| Problem::not_found(format!("no pending invitation {invitation}")))?;
            if accept {
                join_organisation(db, &p.sub, &organisation).await?;
            }
            db.platform().run(
                "UPDATE invitations SET status = ?, token_hash = NULL, answered_at = ? WHERE id = ?",
                vec![if accept { "accepted" } else { "declined" }.into(), t.into(), invitation.as_str().into()],
            )
            .await?;
            Ok::<_, Problem>(organisation)
        })
        .await?;
    if accept {
        outbox::relay(&cx.db).await;
        Ok(json(200, &require_organisation(&cx.db, &joined).await?))
    } else {
        Ok(no_content())
    }
}

/// Makes `account` a member of `organisation` (inside the caller's transaction) and
/// tells the directory and the person; 409 when it belongs to another organisation.
pub(super) async fn join_organisation(
    db: &Db,
    account: &str,
    organisation: &str,
) -> Result<(), Problem> {
    db.platform().run(
        "UPDATE accounts SET organisation_id = ? WHERE id = ? AND (organisation_id IS NULL OR organisation_id = ?)",
        vec![organisation.into(), account.into(), organisation.into()],
    )
    .await?;
    if db.changes().await != 1 {
        return Err(Problem::conflict(
            "an account belongs to at most one organisation: leave yours before joining another",
        ));
    }
    let name = require_organisation(db, organisation).await?.name;
    account_changed(db, account).await?;
    membership_changed(db, account, &name, None, true).await
}

/// The pending, unexpired invitation of link `token`, or the one 410.
async fn by_token(db: &Db, token: &str) -> Result<Stored, Problem> {
    let rows = db
        .platform().run(
            &format!(
                "SELECT {} FROM invitations WHERE token_hash = ? AND status = 'pending' AND expires_at > ?",
                COLUMNS.join(", ")
            ),
            vec![secrets::token_hash(token).into(), now().into()],
        )
        .await?;
    rows.first().map(stored).ok_or_else(gone)
}

/// An account by e-mail: its id and password hash (`None`: invited, no password yet).
async fn credentials(db: &Db, email: &str) -> Result<Option<(String, Option<String>)>, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT id, password_hash FROM accounts WHERE email = ? COLLATE NOCASE",
            vec![email.into()],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| (r.string("id"), r.text("password_hash").map(str::to_owned))))
}

/// `GET /api/auth/invitations/{token}`: what the link offers.
pub(super) async fn preview(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let inv = by_token(&cx.db, cx.param("token")).await?;
    let account_exists = matches!(credentials(&cx.db, &inv.email).await?, Some((_, Some(_))));
    Ok(json(
        200,
        &InvitationPreview {
            joining: joining(&cx.db, &inv).await?,
            invited_by: account_name(&cx.db, &inv.invited_by).await?,
            email: inv.email.parse().map_err(Problem::internal)?,
            name: inv.name.clone(),
            account_exists,
            expires_at: rfc3339(inv.expires_at),
        },
    ))
}

/// Checks `password` against an account's hash with sign-in's throttling (per
/// e-mail and per client address): 429 while blocked, 401 when wrong (counted).
pub(super) async fn verify_throttled(
    cx: &Ctx<'_>,
    email: &str,
    password: &str,
    hash: &str,
) -> Result<(), Problem> {
    let client = client_key(cx.req);
    let t = now();
    let account_state = throttle_state(&cx.db, "account", email).await?;
    let client_state = throttle_state(&cx.db, "client", &client).await?;
    let wait = [
        throttle::ACCOUNT.check(&account_state, t),
        throttle::CLIENT.check(&client_state, t),
    ]
    .into_iter()
    .filter_map(Result::err)
    .max();
    if let Some(wait) = wait {
        return Err(Problem::too_many_requests(
            wait,
            "too many failed attempts; try again later",
        ));
    }
    if secrets::verify_password(password, hash) {
        cx.db
            .platform()
            .run(
                "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key = ?",
                vec![throttle::stored_key(email).into()],
            )
            .await?;
        return Ok(());
    }
    cx.db
        .atomic(async |db| {
            save_throttle(
                db,
                "account",
                email,
                throttle::ACCOUNT.fail(&account_state, t),
            )
            .await?;
            save_throttle(
                db,
                "client",
                &client,
                throttle::CLIENT.fail(&client_state, t),
            )
            .await
        })
        .await?;
    Err(
        Problem::new(401, "invalid-credentials", "Invalid credentials")
            .detail("wrong password")
            .field("password", "the account's current password"),
    )
}

/// `POST /api/auth/invitations/{token}/accept`: the place is joined, the account
/// created or completed, the e-mail confirmed (the link reached it), and the person
/// signed in (200, tokens).
pub(super) async fn accept(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let token = cx.param("token").to_owned();
    let body: AcceptInvitation = cx.req.json()?;
    let inv = by_token(&cx.db, &token).await?;
    let existing = credentials(&cx.db, &inv.email).await?;
    // A newcomer's (or an invited account's) profile, checked and hashed before the
    // transaction; an existing account's password, checked as at sign-in.
    let newcomer = match &existing {
        Some((_, Some(hash))) => {
            verify_throttled(cx, &inv.email, &body.password, hash).await?;
            None
        }
        _ => {
            let mut problem = Problem::validation();
            let name = body
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .or(inv.name.clone());
            match name.as_deref() {
                None => problem = problem.field("name", "required: the name to show"),
                Some(n) => {
                    if let Some(message) = crate::name_problem(n) {
                        problem = problem.field("name", message);
                    }
                }
            }
            if let Some(message) = crate::secrets::password_problem(&body.password) {
                problem = problem.field("password", message);
            }
            if !problem.errors.is_empty() {
                return Err(problem);
            }
            let hash = secrets::hash_password(&body.password).map_err(Problem::internal)?;
            Some((
                name.unwrap_or_default(),
                hash,
                body.lang.unwrap_or(Lang::Fr),
            ))
        }
    };
    let t = now();
    let (tokens, account, rights) = cx
        .db
        .atomic(async |db| {
            // Single use: the invitation is taken first, or the link is gone.
            db.platform().run(
                "UPDATE invitations SET status = 'accepted', token_hash = NULL, answered_at = ? WHERE id = ? AND status = 'pending' AND token_hash = ? AND expires_at > ?",
                vec![t.into(), inv.id.as_str().into(), secrets::token_hash(&token).into(), t.into()],
            )
            .await?;
            if db.changes().await != 1 {
                return Err(gone());
            }
            let account = match (&existing, &newcomer) {
                (Some((id, _)), None) => {
                    db.platform().run(
                        "UPDATE accounts SET email_confirmed_at = COALESCE(email_confirmed_at, ?) WHERE id = ?",
                        vec![t.into(), id.as_str().into()],
                    )
                    .await?;
                    id.clone()
                }
                (Some((id, None)), Some((name, hash, lang))) => {
                    // An account invited before links existed: it chooses its password now.
                    db.platform().run(
                        "UPDATE accounts SET password_hash = ?, name = ?, lang = ?, email_confirmed_at = ? WHERE id = ? AND password_hash IS NULL",
                        vec![hash.as_str().into(), name.as_str().into(), lang.as_str().into(), t.into(), id.as_str().into()],
                    )
                    .await?;
                    if db.changes().await != 1 {
                        return Err(gone());
                    }
                    account_changed(db, id).await?;
                    id.clone()
                }
                (None, Some((name, hash, lang))) => {
                    let id = uuid::Uuid::now_v7().to_string();
                    let created = db
                        .platform().run(
                            "INSERT INTO accounts (id, email, password_hash, name, lang, email_confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
                            vec![id.as_str().into(), inv.email.as_str().into(), hash.as_str().into(), name.as_str().into(), lang.as_str().into(), t.into()],
                        )
                        .await;
                    match created {
                        // Signed up meanwhile: accepting needs that account's password.
                        Err(e) if e.is_unique_violation() => {
                            return Err(Problem::conflict(
                                "an account with this e-mail was created meanwhile: open the link again and give its password",
                            ));
                        }
                        other => other?,
                    };
                    account_changed(db, &id).await?;
                    id
                }
                _ => return Err(Problem::internal("an invitation's account changed during acceptance")),
            };
            // A link followed confirms the address: pending sign-up links are moot.
            db.platform().run(
                "DELETE FROM email_confirmations WHERE account_id = ?",
                vec![account.as_str().into()],
            )
            .await?;
            // The person accepting acts from here on (the link was their credential).
            db.act_as(&account);
            let mut rights = false;
            match (inv.kind.as_str(), &inv.insee, &inv.organisation_id) {
                ("commune", Some(insee), _) => {
                    let role = inv.role.unwrap_or(MembershipRole::Agent);
                    // The inviter's member-manage decision, stored with the invitation.
                    let invited = Allowed::standing(insee.clone(), "invitation-accept");
                    db.tenant(&invited)?
                        .insert(
                            MEMBERSHIPS,
                            vec![("account_id", account.as_str().into()), ("role", role.as_str().into())],
                        )
                        .upsert(&["account_id"], &[])
                        .run()
                        .await?;
                    if db.changes().await == 1 {
                        let commune = require_commune(db, insee).await?;
                        membership_changed(db, &account, &commune.name, Some((insee, Some(role))), true).await?;
                    }
                }
                ("programme", _, _) => {
                    db.platform().run(
                        "INSERT INTO platform_roles (account_id, role) VALUES (?, 'programme') ON CONFLICT DO NOTHING",
                        vec![account.as_str().into()],
                    )
                    .await?;
                    if db.changes().await == 1 {
                        membership_changed(db, &account, "QMI — équipe du programme", None, true)
                            .await?;
                    }
                }
                ("organisation", _, Some(org)) => {
                    join_organisation(db, &account, org).await?;
                    // Tokens issued before say no organisation: as for the other
                    // changes of organisation, they are refused from now on.
                    lower_rights(db, &account).await?;
                    rights = true;
                }
                _ => return Err(Problem::internal("an invitation of an unknown kind")),
            }
            let subject = subject(db, &account)
                .await?
                .ok_or_else(|| Problem::internal("account vanished during acceptance"))?;
            let tokens = issue(db, &subject, &uuid::Uuid::new_v4().to_string()).await?;
            Ok((tokens, account, rights))
        })
        .await?;
    if rights {
        publish_rights(&cx.db, &account).await?;
    }
    outbox::relay(&cx.db).await;
    Ok(json(200, &tokens))
}
