//! `qmi-policy`: the platform's decision point.
//!
//! The rules live in the `qmi-rules` crate (re-exported as [`rules`]), plain Rust with
//! no WIT types, tested natively; the gateway links the same crate to admit routes. On
//! wasm32 a thin layer exports them as `qmi:platform/authz@0.1.0` (see `wit/`), which
//! services import as a Spin component dependency.

pub use qmi_rules as rules;

#[cfg(target_arch = "wasm32")]
mod component;
