//! The holder's progress reports on the commune's rhythm, and the residents'
//! feedback with its moderation.

use qmi_api::experiments::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;
use qmi_kit::{FieldError, Problem};

use crate::context::*;
use crate::schedule;

// ---------------------------------------------------------------- reports

/// One report per period begun, sent or not.
pub(crate) async fn reports(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exp: &Exp,
) -> Result<Vec<Report>, Problem> {
    let sent = cx
        .db
        .tenant(allowed)?
        .select(REPORTS, &["period", "text", "documents", "actor", "at"])
        .filter("experiment_id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let sent_on = |p: Day| sent.iter().find(|r| r.int("period") == Some(p.days()));
    let mut out = Vec::new();
    for period in schedule::periods(
        exp.starts_on,
        exp.ends_on,
        exp.report_every_months,
        cx.today,
    ) {
        let row = sent_on(period.starts);
        out.push(Report {
            period: period.starts,
            due_on: period.due,
            text: row.as_ref().map(|r| r.string("text")),
            by: row.as_ref().map(|r| r.string("actor")),
            sent_at: row.as_ref().map(|r| stamp(r.int("at").unwrap_or(0))),
            documents: match &row {
                Some(r) => from_json(r, "documents")?,
                None => Vec::new(),
            },
            state: schedule::report_state(period, row.is_some(), cx.today),
        });
    }
    Ok(out)
}

/// `PUT /api/experiments/{id}/reports/{period}`: the report of a period begun
/// (sent again, it replaces the text); its files are the experiment's
/// documents of kind `report`.
pub(crate) async fn send(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentReport).await?;
    let period: Day = cx
        .param("period")
        .parse()
        .map_err(|e: DayError| Problem::invalid_field("period", e.to_string()))?;
    let input: ReportInput = cx.req.json()?;
    let mut errors = Vec::new();
    let body = text(&mut errors, "text", &input.text, true, 20_000);
    let periods = schedule::periods(
        exp.starts_on,
        exp.ends_on,
        exp.report_every_months,
        cx.today,
    );
    if !periods.iter().any(|p| p.starts == period) {
        errors.push(FieldError::new(
            "period",
            "not the first day of a reporting period begun",
        ));
    }
    let known: Vec<String> = cx
        .db
        .tenant(&allowed)?
        .select(DOCUMENTS, &["id"])
        .filter(
            "experiment_id = ? AND kind = ?",
            [exp.id.as_str().into(), DocumentKind::Report.as_str().into()],
        )
        .rows()
        .await?
        .iter()
        .map(|r| r.string("id"))
        .collect();
    for (i, d) in input.documents.iter().enumerate() {
        if !known.contains(d) {
            errors.push(FieldError::new(
                format!("documents[{i}]"),
                "not a report document of this experiment",
            ));
        }
    }
    validation(errors)?;
    let actor = cx.actor()?;
    cx.db
        .atomic(async |db| {
            let t = db.tenant(&allowed)?;
            let again = t
                .select(REPORTS, &["period"])
                .filter(
                    "experiment_id = ? AND period = ?",
                    [exp.id.as_str().into(), period.days().into()],
                )
                .exists()
                .await?;
            if !again {
                // The count and the latest period the figures read.
                t.update(EXPERIMENTS, Vec::new())
                    .set_expr("reports_sent", "reports_sent + 1", [])
                    .set_expr(
                        "last_report",
                        "MAX(COALESCE(last_report, ?), ?)",
                        [period.days().into(), period.days().into()],
                    )
                    .filter("id = ?", [exp.id.as_str().into()])
                    .run()
                    .await?;
            }
            t.insert(
                REPORTS,
                vec![
                    ("experiment_id", exp.id.as_str().into()),
                    ("period", period.days().into()),
                    ("text", body.as_str().into()),
                    ("documents", to_json(&input.documents)?.into()),
                    ("actor", actor.as_str().into()),
                    ("at", cx.now.0.into()),
                ],
            )
            .upsert(
                &["experiment_id", "period"],
                &["text", "documents", "actor", "at"],
            )
            .run()
            .await?;
            let detail = period.to_string();
            record(
                cx,
                db,
                &allowed,
                &exp.id,
                Event::said(EventKind::ReportSent, &detail),
            )
            .await
        })
        .await?;
    let one = reports(cx, &allowed, &exp)
        .await?
        .into_iter()
        .find(|r| r.period == period)
        .ok_or_else(|| Problem::internal("report vanished"))?;
    Ok(json(200, &one))
}

/// Counts again the reports of experiment `id` that belong to its schedule
/// (`starts`, `ends`, one every `every` months), after the schedule changed:
/// the count and the latest period the figures read (inside `db.atomic`).
pub(crate) async fn recount(
    db: &qmi_kit::store::Db,
    allowed: &Allowed,
    id: &str,
    (starts, ends, every): (Day, Day, u32),
) -> Result<(), Problem> {
    let t = db.tenant(allowed)?;
    let sent = t
        .select(REPORTS, &["period"])
        .filter("experiment_id = ?", [id.into()])
        .rows()
        .await?;
    let schedule: Vec<i64> = schedule::periods(starts, ends, every, ends)
        .iter()
        .map(|p| p.starts.days())
        .collect();
    let kept: Vec<i64> = sent
        .iter()
        .filter_map(|r| r.int("period"))
        .filter(|p| schedule.contains(p))
        .collect();
    t.update(
        EXPERIMENTS,
        vec![
            (
                "reports_sent",
                u32::try_from(kept.len()).unwrap_or(u32::MAX).into(),
            ),
            ("last_report", kept.iter().max().copied().into()),
        ],
    )
    .filter("id = ?", [id.into()])
    .run()
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- feedback

/// How many feedbacks one client may leave in [`WINDOW`] seconds, all
/// experiments together.
const PER_CLIENT: i64 = 5;
const WINDOW: i64 = 3600;

fn public_of(r: &Row<'_>) -> PublicFeedback {
    PublicFeedback {
        id: r.string("id"),
        text: r.string("text"),
        rating: u8::try_from(r.int("rating").unwrap_or(0)).unwrap_or(0),
        first_name: r.text("first_name").map(str::to_owned),
        neighbourhood: r.text("neighbourhood").map(str::to_owned),
        at: stamp(r.int("at").unwrap_or(0)),
    }
}

fn feedback_of(r: &Row<'_>) -> Feedback {
    Feedback {
        public: public_of(r),
        email: r.text("email").map(str::to_owned),
        status: r
            .text("status")
            .and_then(FeedbackStatus::parse)
            .unwrap_or(FeedbackStatus::Waiting),
        reason: r.text("reason").map(str::to_owned),
        moderated_by: r.text("moderated_by").map(str::to_owned),
    }
}

/// Published feedback of experiment `id`, newest first.
pub(crate) async fn published(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
) -> Result<Vec<PublicFeedback>, Problem> {
    Ok(cx
        .db
        .tenant(allowed)?
        .select(
            FEEDBACK,
            &["id", "text", "rating", "first_name", "neighbourhood", "at"],
        )
        .filter(
            "experiment_id = ? AND status = ?",
            [id.into(), FeedbackStatus::Published.as_str().into()],
        )
        .order_by("at DESC, id DESC")
        .limit(200)
        .rows()
        .await?
        .iter()
        .map(|r| public_of(&r))
        .collect())
}

/// The client a feedback comes from, for the rate limit: its address without
/// the port (Spin's `spin-client-addr`).
fn client(cx: &Ctx<'_>) -> String {
    let addr = cx.req.header("spin-client-addr").unwrap_or("unknown");
    match addr.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => {
            host.trim_matches(['[', ']']).to_owned()
        }
        _ => addr.to_owned(),
    }
}

/// `POST /api/experiments/{id}/feedback`: anyone, on a published experiment;
/// it waits for moderation (202).
pub(crate) async fn give(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let exp = find(cx, cx.param("id")).await?;
    if !exp.published {
        return Err(Problem::not_found(format!("no experiment {}", exp.id)));
    }
    let allowed = cx
        .ask(
            Action::FeedbackGive,
            &Facts {
                published: true,
                ..facts(cx, &exp, true).await?
            },
        )
        .await?;
    let input: FeedbackInput = cx.req.json()?;
    let mut errors = Vec::new();
    let body = text(&mut errors, "text", &input.text, true, FEEDBACK_MAX);
    if !(1..=5).contains(&input.rating) {
        errors.push(FieldError::new("rating", "1 to 5"));
    }
    let optional = |errors: &mut Vec<FieldError>, field: &str, v: &Option<String>| {
        let t = text(
            errors,
            field,
            v.as_deref().unwrap_or(""),
            false,
            FEEDBACK_NAME_MAX,
        );
        (!t.is_empty()).then_some(t)
    };
    let first_name = optional(&mut errors, "first_name", &input.first_name);
    let neighbourhood = optional(&mut errors, "neighbourhood", &input.neighbourhood);
    let email = match (input.consent, input.email.as_deref().map(str::trim)) {
        (true, Some(e)) if !e.is_empty() => match e.parse::<qmi_api::identity::Email>() {
            Ok(e) => Some(e.to_string()),
            Err(m) => {
                errors.push(FieldError::new("email", m));
                None
            }
        },
        (true, _) => {
            errors.push(FieldError::new(
                "email",
                "give an address, or untick the consent",
            ));
            None
        }
        // Without consent, an address is not kept.
        (false, _) => None,
    };
    validation(errors)?;
    let who = client(cx);
    let recent = cx
        .db
        .facts()
        .select(FEEDBACK, &["id"])
        .filter(
            "client = ? AND at > ?",
            [who.as_str().into(), (cx.now.0 - WINDOW).into()],
        )
        .count()
        .await?;
    if recent >= PER_CLIENT {
        return Err(Problem::too_many_requests(
            60,
            "too much feedback from this address; try again later",
        ));
    }
    cx.db
        .tenant(&allowed)?
        .insert(
            FEEDBACK,
            vec![
                ("experiment_id", exp.id.as_str().into()),
                ("id", new_id().into()),
                ("text", body.into()),
                ("rating", u32::from(input.rating).into()),
                ("first_name", first_name.into()),
                ("neighbourhood", neighbourhood.into()),
                ("email", email.into()),
                ("status", FeedbackStatus::Waiting.as_str().into()),
                ("client", who.into()),
                ("at", cx.now.0.into()),
            ],
        )
        .run()
        .await?;
    Ok(qmi_kit::http::bytes(202, &[], Vec::new()))
}

/// `GET /api/experiments/{id}/feedback`: every feedback, for the moderators.
pub(crate) async fn list(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::FeedbackModerate).await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(FEEDBACK, &["*"])
        .filter("experiment_id = ?", [exp.id.as_str().into()])
        .order_by("at DESC, id DESC")
        .limit(500)
        .rows()
        .await?;
    Ok(json(
        200,
        &rows.iter().map(|r| feedback_of(&r)).collect::<Vec<_>>(),
    ))
}

/// `POST /api/experiments/{id}/feedback/{feedback}/moderation`.
pub(crate) async fn moderate(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::FeedbackModerate).await?;
    let input: Moderation = cx.req.json()?;
    let mut errors = Vec::new();
    let reason = text(
        &mut errors,
        "reason",
        input.reason.as_deref().unwrap_or(""),
        !input.publish,
        1000,
    );
    validation(errors)?;
    let status = if input.publish {
        FeedbackStatus::Published
    } else {
        FeedbackStatus::Rejected
    };
    let t = cx.db.tenant(&allowed)?;
    let key = [exp.id.as_str().into(), cx.param("feedback").into()];
    t.update(
        FEEDBACK,
        vec![
            ("status", status.as_str().into()),
            ("reason", (!input.publish).then_some(reason).into()),
            ("moderated_by", cx.actor()?.into()),
        ],
    )
    .filter("experiment_id = ? AND id = ?", key.clone())
    .run()
    .await?;
    let rows = t
        .select(FEEDBACK, &["*"])
        .filter("experiment_id = ? AND id = ?", key)
        .rows()
        .await?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no feedback {}", cx.param("feedback"))))?;
    Ok(json(200, &feedback_of(&r)))
}

/// `DELETE /api/experiments/{id}/feedback/{feedback}`: a feedback erased on its
/// author's request (the commune's moderators): the row goes, its text and any
/// contact with it, and the database file is checkpointed so that no copy stays
/// in its write-ahead log.
pub(crate) async fn erase(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::FeedbackModerate).await?;
    let feedback = cx.param("feedback");
    let key = [exp.id.as_str().into(), feedback.into()];
    qmi_kit::personal::secure_delete(&cx.db).await?;
    cx.db
        .atomic(async |db| {
            db.tenant(&allowed)?
                .delete(FEEDBACK)
                .filter("experiment_id = ? AND id = ?", key)
                .run()
                .await?;
            if db.changes().await == 0 {
                return Err(Problem::not_found(format!("no feedback {feedback}")));
            }
            Ok(())
        })
        .await?;
    qmi_kit::personal::checkpoint(&cx.db).await?;
    Ok(qmi_kit::http::no_content())
}
