//! The policy client. A service states the [`Facts`] it knows about a record and
//! asks whether the principal may do an [`Action`] to it; on `wasm32` [`decide`]
//! puts the question to the `policy` component through the `qmi:platform/authz`
//! import (world `authz-client`, satisfied through `[component.<name>.dependencies]`
//! in `spin.toml`), whose bindings are generated here once for every service, and
//! answers with the proof that the policy allowed the action ([`Allowed`]) or the
//! problem its refusal maps to ([`crate::refusal`]). Nothing here decides.
//!
//! [`Action`] and [`Facts`] are plain Rust (the actions are `qmi_rules`' own, named as
//! in WIT), so a service's questions are tested natively against the rules
//! themselves ([`Facts::rules`], `qmi_rules::decide`).
//!
//! Services usually ask through `qmi_kit::context::Ctx::ask`, which reads the
//! commune's suspension for them.

use qmi_api::Insee;

/// Everything a principal may ask to do (the WIT enum `authz.action`, same names).
pub use qmi_rules::Action;

#[cfg(target_arch = "wasm32")]
pub use client::{decide, refusal, wit_principal};

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

    /// The rules' facts for a record whose commune is (`suspended`) or is not
    /// suspended (a record of no commune is never suspended).
    pub fn rules(&self, suspended: bool) -> qmi_rules::Facts {
        qmi_rules::Facts {
            tenant: self.tenant.as_ref().map(ToString::to_string),
            organisation: self.organisation.clone(),
            assigned_reviewer: self.assigned,
            conflict_declared: self.conflict,
            programme_call: self.programme_call,
            published: self.published,
            tenant_suspended: suspended && self.tenant.is_some(),
            account_unconfirmed: self.account_unconfirmed,
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod client {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        world: "authz-client",
        runtime_path: "::spin_sdk::wit_bindgen::rt",
    });

    use qmi::platform::authz as wit;
    use qmi::platform::types;

    use qmi_api::{MembershipRole, PlatformRole, Principal};

    use super::{Action, Facts};
    use crate::decision::Allowed;
    use crate::problem::Problem;
    use crate::refusal::{Refusal, RefusalCode};

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
        let f = facts.rules(suspended);
        let f = types::ResourceFacts {
            tenant: f.tenant,
            organisation: f.organisation,
            assigned_reviewer: f.assigned_reviewer,
            conflict_declared: f.conflict_declared,
            programme_call: f.programme_call,
            published: f.published,
            tenant_suspended: f.tenant_suspended,
            account_unconfirmed: f.account_unconfirmed,
        };
        match wit::decide(asker.as_ref(), wit_action(action), &f) {
            wit::Decision::Allowed => Ok(Allowed::new(facts.tenant.clone(), action.name())),
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

    /// The WIT action of an action (same names).
    fn wit_action(action: Action) -> wit::Action {
        match action {
            Action::RegistryRead => wit::Action::RegistryRead,
            Action::TenantCreate => wit::Action::TenantCreate,
            Action::TenantSuspend => wit::Action::TenantSuspend,
            Action::TenantResume => wit::Action::TenantResume,
            Action::TenantContentRead => wit::Action::TenantContentRead,
            Action::MemberList => wit::Action::MemberList,
            Action::MemberManage => wit::Action::MemberManage,
            Action::OrganisationCreate => wit::Action::OrganisationCreate,
            Action::OrganisationRead => wit::Action::OrganisationRead,
            Action::OrganisationUpdate => wit::Action::OrganisationUpdate,
            Action::CampaignRead => wit::Action::CampaignRead,
            Action::CampaignOpen => wit::Action::CampaignOpen,
            Action::CampaignReview => wit::Action::CampaignReview,
            Action::CampaignSelect => wit::Action::CampaignSelect,
            Action::CandidacyDraft => wit::Action::CandidacyDraft,
            Action::CandidacySubmit => wit::Action::CandidacySubmit,
            Action::CandidacyRead => wit::Action::CandidacyRead,
            Action::CallCreate => wit::Action::CallCreate,
            Action::CallUpdate => wit::Action::CallUpdate,
            Action::CallPublish => wit::Action::CallPublish,
            Action::CallRead => wit::Action::CallRead,
            Action::ApplicationDraft => wit::Action::ApplicationDraft,
            Action::ApplicationSubmit => wit::Action::ApplicationSubmit,
            Action::ApplicationWithdraw => wit::Action::ApplicationWithdraw,
            Action::ApplicationRead => wit::Action::ApplicationRead,
            Action::ApplicationReadTitle => wit::Action::ApplicationReadTitle,
            Action::ReviewAssign => wit::Action::ReviewAssign,
            Action::ReviewScore => wit::Action::ReviewScore,
            Action::ReviewDeclareConflict => wit::Action::ReviewDeclareConflict,
            Action::ReviewRead => wit::Action::ReviewRead,
            Action::DecisionDecide => wit::Action::DecisionDecide,
            Action::DecisionPublish => wit::Action::DecisionPublish,
            Action::DecisionRead => wit::Action::DecisionRead,
            Action::ExportApplications => wit::Action::ExportApplications,
            Action::ExportOpenData => wit::Action::ExportOpenData,
            Action::DistrictUpdate => wit::Action::DistrictUpdate,
            Action::NotificationRead => wit::Action::NotificationRead,
            Action::TeamManage => wit::Action::TeamManage,
            Action::OrganisationJoin => wit::Action::OrganisationJoin,
            Action::JobsRun => wit::Action::JobsRun,
            Action::ReviewFollow => wit::Action::ReviewFollow,
            Action::ExperimentCreate => wit::Action::ExperimentCreate,
            Action::ExperimentRead => wit::Action::ExperimentRead,
            Action::ExperimentManage => wit::Action::ExperimentManage,
            Action::ExperimentReport => wit::Action::ExperimentReport,
            Action::FeedbackGive => wit::Action::FeedbackGive,
            Action::FeedbackModerate => wit::Action::FeedbackModerate,
            Action::ExperimentEvaluate => wit::Action::ExperimentEvaluate,
            Action::ExperimentFigures => wit::Action::ExperimentFigures,
            Action::PartnerRead => wit::Action::PartnerRead,
            Action::PartnerContacts => wit::Action::PartnerContacts,
            Action::PartnerCurate => wit::Action::PartnerCurate,
            Action::NoteRead => wit::Action::NoteRead,
            Action::NoteWrite => wit::Action::NoteWrite,
            Action::AuditRead => wit::Action::AuditRead,
            Action::UsageRead => wit::Action::UsageRead,
            Action::PersonalDataExport => wit::Action::PersonalDataExport,
            Action::AccountErase => wit::Action::AccountErase,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of WIT enum `name` in `wit/platform.wit`, in order (none if the
    /// enum is missing).
    fn wit_enum(name: &str) -> Vec<String> {
        let wit = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../wit/platform.wit"
        ));
        let Some(body) = wit
            .split_once(&format!("enum {name} {{"))
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(body, _)| body)
        else {
            return Vec::new();
        };
        body.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .map(|l| l.trim_end_matches(',').to_owned())
            .collect()
    }

    /// The client converts actions and refusal codes to and from WIT by name: both
    /// vocabularies are the WIT enums, case for case, in order.
    #[test]
    fn actions_and_refusal_codes_mirror_the_wit() {
        let actions: Vec<_> = Action::ALL.iter().map(|a| a.name().to_owned()).collect();
        assert_eq!(actions, wit_enum("action"));
        let codes: Vec<_> = crate::refusal::RefusalCode::ALL
            .iter()
            .map(|c| c.wit_name().to_owned())
            .collect();
        assert_eq!(codes, wit_enum("refusal-code"));
    }

    #[test]
    fn facts_state_a_suspension_only_with_a_commune() {
        let a: Insee = "93066".parse().unwrap();
        let f = Facts::tenant(&a).rules(true);
        assert_eq!(
            (f.tenant.as_deref(), f.tenant_suspended),
            (Some("93066"), true)
        );
        assert!(!Facts::tenant(&a).rules(false).tenant_suspended);
        let f = Facts::organisation("o1").rules(true);
        assert_eq!(
            (f.organisation.as_deref(), f.tenant_suspended),
            (Some("o1"), false)
        );
        let f = Facts {
            assigned: true,
            conflict: true,
            published: true,
            programme_call: true,
            account_unconfirmed: true,
            ..Facts::default()
        }
        .rules(false);
        assert!(
            f.assigned_reviewer
                && f.conflict_declared
                && f.published
                && f.programme_call
                && f.account_unconfirmed
        );
    }
}
