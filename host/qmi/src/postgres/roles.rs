//! Roles, schemas and privileges (the admin's part of `qmi migrate`).
//!
//! Per service: `qmi_<label>_owner` (NOLOGIN) owns schema `<label>`;
//! `qmi_<label>` (LOGIN, no superuser, no BYPASSRLS, owns nothing) has USAGE on
//! the schema, SELECT/INSERT/UPDATE/DELETE on its tables (SELECT only on its
//! views; SELECT/INSERT only on the append-only audit trail, `audit` and
//! `platform_audit`), USAGE/SELECT on its sequences, nothing on `_sqlx_migrations`, and the
//! role-level settings `search_path = <label>` and
//! `idle_in_transaction_session_timeout` (the backstop for a transaction a
//! pooled connection would otherwise keep open). No password is set here: the
//! operator sets one per login role (`ALTER ROLE qmi_<label> PASSWORD …`).

use anyhow::{Context as _, Result};
use sqlx::PgConnection;

use super::Service;

/// How long a service's session may sit idle inside a transaction before the
/// server ends it.
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "5s";

/// Creates what the migrations need, as the admin: the `unaccent` and `pg_trgm`
/// extensions (in `public`, for the partners' search configuration and the
/// registry's name search), each service's two roles
/// (missing ones only; attributes and settings corrected when they differ) and
/// its schema. Idempotent.
pub async fn bootstrap(conn: &mut PgConnection, services: &[Service]) -> Result<()> {
    for extension in ["unaccent", "pg_trgm"] {
        exec(
            conn,
            &format!("CREATE EXTENSION IF NOT EXISTS {extension} WITH SCHEMA public"),
        )
        .await
        .with_context(|| {
            format!("creating the {extension} extension (PostgreSQL's contrib modules)")
        })?;
    }
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await?;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *conn)
        .await?;
    for service in services {
        let (owner, login, schema) = (service.owner(), service.login(), &service.label);
        create_role(conn, &owner, "NOLOGIN").await?;
        create_role(conn, &login, "LOGIN").await?;
        ensure_attributes(conn, &owner, false).await?;
        ensure_attributes(conn, &login, true).await?;
        ensure_setting(conn, &login, "search_path", schema).await?;
        ensure_setting(
            conn,
            &login,
            "idle_in_transaction_session_timeout",
            IDLE_IN_TRANSACTION_TIMEOUT,
        )
        .await?;
        if !superuser {
            // SET ROLE and CREATE SCHEMA … AUTHORIZATION need membership.
            exec(conn, &format!("GRANT {owner} TO CURRENT_USER")).await?;
        }
        exec(
            conn,
            &format!("CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {owner}"),
        )
        .await?;
        exec(conn, &format!("ALTER SCHEMA {schema} OWNER TO {owner}")).await?;
        exec(conn, &format!("REVOKE ALL ON SCHEMA {schema} FROM PUBLIC")).await?;
        exec(conn, &format!("GRANT USAGE ON SCHEMA {schema} TO {login}")).await?;
        exec(
            conn,
            &format!("GRANT CONNECT ON DATABASE \"{database}\" TO {login}"),
        )
        .await?;
    }
    Ok(())
}

/// Gives the service role its privileges on what the owner made, now and for
/// tables and sequences the owner creates later. Runs as the owner, in one
/// transaction: the grants on every table and the revocations that follow
/// (the audit trail's UPDATE and DELETE, the views' writes) take effect
/// together, so a service running beside `qmi migrate` never holds, even for
/// a moment, a privilege it is refused.
pub async fn grant(conn: &mut PgConnection, service: &Service) -> Result<()> {
    exec(conn, "BEGIN").await?;
    let granted = grant_in_transaction(conn, service).await;
    let end = if granted.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    let ended = exec(conn, end).await;
    granted.and(ended)
}

async fn grant_in_transaction(conn: &mut PgConnection, service: &Service) -> Result<()> {
    let (login, schema) = (service.login(), &service.label);
    for statement in [
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {login}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {login}"),
        format!("REVOKE ALL ON {schema}._sqlx_migrations FROM {login}"),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {login}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {login}"
        ),
    ] {
        exec(conn, &statement).await?;
    }
    // The audit trail is append-only: the service may add entries, never change them.
    let appended: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname IN ('audit', 'platform_audit')",
    )
    .bind(schema)
    .fetch_all(&mut *conn)
    .await?;
    for table in appended {
        exec(
            conn,
            &format!("REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{table} FROM {login}"),
        )
        .await?;
    }
    // Views are read paths: writes go to their tables.
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')",
    )
    .bind(schema)
    .fetch_all(&mut *conn)
    .await?;
    for view in views {
        exec(
            conn,
            &format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.{view} FROM {login}"),
        )
        .await?;
    }
    Ok(())
}

async fn create_role(conn: &mut PgConnection, role: &str, login: &str) -> Result<()> {
    // Another `qmi migrate` on the same cluster may create it at the same time.
    exec(
        conn,
        &format!(
            "DO $$ BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                     CREATE ROLE {role} {login};
                 END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$"
        ),
    )
    .await
}

/// No superuser, no BYPASSRLS, no role or database creation; LOGIN as given.
async fn ensure_attributes(conn: &mut PgConnection, role: &str, login: bool) -> Result<()> {
    let (fine,): (bool,) = sqlx::query_as(
        "SELECT NOT (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)
                AND rolcanlogin = $2
         FROM pg_roles WHERE rolname = $1",
    )
    .bind(role)
    .bind(login)
    .fetch_one(&mut *conn)
    .await?;
    if !fine {
        let login = if login { "LOGIN" } else { "NOLOGIN" };
        exec(
            conn,
            &format!(
                "ALTER ROLE {role} {login} NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION"
            ),
        )
        .await?;
    }
    Ok(())
}

/// A role-level setting (all databases), written only when it differs.
async fn ensure_setting(
    conn: &mut PgConnection,
    role: &str,
    name: &str,
    value: &str,
) -> Result<()> {
    let wanted = format!("{name}={value}");
    let current: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
         WHERE r.rolname = $1 AND s.setdatabase = 0",
    )
    .bind(role)
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    if !current.is_some_and(|settings| settings.contains(&wanted)) {
        exec(conn, &format!("ALTER ROLE {role} SET {name} = '{value}'")).await?;
    }
    Ok(())
}

/// Runs one statement without parameters (DDL cannot take any).
pub(super) async fn exec(conn: &mut PgConnection, sql: &str) -> Result<()> {
    sqlx::raw_sql(sql)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("running {sql}"))?;
    Ok(())
}
