//! A person's data rights on the services' side (docs/design/accountability.md,
//! "Personal data"): the internal export and erase requests identity sends,
//! the decision they carry, and what every service's `personal.rs` shares.
//!
//! **The decision.** Identity asks the policy (`personal-data-export`,
//! `account-erase`) about the signed-in account, then calls each service's
//! internal route with the internal token. That route has no principal to ask
//! about: what it acts on is identity's decision, relayed. A [`Subject`], made
//! only from a request that showed the internal token ([`export_request`],
//! [`erase_request`]), turns it into the [`Allowed`] the store asks for: across
//! communes to read the account's own rows ([`Subject::across`], every select
//! filtered on the account), one commune at a time to rewrite them
//! ([`Subject::within`]). Not `Db::facts` (facts read before a decision) nor
//! `Allowed::standing` (a decision stored with a record): grep
//! `Subject::within` / `Subject::across` to audit every use.
//!
//! **Erasure.** A service replaces the account's id by the tombstone in the rows
//! it authored and deletes what is only about it, in one transaction
//! (`Db::atomic`) on a connection with [`secure_delete`] on, then
//! [`checkpoint`]s its SQLite file so that no deleted byte stays in the
//! write-ahead log.

use std::collections::BTreeSet;

use qmi_api::Insee;
use serde_json::{Map, Value as Json};

use crate::sql::{Rows, Value};

/// Whether `s` may be an id: letters, digits and dashes, 1 to 64.
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Rows as JSON objects, column by column (a blob as its length only).
pub fn rows_json(rows: &Rows) -> Vec<Json> {
    rows.rows
        .iter()
        .map(|values| {
            let mut object = Map::new();
            for (column, value) in rows.columns.iter().zip(values) {
                let v = match value {
                    Value::Null => Json::Null,
                    Value::Integer(i) => Json::from(*i),
                    Value::Real(f) => Json::from(*f),
                    Value::Text(s) => Json::from(s.as_str()),
                    Value::Blob(b) => serde_json::json!({ "bytes": b.len() }),
                };
                object.insert(column.clone(), v);
            }
            Json::Object(object)
        })
        .collect()
}

/// The communes of `column` in `rows` (rows of another shape are skipped).
pub fn communes(rows: &Rows, column: &str) -> BTreeSet<Insee> {
    rows.iter()
        .filter_map(|r| r.text(column).and_then(|s| s.parse().ok()))
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use glue::*;

#[cfg(target_arch = "wasm32")]
mod glue {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use qmi_api::Insee;
    use qmi_api::internal::{ERASE_SUFFIX, EXPORT_SUFFIX, Target};
    use qmi_api::personal::{EraseAccount, Erased, ServicePart, is_tombstone};

    use super::is_id;
    use crate::decision::Allowed;
    use crate::http::Incoming;
    use crate::page::encode_component;
    use crate::problem::Problem;
    use crate::sql::{Dialect, Rows, Value};
    use crate::store::{Db, StoreError};

    /// The account whose data an internal request is about, with identity's
    /// decision on it (see the module's documentation).
    #[derive(Debug)]
    pub struct Subject {
        /// The account.
        pub account: String,
        /// Its organisation, if any.
        pub organisation: Option<String>,
        /// Its e-mail (lower-cased), for rows that name the address.
        pub email: Option<String>,
        /// Its display name, for free-text author fields (erasure only).
        pub name: Option<String>,
        suspended: RefCell<HashMap<Insee, bool>>,
    }

    /// An internal erase request: the subject and the id that replaces theirs.
    #[derive(Debug)]
    pub struct Erasure {
        /// The account erased.
        pub subject: Subject,
        /// What replaces its id in the rows it authored.
        pub tombstone: String,
    }

    impl Subject {
        fn new(
            account: &str,
            organisation: Option<&str>,
            email: Option<&str>,
            name: Option<&str>,
        ) -> Result<Self, Problem> {
            if !is_id(account) {
                return Err(Problem::invalid_field("account", "an account id"));
            }
            let organisation = organisation.map(str::trim).filter(|o| !o.is_empty());
            if organisation.is_some_and(|o| !is_id(o)) {
                return Err(Problem::invalid_field("organisation", "an organisation id"));
            }
            Ok(Self {
                account: account.to_owned(),
                organisation: organisation.map(str::to_owned),
                email: email
                    .map(|e| e.trim().to_lowercase())
                    .filter(|e| !e.is_empty()),
                name: name
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
                suspended: RefCell::new(HashMap::new()),
            })
        }

        /// Identity's decision, for reading the subject's own rows in every
        /// commune (each select filters on the subject).
        pub fn across(&self) -> Allowed {
            Allowed::new(None, "personal-data-export")
        }

        /// Identity's decision, for rewriting the subject's own rows in `insee`.
        pub fn within(&self, insee: &Insee) -> Allowed {
            Allowed::new(Some(insee.clone()), "account-erase")
        }

        /// Whether the records of `insee` are withheld from an export: the
        /// commune is suspended, its content frozen.
        pub async fn withheld(&self, insee: &Insee) -> Result<bool, Problem> {
            let known = self.suspended.borrow().get(insee).copied();
            if let Some(s) = known {
                return Ok(s);
            }
            let s = crate::tenancy::is_suspended(insee).await?;
            self.suspended.borrow_mut().insert(insee.clone(), s);
            Ok(s)
        }

        /// `rows` without those of withheld communes (by their `insee` column;
        /// a row without one is kept).
        pub async fn visible(&self, rows: Rows) -> Result<Rows, Problem> {
            let at = rows.columns.iter().position(|c| c == "insee");
            let mut kept = Rows {
                columns: rows.columns,
                rows: Vec::new(),
            };
            for values in rows.rows {
                let insee: Option<Insee> = at.and_then(|i| values.get(i)).and_then(|v| match v {
                    Value::Text(s) => s.parse().ok(),
                    _ => None,
                });
                match insee {
                    Some(insee) if self.withheld(&insee).await? => {}
                    _ => kept.rows.push(values),
                }
            }
            Ok(kept)
        }

        /// The communes found withheld so far (for [`ServicePart::withheld`]).
        pub fn withheld_communes(&self) -> Vec<String> {
            let mut out: Vec<String> = self
                .suspended
                .borrow()
                .iter()
                .filter(|(_, s)| **s)
                .map(|(i, _)| i.to_string())
                .collect();
            out.sort();
            out
        }
    }

    /// `GET <prefix>/export?account=&organisation=&email=`, once the internal
    /// token is checked.
    pub async fn export_request(req: &Incoming) -> Result<Subject, Problem> {
        crate::internal::authorize(req).await?;
        Subject::new(
            req.query.get("account").unwrap_or(""),
            req.query.get("organisation"),
            req.query.get("email"),
            None,
        )
    }

    /// `POST <prefix>/erase` ([`EraseAccount`]), once the internal token is checked.
    pub async fn erase_request(req: &Incoming) -> Result<Erasure, Problem> {
        crate::internal::authorize(req).await?;
        let body: EraseAccount = req.json()?;
        if !is_tombstone(&body.tombstone) || !is_id(&body.tombstone) {
            return Err(Problem::invalid_field("tombstone", "a tombstone id"));
        }
        Ok(Erasure {
            subject: Subject::new(
                &body.account,
                None,
                body.email.as_deref(),
                body.name.as_deref(),
            )?,
            tombstone: body.tombstone,
        })
    }

    /// Turns SQLite's `secure_delete` on for this connection, before an
    /// erasure's deletes: what they delete is overwritten with zeros in the
    /// file rather than left in free space — under real Spin too, which opens
    /// its connections without it (qmi sets it on all of them). Space freed
    /// earlier without it is rewritten by `qmi maintenance` (`VACUUM`).
    pub async fn secure_delete(db: &Db) -> Result<(), StoreError> {
        if db.dialect() == Dialect::Sqlite {
            db.platform()
                .run("PRAGMA secure_delete = ON", Vec::new())
                .await?;
        }
        Ok(())
    }

    /// Truncates the SQLite write-ahead log once its pages are back in the
    /// database file (`PRAGMA wal_checkpoint(TRUNCATE)`), so that the bytes an
    /// erasure deleted (zeroed in the file: the runtime sets `secure_delete`)
    /// survive in no frame of the log. Retried while another connection reads;
    /// a log still busy after that is only logged (the next checkpoint copies
    /// it). PostgreSQL keeps dead rows until `VACUUM` (the operator's, see
    /// `qmi maintenance`): nothing to do here.
    pub async fn checkpoint(db: &Db) -> Result<(), StoreError> {
        if db.dialect() != Dialect::Sqlite {
            return Ok(());
        }
        for _ in 0..8 {
            let rows = db
                .platform()
                .run("PRAGMA wal_checkpoint(TRUNCATE)", Vec::new())
                .await?;
            if rows.first().and_then(|r| r.int("busy")) == Some(0) {
                return Ok(());
            }
        }
        crate::log!("personal data: the write-ahead log stayed busy; checkpointed later");
        Ok(())
    }

    /// A service's part of `subject`'s export, from its internal route.
    pub async fn fetch_part(
        target: &Target,
        account: &str,
        organisation: Option<&str>,
        email: &str,
    ) -> Result<ServicePart, Problem> {
        let mut path = format!(
            "{}{EXPORT_SUFFIX}?account={}&email={}",
            target.prefix,
            encode_component(account),
            encode_component(email)
        );
        if let Some(org) = organisation {
            path.push_str(&format!("&organisation={}", encode_component(org)));
        }
        let (status, body) = crate::internal::send(target, "GET", &path, None).await?;
        if status != 200 {
            return Err(crate::api::upstream(target.prefix, status, &body));
        }
        serde_json::from_slice(&body)
            .map_err(|e| Problem::internal(format!("{}: {e}", target.prefix)))
    }

    /// A service's erasure of an account, through its internal route.
    pub async fn erase_part(target: &Target, erase: &EraseAccount) -> Result<Erased, Problem> {
        let body = serde_json::to_vec(erase).map_err(Problem::internal)?;
        let path = format!("{}{ERASE_SUFFIX}", target.prefix);
        let (status, answer) = crate::internal::send(target, "POST", &path, Some(body)).await?;
        if status != 200 {
            return Err(crate::api::upstream(target.prefix, status, &answer));
        }
        serde_json::from_slice(&answer)
            .map_err(|e| Problem::internal(format!("{}: {e}", target.prefix)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_objects_and_blobs_their_size() {
        let rows = Rows {
            columns: vec!["id".into(), "n".into(), "data".into(), "gone".into()],
            rows: vec![vec![
                Value::from("a"),
                Value::Integer(2),
                Value::Blob(vec![1, 2, 3]),
                Value::Null,
            ]],
        };
        assert_eq!(
            rows_json(&rows),
            vec![serde_json::json!({ "id": "a", "n": 2, "data": { "bytes": 3 }, "gone": null })]
        );
    }

    #[test]
    fn ids_communes_and_query_values() {
        assert!(is_id("compte-supprime-0190abc"));
        assert!(!is_id("a b") && !is_id("") && !is_id(&"x".repeat(65)));
        let rows = Rows {
            columns: vec!["insee".into()],
            rows: vec![
                vec![Value::from("93066")],
                vec![Value::from("93066")],
                vec![Value::from("75056")],
                vec![Value::from("nope")],
            ],
        };
        let found: Vec<String> = communes(&rows, "insee")
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(found, ["75056", "93066"]);
        assert_eq!(crate::page::encode_component("jo+x@a.fr"), "jo%2Bx%40a.fr");
        assert_eq!(
            crate::page::Query::parse(&format!("e={}", crate::page::encode_component("é è@x.fr")))
                .get("e"),
            Some("é è@x.fr")
        );
    }
}
