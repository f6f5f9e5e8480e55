//! The SQL layer beneath the store: values and rows ([`Value`], [`Rows`]), the
//! dialect in one place ([`dialect`]), each database's [`Schema`] (which tables
//! belong to one commune), the statement builders ([`build`]) and the three
//! paths to a database ([`Tenant`], [`Across`], [`Platform`]). Everything here
//! is plain Rust tested natively; `crate::store` runs the statements on
//! `spin:sqlite`.

// Natively the builders only render statements (for tests); running them,
// and so reading their connection and schema, exists on wasm32 only.
#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(dead_code, unused_imports, reason = "the runner is wasm32-only")
)]

pub mod build;
pub mod dialect;
mod error;
mod functions;
mod handle;
mod rows;
mod schema;
mod value;

pub use build::{Delete, Insert, InsertSelect, Scope, Select, Update};
pub use dialect::Dialect;
pub use error::StoreError;
pub(crate) use handle::check_tenant_tables;
pub use handle::{Across, Platform, Tenant};
pub use rows::{Row, Rows};
pub use schema::{Schema, TenantTable};
pub use value::{Statement, Value};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
