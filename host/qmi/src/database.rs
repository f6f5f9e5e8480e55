//! `--database-url`: the PostgreSQL server the services use instead of their
//! SQLite labels. The URL given is the administrator's (migrations create
//! the roles and schemas); each service connects as its own role
//! `qmi_<label>` (docs/design/postgres.md), through the Spin variables
//! `<label>_database_url`, and may reach the server through
//! `database_origin` (its `allowed_outbound_hosts`).

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};

/// The variable naming the server the services may reach.
pub const ORIGIN_VARIABLE: &str = "database_origin";

/// A `postgres://` URL, split where the services' URLs differ from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// `host[:port]`.
    authority: String,
    /// `/db?params` (may be empty).
    rest: String,
}

impl DatabaseUrl {
    /// Parses `postgres://[user[:password]@]host[:port][/db][?params]`.
    pub fn parse(url: &str) -> Result<Self> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .context("a database URL starts with postgres://")?;
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() || host.starts_with(':') {
            bail!("the database URL {url:?} names no host");
        }
        Ok(Self {
            authority: host.to_owned(),
            rest: tail.to_owned(),
        })
    }

    /// The URL a service connects with: as its own role, without a password
    /// (local servers trust it; in production each `<label>_database_url`
    /// is set with the role's password).
    pub fn for_role(&self, role: &str) -> String {
        format!("postgres://{role}@{}{}", self.authority, self.rest)
    }

    /// `postgres://host:port`, for `allowed_outbound_hosts` (the default port
    /// written out).
    pub fn origin(&self) -> String {
        let has_port = self.authority.rsplit_once(':').is_some_and(|(_, p)| {
            p.chars().all(|c| c.is_ascii_digit()) && !self.authority.ends_with(']')
        });
        if has_port {
            format!("postgres://{}", self.authority)
        } else {
            format!("postgres://{}:5432", self.authority)
        }
    }
}

/// Environment-style overrides (`SPIN_VARIABLE_*`) pointing every declared
/// `<label>_database_url` at `url` as the label's role, and
/// `database_origin` at its server.
pub fn variable_overrides(
    url: &DatabaseUrl,
    declared: impl Fn(&str) -> bool,
    labels: impl IntoIterator<Item = String>,
) -> HashMap<String, String> {
    let mut overrides = HashMap::new();
    if declared(ORIGIN_VARIABLE) {
        overrides.insert(qmi_manifest::env_var_name(ORIGIN_VARIABLE), url.origin());
    }
    for label in labels {
        let variable = format!("{label}_database_url");
        if declared(&variable) {
            overrides.insert(
                qmi_manifest::env_var_name(&variable),
                url.for_role(&crate::postgres::login_role(&label)),
            );
        }
    }
    overrides
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_urls_keep_server_and_options_and_change_the_role() {
        let url = DatabaseUrl::parse("postgres://admin:secret@db.local:6543/qmi?sslmode=disable")
            .unwrap();
        assert_eq!(
            url.for_role("qmi_identity"),
            "postgres://qmi_identity@db.local:6543/qmi?sslmode=disable"
        );
        assert_eq!(url.origin(), "postgres://db.local:6543");
        let url = DatabaseUrl::parse("postgresql://db.local").unwrap();
        assert_eq!(url.origin(), "postgres://db.local:5432");
        assert!(DatabaseUrl::parse("mysql://db").is_err());
        assert!(DatabaseUrl::parse("postgres://user@/db").is_err());
    }

    #[test]
    fn overrides_only_declared_variables() {
        let url = DatabaseUrl::parse("postgres://a@h:1/d").unwrap();
        let overrides = variable_overrides(
            &url,
            |v| v != "districts_database_url",
            ["identity".to_owned(), "districts".to_owned()],
        );
        assert_eq!(
            overrides
                .get("SPIN_VARIABLE_IDENTITY_DATABASE_URL")
                .map(String::as_str),
            Some("postgres://qmi_identity@h:1/d")
        );
        assert!(!overrides.contains_key("SPIN_VARIABLE_DISTRICTS_DATABASE_URL"));
        assert_eq!(
            overrides
                .get("SPIN_VARIABLE_DATABASE_ORIGIN")
                .map(String::as_str),
            Some("postgres://h:1")
        );
    }
}
