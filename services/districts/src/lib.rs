//! `qmi-districts`: a commune's innovation district, created when the programme
//! selects the commune's candidacy, then completed by the commune's admins.
//! Who may do what is decided by the `policy` component, asked before every
//! action; the Spin handler lives in `component` (wasm32 only).

#[cfg(target_arch = "wasm32")]
mod component;

/// The SQLite label of the districts database.
pub const DATABASE: &str = "districts";

/// The districts database's tables (`migrations/`). `districts` is a registry
/// like identity's `communes`: one row per selected commune (its key is `insee`),
/// created by the programme's selection (a decision without a commune), readable
/// by anyone without a decision, updated by the commune's admins after a
/// `DistrictUpdate` decision for that commune. No table holds rows of one commune
/// among others, so every query takes the platform path.
pub const SCHEMA: qmi_kit::sql::Schema = qmi_kit::sql::Schema {
    tenant: &[],
    platform: &["districts"],
};
