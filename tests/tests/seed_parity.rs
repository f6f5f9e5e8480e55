//! `qmi seed --database-url` loads the same demo data as `qmi seed`: after
//! seeding a fresh SQLite data directory and a fresh PostgreSQL database, every
//! table of every service holds as many rows on both (the FTS5 index counted
//! against its PostgreSQL table), a second PostgreSQL seeding adds nothing, and
//! the key-value store gets every commune's status and every rights version
//! from PostgreSQL's `identity`.

use qmi_tests::postgres::{DataDir, TestDatabase, service_labels};

#[tokio::test]
async fn both_backends_hold_the_same_demo_data() {
    let sqlite = DataDir::new();
    sqlite.qmi("seed", &[]);
    let database = TestDatabase::new();
    let scratch = DataDir::new();
    scratch.qmi("seed", &["--database-url", database.url()]);
    let mut pg = database.admin().await;

    let mut mismatches = Vec::new();
    let mut seeded = 0;
    for label in service_labels() {
        let db = rusqlite::Connection::open(sqlite.sqlite(&label)).unwrap();
        let tables: Vec<String> = db
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'
                 AND name NOT IN (SELECT v.name || s.suffix FROM sqlite_master v,
                     (SELECT '_data' AS suffix UNION ALL SELECT '_idx' UNION ALL SELECT '_content'
                      UNION ALL SELECT '_docsize' UNION ALL SELECT '_config') s
                     WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%')",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let lite: i64 = db
                .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                    r.get(0)
                })
                .unwrap();
            let postgres: i64 =
                sqlx::query_scalar(&format!("SELECT count(*) FROM {label}.{table}"))
                    .fetch_one(&mut pg)
                    .await
                    .unwrap_or_else(|e| panic!("{label}.{table}: {e}"));
            seeded += lite;
            if lite != postgres {
                mismatches.push(format!(
                    "{label}.{table}: SQLite {lite}, PostgreSQL {postgres}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "row counts differ:\n{}",
        mismatches.join("\n")
    );
    assert!(seeded > 300, "the demo data looks empty ({seeded} rows)");

    let before = total_rows(&mut pg).await;
    scratch.qmi("seed", &["--database-url", database.url()]);
    assert_eq!(
        total_rows(&mut pg).await,
        before,
        "a second seeding added rows"
    );

    let kv = rusqlite::Connection::open(scratch.key_value()).unwrap();
    let published = |prefix: &str| -> i64 {
        kv.query_row(
            "SELECT count(*) FROM spin_key_value WHERE store = 'default' AND key LIKE ?1 || '%'",
            [prefix],
            |r| r.get(0),
        )
        .unwrap()
    };
    let communes: i64 = sqlx::query_scalar("SELECT count(*) FROM identity.communes")
        .fetch_one(&mut pg)
        .await
        .unwrap();
    let rights: i64 =
        sqlx::query_scalar("SELECT count(*) FROM identity.accounts WHERE rights_version > 0")
            .fetch_one(&mut pg)
            .await
            .unwrap();
    assert!(communes >= 130);
    assert_eq!(published("tenant-status/"), communes);
    assert_eq!(published("rights/"), rights);
}

async fn total_rows(pg: &mut sqlx::PgConnection) -> i64 {
    let mut total = 0;
    for label in service_labels() {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r'",
        )
        .bind(&label)
        .fetch_all(&mut *pg)
        .await
        .unwrap();
        for table in tables {
            let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {label}.{table}"))
                .fetch_one(&mut *pg)
                .await
                .unwrap();
            total += count;
        }
    }
    total
}
