//! Who may do what in the identity service is decided by the `policy` component
//! (`qmi:platform/authz`, imported as a Spin component dependency; see
//! `wit/platform.wit`). This module is identity's side of that conversation, in plain
//! Rust so it is tested natively:
//!
//! - [`Operation`]: every identity operation that needs a decision, and the
//!   [`Question`] (policy action + resource facts) it asks;
//! - [`Refusal`] / [`RefusalCode`]: the policy's answer, mirrored from WIT;
//! - [`Refusal::problem`]: the `application/problem+json` the client gets.
//!
//! No rule lives here: the handlers ask through `crate::policy` (wasm32 only) and
//! obey the answer.

use qmi_api::Insee;
use qmi_kit::Problem;

/// The `qmi:platform/authz` actions identity asks about (a subset of the WIT enum
/// `action`; same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `registry-read`: read the public tenant registry.
    RegistryRead,
    /// `tenant-create`: add a commune to the registry.
    TenantCreate,
    /// `tenant-suspend`: suspend a commune.
    TenantSuspend,
    /// `tenant-resume`: resume a suspended commune.
    TenantResume,
    /// `campaign-select`: move a commune through the call for communes (candidate,
    /// district).
    CampaignSelect,
    /// `member-list`: list a commune's members.
    MemberList,
    /// `member-manage`: add, change or remove a commune's members.
    MemberManage,
    /// `organisation-create`: create an organisation.
    OrganisationCreate,
    /// `organisation-read`: read an organisation and its members.
    OrganisationRead,
    /// `organisation-update`: update an organisation or its members.
    OrganisationUpdate,
    /// `organisation-join`: ask to join an organisation.
    OrganisationJoin,
    /// `team-manage`: invite people to the programme team, manage those invitations.
    TeamManage,
}

impl Action {
    /// Every action identity asks about.
    pub const ALL: [Action; 12] = [
        Action::RegistryRead,
        Action::TenantCreate,
        Action::TenantSuspend,
        Action::TenantResume,
        Action::CampaignSelect,
        Action::MemberList,
        Action::MemberManage,
        Action::OrganisationCreate,
        Action::OrganisationRead,
        Action::OrganisationUpdate,
        Action::OrganisationJoin,
        Action::TeamManage,
    ];

    /// The WIT name of the action, e.g. `"member-list"`.
    pub fn wit_name(self) -> &'static str {
        match self {
            Action::RegistryRead => "registry-read",
            Action::TenantCreate => "tenant-create",
            Action::TenantSuspend => "tenant-suspend",
            Action::TenantResume => "tenant-resume",
            Action::CampaignSelect => "campaign-select",
            Action::MemberList => "member-list",
            Action::MemberManage => "member-manage",
            Action::OrganisationCreate => "organisation-create",
            Action::OrganisationRead => "organisation-read",
            Action::OrganisationUpdate => "organisation-update",
            Action::OrganisationJoin => "organisation-join",
            Action::TeamManage => "team-manage",
        }
    }
}

/// What identity states about the record an operation touches (the WIT
/// `resource-facts`; identity's records have no reviewer, conflict, call or
/// publication facts, which it sends as `false`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The commune (INSEE code) the record belongs to.
    pub tenant: Option<String>,
    /// The organisation the record is, or belongs to.
    pub organisation: Option<String>,
    /// Whether the record's commune is suspended (read from the registry).
    pub tenant_suspended: bool,
    /// Whether the asking account has not confirmed its e-mail address yet.
    pub account_unconfirmed: bool,
}

/// One question for the policy: may the principal do `action` to the record
/// described by `facts`?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// What the principal wants to do.
    pub action: Action,
    /// What is known about the record.
    pub facts: Facts,
}

/// Every identity operation that needs a decision (the catalogue ids in
/// `qmi_api::routes`). Token, refresh, logout, the password reset (its link is the
/// credential) and the account page (`getMe`, `updateMe`, `changePassword`,
/// `changeEmail`, `listSessions`, `revokeSession`) act on the caller's own account
/// or session only, selected by the token's `sub`, and need none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation<'a> {
    /// `listCommunes`, `getCommune`: the public registry.
    ReadRegistry,
    /// `createCommune`.
    CreateCommune,
    /// `suspendCommune`.
    SuspendCommune(&'a Insee),
    /// `resumeCommune`.
    ResumeCommune(&'a Insee),
    /// `setCommuneStatus`: candidate or district, set by the call for communes.
    SetCommuneStatus(&'a Insee),
    /// `listMembers`.
    ListMembers(&'a Insee),
    /// `addMember`, `removeMember`.
    ManageMembers(&'a Insee),
    /// `createOrganisation`, by an account whose e-mail address is (`false`) or is
    /// not (`true`) confirmed yet.
    CreateOrganisation {
        /// Whether the account's e-mail address is not confirmed yet.
        unconfirmed: bool,
    },
    /// `createJoinRequest`: ask to join organisation `org`, by an account whose
    /// e-mail address is or is not confirmed yet.
    JoinOrganisation {
        /// The organisation.
        org: &'a str,
        /// Whether the account's e-mail address is not confirmed yet.
        unconfirmed: bool,
    },
    /// The programme team's invitations (`inviteToProgramme`,
    /// `listProgrammeInvitations`, `resendProgrammeInvitation`,
    /// `revokeProgrammeInvitation`).
    ManageTeam,
    /// `getOrganisation`, `listOrganisationMembers`, and each row of
    /// `listOrganisations`.
    ReadOrganisation(&'a str),
    /// `updateOrganisation`, `addOrganisationMember`, `removeOrganisationMember`.
    UpdateOrganisation(&'a str),
}

impl<'a> Operation<'a> {
    /// The commune the operation's record belongs to, if any: identity states
    /// whether it is suspended (from its registry) with every such question.
    pub fn tenant(self) -> Option<&'a Insee> {
        match self {
            Operation::SuspendCommune(insee)
            | Operation::ResumeCommune(insee)
            | Operation::SetCommuneStatus(insee)
            | Operation::ListMembers(insee)
            | Operation::ManageMembers(insee) => Some(insee),
            Operation::ReadRegistry
            | Operation::CreateCommune
            | Operation::CreateOrganisation { .. }
            | Operation::JoinOrganisation { .. }
            | Operation::ManageTeam
            | Operation::ReadOrganisation(_)
            | Operation::UpdateOrganisation(_) => None,
        }
    }

    /// The question this operation asks the policy about a record whose commune
    /// is (`suspended`) or is not suspended.
    pub fn question_in(self, suspended: bool) -> Question {
        let mut question = self.question();
        question.facts.tenant_suspended = suspended && question.facts.tenant.is_some();
        question
    }

    /// The question this operation asks the policy.
    pub fn question(self) -> Question {
        let at = |insee: &Insee| Facts {
            tenant: Some(insee.to_string()),
            ..Facts::default()
        };
        let of = |org: &str| Facts {
            organisation: Some(org.to_owned()),
            ..Facts::default()
        };
        let (action, facts) = match self {
            Operation::ReadRegistry => (Action::RegistryRead, Facts::default()),
            Operation::CreateCommune => (Action::TenantCreate, Facts::default()),
            Operation::SuspendCommune(insee) => (Action::TenantSuspend, at(insee)),
            Operation::ResumeCommune(insee) => (Action::TenantResume, at(insee)),
            Operation::SetCommuneStatus(insee) => (Action::CampaignSelect, at(insee)),
            Operation::ListMembers(insee) => (Action::MemberList, at(insee)),
            Operation::ManageMembers(insee) => (Action::MemberManage, at(insee)),
            Operation::CreateOrganisation { unconfirmed } => (
                Action::OrganisationCreate,
                Facts {
                    account_unconfirmed: unconfirmed,
                    ..Facts::default()
                },
            ),
            Operation::JoinOrganisation { org, unconfirmed } => (
                Action::OrganisationJoin,
                Facts {
                    account_unconfirmed: unconfirmed,
                    ..of(org)
                },
            ),
            Operation::ManageTeam => (Action::TeamManage, Facts::default()),
            Operation::ReadOrganisation(org) => (Action::OrganisationRead, of(org)),
            Operation::UpdateOrganisation(org) => (Action::OrganisationUpdate, of(org)),
        };
        Question { action, facts }
    }
}

/// Why the policy refused (the shared vocabulary of `qmi-api`).
pub use qmi_api::authz::RefusalCode;

/// The policy's refusal: a code and a human reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What went wrong, for programs.
    pub code: RefusalCode,
    /// What went wrong, for people.
    pub reason: String,
}

impl Refusal {
    /// The problem+json sent for this refusal: status from [`RefusalCode::status`],
    /// type `…/problems/<code>` (naming the reason), `detail` the policy's reason.
    /// `incomplete-facts` is identity's bug: a plain 500 whose detail is logged, not sent.
    pub fn problem(&self) -> Problem {
        let code = self.code;
        match code.status() {
            500 => Problem::internal(format!(
                "policy refused {}: {}",
                code.wit_name(),
                self.reason
            )),
            401 => {
                let mut p = Problem::new(401, code.wit_name(), "Authentication required")
                    .detail(&self.reason);
                p.www_authenticate = Some("Bearer".to_owned());
                p
            }
            404 => Problem::new(404, code.wit_name(), "Not found").detail(&self.reason),
            status => Problem::new(status, code.wit_name(), "Forbidden").detail(&self.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_ask_with_the_facts_their_rule_needs() {
        let a: Insee = "93066".parse().unwrap();
        let q = Operation::ListMembers(&a).question();
        assert_eq!(
            (q.action, q.facts.tenant.as_deref(), q.facts.organisation),
            (Action::MemberList, Some("93066"), None)
        );
        let q = Operation::ManageMembers(&a).question();
        assert_eq!(
            (q.action, q.facts.tenant.as_deref()),
            (Action::MemberManage, Some("93066"))
        );
        let q = Operation::UpdateOrganisation("o1").question();
        assert_eq!(
            (q.action, q.facts.tenant, q.facts.organisation.as_deref()),
            (Action::OrganisationUpdate, None, Some("o1"))
        );
        assert_eq!(
            Operation::ReadOrganisation("o1")
                .question()
                .facts
                .organisation
                .as_deref(),
            Some("o1")
        );
        assert_eq!(
            Operation::SuspendCommune(&a).question().action,
            Action::TenantSuspend
        );
        assert_eq!(
            Operation::ResumeCommune(&a).question().action,
            Action::TenantResume
        );
        assert_eq!(
            Operation::CreateCommune.question().action,
            Action::TenantCreate
        );
        assert_eq!(
            Operation::ReadRegistry.question(),
            Question {
                action: Action::RegistryRead,
                facts: Facts::default()
            }
        );
    }

    #[test]
    fn every_question_about_a_commune_states_its_suspension() {
        let a: Insee = "93066".parse().unwrap();
        let all = [
            Operation::ReadRegistry,
            Operation::CreateCommune,
            Operation::SuspendCommune(&a),
            Operation::ResumeCommune(&a),
            Operation::SetCommuneStatus(&a),
            Operation::ListMembers(&a),
            Operation::ManageMembers(&a),
            Operation::CreateOrganisation { unconfirmed: true },
            Operation::JoinOrganisation {
                org: "o1",
                unconfirmed: true,
            },
            Operation::ManageTeam,
            Operation::ReadOrganisation("o1"),
            Operation::UpdateOrganisation("o1"),
        ];
        for op in all {
            let q = op.question_in(true);
            // The tenant the question names is exactly the one whose status is read.
            assert_eq!(
                q.facts.tenant.as_deref(),
                op.tenant().map(Insee::as_str),
                "{op:?}"
            );
            assert_eq!(q.facts.tenant_suspended, op.tenant().is_some(), "{op:?}");
            assert!(!op.question_in(false).facts.tenant_suspended, "{op:?}");
        }
    }

    /// With the fact stated, the policy's rules refuse a suspended commune's
    /// people what identity serves them (its members list and management), and
    /// spare programme operators.
    #[test]
    fn the_policy_refuses_a_suspended_communes_members() {
        use qmi_policy::rules::{CommuneRole, Membership, Principal, decide};
        let a: Insee = "93066".parse().unwrap();
        let admin = Principal {
            sub: "s".into(),
            memberships: vec![Membership {
                insee: "93066".into(),
                role: CommuneRole::Admin,
            }],
            ..Principal::default()
        };
        let programme = Principal {
            sub: "p".into(),
            platform_roles: vec![qmi_policy::rules::PlatformRole::Programme],
            ..Principal::default()
        };
        for op in [Operation::ListMembers(&a), Operation::ManageMembers(&a)] {
            let ask = |p: &Principal, suspended: bool| {
                let q = op.question_in(suspended);
                let facts = qmi_policy::rules::Facts {
                    tenant: q.facts.tenant,
                    organisation: q.facts.organisation,
                    tenant_suspended: q.facts.tenant_suspended,
                    ..Default::default()
                };
                let action = qmi_policy::rules::Action::from_name(q.action.wit_name()).unwrap();
                decide(Some(p), action, &facts)
            };
            assert!(ask(&admin, false).is_allowed(), "{op:?}");
            assert_eq!(
                ask(&admin, true).code(),
                Some(RefusalCode::TenantSuspended),
                "{op:?}"
            );
            assert!(ask(&programme, true).is_allowed(), "{op:?}");
        }
    }

    #[test]
    fn refusals_become_problems_naming_the_code() {
        let refusal = |code| Refusal {
            code,
            reason: "because".into(),
        };
        for code in RefusalCode::ALL {
            let p = refusal(code).problem();
            assert_eq!(p.status, code.status(), "{code:?}");
            if p.status == 500 {
                assert!(
                    p.type_uri.ends_with("/internal"),
                    "{code:?} must not leak its reason"
                );
                assert_ne!(p.detail.as_deref(), Some("because"));
            } else {
                assert!(
                    p.type_uri.ends_with(&format!("/{}", code.wit_name())),
                    "{}",
                    p.type_uri
                );
                assert_eq!(p.detail.as_deref(), Some("because"));
            }
        }
        assert_eq!(refusal(RefusalCode::Unauthenticated).problem().status, 401);
        assert_eq!(refusal(RefusalCode::NotPublished).problem().status, 404);
        assert_eq!(refusal(RefusalCode::IncompleteFacts).problem().status, 500);
        assert_eq!(refusal(RefusalCode::NotMember).problem().status, 403);
        assert_eq!(refusal(RefusalCode::HostingOperator).problem().status, 403);
    }

    #[test]
    fn names_are_unique() {
        let mut actions: Vec<_> = Action::ALL.iter().map(|a| a.wit_name()).collect();
        actions.sort();
        actions.dedup();
        assert_eq!(actions.len(), Action::ALL.len());
        let mut codes: Vec<_> = RefusalCode::ALL.iter().map(|c| c.wit_name()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RefusalCode::ALL.len());
    }
}
