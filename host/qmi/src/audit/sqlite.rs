//! Reading a service's chains from its SQLite file, read-only: the file is
//! opened with `SQLITE_OPEN_READ_ONLY` (SQLite's `mode=ro`), never `immutable`
//! (the server may be writing it: in WAL mode a read-only reader sees the
//! last committed transaction), and both tables are read in one read
//! transaction, so they come from one snapshot.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use qmi_api::accountability::AuditEntry;
use rusqlite::{Connection, OpenFlags};

use super::chain::Table;

/// How long to wait on a lock (a checkpoint restarting the WAL).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Every entry of both tables of `label`'s database at `path`.
pub fn read(label: &str, path: &Path) -> Result<Vec<(Table, Vec<AuditEntry>)>> {
    if !path.is_file() {
        bail!(
            "{label}: no database at {} (run `qmi migrate` first)",
            path.display()
        );
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("{label}: opening {} read-only", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    for table in Table::ALL {
        let name = table.name();
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !exists {
            bail!(
                "{label}: no table {name} in {} (run `qmi migrate` first)",
                path.display()
            );
        }
        let entries = entries(&tx, label, name)
            .with_context(|| format!("{label}: reading {name} from {}", path.display()))?;
        out.push((table, entries));
    }
    tx.finish()?;
    Ok(out)
}

fn entries(conn: &Connection, label: &str, table: &str) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut statement = conn.prepare(&format!(
        "SELECT insee, seq, at, account_id, role, action, record_kind, record_id, request_id,
                prev_hash, hash
         FROM {table} ORDER BY insee, seq"
    ))?;
    statement
        .query_map([], |r| {
            Ok(AuditEntry {
                service: label.to_owned(),
                insee: r.get(0)?,
                seq: r.get(1)?,
                at: r.get(2)?,
                account_id: r.get(3)?,
                role: r.get(4)?,
                action: r.get(5)?,
                record_kind: r.get(6)?,
                record_id: r.get(7)?,
                request_id: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
            })
        })?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE audit (insee TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL,
        account_id TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, record_kind TEXT NOT NULL,
        record_id TEXT NOT NULL, request_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        PRIMARY KEY (insee, seq));
        CREATE TABLE platform_audit AS SELECT * FROM audit;";

    #[test]
    fn reads_a_wal_file_read_only_while_a_writer_holds_it() -> Result<()> {
        let dir = tempfile_dir()?;
        let path = dir.join("applications.db");
        let writer = Connection::open(&path)?;
        writer.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        writer.execute_batch(SCHEMA)?;
        writer.execute(
            "INSERT INTO audit VALUES ('31555', 1, 't', 'a', 'admin', 'x', 'k', 'r', 'q', 'p', 'h')",
            [],
        )?;
        // A write under way in the writer does not block the reader, who sees
        // the committed entry only.
        writer.execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO audit VALUES ('31555', 2, 't', 'a', 'admin', 'x', 'k', 'r', 'q', 'p', 'h');",
        )?;
        let read = read("applications", &path)?;
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, Table::Audit);
        assert_eq!(read[0].1.len(), 1);
        assert_eq!(read[0].1[0].service, "applications");
        assert!(read[1].1.is_empty());
        writer.execute_batch("COMMIT")?;
        drop(writer);
        // Once the writer is gone (its WAL checkpointed and removed), still readable.
        assert_eq!(read_count(&path)?, 2);
        // And nothing can be written through a read-only connection.
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        assert!(conn.execute("DELETE FROM audit", []).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn names_what_is_missing() -> Result<()> {
        let dir = tempfile_dir()?;
        let error = read("districts", &dir.join("districts.db")).expect_err("no file");
        assert!(error.to_string().contains("no database"), "{error}");
        let path = dir.join("empty.db");
        Connection::open(&path)?.execute_batch("CREATE TABLE t (x)")?;
        let error = read("districts", &path).expect_err("no table");
        assert!(error.to_string().contains("no table audit"), "{error}");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    fn read_count(path: &Path) -> Result<usize> {
        Ok(read("applications", path)?[0].1.len())
    }

    fn tempfile_dir() -> Result<std::path::PathBuf> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "qmi-audit-sqlite-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}
