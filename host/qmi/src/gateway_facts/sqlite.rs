//! Publishing into a SQLite key-value file (Spin's `spin_key_value` table,
//! store `default`), in one transaction with the `identity` database attached.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::postgres::IdentitySnapshot as Snapshot;

/// Publishes the statuses and rights versions of `identity` into the store
/// file `kv_file`; returns how many of each were written.
///
/// The identity database is attached to the store's connection and both are
/// written in one `BEGIN IMMEDIATE` transaction: another process's `identity`
/// cannot commit a change between what is read here and what is written.
pub(super) async fn publish(kv_file: &Path, identity: &Path) -> Result<(u64, u64)> {
    let kv = open(kv_file).await?;
    let mut conn = kv.acquire().await?;
    sqlx::query("ATTACH DATABASE ?1 AS identity")
        .bind(identity.to_string_lossy().into_owned())
        .execute(&mut *conn)
        .await
        .with_context(|| format!("attaching {}", identity.display()))?;
    let published: Result<(u64, u64)> = async {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let communes = sqlx::query(
            "INSERT INTO spin_key_value (store, key, value)
             SELECT 'default', 'tenant-status/' || insee, CAST(status AS BLOB) FROM identity.communes WHERE true
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
        )
        .execute(&mut *conn)
        .await
        .context("publishing commune statuses")?
        .rows_affected();
        sqlx::query(
            "DELETE FROM spin_key_value WHERE store = 'default' AND key LIKE 'rights/%'
               AND substr(key, 8) NOT IN (SELECT id FROM identity.accounts WHERE rights_version > 0)",
        )
        .execute(&mut *conn)
        .await
        .context("removing rights versions the database does not hold")?;
        let rights = sqlx::query(
            "INSERT INTO spin_key_value (store, key, value)
             SELECT 'default', 'rights/' || id, CAST(CAST(rights_version AS TEXT) AS BLOB) FROM identity.accounts WHERE rights_version > 0
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
        )
        .execute(&mut *conn)
        .await
        .context("publishing rights versions")?
        .rows_affected();
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        Ok((communes, rights))
    }
    .await;
    if published.is_err() {
        let _rolled_back = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    let _detached = sqlx::query("DETACH DATABASE identity")
        .execute(&mut *conn)
        .await;
    drop(conn);
    kv.close().await;
    let (communes, rights) = published.with_context(|| {
        format!(
            "writing tenant statuses and rights to {}",
            kv_file.display()
        )
    })?;
    Ok((communes, rights))
}

/// The store file's pool, with Spin's `spin_key_value` table.
async fn open(kv_file: &Path) -> Result<sqlx::SqlitePool> {
    let kv = crate::factors::sqlite::open_pool(kv_file).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS spin_key_value (
            store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
            PRIMARY KEY (store, key))",
    )
    .execute(&kv)
    .await?;
    Ok(kv)
}

/// Writes into the store file `kv_file`, in one transaction, a snapshot whose
/// rows the caller holds share-locked (PostgreSQL's `identity`, read `FOR
/// SHARE`): every value, and no `rights/…` key the snapshot does not hold.
pub(super) async fn write_locked(kv_file: &Path, snapshot: &Snapshot) -> Result<()> {
    let kv = open(kv_file).await?;
    let written: Result<()> = async {
        let mut tx = kv.begin().await?;
        let holders: Vec<&str> = snapshot.rights.iter().map(|(id, _)| id.as_str()).collect();
        sqlx::query(
            "DELETE FROM spin_key_value WHERE store = 'default' AND key LIKE 'rights/%'
               AND substr(key, 8) NOT IN (SELECT value FROM json_each(?1))",
        )
        .bind(serde_json::to_string(&holders)?)
        .execute(&mut *tx)
        .await?;
        for (key, value) in snapshot.values() {
            sqlx::query(
                "INSERT INTO spin_key_value (store, key, value) VALUES ('default', ?1, ?2)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    kv.close().await;
    written
}
