//! `qmi-districts`: a commune's innovation district, created when the programme
//! selects the commune's candidacy, then completed by the commune's admins.
//! Who may do what is decided by the `policy` component, asked before every
//! action; the Spin handler lives in `component` (wasm32 only).

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod personal;

/// The SQLite label of the districts database.
pub const DATABASE: &str = "districts";

/// A commune's district (its key is `insee`: one per commune), created by the
/// programme's selection of its candidacy (a `campaign-select` decision for the
/// commune), completed by its admins (`district-update` for the commune), read
/// by anyone (`registry-read`, across communes, narrowed by the builder).
pub const DISTRICTS: qmi_kit::sql::TenantTable = qmi_kit::sql::TenantTable::new("districts");

/// The districts database's tables (`migrations/`): one tenant table.
pub const SCHEMA: qmi_kit::sql::Schema = qmi_kit::sql::Schema {
    tenant: &[qmi_kit::audit::AUDIT, DISTRICTS],
    platform: &[qmi_kit::audit::PLATFORM_AUDIT],
};
