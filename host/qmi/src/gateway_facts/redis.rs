//! Publishing into a Redis key-value store, with optimistic locking.
//!
//! The running `identity` writes a key only after its database committed the
//! value. So, here: every key about to be written (or removed) is `WATCH`ed
//! *before* the database snapshot that gives its value is read, and all of
//! them are written in one `MULTI`/`EXEC`. A write by `identity` that lands
//! before the `WATCH` follows a commit that the snapshot already holds; one
//! that lands between the `WATCH` and the `EXEC` aborts the `EXEC`, and the
//! publication starts again from a fresh snapshot; one that lands after is
//! newer and stays. No key is ever set to a value older than the one it holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use redis::{AsyncCommands as _, Client, aio::MultiplexedConnection};

/// How many times the publication is tried again after another writer
/// touched one of its keys.
const MAX_ATTEMPTS: usize = 20;

/// The keys and values the `identity` database holds for the gateway.
struct Snapshot {
    /// `tenant-status/<insee>` and `rights/<account>` → value.
    values: BTreeMap<String, Vec<u8>>,
    communes: u64,
    rights: u64,
}

/// A connection to the Redis server at `url`, and the server's address (for
/// logs; the URL may hold a password).
async fn connect(url: &str) -> Result<(MultiplexedConnection, String)> {
    let client = Client::open(url).context("key-value store \"default\": invalid Redis URL")?;
    let addr = client.get_connection_info().addr().to_string();
    let redis = client
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("connecting to Redis at {addr}"))?;
    Ok((redis, addr))
}

/// Publishes the statuses and rights versions of `identity` into the Redis
/// server at `url`; returns how many of each were written, and the server's
/// address (for logs; the URL may hold a password).
pub(super) async fn publish(url: &str, identity: &Path) -> Result<(u64, u64, String)> {
    // A connection of its own: `WATCH` holds for the connection that sent it.
    let (mut redis, addr) = connect(url).await?;
    let pool = crate::factors::sqlite::open_pool(identity).await?;
    let published = publish_with(&mut redis, &pool).await;
    pool.close().await;
    let (communes, rights) =
        published.with_context(|| format!("writing tenant statuses and rights to {addr}"))?;
    Ok((communes, rights, addr))
}

/// Writes into the Redis server at `url` a snapshot whose rows the caller holds
/// share-locked (PostgreSQL's `identity`, read `FOR SHARE`: no other process
/// commits a newer value until this returns): every value, and no `rights/…`
/// key the snapshot does not hold. Returns the server's address.
pub(super) async fn write_locked(
    url: &str,
    snapshot: &crate::postgres::IdentitySnapshot,
) -> Result<String> {
    let (mut redis, addr) = connect(url).await?;
    let values: BTreeMap<String, Vec<u8>> = snapshot.values().collect();
    let stale: Vec<String> = rights_keys(&mut redis)
        .await?
        .into_iter()
        .filter(|key| !values.contains_key(key))
        .collect();
    let mut transaction = redis::pipe();
    transaction.atomic();
    if !values.is_empty() {
        let pairs: Vec<(&String, &Vec<u8>)> = values.iter().collect();
        transaction.mset(&pairs);
    }
    if !stale.is_empty() {
        transaction.del(&stale);
    }
    let _done: Option<Vec<redis::Value>> = transaction
        .query_async(&mut redis)
        .await
        .with_context(|| format!("writing tenant statuses and rights to {addr}"))?;
    Ok(addr)
}

async fn publish_with(
    redis: &mut MultiplexedConnection,
    pool: &sqlx::SqlitePool,
) -> Result<(u64, u64)> {
    for _ in 0..MAX_ATTEMPTS {
        let mut watched = BTreeSet::new();
        // Watch until the snapshot names no key that was not watched before it
        // was read (usually twice: the keys are known after the first read).
        let (snapshot, stale) = loop {
            let present = rights_keys(redis).await?;
            let snapshot = read_snapshot(pool).await?;
            let unwatched: Vec<&String> = snapshot
                .values
                .keys()
                .chain(&present)
                .filter(|key| !watched.contains(*key))
                .collect();
            if unwatched.is_empty() {
                let stale: Vec<String> = present
                    .into_iter()
                    .filter(|key| !snapshot.values.contains_key(key))
                    .collect();
                break (snapshot, stale);
            }
            redis::cmd("WATCH")
                .arg(&unwatched)
                .exec_async(redis)
                .await
                .context("watching the keys")?;
            watched.extend(unwatched.into_iter().cloned());
        };
        let mut transaction = redis::pipe();
        transaction.atomic();
        if !snapshot.values.is_empty() {
            let pairs: Vec<(&String, &Vec<u8>)> = snapshot.values.iter().collect();
            transaction.mset(&pairs);
        }
        if !stale.is_empty() {
            transaction.del(&stale);
        }
        // `EXEC` answers nil when a watched key changed; it unwatches either way.
        let done: Option<Vec<redis::Value>> = transaction
            .query_async(redis)
            .await
            .context("writing the keys")?;
        if done.is_some() {
            return Ok((snapshot.communes, snapshot.rights));
        }
        tracing::debug!("the key-value store changed while publishing: trying again");
    }
    bail!("the key-value store kept changing during {MAX_ATTEMPTS} attempts to publish")
}

/// The `rights/…` keys the store holds now.
async fn rights_keys(redis: &mut MultiplexedConnection) -> Result<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    let mut scan = redis
        .scan_match::<_, String>("rights/*")
        .await
        .context("listing the rights versions")?;
    while let Some(key) = scan.next_item().await {
        keys.insert(key.context("listing the rights versions")?);
    }
    Ok(keys)
}

/// Every commune's status and every raised rights version, read in one
/// transaction (one snapshot of the database).
async fn read_snapshot(pool: &sqlx::SqlitePool) -> Result<Snapshot> {
    let mut tx = pool.begin().await?;
    let communes: Vec<(String, String)> = sqlx::query_as("SELECT insee, status FROM communes")
        .fetch_all(&mut *tx)
        .await
        .context("reading commune statuses")?;
    let accounts: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, rights_version FROM accounts WHERE rights_version > 0")
            .fetch_all(&mut *tx)
            .await
            .context("reading rights versions")?;
    tx.commit().await?;
    let (communes_len, rights_len) = (communes.len() as u64, accounts.len() as u64);
    let values = communes
        .into_iter()
        .map(|(insee, status)| (format!("tenant-status/{insee}"), status.into_bytes()))
        .chain(
            accounts
                .into_iter()
                .map(|(id, version)| (format!("rights/{id}"), version.to_string().into_bytes())),
        )
        .collect();
    Ok(Snapshot {
        values,
        communes: communes_len,
        rights: rights_len,
    })
}
