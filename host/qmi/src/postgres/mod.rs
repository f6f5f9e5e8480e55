//! The PostgreSQL backend's database side, for `qmi migrate --database-url` and
//! `qmi seed --database-url` (docs/design/postgres.md): one schema per service
//! label, owned by a role `qmi_<label>_owner` (NOLOGIN) that owns every object in
//! it, and a login role `qmi_<label>` the service connects as, which owns nothing,
//! cannot bypass row-level security and may only read and write the schema's
//! tables. Each service's migrations (`services/<label>/migrations-postgres/`) run
//! with sqlx as the owner role, with their `_sqlx_migrations` table in the schema.

mod migrate;
mod roles;
mod seed;
mod tenants;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use sqlx::{Connection as _, PgConnection};

pub use migrate::migrate;
pub use seed::seed;
pub use tenants::{IdentitySnapshot, identity_snapshot};

/// A service label with PostgreSQL migrations, and the names derived from it.
#[derive(Clone, Debug)]
pub struct Service {
    /// The label, also the schema's name.
    pub label: String,
    /// `services/<label>/migrations-postgres`.
    pub migrations: PathBuf,
}

impl Service {
    /// The role that owns the schema and everything in it (NOLOGIN).
    pub fn owner(&self) -> String {
        format!("qmi_{}_owner", self.label)
    }

    /// The role the service connects as.
    pub fn login(&self) -> String {
        login_role(&self.label)
    }
}

/// The role the service of `label` connects as (`qmi_<label>`).
pub fn login_role(label: &str) -> String {
    format!("qmi_{label}")
}

/// The services of the manifest that keep data: every `sqlite_databases` label
/// with SQLite migrations must have PostgreSQL ones too (one logical schema).
pub fn services(manifest_path: &Path) -> Result<Vec<Service>> {
    let manifest = qmi_manifest::load(manifest_path)
        .with_context(|| format!("loading {}", manifest_path.display()))?;
    let mut labels: Vec<String> = manifest
        .components
        .values()
        .flat_map(|c| c.sqlite_databases.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    let mut services = Vec::new();
    for label in labels {
        let dir = manifest.dir.join("services").join(&label);
        let migrations = dir.join("migrations-postgres");
        if !migrations.is_dir() {
            if dir.join("migrations").is_dir() {
                bail!(
                    "{label} has SQLite migrations but no PostgreSQL ones ({})",
                    migrations.display()
                );
            }
            continue;
        }
        if !label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("label {label:?} cannot name a PostgreSQL schema (a-z, 0-9, _ only)");
        }
        services.push(Service { label, migrations });
    }
    Ok(services)
}

/// Opens one connection to the database URL (the admin's, for these commands).
pub async fn connect(url: &str) -> Result<PgConnection> {
    PgConnection::connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://admin:s3cret@db:5432/qmi"),
            "postgres://admin:***@db:5432/qmi"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/qmi"),
            "postgres://postgres@127.0.0.1:5432/qmi"
        );
    }
}
