//! The policy's refusal vocabulary (WIT `qmi:platform/authz.refusal-code`),
//! shared by the `policy` component that decides and the services that turn a
//! refusal into problem+json.

/// Why the policy refused an action; the same cases, in the same order, as the
/// WIT enum `refusal-code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// No principal, and the action is not public.
    Unauthenticated,
    /// The caller gave fewer facts than the rule needs: a bug in the asking service.
    IncompleteFacts,
    /// Hosting operators never see tenant content.
    HostingOperator,
    /// No standing in the record's commune.
    NotMember,
    /// Standing, but not the role the action needs.
    InsufficientRole,
    /// Only members of the owning organisation may do this.
    NotOrganisationMember,
    /// The account already belongs to an organisation.
    AlreadyInOrganisation,
    /// Only assigned reviewers may do this.
    NotAssigned,
    /// Recused by a declared conflict of interest.
    ConflictOfInterest,
    /// The record is not published.
    NotPublished,
    /// The record's commune is suspended.
    TenantSuspended,
    /// The account has not confirmed its e-mail address yet.
    EmailUnconfirmed,
}

impl RefusalCode {
    /// Every refusal code, in WIT order.
    pub const ALL: [RefusalCode; 12] = [
        RefusalCode::Unauthenticated,
        RefusalCode::IncompleteFacts,
        RefusalCode::HostingOperator,
        RefusalCode::NotMember,
        RefusalCode::InsufficientRole,
        RefusalCode::NotOrganisationMember,
        RefusalCode::AlreadyInOrganisation,
        RefusalCode::NotAssigned,
        RefusalCode::ConflictOfInterest,
        RefusalCode::NotPublished,
        RefusalCode::TenantSuspended,
        RefusalCode::EmailUnconfirmed,
    ];

    /// The WIT name, e.g. `"not-member"`; also the slug of the problem type.
    pub fn wit_name(self) -> &'static str {
        match self {
            RefusalCode::Unauthenticated => "unauthenticated",
            RefusalCode::IncompleteFacts => "incomplete-facts",
            RefusalCode::HostingOperator => "hosting-operator",
            RefusalCode::NotMember => "not-member",
            RefusalCode::InsufficientRole => "insufficient-role",
            RefusalCode::NotOrganisationMember => "not-organisation-member",
            RefusalCode::AlreadyInOrganisation => "already-in-organisation",
            RefusalCode::NotAssigned => "not-assigned",
            RefusalCode::ConflictOfInterest => "conflict-of-interest",
            RefusalCode::NotPublished => "not-published",
            RefusalCode::TenantSuspended => "tenant-suspended",
            RefusalCode::EmailUnconfirmed => "email-unconfirmed",
        }
    }

    /// The HTTP status of a refusal (wit/README.md): `unauthenticated` 401,
    /// `not-published` 404, `incomplete-facts` 500 (the service forgot a fact), else 403.
    pub fn status(self) -> u16 {
        match self {
            RefusalCode::Unauthenticated => 401,
            RefusalCode::NotPublished => 404,
            RefusalCode::IncompleteFacts => 500,
            _ => 403,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RefusalCode;

    #[test]
    fn names_are_unique_kebab_case() {
        let names: std::collections::BTreeSet<_> =
            RefusalCode::ALL.iter().map(|c| c.wit_name()).collect();
        assert_eq!(names.len(), RefusalCode::ALL.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
    }
}
