//! Who runs an experiment with its holder: the consortium's organisations (from
//! the partner directory) and the commune's referents (its people).

use qmi_api::Insee;
use qmi_api::experiments::PartnerInput;
use qmi_api::identity::{Member, Organisation};
use qmi_kit::api::get_json;
use qmi_kit::http::{Reply, json};
use qmi_kit::{FieldError, Page, Problem};

use crate::context::*;
use crate::lifecycle::present;

/// Referents are people of the commune (its members list, read as the caller).
pub(crate) async fn check_referents(
    cx: &Ctx<'_>,
    commune: &Insee,
    referents: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<(), Problem> {
    if referents.is_empty() {
        return Ok(());
    }
    let members: Page<Member> = get_json(cx, &format!("/api/communes/{commune}/members?limit=500"))
        .await?
        .ok_or_else(|| {
            Problem::invalid_field("referents", "the commune's people cannot be read")
        })?;
    for (i, r) in referents.iter().enumerate() {
        if !members.items.iter().any(|m| &m.account_id == r) {
            errors.push(FieldError::new(
                format!("referents[{i}]"),
                "not a member of the commune",
            ));
        }
    }
    Ok(())
}

/// `POST /api/experiments/{id}/partners`: an organisation of the directory
/// joins the consortium (its name read from the directory as the caller).
pub(crate) async fn add_partner(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: PartnerInput = cx.req.json()?;
    let org_id = id_field("organisation_id", &input.organisation_id)?;
    let org: Organisation = get_json(cx, &format!("/api/organisations/{org_id}"))
        .await?
        .ok_or_else(|| {
            Problem::invalid_field(
                "organisation_id",
                "no organisation with this id in the directory you can read",
            )
        })?;
    cx.db
        .tenant(&allowed)?
        .insert(
            PARTNERS,
            vec![
                ("experiment_id", exp.id.as_str().into()),
                ("organisation_id", org.id.as_str().into()),
                ("name", org.name.as_str().into()),
                ("holder", false.into()),
            ],
        )
        .or_ignore()
        .run()
        .await?;
    qmi_kit::presence::tell(
        &org.id,
        &exp.insee,
        qmi_api::partners::PresenceSource::Experiment,
    )
    .await;
    Ok(json(200, &present(cx, &allowed, &exp).await?))
}

/// `DELETE /api/experiments/{id}/partners/{organisation}` (never the holder).
pub(crate) async fn remove_partner(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let org = cx.param("organisation");
    if org == exp.holder_id {
        return Err(Problem::conflict(
            "the holder stays in its experiment's consortium",
        ));
    }
    cx.db
        .tenant(&allowed)?
        .delete(PARTNERS)
        .filter(
            "experiment_id = ? AND organisation_id = ?",
            [exp.id.as_str().into(), org.into()],
        )
        .run()
        .await?;
    Ok(json(200, &present(cx, &allowed, &exp).await?))
}
