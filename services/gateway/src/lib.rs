//! The `gateway` HTTP middleware: authentication, tenant resolution and limits in front
//! of every `/api` route (see `docs/design/tenancy-contract.md`, "Gateway rules").
//!
//! The rules are plain Rust, tested natively (`cargo test -p qmi-gateway`):
//! [`headers`] (what is stripped), [`route`] (what a path asks of the caller),
//! [`token`] (bearer verification), [`access`] (the facts handed to the policy's rules,
//! `qmi_rules::gate::admit`), [`problem`] (refusals).
//! The Spin glue (`component`) exists only on `wasm32`.

pub mod access;
pub mod headers;
pub mod problem;
pub mod route;
pub mod token;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod refusals;

/// The request body cap (contract rule 2): 1 MiB.
pub const BODY_LIMIT: u64 = 1024 * 1024;

/// The one larger cap: attachments to an application (`POST
/// /api/applications/{id}/attachments`), 10 MiB of file.
pub const ATTACHMENT_LIMIT: u64 = 10 * 1024 * 1024;

/// The body cap of a request: [`ATTACHMENT_LIMIT`] for the attachment upload
/// route (`uploadAttachment` in the catalogue), [`BODY_LIMIT`] for everything else.
pub fn body_limit(method: &str, path: &str) -> u64 {
    use qmi_api::routes::applications::Op;
    if Op::UploadAttachment.route().matches(method, path) {
        ATTACHMENT_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// The response header echoing the request id to the client.
pub const RESPONSE_REQUEST_ID: &str = "x-request-id";

#[cfg(test)]
mod limit_tests {
    #[test]
    fn only_the_attachment_route_is_raised() {
        assert_eq!(
            super::body_limit("POST", "/api/applications/abc/attachments"),
            super::ATTACHMENT_LIMIT
        );
        assert_eq!(
            super::body_limit("PUT", "/api/applications/abc/attachments"),
            super::BODY_LIMIT
        );
        assert_eq!(
            super::body_limit("POST", "/api/applications/abc/attachments/x"),
            super::BODY_LIMIT
        );
        assert_eq!(
            super::body_limit("POST", "/api/applications//attachments"),
            super::BODY_LIMIT
        );
        assert_eq!(super::body_limit("POST", "/api/calls"), super::BODY_LIMIT);
    }
}
