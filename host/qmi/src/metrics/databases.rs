//! Per database label: its size, read when scraped, and the statements the
//! components ran on it through `spin:sqlite` and `spin:postgres` (counted
//! by the factors themselves: one relaxed increment per statement).
//!
//! - SQLite: the label's file plus its write-ahead log (`<file>-wal`), as the
//!   file system reports them.
//! - PostgreSQL (`qmi up --database-url`): the label's schema (each service
//!   keeps its tables in the schema named after its label), every table and
//!   materialized view with its indexes and TOAST data
//!   (`pg_total_relation_size`), read with the administrator's URL over one
//!   connection kept between scrapes. A server that cannot be reached leaves
//!   the sizes out of that scrape (logged); the SQLite files are not
//!   reported then: they are not where the data lives.
//! - Statements on PostgreSQL count under the label of the role that ran
//!   them (`qmi_<label>`, as `qmi up --database-url` connects each service;
//!   another role counts under its own name).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgConnection;
use tokio::sync::Mutex;

use crate::factors::postgres::Pools;
use crate::factors::sqlite::Databases as SqliteDatabases;

/// How long a scrape waits for PostgreSQL's sizes.
const SIZE_TIMEOUT: Duration = Duration::from_secs(5);

/// The sizes of every relation of the given schemas, by schema.
const SCHEMA_SIZES: &str = "SELECT n.nspname::text, \
       COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::int8 \
     FROM pg_namespace n \
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm') \
     WHERE n.nspname = ANY($1) \
     GROUP BY n.nspname";

/// Where the labels' data lives.
pub struct Databases {
    sqlite: Arc<SqliteDatabases>,
    postgres: Arc<Pools>,
    /// The administrator's URL, when the services run on PostgreSQL.
    admin_url: Option<String>,
    admin: Mutex<Option<PgConnection>>,
}

impl Databases {
    /// The labels of `sqlite`, and of PostgreSQL at `admin_url` if given.
    pub fn new(
        sqlite: Arc<SqliteDatabases>,
        postgres: Arc<Pools>,
        admin_url: Option<String>,
    ) -> Self {
        Self {
            sqlite,
            postgres,
            admin_url,
            admin: Mutex::new(None),
        }
    }

    /// Statements run per label, every declared label included.
    pub fn statements(&self) -> BTreeMap<String, u64> {
        let mut all: BTreeMap<String, u64> = self
            .sqlite
            .labels()
            .map(|(label, _, statements)| (label.to_owned(), statements))
            .collect();
        for (label, statements) in self.postgres.statements() {
            *all.entry(label).or_default() += statements;
        }
        all
    }

    /// Bytes per label, now.
    pub async fn sizes(&self) -> BTreeMap<String, u64> {
        let labels: Vec<String> = self.sqlite.labels().map(|(l, ..)| l.to_owned()).collect();
        match &self.admin_url {
            Some(url) => match tokio::time::timeout(SIZE_TIMEOUT, self.schema_sizes(url, &labels))
                .await
            {
                Ok(Ok(sizes)) => sizes,
                Ok(Err(error)) => {
                    tracing::warn!("metrics: reading the schemas' sizes: {error:#}");
                    *self.admin.lock().await = None;
                    BTreeMap::new()
                }
                Err(_) => {
                    tracing::warn!("metrics: PostgreSQL did not give the schemas' sizes in time");
                    BTreeMap::new()
                }
            },
            None => {
                let files: Vec<(String, std::path::PathBuf)> = self
                    .sqlite
                    .labels()
                    .map(|(label, path, _)| (label.to_owned(), path.to_owned()))
                    .collect();
                tokio::task::spawn_blocking(move || {
                    files
                        .into_iter()
                        .map(|(label, path)| (label, file_bytes(&path)))
                        .collect()
                })
                .await
                .unwrap_or_default()
            }
        }
    }

    /// The schemas' sizes, over the kept connection (opened if need be).
    async fn schema_sizes(
        &self,
        url: &str,
        labels: &[String],
    ) -> anyhow::Result<BTreeMap<String, u64>> {
        let mut admin = self.admin.lock().await;
        if admin.is_none() {
            *admin = Some(crate::postgres::connect(url).await?);
        }
        let Some(conn) = admin.as_mut() else {
            anyhow::bail!("no connection to PostgreSQL");
        };
        let rows: Vec<(String, i64)> = sqlx::query_as(SCHEMA_SIZES)
            .bind(labels)
            .fetch_all(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(label, bytes)| (label, u64::try_from(bytes).unwrap_or(0)))
            .collect())
    }
}

/// An SQLite database's bytes: the file and its write-ahead log.
fn file_bytes(path: &Path) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    len(path) + len(Path::new(&wal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_counts_its_write_ahead_log() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("qmi-metrics-db-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let db = dir.join("x.db");
        std::fs::write(&db, [0; 4096])?;
        assert_eq!(file_bytes(&db), 4096);
        std::fs::write(dir.join("x.db-wal"), [0; 100])?;
        assert_eq!(file_bytes(&db), 4196);
        assert_eq!(file_bytes(&dir.join("missing.db")), 0);
        std::fs::remove_dir_all(&dir)
    }
}
