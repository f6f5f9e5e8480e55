//! `qmi-identity`: the tenant registry, accounts, organisations, memberships
//! and tokens. Authorization is decided by the `policy` component, imported as
//! `qmi:platform/authz` (module `policy`, wasm32 only); [`authz`] maps identity's
//! operations to its questions and its refusals to HTTP. That mapping and the other
//! rules ([`throttle`], [`secrets`], [`tokens`]) are plain Rust tested natively; the
//! Spin handler lives in `component` (wasm32 only).

pub mod authz;
pub mod secrets;
pub mod throttle;
pub mod tokens;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod policy;

/// The SQLite label of the identity database.
pub const DATABASE: &str = "identity";

/// The key of a commune's status in the key-value store `default`, read by the gateway.
pub fn tenant_status_key(insee: &qmi_api::Insee) -> String {
    format!("tenant-status/{insee}")
}

/// The key of an account's rights version in the key-value store `default`, read
/// by the gateway on every authenticated request (compared with the token's `rv`).
pub fn rights_key(account: &str) -> String {
    format!("rights/{account}")
}

/// Every identity route of the catalogue has a handler: the ids `component`
/// dispatches on.
pub const OPERATIONS: &[&str] = &[
    "openapi",
    "createToken",
    "refreshToken",
    "logout",
    "getMe",
    "listCommunes",
    "getCommune",
    "getFigures",
    "listMembers",
    "addMember",
    "removeMember",
    "createCommune",
    "suspendCommune",
    "resumeCommune",
    "setCommuneStatus",
    "listOrganisations",
    "createOrganisation",
    "getOrganisation",
    "updateOrganisation",
    "listOrganisationMembers",
    "addOrganisationMember",
    "removeOrganisationMember",
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_catalogued_identity_route_is_handled() {
        let mut catalogued: Vec<_> =
            qmi_api::routes::ROUTES.iter().filter(|r| r.service == "identity").map(|r| r.id).collect();
        let mut handled = super::OPERATIONS.to_vec();
        catalogued.sort();
        handled.sort();
        assert_eq!(catalogued, handled);
    }
}
