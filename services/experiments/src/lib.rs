//! `qmi-experiments`: the 18 months after a selection. A selected application
//! becomes an experiment in its commune (a tenant), followed (sites, documents,
//! milestones, indicators and measurements, progress reports), opened to the
//! residents' feedback, evaluated on the programme's common grid, and concluded
//! with an outcome that may spread it to other communes.
//!
//! The rules that need no database are plain modules tested natively
//! ([`schedule`], [`import`]); the Spin handler lives in `component` (wasm32
//! only) and asks the `policy` component (`qmi:platform/authz`) before every
//! action.

pub mod import;
pub mod schedule;

// The Spin component (wasm32 only): the handler and one module per aggregate.
#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod consortium;
#[cfg(target_arch = "wasm32")]
mod context;
#[cfg(target_arch = "wasm32")]
mod evaluation;
#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod followed;
#[cfg(target_arch = "wasm32")]
mod indicators;
#[cfg(target_arch = "wasm32")]
mod lifecycle;
#[cfg(target_arch = "wasm32")]
mod listing;
#[cfg(target_arch = "wasm32")]
mod personal;
#[cfg(target_arch = "wasm32")]
mod reports;
#[cfg(target_arch = "wasm32")]
mod track;

/// The SQLite label of the experiments database.
pub const DATABASE: &str = "experiments";

/// The experiments database's tables (`migrations/`): every one a tenant table,
/// `insee` first in its key.
pub mod tables {
    use qmi_kit::sql::{Schema, TenantTable};

    /// Experiments.
    pub const EXPERIMENTS: TenantTable = TenantTable::new("experiments");
    /// The consortium of each experiment (the holder among them).
    pub const PARTNERS: TenantTable = TenantTable::new("experiment_partners");
    /// What happened to each experiment, in order (moves and the rest).
    pub const EVENTS: TenantTable = TenantTable::new("experiment_events");
    /// Sites.
    pub const SITES: TenantTable = TenantTable::new("experiment_sites");
    /// Documents.
    pub const DOCUMENTS: TenantTable = TenantTable::new("experiment_documents");
    /// Milestones.
    pub const MILESTONES: TenantTable = TenantTable::new("experiment_milestones");
    /// Indicators (with their latest measurement).
    pub const INDICATORS: TenantTable = TenantTable::new("indicators");
    /// Measurements of indicators.
    pub const MEASUREMENTS: TenantTable = TenantTable::new("measurements");
    /// Progress reports.
    pub const REPORTS: TenantTable = TenantTable::new("reports");
    /// Residents' feedback.
    pub const FEEDBACK: TenantTable = TenantTable::new("feedback");
    /// Scores on the common grid.
    pub const GRID: TenantTable = TenantTable::new("grid_scores");
    /// Links from an experiment to those spread from it.
    pub const SPREADS: TenantTable = TenantTable::new("experiment_spreads");
    /// Each experiment's themes, one per row (kept with its writes, for the figures).
    pub const THEMES: TenantTable = TenantTable::new("experiment_themes");

    /// Every table is a commune's.
    pub const SCHEMA: Schema = Schema {
        tenant: &[
            qmi_kit::audit::AUDIT,
            EXPERIMENTS,
            PARTNERS,
            EVENTS,
            SITES,
            DOCUMENTS,
            MILESTONES,
            INDICATORS,
            MEASUREMENTS,
            REPORTS,
            FEEDBACK,
            GRID,
            SPREADS,
            THEMES,
        ],
        platform: &[qmi_kit::audit::PLATFORM_AUDIT],
    };
}
pub use tables::SCHEMA;

/// Largest document accepted (10 MiB).
pub const MAX_DOCUMENT: usize = 10 * 1024 * 1024;
/// Most measurement lines one CSV import takes.
pub const MAX_IMPORT_LINES: usize = 20_000;
