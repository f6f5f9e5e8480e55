//! Who may do what in the identity service. Every decision goes through
//! [`decide`], so it can be delegated to the `policy` component
//! (`qmi:platform/authz`) without touching the handlers.

use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};

/// What a principal wants to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read a commune's people (tenant content).
    ListMembers(&'a Insee),
    /// Add, change or remove a commune's people.
    ManageMembers(&'a Insee),
    /// Create, suspend, resume communes.
    ManageTenants,
    /// Read every organisation of the directory.
    ListAllOrganisations,
    /// Read one organisation.
    ReadOrganisation(&'a str),
    /// Create an organisation.
    CreateOrganisation,
    /// Change an organisation or its members.
    ManageOrganisation(&'a str),
}

/// A refusal and its reason (sent as the 403 detail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

/// Decides. Programme operators may do everything; hosting operators manage
/// tenants but read no tenant content; commune admins manage their commune's
/// people, its agents and reviewers read them; partner members see and manage
/// only their own organisation.
pub fn decide(p: &Principal, action: &Action<'_>) -> Result<(), Refusal> {
    if p.is(PlatformRole::Programme) {
        return Ok(());
    }
    let hosting = p.is(PlatformRole::Hosting);
    match action {
        Action::ManageTenants if hosting => Ok(()),
        Action::ManageTenants => Err(Refusal("only platform operators manage tenants")),
        Action::ListMembers(insee) => match p.role_in(insee) {
            Some(_) => Ok(()),
            None if hosting => Err(Refusal("a hosting operator does not read tenant content")),
            None => Err(Refusal("no standing in this commune")),
        },
        Action::ManageMembers(insee) => match p.role_in(insee) {
            Some(MembershipRole::Admin) => Ok(()),
            Some(_) => Err(Refusal("only the commune's admins manage its people")),
            None => Err(Refusal("no standing in this commune")),
        },
        Action::ListAllOrganisations => {
            if p.org.is_none() && !p.mem.is_empty() {
                Ok(())
            } else {
                Err(Refusal("only programme operators and commune people read the whole directory"))
            }
        }
        Action::ReadOrganisation(id) => {
            if p.org.as_deref() == Some(*id) || (p.org.is_none() && !p.mem.is_empty()) {
                Ok(())
            } else {
                Err(Refusal("not a member of this organisation"))
            }
        }
        Action::CreateOrganisation => {
            if hosting {
                Err(Refusal("a hosting operator does not manage the directory"))
            } else if p.org.is_some() {
                Err(Refusal("an account belongs to at most one organisation"))
            } else {
                Ok(())
            }
        }
        Action::ManageOrganisation(id) => {
            if p.org.as_deref() == Some(*id) {
                Ok(())
            } else {
                Err(Refusal("not a member of this organisation"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(ops: &[PlatformRole], org: Option<&str>, mem: &[(&str, MembershipRole)]) -> Principal {
        Principal {
            sub: "s".into(),
            name: "n".into(),
            lang: "fr".into(),
            ops: ops.to_vec(),
            org: org.map(str::to_owned),
            mem: mem.iter().map(|(i, r)| (i.parse().unwrap(), *r)).collect(),
        }
    }

    #[test]
    fn rules() {
        let a: Insee = "93066".parse().unwrap();
        let b: Insee = "93048".parse().unwrap();
        let programme = who(&[PlatformRole::Programme], None, &[]);
        let hosting = who(&[PlatformRole::Hosting], None, &[]);
        let admin_a = who(&[], None, &[("93066", MembershipRole::Admin)]);
        let agent_a = who(&[], None, &[("93066", MembershipRole::Agent)]);
        let partner = who(&[], Some("o1"), &[]);
        for action in [Action::ListMembers(&a), Action::ManageMembers(&b), Action::ManageTenants, Action::ListAllOrganisations] {
            assert!(decide(&programme, &action).is_ok());
        }
        assert!(decide(&hosting, &Action::ManageTenants).is_ok());
        assert!(decide(&hosting, &Action::ListMembers(&a)).is_err());
        assert!(decide(&hosting, &Action::ListAllOrganisations).is_err());
        assert!(decide(&admin_a, &Action::ManageMembers(&a)).is_ok());
        assert!(decide(&admin_a, &Action::ManageMembers(&b)).is_err());
        assert!(decide(&admin_a, &Action::ListMembers(&b)).is_err());
        assert!(decide(&admin_a, &Action::ManageTenants).is_err());
        assert!(decide(&agent_a, &Action::ListMembers(&a)).is_ok());
        assert!(decide(&agent_a, &Action::ManageMembers(&a)).is_err());
        assert!(decide(&partner, &Action::ReadOrganisation("o1")).is_ok());
        assert!(decide(&partner, &Action::ReadOrganisation("o2")).is_err());
        assert!(decide(&partner, &Action::ManageOrganisation("o1")).is_ok());
        assert!(decide(&partner, &Action::ManageOrganisation("o2")).is_err());
        assert!(decide(&partner, &Action::ListAllOrganisations).is_err());
        assert!(decide(&partner, &Action::CreateOrganisation).is_err());
        assert!(decide(&admin_a, &Action::ReadOrganisation("o2")).is_ok());
        assert!(decide(&admin_a, &Action::ManageOrganisation("o2")).is_err());
    }
}
