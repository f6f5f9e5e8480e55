//! The access decision (contract rules 4 and 5 and "Tenant status for the gateway").

use std::str::FromStr;

use qmi_api::{Insee, PlatformRole, Principal};

use crate::problem::Refusal;
use crate::route::Route;

/// What the gateway still has to check once the route and principal are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Let the request through.
    Admit,
    /// Look up the commune's status, then admit (or refuse) per [`check_status`].
    CheckTenant {
        /// The commune.
        insee: Insee,
        /// Whether the principal passes as an operator (suspension does not apply).
        operator: bool,
    },
}

/// Whether the principal is a hosting operator without the programme role: such an
/// account manages tenants but may not reach their content.
fn hosting_only(p: &Principal) -> bool {
    p.is(PlatformRole::Hosting) && !p.is(PlatformRole::Programme)
}

/// Decides on a classified route for a principal (`None`: anonymous).
pub fn admit(route: &Route, principal: Option<&Principal>) -> Result<Admission, Refusal> {
    let p = match (route, principal) {
        (Route::Outside | Route::Public { .. }, _) => return Ok(Admission::Admit),
        (_, None) => return Err(Refusal::MissingToken),
        (_, Some(p)) => p,
    };
    match route {
        Route::Outside | Route::Public { .. } => unreachable!("handled above"),
        Route::OwnAccount => Ok(Admission::Admit),
        Route::Admin => {
            if p.is(PlatformRole::Programme) || p.is(PlatformRole::Hosting) {
                Ok(Admission::Admit)
            } else {
                Err(Refusal::Forbidden(
                    "only programme and hosting operators may use /api/admin routes".to_owned(),
                ))
            }
        }
        Route::Authenticated if hosting_only(p) => Err(Refusal::Forbidden(
            "a hosting operator may use only /api/admin routes".to_owned(),
        )),
        Route::Authenticated => Ok(Admission::Admit),
        Route::Tenant(insee) => {
            if p.is(PlatformRole::Programme) {
                Ok(Admission::CheckTenant { insee: insee.clone(), operator: true })
            } else if hosting_only(p) {
                Err(Refusal::Forbidden(
                    "a hosting operator may not read a commune's content".to_owned(),
                ))
            } else if p.role_in(insee).is_some() {
                Ok(Admission::CheckTenant { insee: insee.clone(), operator: false })
            } else {
                Err(Refusal::Forbidden(format!(
                    "you have no role in commune {insee}"
                )))
            }
        }
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
    /// A suspended commune: only operators may use it.
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

/// The key-value key holding a commune's status.
pub fn status_key(insee: &Insee) -> String {
    format!("tenant-status/{insee}")
}

/// Finishes a [`Admission::CheckTenant`] with the stored value (`None`: no such key).
pub fn check_status(insee: &Insee, operator: bool, stored: Option<&[u8]>) -> Result<(), Refusal> {
    let Some(raw) = stored else {
        return Err(Refusal::TenantNotFound(insee.to_string()));
    };
    let status: TenantStatus = std::str::from_utf8(raw)
        .map_err(|_| TenantStatusError(String::from_utf8_lossy(raw).into_owned()))
        .and_then(str::parse::<TenantStatus>)
        .map_err(|e| Refusal::Unavailable(format!("the status of commune {insee} is unreadable: {e}")))?;
    if status == TenantStatus::Suspended && !operator {
        return Err(Refusal::TenantSuspended(insee.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmi_api::MembershipRole;

    fn principal(ops: &[PlatformRole], mem: &[(&str, MembershipRole)]) -> Principal {
        Principal {
            sub: "0190c5f2-0000-7000-8000-000000000001".into(),
            name: "Camille".into(),
            lang: "fr".into(),
            ops: ops.to_vec(),
            org: None,
            mem: mem.iter().map(|(i, r)| (i.parse().unwrap(), *r)).collect(),
        }
    }

    fn tenant(s: &str) -> Route {
        Route::Tenant(s.parse().unwrap())
    }

    #[test]
    fn anonymous_reaches_public_routes_only() {
        assert_eq!(admit(&Route::Public { tenant: None }, None), Ok(Admission::Admit));
        assert_eq!(admit(&Route::Outside, None), Ok(Admission::Admit));
        for route in [Route::Authenticated, Route::Admin, Route::OwnAccount, tenant("93066")] {
            assert_eq!(admit(&route, None), Err(Refusal::MissingToken), "{route:?}");
        }
    }

    #[test]
    fn members_reach_their_own_commune_only() {
        let a = principal(&[], &[("93066", MembershipRole::Agent)]);
        assert_eq!(
            admit(&tenant("93066"), Some(&a)),
            Ok(Admission::CheckTenant { insee: "93066".parse().unwrap(), operator: false })
        );
        assert_eq!(admit(&tenant("75056"), Some(&a)).unwrap_err().status(), 403);
        assert_eq!(admit(&Route::Admin, Some(&a)).unwrap_err().status(), 403);
        assert_eq!(admit(&Route::Authenticated, Some(&a)), Ok(Admission::Admit));
    }

    #[test]
    fn programme_operators_reach_every_commune() {
        let op = principal(&[PlatformRole::Programme], &[]);
        assert_eq!(
            admit(&tenant("75056"), Some(&op)),
            Ok(Admission::CheckTenant { insee: "75056".parse().unwrap(), operator: true })
        );
        assert_eq!(admit(&Route::Admin, Some(&op)), Ok(Admission::Admit));
    }

    #[test]
    fn hosting_operators_reach_admin_routes_only() {
        let host = principal(&[PlatformRole::Hosting], &[("93066", MembershipRole::Admin)]);
        assert_eq!(admit(&Route::Admin, Some(&host)), Ok(Admission::Admit));
        assert_eq!(admit(&Route::OwnAccount, Some(&host)), Ok(Admission::Admit));
        assert_eq!(admit(&tenant("93066"), Some(&host)).unwrap_err().status(), 403);
        assert_eq!(admit(&Route::Authenticated, Some(&host)).unwrap_err().status(), 403);
        let both = principal(&[PlatformRole::Hosting, PlatformRole::Programme], &[]);
        assert!(admit(&tenant("93066"), Some(&both)).is_ok());
    }

    #[test]
    fn tenant_status_decides_existence_and_suspension() {
        let i: Insee = "93066".parse().unwrap();
        assert_eq!(status_key(&i), "tenant-status/93066");
        assert_eq!(check_status(&i, false, None).unwrap_err().status(), 404);
        assert_eq!(check_status(&i, true, None).unwrap_err().status(), 404);
        for ok in ["member", "candidate", "district"] {
            assert_eq!(check_status(&i, false, Some(ok.as_bytes())), Ok(()));
        }
        let suspended = check_status(&i, false, Some(b"suspended")).unwrap_err();
        assert_eq!(suspended, Refusal::TenantSuspended("93066".into()));
        assert_eq!(suspended.status(), 401);
        assert_eq!(check_status(&i, true, Some(b"suspended")), Ok(()));
        assert_eq!(check_status(&i, false, Some(b"bogus")).unwrap_err().status(), 503);
    }
}
