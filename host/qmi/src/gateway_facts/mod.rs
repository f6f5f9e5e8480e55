//! What the gateway reads on every request — `tenant-status/<insee>` and
//! `rights/<account>` in the key-value store `default` — published from the
//! `identity` database by `qmi migrate`/`seed`/`up` (see
//! [`crate::data::sync_tenant_status`]), one file per store type.
//!
//! Either way, a process starting beside a running one never puts back an
//! older status or version than the one the running `identity` published
//! (which writes the store after its database commits):
//! - [`sqlite`]: the database is attached to the store's connection and both
//!   are written in one `BEGIN IMMEDIATE` transaction, so no other `identity`
//!   commits between what is read and what is written;
//! - [`redis`]: every key written is `WATCH`ed before the database is read
//!   and written in one `MULTI`/`EXEC`, retried from the read when another
//!   writer touched one of them in between.

mod redis;
mod sqlite;

use std::path::Path;

use anyhow::{Context as _, Result};
use qmi_manifest::KeyValueStore;

/// Publishes every commune's status and every account's rights version from
/// `identity` on PostgreSQL (`database_url`) into `store`, writing while the
/// rows read stay share-locked, so no process's newer change is overwritten.
pub async fn publish_from_postgres(store: KeyValueStore, database_url: &str) -> Result<()> {
    let summary = crate::postgres::identity_snapshot(database_url, |snapshot| async move {
        let summary = match store {
            KeyValueStore::Spin(location) => {
                let file = crate::app::file_of(Some(location), "default")?;
                sqlite::write_locked(&file, &snapshot)
                    .await
                    .with_context(|| {
                        format!("writing tenant statuses and rights to {}", file.display())
                    })?;
                file.display().to_string()
            }
            KeyValueStore::Redis { url } => {
                format!(
                    "Redis at {}",
                    self::redis::write_locked(&url, &snapshot).await?
                )
            }
        };
        Ok((snapshot.communes.len(), snapshot.rights.len(), summary))
    })
    .await?;
    let (communes, rights, store) = summary;
    tracing::info!(
        communes,
        rights,
        store,
        "published tenant statuses and rights versions (from PostgreSQL)"
    );
    Ok(())
}

/// Publishes every commune's status and every account's rights version from
/// the `identity` database file into `store`.
pub async fn publish(store: KeyValueStore, identity: &Path) -> Result<()> {
    let (communes, rights, summary) = match store {
        KeyValueStore::Spin(location) => {
            let file = crate::app::file_of(Some(location), "default")?;
            let (communes, rights) = sqlite::publish(&file, identity).await?;
            (communes, rights, file.display().to_string())
        }
        KeyValueStore::Redis { url } => {
            let (communes, rights, addr) = self::redis::publish(&url, identity).await?;
            (communes, rights, format!("Redis at {addr}"))
        }
    };
    tracing::info!(
        communes,
        rights,
        store = summary,
        "published tenant statuses and rights versions"
    );
    Ok(())
}
