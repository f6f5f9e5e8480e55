//! Spin's host interfaces, one module each, after Spin's "factors": every
//! module holds the interface's per-instance state, how it is linked, and the
//! host trait implementation.

pub mod key_value;
pub mod outbound_http;
pub mod postgres;
pub mod sqlite;
pub mod variables;

/// Host bindings of Spin's WIT, generated from the WIT shipped in `spin-sdk`.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/spin_bindings.rs"));
}
