//! Who may do what in the identity service is decided by the `policy` component
//! (`qmi:platform/authz`), asked through the kit's policy client
//! (`qmi_kit::policy::decide`, wasm32 only). This module is identity's side of that
//! conversation, in plain Rust so it is tested natively against the rules:
//! [`Operation`], every identity operation that needs a decision, and the
//! [`Question`] (policy action + resource facts) it asks. The refusal's
//! problem+json is the kit's (`qmi_kit::refusal`).
//!
//! No rule lives here: the handlers ask and obey the answer.

use qmi_api::Insee;
pub use qmi_kit::policy::{Action, Facts};

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
    /// `listOrganisationMembers` and the organisation's invitations and requests.
    ReadOrganisation(&'a str),
    /// `addOrganisationMember`, `removeOrganisationMember`.
    UpdateOrganisation(&'a str),
    /// `absorbOrganisation`: a merge in the partner directory.
    CurateDirectory,
    /// `listAudit`, `exportAudit` (a commune's trail), `listPlatformAudit` (none).
    ReadAudit(Option<&'a Insee>),
    /// `getUsage`, `getRuntime`: counts only.
    ReadUsage,
    /// `exportMe`: the signed-in account's own data, from every service.
    ExportOwnData,
    /// `deleteMe`: the signed-in account's erasure; asked again for each
    /// commune it is a member of (`Some`), whose membership it deletes.
    EraseOwnAccount(Option<&'a Insee>),
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
            Operation::ReadAudit(insee) => insee,
            Operation::EraseOwnAccount(insee) => insee,
            Operation::ReadRegistry
            | Operation::ExportOwnData
            | Operation::CreateCommune
            | Operation::CreateOrganisation { .. }
            | Operation::JoinOrganisation { .. }
            | Operation::ManageTeam
            | Operation::CurateDirectory
            | Operation::ReadUsage
            | Operation::ReadOrganisation(_)
            | Operation::UpdateOrganisation(_) => None,
        }
    }

    /// The question this operation asks the policy.
    pub fn question(self) -> Question {
        let at = Facts::tenant;
        let of = |org: &str| Facts::organisation(org);
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
            Operation::CurateDirectory => (Action::PartnerCurate, Facts::default()),
            Operation::ReadAudit(Some(insee)) => (Action::AuditRead, at(insee)),
            Operation::ReadAudit(None) => (Action::AuditRead, Facts::default()),
            Operation::ReadUsage => (Action::UsageRead, Facts::default()),
            Operation::ExportOwnData => (Action::PersonalDataExport, Facts::default()),
            Operation::EraseOwnAccount(insee) => (
                Action::AccountErase,
                Facts {
                    tenant: insee.cloned(),
                    ..Facts::default()
                },
            ),
        };
        Question { action, facts }
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
            (
                q.action,
                q.facts.tenant.as_ref().map(Insee::as_str),
                q.facts.organisation
            ),
            (Action::MemberList, Some("93066"), None)
        );
        let q = Operation::ManageMembers(&a).question();
        assert_eq!(
            (q.action, q.facts.tenant.as_ref().map(Insee::as_str)),
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
            Operation::ReadAudit(Some(&a)),
            Operation::ReadAudit(None),
            Operation::ReadUsage,
            Operation::ExportOwnData,
            Operation::EraseOwnAccount(None),
            Operation::EraseOwnAccount(Some(&a)),
        ];
        for op in all {
            let q = op.question();
            // The tenant the question names is exactly the one whose status is read.
            assert_eq!(q.facts.tenant.as_ref(), op.tenant(), "{op:?}");
            let stated = q.facts.rules(true).tenant_suspended;
            assert_eq!(stated, op.tenant().is_some(), "{op:?}");
            assert!(!q.facts.rules(false).tenant_suspended, "{op:?}");
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
                let q = op.question();
                decide(Some(p), q.action, &q.facts.rules(suspended))
            };
            assert!(ask(&admin, false).is_allowed(), "{op:?}");
            assert_eq!(
                ask(&admin, true).code(),
                Some(qmi_kit::refusal::RefusalCode::TenantSuspended),
                "{op:?}"
            );
            assert!(ask(&programme, true).is_allowed(), "{op:?}");
        }
    }

    /// One's own data: exported and erased by any signed-in account, whatever
    /// the state of the communes it is a member of; never anonymously.
    #[test]
    fn ones_own_data_is_exported_and_erased_by_its_account_alone() {
        use qmi_policy::rules::{Principal, decide};
        let a: Insee = "93066".parse().unwrap();
        let anyone = Principal {
            sub: "s".into(),
            ..Principal::default()
        };
        for op in [
            Operation::ExportOwnData,
            Operation::EraseOwnAccount(None),
            Operation::EraseOwnAccount(Some(&a)),
        ] {
            let q = op.question();
            assert!(
                decide(Some(&anyone), q.action, &q.facts.rules(true)).is_allowed(),
                "{op:?}"
            );
            assert!(
                !decide(None, q.action, &q.facts.rules(false)).is_allowed(),
                "{op:?}"
            );
        }
    }
}
