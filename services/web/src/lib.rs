//! The `web` component: serves the frontend bundle mounted at `/` and answers
//! `GET /api/health`.
//!
//! Everything but the Spin glue is plain Rust in [`serve`] and its helpers, so it
//! is tested natively. What an instance keeps between requests is what it read
//! of the read-only mount ([`serve::Bundle`]): it is correct whether or not
//! Spin reuses the instance.

pub mod cache;
pub mod encoding;
pub mod etag;
pub mod mime;
pub mod path;
pub mod serve;

#[cfg(target_arch = "wasm32")]
mod component;
