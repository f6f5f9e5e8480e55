//! The `gateway` HTTP middleware: authentication, tenant resolution and limits in front
//! of every `/api` route (see `docs/design/tenancy-contract.md`, "Gateway rules").
//!
//! The rules are plain Rust, tested natively (`cargo test -p qmi-gateway`):
//! [`headers`] (what is stripped), [`route`] (what a path asks of the caller),
//! [`token`] (bearer verification), [`access`] (the decision), [`problem`] (refusals).
//! The Spin glue (`component`) exists only on `wasm32`.

pub mod access;
pub mod headers;
pub mod problem;
pub mod route;
pub mod token;

#[cfg(target_arch = "wasm32")]
mod component;

/// The request body cap (contract rule 2): 1 MiB.
pub const BODY_LIMIT: u64 = 1024 * 1024;

/// The response header echoing the request id to the client.
pub const RESPONSE_REQUEST_ID: &str = "x-request-id";
