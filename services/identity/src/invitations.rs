//! Invitations (issue 12). Whoever adds a person — a commune admin to their commune, a
//! programme operator anywhere or to the programme team, an organisation's member to
//! it — sends an invitation: a single-use link `/invitation/<token>` (256 random bits,
//! stored as their SHA-256 only), valid 7 days, e-mailed through the outbox in the
//! same transaction. The person previews it, then accepts: a newcomer (or an invited
//! account without a password yet) chooses name, password and language; an existing
//! account gives its current password (throttled as sign-in), so nobody is added
//! without consenting. Pending invitations are listed, resent (a new link, the old one
//! dies) and revoked by those who may invite.
//!
//! A child of `component`: it uses the handlers' helpers (policy, tokens, throttle,
//! rights) directly.

use qmi_api::notifications::{Event, Recipient};
use qmi_kit::outbox;
use qmi_kit::time::Instant;

use super::events::lang_of;
use super::*;

// Invitations: one platform-wide table (commune, programme and organisation
// invitations; see `crate::tables::SCHEMA`), written on the platform path by id;
// a commune's are read through its tenant view `commune_invitations`.

/// How long an invitation link stays valid (seconds): 7 days.
pub(super) const INVITATION_TTL: i64 = 7 * 24 * 3600;

pub(super) const COLUMNS: &[&str] = &[
    "id",
    "kind",
    "insee",
    "role",
    "organisation_id",
    "email",
    "name",
    "invited_by",
    "created_at",
    "expires_at",
];

/// Where an invitation leads.
#[derive(Clone, Copy, Debug)]
pub(super) enum Place<'a> {
    /// A commune (with a role), under the policy's decision to manage its members.
    Commune(&'a Allowed),
    /// The programme team.
    Programme,
    /// An organisation.
    Organisation(&'a str),
}

impl Place<'_> {
    fn kind(self) -> &'static str {
        match self {
            Place::Commune(_) => "commune",
            Place::Programme => "programme",
            Place::Organisation(_) => "organisation",
        }
    }
}

/// One invitation as stored.
pub(super) struct Stored {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) insee: Option<Insee>,
    pub(super) role: Option<MembershipRole>,
    pub(super) organisation_id: Option<String>,
    pub(super) email: String,
    pub(super) name: Option<String>,
    pub(super) invited_by: String,
    pub(super) created_at: i64,
    pub(super) expires_at: i64,
}

pub(super) fn stored(r: qmi_kit::sql::Row<'_>) -> Stored {
    Stored {
        id: r.string("id"),
        kind: r.string("kind"),
        insee: r.text("insee").and_then(|i| i.parse().ok()),
        role: r.text("role").and_then(MembershipRole::parse),
        organisation_id: r.text("organisation_id").map(str::to_owned),
        email: r.string("email"),
        name: r.text("name").map(str::to_owned),
        invited_by: r.string("invited_by"),
        created_at: r.int("created_at").unwrap_or(0),
        expires_at: r.int("expires_at").unwrap_or(0),
    }
}

/// The one answer for a link that is unknown, used, revoked or expired: it tells
/// nothing about which.
pub(super) fn gone() -> Problem {
    Problem::new(410, "link-unavailable", "Link no longer valid").detail(
        "this link is unknown, was already used or revoked, or has expired: ask for a new one",
    )
}

/// A new link token and what is stored of it.
pub(super) fn new_token() -> Result<(String, String), Problem> {
    let token = secrets::new_refresh_token().map_err(Problem::internal)?;
    let hash = secrets::token_hash(&token);
    Ok((token, hash))
}

pub(super) fn rfc3339(t: i64) -> String {
    Instant(t).to_string()
}

/// What an invitation joins, as its summary and preview state it.
pub(super) async fn joining(db: &Db, inv: &Stored) -> Result<Joining, Problem> {
    match (inv.kind.as_str(), &inv.insee, &inv.organisation_id) {
        ("commune", Some(insee), _) => {
            let commune = require_commune(db, insee).await?;
            Ok(Joining::Commune {
                insee: insee.clone(),
                name: commune.name,
                role: inv
                    .role
                    .ok_or_else(|| Problem::internal("commune invitation without a role"))?,
            })
        }
        ("organisation", _, Some(org)) => Ok(Joining::Organisation {
            organisation_id: org.clone(),
            name: require_organisation(db, org).await?.name,
        }),
        ("programme", _, _) => Ok(Joining::Programme),
        _ => Err(Problem::internal("an invitation of an unknown kind")),
    }
}

/// What is joined, in words, for the e-mail.
fn joining_words(joining: &Joining) -> String {
    match joining {
        Joining::Commune { name, role, .. } => format!("{name} ({})", role.as_str()),
        Joining::Programme => "QMI — équipe du programme / programme team".to_owned(),
        Joining::Organisation { name, .. } => name.clone(),
    }
}

pub(super) async fn account_name(db: &Db, account: &str) -> Result<String, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT name FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.string("name")).unwrap_or_default())
}

pub(super) async fn summary(db: &Db, inv: &Stored) -> Result<InvitationSummary, Problem> {
    Ok(InvitationSummary {
        id: inv.id.clone(),
        email: inv.email.parse().map_err(Problem::internal)?,
        joining: joining(db, inv).await?,
        invited_by: account_name(db, &inv.invited_by).await?,
        sent_at: rfc3339(inv.created_at),
        expires_at: rfc3339(inv.expires_at),
    })
}

/// E-mails invitation `inv` with link token `token` (inside the transaction). The
/// message goes to the address, in the language of its account if it has one.
async fn send(db: &Db, inv: &Stored, token: &str) -> Result<(), Problem> {
    let joining = joining(db, inv).await?;
    let email: Email = inv.email.parse().map_err(Problem::internal)?;
    let account = db
        .platform()
        .run(
            "SELECT name, lang FROM accounts WHERE email = ? COLLATE NOCASE",
            vec![inv.email.as_str().into()],
        )
        .await?;
    let (name, lang) = match account.first() {
        Some(a) => (Some(a.string("name")), lang_of(a.text("lang"))),
        None => (inv.name.clone(), Lang::Fr),
    };
    outbox::enqueue(
        db,
        Event::Invitation {
            recipient: Recipient::Address { email, name, lang },
            inviter: account_name(db, &inv.invited_by).await?,
            joining: joining_words(&joining),
            link: outbox::public_link(&format!("/invitation/{token}")).await,
            expires_at: rfc3339(inv.expires_at),
        },
    )
    .await?;
    Ok(())
}

/// The pending invitation to `place` for `email`, if any.
async fn pending_for(db: &Db, place: Place<'_>, email: &Email) -> Result<Option<Stored>, Problem> {
    let rows = match place {
        Place::Commune(allowed) => {
            db.tenant(allowed)?
                .select(COMMUNE_INVITATIONS, COLUMNS)
                .filter("status = 'pending'", [])
                .filter("email = ?", [email.as_str().into()])
                .rows()
                .await?
        }
        Place::Programme => {
            db.platform().run(
                &format!("SELECT {} FROM invitations WHERE kind = 'programme' AND status = 'pending' AND email = ?", COLUMNS.join(", ")),
                vec![email.as_str().into()],
            )
            .await?
        }
        Place::Organisation(org) => {
            db.platform().run(
                &format!("SELECT {} FROM invitations WHERE kind = 'organisation' AND organisation_id = ? AND status = 'pending' AND email = ?", COLUMNS.join(", ")),
                vec![org.into(), email.as_str().into()],
            )
            .await?
        }
    };
    Ok(rows.first().map(stored))
}

/// Invites `email` to `place` (inside the caller's transaction): a new invitation,
/// or the pending one sent again with a new link (its role and name updated). The
/// e-mail is queued with it.
pub(super) async fn invite(
    db: &Db,
    place: Place<'_>,
    email: &Email,
    role: Option<MembershipRole>,
    name: Option<&str>,
    inviter: &str,
) -> Result<Stored, Problem> {
    let (token, hash) = new_token()?;
    let t = now();
    let expires = t + INVITATION_TTL;
    let role = role.map(MembershipRole::as_str);
    let id = match pending_for(db, place, email).await? {
        Some(inv) => {
            db.platform().run(
                "UPDATE invitations SET token_hash = ?, created_at = ?, expires_at = ?, role = COALESCE(?, role), name = COALESCE(?, name), invited_by = ? WHERE id = ?",
                vec![hash.into(), t.into(), expires.into(), role.into(), name.into(), inviter.into(), inv.id.as_str().into()],
            )
            .await?;
            inv.id
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            let values: Vec<(&'static str, Value)> = vec![
                ("id", id.as_str().into()),
                ("kind", place.kind().into()),
                ("role", role.into()),
                ("email", email.as_str().into()),
                ("name", name.into()),
                ("invited_by", inviter.into()),
                ("token_hash", hash.into()),
                ("created_at", t.into()),
                ("expires_at", expires.into()),
            ];
            match place {
                Place::Commune(_) | Place::Programme | Place::Organisation(_) => {
                    let (org, insee) = match place {
                        Place::Organisation(org) => (Some(org), None),
                        Place::Commune(allowed) => (None, allowed.tenant()),
                        Place::Programme => (None, None),
                    };
                    let mut columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
                    let mut params: Vec<Value> = values.into_iter().map(|(_, v)| v).collect();
                    columns.push("organisation_id");
                    params.push(org.into());
                    columns.push("insee");
                    params.push(insee.into());
                    db.platform()
                        .run(
                            &format!(
                                "INSERT INTO invitations ({}) VALUES ({})",
                                columns.join(", "),
                                vec!["?"; columns.len()].join(", ")
                            ),
                            params,
                        )
                        .await?;
                }
            }
            id
        }
    };
    if let Place::Commune(allowed) = place {
        db.audit(allowed, "invitations", &id).await?;
    }
    let inv = load(db, &id)
        .await?
        .ok_or_else(|| Problem::internal("an invitation vanished as it was written"))?;
    send(db, &inv, &token).await?;
    Ok(inv)
}

async fn load(db: &Db, id: &str) -> Result<Option<Stored>, Problem> {
    let rows = db
        .platform()
        .run(
            &format!(
                "SELECT {} FROM invitations WHERE id = ?",
                COLUMNS.join(", ")
            ),
            vec![id.into()],
        )
        .await?;
    Ok(rows.first().map(stored))
}

/// Which invitations a route manages.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// `/api/communes/{insee}/invitations…`
    Commune,
    /// `/api/admin/invitations…`
    Programme,
    /// `/api/organisations/{id}/invitations…`
    Organisation,
}

/// The place of a route of `kind`, once the policy allowed the principal to
/// manage its invitations (a commune's decision is kept in `decision`: its
/// invitations are read through it) and the place exists.
pub(super) async fn managed_place<'a>(
    cx: &'a Ctx<'_>,
    kind: Kind,
    decision: &'a mut Option<Allowed>,
) -> Result<(Principal, Place<'a>), Problem> {
    let p = cx.principal()?;
    let place = match kind {
        Kind::Commune => {
            let insee = cx.insee()?;
            let allowed = cx.allow(Some(&p), Operation::ManageMembers(&insee)).await?;
            drop(require_commune(&cx.db, &insee).await?);
            Place::Commune(decision.insert(allowed))
        }
        Kind::Programme => {
            let _allowed = cx.allow(Some(&p), Operation::ManageTeam).await?;
            Place::Programme
        }
        Kind::Organisation => {
            let org = cx.param("id");
            let _allowed = cx
                .allow(Some(&p), Operation::UpdateOrganisation(org))
                .await?;
            drop(require_organisation(&cx.db, org).await?);
            Place::Organisation(org)
        }
    };
    Ok((p, place))
}

/// The SQL scope of `place`'s pending invitation `id`: a select of it.
async fn pending_in(db: &Db, place: Place<'_>, id: &str) -> Result<Option<Stored>, Problem> {
    let rows = match place {
        Place::Commune(allowed) => {
            db.tenant(allowed)?
                .select(COMMUNE_INVITATIONS, COLUMNS)
                .filter("status = 'pending'", [])
                .filter("id = ?", [id.into()])
                .rows()
                .await?
        }
        Place::Programme => {
            db.platform().run(
                &format!(
                    "SELECT {} FROM invitations WHERE kind = 'programme' AND status = 'pending' AND id = ?",
                    COLUMNS.join(", ")
                ),
                vec![id.into()],
            )
            .await?
        }
        Place::Organisation(org) => {
            db.platform().run(
                &format!(
                    "SELECT {} FROM invitations WHERE kind = 'organisation' AND organisation_id = ? AND status = 'pending' AND id = ?",
                    COLUMNS.join(", ")
                ),
                vec![org.into(), id.into()],
            )
            .await?
        }
    };
    Ok(rows.first().map(stored))
}

/// The `{id}` of an invitation route (`{invitation}` under an organisation).
fn invitation_param<'a>(cx: &'a Ctx<'_>, kind: Kind) -> &'a str {
    match kind {
        Kind::Organisation => cx.param("invitation"),
        Kind::Commune | Kind::Programme => cx.param("id"),
    }
}

/// `GET …/invitations`: the place's pending invitations (expired ones included, to
/// be resent), oldest first.
pub(super) async fn list(cx: &Ctx<'_>, kind: Kind) -> Result<Reply, Problem> {
    let mut decision = None;
    let (_, place) = managed_place(cx, kind, &mut decision).await?;
    let rows = match place {
        Place::Commune(allowed) => {
            cx.db
                .tenant(allowed)?
                .select(COMMUNE_INVITATIONS, COLUMNS)
                .filter("status = 'pending'", [])
                .order_by("id")
                .limit(500)
                .rows()
                .await?
        }
        Place::Programme => {
            cx.db
                .platform().run(
                    &format!(
                        "SELECT {} FROM invitations WHERE kind = 'programme' AND status = 'pending' ORDER BY id LIMIT 500",
                        COLUMNS.join(", ")
                    ),
                    vec![],
                )
                .await?
        }
        Place::Organisation(org) => {
            cx.db
                .platform().run(
                    &format!(
                        "SELECT {} FROM invitations WHERE kind = 'organisation' AND organisation_id = ? AND status = 'pending' ORDER BY id LIMIT 500",
                        COLUMNS.join(", ")
                    ),
                    vec![org.into()],
                )
                .await?
        }
    };
    let mut items = Vec::new();
    for r in rows.iter() {
        items.push(summary(&cx.db, &stored(r)).await?);
    }
    Ok(json(200, &items))
}

/// `POST …/invitations/{id}/resend`: a new link, valid 7 days from now; the old
/// link no longer works.
pub(super) async fn resend(cx: &Ctx<'_>, kind: Kind) -> Result<Reply, Problem> {
    let mut decision = None;
    let (_, place) = managed_place(cx, kind, &mut decision).await?;
    let id = invitation_param(cx, kind);
    let inv = cx
        .db
        .atomic(async |db| {
            let inv = pending_in(db, place, id)
                .await?
                .ok_or_else(|| Problem::not_found(format!("no pending invitation {id}")))?;
            let (token, hash) = new_token()?;
            let t = now();
            db.platform().run(
                "UPDATE invitations SET token_hash = ?, created_at = ?, expires_at = ? WHERE id = ? AND status = 'pending'",
                vec![hash.into(), t.into(), (t + INVITATION_TTL).into(), inv.id.as_str().into()],
            )
            .await?;
            if let Place::Commune(allowed) = place {
                db.audit(allowed, "invitations", &inv.id).await?;
            }
            let inv = load(db, &inv.id)
                .await?
                .ok_or_else(|| Problem::internal("an invitation vanished as it was resent"))?;
            send(db, &inv, &token).await?;
            summary(db, &inv).await
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(200, &inv))
}

/// `DELETE …/invitations/{id}`: the link no longer works.
pub(super) async fn revoke(cx: &Ctx<'_>, kind: Kind) -> Result<Reply, Problem> {
    let mut decision = None;
    let (_, place) = managed_place(cx, kind, &mut decision).await?;
    let id = invitation_param(cx, kind);
    let t = now();
    cx.db
        .atomic(async |db| {
            let inv = pending_in(db, place, id)
                .await?
                .ok_or_else(|| Problem::not_found(format!("no pending invitation {id}")))?;
            db.platform().run(
                "UPDATE invitations SET status = 'revoked', token_hash = NULL, answered_at = ? WHERE id = ? AND status = 'pending'",
                vec![t.into(), inv.id.as_str().into()],
            )
            .await?;
            if let Place::Commune(allowed) = place {
                db.audit(allowed, "invitations", &inv.id).await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    Ok(no_content())
}
