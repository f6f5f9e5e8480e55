//! What every aggregate shares: the policy client (`wit_principal`, `Facts`,
//! `decide_facts`), the request context `Ctx`, the tenant tables, JSON and
//! validation helpers, downloads, and calls to the other services through the
//! app's own API.

use std::cell::RefCell;
use std::collections::HashMap;

use bytes::Bytes;
use qmi_api::applications::*;
use qmi_api::{Insee, Principal};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply};
use qmi_kit::sql::TenantTable;
use qmi_kit::store::Db;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

use crate::paris::Instant;

spin_sdk::wit_bindgen::generate!({
    path: "../../wit",
    world: "authz-client",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

pub(super) use qmi::platform::authz::Action;
use qmi::platform::authz::{Decision, RefusalCode, decide};
use qmi::platform::types as wit;

pub(super) const CANDIDACIES: TenantTable = TenantTable::new("candidacies");
pub(super) const CALLS: TenantTable = TenantTable::new("calls");
pub(super) const APPLICATIONS: TenantTable = TenantTable::new("applications");
pub(super) const EVENTS: TenantTable = TenantTable::new("application_events");
pub(super) const ATTACHMENTS: TenantTable = TenantTable::new("attachments");
pub(super) const ASSIGNMENTS: TenantTable = TenantTable::new("assignments");
pub(super) const SCORES: TenantTable = TenantTable::new("scores");

/// `assignments.conflict_kind` of a reviewer kept from a call's files because
/// their organisation applied to it (a declared conflict is `declared`).
pub(super) const ORGANISATION_CONFLICT: &str = ConflictKind::Organisation.as_str_const();
/// `assignments.conflict_kind` of a conflict the reviewer declared.
pub(super) const DECLARED_CONFLICT: &str = ConflictKind::Declared.as_str_const();

// ---------------------------------------------------------------- policy

pub(super) fn wit_principal(p: &Principal) -> wit::Principal {
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
pub(super) struct Facts {
    pub(super) tenant: Option<String>,
    pub(super) organisation: Option<String>,
    pub(super) assigned: bool,
    pub(super) conflict: bool,
    pub(super) published: bool,
    pub(super) programme_call: bool,
}

impl Facts {
    pub(super) fn tenant(insee: &Insee) -> Self {
        Self {
            tenant: Some(insee.to_string()),
            ..Self::default()
        }
    }
}

/// The policy's answer for `action` on a record with facts `f`, the commune's
/// status given (`tenant_suspended`); a refusal becomes the problem its code maps to.
pub(super) fn decide_facts(
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

pub(super) struct Ctx<'a> {
    pub(super) req: &'a Incoming,
    pub(super) params: Vec<(&'static str, String)>,
    pub(super) db: Db,
    pub(super) principal: Option<Principal>,
    pub(super) now: Instant,
    /// Communes' suspension, read once per request (`tenant-status/<insee>`).
    pub(super) suspended: RefCell<HashMap<String, bool>>,
}

impl Ctx<'_> {
    pub(super) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub(super) fn insee(&self) -> Result<Insee, Problem> {
        self.param("insee")
            .parse()
            .map_err(|e: qmi_api::InseeError| Problem::not_found(e.to_string()))
    }

    pub(super) fn who(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    pub(super) fn me(&self) -> Result<&Principal, Problem> {
        self.principal
            .as_ref()
            .ok_or_else(|| Problem::unauthorized("sign in first"))
    }

    /// Whether the commune `tenant` names is suspended (none named: no).
    pub(super) async fn is_suspended(&self, tenant: Option<&str>) -> Result<bool, Problem> {
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
    pub(super) async fn ask(&self, action: Action, f: &Facts) -> Result<(), Problem> {
        let suspended = self.is_suspended(f.tenant.as_deref()).await?;
        decide_facts(self.who(), action, f, suspended)
    }

    /// Whether the record exists for the caller at all (`action` a read),
    /// whatever its commune's status: a suspension is said by the refusal of
    /// what the caller then asks to do, never by a 404 that would differ from
    /// a missing record's.
    pub(super) fn sees(&self, action: Action, f: &Facts) -> bool {
        decide_facts(self.who(), action, f, false).is_ok()
    }
}

pub(super) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Problem> {
    serde_json::to_string(v).map_err(Problem::internal)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, Problem> {
    serde_json::from_str(s).map_err(|e| Problem::internal(format!("stored JSON: {e}")))
}

pub(super) fn validation(errors: Vec<qmi_kit::FieldError>) -> Result<(), Problem> {
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
pub(super) fn download(content_type: &str, body: Vec<u8>, filename: &str) -> Reply {
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
pub(super) async fn services_url() -> String {
    match spin_sdk::variables::get("services_url").await {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => "http://self.alt".to_owned(),
    }
}

/// Calls the app's own API (`path` starts with `/api/`) as the caller, with
/// the caller's bearer token: the gateway checks it again, as for any request.
pub(super) async fn call_api(
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

pub(super) fn upstream(what: &str, status: u16, body: &[u8]) -> Problem {
    Problem::new(502, "upstream", "Upstream failure").detail(format!(
        "{what} answered {status}: {}",
        String::from_utf8_lossy(body)
    ))
}
