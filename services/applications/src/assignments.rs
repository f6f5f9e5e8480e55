//! Reviewers of a call: the commune's jury, assignment (with conflicts of
//! interest by organisation), assignments lists, declared conflicts.

use std::collections::{BTreeMap, HashMap};

use qmi_api::applications::*;
use qmi_api::{Insee, Page};
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;

use super::{
    APPLICATIONS, ASSIGNMENTS, Action, Ctx, DECLARED_CONFLICT, Facts, ORGANISATION_CONFLICT,
    SCORES, StoredCall, app_allowed, call_api, call_for, from_json, jury_io, notify, upstream,
    validation,
};
use crate::workflow;

// ---------------------------------------------------------------- reviews

/// The applications of a call (every district it covers): `SELECT <columns>` ordered by id.
pub(super) async fn call_apps(
    cx: &Ctx<'_>,
    call: &StoredCall,
    columns: &'static [&'static str],
    submitted_only: bool,
) -> Result<qmi_kit::sql::Rows, Problem> {
    let mut select = call
        .reads(&cx.db)?
        .select(APPLICATIONS, columns)
        .filter("call_id = ?", [call.id.as_str().into()])
        .order_by("id");
    if submitted_only {
        select = select.filter("status <> 'draft'", []);
    }
    Ok(select.rows().await?)
}

pub(super) async fn assignments_of_call(
    cx: &Ctx<'_>,
    call: &StoredCall,
) -> Result<Vec<(String, String, bool)>, Problem> {
    let rows = call
        .reads(&cx.db)?
        .select(ASSIGNMENTS, &["application_id", "reviewer", "conflict"])
        .filter("call_id = ?", [call.id.as_str().into()])
        .rows()
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.string("application_id"),
                r.string("reviewer"),
                r.int("conflict") == Some(1),
            )
        })
        .collect())
}

/// States whose applications can be reviewed.
pub(super) const REVIEWABLE: &[&str] = &["submitted", "eligible", "in_review", "shortlisted"];

/// A commune member as identity lists it (`GET /api/communes/{insee}/members`):
/// what assignment and the jury's exports need of it.
#[derive(serde::Deserialize)]
pub(super) struct Juror {
    pub(super) account_id: String,
    pub(super) role: qmi_api::MembershipRole,
    /// Display name.
    #[serde(default)]
    pub(super) name: String,
    /// The organisation the account is a partner member of, if any.
    #[serde(default, alias = "organisation_id")]
    pub(super) organisation: Option<String>,
}

/// Every member of commune `insee`, as identity lists them to the caller, page
/// after page (the question goes through the gateway and identity's policy like
/// any request of theirs). The outer error is a failed request; the inner one,
/// identity's refusal or failure, which each caller treats in its own way.
pub(super) async fn commune_members(
    cx: &Ctx<'_>,
    insee: &Insee,
) -> Result<Result<Vec<Juror>, Problem>, Problem> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    // 200 pages of 500: far beyond any commune; a listing that never ends is a fault.
    for _ in 0..200 {
        let mut path = format!("/api/communes/{insee}/members?limit=500");
        if let Some(c) = &cursor {
            // A cursor is base64url: nothing to escape.
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let (status, body) = call_api(cx, "GET", &path, None).await?;
        if status != 200 {
            return Ok(Err(upstream("identity", status, &body)));
        }
        let page: Page<Juror> = match serde_json::from_slice(&body) {
            Ok(page) => page,
            Err(e) => return Ok(Err(upstream("identity", status, e.to_string().as_bytes()))),
        };
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(Ok(out)),
        }
    }
    Err(Problem::internal(format!(
        "the members of {insee} never end"
    )))
}

/// The reviewers of commune `insee` (account → their organisation).
pub(super) async fn jury(
    cx: &Ctx<'_>,
    insee: &Insee,
) -> Result<HashMap<String, Option<String>>, Problem> {
    Ok(commune_members(cx, insee)
        .await??
        .into_iter()
        .filter(|m| m.role == qmi_api::MembershipRole::Reviewer)
        .map(|m| (m.account_id, m.organisation))
        .collect())
}

/// An application of a call, as assignment sees it.
pub(super) struct Candidate {
    pub(super) id: String,
    pub(super) status: String,
    pub(super) insee: Insee,
    pub(super) organisation: String,
    pub(super) organisation_name: String,
}

/// Assigns reviewers: only reviewers of the commune holding each application
/// (identity asked), never a reviewer whose organisation applied to the call —
/// by hand a 422 naming the reviewer, automatically skipped and recorded as a
/// conflict of interest by organisation on the files they would have had.
pub(super) async fn assign_reviewers(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ReviewAssign).await?;
    let req: AssignRequest = cx.req.json()?;
    let mut errors = Vec::new();
    if req.reviewers.is_empty() {
        errors.push(qmi_kit::FieldError::new(
            "reviewers",
            "at least one reviewer",
        ));
    }
    for (i, r) in req.reviewers.iter().enumerate() {
        if req.reviewers.iter().take(i).any(|x| x == r) {
            errors.push(qmi_kit::FieldError::new(
                format!("reviewers[{i}]"),
                "listed twice",
            ));
        }
    }
    if req.per_application.is_none() && req.applications.is_empty() {
        errors.push(qmi_kit::FieldError::new(
            "per_application",
            "give per_application (automatic) or applications (by hand)",
        ));
    }
    if req.per_application == Some(0) || req.per_application.is_some_and(|n| n > 20) {
        errors.push(qmi_kit::FieldError::new("per_application", "from 1 to 20"));
    }
    validation(errors)?;
    let rows = call_apps(
        cx,
        &call,
        &[
            "id",
            "status",
            "insee",
            "organisation_id",
            "organisation_name",
        ],
        false,
    )
    .await?;
    let apps: Vec<Candidate> = rows
        .iter()
        .filter_map(|r| {
            Some(Candidate {
                id: r.string("id"),
                status: r.string("status"),
                insee: r.string("insee").parse().ok()?,
                organisation: r.string("organisation_id"),
                organisation_name: r.string("organisation_name"),
            })
        })
        .collect();
    // The files concerned: those named (by hand), or every reviewable one.
    let mut chosen: Vec<&Candidate> = Vec::new();
    if req.per_application.is_none() {
        for (i, a) in req.applications.iter().enumerate() {
            match apps.iter().find(|c| c.id == *a) {
                Some(c) if REVIEWABLE.contains(&c.status.as_str()) => chosen.push(c),
                Some(c) => {
                    return Err(Problem::invalid_field(
                        format!("applications[{i}]"),
                        format!("an application that is {} is not reviewed", c.status),
                    ));
                }
                None => {
                    return Err(Problem::invalid_field(
                        format!("applications[{i}]"),
                        "no such application in this call",
                    ));
                }
            }
        }
    } else {
        chosen = apps
            .iter()
            .filter(|c| REVIEWABLE.contains(&c.status.as_str()))
            .collect();
    }
    // The juries of the communes holding the call's applications.
    let mut juries: BTreeMap<Insee, HashMap<String, Option<String>>> = BTreeMap::new();
    for d in &call.districts {
        juries.insert(d.clone(), jury(cx, d).await?);
    }
    let in_jury =
        |insee: &Insee, reviewer: &str| juries.get(insee).is_some_and(|j| j.contains_key(reviewer));
    // The organisation of each reviewer, and the call's applicants.
    let organisation_of = |reviewer: &str| {
        juries
            .values()
            .find_map(|j| j.get(reviewer).cloned())
            .flatten()
    };
    let applicant_name = |org: &str| {
        apps.iter().find(|c| c.organisation == org).map(|c| {
            if c.organisation_name.is_empty() {
                c.organisation.clone()
            } else {
                c.organisation_name.clone()
            }
        })
    };
    let competitor = |reviewer: &str| organisation_of(reviewer).and_then(|o| applicant_name(&o));
    let communes: Vec<&str> = call.districts.iter().map(Insee::as_str).collect();
    let mut errors = Vec::new();
    for (i, r) in req.reviewers.iter().enumerate() {
        let field = format!("reviewers[{i}]");
        if !juries.values().any(|j| j.contains_key(r)) {
            errors.push(qmi_kit::FieldError::new(
                field,
                format!(
                    "not a reviewer of {}: a commune admin adds jury members first",
                    communes.join(", ")
                ),
            ));
            continue;
        }
        if req.per_application.is_some() {
            continue;
        }
        if let Some(name) = competitor(r) {
            errors.push(qmi_kit::FieldError::new(
                field,
                format!("conflict of interest: organisation {name} applied to this call"),
            ));
            continue;
        }
        for (j, c) in chosen.iter().enumerate() {
            if !in_jury(&c.insee, r) {
                errors.push(qmi_kit::FieldError::new(
                    field.clone(),
                    format!(
                        "not a reviewer of {}, the district of applications[{j}]",
                        c.insee
                    ),
                ));
            }
        }
    }
    validation(errors)?;
    let existing = assignments_of_call(cx, &call).await?;
    // Reviewers kept from the call's files by their organisation's application.
    let excluded: Vec<(&str, String)> = req
        .reviewers
        .iter()
        .filter_map(|r| competitor(r).map(|name| (r.as_str(), name)))
        .collect();
    let pairs: Vec<(String, String)> = if let Some(n) = req.per_application {
        let ids: Vec<String> = chosen.iter().map(|c| c.id.clone()).collect();
        let district_of: HashMap<&str, &Insee> =
            chosen.iter().map(|c| (c.id.as_str(), &c.insee)).collect();
        let ex: Vec<crate::assign::Existing<'_>> = existing
            .iter()
            .map(|(a, r, c)| (a.as_str(), r.as_str(), *c))
            .collect();
        let may_review = |app: &str, r: &str| {
            district_of.get(app).is_some_and(|d| in_jury(d, r))
                && !excluded.iter().any(|(x, _)| *x == r)
        };
        crate::assign::auto_assign(&ids, &req.reviewers, &ex, n as usize, may_review)
    } else {
        let mut out = Vec::new();
        for c in &chosen {
            for r in &req.reviewers {
                if !existing.iter().any(|(x, y, _)| *x == c.id && y == r) {
                    out.push((c.id.clone(), r.clone()));
                }
            }
        }
        out
    };
    let district_of: HashMap<&str, &Insee> =
        apps.iter().map(|c| (c.id.as_str(), &c.insee)).collect();
    // An assignment lives in the tenant of its application's district: each
    // write goes through that district's decision. A commune's call has the one
    // its route was allowed with; a programme call spans several districts, and
    // the policy is asked for each.
    let mut in_district: HashMap<&Insee, Allowed> = HashMap::new();
    for d in &call.districts {
        let allowed = if call.programme {
            let facts = Facts {
                tenant: Some(d.clone()),
                ..call.facts()
            };
            cx.ask(Action::ReviewAssign, &facts).await?
        } else {
            call.decision()?.clone()
        };
        in_district.insert(d, allowed);
    }
    let store_of = |insee: &Insee| {
        in_district
            .get(insee)
            .ok_or_else(|| Problem::internal(format!("{insee} is not a district of the call")))
    };
    // Every assignment of the request, and every exclusion recorded, or none.
    cx.db
        .atomic(async |_| {
            for (app, reviewer) in &pairs {
                let district = district_of.get(app.as_str()).ok_or_else(|| Problem::internal(format!("application {app} vanished")))?;
                cx.db
                    .tenant(store_of(district)?)?.insert(ASSIGNMENTS, vec![("application_id", app.as_str().into()), ("reviewer", reviewer.as_str().into()), ("call_id", call.id.as_str().into()), ("assigned_at", cx.now.0.into())]).or_ignore().run()
                    .await?;
                notify::assigned(cx, call.decision()?, &call, district, app, reviewer).await?;
            }
            for (reviewer, name) in &excluded {
                for c in chosen.iter().filter(|c| in_jury(&c.insee, reviewer)) {
                    cx.db
                        .tenant(store_of(&c.insee)?)?.insert(ASSIGNMENTS, vec![
                                ("application_id", c.id.as_str().into()),
                                ("reviewer", (*reviewer).into()),
                                ("call_id", call.id.as_str().into()),
                                ("conflict", true.into()),
                                ("conflict_kind", ORGANISATION_CONFLICT.into()),
                                ("conflict_reason", format!("conflict of interest: organisation {name} applied to this call").into()),
                                ("assigned_at", cx.now.0.into()),
                            ]).on_conflict("ON CONFLICT (insee, application_id, reviewer) DO UPDATE SET conflict = 1, conflict_kind = excluded.conflict_kind, conflict_reason = excluded.conflict_reason").run()
                        .await?;
                }
            }
            Ok::<_, Problem>(())
        })
        .await?;
    let all = call_assignments(cx, &call).await?;
    // Automatic: the files left with fewer reviewers than asked are named in a
    // header (the jury that may review them is too small), the answer unchanged.
    let short = req.per_application.and_then(|n| {
        let ids: Vec<String> = chosen.iter().map(|c| c.id.clone()).collect();
        let given: Vec<(String, String, bool)> = all
            .iter()
            .map(|a| (a.application.clone(), a.reviewer.clone(), a.conflict))
            .collect();
        let short = crate::jury::shortfall(&ids, &given, n as usize);
        (!short.is_empty()).then(|| crate::jury::shortfall_header(&short, ids.len(), n as usize))
    });
    Ok(jury_io::with_shortfall(json(200, &all), short))
}

pub(super) async fn call_assignments(
    cx: &Ctx<'_>,
    call: &StoredCall,
) -> Result<Vec<Assignment>, Problem> {
    let rows = call
        .reads(&cx.db)?
        .select(
            ASSIGNMENTS,
            &[
                "a.application_id",
                "a.reviewer",
                "a.conflict",
                "a.conflict_kind",
                "a.conflict_reason",
                "p.title",
                "p.status",
                "(SELECT count(*) FROM scores s WHERE s.insee = a.insee AND s.application_id = a.application_id AND s.reviewer = a.reviewer) AS n",
            ],
        )
        .alias("a")
        .join_as(APPLICATIONS, "p", "p.id = a.application_id", [])
        .filter("a.call_id = ?", [call.id.as_str().into()])
        .order_by("a.application_id, a.reviewer")
        .rows()
        .await?;
    let criteria = call.input.criteria.len() as i64;
    Ok(rows
        .iter()
        .map(|r| Assignment {
            application: r.string("application_id"),
            title: r.string("title"),
            reviewer: r.string("reviewer"),
            conflict: r.int("conflict") == Some(1),
            conflict_kind: (r.int("conflict") == Some(1))
                .then(|| ConflictKind::from_stored(r.text("conflict_kind"))),
            conflict_reason: declared_reason(r),
            done: criteria > 0 && r.int("n").unwrap_or(0) >= criteria,
            open: workflow::awaits_review(&call.workflow, r.text("status").unwrap_or_default()),
        })
        .collect())
}

/// The reason a reviewer gave for the conflict they declared (an exclusion by
/// organisation gives none: its kind says why).
pub(super) fn declared_reason(r: Row<'_>) -> Option<String> {
    (r.int("conflict") == Some(1) && r.text("conflict_kind") == Some(DECLARED_CONFLICT))
        .then(|| r.text("conflict_reason").map(str::to_owned))
        .flatten()
        .filter(|x| !x.is_empty())
}

pub(super) async fn list_assignments(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    // Read only: the commune's agents follow the reviews too (`review-follow`).
    let call = call_for(cx, Action::ReviewFollow).await?;
    Ok(json(200, &call_assignments(cx, &call).await?))
}

pub(super) async fn list_my_assignments(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.me()?;
    // Exclusions by organisation grant nothing, and a reviewer whose organisation
    // applied to a call reviews nothing of it (see `relation`).
    // The caller's own assignments, in every commune: each title is then shown
    // only where the policy allows (below), so the rows are read as facts.
    let rows = cx
        .db
        .facts()
        .select(
            ASSIGNMENTS,
            &[
                "a.insee",
                "a.application_id",
                "a.reviewer",
                "a.conflict",
                "a.conflict_kind",
                "a.conflict_reason",
                "p.title",
                "p.status",
                "p.organisation_id",
                "(SELECT count(*) FROM scores s WHERE s.insee = a.insee AND s.application_id = a.application_id AND s.reviewer = a.reviewer) AS n",
                "(SELECT c.body FROM calls c WHERE c.id = a.call_id) AS call_body",
            ],
        )
        .alias("a")
        .join_as(APPLICATIONS, "p", "p.id = a.application_id", [])
        .filter("a.reviewer = ?", [p.sub.as_str().into()])
        .filter("a.conflict_kind IS NULL OR a.conflict_kind <> 'organisation'", [])
        .filter(
            "NOT EXISTS (SELECT 1 FROM applications o WHERE o.call_id = a.call_id AND o.organisation_id = ?)",
            [p.org.as_deref().unwrap_or("").into()],
        )
        .order_by("a.application_id")
        .limit(1000)
        .rows()
        .await?;
    let mut out = Vec::new();
    let standard = Workflow::standard();
    for r in rows.iter() {
        let call: CallInput = from_json(r.text("call_body").unwrap_or("{}"))?;
        // The title only where the policy shows it (not in a suspended commune).
        let facts = Facts {
            tenant: r.text("insee").and_then(|t| t.parse().ok()),
            organisation: r.text("organisation_id").map(str::to_owned),
            assigned: true,
            conflict: r.int("conflict") == Some(1),
            programme_call: !call.districts.is_empty(),
            ..Facts::default()
        };
        if cx.ask(Action::ApplicationReadTitle, &facts).await.is_err() {
            continue;
        }
        let criteria = call.criteria.len() as i64;
        out.push(Assignment {
            application: r.string("application_id"),
            title: r.string("title"),
            reviewer: r.string("reviewer"),
            conflict: r.int("conflict") == Some(1),
            conflict_kind: (r.int("conflict") == Some(1))
                .then(|| ConflictKind::from_stored(r.text("conflict_kind"))),
            conflict_reason: declared_reason(r),
            done: criteria > 0 && r.int("n").unwrap_or(0) >= criteria,
            open: workflow::awaits_review(
                call.workflow.as_ref().unwrap_or(&standard),
                r.text("status").unwrap_or_default(),
            ),
        });
    }
    Ok(json(200, &out))
}

pub(super) async fn declare_conflict(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _, allowed) = app_allowed(cx, Action::ReviewDeclareConflict).await?;
    let body: ConflictDeclaration = if cx.req.body.is_empty() {
        ConflictDeclaration {
            reason: String::new(),
        }
    } else {
        cx.req.json()?
    };
    // A recusal says why: the reason is kept and shown to whoever runs the call.
    let reason = crate::jury::conflict_reason(&body.reason)
        .map_err(|m| Problem::invalid_field("reason", m))?;
    let me = cx.me()?;
    // The recusal and the removal of the reviewer's scores, together.
    cx.db
        .atomic(async |_| {
            cx.db
                .tenant(&allowed)?
                .update(
                    ASSIGNMENTS,
                    vec![
                        ("conflict", true.into()),
                        ("conflict_kind", DECLARED_CONFLICT.into()),
                        ("conflict_reason", reason.as_str().into()),
                    ],
                )
                .filter("application_id = ?", [app.id.as_str().into()])
                .filter("reviewer = ?", [me.sub.as_str().into()])
                .run()
                .await?;
            // A recused reviewer's scores no longer count.
            cx.db
                .tenant(&allowed)?
                .delete(SCORES)
                .filter("application_id = ?", [app.id.as_str().into()])
                .filter("reviewer = ?", [me.sub.as_str().into()])
                .run()
                .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    let _ = call;
    Ok(json(
        200,
        &ApplicationTitle {
            id: app.id.clone(),
            title: app.title.clone(),
            recused: true,
            conflict_reason: Some(reason),
        },
    ))
}
