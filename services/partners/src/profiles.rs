//! Profiles: creating one (identity records its id and the creator's
//! membership), reading one (contacts for those who may see them; a merged
//! record redirects to its survivor), changing one.

use qmi_api::identity::RegisterOrganisation;
use qmi_api::partners::{NewProfile, Profile, ProfilePatch};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, bytes, json};
use qmi_kit::store::Db;

use crate::context::{Action, Ctx, Facts, Stored, load, new_id, require, to_json};
use crate::profile::Draft;

/// Writes a checked profile (a new one when `insert`) and its themes: the
/// search index follows by the table's triggers. A SIRET another profile has
/// is a 409 naming the field.
async fn write(db: &Db, id: &str, d: &Draft, at: &str, insert: bool) -> Result<(), Problem> {
    let values: Vec<qmi_kit::Value> = vec![
        d.name.as_str().into(),
        d.kind.as_str().into(),
        d.country.as_str().into(),
        d.siret.as_ref().map(|s| s.as_str().to_owned()).into(),
        d.registry_number.clone().into(),
        d.city.as_str().into(),
        d.website.clone().into(),
        d.summary.fr.as_str().into(),
        d.summary.en.clone().into(),
        d.description.fr.as_str().into(),
        d.description.en.clone().into(),
        to_json(&d.offers)?.into(),
        to_json(&d.contacts)?.into(),
        i64::from(d.public).into(),
        at.into(),
        id.into(),
    ];
    let sql = if insert {
        "INSERT INTO organisations (name, kind, country, siret, registry_number, city, website, summary_fr, summary_en, description_fr, description_en, offers, contacts, public, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "UPDATE organisations SET name = ?, kind = ?, country = ?, siret = ?, registry_number = ?, city = ?, website = ?, summary_fr = ?, summary_en = ?, description_fr = ?, description_en = ?, offers = ?, contacts = ?, public = ?, updated_at = ? WHERE id = ?"
    };
    match db.platform().run(sql, values).await {
        Err(e) if e.is_unique_violation() => {
            return Err(
                Problem::conflict("an organisation with this SIRET is in the directory")
                    .field("siret", "already registered"),
            );
        }
        other => other?,
    };
    db.platform()
        .run(
            "DELETE FROM organisation_themes WHERE organisation_id = ?",
            vec![id.into()],
        )
        .await?;
    for theme in &d.themes {
        db.platform()
            .run(
                "INSERT INTO organisation_themes (organisation_id, theme) VALUES (?, ?)",
                vec![id.into(), theme.as_str().into()],
            )
            .await?;
    }
    Ok(())
}

/// The profile as the caller may see it: contacts only for those whom
/// `partner-contacts` allows.
pub(crate) async fn shown(cx: &Ctx<'_>, stored: Stored) -> Result<Profile, Problem> {
    let contacts = cx.allows(Action::PartnerContacts, &stored.facts()).await?;
    let mut profile = stored.profile;
    if contacts {
        profile.contacts = Some(stored.contacts);
    }
    Ok(profile)
}

/// `POST /api/organisations`.
pub(crate) async fn create(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let draft = Draft::new(cx.req.json::<NewProfile>()?)?;
    // Identity asks again with what it alone knows (a confirmed e-mail, no
    // organisation yet) when it records the membership below.
    let _allowed = cx
        .ask(Action::OrganisationCreate, &Facts::default())
        .await?;
    let id = new_id();
    let at = cx.stamp();
    cx.db
        .atomic(async |db| write(db, &id, &draft, &at, true).await)
        .await?;
    let (status, body) = qmi_kit::api::call_api(
        cx,
        "POST",
        "/api/me/organisation",
        Some(
            serde_json::to_value(RegisterOrganisation { id: id.clone() })
                .map_err(Problem::internal)?,
        ),
    )
    .await?;
    if status != 201 {
        // Identity refused (an account already in an organisation, an unconfirmed
        // e-mail): the profile goes, and its answer is the caller's.
        cx.db
            .platform()
            .run(
                "DELETE FROM organisations WHERE id = ?",
                vec![id.as_str().into()],
            )
            .await?;
        cx.db
            .platform()
            .run(
                "DELETE FROM organisation_themes WHERE organisation_id = ?",
                vec![id.as_str().into()],
            )
            .await?;
        if (400..500).contains(&status) {
            return Ok(bytes(
                status,
                &[("content-type", "application/problem+json".to_owned())],
                body.to_vec(),
            ));
        }
        return Err(qmi_kit::api::upstream("identity", status, &body));
    }
    // Its creator is now its member (or a programme operator), though the token
    // does not say so yet: the answer shows the contacts it has just given.
    let stored = require(&cx.db, &id).await?;
    let mut profile = stored.profile;
    profile.contacts = Some(stored.contacts);
    Ok(json(201, &profile))
}

/// `GET /api/organisations/{id}`.
pub(crate) async fn get(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    let stored = require(&cx.db, &id).await?;
    if let Some(survivor) = &stored.merged_into {
        return moved(survivor, "");
    }
    let _allowed = cx.ask(Action::PartnerRead, &stored.facts()).await?;
    Ok(json(200, &shown(cx, stored).await?))
}

/// The answer for a merged record: 308 to the same resource (`suffix`) of the
/// record kept.
pub(crate) fn moved(survivor: &str, suffix: &str) -> Result<Reply, Problem> {
    let location = format!("/api/organisations/{survivor}{suffix}");
    Ok(bytes(
        308,
        &[
            ("location", location.clone()),
            ("content-type", "application/json".to_owned()),
        ],
        serde_json::to_vec(&serde_json::json!({ "merged_into": survivor, "location": location }))
            .map_err(Problem::internal)?,
    ))
}

/// `PATCH /api/organisations/{id}`.
pub(crate) async fn update(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    let stored = live(cx, &id).await?;
    let _allowed = cx
        .ask(
            Action::OrganisationUpdate,
            &Facts::organisation(id.as_str()),
        )
        .await?;
    let patch: ProfilePatch = cx.req.json()?;
    let draft = Draft::patched(&stored.profile, stored.contacts, patch)?;
    let at = cx.stamp();
    cx.db
        .atomic(async |db| write(db, &id, &draft, &at, false).await)
        .await?;
    let stored = require(&cx.db, &id).await?;
    Ok(json(200, &shown(cx, stored).await?))
}

/// The profile `id` when it is not a merged record (404 otherwise, 404 too
/// when it does not exist).
pub(crate) async fn live(cx: &Ctx<'_>, id: &str) -> Result<Stored, Problem> {
    match load(&cx.db, id).await? {
        Some(s) if s.merged_into.is_none() => Ok(s),
        Some(s) => Err(Problem::not_found(format!(
            "organisation {id} was merged into {}",
            s.merged_into.unwrap_or_default()
        ))),
        None => Err(Problem::not_found(format!("no organisation {id}"))),
    }
}
