//! What the gateway reads per request, read from `identity`'s schema: each
//! commune's status and each account's rights version (published into the
//! key-value store by `data::sync_tenant_status`).

use anyhow::{Context as _, Result};
use sqlx::{Connection as _, PgConnection};

/// The commune statuses and rights versions `identity` holds.
#[derive(Debug, Default)]
pub struct IdentitySnapshot {
    /// `(insee, status)` of every commune.
    pub communes: Vec<(String, String)>,
    /// `(account id, rights version)` of every account whose version is above 0.
    pub rights: Vec<(String, i64)>,
}

impl IdentitySnapshot {
    /// The key-value pairs the gateway reads: `tenant-status/<insee>` and
    /// `rights/<account>`.
    pub fn values(&self) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
        self.communes
            .iter()
            .map(|(insee, status)| {
                (
                    format!("tenant-status/{insee}"),
                    status.clone().into_bytes(),
                )
            })
            .chain(
                self.rights.iter().map(|(id, version)| {
                    (format!("rights/{id}"), version.to_string().into_bytes())
                }),
            )
    }
}

/// Reads the snapshot in a transaction that holds a share lock on the rows read
/// and stays open while `publish` writes them: a suspension or a rights change
/// committed by another process waits until the snapshot is published, so a
/// starting process never puts back an older value.
pub async fn identity_snapshot<T, F, Fut>(url: &str, publish: F) -> Result<T>
where
    F: FnOnce(IdentitySnapshot) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut conn: PgConnection = super::connect(url).await?;
    let mut tx = conn.begin().await?;
    let communes = sqlx::query_as("SELECT insee, status FROM identity.communes FOR SHARE")
        .fetch_all(&mut *tx)
        .await
        .context("reading identity's communes")?;
    let rights = sqlx::query_as(
        "SELECT id, rights_version FROM identity.accounts WHERE rights_version > 0 FOR SHARE",
    )
    .fetch_all(&mut *tx)
    .await
    .context("reading identity's rights versions")?;
    let published = publish(IdentitySnapshot { communes, rights }).await?;
    tx.commit().await?;
    Ok(published)
}
