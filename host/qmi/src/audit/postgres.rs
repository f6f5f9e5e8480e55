//! Reading the services' chains from PostgreSQL, as the administrator
//! (`--database-url`): `<label>.audit` and `<label>.platform_audit` of every
//! audited service, in one read-only REPEATABLE READ transaction (one snapshot
//! for every table, whatever the services append meanwhile). `audit` is under
//! row-level security, which a superuser bypasses; an administrator that is not
//! one reads it as a member of the schema's owner role, on the platform-wide
//! read path (`qmi.across = 'read'`, transaction-local).

use anyhow::{Context as _, Result, bail};
use qmi_api::accountability::AuditEntry;
use sqlx::PgConnection;

use super::chain::Table;

/// One row of either table, as PostgreSQL returns it.
type Row = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// Every entry of both tables of each of `labels`' schemas.
pub async fn read(url: &str, labels: &[String]) -> Result<Vec<(String, Table, Vec<AuditEntry>)>> {
    let mut conn = crate::postgres::connect(url).await?;
    sqlx::raw_sql(
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL qmi.across = 'read'",
    )
    .execute(&mut conn)
    .await
    .context("opening a read-only transaction")?;
    let mut out = Vec::new();
    for label in labels {
        for table in Table::ALL {
            let entries = entries(&mut conn, label, table).await?;
            out.push((label.clone(), table, entries));
        }
    }
    sqlx::raw_sql("ROLLBACK").execute(&mut conn).await?;
    Ok(out)
}

async fn entries(conn: &mut PgConnection, label: &str, table: Table) -> Result<Vec<AuditEntry>> {
    let name = table.name();
    let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(format!("\"{label}\".{name}"))
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        bail!("{label}: no table {label}.{name} (run `qmi migrate --database-url` first)");
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT insee, seq, at, account_id, role, action, record_kind, record_id, request_id,
                prev_hash, hash
         FROM \"{label}\".{name} ORDER BY insee, seq"
    ))
    .fetch_all(&mut *conn)
    .await
    .with_context(|| format!("{label}: reading {label}.{name}"))?;
    Ok(rows
        .into_iter()
        .map(
            |(
                insee,
                seq,
                at,
                account_id,
                role,
                action,
                record_kind,
                record_id,
                request_id,
                prev_hash,
                hash,
            )| AuditEntry {
                service: label.to_owned(),
                insee,
                seq,
                at,
                account_id,
                role,
                action,
                record_kind,
                record_id,
                request_id,
                prev_hash,
                hash,
            },
        )
        .collect())
}
