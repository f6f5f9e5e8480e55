//! The gateway's refusals as RFC 9457 problem details (contract "Problem details"),
//! written with the services' one problem+json implementation ([`qmi_kit::Problem`]).

pub use qmi_kit::problem::{PROBLEM_BASE, PROBLEM_CONTENT_TYPE, Problem};

/// Why the gateway refuses a request. Each variant maps to one status and problem type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No bearer token on a route that needs a principal (401, no `error` parameter).
    #[error("this route needs a bearer token in the Authorization header")]
    MissingToken,
    /// A bearer token was sent but is not valid (401, `error="invalid_token"`).
    #[error("the bearer token is not valid: {0}")]
    InvalidToken(String),
    /// The `Authorization` header is not one `Bearer <token>` (401, `error="invalid_request"`).
    #[error("the Authorization header must be `Bearer <token>`: {0}")]
    InvalidAuthorization(String),
    /// The principal has no standing on this route (403).
    #[error("{0}")]
    Forbidden(String),
    /// The route's `{insee}` segment is not an INSEE code (400, names the field).
    #[error("{0}")]
    InvalidTenant(String),
    /// The commune does not exist (404).
    #[error("there is no commune {0}")]
    TenantNotFound(String),
    /// The commune is suspended and the principal is not a programme operator (403).
    #[error(
        "la commune {0} est suspendue : seuls les opérateurs du programme y ont accès (commune {0} is suspended)"
    )]
    TenantSuspended(String),
    /// The token was issued before the account's rights last changed (401,
    /// `error="invalid_token"`): refresh it.
    #[error("the bearer token is not valid: rights changed, refresh the token")]
    RightsChanged,
    /// The request body is over the cap (413).
    #[error("the request body is over the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The request is malformed in a way the gateway checks, e.g. its content-length (400).
    #[error("{0}")]
    BadRequest(String),
    /// The gateway cannot decide for want of configuration or storage (503).
    #[error("{0}")]
    Unavailable(String),
    /// The service behind the gateway failed (502).
    #[error("{0}")]
    Upstream(String),
}

impl Refusal {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::MissingToken
            | Refusal::InvalidToken(_)
            | Refusal::InvalidAuthorization(_)
            | Refusal::RightsChanged => 401,
            Refusal::Forbidden(_) | Refusal::TenantSuspended(_) => 403,
            Refusal::InvalidTenant(_) | Refusal::BadRequest(_) => 400,
            Refusal::TenantNotFound(_) => 404,
            Refusal::PayloadTooLarge { .. } => 413,
            Refusal::Unavailable(_) => 503,
            Refusal::Upstream(_) => 502,
        }
    }

    /// The last segment of the problem `type` URI.
    pub fn slug(&self) -> &'static str {
        match self {
            Refusal::MissingToken => "unauthenticated",
            Refusal::InvalidToken(_) | Refusal::RightsChanged => "invalid-token",
            Refusal::InvalidAuthorization(_) => "invalid-authorization",
            Refusal::Forbidden(_) => "forbidden",
            Refusal::InvalidTenant(_) => "invalid-tenant",
            Refusal::TenantNotFound(_) => "tenant-not-found",
            Refusal::TenantSuspended(_) => "tenant-suspended",
            Refusal::PayloadTooLarge { .. } => "payload-too-large",
            Refusal::BadRequest(_) => "bad-request",
            Refusal::Unavailable(_) => "gateway-unavailable",
            Refusal::Upstream(_) => "upstream-failed",
        }
    }

    /// A short human summary of the problem type.
    pub fn title(&self) -> &'static str {
        match self {
            Refusal::MissingToken => "Authentication required",
            Refusal::InvalidToken(_) | Refusal::RightsChanged => "Invalid access token",
            Refusal::InvalidAuthorization(_) => "Invalid Authorization header",
            Refusal::Forbidden(_) => "Forbidden",
            Refusal::InvalidTenant(_) => "Invalid commune code",
            Refusal::TenantNotFound(_) => "No such commune",
            Refusal::TenantSuspended(_) => "Commune suspended",
            Refusal::PayloadTooLarge { .. } => "Request body too large",
            Refusal::BadRequest(_) => "Bad request",
            Refusal::Unavailable(_) => "Gateway unavailable",
            Refusal::Upstream(_) => "Service failed",
        }
    }

    /// The `WWW-Authenticate` challenge a 401 carries (RFC 6750), if any.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        match self {
            Refusal::MissingToken => Some("Bearer"),
            Refusal::InvalidToken(_) => Some("Bearer error=\"invalid_token\""),
            Refusal::RightsChanged => Some(
                "Bearer error=\"invalid_token\", error_description=\"rights changed, refresh the token\"",
            ),
            Refusal::InvalidAuthorization(_) => Some("Bearer error=\"invalid_request\""),
            _ => None,
        }
    }

    /// The problem document for a request to `instance` (the request path), its
    /// `WWW-Authenticate` challenge with it.
    pub fn problem(&self, instance: &str) -> Problem {
        let mut p = Problem::new(self.status(), self.slug(), self.title())
            .detail(self.to_string())
            .instance(instance);
        if let Refusal::InvalidTenant(_) = self {
            p = p.field(
                "insee",
                "five characters: a département (01–95, 2A, 2B, 97x) then digits",
            );
        }
        p.www_authenticate = self.www_authenticate().map(str::to_owned);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_bodies_carry_the_rfc_9457_members() {
        let p = Refusal::TenantSuspended("93066".into()).problem("/api/communes/93066/members");
        let v: serde_json::Value = serde_json::from_slice(&p.to_body()).unwrap();
        assert_eq!(v["type"], "https://qmi.example/problems/tenant-suspended");
        assert_eq!(v["status"], 403);
        assert_eq!(v["instance"], "/api/communes/93066/members");
        assert!(v["detail"].as_str().unwrap().contains("93066"));
        assert!(v.get("errors").is_none());
        assert!(v.get("request_id").is_none());
        let bad = Refusal::InvalidTenant("x".into()).problem("/api/communes/x/members");
        let v: serde_json::Value = serde_json::from_slice(&bad.to_body()).unwrap();
        assert_eq!(v["errors"][0]["field"], "insee");
    }

    #[test]
    fn challenges_follow_rfc_6750() {
        assert_eq!(Refusal::MissingToken.www_authenticate(), Some("Bearer"));
        assert_eq!(
            Refusal::InvalidToken("x".into()).www_authenticate(),
            Some("Bearer error=\"invalid_token\"")
        );
        assert_eq!(Refusal::Forbidden("x".into()).www_authenticate(), None);
        assert_eq!(
            Refusal::TenantSuspended("93066".into()).www_authenticate(),
            None
        );
        assert_eq!(
            Refusal::RightsChanged.www_authenticate(),
            Some(
                "Bearer error=\"invalid_token\", error_description=\"rights changed, refresh the token\""
            )
        );
        assert_eq!(Refusal::PayloadTooLarge { limit: 1 }.status(), 413);
    }
}
