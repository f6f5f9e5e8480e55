//! Applications as stored: loading, the caller's relation and facts, what the
//! caller may see, state steps and their history, eligibility, submission rules.

use std::collections::BTreeMap;

use qmi_api::Insee;
use qmi_api::applications::*;
use qmi_api::identity::Organisation;
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::sql::{Row, Tenant, Value};

use super::{
    APPLICATIONS, ASSIGNMENTS, ATTACHMENTS, Action, Ctx, EVENTS, Facts, ORGANISATION_CONFLICT,
    StoredCall, call_api, from_json, load_call, notify, upstream, validation,
};
use crate::paris::{Instant, Paris};
use crate::{eligibility, form, workflow};

// ---------------------------------------------------------------- applications

/// An application as stored.
pub(super) struct StoredApp {
    pub(super) insee: Insee,
    pub(super) id: String,
    pub(super) call_id: String,
    pub(super) organisation: String,
    pub(super) organisation_name: String,
    pub(super) title: String,
    pub(super) answers: BTreeMap<String, serde_json::Value>,
    pub(super) status: String,
    pub(super) reason: Option<String>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
    pub(super) submitted_at: Option<i64>,
}

pub(super) fn app_of(r: Row<'_>) -> Result<StoredApp, Problem> {
    Ok(StoredApp {
        insee: r.string("insee").parse().map_err(Problem::internal)?,
        id: r.string("id"),
        call_id: r.string("call_id"),
        organisation: r.string("organisation_id"),
        organisation_name: r.string("organisation_name"),
        title: r.string("title"),
        answers: from_json(r.text("answers").unwrap_or("{}"))?,
        status: r.string("status"),
        reason: r.text("reason").map(str::to_owned),
        created_at: r.int("created_at").unwrap_or(0),
        updated_at: r.int("updated_at").unwrap_or(0),
        submitted_at: r.int("submitted_at"),
    })
}

impl StoredApp {
    pub(super) fn view(&self, history: Vec<StatusChange>) -> Application {
        Application {
            id: self.id.clone(),
            call_id: self.call_id.clone(),
            insee: self.insee.clone(),
            organisation: self.organisation.clone(),
            organisation_name: self.organisation_name.clone(),
            title: self.title.clone(),
            answers: self.answers.clone(),
            status: self.status.clone(),
            reason: self.reason.clone(),
            created_at: Instant(self.created_at).to_string(),
            updated_at: Instant(self.updated_at).to_string(),
            submitted_at: self.submitted_at.map(|t| Instant(t).to_string()),
            history,
            files: BTreeMap::new(),
        }
    }
}

pub(super) async fn load_app(cx: &Ctx<'_>, id: &str) -> Result<StoredApp, Problem> {
    // Before any decision: the row states the application's facts.
    let rows = cx
        .db
        .facts()
        .select(APPLICATIONS, &["*"])
        .filter("id = ?", [id.into()])
        .rows()
        .await?;
    rows.first()
        .map(app_of)
        .transpose()?
        .ok_or_else(|| Problem::not_found(format!("no application {id}")))
}

/// Whether organisation `org` applied to call `call_id` (a draft counts: it is
/// a competitor already).
pub(super) async fn organisation_applied(
    cx: &Ctx<'_>,
    call_id: &str,
    org: &str,
) -> Result<bool, Problem> {
    // A fact of the reviewer's relation (conflict by organisation), before deciding.
    Ok(cx
        .db
        .facts()
        .select(APPLICATIONS, &["1"])
        .filter("organisation_id = ?", [org.into()])
        .filter("call_id = ?", [call_id.into()])
        .exists()
        .await?)
}

/// The caller's relation to an application: (assigned, conflict declared). A
/// reviewer whose organisation applied to the same call reviews nothing there
/// (a conflict of interest by organisation), whatever was assigned before the
/// organisation applied: they see nothing of another applicant's file.
pub(super) async fn relation(cx: &Ctx<'_>, app: &StoredApp) -> Result<(bool, bool), Problem> {
    let Some(p) = cx.who() else {
        return Ok((false, false));
    };
    let rows = cx
        .db
        .facts()
        .select(ASSIGNMENTS, &["conflict", "conflict_kind"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .filter("reviewer = ?", [p.sub.as_str().into()])
        .rows()
        .await?;
    let Some(r) = rows.first() else {
        return Ok((false, false));
    };
    if r.text("conflict_kind") == Some(ORGANISATION_CONFLICT) {
        return Ok((false, false));
    }
    if let Some(org) = p.org.as_deref()
        && organisation_applied(cx, &app.call_id, org).await?
    {
        return Ok((false, false));
    }
    Ok((true, r.int("conflict") == Some(1)))
}

pub(super) async fn app_facts(
    cx: &Ctx<'_>,
    app: &StoredApp,
    call: &StoredCall,
) -> Result<Facts, Problem> {
    let (assigned, conflict) = relation(cx, app).await?;
    Ok(Facts {
        tenant: Some(app.insee.clone()),
        organisation: Some(app.organisation.clone()),
        assigned,
        conflict,
        published: call.decisions_published,
        programme_call: call.programme,
        ..Facts::default()
    })
}

/// Loads the route's application and its call, and checks `action`; an outsider
/// gets 404 (an application's existence does not leak), whatever the commune's
/// status; then the policy's answer for `action` (403, `tenant-suspended` included).
pub(super) async fn app_for(
    cx: &Ctx<'_>,
    action: Action,
) -> Result<(StoredApp, StoredCall, Facts), Problem> {
    let (app, call, facts, _allowed) = app_allowed(cx, action).await?;
    Ok((app, call, facts))
}

/// [`app_for`] with the decision, for the handlers that write the application's
/// rows (`db.tenant(&allowed)`: the decision was taken for its commune).
pub(super) async fn app_allowed(
    cx: &Ctx<'_>,
    action: Action,
) -> Result<(StoredApp, StoredCall, Facts, Allowed), Problem> {
    let app = load_app(cx, cx.param("id")).await?;
    let call = load_call(cx, &app.call_id).await?;
    let facts = app_facts(cx, &app, &call).await?;
    if !cx.sees(Action::ApplicationReadTitle, &facts) {
        return Err(Problem::not_found(format!("no application {}", app.id)));
    }
    let allowed = cx.ask(action, &facts).await?;
    // The call's reads (its ranking, for a letter or a decision's notice) go
    // through the decision taken for its application.
    let call = StoredCall {
        decision: Some(allowed.clone()),
        ..call
    };
    Ok((app, call, facts, allowed))
}

pub(super) async fn history(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
) -> Result<Vec<StatusChange>, Problem> {
    let rows = cx
        .db
        .across(allowed)
        .select(EVENTS, &["at", "status", "actor", "reason"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .order_by("seq")
        .rows()
        .await?;
    Ok(rows
        .iter()
        .map(|r| StatusChange {
            at: Instant(r.int("at").unwrap_or(0)).to_string(),
            status: r.string("status"),
            actor: r.string("actor"),
            reason: r.text("reason").map(str::to_owned),
        })
        .collect())
}

/// Whether the caller must not learn the application's decision yet: it is in
/// a decision state, the call's decisions are not published, and the policy
/// does not let the caller read decisions (the applicant organisation; whoever
/// runs the call and the commune's staff may).
pub(super) async fn decision_hidden(
    cx: &Ctx<'_>,
    app: &StoredApp,
    call: &StoredCall,
    facts: &Facts,
) -> Result<bool, Problem> {
    if call.decisions_published || !workflow::is_decision(&call.workflow, &app.status) {
        return Ok(false);
    }
    Ok(cx.ask(Action::DecisionRead, facts).await.is_err())
}

/// The application as the caller may see it: until the call's decisions are
/// published, the applicant sees a decided application as it was before the
/// decision (see [`workflow::hide_decision`]).
pub(super) async fn present(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    call: &StoredCall,
    facts: &Facts,
) -> Result<Application, Problem> {
    let mut view = app.view(history(cx, allowed, app).await?);
    view.files = file_names(cx, allowed, app).await?;
    if decision_hidden(cx, app, call, facts).await? {
        workflow::hide_decision(&call.workflow, &mut view);
    }
    Ok(view)
}

/// [`present`] of the application as stored now (after a change).
pub(super) async fn present_now(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
    call: &StoredCall,
    facts: &Facts,
) -> Result<Application, Problem> {
    present(cx, allowed, &load_app(cx, id).await?, call, facts).await
}

/// Moves an application from `from` to `to` (compare-and-set on the status, so
/// concurrent moves cannot both win) and records the step, within the caller's
/// transaction, under `allowed`, the decision taken for the application. Returns
/// whether it moved.
pub(super) async fn step(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    from: &str,
    to: &str,
    reason: Option<&str>,
) -> Result<bool, Problem> {
    let mut set = vec![("status", Value::from(to)), ("updated_at", cx.now.0.into())];
    if to == workflow::SUBMITTED {
        set.push(("submitted_at", cx.now.0.into()));
    }
    // The reason of the state the application reaches (none: no reason shown).
    set.push(("reason", reason.map_or(Value::Null, Value::from)));
    let rows = cx.db.tenant(allowed)?;
    rows.update(APPLICATIONS, set)
        .filter("id = ?", [app.id.as_str().into()])
        .filter("status = ?", [from.into()])
        .run()
        .await?;
    if cx.db.changes().await == 0 {
        return Ok(false);
    }
    record(cx, rows, &app.id, to, reason).await?;
    Ok(true)
}

/// [`step`] as a transaction of its own: the state and its history row together.
pub(super) async fn move_to(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    from: &str,
    to: &str,
    reason: Option<&str>,
) -> Result<bool, Problem> {
    cx.db
        .atomic(async |_| step(cx, allowed, app, from, to, reason).await)
        .await
}

/// Appends step `status` to application `id`'s history (in `rows`' commune).
pub(super) async fn record(
    cx: &Ctx<'_>,
    rows: Tenant<'_>,
    id: &str,
    status: &str,
    reason: Option<&str>,
) -> Result<(), Problem> {
    let actor = cx.who().map(|p| p.sub.clone()).unwrap_or_default();
    rows.insert_select(
        EVENTS,
        &["application_id", "seq", "at", "status", "actor", "reason"],
        EVENTS,
        &["?", "COALESCE(MAX(seq), 0) + 1", "?", "?", "?", "?"],
    )
    .bind([
        id.into(),
        cx.now.0.into(),
        status.into(),
        actor.into(),
        reason.into(),
    ])
    .filter("application_id = ?", [id.into()])
    .run()
    .await?;
    Ok(())
}

pub(super) async fn attachment_ids(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
) -> Result<Vec<String>, Problem> {
    let rows = cx
        .db
        .across(allowed)
        .select(ATTACHMENTS, &["id"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .rows()
        .await?;
    Ok(rows.iter().map(|r| r.string("id")).collect())
}

/// The names of the application's files that were sent with one, by id.
pub(super) async fn file_names(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
) -> Result<BTreeMap<String, String>, Problem> {
    let rows = cx
        .db
        .across(allowed)
        .select(ATTACHMENTS, &["id", "name"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .rows()
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.string("id"), r.text("name")?.to_owned())))
        .collect())
}

pub(super) use qmi_kit::sniff::file_name;

/// Checks the call's eligibility against the applicant organisation as identity
/// knows it (fetched through the app's API with the caller's credentials, so
/// kind and country cannot be forged by the client): 422 naming
/// `organisation.kind` and/or `organisation.country`. Never inside a
/// transaction: it waits on another service.
pub(super) async fn check_eligible(
    cx: &Ctx<'_>,
    call: &StoredCall,
    organisation: &str,
) -> Result<(), Problem> {
    if !eligibility::restricts(&call.input.eligibility) {
        return Ok(());
    }
    eligible(call, &applicant(cx, organisation).await?)
}

/// The applicant organisation as identity knows it.
pub(super) async fn applicant(cx: &Ctx<'_>, organisation: &str) -> Result<Organisation, Problem> {
    let (status, body) = call_api(
        cx,
        "GET",
        &format!("/api/organisations/{organisation}"),
        None,
    )
    .await?;
    if status != 200 {
        return Err(upstream("identity", status, &body));
    }
    serde_json::from_slice(&body)
        .map_err(|e| upstream("identity", status, e.to_string().as_bytes()))
}

/// [`check_eligible`] on an organisation already fetched.
pub(super) fn eligible(call: &StoredCall, org: &Organisation) -> Result<(), Problem> {
    let errors = eligibility::check_applicant(&call.input.eligibility, org.kind, &org.country);
    if errors.is_empty() {
        return Ok(());
    }
    let mut p = Problem::validation().detail("the organisation is not eligible to this call");
    p.errors = errors;
    Err(p)
}

/// Submits a draft within the caller's transaction (`app` read in it): deadline
/// on the server clock, every answer validated. Eligibility is checked before,
/// outside the transaction.
pub(super) async fn submit_in(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    call: &StoredCall,
) -> Result<(), Problem> {
    if app.status == workflow::SUBMITTED {
        return Ok(());
    }
    if app.status != workflow::DRAFT {
        // The state is not named: it may be a decision the applicant may not know yet.
        return Err(Problem::conflict(
            "the application was submitted already and can no longer be submitted",
        ));
    }
    let attachments = attachment_ids(cx, allowed, app).await?;
    submittable(cx, call, app.title.trim(), &app.answers, &attachments)?;
    if !step(cx, allowed, app, workflow::DRAFT, workflow::SUBMITTED, None).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    notify::received(
        cx,
        allowed,
        call,
        &app.insee,
        &app.id,
        &app.title,
        &app.answers,
    )
    .await
}

/// Whether an application with this title, these answers and these attachments
/// may be submitted now: the call open (server clock), every answer valid.
pub(super) fn submittable(
    cx: &Ctx<'_>,
    call: &StoredCall,
    title: &str,
    answers: &BTreeMap<String, serde_json::Value>,
    attachments: &[String],
) -> Result<(), Problem> {
    if cx.now < call.opens_at {
        return Err(Problem::new(409, "call-not-open", "Call not open")
            .detail(format!("the call opens at {}", Paris(call.opens_at))));
    }
    if cx.now >= call.closes_at {
        return Err(
            Problem::new(409, "deadline-passed", "Deadline passed").detail(format!(
                "the deadline was {} (Europe/Paris)",
                Paris(call.closes_at)
            )),
        );
    }
    let mut errors = form::check_submission(&call.input.form, answers, &|id| {
        attachments.iter().any(|a| a == id)
    });
    if title.is_empty() {
        errors.insert(0, qmi_kit::FieldError::new("title", "must not be empty"));
    }
    validation(errors)
}

pub(super) fn check_input(call: &StoredCall, input: &ApplicationInput) -> Result<(), Problem> {
    let mut errors = form::check_draft(&call.input.form, &input.answers);
    if input.title.chars().count() > 300 {
        errors.push(qmi_kit::FieldError::new("title", "at most 300 characters"));
    }
    validation(errors)
}
