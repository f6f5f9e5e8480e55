//! Application and attachment handlers: create, read, save, submit, withdraw,
//! transition, list; upload and download of attachments.

use std::collections::HashMap;

use qmi_api::applications::*;
use qmi_api::{Insee, Page};
use qmi_kit::http::{Reply, json};
use qmi_kit::{PageRequest, Problem};
use sha2::Digest as _;

use super::{
    APPLICATIONS, ATTACHMENTS, Action, Ctx, EVENTS, Facts, StoredCall, app_allowed, app_facts,
    app_of, applicant, call_for, check_eligible, check_input, decision_hidden, decisions, download,
    eligible, file_name, history, jury_io, load_app, load_call, move_to, new_id, notify, present,
    present_now, submit_in, submittable, to_json,
};
use crate::paris::Paris;
use crate::{sniff, workflow};

pub(super) async fn create_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallRead).await?;
    if !call.published {
        return Err(Problem::not_found(format!("no call {}", call.id)));
    }
    let p = cx.me()?;
    let org = p.org.clone().ok_or_else(|| {
        Problem::forbidden("only partner members apply, on behalf of their organisation")
    })?;
    let input: ApplicationInput = cx.req.json()?;
    // The district applied to: the commune of a commune's call, one of a
    // programme call's districts.
    let district = match (&input.district, call.programme) {
        (Some(d), _) if call.districts.contains(d) => d.clone(),
        (Some(_), _) => {
            let list: Vec<&str> = call.districts.iter().map(Insee::as_str).collect();
            return Err(Problem::invalid_field(
                "district",
                format!("one of this call's districts: {}", list.join(", ")),
            ));
        }
        (None, false) => call.insee.clone(),
        (None, true) => {
            return Err(Problem::invalid_field(
                "district",
                "a programme call needs the district applied to",
            ));
        }
    };
    let allowed = cx
        .ask(
            Action::ApplicationDraft,
            &Facts {
                tenant: Some(district.clone()),
                organisation: Some(org.clone()),
                programme_call: call.programme,
                ..Facts::default()
            },
        )
        .await?;
    check_input(&call, &input)?;
    // Fetched once: its eligibility, and its name kept with the application.
    let organisation = applicant(cx, &org).await?;
    eligible(&call, &organisation)?;
    if cx.now >= call.closes_at {
        return Err(
            Problem::new(409, "deadline-passed", "Deadline passed").detail(format!(
                "the deadline was {} (Europe/Paris)",
                Paris(call.closes_at)
            )),
        );
    }
    let key = cx
        .req
        .header("idempotency-key")
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return Err(Problem::bad_request("Idempotency-Key is too long")
            .field("Idempotency-Key", "at most 200 characters"));
    }
    let id = new_id();
    // A new application asked to be submitted is checked before anything is
    // written (it has no attachment yet), so the transaction below only writes:
    // SQLite has one writer at a time, and the shorter it holds the lock, the
    // more submissions go through.
    if input.submit {
        submittable(cx, &call, input.title.trim(), &input.answers, &[])?;
    }
    let first = if input.submit {
        workflow::SUBMITTED
    } else {
        workflow::DRAFT
    };
    // The application, its first step and (asked for) its submission: all or
    // nothing, so a refused submission leaves no draft behind.
    let (app_id, created) = cx
        .db
        .atomic(async |_| {
            cx.db
                .tenant(&allowed)?.insert(APPLICATIONS, vec![
                        ("id", id.as_str().into()),
                        ("call_id", call.id.as_str().into()),
                        ("organisation_id", org.as_str().into()),
                        ("organisation_name", organisation.name.as_str().into()),
                        ("title", input.title.trim().into()),
                        ("answers", to_json(&input.answers)?.into()),
                        ("status", first.into()),
                        ("created_by", p.sub.as_str().into()),
                        ("idempotency_key", key.map(|k| format!("{}|{k}", call.id)).into()),
                        ("created_at", cx.now.0.into()),
                        ("updated_at", cx.now.0.into()),
                        ("submitted_at", input.submit.then_some(cx.now.0).into()),
                    ]).on_conflict("ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING").run()
                .await?;
            let created = cx.db.changes().await > 0;
            if created {
                // Its history: drafted, then submitted when asked, in one statement.
                let actor = p.sub.as_str();
                let mut steps = vec![(1_i64, workflow::DRAFT)];
                if input.submit {
                    steps.push((2, workflow::SUBMITTED));
                }
                for (seq, status) in steps {
                    cx.db
                        .tenant(&allowed)?
                        .insert(
                            EVENTS,
                            vec![
                                ("application_id", id.as_str().into()),
                                ("seq", seq.into()),
                                ("at", cx.now.0.into()),
                                ("status", status.into()),
                                ("actor", actor.into()),
                            ],
                        )
                        .run()
                        .await?;
                }
                if input.submit {
                    notify::received(cx, &allowed, &call, &district, &id, input.title.trim(), &input.answers).await?;
                }
                return Ok::<_, Problem>((id.clone(), true));
            }
            let app = {
                let rows = cx
                    .db
                    .tenant(&allowed)?
                            .select(APPLICATIONS, &["*"])
                            .filter("created_by = ?", [p.sub.as_str().into()])
                            .filter("idempotency_key = ?", [format!("{}|{}", call.id, key.unwrap_or_default()).into()]).rows()
                    .await?;
                rows.first().map(app_of).transpose()?.ok_or_else(|| Problem::conflict("a request with this Idempotency-Key is in progress; retry"))?
            };
            if input.submit {
                submit_in(cx, &allowed, &app, &call).await?;
            }
            Ok::<_, Problem>((app.id, created))
        })
        .await?;
    let app = load_app(cx, &app_id).await?;
    if input.submit {
        qmi_kit::presence::tell(
            &app.organisation,
            &app.insee,
            qmi_api::partners::PresenceSource::Application,
        )
        .await;
    }
    let facts = app_facts(cx, &app, &call).await?;
    Ok(json(
        if created { 201 } else { 200 },
        &present(cx, &allowed, &app, &call, &facts).await?,
    ))
}

pub(super) async fn get_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ApplicationReadTitle).await?;
    if cx.ask(Action::ApplicationRead, &facts).await.is_ok() {
        return Ok(json(
            200,
            &present(cx, &allowed, &app, &call, &facts).await?,
        ));
    }
    let conflict_reason = if facts.conflict {
        jury_io::my_conflict_reason(cx, &allowed, &app).await?
    } else {
        None
    };
    Ok(json(
        200,
        &ApplicationTitle {
            id: app.id.clone(),
            title: app.title.clone(),
            recused: facts.conflict,
            conflict_reason,
        },
    ))
}

pub(super) async fn save_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ApplicationDraft).await?;
    let input: ApplicationInput = cx.req.json()?;
    check_input(&call, &input)?;
    if input.district.as_ref().is_some_and(|d| *d != app.insee) {
        return Err(Problem::invalid_field(
            "district",
            format!(
                "the application is for {}; apply anew for another district",
                app.insee
            ),
        ));
    }
    if app.status != workflow::DRAFT {
        // The state is not named: it may be a decision the applicant may not know yet.
        return Err(Problem::conflict(
            "only a draft can change; this application was submitted",
        ));
    }
    if input.submit {
        check_eligible(cx, &call, &app.organisation).await?;
    }
    // The answers and (asked for) the submission: all or nothing.
    cx.db
        .atomic(async |_| {
            cx.db
                .tenant(&allowed)?
                .update(
                    APPLICATIONS,
                    vec![
                        ("title", input.title.trim().into()),
                        ("answers", to_json(&input.answers)?.into()),
                        ("updated_at", cx.now.0.into()),
                    ],
                )
                .filter("id = ?", [app.id.as_str().into()])
                .filter("status = 'draft'", [])
                .run()
                .await?;
            if cx.db.changes().await == 0 {
                return Err(Problem::conflict(
                    "only a draft can change; this application was submitted",
                ));
            }
            if input.submit {
                submit_in(cx, &allowed, &load_app(cx, &app.id).await?, &call).await?;
            }
            Ok(())
        })
        .await?;
    if input.submit {
        qmi_kit::presence::tell(
            &app.organisation,
            &app.insee,
            qmi_api::partners::PresenceSource::Application,
        )
        .await;
    }
    Ok(json(
        200,
        &present_now(cx, &allowed, &app.id, &call, &facts).await?,
    ))
}

pub(super) async fn submit_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ApplicationSubmit).await?;
    if app.status == workflow::DRAFT {
        check_eligible(cx, &call, &app.organisation).await?;
    }
    cx.db
        .atomic(async |_| submit_in(cx, &allowed, &load_app(cx, &app.id).await?, &call).await)
        .await?;
    qmi_kit::presence::tell(
        &app.organisation,
        &app.insee,
        qmi_api::partners::PresenceSource::Application,
    )
    .await;
    Ok(json(
        200,
        &present_now(cx, &allowed, &app.id, &call, &facts).await?,
    ))
}

pub(super) async fn withdraw_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ApplicationWithdraw).await?;
    if app.status == workflow::WITHDRAWN {
        return Ok(json(
            200,
            &present(cx, &allowed, &app, &call, &facts).await?,
        ));
    }
    if !workflow::allows(&call.workflow, &app.status, workflow::WITHDRAWN) {
        // A decision not yet published is not told, even by this refusal.
        return Err(Problem::conflict(
            if decision_hidden(cx, &app, &call, &facts).await? {
                "the application is under review and can no longer be withdrawn".to_owned()
            } else {
                format!(
                    "an application that is {} can no longer be withdrawn",
                    app.status
                )
            },
        ));
    }
    if !move_to(cx, &allowed, &app, &app.status, workflow::WITHDRAWN, None).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    Ok(json(
        200,
        &present_now(cx, &allowed, &app.id, &call, &facts).await?,
    ))
}

pub(super) async fn transition_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::DecisionDecide).await?;
    let t: TransitionRequest = cx.req.json()?;
    if app.status == t.to {
        return Ok(json(
            200,
            &present(cx, &allowed, &app, &call, &facts).await?,
        ));
    }
    if [workflow::SUBMITTED, workflow::WITHDRAWN, workflow::DRAFT].contains(&t.to.as_str()) {
        return Err(Problem::invalid_field(
            "to",
            "only the applicant submits or withdraws",
        ));
    }
    if !workflow::allows(&call.workflow, &app.status, &t.to) {
        return Err(
            Problem::new(409, "transition-not-allowed", "Transition not allowed").detail(format!(
                "{} → {} is not in this call's workflow",
                app.status, t.to
            )),
        );
    }
    let reason = t.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if workflow::is_decision(&call.workflow, &t.to) && reason.is_none() {
        return Err(Problem::invalid_field(
            "reason",
            "a decision needs a written reason",
        ));
    }
    if workflow::is_decision(&call.workflow, &t.to) {
        decisions::require_closed(cx, &call)?;
    }
    if !notify::move_to(cx, &allowed, &app, &call, &t.to, reason).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    Ok(json(
        200,
        &present_now(cx, &allowed, &app.id, &call, &facts).await?,
    ))
}

pub(super) async fn list_call_applications(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ExportApplications).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let after = page.after_key();
    let mut select = call
        .reads(&cx.db)?
        .select(APPLICATIONS, &["*"])
        .filter("call_id = ?", [call.id.as_str().into()])
        .filter("id > ?", [after.into()]);
    if let Some(s) = cx.req.query.non_empty("status") {
        select = select.filter("status = ?", [s.into()]);
    }
    let rows = select.order_by("id").limit(page.fetch()).rows().await?;
    let items = rows
        .iter()
        .map(|r| app_of(r).map(|a| a.view(Vec::new())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |a| a.id.clone())))
}

/// The caller's organisation's applications across every commune; a decision
/// not yet published shows as the step before it (see [`present`]).
pub(super) async fn list_my_applications(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.me()?;
    let Some(org) = &p.org else {
        return Ok(json(
            200,
            &Page::<Application> {
                items: Vec::new(),
                next_cursor: None,
            },
        ));
    };
    let page = PageRequest::from_query(&cx.req.query)?;
    let after = page.after_key();
    // Across every commune: the organisation is the key here, not the tenant;
    // each row is then shown only if the policy lets the caller read it (below),
    // so the rows are read as the facts of those decisions.
    let rows = cx
        .db
        .facts()
        .select(APPLICATIONS, &["*"])
        .filter("organisation_id = ?", [org.as_str().into()])
        .filter("id > ?", [after.into()])
        .order_by("id")
        .limit(page.fetch())
        .rows()
        .await?;
    let apps = rows.iter().map(app_of).collect::<Result<Vec<_>, _>>()?;
    let mut calls: HashMap<String, StoredCall> = HashMap::new();
    let mut items = Vec::with_capacity(apps.len());
    for a in &apps {
        // Only what the policy lets the caller read (a suspended commune's
        // applications are frozen for their applicants too).
        let readable = Facts {
            tenant: Some(a.insee.clone()),
            organisation: Some(a.organisation.clone()),
            ..Facts::default()
        };
        let Ok(allowed) = cx.ask(Action::ApplicationRead, &readable).await else {
            items.push((a.id.clone(), None));
            continue;
        };
        // Draft, submitted and withdrawn are never decisions: no call to read.
        if [workflow::DRAFT, workflow::SUBMITTED, workflow::WITHDRAWN].contains(&a.status.as_str())
        {
            items.push((a.id.clone(), Some(a.view(Vec::new()))));
            continue;
        }
        if !calls.contains_key(&a.call_id) {
            calls.insert(a.call_id.clone(), load_call(cx, &a.call_id).await?);
        }
        let call = calls
            .get(&a.call_id)
            .ok_or_else(|| Problem::internal("call just loaded"))?;
        let facts = Facts {
            tenant: Some(a.insee.clone()),
            organisation: Some(a.organisation.clone()),
            published: call.decisions_published,
            programme_call: call.programme,
            ..Facts::default()
        };
        let mut view = a.view(Vec::new());
        if decision_hidden(cx, a, call, &facts).await? {
            view.history = history(cx, &allowed, a).await?;
            workflow::hide_decision(&call.workflow, &mut view);
            view.history = Vec::new();
        }
        items.push((a.id.clone(), Some(view)));
    }
    Ok(json(200, &page.page_visible(items)))
}

// ---------------------------------------------------------------- attachments

pub(super) async fn upload_attachment(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, _, _, allowed) = app_allowed(cx, Action::ApplicationDraft).await?;
    if app.status != workflow::DRAFT {
        return Err(Problem::conflict("files are added to drafts only"));
    }
    let body = &cx.req.body;
    if body.len() > crate::MAX_ATTACHMENT {
        return Err(Problem::new(413, "payload-too-large", "Payload too large")
            .detail("an attachment is 10 MiB at most"));
    }
    let content_type = sniff::detect(body).ok_or_else(|| {
        Problem::new(415, "unsupported-media-type", "Unsupported media type")
            .detail("attachments are PDF, PNG or JPEG files (checked by content)")
            .field("body", "not a PDF, PNG or JPEG file")
    })?;
    let id = new_id();
    let name = file_name(cx.req.query.non_empty("name"));
    let sha = sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    cx.db
        .tenant(&allowed)?
        .insert(
            ATTACHMENTS,
            vec![
                ("id", id.as_str().into()),
                ("application_id", app.id.as_str().into()),
                ("content_type", content_type.as_str().into()),
                ("size", (body.len() as i64).into()),
                ("sha256", sha.as_str().into()),
                ("data", body.to_vec().into()),
                ("created_at", cx.now.0.into()),
                ("name", name.clone().into()),
            ],
        )
        .run()
        .await?;
    Ok(json(
        201,
        &Attachment {
            id,
            content_type,
            size: body.len() as u64,
            sha256: sha,
            name,
        },
    ))
}

pub(super) async fn get_attachment(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, _, _, allowed) = app_allowed(cx, Action::ApplicationRead).await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(ATTACHMENTS, &["content_type", "data", "name"])
        .filter("application_id = ?", [app.id.as_str().into()])
        .filter("id = ?", [cx.param("attachment").into()])
        .rows()
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found("no such attachment"))?;
    let data = row.blob("data").unwrap_or_default().to_vec();
    let content_type = row
        .text("content_type")
        .unwrap_or("application/octet-stream");
    // The name it was sent with, its extension the one of its content.
    let ext = sniff::extension(content_type);
    let name = match row.text("name") {
        Some(n) if n.to_ascii_lowercase().ends_with(&format!(".{ext}")) => n.to_owned(),
        Some(n) => format!("{n}.{ext}"),
        None => format!("{}.{ext}", cx.param("attachment")),
    };
    Ok(download(content_type, data, &name))
}
