//! One module per routed page.

/// Calls, applications and reviews: built against `qmi_api::applications`, left
/// out of the default build until they fit the size budget (they add ~89 KiB
/// of gzipped wasm, mostly `serde_json::Value`); `--features calls` builds them.
#[cfg(feature = "calls")]
pub mod calls;
#[cfg(not(feature = "calls"))]
#[path = "calls_pending.rs"]
pub mod calls;
pub mod communes;
pub mod home;
pub mod members;
pub mod not_found;
pub mod organisation;
pub mod signin;
pub mod space;
pub mod tenants;
