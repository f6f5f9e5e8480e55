//! Calls for solutions: definition, districts, publication, listing.

use qmi_api::Insee;
use qmi_api::applications::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::{Across, Row, Select, TenantTable};
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem};

use super::{
    APPLICATIONS, Action, CALLS, Ctx, Facts, call_api, decisions, from_json, new_id, to_json,
    upstream, validation,
};
use crate::paris::{Instant, Paris, parse_instant};
use crate::{form, letter, workflow};

// ---------------------------------------------------------------- calls

/// A call as stored.
pub(super) struct StoredCall {
    /// The commune holding the call (a programme call: its first district).
    pub(super) insee: Insee,
    /// A programme call, run by programme operators.
    pub(super) programme: bool,
    /// The districts covered (a commune's call: just `insee`); never empty.
    pub(super) districts: Vec<Insee>,
    pub(super) id: String,
    pub(super) input: CallInput,
    pub(super) workflow: Workflow,
    pub(super) opens_at: Instant,
    pub(super) closes_at: Instant,
    pub(super) published: bool,
    pub(super) decisions_published: bool,
    pub(super) closed_early: Option<EarlyClose>,
    /// The policy's decision this call was loaded for (`call_for`): reads of its
    /// applications, assignments and scores go through it.
    pub(super) decision: Option<Allowed>,
}

/// Reads within the districts of a call (see [`StoredCall::reads`]).
pub(super) struct CallReads<'a> {
    across: Across<'a>,
    districts: &'a [Insee],
}

impl<'a> CallReads<'a> {
    /// `SELECT columns FROM table WHERE insee IN (the call's districts) …`.
    pub(super) fn select(&self, table: TenantTable, columns: &'a [&'static str]) -> Select<'a> {
        self.across
            .select(table, columns)
            .within_any(self.districts)
    }
}

impl StoredCall {
    /// Reads of the call's applications, assignments and scores: across
    /// communes, narrowed by the builder to the districts the call covers, under
    /// the decision the call was loaded for.
    pub(super) fn reads<'a>(&'a self, db: &'a Db) -> Result<CallReads<'a>, Problem> {
        Ok(CallReads {
            across: db.across(self.decision()?),
            districts: &self.districts,
        })
    }

    /// The decision the call was loaded for (a 500 when it was loaded without one).
    pub(super) fn decision(&self) -> Result<&Allowed, Problem> {
        self.decision.as_ref().ok_or_else(|| {
            Problem::internal(format!("call {} was read without a decision", self.id))
        })
    }

    pub(super) fn facts(&self) -> Facts {
        Facts {
            tenant: Some(self.insee.clone()),
            published: self.published,
            programme_call: self.programme,
            ..Facts::default()
        }
    }

    pub(super) fn status(&self, now: Instant) -> CallStatus {
        if now < self.opens_at {
            CallStatus::Upcoming
        } else if now < self.closes_at {
            CallStatus::Open
        } else {
            CallStatus::Closed
        }
    }

    pub(super) fn view(&self, now: Instant) -> Call {
        let i = &self.input;
        Call {
            id: self.id.clone(),
            insee: self.insee.clone(),
            programme: self.programme,
            districts: self.districts.clone(),
            title: i.title.clone(),
            description: i.description.clone(),
            themes: i.themes.clone(),
            challenges: i.challenges.clone(),
            eligibility: i.eligibility.clone(),
            opens_at: self.opens_at.to_string(),
            opens_at_paris: Paris(self.opens_at).to_string(),
            closes_at: self.closes_at.to_string(),
            closes_at_paris: Paris(self.closes_at).to_string(),
            target_selections: i.target_selections,
            form: i.form.clone(),
            criteria: i.criteria.clone(),
            workflow: self.workflow.clone(),
            letter_template: i
                .letter_template
                .clone()
                .unwrap_or_else(|| letter::DEFAULT_TEMPLATE.to_owned()),
            published: self.published,
            decisions_published: self.decisions_published,
            status: self.status(now),
            signatory: i.signatory.clone(),
            closed_early: self.closed_early.clone(),
        }
    }
}

pub(super) fn call_of(r: Row<'_>) -> Result<StoredCall, Problem> {
    let input: CallInput = from_json(r.text("body").unwrap_or("{}"))?;
    let insee: Insee = r.string("insee").parse().map_err(Problem::internal)?;
    let programme = !input.districts.is_empty();
    Ok(StoredCall {
        districts: if programme {
            input.districts.clone()
        } else {
            vec![insee.clone()]
        },
        programme,
        insee,
        id: r.string("id"),
        workflow: input.workflow.clone().unwrap_or_else(Workflow::standard),
        input,
        opens_at: Instant(r.int("opens_at").unwrap_or(0)),
        closes_at: Instant(r.int("closes_at").unwrap_or(0)),
        published: r.int("published") == Some(1),
        decisions_published: r.int("decisions_published") == Some(1),
        closed_early: decisions::early_close(&r),
        decision: None,
    })
}

/// Finds a call by id (ids are unique across communes; the row names its commune).
pub(super) async fn load_call(cx: &Ctx<'_>, id: &str) -> Result<StoredCall, Problem> {
    // Before any decision: the row states the call's facts (its commune, publication).
    let rows = cx
        .db
        .facts()
        .select(CALLS, &["*"])
        .filter("id = ?", [id.into()])
        .rows()
        .await?;
    rows.first()
        .map(call_of)
        .transpose()?
        .ok_or_else(|| Problem::not_found(format!("no call {id}")))
}

/// The route's call, for `action`: 404 for a missing call and for one the
/// caller may not read (another commune's unpublished call is answered exactly
/// like a missing one: no existence oracle), then the policy's answer for
/// `action` (403, `tenant-suspended` included).
pub(super) async fn call_for(cx: &Ctx<'_>, action: Action) -> Result<StoredCall, Problem> {
    let call = load_call(cx, cx.param("id")).await?;
    if !cx.sees(Action::CallRead, &call.facts()) {
        return Err(Problem::not_found(format!("no call {}", call.id)));
    }
    let allowed = cx.ask(action, &call.facts()).await?;
    Ok(StoredCall {
        decision: Some(allowed),
        ..call
    })
}

/// Checks a call definition; returns (opens, closes).
pub(super) fn check_call(input: &CallInput) -> Result<(Instant, Instant), Problem> {
    let mut errors = form::check_form("form", &input.form);
    if input.title.trim().is_empty() {
        errors.push(qmi_kit::FieldError::new("title", "must not be empty"));
    }
    match (&input.insee, input.districts.is_empty()) {
        (None, true) => errors.push(qmi_kit::FieldError::new(
            "insee",
            "give the commune (a commune's call) or `districts` (a programme call)",
        )),
        (Some(_), false) => errors.push(qmi_kit::FieldError::new(
            "districts",
            "a commune's call has `insee` only; a programme call has `districts` only",
        )),
        _ => {}
    }
    for (i, d) in input.districts.iter().enumerate() {
        if input.districts.iter().take(i).any(|x| x == d) {
            errors.push(qmi_kit::FieldError::new(
                format!("districts[{i}]"),
                format!("{d} is listed twice"),
            ));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, c) in input.criteria.iter().enumerate() {
        if !form::valid_key(&c.id) || !ids.insert(c.id.as_str()) {
            errors.push(qmi_kit::FieldError::new(
                format!("criteria[{i}].id"),
                "a unique key of a-z, 0-9 and _",
            ));
        }
        if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 100.0) {
            errors.push(qmi_kit::FieldError::new(
                format!("criteria[{i}].weight"),
                "a weight greater than 0 and at most 100",
            ));
        }
    }
    if let Some(w) = &input.workflow {
        errors.extend(workflow::check(w));
    }
    if let Some(t) = &input.letter_template {
        for name in letter::unknown_placeholders(t) {
            errors.push(qmi_kit::FieldError::new(
                "letter_template",
                format!(
                    "unknown placeholder {{{{{name}}}}}; use {}",
                    letter::PLACEHOLDERS.join(", ")
                ),
            ));
        }
    }
    let window = opening_window(&input.opens_at, &input.closes_at, &mut errors);
    validation(errors)?;
    window.ok_or_else(|| Problem::internal("an invalid window passed validation"))
}

/// Opening and deadline of a campaign or a call: each must parse and the
/// deadline must follow the opening; problems go to `errors`, named by field.
pub(super) fn opening_window(
    opens_at: &str,
    closes_at: &str,
    errors: &mut Vec<qmi_kit::FieldError>,
) -> Option<(Instant, Instant)> {
    let opens = parse_instant(opens_at);
    let closes = parse_instant(closes_at);
    for (f, r) in [("opens_at", &opens), ("closes_at", &closes)] {
        if let Err(e) = r {
            errors.push(qmi_kit::FieldError::new(f, e.0.clone()));
        }
    }
    let (Ok(o), Ok(c)) = (opens, closes) else {
        return None;
    };
    if c <= o {
        errors.push(qmi_kit::FieldError::new(
            "closes_at",
            "must be after opens_at",
        ));
        return None;
    }
    Some((o, c))
}

pub(super) fn themes_key(themes: &[String]) -> String {
    let mut s = String::from("|");
    for t in themes {
        s.push_str(&t.trim().to_lowercase().replace('|', " "));
        s.push('|');
    }
    s
}

/// Where a call is stored: its commune, or a programme call's first district.
pub(super) fn home(input: &CallInput) -> Option<&Insee> {
    input.insee.as_ref().or(input.districts.first())
}

/// `|93048|75056|` for the public `commune` filter (empty for a commune's call).
pub(super) fn districts_key(districts: &[Insee]) -> String {
    if districts.is_empty() {
        return String::new();
    }
    let mut s = String::from("|");
    for d in districts {
        s.push_str(d.as_str());
        s.push('|');
    }
    s
}

/// Each district of a programme call must be a commune with status `district`
/// in identity's registry (asked through service chaining; the route is public).
pub(super) async fn check_districts(cx: &Ctx<'_>, districts: &[Insee]) -> Result<(), Problem> {
    let mut errors = Vec::new();
    for (i, d) in districts.iter().enumerate() {
        let (status, body) = call_api(cx, "GET", &format!("/api/communes/{d}"), None).await?;
        match status {
            200 => {
                let commune: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| upstream("identity", status, e.to_string().as_bytes()))?;
                if commune["status"] != "district" {
                    errors.push(qmi_kit::FieldError::new(
                        format!("districts[{i}]"),
                        format!(
                            "{d} hosts no innovation district (status {})",
                            commune["status"]
                        ),
                    ));
                }
            }
            404 => errors.push(qmi_kit::FieldError::new(
                format!("districts[{i}]"),
                format!("{d} is not a commune of the registry"),
            )),
            _ => return Err(upstream("identity", status, &body)),
        }
    }
    validation(errors)
}

pub(super) async fn create_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let input: CallInput = cx.req.json()?;
    let programme = !input.districts.is_empty();
    // The policy decides for the call's commune: without one there is nothing to
    // ask about, and the caller is told which field is missing.
    let Some(insee) = home(&input).cloned() else {
        return Err(Problem::invalid_field(
            "insee",
            "give the commune (a commune's call) or `districts` (a programme call)",
        ));
    };
    let allowed = cx
        .ask(
            Action::CallCreate,
            &Facts {
                tenant: Some(insee.clone()),
                programme_call: programme,
                ..Facts::default()
            },
        )
        .await?;
    let (opens, closes) = check_call(&input)?;
    if programme {
        check_districts(cx, &input.districts).await?;
    }
    let id = new_id();
    cx.db
        .tenant(&allowed)?
        .insert(
            CALLS,
            vec![
                ("id", id.as_str().into()),
                ("body", to_json(&input)?.into()),
                ("themes", themes_key(&input.themes).into()),
                ("districts", districts_key(&input.districts).into()),
                ("opens_at", opens.0.into()),
                ("closes_at", closes.0.into()),
                ("published", input.published.into()),
                ("created_by", cx.me()?.sub.as_str().into()),
                ("created_at", cx.now.0.into()),
            ],
        )
        .run()
        .await?;
    Ok(json(201, &load_call(cx, &id).await?.view(cx.now)))
}

pub(super) async fn update_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallUpdate).await?;
    let input: CallInput = cx.req.json()?;
    if call.programme && input.districts != call.districts {
        return Err(Problem::invalid_field(
            "districts",
            "a programme call keeps its districts",
        ));
    }
    if !call.programme && input.insee.as_ref() != Some(&call.insee) {
        return Err(Problem::invalid_field(
            "insee",
            "a call cannot move to another commune",
        ));
    }
    let (opens, closes) = check_call(&input)?;
    if closes != call.closes_at && closes <= cx.now {
        return Err(Problem::invalid_field(
            "closes_at",
            "a deadline cannot be moved into the past: to close the call now, close it early with a reason",
        ));
    }
    let published = input.published || call.published;
    // Whether applications were submitted, and the change it allows, as one: a
    // submission cannot slip in between.
    cx.db
        .atomic(async |_| {
            let submitted = call
                .reads(&cx.db)?
                .select(APPLICATIONS, &[])
                .filter("call_id = ?", [call.id.as_str().into()])
                .filter("status <> 'draft'", [])
                .count()
                .await?;
            if submitted > 0 && (input.form != call.input.form || input.criteria != call.input.criteria || input.workflow.as_ref().unwrap_or(&call.workflow) != &call.workflow) {
                return Err(Problem::conflict("applications were submitted: the form, criteria and workflow can no longer change"));
            }
            cx.db
                .tenant(call.decision()?)?
                        .update(
                            CALLS,
                            vec![
                                ("body", to_json(&input)?.into()),
                                ("themes", themes_key(&input.themes).into()),
                                ("opens_at", opens.0.into()),
                                ("closes_at", closes.0.into()),
                                ("published", published.into()),
                            ],
                        )
                        .filter("id = ?", [call.id.as_str().into()]).run()
                .await?;
            Ok(())
        })
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

pub(super) async fn publish_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallPublish).await?;
    cx.db
        .tenant(call.decision()?)?
        .update(CALLS, vec![("published", true.into())])
        .filter("id = ?", [call.id.as_str().into()])
        .run()
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

pub(super) async fn list_calls(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let q = &cx.req.query;
    let page = PageRequest::from_query(q)?;
    // Every commune's calls, each shown below only if the policy lets the caller
    // read it: the rows are read as the facts of those decisions.
    let mut select = cx.db.facts().select(CALLS, &["*"]);
    match q.non_empty("managed") {
        None | Some("false") => select = select.filter("published = 1", []),
        Some("true") => {
            // The calls the caller runs (policy `runs_call`), published or not.
            let p = cx.me()?;
            if !p.is(qmi_api::PlatformRole::Programme) {
                let admin: Vec<Insee> = p
                    .mem
                    .iter()
                    .filter(|(_, r)| **r == qmi_api::MembershipRole::Admin)
                    .map(|(i, _)| i.clone())
                    .collect();
                select = select.within_any(&admin).filter("districts = ''", []);
            }
        }
        Some(_) => {
            return Err(
                Problem::bad_request("managed is true or false").field("managed", "true or false")
            );
        }
    }
    if let Some(c) = q.non_empty("commune") {
        let insee: Insee = c.parse().map_err(|e: qmi_api::InseeError| {
            Problem::bad_request(e.to_string()).field("commune", "an INSEE code")
        })?;
        // The commune's own calls by the primary key, and the programme's calls
        // covering it through their partial index (`calls_programme`): what a
        // commune's listing reads does not grow with the other communes' calls.
        select = select.filter(
            "id IN (SELECT id FROM calls WHERE insee = ? \
             UNION ALL SELECT id FROM calls WHERE districts <> '' AND instr(districts, ?) > 0)",
            [(&insee).into(), format!("|{insee}|").into()],
        );
    }
    if let Some(t) = q.non_empty("theme") {
        select = select.filter(
            "instr(themes, ?) > 0",
            [format!("|{}|", t.trim().to_lowercase()).into()],
        );
    }
    let status = match q.non_empty("status") {
        None => None,
        Some(s) => Some(CallStatus::parse(s).ok_or_else(|| {
            Problem::bad_request("unknown status").field("status", "one of open, upcoming, closed")
        })?),
    };
    select = match status {
        None => select,
        Some(CallStatus::Open) => select.filter(
            "opens_at <= ? AND closes_at > ?",
            [cx.now.0.into(), cx.now.0.into()],
        ),
        Some(CallStatus::Upcoming) => select.filter("opens_at > ?", [cx.now.0.into()]),
        Some(CallStatus::Closed) => select.filter("closes_at <= ?", [cx.now.0.into()]),
    };
    if let Some(after) = &page.after {
        select = select.filter("id > ?", [after.key().into()]);
    }
    let rows = select.order_by("id").limit(page.fetch()).rows().await?;
    let mut items = Vec::new();
    for call in rows.iter().map(call_of) {
        let call = call?;
        // Each call is shown only if the policy lets the caller read it (a suspended
        // commune's unpublished calls are frozen for its own admins too).
        let visible = call.published || cx.ask(Action::CallRead, &call.facts()).await.is_ok();
        items.push((call.id.clone(), visible.then(|| call.view(cx.now))));
    }
    Ok(json(200, &page.page_visible(items)))
}

pub(super) async fn get_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    Ok(json(
        200,
        &call_for(cx, Action::CallRead).await?.view(cx.now),
    ))
}
