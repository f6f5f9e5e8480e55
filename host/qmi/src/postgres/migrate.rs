//! `qmi migrate --database-url`: roles and schemas, then each service's
//! migrations as its owner role, then the service role's privileges.

use std::path::Path;

use anyhow::{Context as _, Result};
use sqlx::PgConnection;
use sqlx::migrate::Migrator;

use super::roles::{self, exec};
use super::{Service, connect, services};

/// Prepares the database at `url` (an admin's URL: a superuser, or a role that
/// may create roles and schemas) for every service of the manifest. A second
/// run changes nothing.
pub async fn migrate(manifest: &Path, url: &str) -> Result<()> {
    let services = services(manifest)?;
    let mut conn = connect(url).await?;
    // Roles are the cluster's, shared by its databases: a `qmi migrate` on another
    // database may change the same role at the same moment ("tuple concurrently
    // updated"). The bootstrap is idempotent: try again.
    let mut attempts = 0;
    while let Err(error) = roles::bootstrap(&mut conn, &services).await {
        attempts += 1;
        if attempts == 3 {
            return Err(error.context("creating the services' roles and schemas"));
        }
        tracing::debug!(%error, "bootstrap raced another migration; retrying");
        tokio::time::sleep(std::time::Duration::from_millis(200 * attempts)).await;
    }
    for service in &services {
        let result = migrate_service(&mut conn, service).await;
        exec(&mut conn, "RESET ROLE; RESET search_path").await?;
        result.with_context(|| format!("migrating {} on PostgreSQL", service.label))?;
        tracing::info!(label = service.label, "migrated (PostgreSQL)");
    }
    Ok(())
}

async fn migrate_service(conn: &mut PgConnection, service: &Service) -> Result<()> {
    exec(
        conn,
        &format!(
            "SET ROLE {}; SET search_path = {}",
            service.owner(),
            service.label
        ),
    )
    .await?;
    let migrator = Migrator::new(service.migrations.as_path())
        .await
        .with_context(|| format!("reading {}", service.migrations.display()))?;
    migrator.run(&mut *conn).await?;
    roles::grant(conn, service).await
}
