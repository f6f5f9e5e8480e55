//! Curation and history: merging two records of one organisation (every link
//! moves to the one kept: applications, experiments and members in the services
//! that own them, presences and the programme's notes here; a commune's notes
//! stay where they are and are read under the record kept), and the track
//! record each profile shows.

use qmi_api::partners::{MergeReport, MergeRequest, Repoint, Repointed, TrackRecord};
use qmi_kit::Problem;
use qmi_kit::api::{call_api, get_json, upstream};
use qmi_kit::http::{Reply, json};

use crate::context::{Action, Ctx, Facts, body_id, require};
use crate::profiles::live;
use crate::tables::NOTES;

/// Asks a service to move its links from `from` to `to` (`POST path`): how many
/// moved. The moves are idempotent, so a merge that failed half-way is simply
/// asked again.
async fn absorb(cx: &Ctx<'_>, service: &str, path: &str, from: &str) -> Result<u64, Problem> {
    let body = serde_json::to_value(Repoint {
        from: from.to_owned(),
    })
    .map_err(Problem::internal)?;
    let (status, answer) = call_api(cx, "POST", path, Some(body)).await?;
    if status != 200 {
        return Err(upstream(service, status, &answer));
    }
    let moved: Repointed = serde_json::from_slice(&answer)
        .map_err(|e| Problem::internal(format!("{service}: {e}")))?;
    Ok(moved.moved)
}

/// `POST /api/organisations/{id}/merge`.
pub(crate) async fn merge(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let allowed = cx.ask(Action::PartnerCurate, &Facts::default()).await?;
    let kept = cx.org_id()?;
    let request: MergeRequest = cx.req.json()?;
    let dup = body_id("duplicate_id", &request.duplicate_id)?;
    if dup == kept {
        return Err(Problem::invalid_field(
            "duplicate_id",
            "another organisation than the one kept",
        ));
    }
    live(cx, &kept).await?;
    live(cx, &dup).await.map_err(|_| {
        Problem::invalid_field(
            "duplicate_id",
            "no organisation in the directory has this id",
        )
    })?;

    let mut report = MergeReport {
        kept: kept.clone(),
        merged: dup.clone(),
        ..MergeReport::default()
    };
    report.applications = absorb(
        cx,
        "applications",
        &format!("/api/applications/organisations/{kept}/absorb"),
        &dup,
    )
    .await?;
    report.experiments = absorb(
        cx,
        "experiments",
        &format!("/api/experiments/organisations/{kept}/absorb"),
        &dup,
    )
    .await?;
    report.members = absorb(
        cx,
        "identity",
        &format!("/api/admin/organisations/{kept}/absorb"),
        &dup,
    )
    .await?;

    let at = cx.stamp();
    let programme_notes = cx
        .db
        .atomic(async |db| {
            let p = db.platform();
            p.run(
                "INSERT INTO organisation_presence (organisation_id, insee, source) SELECT ?, insee, source FROM organisation_presence WHERE organisation_id = ? ON CONFLICT DO NOTHING",
                vec![kept.as_str().into(), dup.as_str().into()],
            )
            .await?;
            p.run("DELETE FROM organisation_presence WHERE organisation_id = ?", vec![dup.as_str().into()])
                .await?;
            p.run(
                "INSERT INTO organisation_themes (organisation_id, theme) SELECT ?, theme FROM organisation_themes WHERE organisation_id = ? ON CONFLICT DO NOTHING",
                vec![kept.as_str().into(), dup.as_str().into()],
            )
            .await?;
            p.run("UPDATE programme_notes SET organisation_id = ? WHERE organisation_id = ?", vec![kept.as_str().into(), dup.as_str().into()])
                .await?;
            let moved = db.changes().await;
            // Records merged earlier into the duplicate now point to the one kept.
            p.run("UPDATE organisations SET merged_into = ? WHERE merged_into = ?", vec![kept.as_str().into(), dup.as_str().into()])
                .await?;
            p.run(
                "UPDATE organisations SET merged_into = ?, updated_at = ? WHERE id = ?",
                vec![kept.as_str().into(), at.as_str().into(), dup.as_str().into()],
            )
            .await?;
            p.run("UPDATE organisations SET updated_at = ? WHERE id = ?", vec![at.as_str().into(), kept.as_str().into()])
                .await?;
            Ok::<_, Problem>(moved)
        })
        .await?;
    // Every commune's notes on the duplicate are now read under the record kept.
    let commune_notes = cx
        .db
        .across(&allowed)
        .select(NOTES, &["id"])
        .filter("organisation_id = ?", [dup.as_str().into()])
        .count()
        .await?;
    report.notes = programme_notes + u64::try_from(commune_notes).unwrap_or(0);
    Ok(json(200, &report))
}

/// `GET /api/organisations/{id}/track-record`.
pub(crate) async fn track_record(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let id = cx.org_id()?;
    let stored = require(&cx.db, &id).await?;
    if let Some(survivor) = &stored.merged_into {
        return crate::profiles::moved(survivor, "/track-record");
    }
    let _allowed = cx.ask(Action::PartnerRead, &stored.facts()).await?;
    let applications = get_json(cx, &format!("/api/applications/organisations/{id}"))
        .await?
        .unwrap_or_default();
    let experiments = get_json(cx, &format!("/api/experiments/organisations/{id}"))
        .await?
        .unwrap_or_default();
    Ok(json(
        200,
        &TrackRecord {
            applications,
            experiments,
        },
    ))
}
