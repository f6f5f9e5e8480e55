//! Admission: the gateway keeps facts, not rules. It classifies the route
//! ([`crate::route`]), reads the commune's stored status and the account's
//! rights version, and asks the policy's own rules (`qmi_rules::gate::admit`,
//! derived from `decide`) whether the principal may use the route at all.
//! Nothing here decides who may do what.

use std::str::FromStr;

use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use qmi_rules::gate::{self, Gate};
use qmi_rules::{CommuneRole, Decision, Membership, RefusalCode};

use crate::problem::Refusal;
use crate::route::Route;

/// The principal as the rules see it (converted once per request).
pub fn rules_principal(p: &Principal) -> qmi_rules::Principal {
    qmi_rules::Principal {
        sub: p.sub.clone(),
        platform_roles: p
            .ops
            .iter()
            .map(|r| match r {
                PlatformRole::Programme => qmi_rules::PlatformRole::Programme,
                PlatformRole::Hosting => qmi_rules::PlatformRole::Hosting,
            })
            .collect(),
        organisation: p.org.clone(),
        memberships: p
            .mem
            .iter()
            .map(|(insee, role)| Membership {
                insee: insee.to_string(),
                role: match role {
                    MembershipRole::Admin => CommuneRole::Admin,
                    MembershipRole::Agent => CommuneRole::Agent,
                    MembershipRole::Reviewer => CommuneRole::Reviewer,
                },
            })
            .collect(),
    }
}

/// The commune whose stored status the gateway must read before admitting a
/// principal to `route` (`None`: no status needed).
pub fn tenant_to_check(route: &Route) -> Option<&Insee> {
    match route {
        Route::Tenant(insee) => Some(insee),
        _ => None,
    }
}

/// Admits `principal` (`None`: anonymous) to `route`. For a tenant route,
/// `stored` is the commune's stored status (`None`: no such key, i.e. no such
/// commune); it is ignored on other routes. The answer is the policy's
/// ([`gate::admit`]); the gateway only adds that a commune without a status does
/// not exist (404), said only to a principal the policy would have admitted, so
/// that existence is not revealed to outsiders.
pub fn admit(
    route: &Route,
    principal: Option<&qmi_rules::Principal>,
    stored: Option<&[u8]>,
) -> Result<(), Refusal> {
    let (gate, missing) = match route {
        Route::Outside => return Ok(()),
        Route::Public { .. } => (Gate::Public, None),
        Route::OwnAccount => (Gate::OwnAccount, None),
        Route::Admin => (Gate::Admin, None),
        Route::Authenticated => (Gate::Authenticated, None),
        Route::Tenant(insee) => {
            let status = match stored {
                // Anonymous callers are refused before anything is read.
                Some(raw) if principal.is_some() => Some(parse_status(insee, raw)?),
                _ => None,
            };
            let suspended = status == Some(TenantStatus::Suspended);
            (
                Gate::Tenant {
                    insee: insee.as_str(),
                    suspended,
                },
                status.is_none().then_some(insee),
            )
        }
    };
    match gate::admit(principal, gate) {
        Decision::Allowed => match missing {
            Some(insee) => Err(Refusal::TenantNotFound(insee.to_string())),
            None => Ok(()),
        },
        Decision::Refused(r) => Err(refusal(r, route)),
    }
}

/// The gateway's answer to a refusal of the policy's rules.
fn refusal(r: qmi_rules::Refusal, route: &Route) -> Refusal {
    match r.code {
        RefusalCode::Unauthenticated => Refusal::MissingToken,
        RefusalCode::TenantSuspended => match route {
            Route::Tenant(insee) => Refusal::TenantSuspended(insee.to_string()),
            _ => Refusal::Forbidden(r.reason),
        },
        _ => Refusal::Forbidden(r.reason),
    }
}

/// A commune's status as `identity` records it in the key-value store
/// (`tenant-status/<insee>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    /// A member commune.
    Member,
    /// A candidate commune.
    Candidate,
    /// A commune running a district.
    District,
    /// A suspended commune.
    Suspended,
}

/// Why a stored tenant status could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a tenant status (member, candidate, district, suspended)")]
pub struct TenantStatusError(pub String);

impl FromStr for TenantStatus {
    type Err = TenantStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "member" => Ok(TenantStatus::Member),
            "candidate" => Ok(TenantStatus::Candidate),
            "district" => Ok(TenantStatus::District),
            "suspended" => Ok(TenantStatus::Suspended),
            other => Err(TenantStatusError(other.to_owned())),
        }
    }
}

/// A stored status; unreadable is a 503, never a guess.
fn parse_status(insee: &Insee, raw: &[u8]) -> Result<TenantStatus, Refusal> {
    std::str::from_utf8(raw)
        .map_err(|_| TenantStatusError(String::from_utf8_lossy(raw).into_owned()))
        .and_then(str::parse::<TenantStatus>)
        .map_err(|e| {
            Refusal::Unavailable(format!("the status of commune {insee} is unreadable: {e}"))
        })
}

/// The key-value key holding a commune's status.
pub fn status_key(insee: &Insee) -> String {
    format!("tenant-status/{insee}")
}

/// The key-value key holding an account's rights version, which `identity`
/// raises whenever it takes a right away from the account (a membership removed
/// or its role changed, the account removed from its organisation).
pub fn rights_key(account: &str) -> String {
    format!("rights/{account}")
}

/// Checks a token's rights version (`rv`, 0 when absent) against the stored one
/// (`None`: never raised, 0): a token issued before the account's rights last
/// changed is refused (401 `invalid_token`), and its holder refreshes it.
pub fn check_rights(token_version: u64, stored: Option<&[u8]>) -> Result<(), Refusal> {
    let current = match stored {
        None => 0,
        Some(raw) => std::str::from_utf8(raw)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                Refusal::Unavailable(format!(
                    "the account's rights version is unreadable: {:?}",
                    String::from_utf8_lossy(raw)
                ))
            })?,
    };
    if token_version < current {
        Err(Refusal::RightsChanged)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(ops: &[PlatformRole], mem: &[(&str, MembershipRole)]) -> qmi_rules::Principal {
        rules_principal(&Principal {
            sub: "0190c5f2-0000-7000-8000-000000000001".into(),
            name: "Camille".into(),
            lang: "fr".into(),
            ops: ops.to_vec(),
            org: None,
            mem: mem.iter().map(|(i, r)| (i.parse().unwrap(), *r)).collect(),
        })
    }

    fn tenant(s: &str) -> Route {
        Route::Tenant(s.parse().unwrap())
    }

    const DISTRICT: Option<&[u8]> = Some(b"district");
    const SUSPENDED: Option<&[u8]> = Some(b"suspended");

    #[test]
    fn anonymous_reaches_public_routes_only() {
        assert_eq!(admit(&Route::Public { tenant: None }, None, None), Ok(()));
        assert_eq!(admit(&Route::Outside, None, None), Ok(()));
        for route in [
            Route::Authenticated,
            Route::Admin,
            Route::OwnAccount,
            tenant("93066"),
        ] {
            assert_eq!(
                admit(&route, None, DISTRICT),
                Err(Refusal::MissingToken),
                "{route:?}"
            );
            assert_eq!(
                admit(&route, None, None),
                Err(Refusal::MissingToken),
                "{route:?}"
            );
        }
    }

    #[test]
    fn every_member_role_reaches_its_own_commune_only() {
        for role in [
            MembershipRole::Admin,
            MembershipRole::Agent,
            MembershipRole::Reviewer,
        ] {
            let a = principal(&[], &[("93066", role)]);
            assert_eq!(
                admit(&tenant("93066"), Some(&a), DISTRICT),
                Ok(()),
                "{role:?}"
            );
            assert_eq!(
                admit(&tenant("75056"), Some(&a), DISTRICT)
                    .unwrap_err()
                    .status(),
                403
            );
            assert_eq!(
                admit(&Route::Admin, Some(&a), None).unwrap_err().status(),
                403
            );
            assert_eq!(admit(&Route::Authenticated, Some(&a), None), Ok(()));
        }
    }

    #[test]
    fn existence_is_told_only_to_whom_the_policy_admits() {
        let outsider = principal(&[], &[("93066", MembershipRole::Agent)]);
        assert_eq!(
            admit(&tenant("92012"), Some(&outsider), None)
                .unwrap_err()
                .status(),
            403
        );
        let ghost = principal(&[], &[("92012", MembershipRole::Admin)]);
        assert_eq!(
            admit(&tenant("92012"), Some(&ghost), None),
            Err(Refusal::TenantNotFound("92012".into()))
        );
        let op = principal(&[PlatformRole::Programme], &[]);
        assert_eq!(
            admit(&tenant("92012"), Some(&op), None)
                .unwrap_err()
                .status(),
            404
        );
    }

    #[test]
    fn suspension_refuses_members_with_403_and_spares_programme_operators() {
        let admin = principal(&[], &[("94081", MembershipRole::Admin)]);
        let refused = admit(&tenant("94081"), Some(&admin), SUSPENDED).unwrap_err();
        assert_eq!(refused, Refusal::TenantSuspended("94081".into()));
        assert_eq!(
            (refused.status(), refused.slug()),
            (403, "tenant-suspended")
        );
        let op = principal(&[PlatformRole::Programme], &[]);
        assert_eq!(admit(&tenant("94081"), Some(&op), SUSPENDED), Ok(()));
        assert_eq!(
            admit(&tenant("94081"), Some(&op), Some(b"bogus"))
                .unwrap_err()
                .status(),
            503
        );
    }

    #[test]
    fn the_hosting_role_keeps_one_out_of_tenant_routes_whatever_else_is_held() {
        let host = principal(
            &[PlatformRole::Hosting],
            &[("93066", MembershipRole::Admin)],
        );
        assert_eq!(admit(&Route::Admin, Some(&host), None), Ok(()));
        assert_eq!(admit(&Route::OwnAccount, Some(&host), None), Ok(()));
        assert_eq!(
            admit(&tenant("93066"), Some(&host), DISTRICT)
                .unwrap_err()
                .status(),
            403
        );
        // The services decide per record on other routes.
        assert_eq!(admit(&Route::Authenticated, Some(&host), None), Ok(()));
        let both = principal(&[PlatformRole::Hosting, PlatformRole::Programme], &[]);
        assert_eq!(
            admit(&tenant("93066"), Some(&both), DISTRICT)
                .unwrap_err()
                .status(),
            403
        );
        assert_eq!(admit(&Route::Admin, Some(&both), None), Ok(()));
    }

    /// The gateway agrees with the policy's gate on every principal and commune
    /// state: it adds no rule of its own.
    #[test]
    fn the_gateway_says_what_the_policy_gate_says() {
        let people = [
            principal(&[PlatformRole::Programme], &[]),
            principal(&[PlatformRole::Hosting], &[]),
            principal(
                &[PlatformRole::Hosting, PlatformRole::Programme],
                &[("93066", MembershipRole::Admin)],
            ),
            principal(&[], &[("93066", MembershipRole::Admin)]),
            principal(&[], &[("93066", MembershipRole::Agent)]),
            principal(&[], &[("93066", MembershipRole::Reviewer)]),
            principal(&[], &[("75056", MembershipRole::Admin)]),
            principal(&[], &[]),
        ];
        for p in &people {
            for (stored, suspended) in [(DISTRICT, false), (SUSPENDED, true)] {
                let ours = admit(&tenant("93066"), Some(p), stored).is_ok();
                let policy = gate::admit(
                    Some(p),
                    Gate::Tenant {
                        insee: "93066",
                        suspended,
                    },
                )
                .is_allowed();
                assert_eq!(ours, policy, "{p:?} suspended={suspended}");
            }
            for (route, g) in [
                (Route::Admin, Gate::Admin),
                (Route::Authenticated, Gate::Authenticated),
                (Route::OwnAccount, Gate::OwnAccount),
            ] {
                assert_eq!(
                    admit(&route, Some(p), None).is_ok(),
                    gate::admit(Some(p), g).is_allowed(),
                    "{p:?} {route:?}"
                );
            }
        }
    }

    #[test]
    fn keys_and_rights_versions() {
        let i: Insee = "93066".parse().unwrap();
        assert_eq!(status_key(&i), "tenant-status/93066");
        assert_eq!(rights_key("a1"), "rights/a1");
        assert_eq!(check_rights(0, None), Ok(()));
        assert_eq!(check_rights(3, Some(b"3")), Ok(()));
        assert_eq!(check_rights(4, Some(b"3")), Ok(()));
        let stale = check_rights(2, Some(b"3")).unwrap_err();
        assert_eq!(stale, Refusal::RightsChanged);
        assert_eq!(stale.status(), 401);
        assert_eq!(check_rights(0, Some(b"1")), Err(Refusal::RightsChanged));
        assert_eq!(check_rights(9, Some(b"x")).unwrap_err().status(), 503);
    }
}
