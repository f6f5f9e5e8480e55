//! The policy client: the `qmi:platform/authz` import (world `authz-client`,
//! satisfied by the `policy` component through `[component.<name>.dependencies]`
//! in `spin.toml`), generated here once for every service. A service states the
//! [`Facts`] it knows about a record and gets either the proof that the policy
//! allowed the action ([`Allowed`]) or the problem its refusal maps to
//! ([`crate::refusal`]). Nothing here decides.
//!
//! Services usually ask through [`crate::context::Ctx::ask`], which reads the
//! commune's suspension for them.

spin_sdk::wit_bindgen::generate!({
    path: "../../wit",
    world: "authz-client",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

use qmi::platform::authz as wit;
use qmi::platform::types;

/// Everything a principal may ask to do (the WIT enum `action`).
pub use qmi::platform::authz::Action;

use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};

use crate::decision::Allowed;
use crate::problem::Problem;
use crate::refusal::{Refusal, RefusalCode};

/// What a service states about the record an action touches (the WIT
/// `resource-facts` but the commune's suspension, which the caller reads with
/// [`crate::tenancy::is_suspended`] and passes to [`decide`]). Absent facts are never
/// guessed: a rule that needs one refuses with `incomplete-facts` (a 500).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The commune the record belongs to, if any.
    pub tenant: Option<Insee>,
    /// The organisation that owns the record (e.g. the applicant), if any.
    pub organisation: Option<String>,
    /// Whether the principal is an assigned reviewer of this application.
    pub assigned: bool,
    /// Whether the principal declared a conflict of interest on this application.
    pub conflict: bool,
    /// Whether the record is published.
    pub published: bool,
    /// Whether the record belongs to a programme call rather than a commune's own.
    pub programme_call: bool,
    /// Whether the asking account has not confirmed its e-mail address yet.
    pub account_unconfirmed: bool,
}

impl Facts {
    /// Facts naming only the record's commune.
    pub fn tenant(insee: &Insee) -> Self {
        Self {
            tenant: Some(insee.clone()),
            ..Self::default()
        }
    }

    /// Facts naming only the record's owning organisation.
    pub fn organisation(org: impl Into<String>) -> Self {
        Self {
            organisation: Some(org.into()),
            ..Self::default()
        }
    }

    fn wit(&self, tenant_suspended: bool) -> types::ResourceFacts {
        types::ResourceFacts {
            tenant: self.tenant.as_ref().map(ToString::to_string),
            organisation: self.organisation.clone(),
            assigned_reviewer: self.assigned,
            conflict_declared: self.conflict,
            programme_call: self.programme_call,
            published: self.published,
            tenant_suspended: tenant_suspended && self.tenant.is_some(),
            account_unconfirmed: self.account_unconfirmed,
        }
    }
}

/// A principal in WIT form (`ops` → platform roles, `org` → organisation, `mem` →
/// memberships).
pub fn wit_principal(p: &Principal) -> types::Principal {
    types::Principal {
        sub: p.sub.clone(),
        platform_roles: p
            .ops
            .iter()
            .map(|r| match r {
                PlatformRole::Programme => types::PlatformRole::Programme,
                PlatformRole::Hosting => types::PlatformRole::Hosting,
            })
            .collect(),
        organisation: p.org.clone(),
        memberships: p
            .mem
            .iter()
            .map(|(insee, role)| types::Membership {
                insee: insee.to_string(),
                role: match role {
                    MembershipRole::Admin => types::CommuneRole::Admin,
                    MembershipRole::Agent => types::CommuneRole::Agent,
                    MembershipRole::Reviewer => types::CommuneRole::Reviewer,
                },
            })
            .collect(),
    }
}

/// The policy's answer for `principal` (`None`: anonymous) doing `action` to a
/// record with `facts`, whose commune is (`suspended`) or is not suspended: the
/// proof of the decision, for `facts.tenant`, or the refusal as its problem.
pub fn decide(
    principal: Option<&Principal>,
    action: Action,
    facts: &Facts,
    suspended: bool,
) -> Result<Allowed, Problem> {
    refusal(principal, action, facts, suspended).map_err(|r| r.problem())
}

/// Like [`decide`], with the policy's refusal itself (for callers that tell
/// refusals apart before they answer).
pub fn refusal(
    principal: Option<&Principal>,
    action: Action,
    facts: &Facts,
    suspended: bool,
) -> Result<Allowed, Refusal> {
    let asker = principal.map(wit_principal);
    match wit::decide(asker.as_ref(), action, &facts.wit(suspended)) {
        wit::Decision::Allowed => Ok(Allowed::new(facts.tenant.clone())),
        wit::Decision::Refused(r) => Err(Refusal {
            code: code(r.code),
            reason: r.reason,
        }),
    }
}

/// The shared refusal vocabulary of a WIT refusal code.
fn code(c: wit::RefusalCode) -> RefusalCode {
    match c {
        wit::RefusalCode::Unauthenticated => RefusalCode::Unauthenticated,
        wit::RefusalCode::IncompleteFacts => RefusalCode::IncompleteFacts,
        wit::RefusalCode::HostingOperator => RefusalCode::HostingOperator,
        wit::RefusalCode::NotMember => RefusalCode::NotMember,
        wit::RefusalCode::InsufficientRole => RefusalCode::InsufficientRole,
        wit::RefusalCode::NotOrganisationMember => RefusalCode::NotOrganisationMember,
        wit::RefusalCode::AlreadyInOrganisation => RefusalCode::AlreadyInOrganisation,
        wit::RefusalCode::NotAssigned => RefusalCode::NotAssigned,
        wit::RefusalCode::ConflictOfInterest => RefusalCode::ConflictOfInterest,
        wit::RefusalCode::NotPublished => RefusalCode::NotPublished,
        wit::RefusalCode::TenantSuspended => RefusalCode::TenantSuspended,
        wit::RefusalCode::EmailUnconfirmed => RefusalCode::EmailUnconfirmed,
    }
}
