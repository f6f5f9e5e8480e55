//! The `qmi:platform/authz` import (world `authz-client`), satisfied by the `policy`
//! component through `[component.identity.dependencies]` in `spin.toml`. Converts
//! identity's principal and [`Question`]s to WIT values and the policy's decision back;
//! nothing here decides.

spin_sdk::wit_bindgen::generate!({
    path: "../../wit",
    world: "authz-client",
    runtime_path: "::spin_sdk::wit_bindgen::rt",
});

use qmi::platform::authz::{self as wit, Decision};
use qmi::platform::types::{CommuneRole, Membership, PlatformRole, Principal, ResourceFacts};

use crate::authz::{Action, Question, Refusal, RefusalCode};

/// A principal in WIT form, converted once per request and reused for every
/// question (`ops` → platform roles, `org` → organisation, `mem` → memberships).
pub struct Asker(Option<Principal>);

impl Asker {
    /// The asker for `principal` (`None`: anonymous).
    pub fn new(principal: Option<&qmi_api::Principal>) -> Self {
        Self(principal.map(|p| {
            Principal {
                sub: p.sub.clone(),
                platform_roles: p
                    .ops
                    .iter()
                    .map(|r| match r {
                        qmi_api::PlatformRole::Programme => PlatformRole::Programme,
                        qmi_api::PlatformRole::Hosting => PlatformRole::Hosting,
                    })
                    .collect(),
                organisation: p.org.clone(),
                memberships: p
                    .mem
                    .iter()
                    .map(|(insee, role)| Membership {
                        insee: insee.to_string(),
                        role: match role {
                            qmi_api::MembershipRole::Admin => CommuneRole::Admin,
                            qmi_api::MembershipRole::Agent => CommuneRole::Agent,
                            qmi_api::MembershipRole::Reviewer => CommuneRole::Reviewer,
                        },
                    })
                    .collect(),
            }
        }))
    }

    /// Asks the policy; `Err` carries its refusal.
    pub fn ask(&self, question: Question) -> Result<(), Refusal> {
        let facts = ResourceFacts {
            tenant: question.facts.tenant,
            organisation: question.facts.organisation,
            assigned_reviewer: false,
            conflict_declared: false,
            programme_call: false,
            published: false,
            tenant_suspended: question.facts.tenant_suspended,
            account_unconfirmed: question.facts.account_unconfirmed,
        };
        match wit::decide(self.0.as_ref(), action(question.action), &facts) {
            Decision::Allowed => Ok(()),
            Decision::Refused(r) => Err(Refusal {
                code: code(r.code),
                reason: r.reason,
            }),
        }
    }
}

fn action(a: Action) -> wit::Action {
    match a {
        Action::RegistryRead => wit::Action::RegistryRead,
        Action::TenantCreate => wit::Action::TenantCreate,
        Action::TenantSuspend => wit::Action::TenantSuspend,
        Action::TenantResume => wit::Action::TenantResume,
        Action::CampaignSelect => wit::Action::CampaignSelect,
        Action::MemberList => wit::Action::MemberList,
        Action::MemberManage => wit::Action::MemberManage,
        Action::OrganisationCreate => wit::Action::OrganisationCreate,
        Action::OrganisationRead => wit::Action::OrganisationRead,
        Action::OrganisationUpdate => wit::Action::OrganisationUpdate,
        Action::OrganisationJoin => wit::Action::OrganisationJoin,
        Action::TeamManage => wit::Action::TeamManage,
    }
}

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
