//! `qmi-kit`: what every QMI service shares — problem+json errors (RFC 9457)
//! naming the field, JSON bodies, the principal from the gateway's internal
//! header, the tenant-scoped store API, cursor pagination.
//!
//! The pure parts ([`problem`], [`refusal`], [`log`], [`json`], [`page`], [`sql`],
//! [`text`], [`principal`], [`decision`]) build and test natively; the Spin glue
//! ([`http`], [`context`], [`store`]) exists only on `wasm32` (so do [`outbox`]'s,
//! [`personal`]'s and [`policy`]'s: its `Action` and `Facts` build everywhere).

pub mod audit;
pub mod csv;
pub mod decision;
pub mod json;
pub mod log;
pub mod outbox;
pub mod page;
pub mod personal;
pub mod policy;
pub mod principal;
pub mod problem;
pub mod refusal;
pub mod sniff;
pub mod sql;
pub mod text;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod accountability;
#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod context;
#[cfg(target_arch = "wasm32")]
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod internal;
#[cfg(target_arch = "wasm32")]
pub mod presence;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod tenancy;

pub use page::{Cursor, Page, PageRequest, Query};
pub use principal::{Insee, Principal};
pub use problem::{FieldError, Problem};
pub use sql::{Rows, Schema, StoreError, TenantTable, Value};
