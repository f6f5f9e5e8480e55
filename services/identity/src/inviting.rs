//! The routes that add a person — to a commune (a member gets the new role at
//! once, anyone else an invitation), to the programme team, to an organisation —
//! by inviting them ([`super::invitations`]). A child of `component`.

use qmi_kit::outbox;

use super::invitations::{Kind, Place, invite, managed_place, summary};
use super::*;

/// `POST /api/admin/invitations`: invites a person to the programme team.
pub(super) async fn invite_to_programme(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut decision = None;
    let (p, place) = managed_place(cx, Kind::Programme, &mut decision).await?;
    let body: NewTeamInvitation = cx.req.json()?;
    let name = proposed_name(body.name.as_deref())?;
    let inv = cx
        .db
        .atomic(async |db| {
            let inv = invite(db, place, &body.email, None, name.as_deref(), &p.sub).await?;
            summary(db, &inv).await
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(202, &inv))
}

/// A name an inviter proposes for a newcomer: trimmed, valid, or none.
fn proposed_name(name: Option<&str>) -> Result<Option<String>, Problem> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(message) = name.and_then(crate::name_problem) {
        return Err(Problem::invalid_field("name", message));
    }
    Ok(name.map(str::to_owned))
}

/// `POST /api/communes/{insee}/members`: a person already a member gets the new
/// role at once (200, the member); anyone else is invited (202, the invitation,
/// the same whether or not the e-mail has an account).
pub(super) async fn add_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let allowed = cx.allow(Some(&p), Operation::ManageMembers(&insee)).await?;
    let commune = require_commune(&cx.db, &insee).await?;
    let body: AddMember = cx.req.json()?;
    let name = proposed_name(body.name.as_deref())?;
    enum Outcome {
        Member(Member, bool),
        Invited(InvitationSummary),
    }
    let outcome = cx
        .db
        .atomic(async |db| {
            let account = account_by_email(db, &body.email).await?;
            let members = db.tenant(&allowed)?;
            let previous = match &account {
                Some(a) => members
                    .select(MEMBERSHIPS, &["role"])
                    .filter("account_id = ?", [a.id.as_str().into()])
                    .rows()
                    .await?
                    .first()
                    .and_then(|r| r.text("role").and_then(MembershipRole::parse)),
                None => None,
            };
            match (account, previous) {
                (Some(account), Some(previous)) => {
                    // A new role for a member: never the last admin's demotion
                    // (checked in the same statement, so two changes cannot both pass).
                    members
                        .update(MEMBERSHIPS, vec![("role", body.role.as_str().into())])
                        .filter("account_id = ?", [account.id.as_str().into()])
                        .filter(
                            "(? = 'admin' OR role <> 'admin' OR (SELECT COUNT(*) FROM memberships m WHERE m.insee = memberships.insee AND m.role = 'admin') > 1)",
                            [body.role.as_str().into()],
                        )
                        .run()
                        .await?;
                    if db.changes().await == 0 {
                        return Err(last_admin(&insee));
                    }
                    let changed = previous != body.role;
                    if changed {
                        lower_rights(db, &account.id).await?;
                    }
                    Ok(Outcome::Member(
                        Member {
                            account_id: account.id,
                            name: account.name,
                            email: account.email,
                            role: body.role,
                            organisation: account.organisation_id,
                        },
                        changed,
                    ))
                }
                _ => {
                    let inv = invite(
                        db,
                        Place::Commune(&allowed),
                        &body.email,
                        Some(body.role),
                        name.as_deref(),
                        &p.sub,
                    )
                    .await?;
                    Ok(Outcome::Invited(summary(db, &inv).await?))
                }
            }
        })
        .await?;
    let _ = commune;
    match outcome {
        Outcome::Member(member, changed) => {
            if changed {
                publish_rights(&cx.db, &member.account_id).await?;
            }
            Ok(json(200, &member))
        }
        Outcome::Invited(summary) => {
            outbox::relay(&cx.db).await;
            Ok(json(202, &summary))
        }
    }
}

/// `POST /api/organisations/{id}/members`: invites a person to join the
/// organisation (202, the same answer whether or not the e-mail has an account).
/// An account with that e-mail also finds it in `GET /api/me/invitations`.
pub(super) async fn add_organisation_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut decision = None;
    let (p, place) = managed_place(cx, Kind::Organisation, &mut decision).await?;
    let body: AddOrganisationMember = cx.req.json()?;
    cx.db
        .atomic(async |db| invite(db, place, &body.email, None, None, &p.sub).await)
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(
        202,
        &InvitationSent {
            organisation_id: cx.param("id").to_owned(),
            email: body.email,
            status: "pending".to_owned(),
        },
    ))
}
