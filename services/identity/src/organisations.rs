//! Organisations: creating, reading and updating one, and its members. A child
//! of `component`.

use super::*;

/// The organisation `id` as identity knows it (its id, registered) with its card
/// from the partner directory (`partners`' private route), or `None`.
pub(super) async fn load_organisation(db: &Db, id: &str) -> Result<Option<Organisation>, Problem> {
    let known = db
        .platform()
        .run("SELECT id FROM organisations WHERE id = ?", vec![id.into()])
        .await?;
    if known.is_empty() {
        return Ok(None);
    }
    Ok(super::cards::cards(&[id]).await?.remove(id))
}

pub(super) async fn require_organisation(db: &Db, id: &str) -> Result<Organisation, Problem> {
    load_organisation(db, id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no organisation {id}")))
}

/// `POST /api/me/organisation`: the partners component has just created the
/// profile `id` for the caller; identity registers the id and, unless the caller
/// is a programme operator, makes the caller its first member — both or neither.
pub(super) async fn register_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let unconfirmed = signup::unconfirmed(&cx.db, &p.sub).await?;
    let _allowed = cx
        .allow(Some(&p), Operation::CreateOrganisation { unconfirmed })
        .await?;
    let body: RegisterOrganisation = cx.req.json()?;
    let id = body.id.trim().to_owned();
    // The profile must exist in the directory: nobody registers an id of their own.
    let card = super::cards::cards(&[id.as_str()])
        .await?
        .remove(&id)
        .ok_or_else(|| {
            Problem::invalid_field("id", "no profile in the partner directory has this id")
        })?;
    cx.db
        .atomic(async |db| {
            let result = db
                .platform()
                .run("INSERT INTO organisations (id) VALUES (?)", vec![id.as_str().into()])
                .await;
            match result {
                // Registered once: joining an existing organisation goes through its members.
                Err(e) if e.is_unique_violation() => {
                    return Err(Problem::conflict("this organisation is already registered"));
                }
                other => other?,
            };
            if !p.is(PlatformRole::Programme) {
                db.platform()
                    .run(
                        "UPDATE accounts SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL",
                        vec![id.as_str().into(), p.sub.as_str().into()],
                    )
                    .await?;
                if db.changes().await != 1 {
                    return Err(Problem::conflict(
                        "an account belongs to at most one organisation: this one already has its own",
                    ));
                }
                events::account_changed(db, &p.sub).await?;
            }
            Ok(())
        })
        .await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(json(201, &card))
}

/// `POST /api/admin/organisations/{id}/absorb`: a merge in the directory moves
/// the merged record's members, pending invitations and join requests to the
/// organisation kept (programme operators), each member's rights raised.
pub(super) async fn absorb_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let _allowed = cx.allow(Some(&p), Operation::CurateDirectory).await?;
    let kept = cx.param("id").to_owned();
    let body: qmi_api::partners::Repoint = cx.req.json()?;
    let from = body.from.trim().to_owned();
    if from == kept || from.is_empty() {
        return Err(Problem::invalid_field(
            "from",
            "another organisation than the one kept",
        ));
    }
    require_organisation(&cx.db, &kept).await?;
    let moved: Vec<String> = cx
        .db
        .atomic(async |db| {
            let rows = db
                .platform()
                .run("SELECT id FROM accounts WHERE organisation_id = ? ORDER BY id", vec![from.as_str().into()])
                .await?;
            let accounts: Vec<String> = rows.iter().map(|r| r.string("id")).collect();
            db.platform()
                .run("UPDATE accounts SET organisation_id = ? WHERE organisation_id = ?", vec![kept.as_str().into(), from.as_str().into()])
                .await?;
            // A pending invitation or request the kept organisation has too stays once.
            db.platform()
                .run(
                    "UPDATE invitations SET organisation_id = ? WHERE organisation_id = ? \
                     AND NOT (status = 'pending' AND EXISTS (SELECT 1 FROM invitations k \
                         WHERE k.status = 'pending' AND k.organisation_id = ? AND k.kind = invitations.kind \
                         AND COALESCE(k.insee, '') = COALESCE(invitations.insee, '') AND k.email = invitations.email))",
                    vec![kept.as_str().into(), from.as_str().into(), kept.as_str().into()],
                )
                .await?;
            db.platform()
                .run(
                    "UPDATE invitations SET status = 'revoked' WHERE organisation_id = ? AND status = 'pending'",
                    vec![from.as_str().into()],
                )
                .await?;
            db.platform()
                .run(
                    "UPDATE join_requests SET organisation_id = ? WHERE organisation_id = ? \
                     AND NOT (status = 'pending' AND EXISTS (SELECT 1 FROM join_requests k \
                         WHERE k.status = 'pending' AND k.organisation_id = ? AND k.account_id = join_requests.account_id))",
                    vec![kept.as_str().into(), from.as_str().into(), kept.as_str().into()],
                )
                .await?;
            for account in &accounts {
                events::account_changed(db, account).await?;
                lower_rights(db, account).await?;
            }
            Ok::<_, Problem>(accounts)
        })
        .await?;
    for account in &moved {
        publish_rights(&cx.db, account).await?;
    }
    Ok(json(
        200,
        &qmi_api::partners::Repointed {
            moved: moved.len() as u64,
        },
    ))
}

pub(super) async fn list_organisation_members(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    let _allowed = cx.allow(Some(&p), Operation::ReadOrganisation(id)).await?;
    require_organisation(&cx.db, id).await?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT id, name, email FROM accounts WHERE organisation_id = ? ORDER BY id",
            vec![id.into()],
        )
        .await?;
    let members: Vec<OrganisationMember> = rows
        .iter()
        .map(|r| OrganisationMember {
            account_id: r.string("id"),
            name: r.string("name"),
            email: r.string("email"),
        })
        .collect();
    Ok(json(200, &members))
}

pub(super) async fn remove_organisation_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    let _allowed = cx
        .allow(Some(&p), Operation::UpdateOrganisation(id))
        .await?;
    let account = cx.param("account");
    // The organisation's name (for the person's notice) is read from the
    // directory before the transaction, not while it holds the database.
    let place = require_organisation(&cx.db, id).await?.name;
    // Leaving and the raised rights version commit together.
    cx.db
        .atomic(async |db| {
            db.platform().run(
                "UPDATE accounts SET organisation_id = NULL WHERE id = ? AND organisation_id = ?",
                vec![account.into(), id.into()],
            )
            .await?;
            if db.changes().await == 0 {
                return Err(Problem::not_found(format!(
                    "{account} is not a member of organisation {id}"
                )));
            }
            events::account_changed(db, account).await?;
            events::membership_changed(db, account, &place, None, false).await?;
            lower_rights(db, account).await
        })
        .await?;
    publish_rights(&cx.db, account).await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(no_content())
}
