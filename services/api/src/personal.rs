//! A person's data rights (RGPD): the export of everything QMI holds about an
//! account (art. 15 and 20) and its erasure (art. 17).
//!
//! Identity answers both (`GET /api/me/export`, `DELETE /api/me`) and gathers the
//! other services' parts over their internal routes ([`crate::internal::PERSONAL`]):
//! `GET <prefix>/export?account=&organisation=&email=` answers a [`ServicePart`],
//! `POST <prefix>/erase` takes an [`EraseAccount`] and answers [`Erased`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format of the export file, named in it.
pub const EXPORT_FORMAT: &str = "qmi-personal-data/1";

/// How an erased account's id is replaced in the rows it authored: this prefix
/// and a random UUID, so that nothing links the rows back to the person.
pub const TOMBSTONE_PREFIX: &str = "compte-supprime-";

/// The name shown where an erased account's name was stored.
pub const ERASED_NAME: &str = "Compte supprimé";

/// Whether `id` is an erased account's tombstone.
pub fn is_tombstone(id: &str) -> bool {
    id.starts_with(TOMBSTONE_PREFIX)
}

/// The name of the export file for the day `date` (`YYYY-MM-DD`).
pub fn export_file_name(date: &str) -> String {
    format!("qmi-mes-donnees-{date}.json")
}

/// `GET /api/me/export`: one JSON file with what every service holds about the
/// signed-in account. Other people appear by their ids only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonalData {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The account.
    pub account_id: String,
    /// Each service's part, by service (`identity`, `applications`, …).
    pub services: BTreeMap<String, ServicePart>,
}

/// One service's part of an export: its records naming the account, by kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServicePart {
    /// Records by kind (usually a table): each a JSON object of its fields.
    pub records: BTreeMap<String, Vec<serde_json::Value>>,
    /// Communes whose records are withheld while they are suspended (their
    /// content is frozen for everyone but the programme team; export again once
    /// they are resumed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    /// What this part leaves out, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// `POST <prefix>/erase` (internal): replace `account` by `tombstone` in the rows
/// it authored and delete what is only about it. Idempotent: run again, it finds
/// nothing left to change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseAccount {
    /// The account erased.
    pub account: String,
    /// What replaces its id ([`TOMBSTONE_PREFIX`]…).
    pub tombstone: String,
    /// Its e-mail: what some rows name instead of the id (contacts, feedback,
    /// mails to its address).
    #[serde(default)]
    pub email: Option<String>,
    /// Its display name: what free-text author fields hold.
    #[serde(default)]
    pub name: Option<String>,
}

/// The answer of an internal erase: how many rows it changed or deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Erased {
    /// Rows changed or deleted.
    pub rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_and_file_names() {
        assert!(is_tombstone("compte-supprime-0190"));
        assert!(!is_tombstone("0190-compte-supprime"));
        assert_eq!(
            export_file_name("2026-05-01"),
            "qmi-mes-donnees-2026-05-01.json"
        );
        let erase: EraseAccount =
            serde_json::from_str(r#"{"account":"a","tombstone":"compte-supprime-x"}"#).unwrap();
        assert_eq!((erase.email, erase.name), (None, None));
        assert!(
            serde_json::from_str::<EraseAccount>(r#"{"account":"a","tombstone":"t","x":1}"#)
                .is_err()
        );
    }
}
