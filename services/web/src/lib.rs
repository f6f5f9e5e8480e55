//! The `web` component: serves the frontend bundle mounted at `/` and answers
//! `GET /api/health`.
//!
//! Everything but the Spin glue is plain Rust in [`serve`] and its helpers, so it
//! is tested natively. No state lives between requests: the component is correct
//! whether or not Spin reuses its instance.

pub mod cache;
pub mod encoding;
pub mod mime;
pub mod path;
pub mod serve;

#[cfg(target_arch = "wasm32")]
mod component;
