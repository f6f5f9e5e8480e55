//! An organisation on the partner directory: its applications on its track
//! record (`GET /api/applications/organisations/{id}`), and a merged record's
//! applications moved to the organisation kept (`POST …/{id}/absorb`, called by
//! `partners` when the programme team merges two records).

use std::collections::{BTreeSet, HashMap, HashSet};

use qmi_api::Insee;
use qmi_api::partners::{Repoint, Repointed, TrackApplication};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json};

use super::{
    APPLICATIONS, ASSIGNMENTS, Action, Ctx, Facts, StoredApp, StoredCall, app_of, decision_hidden,
    history, load_call, relation,
};
use crate::{notice, workflow};

/// Most applications a track record lists.
const TRACK_MAX: usize = 200;
/// Rows read at a time while looking for those the caller may see.
const BATCH: u32 = 200;

/// The columns of an application the track record needs (its answers stay out).
const TRACK_COLUMNS: &[&str] = &[
    "insee",
    "id",
    "call_id",
    "organisation_id",
    "organisation_name",
    "title",
    "status",
    "reason",
    "created_at",
    "updated_at",
    "submitted_at",
];

/// An id in a path or a body (`field`): letters, digits and dashes, 64 at
/// most, as ids are (UUIDs); else 422 naming the field.
fn id_field<'v>(field: &str, value: &'v str) -> Result<&'v str, Problem> {
    let id = value.trim();
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(id)
    } else {
        Err(Problem::invalid_field(field, "not an id"))
    }
}

/// `GET /api/applications/organisations/{id}`: the organisation's applications,
/// newest first (at most 200), each shown only if the policy says the caller
/// sees it: a selected application of a call whose decisions are published is
/// open data (everyone); a draft only to its organisation's members
/// (`application-draft`); any other state to those who may read the
/// application (`application-read`: its organisation's members, the commune's
/// staff, its assigned reviewers, programme operators), a decision not yet
/// published shown to the applicant as the step before it.
pub(super) async fn list_organisation_applications(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let org = id_field("id", cx.param("id"))?;
    // The caller's assignments: the facts of the reviewers' reading rights.
    let assigned = my_assignments(cx).await?;
    let mut calls: HashMap<String, Option<StoredCall>> = HashMap::new();
    let mut items = Vec::new();
    let mut before: Option<String> = None;
    'scan: loop {
        // Across every commune: the organisation is the key here, not the
        // tenant; each row is the facts of the decision taken on it below.
        let mut select = cx
            .db
            .facts()
            .select(APPLICATIONS, TRACK_COLUMNS)
            .filter("organisation_id = ?", [org.into()]);
        if let Some(b) = &before {
            select = select.filter("id < ?", [b.as_str().into()]);
        }
        // Ids are UUID v7: by id is by creation.
        let rows = select.order_by("id DESC").limit(BATCH).rows().await?;
        for r in rows.iter() {
            let app = app_of(r)?;
            before = Some(app.id.clone());
            if !calls.contains_key(&app.call_id) {
                let call = match load_call(cx, &app.call_id).await {
                    Ok(c) => Some(c),
                    Err(p) if p.status == 404 => None,
                    Err(p) => return Err(p),
                };
                calls.insert(app.call_id.clone(), call);
            }
            let Some(Some(call)) = calls.get(&app.call_id) else {
                continue;
            };
            if let Some(status) = shown_status(cx, &app, call, &assigned).await? {
                items.push(TrackApplication {
                    application_id: app.id.clone(),
                    call_id: app.call_id.clone(),
                    call_title: call.input.title.clone(),
                    insee: app.insee.clone(),
                    status,
                });
                if items.len() >= TRACK_MAX {
                    break 'scan;
                }
            }
        }
        if rows.len() < BATCH as usize {
            break;
        }
    }
    Ok(json(200, &items))
}

/// The ids of the applications the caller is assigned to review (none when
/// anonymous).
async fn my_assignments(cx: &Ctx<'_>) -> Result<HashSet<String>, Problem> {
    let Some(p) = cx.who() else {
        return Ok(HashSet::new());
    };
    let rows = cx
        .db
        .facts()
        .select(ASSIGNMENTS, &["application_id"])
        .filter("reviewer = ?", [p.sub.as_str().into()])
        .rows()
        .await?;
    Ok(rows.iter().map(|r| r.string("application_id")).collect())
}

/// The status the caller sees of `app` on the track record, or `None` when the
/// policy does not let the caller see it there.
async fn shown_status(
    cx: &Ctx<'_>,
    app: &StoredApp,
    call: &StoredCall,
    assigned: &HashSet<String>,
) -> Result<Option<String>, Problem> {
    let owner = Facts {
        tenant: Some(app.insee.clone()),
        organisation: Some(app.organisation.clone()),
        ..Facts::default()
    };
    if app.status == workflow::DRAFT {
        // A draft is its organisation's alone.
        let mine = cx.allows(Action::ApplicationDraft, &owner).await?;
        return Ok(mine.then(|| app.status.clone()));
    }
    // A selection the call published is open data.
    let public = Facts {
        published: call.decisions_published && app.status == notice::SELECTED,
        ..owner.clone()
    };
    if cx.allows(Action::ExportOpenData, &public).await? {
        return Ok(Some(app.status.clone()));
    }
    let (assigned, conflict) = if assigned.contains(&app.id) {
        relation(cx, app).await?
    } else {
        (false, false)
    };
    let facts = Facts {
        assigned,
        conflict,
        published: call.decisions_published,
        programme_call: call.programme,
        ..owner
    };
    if !cx.allows(Action::ApplicationRead, &facts).await? {
        return Ok(None);
    }
    if !decision_hidden(cx, app, call, &facts).await? {
        return Ok(Some(app.status.clone()));
    }
    // The applicant sees an unpublished decision as the step before it.
    let allowed = cx.ask(Action::ApplicationRead, &facts).await?;
    let mut view = app.view(history(cx, &allowed, app).await?);
    workflow::hide_decision(&call.workflow, &mut view);
    Ok(Some(view.status))
}

/// `POST /api/applications/organisations/{id}/absorb`: every application of
/// `from` (every commune) becomes `{id}`'s, in one transaction (programme
/// operators, `partner-curate`). The applicant's name kept with each
/// application stays as it was when it was created.
pub(super) async fn absorb_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _curates = cx.ask(Action::PartnerCurate, &Facts::default()).await?;
    let kept = id_field("id", cx.param("id"))?;
    let input: Repoint = cx.req.json()?;
    let from = id_field("from", &input.from)?;
    if from == kept {
        return Err(Problem::invalid_field(
            "from",
            "another organisation than the one kept",
        ));
    }
    let moved = cx
        .db
        .atomic(async |db| {
            // The communes holding its applications: the facts of the
            // decisions taken for each (read in the transaction, so none is
            // added meanwhile).
            let rows = db
                .facts()
                .select(APPLICATIONS, &["insee"])
                .filter("organisation_id = ?", [from.into()])
                .group_by("insee")
                .rows()
                .await?;
            let communes = rows
                .iter()
                .map(|r| r.string("insee").parse::<Insee>())
                .collect::<Result<BTreeSet<_>, _>>()
                .map_err(Problem::internal)?;
            let mut moved = 0;
            for insee in &communes {
                let allowed = cx.ask(Action::PartnerCurate, &Facts::tenant(insee)).await?;
                db.tenant(&allowed)?
                    .update(APPLICATIONS, vec![("organisation_id", kept.into())])
                    .filter("organisation_id = ?", [from.into()])
                    .run()
                    .await?;
                moved += db.changes().await;
            }
            Ok::<_, Problem>(moved)
        })
        .await?;
    Ok(json(200, &Repointed { moved }))
}
