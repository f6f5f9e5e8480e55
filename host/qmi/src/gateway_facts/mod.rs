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

use anyhow::Result;
use qmi_manifest::KeyValueStore;

/// Writes a snapshot of `identity` on PostgreSQL, whose rows the caller holds
/// share-locked, into the Redis server at `url`.
pub async fn write_locked_to_redis(
    url: &str,
    communes: &[(String, String)],
    rights: &[(String, i64)],
) -> Result<()> {
    let addr = self::redis::write_locked(url, communes, rights).await?;
    tracing::info!(
        communes = communes.len(),
        rights = rights.len(),
        store = format!("Redis at {addr}"),
        "published tenant statuses and rights versions"
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
