//! Route classification (contract rules 4 and 5): what a request path asks of the
//! caller, read from the route catalogue (`qmi_api::routes`) that also generates the
//! OpenAPI document and dispatches in the services: the route's [`Auth`] says whom
//! it admits, its `{insee}` names the commune.

use qmi_api::Insee;
use qmi_api::routes::{self, Auth, Params};

use crate::problem::Refusal;

/// What kind of route a request targets, as far as the gateway is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Outside `/api`: the gateway lets it through (a token, when sent, is still verified).
    Outside,
    /// A public route ([`Auth::Public`]): anonymous callers allowed. `tenant` is the
    /// commune its `{insee}` names (e.g. `GET /api/communes/{insee}`, the registry
    /// entry), forwarded in `x-qmi-tenant`.
    Public {
        /// The commune the route names, if any.
        tenant: Option<Insee>,
    },
    /// The caller's own account ([`Auth::Account`], `/api/me…`): any principal,
    /// including a hosting operator.
    OwnAccount,
    /// An operators' route ([`Auth::Operator`]: `/api/admin/…`, the scheduled jobs),
    /// and anything else under `/api/admin/`.
    Admin,
    /// A commune's route ([`Auth::Tenant`]), and anything under
    /// `/api/communes/{insee}/`: a programme operator or a member of the commune.
    Tenant(Insee),
    /// Any other `/api` route ([`Auth::Principal`]), and any path or method the
    /// catalogue does not know (the service answers 404 or 405): any principal.
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
/// Everything under `/api/communes/{insee}/` is the commune's, whether the catalogue
/// has the route or not (a trailing slash, an unknown tail); elsewhere the catalogued
/// route of the method (HEAD as GET, as the services answer it) and path decides, and
/// a request the catalogue does not know is the operators' under `/api/admin/`, any
/// principal's elsewhere.
pub fn classify(method: &str, path: &str) -> Result<Route, Refusal> {
    let Some(rest) = path.strip_prefix("/api") else {
        return Ok(Route::Outside);
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        // `/apifoo` is not under `/api`.
        return Ok(Route::Outside);
    }
    if rest.split('/').any(|s| s == "." || s == "..") {
        return Err(Refusal::BadRequest(
            "the path may not contain `.` or `..` segments".to_owned(),
        ));
    }
    if let Some((insee, _)) = rest
        .strip_prefix("/communes/")
        .and_then(|tail| tail.split_once('/'))
    {
        return tenant(insee).map(Route::Tenant);
    }
    let method = if is_read(method) { "GET" } else { method };
    match routes::lookup(method, path) {
        Ok((doc, params)) => Ok(of_auth(doc.auth, &params)),
        // A path or method the catalogue does not know: operators only under
        // `/api/admin/`, any principal elsewhere (the service answers 404 or 405).
        Err(_) if rest == "/admin" || rest.starts_with("/admin/") => Ok(Route::Admin),
        Err(_) => Ok(Route::Authenticated),
    }
}

/// The class of a catalogued route admitting `auth`, whose path gave `params`.
fn of_auth(auth: Auth, params: &Params<'_>) -> Route {
    let insee = params.get("insee");
    match auth {
        Auth::Public => Route::Public {
            // A malformed code is the service's to answer (404) on a public route.
            tenant: insee.and_then(|i| i.parse().ok()),
        },
        Auth::Account => Route::OwnAccount,
        Auth::Principal => Route::Authenticated,
        Auth::Operator => Route::Admin,
        // Under `/api/communes/{insee}/` a malformed code is a 400 (see
        // [`classify`]); elsewhere (`/api/candidacies/{insee}`) it names no commune,
        // and the service answers 404 as for any record that does not exist.
        Auth::Tenant => match insee.and_then(|i| i.parse().ok()) {
            Some(insee) => Route::Tenant(insee),
            None => Route::Authenticated,
        },
    }
}

/// The commune of a tenant route, or the 400 naming its malformed code.
fn tenant(insee: &str) -> Result<Insee, Refusal> {
    insee.parse().map_err(|_| {
        Refusal::InvalidTenant(format!(
            "`{insee}` in the path is not an INSEE commune code (five characters, e.g. 93066)"
        ))
    })
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
            ("POST", "/api/organisations"),
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
        // Not catalogued (`/api/admin/communes` is POST only): still the operators'.
        assert_eq!(classify("GET", "/api/admin/communes"), Ok(Route::Admin));
        assert_eq!(classify("GET", "/api/admin/nothing"), Ok(Route::Admin));
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

    /// The class the catalogue's `Auth` gives a route, its commune being `insee`.
    fn expected(auth: Auth, path: &str, insee: &Insee) -> Route {
        let names_commune = path.contains("{insee}");
        match auth {
            Auth::Public => Route::Public {
                tenant: names_commune.then(|| insee.clone()),
            },
            Auth::Account => Route::OwnAccount,
            Auth::Principal => Route::Authenticated,
            Auth::Operator => Route::Admin,
            Auth::Tenant => Route::Tenant(insee.clone()),
        }
    }

    /// A path of `template` with `insee` for `{insee}` and a sample for any other
    /// parameter.
    fn sample(template: &str, insee: &str) -> String {
        template
            .split('/')
            .map(|seg| match seg {
                "{insee}" => insee,
                s if s.starts_with('{') => "0190c5f2-0000-7000-8000-000000000001",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The gateway classifies every catalogued route as the catalogue's `Auth` says
    /// (HEAD as GET, with or without a trailing slash), and takes the commune from
    /// its `{insee}`: a malformed one is a 400 on a tenant route, no commune on a
    /// public one.
    #[test]
    fn every_catalogued_route_is_classified_as_the_catalogue_says() {
        let saint_denis = insee("93066");
        for r in qmi_api::routes::ROUTES {
            let path = sample(r.path, "93066");
            let want = expected(r.auth, r.path, &saint_denis);
            let mut methods = vec![r.method];
            if r.method == "GET" {
                methods.push("HEAD");
            }
            for m in methods {
                assert_eq!(classify(m, &path), Ok(want.clone()), "{} {m}", r.id());
                // The services ignore a trailing slash; so does the gateway, but
                // that `/api/communes/{insee}/` is in the commune's subtree (rule 5).
                let slash = if r.path == "/api/communes/{insee}" {
                    Route::Tenant(saint_denis.clone())
                } else {
                    want.clone()
                };
                assert_eq!(
                    classify(m, &format!("{path}/")),
                    Ok(slash),
                    "{} {m} /",
                    r.id()
                );
            }
            if r.path.contains("{insee}") {
                let bad = classify(r.method, &sample(r.path, "9306"));
                match r.auth {
                    Auth::Tenant if r.path.starts_with("/api/communes/{insee}/") => {
                        assert_eq!(bad.unwrap_err().status(), 400, "{}", r.id())
                    }
                    Auth::Tenant => assert_eq!(bad, Ok(Route::Authenticated), "{}", r.id()),
                    Auth::Public => {
                        assert_eq!(bad, Ok(Route::Public { tenant: None }), "{}", r.id())
                    }
                    _ => assert_eq!(bad, Ok(want), "{}", r.id()),
                }
            }
            // Contract rule 5: the commune's subtree holds tenant routes only, the
            // administration's operators' routes only.
            if r.path.starts_with("/api/communes/{insee}/") {
                assert_eq!(r.auth, Auth::Tenant, "{}", r.id());
            }
            if r.path.starts_with("/api/admin/") {
                assert_eq!(r.auth, Auth::Operator, "{}", r.id());
            }
        }
    }
}
