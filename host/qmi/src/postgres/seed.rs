//! `qmi seed --database-url`: the demo data of `services/<label>/seed/*.sql`
//! on PostgreSQL. The seed files are SQLite's (date arithmetic, JSON functions,
//! `INSERT OR IGNORE`): rather than keep a second copy in another dialect, they
//! are loaded into scratch SQLite databases exactly as `qmi seed` loads them,
//! and every row of every table is copied from there into the service's schema,
//! so both backends hold the same demo data by construction.
//!
//! The copy runs as the admin, who must be a superuser: with
//! `session_replication_role = replica` (transaction-local) neither triggers
//! nor foreign-key checks fire, so tables are copied in any order and the
//! trigger-kept tables (the partners' facets and search rows) are copied as
//! SQLite's triggers made them; a superuser is also not subject to row-level
//! security. A row whose key exists already (the registry the migrations
//! insert, which the seeds update) takes the demo data's values; a row equal
//! to them is left alone, so a second run changes nothing.
//! Identity columns then continue after the largest value copied.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteRow;
use sqlx::{Connection as _, PgConnection, Postgres, Row as _};

use super::{Service, connect, services};

/// Migrates, then loads the demo data into every service's schema.
pub async fn seed(manifest: &Path, url: &str) -> Result<()> {
    super::migrate(manifest, url).await?;
    let services = services(manifest)?;
    let scratch = Scratch::new()?;
    let config = scratch.runtime_config(&services)?;
    crate::data::seed(manifest, &scratch.0, Some(&config))
        .await
        .context("loading the demo data into scratch SQLite databases")?;
    let mut conn = connect(url).await?;
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await?;
    if !superuser {
        bail!("qmi seed --database-url needs a superuser's URL (it copies rows with triggers off)");
    }
    for service in &services {
        let copied = copy(&mut conn, service, &scratch.database(&service.label))
            .await
            .with_context(|| format!("seeding {} on PostgreSQL", service.label))?;
        tracing::info!(label = service.label, rows = copied, "seeded (PostgreSQL)");
    }
    Ok(())
}

/// A column of a PostgreSQL table and how its values are read from SQLite.
struct Column {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Integer,
    Real,
    Text,
    Blob,
}

impl Kind {
    fn of(pg_type: &str) -> Result<Self> {
        Ok(match pg_type {
            "bigint" => Self::Integer,
            "double precision" => Self::Real,
            "text" => Self::Text,
            "bytea" => Self::Blob,
            other => bail!("no SQLite counterpart for PostgreSQL type {other}"),
        })
    }

    /// The SQLite expression that reads the column as this kind.
    fn select(self, column: &str) -> String {
        match self {
            Self::Integer => format!("CAST(\"{column}\" AS INTEGER)"),
            Self::Real => format!("CAST(\"{column}\" AS REAL)"),
            Self::Text => format!("CAST(\"{column}\" AS TEXT)"),
            Self::Blob => format!("\"{column}\""),
        }
    }
}

/// Copies every table of the service's schema from its scratch SQLite
/// database; returns how many rows were inserted.
async fn copy(conn: &mut PgConnection, service: &Service, sqlite: &Path) -> Result<u64> {
    let schema = &service.label;
    let source = crate::factors::sqlite::open_pool(sqlite).await?;
    let mut tx = conn.begin().await?;
    sqlx::raw_sql("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
         ORDER BY c.relname",
    )
    .bind(schema)
    .fetch_all(&mut *tx)
    .await?;
    let mut inserted = 0;
    for table in tables {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a
             WHERE a.attrelid = format('%I.%I', $1::text, $2::text)::regclass
               AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
             ORDER BY a.attnum",
        )
        .bind(schema)
        .bind(&table)
        .fetch_all(&mut *tx)
        .await?;
        let columns = columns
            .into_iter()
            .map(|(name, pg_type)| {
                Ok(Column {
                    kind: Kind::of(&pg_type).with_context(|| format!("{table}.{name}"))?,
                    name,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let select = format!(
            "SELECT {} FROM \"{table}\"",
            columns
                .iter()
                .map(|c| c.kind.select(&c.name))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(&select)
            .fetch_all(&source)
            .await
            .with_context(|| format!("reading {table} from {}", sqlite.display()))?;
        // A row the migrations inserted (the commune registry) takes the
        // demo data's values; a row already equal is left alone.
        let key: Vec<String> = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND i.indisprimary",
        )
        .bind(schema)
        .bind(&table)
        .fetch_all(&mut *tx)
        .await?;
        let quoted = |names: &mut dyn Iterator<Item = &String>| {
            names
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rest: Vec<&String> = columns
            .iter()
            .map(|c| &c.name)
            .filter(|n| !key.contains(n))
            .collect();
        let on_conflict = if key.is_empty() || rest.is_empty() {
            "ON CONFLICT DO NOTHING".to_owned()
        } else {
            let rest_list = quoted(&mut rest.iter().copied());
            let excluded = rest
                .iter()
                .map(|n| format!("excluded.\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "ON CONFLICT ({}) DO UPDATE SET ({rest_list}) = ROW({excluded}) \
                 WHERE ({}) IS DISTINCT FROM ({excluded})",
                quoted(&mut key.iter()),
                rest.iter()
                    .map(|n| format!("{table}.\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let insert = format!(
            "INSERT INTO {schema}.{table} ({}) VALUES ({}) {on_conflict}",
            quoted(&mut columns.iter().map(|c| &c.name)),
            (1..=columns.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for row in &rows {
            inserted += bind(sqlx::query(&insert), &columns, row)?
                .execute(&mut *tx)
                .await
                .with_context(|| format!("copying a row into {schema}.{table}"))?
                .rows_affected();
        }
    }
    // Identity columns continue after the largest value copied.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND a.attidentity <> '' AND NOT a.attisdropped",
    )
    .bind(schema)
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(\"{column}\") FROM {schema}.{table}), 0) + 1, false)"
        ))
        .bind(format!("{schema}.{table}"))
        .bind(&column)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    source.close().await;
    Ok(inserted)
}

/// Binds one SQLite row's values, each read as its PostgreSQL column's kind.
fn bind<'q>(
    mut query: sqlx::query::Query<'q, Postgres, PgArguments>,
    columns: &[Column],
    row: &SqliteRow,
) -> Result<sqlx::query::Query<'q, Postgres, PgArguments>> {
    for (i, column) in columns.iter().enumerate() {
        let read = |e| anyhow::Error::from(e).context(format!("reading {}", column.name));
        query = match column.kind {
            Kind::Integer => query.bind(row.try_get::<Option<i64>, _>(i).map_err(read)?),
            Kind::Real => query.bind(row.try_get::<Option<f64>, _>(i).map_err(read)?),
            Kind::Text => query.bind(row.try_get::<Option<String>, _>(i).map_err(read)?),
            Kind::Blob => query.bind(row.try_get::<Option<Vec<u8>>, _>(i).map_err(read)?),
        };
    }
    Ok(query)
}

/// A scratch directory for the SQLite side of the seeding, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("qmi-seed-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }

    fn database(&self, label: &str) -> PathBuf {
        self.0.join(format!("{label}.db"))
    }

    /// A runtime config that puts every label's database in the scratch directory.
    fn runtime_config(&self, services: &[Service]) -> Result<PathBuf> {
        let mut config = String::new();
        for service in services {
            config.push_str(&format!(
                "[sqlite_database.{}]\ntype = \"spin\"\npath = {:?}\n\n",
                service.label,
                self.database(&service.label)
            ));
        }
        config.push_str(&format!(
            "[key_value_store.default]\ntype = \"spin\"\npath = {:?}\n",
            self.0.join("key_value.db")
        ));
        let path = self.0.join("runtime-config.toml");
        std::fs::write(&path, config)?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _removed = std::fs::remove_dir_all(&self.0);
    }
}
