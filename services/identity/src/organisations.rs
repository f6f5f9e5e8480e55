//! Organisations: creating, reading and updating one, and its members. A child
//! of `component`.

use super::*;

pub(super) const ORG_COLUMNS: &str = "id, name, kind, country, siret";

pub(super) fn organisation_of(r: qmi_kit::sql::Row<'_>) -> Result<Organisation, Problem> {
    Ok(Organisation {
        id: r.string("id"),
        name: r.string("name"),
        kind: OrganisationKind::parse(r.text("kind").unwrap_or_default())
            .ok_or_else(|| Problem::internal("unknown organisation kind"))?,
        country: r.string("country").parse().map_err(Problem::internal)?,
        siret: r
            .text("siret")
            .map(|s| s.parse())
            .transpose()
            .map_err(Problem::internal)?,
    })
}

pub(super) async fn load_organisation(db: &Db, id: &str) -> Result<Option<Organisation>, Problem> {
    let rows = db
        .platform()
        .run(
            &format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = ?"),
            vec![id.into()],
        )
        .await?;
    rows.first().map(organisation_of).transpose()
}

pub(super) async fn require_organisation(db: &Db, id: &str) -> Result<Organisation, Problem> {
    load_organisation(db, id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no organisation {id}")))
}

fn check_organisation(name: &str, country: &Country, siret: &Option<Siret>) -> Result<(), Problem> {
    let mut problem = Problem::validation();
    if let Some(message) = crate::name_problem(name) {
        problem = problem.field("name", message);
    }
    if country.is_france() && siret.is_none() {
        problem = problem.field("siret", "required for a French organisation");
    }
    if problem.errors.is_empty() {
        Ok(())
    } else {
        Err(problem)
    }
}

pub(super) async fn create_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let unconfirmed = signup::unconfirmed(&cx.db, &p.sub).await?;
    let _allowed = cx
        .allow(Some(&p), Operation::CreateOrganisation { unconfirmed })
        .await?;
    let new: NewOrganisation = cx.req.json()?;
    check_organisation(&new.name, &new.country, &new.siret)?;
    let id = uuid::Uuid::now_v7().to_string();
    // The organisation and its first member commit together: a creator who joined
    // another organisation meanwhile leaves no organisation behind (409).
    cx.db
        .atomic(async |db| {
            let result = db
                .platform().run(
                    "INSERT INTO organisations (id, name, kind, country, siret) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        id.as_str().into(),
                        new.name.trim().into(),
                        new.kind.as_str().into(),
                        new.country.as_str().into(),
                        new.siret.as_ref().map(|s| s.as_str().to_owned()).into(),
                    ],
                )
                .await;
            match result {
                Err(e) if e.is_unique_violation() => {
                    return Err(Problem::conflict("an organisation with this SIRET exists").field("siret", "already registered"));
                }
                other => other?,
            };
            if !p.is(PlatformRole::Programme) {
                db.platform().run("UPDATE accounts SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL", vec![id.as_str().into(), p.sub.as_str().into()])
                    .await?;
                if db.changes().await != 1 {
                    return Err(Problem::conflict("an account belongs to at most one organisation: this one already has its own"));
                }
                events::account_changed(db, &p.sub).await?;
            }
            Ok(())
        })
        .await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(json(201, &require_organisation(&cx.db, &id).await?))
}

pub(super) async fn get_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    let _allowed = cx.allow(Some(&p), Operation::ReadOrganisation(id)).await?;
    Ok(json(200, &require_organisation(&cx.db, id).await?))
}

pub(super) async fn update_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    let _allowed = cx
        .allow(Some(&p), Operation::UpdateOrganisation(id))
        .await?;
    let current = require_organisation(&cx.db, id).await?;
    let patch: OrganisationPatch = cx.req.json()?;
    let name = patch.name.unwrap_or(current.name);
    let kind = patch.kind.unwrap_or(current.kind);
    let country = patch.country.unwrap_or(current.country);
    let siret = patch.siret.or(current.siret);
    check_organisation(&name, &country, &siret)?;
    let result = cx
        .db
        .platform().run(
            "UPDATE organisations SET name = ?, kind = ?, country = ?, siret = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
            vec![name.trim().into(), kind.as_str().into(), country.as_str().into(), siret.map(|s| s.as_str().to_owned()).into(), id.into()],
        )
        .await;
    match result {
        Err(e) if e.is_unique_violation() => {
            return Err(Problem::conflict("an organisation with this SIRET exists")
                .field("siret", "already registered"));
        }
        other => other?,
    };
    Ok(json(200, &require_organisation(&cx.db, id).await?))
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
            let place = require_organisation(db, id).await?.name;
            events::account_changed(db, account).await?;
            events::membership_changed(db, account, &place, None, false).await?;
            lower_rights(db, account).await
        })
        .await?;
    publish_rights(&cx.db, account).await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(no_content())
}
