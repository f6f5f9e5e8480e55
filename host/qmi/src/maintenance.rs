//! `qmi maintenance`: the retention the processing register promises (README,
//! "Données personnelles — registre des traitements"), on the SQLite files of
//! the runtime config or on PostgreSQL (`--database-url`, the administrator's).
//!
//! It deletes expired refresh tokens, sign-in throttle records a day past their
//! last failure, expired single-use links (password resets, e-mail changes and
//! confirmations), relayed outbox messages after `--outbox-days`, the bodies of
//! delivered e-mails after `--mail-body-days`, and the mail log, the in-app
//! notices and the envelopes nothing needs any more after `--mail-log-days`.
//! Then it rewrites each SQLite file (`VACUUM`, which also clears space freed
//! before `secure_delete` was on) and truncates its write-ahead log; on
//! PostgreSQL it vacuums the database (dead rows, an erasure's included, leave
//! the tables' pages; the server's own WAL and backups keep their retention). It never touches an audit
//! table: audit entries name ids only and are kept as public archives are.
//! Safe while the application serves (each statement is its own transaction).

use std::path::Path;

use anyhow::{Context as _, Result};
use clap::Args;

/// How long what `qmi maintenance` purges is kept.
#[derive(Args, Clone, Debug)]
pub struct Retention {
    /// Days a delivered e-mail keeps its text (then its address, kind, status
    /// and dates only, until `--mail-log-days`).
    #[arg(long, default_value_t = 30)]
    pub mail_body_days: u32,
    /// Days the mail log and the in-app notices are kept.
    #[arg(long, default_value_t = 365)]
    pub mail_log_days: u32,
    /// Days a message relayed from a service's outbox is kept there.
    #[arg(long, default_value_t = 30)]
    pub outbox_days: u32,
    /// The instant taken as now, in unix seconds (tests); the system clock
    /// by default.
    #[arg(long, hide = true)]
    pub now: Option<i64>,
}

/// What a purge compares with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cut {
    /// Now (unix seconds): what has expired.
    Now,
    /// So many days ago (unix seconds).
    DaysAgo(Days),
    /// So many days ago, as RFC 3339 text (columns holding text times).
    DaysAgoText(Days),
}

/// Which retention a purge uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Days {
    One,
    MailBody,
    MailLog,
    Outbox,
}

/// One purge: the database label (`*`: every label with the table), the table
/// it checks for, what it removes, its statement (`{s}` before each table: the
/// schema on PostgreSQL; `$1`: the cut).
struct Purge {
    label: &'static str,
    table: &'static str,
    what: &'static str,
    sql: &'static str,
    cut: Cut,
}

const PURGES: &[Purge] = &[
    Purge {
        label: "identity",
        table: "refresh_tokens",
        what: "expired refresh tokens",
        sql: "DELETE FROM {s}refresh_tokens WHERE expires_at <= $1",
        cut: Cut::Now,
    },
    Purge {
        label: "identity",
        table: "sign_in_throttle",
        what: "sign-in throttle records a day old",
        sql: "DELETE FROM {s}sign_in_throttle WHERE last_failure < $1 AND blocked_until < $1",
        cut: Cut::DaysAgo(Days::One),
    },
    Purge {
        label: "identity",
        table: "password_resets",
        what: "expired password reset links",
        sql: "DELETE FROM {s}password_resets WHERE expires_at <= $1",
        cut: Cut::Now,
    },
    Purge {
        label: "identity",
        table: "email_changes",
        what: "expired e-mail change links",
        sql: "DELETE FROM {s}email_changes WHERE expires_at <= $1",
        cut: Cut::Now,
    },
    Purge {
        label: "identity",
        table: "email_confirmations",
        what: "expired sign-up confirmations",
        sql: "DELETE FROM {s}email_confirmations WHERE expires_at <= $1",
        cut: Cut::Now,
    },
    Purge {
        label: "*",
        table: "outbox",
        what: "relayed outbox messages",
        sql: "DELETE FROM {s}outbox WHERE relayed_at IS NOT NULL AND relayed_at < $1",
        cut: Cut::DaysAgo(Days::Outbox),
    },
    Purge {
        label: "notifications",
        table: "mails",
        what: "delivered e-mails' texts",
        sql: "UPDATE {s}mails SET text = '', html = '' WHERE status = 'sent' AND sent_at < $1 AND (text <> '' OR html <> '')",
        cut: Cut::DaysAgo(Days::MailBody),
    },
    Purge {
        label: "notifications",
        table: "mails",
        what: "mail log entries",
        sql: "DELETE FROM {s}mails WHERE status <> 'pending' AND created_at < $1",
        cut: Cut::DaysAgo(Days::MailLog),
    },
    Purge {
        label: "notifications",
        table: "notices",
        what: "in-app notices",
        sql: "DELETE FROM {s}notices WHERE at < $1",
        cut: Cut::DaysAgoText(Days::MailLog),
    },
    Purge {
        label: "notifications",
        table: "envelopes",
        what: "envelopes no message needs",
        sql: "DELETE FROM {s}envelopes WHERE deposited_at < $1 \
              AND NOT EXISTS (SELECT 1 FROM {s}notices n WHERE n.envelope_id = {s}envelopes.id) \
              AND NOT EXISTS (SELECT 1 FROM {s}mails m WHERE m.envelope_id = {s}envelopes.id) \
              AND NOT EXISTS (SELECT 1 FROM {s}waiting w WHERE w.envelope_id = {s}envelopes.id)",
        cut: Cut::DaysAgo(Days::MailLog),
    },
];

/// A cut's value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Bound {
    Seconds(i64),
    Text(String),
}

impl Retention {
    fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
    }

    fn days(&self, days: Days) -> i64 {
        i64::from(match days {
            Days::One => 1,
            Days::MailBody => self.mail_body_days,
            Days::MailLog => self.mail_log_days,
            Days::Outbox => self.outbox_days,
        })
    }

    fn bound(&self, cut: Cut) -> Bound {
        let now = self.now();
        match cut {
            Cut::Now => Bound::Seconds(now),
            Cut::DaysAgo(d) => Bound::Seconds(now - self.days(d) * 86_400),
            Cut::DaysAgoText(d) => Bound::Text(rfc3339(now - self.days(d) * 86_400)),
        }
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The purges of `label`.
fn purges_of(label: &str) -> impl Iterator<Item = &'static Purge> {
    PURGES
        .iter()
        .filter(move |p| p.label == "*" || p.label == label)
}

/// Runs every purge on the SQLite files of the runtime config.
pub async fn run_sqlite(
    manifest: &Path,
    data_dir: &Path,
    runtime_config: Option<&Path>,
    retention: &Retention,
) -> Result<()> {
    for (label, file) in crate::data::databases(manifest, data_dir, runtime_config)? {
        if !file.exists() {
            continue;
        }
        let retention = retention.clone();
        let name = label.clone();
        let done =
            tokio::task::spawn_blocking(move || sqlite_file(&name, &file, &retention)).await??;
        report(&label, &done);
    }
    Ok(())
}

fn sqlite_file(
    label: &str,
    file: &Path,
    retention: &Retention,
) -> Result<Vec<(&'static str, u64)>> {
    let conn = crate::factors::sqlite::open_file(file)
        .with_context(|| format!("opening {}", file.display()))?;
    let mut done = Vec::new();
    for purge in purges_of(label) {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [purge.table],
            |r| r.get(0),
        )?;
        if !exists {
            continue;
        }
        let sql = purge.sql.replace("{s}", "");
        let n = match retention.bound(purge.cut) {
            Bound::Seconds(t) => conn.execute(&sql, [t])?,
            Bound::Text(t) => conn.execute(&sql, [t])?,
        };
        done.push((purge.what, n as u64));
    }
    conn.execute_batch("VACUUM")
        .with_context(|| format!("vacuuming {}", file.display()))?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(done)
}

/// Runs every purge on PostgreSQL (one schema per service label).
pub async fn run_postgres(manifest: &Path, url: &str, retention: &Retention) -> Result<()> {
    let mut conn = crate::postgres::connect(url).await?;
    for service in crate::postgres::services(manifest)? {
        let label = service.label.as_str();
        let schema = format!("{label}.");
        let mut done = Vec::new();
        for purge in purges_of(label) {
            let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(format!("{label}.{}", purge.table))
                .fetch_one(&mut conn)
                .await?;
            if !exists {
                continue;
            }
            let sql = purge.sql.replace("{s}", &schema);
            let query = sqlx::query(&sql);
            let query = match retention.bound(purge.cut) {
                Bound::Seconds(t) => query.bind(t),
                Bound::Text(t) => query.bind(t),
            };
            let n = query
                .execute(&mut conn)
                .await
                .with_context(|| format!("{label}: {}", purge.what))?
                .rows_affected();
            done.push((purge.what, n));
        }
        report(label, &done);
    }
    // Dead rows (what was purged or erased) leave the tables' pages; a table the
    // administrator does not own is skipped with a warning.
    sqlx::query("VACUUM")
        .execute(&mut conn)
        .await
        .context("vacuuming the database")?;
    Ok(())
}

fn report(label: &str, done: &[(&str, u64)]) {
    for (what, n) in done {
        println!("{label}: {n} {what} purged");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_purge_touches_an_audit_table_and_every_one_is_bounded() {
        for p in PURGES {
            assert!(!p.sql.to_lowercase().contains("audit"), "{}", p.sql);
            assert!(!p.table.contains("audit"));
            assert!(p.sql.contains("$1") && p.sql.contains(&format!("{{s}}{}", p.table)));
        }
        assert!(purges_of("identity").any(|p| p.table == "outbox"));
        assert!(purges_of("applications").all(|p| p.label == "*"));
    }

    #[test]
    fn cuts_count_back_from_now() {
        let r = Retention {
            mail_body_days: 30,
            mail_log_days: 365,
            outbox_days: 7,
            now: Some(1_777_636_800),
        };
        assert_eq!(r.bound(Cut::Now), Bound::Seconds(1_777_636_800));
        assert_eq!(
            r.bound(Cut::DaysAgo(Days::Outbox)),
            Bound::Seconds(1_777_636_800 - 7 * 86_400)
        );
        assert_eq!(
            r.bound(Cut::DaysAgoText(Days::MailLog)),
            Bound::Text("2025-05-01T12:00:00Z".into())
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    /// What a statement deletes on a connection qmi opens (`secure_delete`) is
    /// zeroed in the file, and a checkpoint that truncates the log leaves no
    /// copy of it anywhere on disk.
    #[test]
    fn deleted_bytes_leave_the_file_and_its_log() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("qmi-secure-delete-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let conn = crate::factors::sqlite::open_file(&dir.join("db.sqlite"))?;
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)")?;
        let secret = "jo.erased.secret@example.org";
        for i in 0..50 {
            conn.execute(
                "INSERT INTO t (id, email) VALUES (?1, ?2)",
                rusqlite::params![i, format!("{i}-{secret}")],
            )?;
        }
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        conn.execute("DELETE FROM t", [])?;
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        assert_eq!(busy, 0);
        for entry in std::fs::read_dir(&dir)? {
            let bytes = std::fs::read(entry?.path())?;
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the deleted address is still in a file"
            );
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// On a file: what has expired goes, the rest stays, and an audit table
    /// beside them is untouched.
    #[test]
    fn purges_what_expired_on_a_file() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("qmi-maintenance-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("identity.db");
        let conn = crate::factors::sqlite::open_file(&file)?;
        conn.execute_batch(
            "CREATE TABLE refresh_tokens (token_hash TEXT, expires_at INTEGER);
             INSERT INTO refresh_tokens VALUES ('old', 100), ('live', 5000);
             CREATE TABLE outbox (id TEXT, relayed_at INTEGER);
             INSERT INTO outbox VALUES ('a', 10), ('b', NULL), ('c', 4999);
             CREATE TABLE audit (seq INTEGER, at INTEGER);
             INSERT INTO audit VALUES (1, 1);",
        )?;
        drop(conn);
        let r = Retention {
            mail_body_days: 30,
            mail_log_days: 365,
            outbox_days: 0,
            now: Some(1000),
        };
        let done = sqlite_file("identity", &file, &r)?;
        assert!(done.contains(&("expired refresh tokens", 1)), "{done:?}");
        assert!(done.contains(&("relayed outbox messages", 1)), "{done:?}");
        let conn = crate::factors::sqlite::open_file(&file)?;
        let left: i64 = conn.query_row(
            "SELECT (SELECT COUNT(*) FROM refresh_tokens) * 100 + (SELECT COUNT(*) FROM outbox) * 10 + (SELECT COUNT(*) FROM audit)",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(left, 100 + 20 + 1);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
