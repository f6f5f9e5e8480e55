//! An experiment's life: created from a selected application (idempotent),
//! read by the people who follow it, changed by its managers, moved through
//! `preparing → running → evaluating → concluded` (or suspended, or stopped)
//! with every move in its history, and its consortium.

use qmi_api::Insee;
use qmi_api::applications::{Application, Call, District};
use qmi_api::experiments::*;
use qmi_api::identity::Commune;
use qmi_kit::api::get_json;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;
use qmi_kit::{FieldError, Problem};

use crate::context::*;

/// The state a selected application is in (the standard workflow's decision).
const SELECTED: &str = "selected";
/// Longest title, summary.
const TITLE_MAX: usize = 200;
const SUMMARY_MAX: usize = 5000;

/// Reads experiment `exp` whole for the people who follow it (`allowed`: a
/// decision for its commune).
pub(crate) async fn present(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
) -> Result<Experiment, Problem> {
    let t = cx.db.tenant(allowed)?;
    let rows = t
        .select(EXPERIMENTS, &["*"])
        .filter("id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no experiment {}", exp.id)))?;
    let partners = partners(cx, allowed, &exp.id).await?;
    let moves = t
        .select(
            EVENTS,
            &["from_status", "to_status", "detail", "actor", "at"],
        )
        .filter(
            "experiment_id = ? AND kind = ?",
            [exp.id.as_str().into(), EventKind::Moved.as_str().into()],
        )
        .order_by("seq")
        .rows()
        .await?;
    let history = moves
        .iter()
        .filter_map(|m| {
            Some(Move {
                from: ExperimentStatus::parse(m.text("from_status")?)?,
                to: ExperimentStatus::parse(m.text("to_status")?)?,
                reason: m
                    .text("detail")
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
                by: m.string("actor"),
                at: stamp(m.int("at").unwrap_or(0)),
            })
        })
        .collect();
    let may_move = cx.sees(Action::ExperimentManage, &facts(cx, exp, false).await?);
    Ok(Experiment {
        id: exp.id.clone(),
        insee: exp.insee.clone(),
        commune_name: r.string("commune_name"),
        district: r.text("district").map(str::to_owned),
        application_id: r.text("application_id").map(str::to_owned),
        call_id: r.text("call_id").map(str::to_owned),
        title: r.string("title"),
        summary: r.string("summary"),
        themes: from_json(&r, "themes")?,
        partners,
        referents: from_json(&r, "referents")?,
        starts_on: exp.starts_on,
        ends_on: exp.ends_on,
        status: exp.status,
        next: if may_move {
            exp.status.next(exp.suspended_from)
        } else {
            Vec::new()
        },
        published: exp.published,
        report_every_months: exp.report_every_months,
        outcome: outcome_of(&r)?,
        spread_from: spread_from(&r)?,
        spread_to: spread_to(cx, allowed, exp, false).await?,
        history,
        created_at: stamp(r.int("created_at").unwrap_or(0)),
    })
}

/// The consortium of experiment `id`, the holder first.
pub(crate) async fn partners(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
) -> Result<Vec<Partner>, Problem> {
    let rows = cx
        .db
        .tenant(allowed)?
        .select(PARTNERS, &["organisation_id", "name", "holder"])
        .filter("experiment_id = ?", [id.into()])
        .order_by("holder DESC, name")
        .rows()
        .await?;
    Ok(rows
        .iter()
        .map(|r| Partner {
            organisation_id: r.string("organisation_id"),
            name: r.string("name"),
            holder: r.int("holder") == Some(1),
        })
        .collect())
}

/// The recorded outcome of a row of `experiments`.
pub(crate) fn outcome_of(r: &Row<'_>) -> Result<Option<OutcomeRecord>, Problem> {
    let Some(outcome) = r.text("outcome").and_then(Outcome::parse) else {
        return Ok(None);
    };
    Ok(Some(OutcomeRecord {
        outcome,
        reason: r.string("outcome_reason"),
        lessons: r.string("lessons"),
        places: from_json(r, "places")?,
        at: stamp(r.int("outcome_at").unwrap_or(0)),
    }))
}

/// The experiment a row was spread from.
pub(crate) fn spread_from(r: &Row<'_>) -> Result<Option<ExperimentRef>, Problem> {
    match r.text("spread_from_id") {
        None => Ok(None),
        Some(id) => Ok(Some(ExperimentRef {
            insee: insee(r, "spread_from_insee")?,
            id: id.to_owned(),
            title: r.string("spread_from_title"),
        })),
    }
}

/// The experiments spread from `exp` in other communes: all of them for the
/// people who follow `exp` (the link is its own outcome, and each carries its
/// title), the published ones on its public page (`public_only`).
pub(crate) async fn spread_to(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
    public_only: bool,
) -> Result<Vec<ExperimentRef>, Problem> {
    let sel = cx
        .db
        .across(allowed)
        .select(EXPERIMENTS, EXP_COLUMNS)
        .filter(
            "spread_from_insee = ? AND spread_from_id = ?",
            [exp.insee.as_str().into(), exp.id.as_str().into()],
        );
    let sel = if public_only {
        sel.filter("published = 1", [])
    } else {
        sel
    };
    let rows = sel.order_by("insee").rows().await?;
    rows.iter().map(|r| Ok(Exp::of(&r)?.link())).collect()
}

// ---------------------------------------------------------------- creation

/// `POST /api/experiments/communes/{insee}`: a selected application of the
/// commune becomes its experiment; asked again, the same experiment (200).
pub(crate) async fn create(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let commune = cx.insee()?;
    let allowed = cx
        .ask(Action::ExperimentCreate, &Facts::tenant(&commune))
        .await?;
    let input: ExperimentInput = cx.req.json()?;
    let app_id = id_field("application_id", &input.application_id)?.to_owned();
    if let Some(existing) = by_application(cx, &allowed, &app_id).await? {
        return Ok(json(200, &present(cx, &allowed, &existing).await?));
    }
    let app: Application = get_json(cx, &format!("/api/applications/{app_id}"))
        .await?
        .filter(|a: &Application| !a.id.is_empty())
        .ok_or_else(|| Problem::invalid_field("application_id", "no such application"))?;
    let mut errors = Vec::new();
    if app.insee != commune {
        errors.push(FieldError::new(
            "application_id",
            format!("the application is for commune {}", app.insee),
        ));
    }
    if app.status != SELECTED {
        errors.push(FieldError::new(
            "application_id",
            "only a selected application becomes an experiment",
        ));
    }
    let call: Option<Call> = get_json(cx, &format!("/api/calls/{}", app.call_id)).await?;
    // The selection is announced first: an experiment its holder follows would
    // tell it an unpublished decision.
    if app.status == SELECTED && !call.as_ref().is_some_and(|c| c.decisions_published) {
        errors.push(FieldError::new(
            "application_id",
            "the call's decisions are not published yet",
        ));
    }
    let starts_on = input.starts_on.unwrap_or(cx.today);
    let ends_on = input.ends_on.unwrap_or(starts_on.add_months(18));
    if ends_on <= starts_on {
        errors.push(FieldError::new("ends_on", "must be after starts_on"));
    }
    let summary = text(
        &mut errors,
        "summary",
        input.summary.as_deref().unwrap_or(""),
        false,
        SUMMARY_MAX,
    );
    crate::consortium::check_referents(cx, &commune, &input.referents, &mut errors).await?;
    validation(errors)?;
    let (commune_name, district) = place(cx, &commune).await?;
    let id = new_id();
    let row = NewExperiment {
        id: &id,
        application_id: Some(&app.id),
        call_id: Some(&app.call_id),
        commune_name: &commune_name,
        district: district.as_deref(),
        title: &app.title,
        summary: &summary,
        themes: &call.map(|c| c.themes).unwrap_or_default(),
        holder: (&app.organisation, &app.organisation_name),
        referents: &input.referents,
        starts_on,
        ends_on,
        spread_from: None,
    };
    let created = cx
        .db
        .atomic(async |db| {
            // A concurrent creation for the same application wins the unique index.
            if insert(cx, db, &allowed, &row).await? {
                record(
                    cx,
                    db,
                    &allowed,
                    &id,
                    Event::said(EventKind::Created, &app.title),
                )
                .await?;
                Ok::<_, Problem>(true)
            } else {
                Ok(false)
            }
        })
        .await?;
    qmi_kit::presence::tell(
        &app.organisation,
        &commune,
        qmi_api::partners::PresenceSource::Experiment,
    )
    .await;
    let exp = match by_application(cx, &allowed, &app.id).await? {
        Some(e) => e,
        None => return Err(Problem::internal("experiment vanished")),
    };
    Ok(json(
        if created { 201 } else { 200 },
        &present(cx, &allowed, &exp).await?,
    ))
}

/// The columns of a new experiment.
pub(crate) struct NewExperiment<'a> {
    pub(crate) id: &'a str,
    pub(crate) application_id: Option<&'a str>,
    pub(crate) call_id: Option<&'a str>,
    pub(crate) commune_name: &'a str,
    pub(crate) district: Option<&'a str>,
    pub(crate) title: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) themes: &'a [String],
    pub(crate) holder: (&'a str, &'a str),
    pub(crate) referents: &'a [String],
    pub(crate) starts_on: Day,
    pub(crate) ends_on: Day,
    pub(crate) spread_from: Option<&'a ExperimentRef>,
}

/// Inserts an experiment and its holder (false when its application or its
/// origin already has one in the commune). Call inside `db.atomic`.
pub(crate) async fn insert(
    cx: &Ctx<'_>,
    db: &qmi_kit::store::Db,
    allowed: &Allowed,
    e: &NewExperiment<'_>,
) -> Result<bool, Problem> {
    let t = db.tenant(allowed)?;
    t.insert(
        EXPERIMENTS,
        vec![
            ("id", e.id.into()),
            ("application_id", e.application_id.into()),
            ("call_id", e.call_id.into()),
            ("commune_name", e.commune_name.into()),
            ("district", e.district.into()),
            ("title", e.title.into()),
            ("summary", e.summary.into()),
            ("themes", to_json(&e.themes)?.into()),
            ("holder_id", e.holder.0.into()),
            ("holder_name", e.holder.1.into()),
            ("referents", to_json(&e.referents)?.into()),
            ("starts_on", e.starts_on.days().into()),
            ("ends_on", e.ends_on.days().into()),
            ("status", ExperimentStatus::Preparing.as_str().into()),
            (
                "spread_from_insee",
                e.spread_from.map(|s| s.insee.as_str()).into(),
            ),
            (
                "spread_from_id",
                e.spread_from.map(|s| s.id.as_str()).into(),
            ),
            (
                "spread_from_title",
                e.spread_from.map(|s| s.title.as_str()).into(),
            ),
            ("created_at", cx.now.0.into()),
            ("updated_at", cx.now.0.into()),
        ],
    )
    .or_ignore()
    .run()
    .await?;
    if db.changes().await == 0 {
        return Ok(false);
    }
    write_themes(db, allowed, e.id, e.themes).await?;
    t.insert(
        PARTNERS,
        vec![
            ("experiment_id", e.id.into()),
            ("organisation_id", e.holder.0.into()),
            ("name", e.holder.1.into()),
            ("holder", true.into()),
        ],
    )
    .run()
    .await?;
    Ok(true)
}

/// The commune's experiment from application `app_id`, if any.
async fn by_application(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app_id: &str,
) -> Result<Option<Exp>, Problem> {
    let rows = cx
        .db
        .tenant(allowed)?
        .select(EXPERIMENTS, EXP_COLUMNS)
        .filter("application_id = ?", [app_id.into()])
        .rows()
        .await?;
    rows.first().map(|r| Exp::of(&r)).transpose()
}

/// The commune's name and its district's, from the registry and districts.
pub(crate) async fn place(
    cx: &Ctx<'_>,
    commune: &Insee,
) -> Result<(String, Option<String>), Problem> {
    let c: Commune = get_json(cx, &format!("/api/communes/{commune}"))
        .await?
        .ok_or_else(|| Problem::invalid_field("insee", "no such commune"))?;
    let d: Option<District> = get_json(cx, &format!("/api/districts/{commune}")).await?;
    Ok((c.name, d.map(|d| d.name)))
}

// ---------------------------------------------------------------- reads and changes

/// `GET /api/experiments/{id}`.
pub(crate) async fn get(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    Ok(json(200, &present(cx, &allowed, &exp).await?))
}

/// `PUT /api/experiments/{id}`.
pub(crate) async fn update(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: ExperimentUpdate = cx.req.json()?;
    let mut errors = Vec::new();
    let title = text(&mut errors, "title", &input.title, true, TITLE_MAX);
    let summary = text(&mut errors, "summary", &input.summary, false, SUMMARY_MAX);
    if input.ends_on <= input.starts_on {
        errors.push(FieldError::new("ends_on", "must be after starts_on"));
    }
    if input.report_every_months > 12 {
        errors.push(FieldError::new("report_every_months", "0 to 12"));
    }
    let themes: Vec<String> = input
        .themes
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if themes.len() > 20 || themes.iter().any(|t| t.chars().count() > 80) {
        errors.push(FieldError::new(
            "themes",
            "20 themes of 80 characters at most",
        ));
    }
    crate::consortium::check_referents(cx, &exp.insee, &input.referents, &mut errors).await?;
    validation(errors)?;
    let set = vec![
        ("title", title.into()),
        ("summary", summary.into()),
        ("themes", to_json(&themes)?.into()),
        ("referents", to_json(&input.referents)?.into()),
        ("starts_on", input.starts_on.days().into()),
        ("ends_on", input.ends_on.days().into()),
        ("report_every_months", input.report_every_months.into()),
        ("published", input.published.into()),
    ];
    cx.db
        .atomic(async |db| {
            change(cx, db, &allowed, &exp.id, set, None).await?;
            write_themes(db, &allowed, &exp.id, &themes).await?;
            let schedule = (input.starts_on, input.ends_on, input.report_every_months);
            if schedule != (exp.starts_on, exp.ends_on, exp.report_every_months) {
                crate::reports::recount(db, &allowed, &exp.id, schedule).await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    let exp = find(cx, &exp.id).await?;
    Ok(json(200, &present(cx, &allowed, &exp).await?))
}

/// `POST /api/experiments/{id}/moves`: one move of the lifecycle, with its
/// history row in the same transaction; 409 naming the allowed moves.
pub(crate) async fn move_to(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: MoveInput = cx.req.json()?;
    let mut errors = Vec::new();
    let reason = text(
        &mut errors,
        "reason",
        input.reason.as_deref().unwrap_or(""),
        input.to.needs_reason(),
        2000,
    );
    validation(errors)?;
    let moved = cx
        .db
        .atomic(async |db| {
            // Read again under the write lock: two moves cannot both start from the same state.
            let now = find(cx, &exp.id).await?;
            let next = now.status.next(now.suspended_from);
            if !next.contains(&input.to) {
                let names: Vec<&str> = next.iter().map(|s| s.as_str()).collect();
                let mut p = Problem::conflict(if names.is_empty() {
                    format!("an experiment {} moves no more", now.status)
                } else {
                    format!(
                        "an experiment {} may move to {}",
                        now.status,
                        names.join(", ")
                    )
                });
                p.errors.push(FieldError::new(
                    "to",
                    format!("allowed: {}", names.join(", ")),
                ));
                return Err(p);
            }
            let suspended_from = (input.to == ExperimentStatus::Suspended).then_some(now.status);
            let set = vec![
                ("status", input.to.as_str().into()),
                ("suspended_from", suspended_from.map(|s| s.as_str()).into()),
            ];
            let event = Event {
                kind: EventKind::Moved,
                from: Some(now.status),
                to: Some(input.to),
                detail: &reason,
            };
            change(cx, db, &allowed, &exp.id, set, Some(event)).await
        })
        .await;
    moved?;
    let exp = find(cx, &exp.id).await?;
    Ok(json(200, &present(cx, &allowed, &exp).await?))
}

/// A listing's row: an experiment in brief (its due counts filled by the caller).
pub(crate) fn summary_of(r: &Row<'_>) -> Result<ExperimentSummary, Problem> {
    Ok(ExperimentSummary {
        id: r.string("id"),
        insee: insee(r, "insee")?,
        commune_name: r.string("commune_name"),
        district: r.text("district").map(str::to_owned),
        title: r.string("title"),
        summary: r.string("summary"),
        themes: from_json(r, "themes")?,
        holder: r.string("holder_name"),
        status: r
            .text("status")
            .and_then(ExperimentStatus::parse)
            .ok_or_else(|| Problem::internal("stored experiment status"))?,
        published: r.int("published") == Some(1),
        starts_on: day(r, "starts_on").unwrap_or(Day::from_days(0)),
        ends_on: day(r, "ends_on").unwrap_or(Day::from_days(0)),
        outcome: r.text("outcome").and_then(Outcome::parse),
        due: Due::default(),
    })
}
