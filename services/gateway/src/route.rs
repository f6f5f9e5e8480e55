//! Route classification (contract rules 4 and 5): what a request path asks of the caller.

use qmi_api::Insee;

use crate::problem::Refusal;

/// What kind of route a request targets, as far as the gateway is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Outside `/api`: the gateway lets it through (a token, when sent, is still verified).
    Outside,
    /// A public route: anonymous callers allowed. `tenant` is the commune of
    /// `GET /api/communes/{insee}` (the registry entry), forwarded in `x-qmi-tenant`.
    Public {
        /// The commune the route names, if any.
        tenant: Option<Insee>,
    },
    /// `/api/me` and below: any principal, including a hosting operator.
    OwnAccount,
    /// `/api/admin/…`: operators only.
    Admin,
    /// `/api/communes/{insee}/…`: a programme operator or a member of the commune.
    Tenant(Insee),
    /// Any other `/api` route: any principal except a hosting-only operator.
    Authenticated,
}

/// Whether `method` reads (GET or HEAD).
fn is_read(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

/// Classifies a request by method and path (without the query string).
///
/// Paths with `.` or `..` segments under `/api` are refused, so that a route's tenant is
/// the one the service sees; a malformed `{insee}` on a tenant route is a 400 naming it.
pub fn classify(method: &str, path: &str) -> Result<Route, Refusal> {
    let Some(rest) = path.strip_prefix("/api") else {
        return Ok(Route::Outside);
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        // `/apifoo` is not under `/api`.
        return Ok(Route::Outside);
    }
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(Refusal::BadRequest(
            "the path may not contain `.` or `..` segments".to_owned(),
        ));
    }
    let read = is_read(method);
    let post = method.eq_ignore_ascii_case("POST");
    let route = match segments.as_slice() {
        ["communes"] if read => Route::Public { tenant: None },
        ["communes", insee] if read => Route::Public {
            // A malformed code is the registry's to answer (404) on this public route.
            tenant: insee.parse().ok(),
        },
        ["communes", insee, _, ..] => Route::Tenant(insee.parse().map_err(|_| {
            Refusal::InvalidTenant(format!(
                "`{insee}` in the path is not an INSEE commune code (five characters, e.g. 93066)"
            ))
        })?),
        ["auth", "token" | "refresh" | "logout"] if post => Route::Public { tenant: None },
        // Invitation links and partner sign-up (issue 12): anonymous by nature.
        ["auth", "sign-up" | "confirm-email"] if post => Route::Public { tenant: None },
        ["auth", "invitations", _] if read => Route::Public { tenant: None },
        ["auth", "invitations", _, "accept"] if post => Route::Public { tenant: None },
        // A forgotten password (issue 12): the e-mailed link is the credential.
        ["auth", "password-reset"] | ["auth", "password-reset", "confirm"] if post => {
            Route::Public { tenant: None }
        }
        ["openapi.json"] | ["health"] | ["figures"] if read => Route::Public { tenant: None },
        ["calls", ..] if read => Route::Public { tenant: None },
        // Published districts and open data (issue 4): the services decide what is published.
        ["districts", ..] | ["open-data", ..] if read => Route::Public { tenant: None },
        ["me", ..] => Route::OwnAccount,
        ["admin", ..] => Route::Admin,
        _ => Route::Authenticated,
    };
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insee(s: &str) -> Insee {
        s.parse().unwrap()
    }

    #[test]
    fn public_routes_are_exactly_the_contract_list() {
        for (m, p) in [
            ("GET", "/api/communes"),
            ("HEAD", "/api/communes"),
            ("POST", "/api/auth/token"),
            ("POST", "/api/auth/refresh"),
            ("POST", "/api/auth/logout"),
            ("POST", "/api/auth/sign-up"),
            ("POST", "/api/auth/confirm-email"),
            ("GET", "/api/auth/invitations/abc"),
            ("POST", "/api/auth/invitations/abc/accept"),
            ("POST", "/api/auth/password-reset"),
            ("POST", "/api/auth/password-reset/confirm"),
            ("GET", "/api/openapi.json"),
            ("GET", "/api/health"),
            ("GET", "/api/figures"),
            ("GET", "/api/calls"),
            ("GET", "/api/calls/42"),
        ] {
            assert_eq!(
                classify(m, p),
                Ok(Route::Public { tenant: None }),
                "{m} {p}"
            );
        }
        assert_eq!(
            classify("GET", "/api/communes/93066"),
            Ok(Route::Public {
                tenant: Some(insee("93066"))
            })
        );
        assert_eq!(
            classify("GET", "/api/communes/nope"),
            Ok(Route::Public { tenant: None })
        );
    }

    #[test]
    fn writes_and_other_routes_need_a_principal() {
        for (m, p) in [
            ("POST", "/api/communes"),
            ("DELETE", "/api/communes/93066"),
            ("GET", "/api/auth/token"),
            ("POST", "/api/openapi.json"),
            ("POST", "/api/calls"),
            ("GET", "/api/organisations"),
            ("GET", "/api"),
            ("GET", "/api/"),
            ("GET", "/api/communes/"),
        ] {
            assert!(
                matches!(classify(m, p), Ok(Route::Authenticated | Route::Tenant(_)))
                    || p == "/api/communes/",
                "{m} {p}: {:?}",
                classify(m, p)
            );
        }
        assert_eq!(classify("GET", "/api/me"), Ok(Route::OwnAccount));
        assert_eq!(classify("POST", "/api/admin/communes"), Ok(Route::Admin));
        assert_eq!(
            classify("POST", "/api/admin/communes/93066/suspend"),
            Ok(Route::Admin)
        );
    }

    #[test]
    fn tenant_routes_resolve_the_commune() {
        assert_eq!(
            classify("GET", "/api/communes/93066/members"),
            Ok(Route::Tenant(insee("93066")))
        );
        assert_eq!(
            classify("DELETE", "/api/communes/2A004/members/x/y"),
            Ok(Route::Tenant(insee("2A004")))
        );
        // A trailing slash after the code is still a tenant path.
        assert_eq!(
            classify("GET", "/api/communes/75056/"),
            Ok(Route::Tenant(insee("75056")))
        );
        let bad = classify("GET", "/api/communes/9306/members").unwrap_err();
        assert_eq!(bad.status(), 400);
        assert_eq!(
            classify("GET", "/api/communes//members")
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn dot_segments_and_outside_paths() {
        assert_eq!(
            classify("GET", "/api/communes/93066/../75056/members")
                .unwrap_err()
                .status(),
            400
        );
        assert_eq!(classify("GET", "/api/./me").unwrap_err().status(), 400);
        assert_eq!(classify("GET", "/"), Ok(Route::Outside));
        assert_eq!(classify("GET", "/apifoo"), Ok(Route::Outside));
        assert_eq!(classify("GET", "/whoami"), Ok(Route::Outside));
    }
}
