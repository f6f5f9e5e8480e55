//! Database preparation, for `qmi up` and for real Spin (which has no
//! start-up hook): each service's SQL migrations, kept in
//! `services/<label>/migrations/`, applied with sqlx to the database of the
//! SQLite label of the same name.

use std::path::Path;

use anyhow::{Context as _, Result};
use qmi_manifest::RuntimeConfig;

/// A label with migrations, and where its database file lives.
struct Target {
    label: String,
    migrations: std::path::PathBuf,
    database: std::path::PathBuf,
}

fn targets(
    manifest_path: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<Vec<Target>> {
    let manifest = qmi_manifest::load(manifest_path)
        .with_context(|| format!("loading {}", manifest_path.display()))?;
    let config = RuntimeConfig::load(runtime_config)?;
    config.check_labels(&manifest)?;
    let mut labels: Vec<String> = manifest
        .components
        .values()
        .flat_map(|c| c.sqlite_databases.iter().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    Ok(labels
        .into_iter()
        .filter_map(|label| {
            let migrations = manifest
                .dir
                .join("services")
                .join(&label)
                .join("migrations");
            let database =
                crate::app::file_of(config.sqlite_location(&label, Some(data_dir)), &label).ok()?;
            migrations.is_dir().then_some(Target {
                label,
                migrations,
                database,
            })
        })
        .collect())
}

/// Every SQLite label with migrations and its database file (`qmi maintenance`).
pub fn database_files(
    manifest: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<Vec<(String, std::path::PathBuf)>> {
    Ok(targets(manifest, data_dir, runtime_config)?
        .into_iter()
        .map(|t| (t.label, t.database))
        .collect())
}

/// Waits until no other process prepares the same databases or data
/// directory, then keeps them to itself until the lock is dropped (see
/// [`crate::prepare_lock`]): hold it around [`migrate`], [`seed`] and
/// [`seed_if_new`].
pub async fn lock(
    manifest: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<crate::prepare_lock::PrepareLock> {
    let dirs = targets(manifest, data_dir, runtime_config)?
        .into_iter()
        .filter_map(|t| t.database.parent().map(Path::to_path_buf))
        .chain([data_dir.to_path_buf()]);
    crate::prepare_lock::acquire(dirs).await
}

/// Applies every pending migration; reports what it did.
pub async fn migrate(
    manifest: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<()> {
    for target in targets(manifest, data_dir, runtime_config)? {
        let pool = crate::factors::sqlite::open_pool(&target.database).await?;
        let migrator = sqlx::migrate::Migrator::new(target.migrations.as_path())
            .await
            .with_context(|| format!("reading migrations of {}", target.label))?;
        migrator.run(&pool).await.with_context(|| {
            format!("migrating {} ({})", target.label, target.database.display())
        })?;
        tracing::info!(label = target.label, database = %target.database.display(), "migrated");
        pool.close().await;
    }
    move_organisations(manifest, data_dir, runtime_config).await?;
    sync_tenant_status(manifest, data_dir, runtime_config).await
}

/// The data step of issue 16: organisation profiles move from `identity` to
/// `partners`, which owns them from now on; identity keeps each organisation's id
/// (what accounts, invitations and join requests refer to). Two transactions, in
/// this order, so that nothing is lost whatever stops the step: the profiles are
/// copied into `partners` (rows already there are kept as they are), then
/// identity's `organisations` table is rebuilt without them (foreign keys off
/// for the rebuild — SQLite cannot drop a referenced table's columns otherwise —
/// and checked before the commit). A step stopped in between copies nothing
/// twice when run again. No-op once done, or without both databases. Returns
/// how many profiles were copied.
pub async fn move_organisations(
    manifest_path: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<u64> {
    let all = targets(manifest_path, data_dir, runtime_config)?;
    let (Some(identity), Some(partners)) = (
        all.iter().find(|t| t.label == "identity"),
        all.iter().find(|t| t.label == "partners"),
    ) else {
        return Ok(0);
    };
    let pool = crate::factors::sqlite::open_pool(&identity.database).await?;
    let mut conn = pool.acquire().await?;
    let profiles: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('organisations') WHERE name = 'name'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if profiles == 0 {
        drop(conn);
        pool.close().await;
        return Ok(0);
    }
    sqlx::query("ATTACH DATABASE ?1 AS partners")
        .bind(partners.database.to_string_lossy().into_owned())
        .execute(&mut *conn)
        .await
        .with_context(|| format!("attaching {}", partners.database.display()))?;
    let copied = sqlx::query(
        "INSERT OR IGNORE INTO partners.organisations (id, name, kind, country, siret, created_at, updated_at)
         SELECT id, name, kind, country, siret, created_at, updated_at FROM main.organisations",
    )
    .execute(&mut *conn)
    .await
    .context("copying organisation profiles into partners")?
    .rows_affected();
    let missing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM main.organisations o WHERE NOT EXISTS (SELECT 1 FROM partners.organisations p WHERE p.id = o.id)",
    )
    .fetch_one(&mut *conn)
    .await?;
    anyhow::ensure!(
        missing == 0,
        "{missing} organisation profiles did not reach partners"
    );
    sqlx::query("DETACH DATABASE partners")
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let rebuilt: Result<()> = async {
        sqlx::raw_sql(
            "BEGIN IMMEDIATE;
             CREATE TABLE organisations_ids (
                 id         TEXT PRIMARY KEY,
                 created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
             );
             INSERT INTO organisations_ids (id, created_at) SELECT id, created_at FROM organisations;
             DROP TABLE organisations;
             ALTER TABLE organisations_ids RENAME TO organisations;",
        )
        .execute(&mut *conn)
        .await
        .context("rebuilding identity's organisations without their profiles")?;
        let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
        anyhow::ensure!(broken.is_empty(), "foreign keys broken by the rebuild: {broken:?}");
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        Ok(())
    }
    .await;
    if rebuilt.is_err() {
        sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.ok();
    }
    sqlx::raw_sql("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    rebuilt?;
    drop(conn);
    pool.close().await;
    tracing::info!(
        profiles = copied,
        "organisation profiles moved from identity to partners"
    );
    Ok(copied)
}

/// Loads the demo data (`services/<label>/seed/*.sql`, in name order) after
/// migrating.
pub async fn seed(manifest: &Path, data_dir: &Path, runtime_config: Option<&Path>) -> Result<()> {
    migrate(manifest, data_dir, runtime_config).await?;
    let mut context = SeedContext::default();
    for target in targets(manifest, data_dir, runtime_config)? {
        let Some(seed_dir) = target.migrations.parent().map(|p| p.join("seed")) else {
            continue;
        };
        if !seed_dir.is_dir() {
            continue;
        }
        let mut files: Vec<_> = std::fs::read_dir(&seed_dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        files.sort();
        let pool = crate::factors::sqlite::open_pool(&target.database).await?;
        for file in files {
            let sql = render_seed(&std::fs::read_to_string(&file)?, &mut context)?;
            sqlx::raw_sql(&sql)
                .execute(&pool)
                .await
                .with_context(|| format!("seeding from {}", file.display()))?;
            tracing::info!(label = target.label, file = %file.display(), "seeded");
        }
        pool.close().await;
    }
    sync_tenant_status(manifest, data_dir, runtime_config).await
}

/// Values computed once per seeding run for the seed files' placeholders.
#[derive(Default)]
pub struct SeedContext {
    demo_password_hash: Option<String>,
}

/// Replaces the placeholders of a seed file: `{{demo_password_hash}}` is the
/// argon2id hash of `QMI_DEMO_PASSWORD` (or the documented default).
pub fn render_seed(sql: &str, context: &mut SeedContext) -> Result<String> {
    const PLACEHOLDER: &str = "{{demo_password_hash}}";
    if !sql.contains(PLACEHOLDER) {
        return Ok(sql.to_owned());
    }
    let hash = match &context.demo_password_hash {
        Some(hash) => hash.clone(),
        None => {
            let hash = crate::keys::demo_password_hash()?;
            context.demo_password_hash = Some(hash.clone());
            hash
        }
    };
    Ok(sql.replace(PLACEHOLDER, &hash.replace('\'', "''")))
}

/// Seeds once: on the first start of a data directory.
pub async fn seed_if_new(
    manifest: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<()> {
    let marker = data_dir.join(".qmi-seeded");
    if marker.exists() {
        return Ok(());
    }
    seed(manifest, data_dir, runtime_config).await?;
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&marker, b"demo data loaded\n")?;
    Ok(())
}

/// Publishes what the gateway reads for every request, as the `identity`
/// component does at run time (docs/design/tenancy-contract.md): after
/// migrations and seeds changed the `identity` database, the key-value store
/// `default` — whichever the runtime config names, shared by every instance:
/// a SQLite file (Spin's `<data-dir>/sqlite_key_value.db` by default) or a
/// Redis server — gets `tenant-status/<insee>` = each commune's status and
/// `rights/<account>` = each account's rights version (keys of versions the
/// database does not hold are removed, so a store older than the database
/// cannot refuse its tokens). Spin has no start-up hook and only a component
/// can write through Spin's interface, so the host prepares the same store
/// Spin will open, exactly like the databases. A process starting beside a
/// running one never puts back an older status or version: see
/// [`crate::gateway_facts`] for how, per store type. No-op when the
/// application has no `identity` database.
pub async fn sync_tenant_status(
    manifest_path: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
) -> Result<()> {
    let Some(identity) = targets(manifest_path, data_dir, runtime_config)?
        .into_iter()
        .find(|t| t.label == "identity")
    else {
        return Ok(());
    };
    let config = RuntimeConfig::load(runtime_config)?;
    let store = config
        .key_value_store("default", Some(data_dir))
        .context("the key-value store \"default\" is not defined")?;
    crate::gateway_facts::publish(store, &identity.database).await
}

/// As [`sync_tenant_status`], for `identity` on PostgreSQL (`--database-url`):
/// its communes' statuses and accounts' rights versions are read in a
/// transaction that share-locks them until they are written to the key-value
/// store (so no process's newer change is overwritten by an older value).
pub async fn sync_tenant_status_from_postgres(
    data_dir: &Path,
    runtime_config: Option<&Path>,
    database_url: &str,
) -> Result<()> {
    let config = RuntimeConfig::load(runtime_config)?;
    let store = config
        .key_value_store("default", Some(data_dir))
        .context("the key-value store \"default\" is not defined")?;
    crate::gateway_facts::publish_from_postgres(store, database_url).await
}
