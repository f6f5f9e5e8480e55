//! The native baseline of `qmi bench`: the registry's first page, as identity
//! answers `GET /api/communes?limit=N`, from a plain hyper server reading the
//! same SQLite file with rusqlite — what the same read costs without
//! WebAssembly, the gateway and the policy component.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use qmi_api::Page;
use qmi_api::identity::{Commune, CommuneStatus};

use super::load::json_server;

/// Identity's registry columns, in its order.
const SQL: &str = "SELECT insee, name, departement, ept_code, ept_name, metropolis_code, population, status \
     FROM communes WHERE 1 = 1 ORDER BY insee LIMIT ?1";

/// Serves the registry's first page from `database` on a free port. Each
/// connection has its own read-only SQLite connection and cached statement.
pub async fn registry_server(database: &Path) -> Result<SocketAddr> {
    let database: Arc<PathBuf> = Arc::new(database.to_owned());
    json_server(move || {
        let conn = rusqlite::Connection::open_with_flags(
            database.as_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        Some(move |query: Option<&str>| page(&conn, limit_of(query)).map(Bytes::from))
    })
    .await
}

/// `limit` from a query string, within the kit's bounds (default [`qmi_api::page::DEFAULT_LIMIT`]).
fn limit_of(query: Option<&str>) -> u32 {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("limit="))
        .and_then(|n| n.parse::<u32>().ok())
        .map_or(qmi_api::page::DEFAULT_LIMIT, |n| {
            n.clamp(1, qmi_api::page::MAX_LIMIT)
        })
}

/// The page as JSON: `{items, next_cursor}`, the cursor encoded as the service kit does.
fn page(conn: &rusqlite::Connection, limit: u32) -> Result<Vec<u8>> {
    let mut statement = conn.prepare_cached(SQL)?;
    let mut rows = statement.query([i64::from(limit) + 1])?;
    let mut items = Vec::with_capacity(limit as usize + 1);
    while let Some(row) = rows.next()? {
        let status: String = row.get(7)?;
        items.push(Commune {
            insee: row.get::<_, String>(0)?.parse().context("insee")?,
            name: row.get(1)?,
            departement: row.get(2)?,
            ept_code: row.get(3)?,
            ept_name: row.get(4)?,
            metropolis_code: row.get(5)?,
            population: row
                .get::<_, Option<i64>>(6)?
                .and_then(|p| u64::try_from(p).ok()),
            status: CommuneStatus::parse(&status).context("status")?,
        });
    }
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => Some(cursor_after(&last.insee.to_string())),
        _ => None,
    };
    Ok(serde_json::to_vec(&Page { items, next_cursor })?)
}

/// The service kit's opaque cursor: `c1:<key>` in unpadded base64url.
fn cursor_after(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("c1:{key}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_the_kits() {
        // base64url("c1:93048") without padding.
        assert_eq!(cursor_after("93048"), "YzE6OTMwNDg");
        assert_eq!(cursor_after("2A004"), "YzE6MkEwMDQ");
        assert_eq!(cursor_after("1"), "YzE6MQ");
    }

    #[test]
    fn limits() {
        assert_eq!(limit_of(Some("limit=20")), 20);
        assert_eq!(limit_of(Some("q=x&limit=500")), qmi_api::page::MAX_LIMIT);
        assert_eq!(limit_of(None), qmi_api::page::DEFAULT_LIMIT);
    }
}
