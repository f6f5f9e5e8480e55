//! Accountability (issue 18): the audit trail of each commune, the people's data
//! rights (export and erasure), and the hosting operator's usage counts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The hash before the first entry of a chain (64 zeros).
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The service whose database keeps an entry (each keeps its own chains, written
/// in the transactions of its own changes).
pub const AUDITED_SERVICES: &[&str] = &[
    "identity",
    "applications",
    "districts",
    "experiments",
    "partners",
];

/// One entry of an audit chain: who did what to which record, when, from which
/// request. It names ids, never e-mails or names (an erased account's entries stay).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    /// The service that recorded it (`applications`, …).
    pub service: String,
    /// The commune's INSEE code; empty: the platform's chain (sign-ins, operator
    /// actions on no commune).
    pub insee: String,
    /// Position in the chain of (`service`, `insee`), from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: an account id (empty: anonymous or the platform itself).
    pub account_id: String,
    /// Their role for this commune (`admin`, `agent`, `reviewer`, `programme`,
    /// `hosting`, `organisation`, `account`, `anonymous`, `platform`).
    pub role: String,
    /// What: the policy action (`application-transition`, …), `sign-in`,
    /// `sign-in-failed` or `refusal:<action>`.
    pub action: String,
    /// The kind of record (its table, e.g. `applications`).
    pub record_kind: String,
    /// The record's id (empty when the change has none).
    pub record_id: String,
    /// The request's id (`x-qmi-request-id`).
    pub request_id: String,
    /// SHA-256 (hex) of the previous entry of the chain.
    pub prev_hash: String,
    /// SHA-256 (hex) of this entry: see [`entry_hash_input`].
    pub hash: String,
}

/// What an entry's hash covers: the previous hash and every field but `service`
/// and `hash`, each as `<byte length>:<bytes>` (no separator can be forged).
pub fn entry_hash_input(e: &AuditEntry) -> Vec<u8> {
    let seq = e.seq.to_string();
    let fields: [&str; 10] = [
        &e.prev_hash,
        &e.insee,
        &seq,
        &e.at,
        &e.account_id,
        &e.role,
        &e.action,
        &e.record_kind,
        &e.record_id,
        &e.request_id,
    ];
    let mut out = Vec::with_capacity(256);
    for f in fields {
        out.extend_from_slice(f.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// `GET /api/communes/{insee}/audit` (and `/api/admin/audit`, the platform's
/// chains): newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditPage {
    /// The entries of the page, newest first.
    pub items: Vec<AuditEntry>,
    /// Give it as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One commune's usage, counts only (the hosting operator's view: no content).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TenantUsage {
    /// The commune's INSEE code.
    pub insee: String,
    /// Its name (public, from the registry).
    pub name: String,
    /// Requests the gateway routed to it since the runtime started.
    pub requests: u64,
    /// Accounts that are members of it.
    pub accounts: u64,
    /// Rows it owns across every service's tenant tables.
    pub records: u64,
    /// Bytes of those rows (sum of their values' lengths).
    pub bytes: u64,
}

/// `GET /api/admin/usage`: per-commune usage, for the hosting operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Usage {
    /// Communes with any usage, by INSEE code.
    pub communes: Vec<TenantUsage>,
    /// Totals over every commune.
    pub total: TenantUsage,
}

/// A service's rows and bytes per commune (internal route `…/usage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceUsage {
    /// `(insee, rows, bytes)` per commune.
    pub communes: Vec<(String, u64, u64)>,
}

/// `DELETE /api/me`: the password confirms the erasure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EraseMe {
    /// The account's current password.
    pub password: String,
}

/// One component's figures from the runtime's metrics (`GET /api/admin/runtime`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ComponentFigures {
    /// The Spin component.
    pub component: String,
    /// Requests it answered.
    pub requests: u64,
    /// Of which 4xx.
    pub client_errors: u64,
    /// Of which 5xx.
    pub server_errors: u64,
    /// Median latency in seconds (from the histogram's buckets), if any request.
    pub p50_seconds: Option<f64>,
    /// Live instances.
    pub instances: u64,
    /// Linear memory of its live instances, bytes.
    pub memory_bytes: u64,
    /// Traps.
    pub traps: u64,
}

/// One database label's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseFigures {
    /// The label (`applications`, …).
    pub label: String,
    /// Its size, bytes.
    pub bytes: u64,
    /// Statements run on it.
    pub statements: u64,
}

/// `GET /api/admin/runtime`: the runtime's figures, read from its metrics
/// address (the `metrics_url` variable); `available: false` when the runtime
/// exposes none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuntimeFigures {
    /// Whether the runtime's metrics could be read.
    pub available: bool,
    /// Per component.
    pub components: Vec<ComponentFigures>,
    /// Per database label.
    pub databases: Vec<DatabaseFigures>,
}

/// Where the gateway leaves the refusals it answers itself (a route of a
/// commune the principal has no standing in, an operator route): keys
/// `<prefix><insee or "-">/<request id>` of the shared `default` key-value
/// store, moved into the commune's chain (the platform's for `-`) by identity
/// when a trail is read. The gateway keeps no database.
pub const PENDING_REFUSAL_PREFIX: &str = "audit-refusal/";

/// A refusal the gateway answered, waiting for its entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRefusal {
    /// The commune refused (empty: none, the platform's chain).
    pub insee: String,
    /// The account refused.
    pub account: String,
    /// `refusal:<reason>`.
    pub action: String,
    /// `METHOD /path`.
    pub path: String,
    /// The request's id.
    pub request_id: String,
    /// When (RFC 3339, UTC, milliseconds).
    pub at: String,
}

impl PendingRefusal {
    /// Its key in the shared store.
    pub fn key(&self) -> String {
        let chain = if self.insee.is_empty() {
            "-"
        } else {
            &self.insee
        };
        format!("{PENDING_REFUSAL_PREFIX}{chain}/{}", self.request_id)
    }

    /// The prefix of the keys of one chain's pending refusals.
    pub fn chain_prefix(insee: Option<&str>) -> String {
        format!("{PENDING_REFUSAL_PREFIX}{}/", insee.unwrap_or("-"))
    }
}
