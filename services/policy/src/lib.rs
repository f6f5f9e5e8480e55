//! `qmi-policy`: the platform's decision point.
//!
//! The rules live in [`rules`], plain Rust with no WIT types, tested natively. On
//! wasm32 a thin layer exports them as `qmi:platform/authz@0.1.0` (see `wit/`), which
//! services import as a Spin component dependency.

pub mod rules;

#[cfg(target_arch = "wasm32")]
mod component;
