//! The `qmi:platform/authz` export: converts WIT values to [`crate::rules`] types and back.

wit_bindgen::generate!({
    path: "../../wit",
    world: "policy",
});

use exports::qmi::platform::authz::{Action, Decision, Guest, Refusal, RefusalCode};
use qmi::platform::types::{CommuneRole, PlatformRole, Principal, ResourceFacts};

use crate::rules;

/// The exported implementation (stateless: every call is independent).
struct Policy;

impl Guest for Policy {
    fn decide(principal: Option<Principal>, action: Action, resource: ResourceFacts) -> Decision {
        let principal = principal.map(principal_from_wit);
        let facts = facts_from_wit(resource);
        match rules::decide(principal.as_ref(), action_from_wit(action), &facts) {
            rules::Decision::Allowed => Decision::Allowed,
            rules::Decision::Refused(r) => Decision::Refused(Refusal {
                code: code_to_wit(r.code),
                reason: r.reason,
            }),
        }
    }
}

export!(Policy);

fn principal_from_wit(p: Principal) -> rules::Principal {
    rules::Principal {
        sub: p.sub,
        platform_roles: p
            .platform_roles
            .into_iter()
            .map(|r| match r {
                PlatformRole::Programme => rules::PlatformRole::Programme,
                PlatformRole::Hosting => rules::PlatformRole::Hosting,
            })
            .collect(),
        organisation: p.organisation,
        memberships: p
            .memberships
            .into_iter()
            .map(|m| rules::Membership {
                insee: m.insee,
                role: match m.role {
                    CommuneRole::Admin => rules::CommuneRole::Admin,
                    CommuneRole::Agent => rules::CommuneRole::Agent,
                    CommuneRole::Reviewer => rules::CommuneRole::Reviewer,
                },
            })
            .collect(),
    }
}

fn facts_from_wit(f: ResourceFacts) -> rules::Facts {
    rules::Facts {
        tenant: f.tenant,
        organisation: f.organisation,
        assigned_reviewer: f.assigned_reviewer,
        conflict_declared: f.conflict_declared,
        programme_call: f.programme_call,
        published: f.published,
        tenant_suspended: f.tenant_suspended,
        account_unconfirmed: f.account_unconfirmed,
    }
}

fn action_from_wit(a: Action) -> rules::Action {
    use rules::Action as R;
    match a {
        Action::RegistryRead => R::RegistryRead,
        Action::TenantCreate => R::TenantCreate,
        Action::TenantSuspend => R::TenantSuspend,
        Action::TenantResume => R::TenantResume,
        Action::TenantContentRead => R::TenantContentRead,
        Action::MemberList => R::MemberList,
        Action::MemberManage => R::MemberManage,
        Action::OrganisationCreate => R::OrganisationCreate,
        Action::OrganisationRead => R::OrganisationRead,
        Action::OrganisationUpdate => R::OrganisationUpdate,
        Action::CampaignRead => R::CampaignRead,
        Action::CampaignOpen => R::CampaignOpen,
        Action::CampaignReview => R::CampaignReview,
        Action::CampaignSelect => R::CampaignSelect,
        Action::CandidacyDraft => R::CandidacyDraft,
        Action::CandidacySubmit => R::CandidacySubmit,
        Action::CandidacyRead => R::CandidacyRead,
        Action::CallCreate => R::CallCreate,
        Action::CallUpdate => R::CallUpdate,
        Action::CallPublish => R::CallPublish,
        Action::CallRead => R::CallRead,
        Action::ApplicationDraft => R::ApplicationDraft,
        Action::ApplicationSubmit => R::ApplicationSubmit,
        Action::ApplicationWithdraw => R::ApplicationWithdraw,
        Action::ApplicationRead => R::ApplicationRead,
        Action::ApplicationReadTitle => R::ApplicationReadTitle,
        Action::ReviewAssign => R::ReviewAssign,
        Action::ReviewScore => R::ReviewScore,
        Action::ReviewDeclareConflict => R::ReviewDeclareConflict,
        Action::ReviewRead => R::ReviewRead,
        Action::DecisionDecide => R::DecisionDecide,
        Action::DecisionPublish => R::DecisionPublish,
        Action::DecisionRead => R::DecisionRead,
        Action::ExportApplications => R::ExportApplications,
        Action::ExportOpenData => R::ExportOpenData,
        Action::DistrictUpdate => R::DistrictUpdate,
        Action::NotificationRead => R::NotificationRead,
        Action::TeamManage => R::TeamManage,
        Action::OrganisationJoin => R::OrganisationJoin,
        Action::JobsRun => R::JobsRun,
        Action::ReviewFollow => R::ReviewFollow,
        Action::ExperimentCreate => R::ExperimentCreate,
        Action::ExperimentRead => R::ExperimentRead,
        Action::ExperimentManage => R::ExperimentManage,
        Action::ExperimentReport => R::ExperimentReport,
        Action::FeedbackGive => R::FeedbackGive,
        Action::FeedbackModerate => R::FeedbackModerate,
        Action::ExperimentEvaluate => R::ExperimentEvaluate,
        Action::ExperimentFigures => R::ExperimentFigures,
        Action::PartnerRead => R::PartnerRead,
        Action::PartnerContacts => R::PartnerContacts,
        Action::PartnerCurate => R::PartnerCurate,
        Action::NoteRead => R::NoteRead,
        Action::NoteWrite => R::NoteWrite,
        Action::AuditRead => R::AuditRead,
        Action::UsageRead => R::UsageRead,
        Action::PersonalDataExport => R::PersonalDataExport,
        Action::AccountErase => R::AccountErase,
    }
}

fn code_to_wit(c: rules::RefusalCode) -> RefusalCode {
    use rules::RefusalCode as R;
    match c {
        R::Unauthenticated => RefusalCode::Unauthenticated,
        R::IncompleteFacts => RefusalCode::IncompleteFacts,
        R::HostingOperator => RefusalCode::HostingOperator,
        R::NotMember => RefusalCode::NotMember,
        R::InsufficientRole => RefusalCode::InsufficientRole,
        R::NotOrganisationMember => RefusalCode::NotOrganisationMember,
        R::AlreadyInOrganisation => RefusalCode::AlreadyInOrganisation,
        R::NotAssigned => RefusalCode::NotAssigned,
        R::ConflictOfInterest => RefusalCode::ConflictOfInterest,
        R::NotPublished => RefusalCode::NotPublished,
        R::TenantSuspended => RefusalCode::TenantSuspended,
        R::EmailUnconfirmed => RefusalCode::EmailUnconfirmed,
    }
}
