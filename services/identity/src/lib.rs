//! `qmi-identity`: the tenant registry, accounts, organisations, memberships
//! and tokens. Authorization is decided by the `policy` component, asked through the
//! kit's policy client (`qmi_kit::policy`); [`authz`] maps identity's operations to
//! its questions. That mapping and the other
//! rules ([`throttle`], [`secrets`], [`tokens`]) are plain Rust tested natively; the
//! Spin handler lives in `component` (wasm32 only).

pub mod authz;
pub mod prometheus;
pub mod search;
pub mod secrets;
pub mod throttle;
pub mod tokens;

#[cfg(target_arch = "wasm32")]
mod component;

/// The SQLite label of the identity database.
pub const DATABASE: &str = "identity";

/// The identity database's tables by tenancy (`migrations/`).
pub mod tables {
    use qmi_kit::sql::{Schema, TenantTable};

    /// A commune's members and their roles (key `insee, account_id`).
    pub const MEMBERSHIPS: TenantTable = TenantTable::new("memberships");

    /// A commune's invitations: the view of `invitations` whose kind is
    /// `commune` (read-only; writes go to `invitations` by id).
    pub const COMMUNE_INVITATIONS: TenantTable = TenantTable::new("commune_invitations");

    /// `memberships` and `commune_invitations` hold one commune's rows each;
    /// everything else is the platform's: the communes registry, its name index, its tallies and
    /// its status history (written by the programme's operators), accounts, organisations,
    /// tokens, throttling, the outbox, and `invitations` — commune, programme and
    /// organisation invitations in one table (most rows belong to no commune; a
    /// commune's are read through `commune_invitations`, written by id after a
    /// decision for their commune).
    pub const SCHEMA: Schema = Schema {
        tenant: &[qmi_kit::audit::AUDIT, MEMBERSHIPS, COMMUNE_INVITATIONS],
        platform: &[
            qmi_kit::audit::PLATFORM_AUDIT,
            "communes",
            "commune_names",
            "commune_tallies",
            "commune_status_history",
            "organisations",
            "organisation_invitations",
            "accounts",
            "platform_roles",
            "refresh_tokens",
            "sign_in_throttle",
            "outbox",
            "invitations",
            "email_confirmations",
            "join_requests",
            "password_resets",
            "email_changes",
        ],
    };
}
pub use tables::SCHEMA;

/// The key of a commune's status in the key-value store `default`, read by the gateway.
pub fn tenant_status_key(insee: &qmi_api::Insee) -> String {
    format!("tenant-status/{insee}")
}

/// The key of an account's rights version in the key-value store `default`, read
/// by the gateway on every authenticated request (compared with the token's `rv`).
pub fn rights_key(account: &str) -> String {
    format!("rights/{account}")
}

/// What is wrong with a name (of a commune, an organisation, a person), if
/// anything: 1 to 200 characters once trimmed, and no control character (NUL,
/// line breaks, escapes…), which has no place in a name and would otherwise
/// reach the database's own checks as a 500.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 {
        Some("a name of 1 to 200 characters")
    } else if name.chars().any(char::is_control) {
        Some("a name without control characters")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_refuse_control_characters_and_empty_or_long_text() {
        for good in [
            "Solaire Urbain",
            "Grüne Wege GmbH",
            "L'Île-Saint-Denis",
            "  padded  ",
        ] {
            assert_eq!(super::name_problem(good), None, "{good:?}");
        }
        for bad in [
            "",
            "   ",
            "\u{0}",
            "a\u{0}b",
            "line\nbreak",
            "tab\there",
            "\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
        ] {
            assert!(super::name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(super::name_problem(&"x".repeat(201)).is_some());
        assert_eq!(super::name_problem(&"é".repeat(200)), None);
    }
}
