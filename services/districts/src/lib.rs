//! `qmi-districts`: a commune's innovation district, created when the programme
//! selects the commune's candidacy, then completed by the commune's admins.
//! Who may do what is decided by the `policy` component, asked before every
//! action; the Spin handler lives in `component` (wasm32 only).

#[cfg(target_arch = "wasm32")]
mod component;

/// The SQLite label of the districts database.
pub const DATABASE: &str = "districts";

