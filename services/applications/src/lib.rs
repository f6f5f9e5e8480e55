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
pub mod geo;
pub mod jury;
pub mod letter;
pub mod letterhead;
pub mod notice;
pub mod paris;
pub mod scoring;
pub mod sniff;
pub mod workflow;

#[cfg(target_arch = "wasm32")]
mod component;

/// The SQLite label of the applications database.
pub const DATABASE: &str = "applications";

/// Largest attachment accepted (10 MiB).
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

