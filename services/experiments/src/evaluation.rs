//! The evaluation on the programme's common grid (the commune's and the
//! programme's columns side by side) and the holder's own; the outcome; the
//! spread to another commune; the timeline from the call to the spread.

use qmi_api::applications::Application;
use qmi_api::experiments::*;
use qmi_kit::api::get_json;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::{FieldError, Problem};

use crate::context::*;
use crate::lifecycle::{self, NewExperiment};

// ---------------------------------------------------------------- the grid

/// The grid and the holder's evaluation of `exp`.
async fn evaluation(cx: &Ctx<'_>, allowed: &Allowed, exp: &Exp) -> Result<Evaluation, Problem> {
    let t = cx.db.tenant(allowed)?;
    let scores = t
        .select(GRID, &["side", "axis", "score", "comment"])
        .filter("experiment_id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let column = |side: Side| -> Vec<GridScore> {
        let mut out: Vec<GridScore> = scores
            .iter()
            .filter(|r| r.text("side") == Some(side.as_str()))
            .filter_map(|r| {
                Some(GridScore {
                    axis: GridAxis::parse(r.text("axis")?)?,
                    score: u8::try_from(r.int("score")?).ok()?,
                    comment: r.string("comment"),
                })
            })
            .collect();
        out.sort_by_key(|s| s.axis);
        out
    };
    let holder = t
        .select(EXPERIMENTS, &["protocol", "final_report"])
        .filter("id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let holder = holder
        .first()
        .map(|r| HolderEvaluation {
            protocol: r.string("protocol"),
            final_report: r.string("final_report"),
        })
        .unwrap_or_default();
    Ok(Evaluation {
        commune: column(Side::Commune),
        programme: column(Side::Programme),
        holder,
    })
}

/// `GET /api/experiments/{id}/evaluation`.
pub(crate) async fn get(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    Ok(json(200, &evaluation(cx, &allowed, &exp).await?))
}

/// `PUT /api/experiments/{id}/grid/{side}`: one side's column, every axis once;
/// the commune's by its admins, the programme's by programme operators.
pub(crate) async fn save_grid(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let side = Side::parse(cx.param("side"))
        .ok_or_else(|| Problem::invalid_field("side", "commune or programme"))?;
    // Who may not read it may not score it (404 or 403 first).
    let (exp, _read) = allowed(cx, Action::ExperimentRead).await?;
    let allowed = cx
        .ask(
            Action::ExperimentEvaluate,
            &Facts {
                programme_call: side == Side::Programme,
                ..facts(cx, &exp, false).await?
            },
        )
        .await?;
    if !matches!(
        exp.status,
        ExperimentStatus::Evaluating | ExperimentStatus::Concluded | ExperimentStatus::Stopped
    ) {
        return Err(Problem::conflict(format!(
            "the grid is filled once the experiment is evaluating (it is {})",
            exp.status
        )));
    }
    let input: GridInput = cx.req.json()?;
    let mut errors = Vec::new();
    for axis in GridAxis::ALL {
        let n = input.scores.iter().filter(|s| s.axis == *axis).count();
        if n != 1 {
            errors.push(FieldError::new(
                "scores",
                format!("{axis} once (given {n} times)"),
            ));
        }
    }
    for (i, s) in input.scores.iter().enumerate() {
        if s.score > 5 {
            errors.push(FieldError::new(format!("scores[{i}].score"), "0 to 5"));
        }
        if s.comment.chars().count() > 2000 {
            errors.push(FieldError::new(
                format!("scores[{i}].comment"),
                "2000 characters at most",
            ));
        }
    }
    validation(errors)?;
    cx.db
        .atomic(async |db| {
            let t = db.tenant(&allowed)?;
            for s in &input.scores {
                t.insert(
                    GRID,
                    vec![
                        ("experiment_id", exp.id.as_str().into()),
                        ("side", side.as_str().into()),
                        ("axis", s.axis.as_str().into()),
                        ("score", u32::from(s.score).into()),
                        ("comment", s.comment.trim().into()),
                    ],
                )
                .upsert(&["experiment_id", "side", "axis"], &["score", "comment"])
                .run()
                .await?;
            }
            record(
                cx,
                db,
                &allowed,
                &exp.id,
                Event::said(EventKind::Evaluated, side.as_str()),
            )
            .await
        })
        .await?;
    Ok(json(200, &evaluation(cx, &allowed, &exp).await?))
}

/// `PUT /api/experiments/{id}/holder-evaluation`: the holder's protocol and final report.
pub(crate) async fn save_holder(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentReport).await?;
    let input: HolderEvaluation = cx.req.json()?;
    let mut errors = Vec::new();
    let protocol = text(&mut errors, "protocol", &input.protocol, false, 20_000);
    let final_report = text(
        &mut errors,
        "final_report",
        &input.final_report,
        false,
        50_000,
    );
    validation(errors)?;
    let set = vec![
        ("protocol", protocol.into()),
        ("final_report", final_report.into()),
    ];
    change(cx, &cx.db, &allowed, &exp.id, set, None).await?;
    Ok(json(200, &evaluation(cx, &allowed, &exp).await?))
}

// ---------------------------------------------------------------- outcome and spread

/// `PUT /api/experiments/{id}/outcome`: what came of a concluded or stopped experiment.
pub(crate) async fn record_outcome(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    if !matches!(
        exp.status,
        ExperimentStatus::Concluded | ExperimentStatus::Stopped
    ) {
        return Err(Problem::conflict(format!(
            "an outcome is recorded once the experiment is concluded or stopped (it is {})",
            exp.status
        )));
    }
    let input: OutcomeInput = cx.req.json()?;
    let mut errors = Vec::new();
    let reason = text(&mut errors, "reason", &input.reason, true, 5000);
    let lessons = text(&mut errors, "lessons", &input.lessons, false, 20_000);
    let places: Vec<String> = input
        .places
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if places.len() > 50 || places.iter().any(|p| p.chars().count() > 200) {
        errors.push(FieldError::new(
            "places",
            "50 places of 200 characters at most",
        ));
    }
    if exp.status == ExperimentStatus::Stopped && input.outcome != Outcome::Stopped {
        errors.push(FieldError::new(
            "outcome",
            "a stopped experiment's outcome is stopped",
        ));
    }
    validation(errors)?;
    cx.db
        .atomic(async |db| {
            let set = vec![
                ("outcome", input.outcome.as_str().into()),
                ("outcome_reason", reason.as_str().into()),
                ("lessons", lessons.as_str().into()),
                ("places", to_json(&places)?.into()),
                ("outcome_at", cx.now.0.into()),
            ];
            let event = Event::said(EventKind::OutcomeRecorded, input.outcome.as_str());
            change(cx, db, &allowed, &exp.id, set, Some(event)).await
        })
        .await?;
    let exp = find(cx, &exp.id).await?;
    Ok(json(200, &lifecycle::present(cx, &allowed, &exp).await?))
}

/// `POST /api/experiments/{id}/spreads`: a concluded experiment starts again in
/// another commune (by that commune's admins or programme operators), linked
/// both ways; asked again, the same experiment (200).
pub(crate) async fn spread(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (origin, origin_allowed) = allowed(cx, Action::ExperimentRead).await?;
    let input: SpreadInput = cx.req.json()?;
    if input.insee == origin.insee {
        return Err(Problem::invalid_field(
            "insee",
            "another commune than the experiment's",
        ));
    }
    let target = cx
        .ask(Action::ExperimentCreate, &Facts::tenant(&input.insee))
        .await?;
    if origin.status != ExperimentStatus::Concluded {
        return Err(Problem::conflict(format!(
            "a concluded experiment spreads (this one is {})",
            origin.status
        )));
    }
    let whole = lifecycle::present(cx, &origin_allowed, &origin).await?;
    let holder = whole
        .partners
        .iter()
        .find(|p| p.holder)
        .ok_or_else(|| Problem::internal("experiment without a holder"))?;
    let (commune_name, district) = lifecycle::place(cx, &input.insee).await?;
    let link = ExperimentRef {
        insee: origin.insee.clone(),
        id: origin.id.clone(),
        title: origin.title.clone(),
    };
    let id = new_id();
    let starts_on = cx.today;
    let row = NewExperiment {
        id: &id,
        application_id: None,
        call_id: whole.call_id.as_deref(),
        commune_name: &commune_name,
        district: district.as_deref(),
        title: &whole.title,
        summary: &whole.summary,
        themes: &whole.themes,
        holder: (&holder.organisation_id, &holder.name),
        referents: &[],
        starts_on,
        ends_on: starts_on.add_months(18),
        spread_from: Some(&link),
    };
    let created = cx
        .db
        .atomic(async |db| {
            if !lifecycle::insert(cx, db, &target, &row).await? {
                return Ok::<_, Problem>(false);
            }
            let from = format!("{} ({})", origin.title, origin.insee);
            record(
                cx,
                db,
                &target,
                &id,
                Event::said(EventKind::SpreadFrom, &from),
            )
            .await?;
            Ok(true)
        })
        .await?;
    qmi_kit::presence::tell(
        &holder.organisation_id,
        &input.insee,
        qmi_api::partners::PresenceSource::Experiment,
    )
    .await;
    let rows = cx
        .db
        .tenant(&target)?
        .select(EXPERIMENTS, EXP_COLUMNS)
        .filter(
            "spread_from_insee = ? AND spread_from_id = ?",
            [origin.insee.as_str().into(), origin.id.as_str().into()],
        )
        .rows()
        .await?;
    let spread = rows
        .first()
        .map(|r| Exp::of(&r))
        .transpose()?
        .ok_or_else(|| Problem::internal("spread experiment vanished"))?;
    Ok(json(
        if created { 201 } else { 200 },
        &lifecycle::present(cx, &target, &spread).await?,
    ))
}

// ---------------------------------------------------------------- timelines

/// The entries recorded for `exp`, oldest first.
async fn entries(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
) -> Result<Vec<TimelineEntry>, Problem> {
    let rows = cx
        .db
        .tenant(allowed)?
        .select(
            EVENTS,
            &["at", "actor", "kind", "from_status", "to_status", "detail"],
        )
        .filter("experiment_id = ?", [exp.id.as_str().into()])
        .order_by("seq")
        .rows()
        .await?;
    let mut out: Vec<TimelineEntry> = rows
        .iter()
        .filter_map(|r| {
            let kind = TimelineKind::parse(r.text("kind")?)?;
            let detail = match (kind, r.text("from_status"), r.text("to_status")) {
                (TimelineKind::Moved, Some(f), Some(t)) => {
                    let reason = r.string("detail");
                    if reason.is_empty() {
                        format!("{f} → {t}")
                    } else {
                        format!("{f} → {t} : {reason}")
                    }
                }
                _ => r.string("detail"),
            };
            Some(TimelineEntry {
                at: stamp(r.int("at").unwrap_or(0)),
                kind,
                detail,
                by: r.text("actor").map(str::to_owned),
            })
        })
        .collect();
    // The spreads to other communes, from their side of the link.
    for to in lifecycle::spread_to(cx, allowed, exp, false).await? {
        let created = cx
            .db
            .across(allowed)
            .select(EXPERIMENTS, &["created_at"])
            .within(&to.insee)
            .filter("id = ?", [to.id.as_str().into()])
            .rows()
            .await?;
        let at = created
            .first()
            .and_then(|r| r.int("created_at"))
            .unwrap_or(0);
        out.push(TimelineEntry {
            at: stamp(at),
            kind: TimelineKind::SpreadTo,
            detail: format!("{} ({})", to.title, to.insee),
            by: None,
        });
    }
    Ok(out)
}

/// The application's part of a timeline: its history (created, moves,
/// decision) as the caller may read it (none when the caller may not).
async fn application_of(cx: &Ctx<'_>, app_id: &str) -> Result<Option<Application>, Problem> {
    Ok(
        get_json::<Application>(cx, &format!("/api/applications/{app_id}"))
            .await?
            .filter(|a| !a.id.is_empty()),
    )
}

/// The timeline entries of an application's history.
fn application_entries(app: &Application) -> Vec<TimelineEntry> {
    app.history
        .iter()
        .map(|h| TimelineEntry {
            at: h.at.clone(),
            kind: TimelineKind::Application,
            detail: match &h.reason {
                Some(r) if !r.is_empty() => format!("{} : {r}", h.status),
                _ => h.status.clone(),
            },
            by: Some(h.actor.clone()).filter(|a| !a.is_empty()),
        })
        .collect()
}

/// Oldest first: every instant is written alike (RFC 3339, UTC, to the
/// second), so their text sorts as they do; a stable sort keeps each source's order.
fn sorted(mut entries: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    entries.sort_by(|a, b| a.at.cmp(&b.at));
    entries
}

/// `GET /api/experiments/{id}/timeline`.
pub(crate) async fn experiment_timeline(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(EXPERIMENTS, &["application_id"])
        .filter("id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let application_id = rows
        .first()
        .and_then(|r| r.text("application_id").map(str::to_owned));
    // The application's entries first: the sort is stable, and they precede.
    let mut all = match &application_id {
        Some(id) => application_of(cx, id)
            .await?
            .map(|a| application_entries(&a))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    all.extend(entries(cx, &allowed, &exp).await?);
    Ok(json(
        200,
        &Timeline {
            application_id,
            experiment: Some(exp.link()),
            entries: sorted(all),
        },
    ))
}

/// `GET /api/experiments/applications/{id}/timeline`: as the caller may read
/// the application (404 otherwise), with its experiment's entries when the
/// caller may read that too.
pub(crate) async fn application_timeline(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let app_id = cx.param("id");
    let app = application_of(cx, app_id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no application {app_id}")))?;
    let mut all = application_entries(&app);
    let rows = cx
        .db
        .facts()
        .select(EXPERIMENTS, EXP_COLUMNS)
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .rows()
        .await?;
    let mut experiment = None;
    if let Some(exp) = rows.first().map(|r| Exp::of(&r)).transpose()? {
        let f = facts(cx, &exp, false).await?;
        if cx.allows(Action::ExperimentRead, &f).await? {
            let allowed = cx.ask(Action::ExperimentRead, &f).await?;
            all.extend(entries(cx, &allowed, &exp).await?);
            experiment = Some(exp.link());
        }
    }
    Ok(json(
        200,
        &Timeline {
            application_id: Some(app.id),
            experiment,
            entries: sorted(all),
        },
    ))
}
