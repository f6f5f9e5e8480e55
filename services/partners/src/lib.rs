//! `qmi-partners`: the partner directory. Organisation profiles (one identity
//! across every commune: platform tables), searched in French with facets, with
//! their logos, track records and merges; each commune's private notes on
//! organisations (tenant tables) and the programme team's own.
//!
//! The rules that need no database are plain modules tested natively
//! ([`fold`], [`profile`]); the Spin handler lives in `component` (wasm32 only)
//! and asks the `policy` component (`qmi:platform/authz`) before every action.

pub mod fold;
pub mod profile;

// The Spin component (wasm32 only): the handler and one module per aggregate.
#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod context;
#[cfg(target_arch = "wasm32")]
mod directory;
#[cfg(target_arch = "wasm32")]
mod logo;
#[cfg(target_arch = "wasm32")]
mod merge;
#[cfg(target_arch = "wasm32")]
mod notes;
#[cfg(target_arch = "wasm32")]
mod personal;
#[cfg(target_arch = "wasm32")]
mod private;
#[cfg(target_arch = "wasm32")]
mod profiles;

/// The SQLite label of the partners database.
pub const DATABASE: &str = "partners";

/// The partners database's tables (`migrations/`).
pub mod tables {
    use qmi_kit::sql::{Schema, TenantTable};

    /// A commune's private notes on organisations.
    pub const NOTES: TenantTable = TenantTable::new("notes");
    /// Every version of each of them.
    pub const NOTE_VERSIONS: TenantTable = TenantTable::new("note_versions");

    /// Profiles and the programme's notes are platform tables; a commune's notes
    /// are its own.
    pub const SCHEMA: Schema = Schema {
        tenant: &[qmi_kit::audit::AUDIT, NOTES, NOTE_VERSIONS],
        platform: &[
            qmi_kit::audit::PLATFORM_AUDIT,
            "organisations",
            "organisation_themes",
            "organisation_presence",
            "organisation_logos",
            "organisation_search",
            "directory_facets",
            "organisation_facets",
            "facet_themes",
            "facet_communes",
            "programme_notes",
            "programme_note_versions",
        ],
    };
}
pub use tables::SCHEMA;
