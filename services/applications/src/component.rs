//! The Spin component: dispatches the catalogued `applications` routes, asks the
//! `policy` component (`qmi:platform/authz`) before every action, keeps its data
//! in the SQLite label `applications`, and reaches `identity` and `districts`
//! through the app's own API (a Spin self-request, base URL from the variable
//! `services_url`), forwarding the caller's bearer token so the gateway checks it
//! there too.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use qmi_api::applications::*;
use qmi_api::identity::Organisation;
use qmi_api::{Insee, Page, Principal};
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::sql::{Row, TenantTable, Value, tenant};
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem};
use sha2::Digest as _;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

use crate::export::Cell;
use crate::paris::{Instant, Paris, now, parse_instant};
use crate::{eligibility, form, geo, letter, scoring, sniff, workflow};

#[path = "notify.rs"]
mod notify;

#[path = "decisions.rs"]
mod decisions;
#[path = "jury_io.rs"]
mod jury_io;

spin_sdk::wit_bindgen::generate!({
    path: "../../wit",
    world: "authz-client",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

use qmi::platform::authz::{Action, Decision, RefusalCode, decide};
use qmi::platform::types as wit;

const CANDIDACIES: TenantTable = TenantTable::new("candidacies");
const CALLS: TenantTable = TenantTable::new("calls");
const APPLICATIONS: TenantTable = TenantTable::new("applications");
const EVENTS: TenantTable = TenantTable::new("application_events");
const ATTACHMENTS: TenantTable = TenantTable::new("attachments");
const ASSIGNMENTS: TenantTable = TenantTable::new("assignments");
const SCORES: TenantTable = TenantTable::new("scores");

/// `assignments.conflict_kind` of a reviewer kept from a call's files because
/// their organisation applied to it (a declared conflict is `declared`).
const ORGANISATION_CONFLICT: &str = ConflictKind::Organisation.as_str_const();
/// `assignments.conflict_kind` of a conflict the reviewer declared.
const DECLARED_CONFLICT: &str = ConflictKind::Declared.as_str_const();

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

// ---------------------------------------------------------------- policy

fn wit_principal(p: &Principal) -> wit::Principal {
    wit::Principal {
        sub: p.sub.clone(),
        platform_roles: p
            .ops
            .iter()
            .map(|r| match r {
                qmi_api::PlatformRole::Programme => wit::PlatformRole::Programme,
                qmi_api::PlatformRole::Hosting => wit::PlatformRole::Hosting,
            })
            .collect(),
        organisation: p.org.clone(),
        memberships: p
            .mem
            .iter()
            .map(|(insee, role)| wit::Membership {
                insee: insee.to_string(),
                role: match role {
                    qmi_api::MembershipRole::Admin => wit::CommuneRole::Admin,
                    qmi_api::MembershipRole::Agent => wit::CommuneRole::Agent,
                    qmi_api::MembershipRole::Reviewer => wit::CommuneRole::Reviewer,
                },
            })
            .collect(),
    }
}

/// What this service states about a record when it asks the policy.
#[derive(Default, Clone)]
struct Facts {
    tenant: Option<String>,
    organisation: Option<String>,
    assigned: bool,
    conflict: bool,
    published: bool,
    programme_call: bool,
}

impl Facts {
    fn tenant(insee: &Insee) -> Self {
        Self {
            tenant: Some(insee.to_string()),
            ..Self::default()
        }
    }
}

/// The policy's answer for `action` on a record with facts `f`, the commune's
/// status given (`tenant_suspended`); a refusal becomes the problem its code maps to.
fn decide_facts(
    p: Option<&Principal>,
    action: Action,
    f: &Facts,
    tenant_suspended: bool,
) -> Result<(), Problem> {
    let facts = wit::ResourceFacts {
        tenant: f.tenant.clone(),
        organisation: f.organisation.clone(),
        assigned_reviewer: f.assigned,
        conflict_declared: f.conflict,
        programme_call: f.programme_call,
        published: f.published,
        tenant_suspended,
        account_unconfirmed: false,
    };
    match decide(p.map(wit_principal).as_ref(), action, &facts) {
        Decision::Allowed => Ok(()),
        Decision::Refused(r) => Err(match r.code {
            RefusalCode::Unauthenticated => Problem::unauthorized(r.reason),
            RefusalCode::NotPublished => Problem::not_found(r.reason),
            RefusalCode::IncompleteFacts => Problem::internal(format!("policy: {}", r.reason)),
            RefusalCode::ConflictOfInterest => {
                Problem::new(403, "conflict-of-interest", "Recused").detail(r.reason)
            }
            RefusalCode::TenantSuspended => {
                Problem::new(403, "tenant-suspended", "Commune suspended").detail(r.reason)
            }
            _ => Problem::forbidden(r.reason),
        }),
    }
}

// ---------------------------------------------------------------- context

struct Ctx<'a> {
    req: &'a Incoming,
    params: Vec<(&'static str, String)>,
    db: Db,
    principal: Option<Principal>,
    now: Instant,
    /// Communes' suspension, read once per request (`tenant-status/<insee>`).
    suspended: RefCell<HashMap<String, bool>>,
}

impl Ctx<'_> {
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn insee(&self) -> Result<Insee, Problem> {
        self.param("insee")
            .parse()
            .map_err(|e: qmi_api::InseeError| Problem::not_found(e.to_string()))
    }

    fn who(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    fn me(&self) -> Result<&Principal, Problem> {
        self.principal
            .as_ref()
            .ok_or_else(|| Problem::unauthorized("sign in first"))
    }

    /// Whether the commune `tenant` names is suspended (none named: no).
    async fn is_suspended(&self, tenant: Option<&str>) -> Result<bool, Problem> {
        let Some(Ok(insee)) = tenant.map(str::parse::<Insee>) else {
            return Ok(false);
        };
        let known = self.suspended.borrow().get(insee.as_str()).copied();
        if let Some(s) = known {
            return Ok(s);
        }
        let s = qmi_kit::tenancy::is_suspended(&insee).await?;
        self.suspended.borrow_mut().insert(insee.to_string(), s);
        Ok(s)
    }

    /// Asks the policy about `action` on a record with facts `f`, stating whether
    /// its commune is suspended (the `tenant-suspended` fact).
    async fn ask(&self, action: Action, f: &Facts) -> Result<(), Problem> {
        let suspended = self.is_suspended(f.tenant.as_deref()).await?;
        decide_facts(self.who(), action, f, suspended)
    }

    /// Whether the record exists for the caller at all (`action` a read),
    /// whatever its commune's status: a suspension is said by the refusal of
    /// what the caller then asks to do, never by a 404 that would differ from
    /// a missing record's.
    fn sees(&self, action: Action, f: &Facts) -> bool {
        decide_facts(self.who(), action, f, false).is_ok()
    }
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let (doc, params) = qmi_kit::http::dispatch("applications", req)?;
    let principal = req.principal()?;
    let db = Db::open(crate::DATABASE).await?;
    let cx = Ctx {
        req,
        params,
        db,
        principal,
        now: now(),
        suspended: RefCell::new(HashMap::new()),
    };
    let reply = match doc.id {
        "createCampaign" => create_campaign(&cx).await,
        "listCampaigns" => list_campaigns(&cx).await,
        "getCampaign" => get_campaign(&cx).await,
        "updateCampaign" => decisions::update_campaign(&cx).await,
        "publishCampaign" => decisions::publish_campaign(&cx).await,
        "listCandidacies" => list_candidacies(&cx).await,
        "listCommuneCandidacies" => list_commune_candidacies(&cx).await,
        "getCandidacy" => get_candidacy(&cx).await,
        "saveCandidacy" => save_candidacy(&cx).await,
        "submitCandidacy" => submit_candidacy(&cx).await,
        "decideCandidacy" => decide_candidacy(&cx).await,
        "createCall" => create_call(&cx).await,
        "listCalls" => list_calls(&cx).await,
        "getCall" => get_call(&cx).await,
        "getCallResults" => call_results(&cx).await,
        "updateCall" => update_call(&cx).await,
        "publishCall" => publish_call(&cx).await,
        "closeCall" => decisions::close_call(&cx).await,
        "createApplication" => create_application(&cx).await,
        "listCallApplications" => list_call_applications(&cx).await,
        "assignReviewers" => assign_reviewers(&cx).await,
        "listAssignments" => list_assignments(&cx).await,
        "getRanking" => get_ranking(&cx).await,
        "publishDecisions" => publish_decisions(&cx).await,
        "sendReminders" => notify::send_reminders(&cx).await,
        "exportCsv" => export(&cx, false).await,
        "exportXlsx" => export(&cx, true).await,
        "listMyApplications" => list_my_applications(&cx).await,
        "getApplication" => get_application(&cx).await,
        "saveApplication" => save_application(&cx).await,
        "submitApplication" => submit_application(&cx).await,
        "withdrawApplication" => withdraw_application(&cx).await,
        "reopenApplication" => decisions::reopen_application(&cx).await,
        "transitionApplication" => transition_application(&cx).await,
        "uploadAttachment" => upload_attachment(&cx).await,
        "getAttachment" => get_attachment(&cx).await,
        "declareConflict" => declare_conflict(&cx).await,
        "saveReview" => save_review(&cx).await,
        "listReviews" => list_reviews(&cx).await,
        "getLetter" => get_letter(&cx).await,
        "listMyAssignments" => list_my_assignments(&cx).await,
        "openData" => open_data(&cx).await,
        other => Err(Problem::internal(format!("route {other} has no handler"))),
    };
    // Reminders due and the outbox's messages, whatever the answer (best effort).
    notify::after(&cx).await;
    reply
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Problem> {
    serde_json::to_string(v).map_err(Problem::internal)
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, Problem> {
    serde_json::from_str(s).map_err(|e| Problem::internal(format!("stored JSON: {e}")))
}

fn validation(errors: Vec<qmi_kit::FieldError>) -> Result<(), Problem> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut p = Problem::validation().detail(format!("{} field(s) are invalid", errors.len()));
    p.errors = errors;
    Err(p)
}

/// A file to download: never rendered by the browser in the app's origin
/// (`attachment`), never re-typed by it (`nosniff`). `filename` is ours (ids,
/// fixed names), never the client's.
fn download(content_type: &str, body: Vec<u8>, filename: &str) -> Reply {
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    qmi_kit::http::bytes(
        200,
        &[
            ("content-type", content_type.to_owned()),
            (
                "content-disposition",
                format!("attachment; filename=\"{safe}\""),
            ),
            ("x-content-type-options", "nosniff".to_owned()),
        ],
        body,
    )
}

// ---------------------------------------------------------------- other services

/// Where the app's own API is reached from inside a component: the Spin variable
/// `services_url`, by default `http://self.alt` — a Spin self-request, which goes
/// through the router and the gateway like any request (`*.spin.internal`
/// chaining cannot reach a component whose triggers carry middleware). A
/// per-component deployment points it at the ingress.
async fn services_url() -> String {
    match spin_sdk::variables::get("services_url").await {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => "http://self.alt".to_owned(),
    }
}

/// Calls the app's own API (`path` starts with `/api/`) as the caller, with
/// the caller's bearer token: the gateway checks it again, as for any request.
async fn call_api(
    cx: &Ctx<'_>,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<(u16, Bytes), Problem> {
    let url = format!("{}{path}", services_url().await);
    let mut b = Request::<()>::builder().method(method).uri(&url);
    if let Some(auth) = cx.req.header("authorization") {
        b = b.header("authorization", auth);
    }
    let payload = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Bytes::from(serde_json::to_vec(&v).map_err(Problem::internal)?)
        }
        None => Bytes::new(),
    };
    b = b.header("content-length", payload.len().to_string());
    let request = b.body(FullBody::new(payload)).map_err(Problem::internal)?;
    let response = spin_sdk::http::send(request).await.map_err(|e| {
        Problem::new(502, "upstream", "Upstream failure").detail(format!("{method} {path}: {e:?}"))
    })?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .bytes()
        .await
        .map_err(|e| Problem::internal(format!("{path}: {e:?}")))?;
    Ok((status, body))
}

fn upstream(what: &str, status: u16, body: &[u8]) -> Problem {
    Problem::new(502, "upstream", "Upstream failure").detail(format!(
        "{what} answered {status}: {}",
        String::from_utf8_lossy(body)
    ))
}

// ---------------------------------------------------------------- campaigns

fn campaign_of(r: Row<'_>) -> Result<Campaign, Problem> {
    let (opens, closes) = (
        Instant(r.int("opens_at").unwrap_or(0)),
        Instant(r.int("closes_at").unwrap_or(0)),
    );
    Ok(Campaign {
        id: r.string("id"),
        title: r.string("title"),
        text: r.string("text"),
        opens_at: opens.to_string(),
        opens_at_paris: Paris(opens).to_string(),
        closes_at: closes.to_string(),
        closes_at_paris: Paris(closes).to_string(),
        questions: from_json(r.text("questions").unwrap_or("[]"))?,
        published: r.int("published") == Some(1),
        history: Vec::new(),
    })
}

struct StoredCampaign {
    campaign: Campaign,
    closes_at: Instant,
}

async fn load_campaign(cx: &Ctx<'_>) -> Result<StoredCampaign, Problem> {
    let id = cx.param("id");
    let rows = cx
        .db
        .global("SELECT * FROM campaigns WHERE id = ?", vec![id.into()])
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no campaign {id}")))?;
    Ok(StoredCampaign {
        closes_at: Instant(row.int("closes_at").unwrap_or(0)),
        campaign: campaign_of(row)?,
    })
}

async fn create_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.ask(Action::CampaignOpen, &Facts::default()).await?;
    let input: CampaignInput = cx.req.json()?;
    let (opens, closes) = decisions::check_campaign(&input)?;
    let id = new_id();
    // The campaign and its history's first lines, together.
    cx.db
        .atomic(async |_| {
            cx.db
                .global(
                    "INSERT INTO campaigns (id, title, text, opens_at, closes_at, questions, published, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        id.as_str().into(),
                        input.title.trim().into(),
                        input.text.as_str().into(),
                        opens.0.into(),
                        closes.0.into(),
                        to_json(&input.questions)?.into(),
                        input.published.into(),
                        cx.me()?.sub.as_str().into(),
                        cx.now.0.into(),
                    ],
                )
                .await?;
            decisions::record_campaign(cx, &id, "created").await?;
            if input.published {
                decisions::record_campaign(cx, &id, "published").await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    let rows = cx
        .db
        .global("SELECT * FROM campaigns WHERE id = ?", vec![id.into()])
        .await?;
    Ok(json(
        201,
        &campaign_of(
            rows.first()
                .ok_or_else(|| Problem::internal("campaign vanished"))?,
        )?,
    ))
}

async fn list_campaigns(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let page = PageRequest::from_query(&cx.req.query)?;
    let all = cx
        .ask(Action::CampaignRead, &Facts::default())
        .await
        .is_ok();
    let after = page
        .after
        .as_ref()
        .map(|c| c.key().to_owned())
        .unwrap_or_default();
    let sql = format!(
        "SELECT * FROM campaigns WHERE (published = 1 OR ?) AND id > ? ORDER BY id LIMIT {}",
        page.fetch()
    );
    let rows = cx.db.global(&sql, vec![all.into(), after.into()]).await?;
    let items = rows
        .iter()
        .map(campaign_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.id.clone())))
}

async fn get_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut c = load_campaign(cx).await?;
    cx.ask(
        Action::CampaignRead,
        &Facts {
            published: c.campaign.published,
            ..Facts::default()
        },
    )
    .await?;
    if cx
        .ask(Action::CampaignOpen, &Facts::default())
        .await
        .is_ok()
    {
        c.campaign.history = decisions::campaign_history(cx, &c.campaign.id).await?;
    }
    Ok(json(200, &c.campaign))
}

fn candidacy_of(r: Row<'_>) -> Result<Candidacy, Problem> {
    let body: CandidacyInput = from_json(r.text("body").unwrap_or("{}"))?;
    Ok(Candidacy {
        campaign_id: r.string("campaign_id"),
        insee: r.string("insee").parse().map_err(Problem::internal)?,
        district_name: body.district_name,
        perimeter: body.perimeter,
        challenges: body.challenges,
        partners: body.partners,
        means: body.means,
        answers: body.answers,
        status: r.string("status"),
        reason: r.text("reason").map(str::to_owned),
    })
}

async fn load_candidacy(
    cx: &Ctx<'_>,
    insee: &Insee,
    campaign: &str,
) -> Result<Option<Candidacy>, Problem> {
    let rows = cx
        .db
        .run(
            tenant(insee)
                .select(CANDIDACIES, &["*"])
                .filter("campaign_id = ?", [campaign.into()])
                .build(),
        )
        .await?;
    rows.first().map(candidacy_of).transpose()
}

async fn require_candidacy(
    cx: &Ctx<'_>,
    insee: &Insee,
    campaign: &str,
) -> Result<Candidacy, Problem> {
    load_candidacy(cx, insee, campaign).await?.ok_or_else(|| {
        Problem::not_found(format!("no candidacy of {insee} to campaign {campaign}"))
    })
}

async fn list_candidacies(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let c = load_campaign(cx).await?;
    cx.ask(Action::CampaignReview, &Facts::default()).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let after = page
        .after
        .as_ref()
        .map(|c| c.key().to_owned())
        .unwrap_or_default();
    let sql = format!(
        "SELECT * FROM candidacies WHERE campaign_id = ? AND status <> 'draft' AND insee > ? ORDER BY insee LIMIT {}",
        page.fetch()
    );
    let rows = cx
        .db
        .global(&sql, vec![c.campaign.id.into(), after.into()])
        .await?;
    let items = rows
        .iter()
        .map(candidacy_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.insee.to_string())))
}

/// One commune's candidacies across campaigns, in campaign id order.
async fn list_commune_candidacies(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    cx.ask(Action::CandidacyRead, &Facts::tenant(&insee))
        .await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let mut select = tenant(&insee)
        .select(CANDIDACIES, &["*"])
        .order_by("campaign_id")
        .limit(page.fetch());
    if let Some(after) = &page.after {
        select = select.filter("campaign_id > ?", [after.key().into()]);
    }
    let rows = cx.db.run(select.build()).await?;
    let items = rows
        .iter()
        .map(candidacy_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.campaign_id.clone())))
}

async fn get_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    cx.ask(Action::CandidacyRead, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    Ok(json(
        200,
        &require_candidacy(cx, &insee, &c.campaign.id).await?,
    ))
}

fn check_candidacy(input: &CandidacyInput) -> Vec<qmi_kit::FieldError> {
    let mut errors = Vec::new();
    if input.district_name.trim().is_empty() {
        errors.push(qmi_kit::FieldError::new(
            "district_name",
            "must not be empty",
        ));
    }
    if let Err(e) = geo::check_polygon(&input.perimeter) {
        errors.push(qmi_kit::FieldError::new("perimeter", e));
    }
    errors
}

async fn save_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    cx.ask(Action::CandidacyDraft, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    if !c.campaign.published {
        return Err(Problem::not_found(format!("no campaign {}", c.campaign.id)));
    }
    if cx.now >= c.closes_at {
        return Err(Problem::conflict("the campaign is closed"));
    }
    let input: CandidacyInput = cx.req.json()?;
    validation(check_candidacy(&input))?;
    validation(form::check_draft(&c.campaign.questions, &input.answers))?;
    // Its state read and the draft written together: a decision cannot slip in between.
    cx.db
        .atomic(async |_| {
            if let Some(existing) = load_candidacy(cx, &insee, &c.campaign.id).await?
                && !matches!(existing.status.as_str(), "draft" | "submitted")
            {
                return Err(Problem::conflict(format!("the candidacy is already {}", existing.status)));
            }
            cx.db
                .run(tenant(&insee).insert(
                    CANDIDACIES,
                    vec![("campaign_id", c.campaign.id.as_str().into()), ("body", to_json(&input)?.into()), ("status", "draft".into()), ("updated_at", cx.now.0.into())],
                    Some("ON CONFLICT (insee, campaign_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at"),
                ))
                .await?;
            Ok(())
        })
        .await?;
    Ok(json(
        200,
        &require_candidacy(cx, &insee, &c.campaign.id).await?,
    ))
}

async fn submit_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    cx.ask(Action::CandidacySubmit, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    if cx.now >= c.closes_at {
        return Err(Problem::conflict("the campaign is closed"));
    }
    // The draft checked and submitted as one: what was checked is what is submitted.
    cx.db
        .atomic(async |_| {
            let cand = require_candidacy(cx, &insee, &c.campaign.id).await?;
            if cand.status == "submitted" {
                return Ok(());
            }
            if cand.status != "draft" {
                return Err(Problem::conflict(format!(
                    "the candidacy is already {}",
                    cand.status
                )));
            }
            let input = CandidacyInput {
                district_name: cand.district_name.clone(),
                perimeter: cand.perimeter.clone(),
                challenges: cand.challenges.clone(),
                partners: cand.partners.clone(),
                means: cand.means.clone(),
                answers: cand.answers.clone(),
            };
            let mut errors = check_candidacy(&input);
            errors.extend(form::check_submission(
                &c.campaign.questions,
                &input.answers,
                &|_| false,
            ));
            validation(errors)?;
            cx.db
                .run(
                    tenant(&insee)
                        .update(
                            CANDIDACIES,
                            vec![
                                ("status", "submitted".into()),
                                ("updated_at", cx.now.0.into()),
                                ("submitted_by", cx.me()?.sub.as_str().into()),
                            ],
                        )
                        .filter("campaign_id = ?", [c.campaign.id.as_str().into()])
                        .filter("status = 'draft'", [])
                        .build(),
                )
                .await?;
            notify::candidacy_received(cx, &insee, &c.campaign, &cand).await
        })
        .await?;
    Ok(json(
        200,
        &require_candidacy(cx, &insee, &c.campaign.id).await?,
    ))
}

async fn decide_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    cx.ask(Action::CampaignSelect, &Facts::default()).await?;
    let c = load_campaign(cx).await?;
    let decision: CandidacyDecision = cx.req.json()?;
    let cand = require_candidacy(cx, &insee, &c.campaign.id).await?;
    let target = if decision.selected {
        "selected"
    } else {
        "rejected"
    };
    if cand.status == target {
        return Ok(json(200, &cand));
    }
    if cand.status != "submitted" {
        return Err(Problem::conflict(format!(
            "only a submitted candidacy can be decided (this one is {})",
            cand.status
        )));
    }
    if decision.selected {
        // The district first, then the registry: both calls are idempotent, so a
        // failure leaves the candidacy submitted and the operator may retry.
        let district = DistrictInput {
            insee: insee.clone(),
            name: cand.district_name.clone(),
            perimeter: cand.perimeter.clone(),
            description: String::new(),
            challenges: cand.challenges.clone(),
            sites: Vec::new(),
            stakeholders: cand.partners.clone(),
            campaign_id: Some(c.campaign.id.clone()),
        };
        let body = serde_json::to_value(&district).map_err(Problem::internal)?;
        let (status, text) = call_api(cx, "POST", "/api/districts", Some(body)).await?;
        if !(200..300).contains(&status) {
            return Err(upstream("districts", status, &text));
        }
        let path = format!("/api/admin/communes/{insee}/status");
        let (status, text) = call_api(
            cx,
            "PUT",
            &path,
            Some(serde_json::json!({ "status": "district" })),
        )
        .await?;
        if !(200..300).contains(&status) {
            return Err(upstream("identity", status, &text));
        }
    }
    // Compare-and-set: of two concurrent decisions, one wins and the other is told.
    // The decision and its message to the commune commit together.
    cx.db
        .atomic(async |_| {
            cx.db
                .run(
                    tenant(&insee)
                        .update(
                            CANDIDACIES,
                            vec![
                                ("status", target.into()),
                                ("reason", decision.reason.as_str().into()),
                                ("updated_at", cx.now.0.into()),
                            ],
                        )
                        .filter("campaign_id = ?", [c.campaign.id.as_str().into()])
                        .filter("status = 'submitted'", [])
                        .build(),
                )
                .await?;
            notify::candidacy_decided(
                cx,
                &insee,
                &c.campaign,
                &cand,
                decision.selected,
                &decision.reason,
            )
            .await
        })
        .await?;
    let now = require_candidacy(cx, &insee, &c.campaign.id).await?;
    if now.status != target {
        return Err(Problem::conflict(format!(
            "the candidacy was {} meanwhile",
            now.status
        )));
    }
    Ok(json(200, &now))
}

// ---------------------------------------------------------------- calls

/// A call as stored.
struct StoredCall {
    /// The commune holding the call (a programme call: its first district).
    insee: Insee,
    /// A programme call, run by programme operators.
    programme: bool,
    /// The districts covered (a commune's call: just `insee`); never empty.
    districts: Vec<Insee>,
    id: String,
    input: CallInput,
    workflow: Workflow,
    opens_at: Instant,
    closes_at: Instant,
    published: bool,
    decisions_published: bool,
    closed_early: Option<EarlyClose>,
}

impl StoredCall {
    fn facts(&self) -> Facts {
        Facts {
            tenant: Some(self.insee.to_string()),
            published: self.published,
            programme_call: self.programme,
            ..Facts::default()
        }
    }

    /// `<alias>insee IN (?, …)` over the call's districts, with its parameters:
    /// every read of the call's applications, assignments and scores stays
    /// within the tenants the call covers.
    fn scope(&self, alias: &str) -> (String, Vec<Value>) {
        let marks = vec!["?"; self.districts.len()].join(", ");
        (
            format!("{alias}insee IN ({marks})"),
            self.districts.iter().map(Value::from).collect(),
        )
    }

    fn status(&self, now: Instant) -> &'static str {
        if now < self.opens_at {
            "upcoming"
        } else if now < self.closes_at {
            "open"
        } else {
            "closed"
        }
    }

    fn view(&self, now: Instant) -> Call {
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
            status: self.status(now).to_owned(),
            signatory: i.signatory.clone(),
            closed_early: self.closed_early.clone(),
        }
    }
}

fn call_of(r: Row<'_>) -> Result<StoredCall, Problem> {
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
    })
}

/// Finds a call by id (ids are unique across communes; the row names its commune).
async fn load_call(cx: &Ctx<'_>, id: &str) -> Result<StoredCall, Problem> {
    let rows = cx
        .db
        .global("SELECT * FROM calls WHERE id = ?", vec![id.into()])
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
async fn call_for(cx: &Ctx<'_>, action: Action) -> Result<StoredCall, Problem> {
    let call = load_call(cx, cx.param("id")).await?;
    if !cx.sees(Action::CallRead, &call.facts()) {
        return Err(Problem::not_found(format!("no call {}", call.id)));
    }
    cx.ask(action, &call.facts()).await?;
    Ok(call)
}

/// Checks a call definition; returns (opens, closes).
fn check_call(input: &CallInput) -> Result<(Instant, Instant), Problem> {
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
    errors.extend(eligibility::check_definition(&input.eligibility));
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
fn opening_window(
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

fn themes_key(themes: &[String]) -> String {
    let mut s = String::from("|");
    for t in themes {
        s.push_str(&t.trim().to_lowercase().replace('|', " "));
        s.push('|');
    }
    s
}

/// Where a call is stored: its commune, or a programme call's first district.
fn home(input: &CallInput) -> Option<&Insee> {
    input.insee.as_ref().or(input.districts.first())
}

/// `|93048|75056|` for the public `commune` filter (empty for a commune's call).
fn districts_key(districts: &[Insee]) -> String {
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
async fn check_districts(cx: &Ctx<'_>, districts: &[Insee]) -> Result<(), Problem> {
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

async fn create_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
    cx.ask(
        Action::CallCreate,
        &Facts {
            tenant: Some(insee.to_string()),
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
        .run(tenant(&insee).insert(
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
            None,
        ))
        .await?;
    Ok(json(201, &load_call(cx, &id).await?.view(cx.now)))
}

async fn update_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
            let (scope, mut params) = call.scope("");
            params.push(call.id.as_str().into());
            let submitted = cx.db.global(&format!("SELECT count(*) AS n FROM applications WHERE {scope} AND call_id = ? AND status <> 'draft'"), params).await?;
            if submitted.first().and_then(|r| r.int("n")).unwrap_or(0) > 0 && (input.form != call.input.form || input.criteria != call.input.criteria || input.workflow.as_ref().unwrap_or(&call.workflow) != &call.workflow) {
                return Err(Problem::conflict("applications were submitted: the form, criteria and workflow can no longer change"));
            }
            cx.db
                .run(
                    tenant(&call.insee)
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
                        .filter("id = ?", [call.id.as_str().into()])
                        .build(),
                )
                .await?;
            Ok(())
        })
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

async fn publish_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallPublish).await?;
    cx.db
        .run(
            tenant(&call.insee)
                .update(CALLS, vec![("published", true.into())])
                .filter("id = ?", [call.id.as_str().into()])
                .build(),
        )
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

async fn list_calls(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let q = &cx.req.query;
    let page = PageRequest::from_query(q)?;
    let mut sql = String::from("SELECT * FROM calls WHERE published = 1");
    let mut params: Vec<Value> = Vec::new();
    match q.non_empty("managed") {
        None | Some("false") => {}
        Some("true") => {
            // The calls the caller runs (policy `runs_call`), published or not.
            let p = cx.me()?;
            if p.is(qmi_api::PlatformRole::Programme) {
                sql = String::from("SELECT * FROM calls WHERE 1 = 1");
            } else {
                let admin: Vec<&Insee> = p
                    .mem
                    .iter()
                    .filter(|(_, r)| **r == qmi_api::MembershipRole::Admin)
                    .map(|(i, _)| i)
                    .collect();
                sql = format!(
                    "SELECT * FROM calls WHERE districts = '' AND insee IN ({})",
                    vec!["?"; admin.len()].join(", ")
                );
                if admin.is_empty() {
                    sql = String::from("SELECT * FROM calls WHERE 0 = 1");
                }
                params.extend(admin.into_iter().map(Value::from));
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
        sql.push_str(" AND (insee = ? OR instr(districts, ?) > 0)");
        params.push((&insee).into());
        params.push(format!("|{insee}|").into());
    }
    if let Some(t) = q.non_empty("theme") {
        sql.push_str(" AND instr(themes, ?) > 0");
        params.push(format!("|{}|", t.trim().to_lowercase()).into());
    }
    match q.non_empty("status") {
        None => {}
        Some("open") => {
            sql.push_str(" AND opens_at <= ? AND closes_at > ?");
            params.extend([cx.now.0.into(), cx.now.0.into()]);
        }
        Some("upcoming") => {
            sql.push_str(" AND opens_at > ?");
            params.push(cx.now.0.into());
        }
        Some("closed") => {
            sql.push_str(" AND closes_at <= ?");
            params.push(cx.now.0.into());
        }
        Some(_) => {
            return Err(Problem::bad_request("unknown status")
                .field("status", "one of open, upcoming, closed"));
        }
    }
    if let Some(after) = &page.after {
        sql.push_str(" AND id > ?");
        params.push(after.key().into());
    }
    sql.push_str(&format!(" ORDER BY id LIMIT {}", page.fetch()));
    let rows = cx.db.global(&sql, params).await?;
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

async fn get_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    Ok(json(
        200,
        &call_for(cx, Action::CallRead).await?.view(cx.now),
    ))
}

// ---------------------------------------------------------------- applications

/// An application as stored.
struct StoredApp {
    insee: Insee,
    id: String,
    call_id: String,
    organisation: String,
    organisation_name: String,
    title: String,
    answers: BTreeMap<String, serde_json::Value>,
    status: String,
    reason: Option<String>,
    created_at: i64,
    updated_at: i64,
    submitted_at: Option<i64>,
}

fn app_of(r: Row<'_>) -> Result<StoredApp, Problem> {
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
    fn view(&self, history: Vec<StatusChange>) -> Application {
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

async fn load_app(cx: &Ctx<'_>, id: &str) -> Result<StoredApp, Problem> {
    let rows = cx
        .db
        .global("SELECT * FROM applications WHERE id = ?", vec![id.into()])
        .await?;
    rows.first()
        .map(app_of)
        .transpose()?
        .ok_or_else(|| Problem::not_found(format!("no application {id}")))
}

/// Whether organisation `org` applied to call `call_id` (a draft counts: it is
/// a competitor already).
async fn organisation_applied(cx: &Ctx<'_>, call_id: &str, org: &str) -> Result<bool, Problem> {
    let rows = cx
        .db
        .global(
            "SELECT 1 AS x FROM applications WHERE organisation_id = ? AND call_id = ? LIMIT 1",
            vec![org.into(), call_id.into()],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// The caller's relation to an application: (assigned, conflict declared). A
/// reviewer whose organisation applied to the same call reviews nothing there
/// (a conflict of interest by organisation), whatever was assigned before the
/// organisation applied: they see nothing of another applicant's file.
async fn relation(cx: &Ctx<'_>, app: &StoredApp) -> Result<(bool, bool), Problem> {
    let Some(p) = cx.who() else {
        return Ok((false, false));
    };
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(ASSIGNMENTS, &["conflict", "conflict_kind"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .filter("reviewer = ?", [p.sub.as_str().into()])
                .build(),
        )
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

async fn app_facts(cx: &Ctx<'_>, app: &StoredApp, call: &StoredCall) -> Result<Facts, Problem> {
    let (assigned, conflict) = relation(cx, app).await?;
    Ok(Facts {
        tenant: Some(app.insee.to_string()),
        organisation: Some(app.organisation.clone()),
        assigned,
        conflict,
        published: call.decisions_published,
        programme_call: call.programme,
    })
}

/// Loads the route's application and its call, and checks `action`; an outsider
/// gets 404 (an application's existence does not leak), whatever the commune's
/// status; then the policy's answer for `action` (403, `tenant-suspended` included).
async fn app_for(cx: &Ctx<'_>, action: Action) -> Result<(StoredApp, StoredCall, Facts), Problem> {
    let app = load_app(cx, cx.param("id")).await?;
    let call = load_call(cx, &app.call_id).await?;
    let facts = app_facts(cx, &app, &call).await?;
    if !cx.sees(Action::ApplicationReadTitle, &facts) {
        return Err(Problem::not_found(format!("no application {}", app.id)));
    }
    cx.ask(action, &facts).await?;
    Ok((app, call, facts))
}

async fn history(cx: &Ctx<'_>, app: &StoredApp) -> Result<Vec<StatusChange>, Problem> {
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(EVENTS, &["at", "status", "actor", "reason"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .order_by("seq")
                .build(),
        )
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
async fn decision_hidden(
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
async fn present(
    cx: &Ctx<'_>,
    app: &StoredApp,
    call: &StoredCall,
    facts: &Facts,
) -> Result<Application, Problem> {
    let mut view = app.view(history(cx, app).await?);
    view.files = file_names(cx, app).await?;
    if decision_hidden(cx, app, call, facts).await? {
        workflow::hide_decision(&call.workflow, &mut view);
    }
    Ok(view)
}

/// [`present`] of the application as stored now (after a change).
async fn present_now(
    cx: &Ctx<'_>,
    id: &str,
    call: &StoredCall,
    facts: &Facts,
) -> Result<Application, Problem> {
    present(cx, &load_app(cx, id).await?, call, facts).await
}

/// Moves an application from `from` to `to` (compare-and-set on the status, so
/// concurrent moves cannot both win) and records the step, within the caller's
/// transaction. Returns whether it moved.
async fn step(
    cx: &Ctx<'_>,
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
    cx.db
        .run(
            tenant(&app.insee)
                .update(APPLICATIONS, set)
                .filter("id = ?", [app.id.as_str().into()])
                .filter("status = ?", [from.into()])
                .build(),
        )
        .await?;
    if cx.db.changes().await == 0 {
        return Ok(false);
    }
    record(cx, &app.insee, &app.id, to, reason).await?;
    Ok(true)
}

/// [`step`] as a transaction of its own: the state and its history row together.
async fn move_to(
    cx: &Ctx<'_>,
    app: &StoredApp,
    from: &str,
    to: &str,
    reason: Option<&str>,
) -> Result<bool, Problem> {
    cx.db
        .atomic(async |_| step(cx, app, from, to, reason).await)
        .await
}

async fn record(
    cx: &Ctx<'_>,
    insee: &Insee,
    id: &str,
    status: &str,
    reason: Option<&str>,
) -> Result<(), Problem> {
    let actor = cx.who().map(|p| p.sub.clone()).unwrap_or_default();
    cx.db
        .global(
            "INSERT INTO application_events (insee, application_id, seq, at, status, actor, reason) \
             SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM application_events WHERE insee = ? AND application_id = ?",
            vec![insee.into(), id.into(), cx.now.0.into(), status.into(), actor.into(), reason.into(), insee.into(), id.into()],
        )
        .await?;
    Ok(())
}

async fn attachment_ids(cx: &Ctx<'_>, app: &StoredApp) -> Result<Vec<String>, Problem> {
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(ATTACHMENTS, &["id"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .build(),
        )
        .await?;
    Ok(rows.iter().map(|r| r.string("id")).collect())
}

/// The names of the application's files that were sent with one, by id.
async fn file_names(cx: &Ctx<'_>, app: &StoredApp) -> Result<BTreeMap<String, String>, Problem> {
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(ATTACHMENTS, &["id", "name"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .build(),
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.string("id"), r.text("name")?.to_owned())))
        .collect())
}

/// The name a file was sent with (`?name=`): its last path segment, without
/// control characters, 200 characters at most; `None` when nothing is left.
fn file_name(query: Option<&str>) -> Option<String> {
    let base = query?.rsplit(['/', '\\']).next()?;
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    Some(name.trim().to_owned()).filter(|n| !n.is_empty())
}

/// Checks the call's eligibility against the applicant organisation as identity
/// knows it (fetched through the app's API with the caller's credentials, so
/// kind and country cannot be forged by the client): 422 naming
/// `organisation.kind` and/or `organisation.country`. Never inside a
/// transaction: it waits on another service.
async fn check_eligible(
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
async fn applicant(cx: &Ctx<'_>, organisation: &str) -> Result<Organisation, Problem> {
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
fn eligible(call: &StoredCall, org: &Organisation) -> Result<(), Problem> {
    let (kind, country) = (org.kind.as_str(), org.country.to_string());
    let errors = eligibility::check_applicant(&call.input.eligibility, kind, &country);
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
async fn submit_in(cx: &Ctx<'_>, app: &StoredApp, call: &StoredCall) -> Result<(), Problem> {
    if app.status == workflow::SUBMITTED {
        return Ok(());
    }
    if app.status != workflow::DRAFT {
        // The state is not named: it may be a decision the applicant may not know yet.
        return Err(Problem::conflict(
            "the application was submitted already and can no longer be submitted",
        ));
    }
    let attachments = attachment_ids(cx, app).await?;
    submittable(cx, call, app.title.trim(), &app.answers, &attachments)?;
    if !step(cx, app, workflow::DRAFT, workflow::SUBMITTED, None).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    notify::received(cx, call, &app.insee, &app.id, &app.title, &app.answers).await
}

/// Whether an application with this title, these answers and these attachments
/// may be submitted now: the call open (server clock), every answer valid.
fn submittable(
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

fn check_input(call: &StoredCall, input: &ApplicationInput) -> Result<(), Problem> {
    let mut errors = form::check_draft(&call.input.form, &input.answers);
    if input.title.chars().count() > 300 {
        errors.push(qmi_kit::FieldError::new("title", "at most 300 characters"));
    }
    validation(errors)
}

async fn create_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
    cx.ask(
        Action::ApplicationDraft,
        &Facts {
            tenant: Some(district.to_string()),
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
                .run(tenant(&district).insert(
                    APPLICATIONS,
                    vec![
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
                    ],
                    Some("ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"),
                ))
                .await?;
            let created = cx.db.changes().await > 0;
            if created {
                // Its history: drafted, then submitted when asked, in one statement.
                let actor = p.sub.as_str();
                let mut sql = String::from("INSERT INTO application_events (insee, application_id, seq, at, status, actor, reason) VALUES (?, ?, 1, ?, ?, ?, NULL)");
                let mut params: Vec<Value> = vec![(&district).into(), id.as_str().into(), cx.now.0.into(), workflow::DRAFT.into(), actor.into()];
                if input.submit {
                    sql.push_str(", (?, ?, 2, ?, ?, ?, NULL)");
                    params.extend([(&district).into(), id.as_str().into(), cx.now.0.into(), workflow::SUBMITTED.into(), actor.into()]);
                }
                cx.db.global(&sql, params).await?;
                if input.submit {
                    notify::received(cx, &call, &district, &id, input.title.trim(), &input.answers).await?;
                }
                return Ok::<_, Problem>((id.clone(), true));
            }
            let app = {
                let rows = cx
                    .db
                    .run(
                        tenant(&district)
                            .select(APPLICATIONS, &["*"])
                            .filter("created_by = ?", [p.sub.as_str().into()])
                            .filter("idempotency_key = ?", [format!("{}|{}", call.id, key.unwrap_or_default()).into()])
                            .build(),
                    )
                    .await?;
                rows.first().map(app_of).transpose()?.ok_or_else(|| Problem::conflict("a request with this Idempotency-Key is in progress; retry"))?
            };
            if input.submit {
                submit_in(cx, &app, &call).await?;
            }
            Ok::<_, Problem>((app.id, created))
        })
        .await?;
    let app = load_app(cx, &app_id).await?;
    let facts = app_facts(cx, &app, &call).await?;
    Ok(json(
        if created { 201 } else { 200 },
        &present(cx, &app, &call, &facts).await?,
    ))
}

async fn get_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::ApplicationReadTitle).await?;
    if cx.ask(Action::ApplicationRead, &facts).await.is_ok() {
        return Ok(json(200, &present(cx, &app, &call, &facts).await?));
    }
    let conflict_reason = if facts.conflict {
        jury_io::my_conflict_reason(cx, &app).await?
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

async fn save_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::ApplicationDraft).await?;
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
                .run(
                    tenant(&app.insee)
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
                        .build(),
                )
                .await?;
            if cx.db.changes().await == 0 {
                return Err(Problem::conflict(
                    "only a draft can change; this application was submitted",
                ));
            }
            if input.submit {
                submit_in(cx, &load_app(cx, &app.id).await?, &call).await?;
            }
            Ok(())
        })
        .await?;
    Ok(json(200, &present_now(cx, &app.id, &call, &facts).await?))
}

async fn submit_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::ApplicationSubmit).await?;
    if app.status == workflow::DRAFT {
        check_eligible(cx, &call, &app.organisation).await?;
    }
    cx.db
        .atomic(async |_| submit_in(cx, &load_app(cx, &app.id).await?, &call).await)
        .await?;
    Ok(json(200, &present_now(cx, &app.id, &call, &facts).await?))
}

async fn withdraw_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::ApplicationWithdraw).await?;
    if app.status == workflow::WITHDRAWN {
        return Ok(json(200, &present(cx, &app, &call, &facts).await?));
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
    if !move_to(cx, &app, &app.status, workflow::WITHDRAWN, None).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    Ok(json(200, &present_now(cx, &app.id, &call, &facts).await?))
}

async fn transition_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::DecisionDecide).await?;
    let t: TransitionRequest = cx.req.json()?;
    if app.status == t.to {
        return Ok(json(200, &present(cx, &app, &call, &facts).await?));
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
    if !notify::move_to(cx, &app, &call, &t.to, reason).await? {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    Ok(json(200, &present_now(cx, &app.id, &call, &facts).await?))
}

async fn list_call_applications(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ExportApplications).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let after = page
        .after
        .as_ref()
        .map(|c| c.key().to_owned())
        .unwrap_or_default();
    let (scope, mut params) = call.scope("");
    let mut sql = format!("SELECT * FROM applications WHERE {scope} AND call_id = ? AND id > ?");
    params.extend([call.id.as_str().into(), after.into()]);
    if let Some(s) = cx.req.query.non_empty("status") {
        sql.push_str(" AND status = ?");
        params.push(s.into());
    }
    sql.push_str(&format!(" ORDER BY id LIMIT {}", page.fetch()));
    let rows = cx.db.global(&sql, params).await?;
    let items = rows
        .iter()
        .map(|r| app_of(r).map(|a| a.view(Vec::new())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |a| a.id.clone())))
}

/// The caller's organisation's applications across every commune; a decision
/// not yet published shows as the step before it (see [`present`]).
async fn list_my_applications(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
    let after = page
        .after
        .as_ref()
        .map(|c| c.key().to_owned())
        .unwrap_or_default();
    // Across every commune: the organisation is the key here, not the tenant.
    let sql = format!(
        "SELECT * FROM applications WHERE organisation_id = ? AND id > ? ORDER BY id LIMIT {}",
        page.fetch()
    );
    let rows = cx
        .db
        .global(&sql, vec![org.as_str().into(), after.into()])
        .await?;
    let apps = rows.iter().map(app_of).collect::<Result<Vec<_>, _>>()?;
    let mut calls: HashMap<String, StoredCall> = HashMap::new();
    let mut items = Vec::with_capacity(apps.len());
    for a in &apps {
        // Only what the policy lets the caller read (a suspended commune's
        // applications are frozen for their applicants too).
        let readable = Facts {
            tenant: Some(a.insee.to_string()),
            organisation: Some(a.organisation.clone()),
            ..Facts::default()
        };
        if cx.ask(Action::ApplicationRead, &readable).await.is_err() {
            items.push((a.id.clone(), None));
            continue;
        }
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
            tenant: Some(a.insee.to_string()),
            organisation: Some(a.organisation.clone()),
            published: call.decisions_published,
            programme_call: call.programme,
            ..Facts::default()
        };
        let mut view = a.view(Vec::new());
        if decision_hidden(cx, a, call, &facts).await? {
            view.history = history(cx, a).await?;
            workflow::hide_decision(&call.workflow, &mut view);
            view.history = Vec::new();
        }
        items.push((a.id.clone(), Some(view)));
    }
    Ok(json(200, &page.page_visible(items)))
}

// ---------------------------------------------------------------- attachments

async fn upload_attachment(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, _, _) = app_for(cx, Action::ApplicationDraft).await?;
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
        .run(tenant(&app.insee).insert(
            ATTACHMENTS,
            vec![
                ("id", id.as_str().into()),
                ("application_id", app.id.as_str().into()),
                ("content_type", content_type.into()),
                ("size", (body.len() as i64).into()),
                ("sha256", sha.as_str().into()),
                ("data", body.to_vec().into()),
                ("created_at", cx.now.0.into()),
                ("name", name.clone().into()),
            ],
            None,
        ))
        .await?;
    Ok(json(
        201,
        &Attachment {
            id,
            content_type: content_type.into(),
            size: body.len() as u64,
            sha256: sha,
            name,
        },
    ))
}

async fn get_attachment(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, _, _) = app_for(cx, Action::ApplicationRead).await?;
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(ATTACHMENTS, &["content_type", "data", "name"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .filter("id = ?", [cx.param("attachment").into()])
                .build(),
        )
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

// ---------------------------------------------------------------- reviews

/// The applications of a call (every district it covers): `SELECT <columns>` ordered by id.
async fn call_apps(
    cx: &Ctx<'_>,
    call: &StoredCall,
    columns: &str,
    submitted_only: bool,
) -> Result<qmi_kit::sql::Rows, Problem> {
    let (scope, mut params) = call.scope("");
    params.push(call.id.as_str().into());
    let extra = if submitted_only {
        " AND status <> 'draft'"
    } else {
        ""
    };
    Ok(cx.db.global(&format!("SELECT {columns} FROM applications WHERE {scope} AND call_id = ?{extra} ORDER BY id"), params).await?)
}

async fn assignments_of_call(
    cx: &Ctx<'_>,
    call: &StoredCall,
) -> Result<Vec<(String, String, bool)>, Problem> {
    let (scope, mut params) = call.scope("");
    params.push(call.id.as_str().into());
    let rows = cx.db.global(&format!("SELECT application_id, reviewer, conflict FROM assignments WHERE {scope} AND call_id = ?"), params).await?;
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
const REVIEWABLE: &[&str] = &["submitted", "eligible", "in_review", "shortlisted"];

/// A commune member as identity lists it (`GET /api/communes/{insee}/members`):
/// what assignment and the jury's exports need of it.
#[derive(serde::Deserialize)]
struct Juror {
    account_id: String,
    role: qmi_api::MembershipRole,
    /// Display name.
    #[serde(default)]
    name: String,
    /// The organisation the account is a partner member of, if any.
    #[serde(default, alias = "organisation_id")]
    organisation: Option<String>,
}

/// Every member of commune `insee`, as identity lists them to the caller, page
/// after page (the question goes through the gateway and identity's policy like
/// any request of theirs). The outer error is a failed request; the inner one,
/// identity's refusal or failure, which each caller treats in its own way.
async fn commune_members(
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
async fn jury(cx: &Ctx<'_>, insee: &Insee) -> Result<HashMap<String, Option<String>>, Problem> {
    Ok(commune_members(cx, insee)
        .await??
        .into_iter()
        .filter(|m| m.role == qmi_api::MembershipRole::Reviewer)
        .map(|m| (m.account_id, m.organisation))
        .collect())
}

/// An application of a call, as assignment sees it.
struct Candidate {
    id: String,
    status: String,
    insee: Insee,
    organisation: String,
    organisation_name: String,
}

/// Assigns reviewers: only reviewers of the commune holding each application
/// (identity asked), never a reviewer whose organisation applied to the call —
/// by hand a 422 naming the reviewer, automatically skipped and recorded as a
/// conflict of interest by organisation on the files they would have had.
async fn assign_reviewers(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
        "id, status, insee, organisation_id, organisation_name",
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
    // Every assignment of the request, and every exclusion recorded, or none.
    cx.db
        .atomic(async |_| {
            for (app, reviewer) in &pairs {
                // An assignment lives in the tenant of its application's district.
                let district = district_of.get(app.as_str()).ok_or_else(|| Problem::internal(format!("application {app} vanished")))?;
                cx.db
                    .run(tenant(district).insert(
                        ASSIGNMENTS,
                        vec![("application_id", app.as_str().into()), ("reviewer", reviewer.as_str().into()), ("call_id", call.id.as_str().into()), ("assigned_at", cx.now.0.into())],
                        Some("ON CONFLICT DO NOTHING"),
                    ))
                    .await?;
                notify::assigned(cx, &call, district, app, reviewer).await?;
            }
            for (reviewer, name) in &excluded {
                for c in chosen.iter().filter(|c| in_jury(&c.insee, reviewer)) {
                    cx.db
                        .run(tenant(&c.insee).insert(
                            ASSIGNMENTS,
                            vec![
                                ("application_id", c.id.as_str().into()),
                                ("reviewer", (*reviewer).into()),
                                ("call_id", call.id.as_str().into()),
                                ("conflict", true.into()),
                                ("conflict_kind", ORGANISATION_CONFLICT.into()),
                                ("conflict_reason", format!("conflict of interest: organisation {name} applied to this call").into()),
                                ("assigned_at", cx.now.0.into()),
                            ],
                            Some("ON CONFLICT (insee, application_id, reviewer) DO UPDATE SET conflict = 1, conflict_kind = excluded.conflict_kind, conflict_reason = excluded.conflict_reason"),
                        ))
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

async fn call_assignments(cx: &Ctx<'_>, call: &StoredCall) -> Result<Vec<Assignment>, Problem> {
    let sql = "SELECT a.application_id, a.reviewer, a.conflict, a.conflict_kind, a.conflict_reason, p.title, p.status, \
               (SELECT count(*) FROM scores s WHERE s.insee = a.insee AND s.application_id = a.application_id AND s.reviewer = a.reviewer) AS n \
               FROM assignments a JOIN applications p ON p.insee = a.insee AND p.id = a.application_id \
               WHERE {scope} AND a.call_id = ? ORDER BY a.application_id, a.reviewer";
    let (scope, mut params) = call.scope("a.");
    params.push(call.id.as_str().into());
    let rows = cx
        .db
        .global(&sql.replace("{scope}", &scope), params)
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
fn declared_reason(r: Row<'_>) -> Option<String> {
    (r.int("conflict") == Some(1) && r.text("conflict_kind") == Some(DECLARED_CONFLICT))
        .then(|| r.text("conflict_reason").map(str::to_owned))
        .flatten()
        .filter(|x| !x.is_empty())
}

async fn list_assignments(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    // Read only: the commune's agents follow the reviews too (`review-follow`).
    let call = call_for(cx, Action::ReviewFollow).await?;
    Ok(json(200, &call_assignments(cx, &call).await?))
}

async fn list_my_assignments(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.me()?;
    // Exclusions by organisation grant nothing, and a reviewer whose organisation
    // applied to a call reviews nothing of it (see `relation`).
    let sql = "SELECT a.insee, a.application_id, a.reviewer, a.conflict, a.conflict_kind, a.conflict_reason, p.title, p.status, p.organisation_id, \
               (SELECT count(*) FROM scores s WHERE s.insee = a.insee AND s.application_id = a.application_id AND s.reviewer = a.reviewer) AS n, \
               (SELECT c.body FROM calls c WHERE c.id = a.call_id) AS call_body \
               FROM assignments a JOIN applications p ON p.insee = a.insee AND p.id = a.application_id \
               WHERE a.reviewer = ? AND (a.conflict_kind IS NULL OR a.conflict_kind <> 'organisation') \
               AND NOT EXISTS (SELECT 1 FROM applications o WHERE o.call_id = a.call_id AND o.organisation_id = ?) \
               ORDER BY a.application_id LIMIT 1000";
    let rows = cx
        .db
        .global(
            sql,
            vec![p.sub.as_str().into(), p.org.as_deref().unwrap_or("").into()],
        )
        .await?;
    let mut out = Vec::new();
    let standard = Workflow::standard();
    for r in rows.iter() {
        let call: CallInput = from_json(r.text("call_body").unwrap_or("{}"))?;
        // The title only where the policy shows it (not in a suspended commune).
        let facts = Facts {
            tenant: r.text("insee").map(str::to_owned),
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

async fn declare_conflict(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _) = app_for(cx, Action::ReviewDeclareConflict).await?;
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
                .run(
                    tenant(&app.insee)
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
                        .build(),
                )
                .await?;
            // A recused reviewer's scores no longer count.
            cx.db
                .run(
                    tenant(&app.insee)
                        .delete(SCORES)
                        .filter("application_id = ?", [app.id.as_str().into()])
                        .filter("reviewer = ?", [me.sub.as_str().into()])
                        .build(),
                )
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

async fn reviews_of(
    cx: &Ctx<'_>,
    app: &StoredApp,
    call: &StoredCall,
) -> Result<Vec<Review>, Problem> {
    let rows = cx
        .db
        .run(
            tenant(&app.insee)
                .select(SCORES, &["reviewer", "criterion", "score", "comment"])
                .filter("application_id = ?", [app.id.as_str().into()])
                .order_by("reviewer, criterion")
                .build(),
        )
        .await?;
    let mut by: BTreeMap<String, Vec<Score>> = BTreeMap::new();
    for r in rows.iter() {
        by.entry(r.string("reviewer")).or_default().push(Score {
            criterion: r.string("criterion"),
            score: r.int("score").unwrap_or(0) as u8,
            comment: r.string("comment"),
        });
    }
    Ok(by
        .into_iter()
        .map(|(reviewer, scores)| {
            let map: HashMap<String, u8> = scores
                .iter()
                .map(|s| (s.criterion.clone(), s.score))
                .collect();
            Review {
                reviewer,
                weighted: scoring::reviewer_total(&call.input.criteria, &map),
                scores,
            }
        })
        .collect())
}

async fn save_review(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _) = app_for(cx, Action::ReviewScore).await?;
    let sheet: ScoreSheet = cx.req.json()?;
    let mut errors = Vec::new();
    for (i, s) in sheet.scores.iter().enumerate() {
        if !call.input.criteria.iter().any(|c| c.id == s.criterion) {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].criterion"),
                "no such criterion in this call",
            ));
        }
        if s.score > 5 {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].score"),
                "from 0 to 5",
            ));
        }
        if s.comment.chars().count() > 5000 {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].comment"),
                "at most 5000 characters",
            ));
        }
        if sheet
            .scores
            .iter()
            .take(i)
            .any(|t| t.criterion == s.criterion)
        {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].criterion"),
                "scored twice in this sheet",
            ));
        }
    }
    validation(errors)?;
    let me = cx.me()?;
    // The sheet's scores all stored, or none; a recusal or a decision that came
    // meanwhile is seen, since the state is read again inside.
    cx.db
        .atomic(async |_| {
            let app = load_app(cx, &app.id).await?;
            if !REVIEWABLE.contains(&app.status.as_str()) {
                return Err(Problem::conflict(format!("an application that is {} is not reviewed", app.status)));
            }
            if relation(cx, &app).await? != (true, false) {
                return Err(Problem::new(403, "conflict-of-interest", "Recused").detail("recused from this application meanwhile"));
            }
            for s in &sheet.scores {
                cx.db
                    .run(tenant(&app.insee).insert(
                        SCORES,
                        vec![
                            ("application_id", app.id.as_str().into()),
                            ("reviewer", me.sub.as_str().into()),
                            ("criterion", s.criterion.as_str().into()),
                            ("score", i64::from(s.score).into()),
                            ("comment", s.comment.as_str().into()),
                        ],
                        Some("ON CONFLICT (insee, application_id, reviewer, criterion) DO UPDATE SET score = excluded.score, comment = excluded.comment"),
                    ))
                    .await?;
            }
            Ok(())
        })
        .await?;
    let mine = reviews_of(cx, &app, &call)
        .await?
        .into_iter()
        .find(|r| r.reviewer == me.sub);
    Ok(json(
        200,
        &mine.unwrap_or(Review {
            reviewer: me.sub.clone(),
            scores: Vec::new(),
            weighted: None,
        }),
    ))
}

async fn list_reviews(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts) = app_for(cx, Action::ReviewRead).await?;
    let mut reviews = reviews_of(cx, &app, &call).await?;
    // A reviewer sees their own review; whoever runs the call sees them all.
    if cx.ask(Action::ReviewAssign, &facts).await.is_err() {
        let me = cx.me()?.sub.clone();
        reviews.retain(|r| r.reviewer == me);
    }
    Ok(json(200, &reviews))
}

/// Scores and progress of every application of a call.
async fn ranking(cx: &Ctx<'_>, call: &StoredCall) -> Result<Ranking, Problem> {
    let apps = call_apps(cx, call, "*", false).await?;
    let (scope, mut params) = call.scope("a.");
    params.push(call.id.as_str().into());
    let scores = cx
        .db
        .global(
            &format!(
                "SELECT s.application_id, s.reviewer, s.criterion, s.score FROM scores s JOIN assignments a ON a.insee = s.insee AND a.application_id = s.application_id AND a.reviewer = s.reviewer \
                 WHERE {scope} AND a.call_id = ? AND a.conflict = 0"
            ),
            params,
        )
        .await?;
    let mut sheets: HashMap<(String, String), HashMap<String, u8>> = HashMap::new();
    for r in scores.iter() {
        sheets
            .entry((r.string("application_id"), r.string("reviewer")))
            .or_default()
            .insert(r.string("criterion"), r.int("score").unwrap_or(0) as u8);
    }
    let assignments = assignments_of_call(cx, call).await?;
    let mut out = Vec::new();
    let mut reviewers: BTreeMap<String, ReviewerProgress> = BTreeMap::new();
    for row in apps.iter() {
        let a = app_of(row)?;
        let mut totals = Vec::new();
        let (mut expected, mut recused) = (0, 0);
        for (app_id, reviewer, conflict) in assignments.iter().filter(|(x, _, _)| *x == a.id) {
            let p = reviewers
                .entry(reviewer.clone())
                .or_insert_with(|| ReviewerProgress {
                    reviewer: reviewer.clone(),
                    assigned: 0,
                    done: 0,
                    recused: 0,
                });
            if *conflict {
                recused += 1;
                p.recused += 1;
                continue;
            }
            expected += 1;
            p.assigned += 1;
            if let Some(t) = sheets
                .get(&(app_id.clone(), reviewer.clone()))
                .and_then(|s| scoring::reviewer_total(&call.input.criteria, s))
            {
                totals.push(t);
                p.done += 1;
            }
        }
        let agg = scoring::aggregate(&totals);
        out.push(RankedApplication {
            id: a.id,
            title: a.title,
            organisation: a.organisation,
            status: a.status,
            weighted_score: agg.map(|x| x.0),
            spread: agg.map(|x| x.1),
            reviews_done: totals.len() as u32,
            reviews_expected: expected,
            recused,
        });
    }
    out.sort_by(|x, y| match (x.weighted_score, y.weighted_score) {
        (Some(a), Some(b)) => b.total_cmp(&a).then_with(|| x.id.cmp(&y.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => x.id.cmp(&y.id),
    });
    Ok(Ranking {
        applications: out,
        reviewers: reviewers.into_values().collect(),
    })
}

async fn get_ranking(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ReviewAssign).await?;
    Ok(json(200, &ranking(cx, &call).await?))
}

// ---------------------------------------------------------------- decisions

async fn publish_decisions(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut call = call_for(cx, Action::DecisionPublish).await?;
    decisions::require_closed(cx, &call)?;
    // The letters are signed: by the call's signatory, else by whoever publishes
    // them (name and role), kept with the call so every letter says the same.
    if !call.decisions_published {
        call.input.signatory = Some(decisions::signatory(cx, &call)?);
    }
    // Published once, with every applicant's letter in the outbox.
    cx.db
        .atomic(async |_| {
            cx.db
                .run(
                    tenant(&call.insee)
                        .update(
                            CALLS,
                            vec![
                                ("decisions_published", true.into()),
                                ("body", to_json(&call.input)?.into()),
                            ],
                        )
                        .filter("id = ?", [call.id.as_str().into()])
                        .filter("decisions_published = 0", [])
                        .build(),
                )
                .await?;
            notify::decisions_published(cx, &call).await
        })
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

async fn get_letter(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _) = app_for(cx, Action::DecisionRead).await?;
    if !workflow::is_decision(&call.workflow, &app.status) {
        return Err(Problem::not_found("no decision yet"));
    }
    let rank = ranking(cx, &call).await?;
    let score = rank
        .applications
        .iter()
        .find(|r| r.id == app.id)
        .and_then(|r| r.weighted_score);
    let reason = app.reason.clone().unwrap_or_default();
    let head = decisions::letterhead(cx, &call, &app).await;
    let text = letter::compose(
        &head,
        call.input.letter_template.as_deref(),
        &app.title,
        &call.input.title,
        workflow::label(&call.workflow, &app.status),
        &reason,
        score,
    );
    Ok(json(
        200,
        &Letter {
            application: app.id.clone(),
            decision: app.status.clone(),
            reason,
            text,
        },
    ))
}

// ---------------------------------------------------------------- exports

async fn export(cx: &Ctx<'_>, xlsx: bool) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ExportApplications).await?;
    let rank = ranking(cx, &call).await?;
    let apps = call_apps(cx, &call, "*", true).await?;
    let mut header: Vec<Cell> = [
        "id",
        "title",
        "organisation",
        "organisation_name",
        "status",
        "submitted_at",
        "weighted_score",
        "spread",
        "reviews",
        "reason",
    ]
    .into_iter()
    .map(Cell::from)
    .collect();
    header.extend(call.input.form.iter().map(|q| Cell::from(q.id.as_str())));
    // Then every reviewer's scores and comments per criterion (the jury's work).
    let names = jury_io::names(cx, &call.districts).await?;
    let sheets = jury_io::sheets(cx, &call, &names).await?;
    let slots = sheets.values().map(Vec::len).max().unwrap_or(0);
    let criteria = &call.input.criteria;
    header.extend(crate::jury::header(criteria, slots));
    let mut rows = vec![header];
    for r in apps.iter() {
        let a = app_of(r)?;
        let ranked = rank.applications.iter().find(|x| x.id == a.id);
        let mut row = vec![
            Cell::from(a.id.as_str()),
            Cell::from(a.title.as_str()),
            Cell::from(a.organisation.as_str()),
            Cell::from(a.organisation_name.as_str()),
            Cell::from(a.status.as_str()),
            Cell::from(
                a.submitted_at
                    .map(|t| Instant(t).to_string())
                    .unwrap_or_default(),
            ),
            Cell::from(ranked.and_then(|x| x.weighted_score)),
            Cell::from(ranked.and_then(|x| x.spread)),
            Cell::Number(f64::from(ranked.map_or(0, |x| x.reviews_done))),
            Cell::from(a.reason.clone().unwrap_or_default()),
        ];
        for q in &call.input.form {
            row.push(match a.answers.get(&q.id) {
                None | Some(serde_json::Value::Null) => Cell::Empty,
                Some(serde_json::Value::String(s)) => Cell::from(s.as_str()),
                Some(serde_json::Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or(0.0)),
                Some(serde_json::Value::Array(items)) => Cell::from(
                    items
                        .iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Some(other) => Cell::from(other.to_string()),
            });
        }
        let none = Vec::new();
        row.extend(crate::jury::cells(
            criteria,
            sheets.get(&a.id).unwrap_or(&none),
            slots,
        ));
        rows.push(row);
    }
    let name = format!("applications-{}", call.id);
    Ok(if xlsx {
        download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            crate::export::xlsx("Candidatures", &rows),
            &format!("{name}.xlsx"),
        )
    } else {
        // `?separator=semicolon`: the CSV French Excel opens as columns (`;`,
        // decimal commas). A byte-order mark: spreadsheet software then reads
        // the file as UTF-8.
        let text = match cx.req.query.non_empty("separator") {
            None | Some("comma") => crate::export::csv(&rows),
            Some("semicolon") => crate::export::csv_french(&rows),
            Some(_) => {
                return Err(Problem::invalid_field("separator", "comma or semicolon"));
            }
        };
        download(
            "text/csv; charset=utf-8",
            format!("\u{feff}{text}").into_bytes(),
            &format!("{name}.csv"),
        )
    })
}

async fn open_data(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let file = cx.param("file");
    let (what, csv) = match file {
        "calls.json" => ("calls", false),
        "calls.csv" => ("calls", true),
        "decisions.json" => ("decisions", false),
        "decisions.csv" => ("decisions", true),
        _ => {
            return Err(Problem::not_found(
                "open data files: calls.json, calls.csv, decisions.json, decisions.csv",
            ));
        }
    };
    cx.ask(
        Action::ExportOpenData,
        &Facts {
            published: true,
            ..Facts::default()
        },
    )
    .await?;
    let calls = cx
        .db
        .global(
            "SELECT * FROM calls WHERE published = 1 ORDER BY id",
            vec![],
        )
        .await?;
    let calls: Vec<StoredCall> = calls.iter().map(call_of).collect::<Result<_, _>>()?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut items: Vec<serde_json::Value> = Vec::new();
    if what == "calls" {
        rows.push(
            [
                "id",
                "insee",
                "title",
                "themes",
                "opens_at",
                "closes_at",
                "target_selections",
            ]
            .into_iter()
            .map(Cell::from)
            .collect(),
        );
        for c in &calls {
            rows.push(vec![
                Cell::from(c.id.as_str()),
                Cell::from(c.insee.to_string()),
                Cell::from(c.input.title.as_str()),
                Cell::from(c.input.themes.join("; ")),
                Cell::from(c.opens_at.to_string()),
                Cell::from(c.closes_at.to_string()),
                Cell::Number(f64::from(c.input.target_selections)),
            ]);
            items.push(serde_json::json!({ "id": c.id, "insee": c.insee, "districts": c.districts, "title": c.input.title, "themes": c.input.themes, "opens_at": c.opens_at.to_string(), "closes_at": c.closes_at.to_string(), "target_selections": c.input.target_selections }));
        }
    } else {
        // Published decisions: the call, the solution and the outcome (no scores,
        // no reasons: those are for the applicant).
        rows.push(
            [
                "call_id",
                "insee",
                "call_title",
                "application_id",
                "title",
                "organisation",
                "organisation_name",
                "decision",
            ]
            .into_iter()
            .map(Cell::from)
            .collect(),
        );
        for c in calls.iter().filter(|c| c.decisions_published) {
            let apps = call_apps(cx, c, "*", false).await?;
            for r in apps.iter() {
                let a = app_of(r)?;
                if !workflow::is_decision(&c.workflow, &a.status) || a.status == "ineligible" {
                    continue;
                }
                rows.push(vec![
                    Cell::from(c.id.as_str()),
                    Cell::from(c.insee.to_string()),
                    Cell::from(c.input.title.as_str()),
                    Cell::from(a.id.as_str()),
                    Cell::from(a.title.as_str()),
                    Cell::from(a.organisation.as_str()),
                    Cell::from(a.organisation_name.as_str()),
                    Cell::from(a.status.as_str()),
                ]);
                items.push(serde_json::json!({ "call_id": c.id, "insee": c.insee, "call_title": c.input.title, "application_id": a.id, "title": a.title, "organisation": a.organisation, "organisation_name": a.organisation_name, "decision": a.status }));
            }
        }
    }
    // Every file names its licence: a `Link` header, and `licence` in JSON.
    let link = format!("<{LICENCE_URL}>; rel=\"license\"; title=\"{LICENCE_NAME}\"");
    Ok(if csv {
        qmi_kit::http::bytes(
            200,
            &[
                ("content-type", "text/csv; charset=utf-8".to_owned()),
                (
                    "content-disposition",
                    format!("attachment; filename=\"{file}\""),
                ),
                ("x-content-type-options", "nosniff".to_owned()),
                ("link", link),
            ],
            crate::export::csv(&rows).into_bytes(),
        )
    } else {
        let body = serde_json::json!({
            "licence": { "name": LICENCE_NAME, "url": LICENCE_URL },
            "items": items,
        });
        qmi_kit::http::bytes(
            200,
            &[
                ("content-type", "application/json".to_owned()),
                ("link", link),
            ],
            serde_json::to_vec(&body).map_err(|e| Problem::internal(e.to_string()))?,
        )
    })
}

/// The licence of the open data: Etalab's Licence Ouverte 2.0.
const LICENCE_NAME: &str = "Licence Ouverte 2.0";
/// Where the licence is published.
const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

/// `GET /api/calls/{id}/results`: the selected solutions of a call, once its
/// decisions are published; readable by whoever may read the call.
async fn call_results(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallRead).await?;
    let mut selected = Vec::new();
    if call.decisions_published {
        for r in call_apps(cx, &call, "*", true).await?.iter() {
            let a = app_of(r)?;
            if a.status == crate::notice::SELECTED {
                selected.push(SelectedSolution {
                    application_id: a.id,
                    title: a.title,
                    organisation_name: a.organisation_name,
                    district: a.insee,
                });
            }
        }
    }
    selected.sort_by(|a, b| a.title.cmp(&b.title));
    Ok(json(
        200,
        &CallResults {
            call_id: call.id,
            decisions_published: call.decisions_published,
            selected,
        },
    ))
}
