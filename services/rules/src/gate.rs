//! The gateway's question, asked before any record is read: may this principal
//! use this kind of route at all? Every answer is derived from [`decide`], so the
//! gateway keeps no rule of its own and cannot disagree with the services: it only
//! refuses early what the policy would refuse on every record behind the route.

use crate::{Action, Decision, Facts, Principal, RefusalCode, decide, refuse};

/// What a route asks of its caller, as the gateway classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate<'a> {
    /// Anonymous callers allowed; the services decide per record.
    Public,
    /// The caller's own account and session (`/api/me…`): any principal.
    OwnAccount,
    /// The tenant registry's administration (`/api/admin/…`): tenant lifecycle.
    Admin,
    /// A commune's own routes (`/api/communes/{insee}/…`).
    Tenant {
        /// The commune's INSEE code.
        insee: &'a str,
        /// Whether the commune is suspended.
        suspended: bool,
    },
    /// Any other `/api` route: any principal; the services decide per record.
    Authenticated,
}

/// Decides whether `principal` (`None` = anonymous) may use a route of kind `gate`.
///
/// - `Public`: anyone.
/// - Everything else needs a principal (`unauthenticated`).
/// - `OwnAccount`, `Authenticated`: any principal (each record's own decision follows).
/// - `Admin`: whoever [`decide`] lets manage tenants (`tenant-create`).
/// - `Tenant`: whoever [`decide`] lets read the commune's unpublished content
///   (`tenant-content-read`): programme operators and the commune's members, never a
///   hosting operator, and nobody but programme operators while it is suspended.
pub fn admit(principal: Option<&Principal>, gate: Gate<'_>) -> Decision {
    if gate == Gate::Public {
        return Decision::Allowed;
    }
    if principal.is_none() {
        return Decision::Refused(refuse(
            RefusalCode::Unauthenticated,
            "this route needs a signed-in account",
        ));
    }
    match gate {
        Gate::Public | Gate::OwnAccount | Gate::Authenticated => Decision::Allowed,
        Gate::Admin => decide(principal, Action::TenantCreate, &Facts::default()),
        Gate::Tenant { insee, suspended } => decide(
            principal,
            Action::TenantContentRead,
            &Facts {
                tenant: Some(insee.to_owned()),
                tenant_suspended: suspended,
                ..Facts::default()
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommuneRole, Membership, PlatformRole};

    fn principal(ops: &[PlatformRole], mem: &[(&str, CommuneRole)]) -> Principal {
        Principal {
            sub: "s".into(),
            platform_roles: ops.to_vec(),
            organisation: None,
            memberships: mem
                .iter()
                .map(|(i, r)| Membership {
                    insee: (*i).into(),
                    role: *r,
                })
                .collect(),
        }
    }

    fn code(d: Decision) -> Option<RefusalCode> {
        d.code()
    }

    const OPEN: Gate<'static> = Gate::Tenant {
        insee: "93066",
        suspended: false,
    };
    const FROZEN: Gate<'static> = Gate::Tenant {
        insee: "93066",
        suspended: true,
    };

    #[test]
    fn anonymous_reaches_public_routes_only() {
        assert!(admit(None, Gate::Public).is_allowed());
        for gate in [Gate::OwnAccount, Gate::Admin, Gate::Authenticated, OPEN] {
            assert_eq!(
                code(admit(None, gate)),
                Some(RefusalCode::Unauthenticated),
                "{gate:?}"
            );
        }
    }

    #[test]
    fn every_member_role_reaches_its_commune_until_it_is_suspended() {
        for role in [
            CommuneRole::Admin,
            CommuneRole::Agent,
            CommuneRole::Reviewer,
        ] {
            let p = principal(&[], &[("93066", role)]);
            assert!(admit(Some(&p), OPEN).is_allowed(), "{role:?}");
            assert_eq!(
                code(admit(Some(&p), FROZEN)),
                Some(RefusalCode::TenantSuspended)
            );
            let other = Gate::Tenant {
                insee: "75056",
                suspended: false,
            };
            assert_eq!(code(admit(Some(&p), other)), Some(RefusalCode::NotMember));
            assert_eq!(
                code(admit(Some(&p), Gate::Admin)),
                Some(RefusalCode::InsufficientRole)
            );
        }
    }

    #[test]
    fn programme_operators_reach_suspended_communes() {
        let op = principal(&[PlatformRole::Programme], &[]);
        assert!(admit(Some(&op), FROZEN).is_allowed());
        assert!(admit(Some(&op), Gate::Admin).is_allowed());
    }

    #[test]
    fn holding_the_hosting_role_keeps_one_out_of_tenant_routes() {
        let host = principal(&[PlatformRole::Hosting], &[("93066", CommuneRole::Admin)]);
        assert_eq!(
            code(admit(Some(&host), OPEN)),
            Some(RefusalCode::HostingOperator)
        );
        assert!(admit(Some(&host), Gate::Admin).is_allowed());
        let both = principal(&[PlatformRole::Hosting, PlatformRole::Programme], &[]);
        assert_eq!(
            code(admit(Some(&both), OPEN)),
            Some(RefusalCode::HostingOperator)
        );
    }

    /// The gate never refuses what `decide` would allow on some record behind a tenant
    /// route, and never allows what `decide` refuses on every such record.
    #[test]
    fn tenant_gate_agrees_with_decide_on_tenant_content() {
        let people = [
            principal(&[PlatformRole::Programme], &[]),
            principal(&[PlatformRole::Hosting], &[]),
            principal(&[], &[("93066", CommuneRole::Admin)]),
            principal(&[], &[("93066", CommuneRole::Agent)]),
            principal(&[], &[("93066", CommuneRole::Reviewer)]),
            principal(&[], &[("75056", CommuneRole::Admin)]),
            principal(&[], &[]),
        ];
        for p in &people {
            for suspended in [false, true] {
                let gate = Gate::Tenant {
                    insee: "93066",
                    suspended,
                };
                let facts = Facts {
                    tenant: Some("93066".into()),
                    tenant_suspended: suspended,
                    ..Facts::default()
                };
                let some_action_allowed = Action::ALL
                    .into_iter()
                    .filter(|a| a.is_tenant_content() && *a != Action::ExportOpenData)
                    .any(|a| decide(Some(p), a, &facts).is_allowed());
                assert_eq!(
                    admit(Some(p), gate).is_allowed(),
                    some_action_allowed,
                    "{p:?} suspended={suspended}"
                );
            }
        }
    }
}
