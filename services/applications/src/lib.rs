//! `qmi-applications`: calls for communes (campaigns) and their candidacies,
//! calls for solutions with configurable forms, weighted criteria and workflows,
//! applications, reviews with conflict-of-interest recusal, decisions, letters
//! and exports. The rules are plain Rust modules tested natively; the Spin
//! handler lives in `component` (wasm32 only) and asks the `policy` component
//! (`qmi:platform/authz`) before every action, and tells people what happened
//! (receipts, assignments, decisions, reminders before a call closes) through
//! the notifications outbox (`notice` builds the messages' content).

pub mod assign;
pub mod eligibility;
pub mod export;
pub mod form;
pub mod jury;
pub mod letter;
pub mod letterhead;
pub mod notice;
pub mod paris;
pub mod scoring;
pub mod workflow;

/// File types by content (the kit's, shared with the experiments' documents).
pub use qmi_kit::sniff;

#[cfg(target_arch = "wasm32")]
mod component;
// A person's data (export, erasure) on the internal route.
#[cfg(target_arch = "wasm32")]
mod personal;

/// The SQLite label of the applications database.
pub const DATABASE: &str = "applications";

/// The applications database's tables by tenancy (`migrations/`).
pub mod tables {
    use qmi_kit::sql::{Schema, TenantTable};

    /// A commune's candidacy to a campaign (key `insee, campaign_id`).
    pub const CANDIDACIES: TenantTable = TenantTable::new("candidacies");
    /// A commune's calls for projects.
    pub const CALLS: TenantTable = TenantTable::new("calls");
    /// Applications to a commune's calls.
    pub const APPLICATIONS: TenantTable = TenantTable::new("applications");
    /// An application's history.
    pub const EVENTS: TenantTable = TenantTable::new("application_events");
    /// An application's attachments.
    pub const ATTACHMENTS: TenantTable = TenantTable::new("attachments");
    /// Reviewers assigned to applications.
    pub const ASSIGNMENTS: TenantTable = TenantTable::new("assignments");
    /// Reviewers' scores.
    pub const SCORES: TenantTable = TenantTable::new("scores");
    /// Reminders due on applications.
    pub const REMINDERS: TenantTable = TenantTable::new("reminders");

    /// Tenant tables have `insee` first in their key and rows of one commune each;
    /// campaigns (the programme's calls for communes), their events and the outbox
    /// are the platform's.
    pub const SCHEMA: Schema = Schema {
        tenant: &[
            qmi_kit::audit::AUDIT,
            CANDIDACIES,
            CALLS,
            APPLICATIONS,
            EVENTS,
            ATTACHMENTS,
            ASSIGNMENTS,
            SCORES,
            REMINDERS,
        ],
        platform: &[
            qmi_kit::audit::PLATFORM_AUDIT,
            "campaigns",
            "campaign_events",
            "outbox",
        ],
    };
}
pub use tables::SCHEMA;

/// Largest attachment accepted (10 MiB).
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;
