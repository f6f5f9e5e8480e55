//! An organisation's logo: a PNG or JPEG image checked by its whole content
//! (never by its name or declared type), 512 KiB at most.

use qmi_api::applications::MediaType;
use qmi_api::partners::LOGO_MAX_BYTES;
use qmi_kit::Problem;
use qmi_kit::http::{Reply, bytes, json, no_content};

use crate::context::{Action, Ctx, Facts, require};
use crate::profiles::{live, shown};

/// `GET /api/organisations/{id}/logo`.
pub(crate) async fn get(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    let stored = live(cx, &id).await?;
    let _allowed = cx.ask(Action::PartnerRead, &stored.facts()).await?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT content_type, bytes FROM organisation_logos WHERE organisation_id = ?",
            vec![id.as_str().into()],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("organisation {id} has no logo")))?;
    Ok(bytes(
        200,
        &[
            ("content-type", row.string("content_type")),
            ("x-content-type-options", "nosniff".to_owned()),
            ("cache-control", "public, max-age=300".to_owned()),
        ],
        row.blob("bytes").unwrap_or_default().to_vec(),
    ))
}

/// `PUT /api/organisations/{id}/logo`.
pub(crate) async fn put(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    live(cx, &id).await?;
    let _allowed = cx
        .ask(
            Action::OrganisationUpdate,
            &Facts::organisation(id.as_str()),
        )
        .await?;
    let body = &cx.req.body;
    if body.len() > LOGO_MAX_BYTES {
        return Err(Problem::new(413, "too-large", "Logo too large")
            .detail(format!(
                "a logo is at most {LOGO_MAX_BYTES} bytes; this one is {}",
                body.len()
            ))
            .field("logo", "at most 512 KiB"));
    }
    let content_type = match qmi_kit::sniff::detect(body) {
        Some(t @ (MediaType::Png | MediaType::Jpeg)) => t.as_str(),
        _ => {
            return Err(Problem::invalid_field(
                "logo",
                "a PNG or JPEG image (checked by its content)",
            ));
        }
    };
    let at = cx.stamp();
    cx.db
        .atomic(async |db| {
            db.platform()
                .run(
                    "INSERT INTO organisation_logos (organisation_id, content_type, bytes, updated_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT (organisation_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes, updated_at = excluded.updated_at",
                    vec![id.as_str().into(), content_type.into(), body.to_vec().into(), at.as_str().into()],
                )
                .await?;
            db.platform()
                .run("UPDATE organisations SET updated_at = ? WHERE id = ?", vec![at.as_str().into(), id.as_str().into()])
                .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    let stored = require(&cx.db, &id).await?;
    Ok(json(200, &shown(cx, stored).await?))
}

/// `DELETE /api/organisations/{id}/logo`.
pub(crate) async fn delete(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    live(cx, &id).await?;
    let _allowed = cx
        .ask(
            Action::OrganisationUpdate,
            &Facts::organisation(id.as_str()),
        )
        .await?;
    cx.db
        .platform()
        .run(
            "DELETE FROM organisation_logos WHERE organisation_id = ?",
            vec![id.as_str().into()],
        )
        .await?;
    Ok(no_content())
}
