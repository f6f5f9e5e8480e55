//! Who is calling: the principal and tenant the gateway put in the internal
//! headers (services never parse tokens).

pub use qmi_api::{Insee, PRINCIPAL_HEADER, Principal, REQUEST_ID_HEADER, TENANT_HEADER};

use crate::problem::Problem;

/// Reads the principal from request headers (`get` returns a header's value).
/// `Ok(None)` for an anonymous request; a header that does not decode is a
/// 401 (only the gateway sets it, so this means a misconfigured route).
pub fn principal_from_headers<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<Principal>, Problem> {
    match get(PRINCIPAL_HEADER) {
        None => Ok(None),
        Some(value) => Principal::from_header(value)
            .map(Some)
            .map_err(|e| Problem::unauthorized(format!("the principal header is unusable: {e}"))),
    }
}

/// Like [`principal_from_headers`] but a principal is required (401 otherwise).
pub fn require_principal<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Principal, Problem> {
    principal_from_headers(get)?
        .ok_or_else(|| Problem::unauthorized("this route needs a bearer token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_internal_header() {
        let p = Principal {
            sub: "a".into(),
            name: "n".into(),
            lang: "fr".into(),
            ops: vec![],
            org: None,
            mem: Default::default(),
        };
        let h = p.to_header();
        assert_eq!(
            principal_from_headers(|n| (n == PRINCIPAL_HEADER).then_some(h.as_str())).unwrap(),
            Some(p)
        );
        assert_eq!(principal_from_headers(|_| None).unwrap(), None);
        assert_eq!(
            principal_from_headers(|_| Some("%%")).unwrap_err().status,
            401
        );
        assert_eq!(require_principal(|_| None).unwrap_err().status, 401);
    }
}
