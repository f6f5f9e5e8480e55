//! The hosting operator's metrics, served by `qmi up --metrics-listen ADDR`
//! on a listener of their own ([`listener`]). Without the flag there is no
//! registry: every hook below is an `Option` that is `None`, and only the
//! databases' statement counters (one relaxed increment per statement) run.
//!
//! What is counted, and where:
//!
//! - `qmi_requests_total{component,class}` and
//!   `qmi_request_duration_seconds{component}`: every request a component
//!   answers — from a client, a self-request (which comes back through the
//!   server like any request) or a service-chained one — when its response
//!   head is ready, by the component its route names in `spin.toml`: a
//!   trigger's middleware is composed into that component, so a request the
//!   gateway refuses counts with the component it guards. `class` is the
//!   status' hundreds (`1xx`…`5xx`); a request that failed in the runtime
//!   counts as the 500 the client got. Requests no route matches and Spin's
//!   `/.well-known/spin/…` belong to no component and are not counted.
//! - `qmi_instances_live{component}`, `qmi_instance_memory_bytes{component}`:
//!   the stores alive and the linear memory wasmtime let them have
//!   ([`instance`]).
//! - `qmi_traps_total{component}`: instances discarded because their guest
//!   trapped (a fault, a panic, memory refused); one per instance however many
//!   requests it was serving.
//! - `qmi_deadlines_total{component}`: requests cut by `--request-timeout`:
//!   those still running when the epoch interruption stops their instance
//!   (counted as it does), and those whose deadline passed while their guest
//!   was waiting (the handler expires them); none without that flag.
//! - `qmi_database_bytes{label}`, `qmi_statements_total{label}`: [`databases`].
//! - `qmi_tenant_requests_total{insee}`: requests the gateway let through for a
//!   commune. The gateway names it in `x-qmi-tenant` on the request it
//!   forwards; that request never leaves the composed component (middleware is
//!   linked into the service, as Spin links it), so the gateway also puts the
//!   header on its response, which the host reads here. Only a valid INSEE
//!   code is counted ([`tenants`]). The same counts, as JSON, at
//!   `GET /usage/requests`: `{"communes":{"93048":12,…}}`.
//!
//! Counts start at zero with the process: each replica counts its own.

mod component;
mod databases;
mod exposition;
mod histogram;
mod instance;
mod listener;
mod render;
mod tenants;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub use component::{ComponentMetrics, is_expired, is_trap};
pub use databases::Databases;
pub use instance::MeteredLimits;
pub use listener::serve;

use component::ComponentSnapshot;
use tenants::TenantCounters;

/// The header naming the commune of a request the gateway forwarded.
pub const TENANT_HEADER: http::HeaderName = http::HeaderName::from_static("x-qmi-tenant");

/// Every figure of the application.
pub struct Metrics {
    components: BTreeMap<String, Arc<ComponentMetrics>>,
    tenants: TenantCounters,
    databases: Databases,
}

impl Metrics {
    /// A registry for `components` (as `spin.toml` names them) and the
    /// databases' labels.
    pub fn new(components: impl IntoIterator<Item = String>, databases: Databases) -> Self {
        Self {
            components: components
                .into_iter()
                .map(|c| (c, Arc::default()))
                .collect(),
            tenants: TenantCounters::default(),
            databases,
        }
    }

    /// The figures of a component.
    pub fn component(&self, name: &str) -> Option<Arc<ComponentMetrics>> {
        self.components.get(name).cloned()
    }

    /// Counts a response of `component` (if it is one), and the commune the
    /// gateway named on it.
    pub fn response(
        &self,
        component: Option<&ComponentMetrics>,
        status: u16,
        headers: &http::HeaderMap,
        elapsed: Duration,
    ) {
        if let Some(component) = component {
            component.request(status, elapsed);
        }
        if let Some(insee) = headers.get(TENANT_HEADER) {
            self.tenants.count(insee.as_bytes());
        }
    }

    /// `{"communes":{"93048":12,…}}`: requests per commune.
    pub fn usage_json(&self) -> String {
        let communes: serde_json::Map<String, serde_json::Value> = self
            .tenants
            .counted()
            .into_iter()
            .map(|(insee, n)| (insee, n.into()))
            .collect();
        serde_json::json!({ "communes": communes }).to_string()
    }

    /// The whole document, in Prometheus' text format.
    pub async fn exposition(&self) -> String {
        let components: Vec<(&str, ComponentSnapshot)> = self
            .components
            .iter()
            .map(|(name, m)| (name.as_str(), m.snapshot()))
            .collect();
        render::document(&render::Figures {
            components,
            database_bytes: self.databases.sizes().await,
            statements: self.databases.statements(),
            tenants: self.tenants.counted(),
        })
    }
}
