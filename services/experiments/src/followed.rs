//! What is followed during an experiment: sites, documents, milestones (the
//! indicators and their measurements are in `indicators`).

use qmi_api::Perimeter;
use qmi_api::experiments::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;
use qmi_kit::{FieldError, Problem};

use crate::context::*;
use crate::schedule;

/// `GET /api/experiments/{id}/followed`.
pub(crate) async fn get(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    Ok(json(200, &followed(cx, &allowed, &exp).await?))
}

/// Everything followed of `exp`.
pub(crate) async fn followed(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
) -> Result<Followed, Problem> {
    let t = cx.db.tenant(allowed)?;
    let id = || exp.id.as_str().into();
    let documents = t
        .select(
            DOCUMENTS,
            &["id", "kind", "name", "content_type", "size", "actor", "at"],
        )
        .filter("experiment_id = ?", [id()])
        .order_by("at, id")
        .rows()
        .await?
        .iter()
        .map(|r| Document {
            id: r.string("id"),
            kind: r
                .text("kind")
                .and_then(DocumentKind::parse)
                .unwrap_or(DocumentKind::Other),
            name: r.string("name"),
            content_type: r.string("content_type"),
            size: u64::try_from(r.int("size").unwrap_or(0)).unwrap_or(0),
            by: r.string("actor"),
            at: stamp(r.int("at").unwrap_or(0)),
        })
        .collect();
    Ok(Followed {
        sites: sites(cx, allowed, &exp.id).await?,
        documents,
        milestones: milestones(cx, allowed, &exp.id).await?,
        indicators: crate::indicators::indicators(cx, allowed, &exp.id, false).await?,
        reports: crate::reports::reports(cx, allowed, exp).await?,
    })
}

// ---------------------------------------------------------------- sites

fn site_of(r: &Row<'_>) -> Result<Site, Problem> {
    let point = match r.text("point") {
        Some(p) => Some(serde_json::from_str(p).map_err(Problem::internal)?),
        None => None,
    };
    let area = match r.text("area") {
        Some(a) => Some(serde_json::from_str(a).map_err(Problem::internal)?),
        None => None,
    };
    Ok(Site {
        id: r.string("id"),
        name: r.string("name"),
        point,
        area,
    })
}

/// The sites of experiment `id`.
pub(crate) async fn sites(cx: &Ctx<'_>, allowed: &Allowed, id: &str) -> Result<Vec<Site>, Problem> {
    cx.db
        .tenant(allowed)?
        .select(SITES, &["id", "name", "point", "area"])
        .filter("experiment_id = ?", [id.into()])
        .order_by("name, id")
        .rows()
        .await?
        .iter()
        .map(|r| site_of(&r))
        .collect()
}

/// `POST /api/experiments/{id}/sites`.
pub(crate) async fn add_site(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: SiteInput = cx.req.json()?;
    let mut errors = Vec::new();
    let name = text(&mut errors, "name", &input.name, true, 200);
    match (&input.point, &input.area) {
        (None, None) => errors.push(FieldError::new("point", "a site is a point or an area")),
        (Some(p), _) if !p.is_valid() => {
            errors.push(FieldError::new("point", "outside WGS 84 bounds"));
        }
        _ => {}
    }
    validation(errors)?;
    let site = Site {
        id: new_id(),
        name,
        point: input.point,
        area: input.area.clone(),
    };
    let json_of = |v: Option<String>| -> qmi_kit::Value { v.into() };
    cx.db
        .tenant(&allowed)?
        .insert(
            SITES,
            vec![
                ("experiment_id", exp.id.as_str().into()),
                ("id", site.id.as_str().into()),
                ("name", site.name.as_str().into()),
                (
                    "point",
                    json_of(site.point.map(|p| to_json(&p)).transpose()?),
                ),
                (
                    "area",
                    json_of(
                        site.area
                            .as_ref()
                            .map(|a: &Perimeter| to_json(a))
                            .transpose()?,
                    ),
                ),
            ],
        )
        .run()
        .await?;
    Ok(json(201, &site))
}

/// `DELETE /api/experiments/{id}/sites/{site}`.
pub(crate) async fn remove_site(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    cx.db
        .tenant(&allowed)?
        .delete(SITES)
        .filter(
            "experiment_id = ? AND id = ?",
            [exp.id.as_str().into(), cx.param("site").into()],
        )
        .run()
        .await?;
    if cx.db.changes().await == 0 {
        return Err(Problem::not_found(format!("no site {}", cx.param("site"))));
    }
    Ok(qmi_kit::http::no_content())
}

// ---------------------------------------------------------------- documents

/// `POST /api/experiments/{id}/documents?kind=&name=`: the file is the body,
/// a PDF, PNG or JPEG by its content. The holder's kinds (reports, protocol,
/// final report, evidence) are the reporters'; the agreement and the rest the
/// managers'.
pub(crate) async fn upload(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let kind = match cx.req.query.non_empty("kind") {
        None => DocumentKind::Other,
        Some(k) => DocumentKind::parse(k).ok_or_else(|| {
            Problem::invalid_field(
                "kind",
                "agreement, report, protocol, final_report, evidence or other",
            )
        })?,
    };
    let action = match kind {
        DocumentKind::Agreement | DocumentKind::Other => Action::ExperimentManage,
        _ => Action::ExperimentReport,
    };
    let (exp, allowed) = allowed(cx, action).await?;
    let body = &cx.req.body;
    if body.len() > crate::MAX_DOCUMENT {
        return Err(Problem::new(413, "payload-too-large", "Payload too large")
            .detail("a document is 10 MiB at most"));
    }
    let media = qmi_kit::sniff::detect(body).ok_or_else(|| {
        Problem::new(415, "unsupported-media-type", "Unsupported media type")
            .detail("documents are PDF, PNG or JPEG files (checked by content)")
            .field("body", "not a PDF, PNG or JPEG file")
    })?;
    let name = qmi_kit::sniff::file_name(cx.req.query.non_empty("name"))
        .unwrap_or_else(|| format!("document.{}", media.extension()));
    let doc = Document {
        id: new_id(),
        kind,
        name,
        content_type: media.as_str().to_owned(),
        size: body.len() as u64,
        by: cx.actor()?,
        at: stamp(cx.now.0),
    };
    cx.db
        .tenant(&allowed)?
        .insert(
            DOCUMENTS,
            vec![
                ("experiment_id", exp.id.as_str().into()),
                ("id", doc.id.as_str().into()),
                ("kind", kind.as_str().into()),
                ("name", doc.name.as_str().into()),
                ("content_type", doc.content_type.as_str().into()),
                ("size", (body.len() as i64).into()),
                ("content", body.to_vec().into()),
                ("actor", doc.by.as_str().into()),
                ("at", cx.now.0.into()),
            ],
        )
        .run()
        .await?;
    Ok(json(201, &doc))
}

/// `GET /api/experiments/{id}/documents/{document}`: the file, as a download.
pub(crate) async fn download(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(DOCUMENTS, &["content_type", "content", "id"])
        .filter(
            "experiment_id = ? AND id = ?",
            [exp.id.as_str().into(), cx.param("document").into()],
        )
        .rows()
        .await?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no document {}", cx.param("document"))))?;
    let content_type = r.string("content_type");
    let ext = qmi_kit::sniff::extension(&content_type);
    let filename = format!("{}.{ext}", r.string("id"));
    Ok(qmi_kit::http::bytes(
        200,
        &[
            ("content-type", content_type),
            (
                "content-disposition",
                format!("attachment; filename=\"{filename}\""),
            ),
            ("x-content-type-options", "nosniff".to_owned()),
        ],
        r.blob("content").unwrap_or_default().to_vec(),
    ))
}

// ---------------------------------------------------------------- milestones

fn milestone_of(r: &Row<'_>, today: Day) -> Result<Milestone, Problem> {
    let planned_on =
        day(r, "planned_on").ok_or_else(|| Problem::internal("stored milestone day"))?;
    let done_on = day(r, "done_on");
    Ok(Milestone {
        id: r.string("id"),
        title: r.string("title"),
        planned_on,
        done_on,
        evidence: r.string("evidence"),
        late: schedule::milestone_late(planned_on, done_on, today),
    })
}

/// The milestones of experiment `id`, by planned day.
pub(crate) async fn milestones(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
) -> Result<Vec<Milestone>, Problem> {
    cx.db
        .tenant(allowed)?
        .select(
            MILESTONES,
            &["id", "title", "planned_on", "done_on", "evidence"],
        )
        .filter("experiment_id = ?", [id.into()])
        .order_by("planned_on, id")
        .rows()
        .await?
        .iter()
        .map(|r| milestone_of(&r, cx.today))
        .collect()
}

/// `POST /api/experiments/{id}/milestones`.
pub(crate) async fn add_milestone(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: MilestoneInput = cx.req.json()?;
    let mut errors = Vec::new();
    let title = text(&mut errors, "title", &input.title, true, 200);
    validation(errors)?;
    let id = new_id();
    cx.db
        .atomic(async |db| {
            db.tenant(&allowed)?
                .insert(
                    MILESTONES,
                    vec![
                        ("experiment_id", exp.id.as_str().into()),
                        ("id", id.as_str().into()),
                        ("title", title.as_str().into()),
                        ("planned_on", input.planned_on.days().into()),
                    ],
                )
                .run()
                .await?;
            let detail = format!("{title} ({})", input.planned_on);
            record(
                cx,
                db,
                &allowed,
                &exp.id,
                Event::said(EventKind::MilestonePlanned, &detail),
            )
            .await
        })
        .await?;
    Ok(json(201, &one_milestone(cx, &allowed, &exp, &id).await?))
}

async fn one_milestone(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
    id: &str,
) -> Result<Milestone, Problem> {
    let rows = cx
        .db
        .tenant(allowed)?
        .select(
            MILESTONES,
            &["id", "title", "planned_on", "done_on", "evidence"],
        )
        .filter(
            "experiment_id = ? AND id = ?",
            [exp.id.as_str().into(), id.into()],
        )
        .rows()
        .await?;
    rows.first()
        .map(|r| milestone_of(&r, cx.today))
        .transpose()?
        .ok_or_else(|| Problem::not_found(format!("no milestone {id}")))
}

/// `PUT /api/experiments/{id}/milestones/{milestone}`: done (or not), by the
/// holder or the commune; recorded in the timeline when done.
pub(crate) async fn mark_milestone(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentReport).await?;
    let input: MilestoneDone = cx.req.json()?;
    let mut errors = Vec::new();
    let evidence = text(&mut errors, "evidence", &input.evidence, false, 5000);
    if input.done_on.is_some_and(|d| d > cx.today) {
        errors.push(FieldError::new(
            "done_on",
            "a milestone is not done in the future",
        ));
    }
    validation(errors)?;
    let milestone = one_milestone(cx, &allowed, &exp, cx.param("milestone")).await?;
    cx.db
        .atomic(async |db| {
            db.tenant(&allowed)?
                .update(
                    MILESTONES,
                    vec![
                        ("done_on", input.done_on.map(Day::days).into()),
                        ("evidence", evidence.as_str().into()),
                    ],
                )
                .filter(
                    "experiment_id = ? AND id = ?",
                    [exp.id.as_str().into(), milestone.id.as_str().into()],
                )
                .run()
                .await?;
            if let Some(done) = input.done_on.filter(|_| milestone.done_on.is_none()) {
                let detail = format!("{} ({done})", milestone.title);
                record(
                    cx,
                    db,
                    &allowed,
                    &exp.id,
                    Event::said(EventKind::MilestoneDone, &detail),
                )
                .await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    Ok(json(
        200,
        &one_milestone(cx, &allowed, &exp, &milestone.id).await?,
    ))
}
