//! The request context every service handler works from, parsed once per request:
//! the request itself, its catalogued path parameters, the principal the gateway
//! verified (`x-qmi-principal`), the request id (`x-qmi-request-id`), the instant
//! it is answered at, and the communes' suspension (read once each, from the shared
//! tenant status). Handlers ask the policy through it ([`Ctx::ask`], [`Ctx::sees`]).
//!
//! A service that keeps more per request wraps it (`struct Cx { kit: Ctx, db: Db }`)
//! rather than re-implementing it.

use std::cell::RefCell;
use std::collections::HashMap;

use qmi_api::routes::{PathParams, ServiceOp};
use qmi_api::{Insee, InseeError, Principal, REQUEST_ID_HEADER};

use crate::decision::Allowed;
use crate::http::Incoming;
use crate::policy::{self, Action, Facts};
use crate::problem::Problem;
use crate::time::{Instant, now};

/// One request's context.
pub struct Ctx<'a> {
    /// The request, read to the end.
    pub req: &'a Incoming,
    params: PathParams,
    principal: Option<Principal>,
    request_id: Option<String>,
    now: Instant,
    /// Communes' suspension, read once per request (`tenant-status/<insee>`).
    suspended: RefCell<HashMap<Insee, bool>>,
    /// The last action the policy refused the principal ([`Ctx::ask`]), with its
    /// commune: recorded in the audit trail when the request ends with a 403.
    refused: RefCell<Option<(Option<Insee>, &'static str)>>,
}

impl<'a> Ctx<'a> {
    /// The context of `req`, whose catalogued route gave `params` (from
    /// [`crate::http::dispatch`]): a principal header that does not decode is a 401.
    pub fn new(req: &'a Incoming, params: PathParams) -> Result<Self, Problem> {
        Ok(Self {
            principal: req.principal()?,
            request_id: req.header(REQUEST_ID_HEADER).map(str::to_owned),
            params,
            req,
            now: now(),
            suspended: RefCell::new(HashMap::new()),
            refused: RefCell::new(None),
        })
    }

    /// The dispatch prelude every service opens with: the catalogued route of
    /// `req` among service `O`'s ([`crate::http::dispatch`]: 404, 405 with `Allow`,
    /// 400 for an undeclared query parameter) and the request's context.
    pub fn route<O: ServiceOp>(req: &'a Incoming) -> Result<(O, Self), Problem> {
        let (op, params) = crate::http::dispatch::<O>(req)?;
        Ok((op, Self::new(req, params)?))
    }

    /// A path parameter as written (`""` when the route has none by that name).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The `{insee}` path parameter; one that is not an INSEE code names no
    /// commune (404).
    pub fn insee(&self) -> Result<Insee, Problem> {
        self.param("insee")
            .parse()
            .map_err(|e: InseeError| Problem::not_found(e.to_string()))
    }

    /// The principal, if the gateway verified one.
    pub fn who(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// The principal, or 401.
    pub fn me(&self) -> Result<&Principal, Problem> {
        self.principal
            .as_ref()
            .ok_or_else(|| Problem::unauthorized("sign in first"))
    }

    /// The request's id, as the gateway gave it.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The instant the request is answered at (one for the whole request).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Whether commune `insee` is suspended (none: no), read once per request.
    pub async fn is_suspended(&self, insee: Option<&Insee>) -> Result<bool, Problem> {
        let Some(insee) = insee else {
            return Ok(false);
        };
        let known = self.suspended.borrow().get(insee).copied();
        if let Some(s) = known {
            return Ok(s);
        }
        let s = crate::tenancy::is_suspended(insee).await?;
        self.suspended.borrow_mut().insert(insee.clone(), s);
        Ok(s)
    }

    /// Asks the policy whether the principal may do `action` to a record with
    /// `facts`, stating whether its commune is suspended (the `tenant-suspended`
    /// fact): the proof of the decision, or the refusal as its problem.
    pub async fn ask(&self, action: Action, facts: &Facts) -> Result<Allowed, Problem> {
        let suspended = self.is_suspended(facts.tenant.as_ref()).await?;
        let decision = policy::decide(self.who(), action, facts, suspended);
        if decision.is_err() {
            self.note_refusal(facts.tenant.as_ref(), action);
        }
        decision
    }

    /// Notes that the policy refused the principal `action` on a record of
    /// `tenant` (done by [`Ctx::ask`]; a service asking the policy otherwise
    /// calls it): the audit trail records it if the request ends with a 403.
    pub fn note_refusal(&self, tenant: Option<&Insee>, action: Action) {
        if self.principal.is_some() {
            *self.refused.borrow_mut() = Some((tenant.cloned(), action.name()));
        }
    }

    /// The last action the policy refused a signed-in principal in this request
    /// (through [`Ctx::ask`]), with its commune.
    pub fn refused(&self) -> Option<(Option<Insee>, &'static str)> {
        self.refused.borrow().clone()
    }

    /// Whether the policy lets the principal do `action` to a record with `facts`,
    /// its commune's suspension stated (for filters: a refusal is `false`, an
    /// unreadable tenant status still a problem).
    pub async fn allows(&self, action: Action, facts: &Facts) -> Result<bool, Problem> {
        let suspended = self.is_suspended(facts.tenant.as_ref()).await?;
        Ok(policy::refusal(self.who(), action, facts, suspended).is_ok())
    }

    /// Whether the record exists for the principal at all (`action` a read),
    /// whatever its commune's status: a suspension is said by the refusal of what
    /// the principal then asks to do, never by a 404 that would differ from a
    /// missing record's.
    pub fn sees(&self, action: Action, facts: &Facts) -> bool {
        policy::decide(self.who(), action, facts, false).is_ok()
    }
}
