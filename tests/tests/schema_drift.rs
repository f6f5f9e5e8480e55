//! One logical schema on both backends: a fresh SQLite data directory and a fresh
//! PostgreSQL database, each migrated by `qmi migrate`, hold per service the same
//! tables and views, columns (names, nullability, types through the mapping of
//! docs/design/postgres.md), primary keys, foreign keys, unique constraints and
//! indexes (names and columns). The documented differences only: FTS5 virtual
//! tables (and their shadow tables) are tables with a GIN index on PostgreSQL (over
//! a `tsvector` column, or trigrams for FTS5's trigram tokenizer), and a table whose implicit rowid the statements use has an
//! explicit `rowid` identity column there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use qmi_tests::postgres::{DataDir, TestDatabase, service_labels};
use sqlx::PgConnection;

/// Lines PostgreSQL has on purpose and SQLite has not (label, line).
const POSTGRES_ONLY: &[(&str, &str)] = &[
    (
        "partners",
        "organisations: column rowid bigint not null identity",
    ),
    ("partners", "organisations: unique (rowid)"),
];

/// One service's schema as comparable lines, e.g. `accounts: column email text not null`.
type Description = BTreeSet<String>;

/// A SQLite foreign key: referenced table, columns, referenced columns (`None`:
/// the referenced table's primary key), ON DELETE action.
type SqliteForeignKey = (String, Vec<String>, Vec<Option<String>>, String);

/// A PostgreSQL constraint: kind (`p`, `u`, `f`), columns, referenced table and
/// columns, ON DELETE action.
type Constraint = (String, Vec<String>, Option<String>, Vec<String>, String);

#[tokio::test]
async fn sqlite_and_postgres_schemas_do_not_drift() {
    let sqlite = DataDir::new();
    sqlite.qmi("migrate", &[]);
    let database = TestDatabase::new();
    let scratch = DataDir::new();
    scratch.qmi("migrate", &["--database-url", database.url()]);
    let mut pg = database.admin().await;

    let labels = service_labels();
    assert!(
        labels.len() >= 6,
        "expected every service's PostgreSQL migrations, found {labels:?}"
    );
    let mut report = String::new();
    for label in &labels {
        let (lite, fts) = describe_sqlite(&sqlite.sqlite(label));
        let (mut postgres, search) = describe_postgres(&mut pg, label).await;
        assert_eq!(
            fts, search,
            "{label}: SQLite's FTS5 tables and PostgreSQL's GIN-indexed search tables differ"
        );
        for (service, line) in POSTGRES_ONLY.iter().filter(|(l, _)| l == label) {
            assert!(
                postgres.remove(*line),
                "{service}: the documented difference `{line}` is gone: update POSTGRES_ONLY and docs/design/postgres.md"
            );
        }
        let only_sqlite: Vec<_> = lite.difference(&postgres).collect();
        let only_postgres: Vec<_> = postgres.difference(&lite).collect();
        if !only_sqlite.is_empty() || !only_postgres.is_empty() {
            report.push_str(&format!("\n== {label}\n"));
            for line in only_sqlite {
                report.push_str(&format!("  only on SQLite:     {line}\n"));
            }
            for line in only_postgres {
                report.push_str(&format!("  only on PostgreSQL: {line}\n"));
            }
        }
        assert!(
            lite.iter().any(|l| l.contains(": column ")),
            "{label}: no SQLite table read"
        );
    }
    assert!(
        report.is_empty(),
        "the SQLite and PostgreSQL schemas drifted (migrations/ vs migrations-postgres/):{report}"
    );
}

/// The registry's triggers find their tables whoever writes: an operator's
/// session whose `search_path` is not identity's adds, renames and removes a
/// commune, and the tallies (`/api/figures`) and the name index follow.
#[tokio::test]
async fn registry_triggers_keep_their_tables_from_any_session() {
    let database = TestDatabase::new();
    let scratch = DataDir::new();
    scratch.qmi("migrate", &["--database-url", database.url()]);
    let mut admin = database.admin().await;
    let run = async |conn: &mut PgConnection, sql: &str| {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    run(&mut admin, "SET search_path = public").await;
    run(
        &mut admin,
        "INSERT INTO identity.communes (insee, name, name_norm, departement, population, status) \
         VALUES ('01010', 'Zéphyr-sur-Ain', 'zephyr sur ain', '01', 120, 'member')",
    )
    .await;
    let tally = async |conn: &mut PgConnection| -> Option<(i64, i64)> {
        sqlx::query_as(
            "SELECT communes, population FROM identity.commune_tallies \
             WHERE dimension = 'departement' AND code = '01'",
        )
        .fetch_optional(&mut *conn)
        .await
        .expect("the tallies")
    };
    let names = async |conn: &mut PgConnection| -> Vec<(i64, String)> {
        sqlx::query_as("SELECT rowid, name_norm FROM identity.commune_names WHERE insee = '01010'")
            .fetch_all(&mut *conn)
            .await
            .expect("the name index")
    };
    assert_eq!(tally(&mut admin).await, Some((1, 120)));
    // The search key: the code's five bytes as a base-256 number.
    assert_eq!(
        names(&mut admin).await,
        [(0x30_31_30_31_30, " zephyr sur ain".to_owned())]
    );
    run(
        &mut admin,
        "UPDATE identity.communes SET name = 'Zéphyr', name_norm = 'zephyr' WHERE insee = '01010'",
    )
    .await;
    assert_eq!(
        names(&mut admin).await,
        [(0x30_31_30_31_30, " zephyr".to_owned())]
    );
    run(
        &mut admin,
        "DELETE FROM identity.communes WHERE insee = '01010'",
    )
    .await;
    assert_eq!(tally(&mut admin).await, None);
    assert!(names(&mut admin).await.is_empty());
}

/// SQLite's declared type through the mapping.
fn mapped(sqlite_type: &str) -> String {
    match sqlite_type.to_ascii_uppercase().as_str() {
        "INTEGER" => "bigint".into(),
        "REAL" => "double precision".into(),
        "TEXT" => "text".into(),
        "BLOB" => "bytea".into(),
        other => format!("unmapped SQLite type {other:?}"),
    }
}

/// The schema of one SQLite database, and its FTS5 virtual tables.
fn describe_sqlite(path: &Path) -> (Description, BTreeSet<String>) {
    let db = rusqlite::Connection::open(path).expect("opening the SQLite database");
    let relations: Vec<(String, String, String)> = db
        .prepare("SELECT name, type, COALESCE(sql, '') FROM sqlite_master WHERE type IN ('table', 'view')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let fts: BTreeSet<String> = relations
        .iter()
        .filter(|(_, _, sql)| sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"))
        .map(|(name, _, _)| name.clone())
        .collect();
    let shadow = |name: &str| {
        fts.iter().any(|v| {
            name.strip_prefix(v.as_str())
                .and_then(|rest| rest.strip_prefix('_'))
                .is_some_and(|suffix| {
                    ["data", "idx", "content", "docsize", "config"].contains(&suffix)
                })
        })
    };
    let mut lines = Description::new();
    for (rel, kind, sql) in &relations {
        if rel.starts_with("sqlite_")
            || rel == "_sqlx_migrations"
            || fts.contains(rel)
            || shadow(rel)
        {
            continue;
        }
        lines.insert(format!("{rel}: {kind}"));
        let columns: Vec<(String, String, bool, i64)> = db
            .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")
            .unwrap()
            .query_map([rel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut key: Vec<(i64, String)> = columns
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| (c.3, c.0.clone()))
            .collect();
        key.sort();
        let rowid_alias = kind == "table"
            && key.len() == 1
            && !sql.to_ascii_uppercase().contains("WITHOUT ROWID")
            && columns
                .iter()
                .any(|c| c.3 == 1 && c.1.eq_ignore_ascii_case("INTEGER"));
        for (name, declared, not_null, pk) in &columns {
            let not_null = if *not_null || *pk > 0 {
                " not null"
            } else {
                ""
            };
            let identity = if rowid_alias && *pk == 1 {
                " identity"
            } else {
                ""
            };
            lines.insert(format!(
                "{rel}: column {name} {}{not_null}{identity}",
                mapped(declared)
            ));
        }
        if !key.is_empty() {
            lines.insert(format!(
                "{rel}: primary key ({})",
                join(key.into_iter().map(|k| k.1))
            ));
        }
        let mut foreign: BTreeMap<i64, SqliteForeignKey> = BTreeMap::new();
        let mut fks = db
            .prepare("SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
            .unwrap();
        let rows = fks
            .query_map([rel], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (id, table, from, to, on_delete) = row.unwrap();
            let entry = foreign.entry(id).or_insert_with(|| {
                (
                    table,
                    Vec::new(),
                    Vec::new(),
                    on_delete.to_ascii_lowercase(),
                )
            });
            entry.1.push(from);
            entry.2.push(to);
        }
        for (table, from, to, on_delete) in foreign.into_values() {
            let to = if to.iter().all(Option::is_some) {
                to.into_iter().flatten().collect()
            } else {
                primary_key(&db, &table)
            };
            lines.insert(format!(
                "{rel}: foreign key ({}) references {table} ({}){}",
                join(from),
                join(to),
                on_delete_clause(&on_delete)
            ));
        }
        let indexes: Vec<(String, bool, String, bool)> = db
            .prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")
            .unwrap()
            .query_map([rel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (name, unique, origin, partial) in indexes {
            let columns: Vec<String> = db
                .prepare(
                    "SELECT name, coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
                )
                .unwrap()
                .query_map([&name], |r| {
                    let column: Option<String> = r.get(0)?;
                    let collation: String = r.get(1)?;
                    Ok(match column {
                        None => "<expr>".to_owned(),
                        Some(c) if collation.eq_ignore_ascii_case("BINARY") => c,
                        Some(c) => format!("{c} collate {}", collation.to_ascii_lowercase()),
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    lines.insert(format!("{rel}: unique ({})", join(columns)));
                }
                _ => {
                    lines.insert(index_line(rel, &name, unique, partial, columns));
                }
            }
        }
    }
    (lines, fts)
}

fn primary_key(db: &rusqlite::Connection, table: &str) -> Vec<String> {
    let mut key: Vec<(i64, String)> = db
        .prepare("SELECT pk, name FROM pragma_table_info(?1) WHERE pk > 0")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    key.sort();
    key.into_iter().map(|k| k.1).collect()
}

/// The schema of one service's PostgreSQL schema, and its full-text tables
/// (a GIN index over a `tsvector` column or with `gin_trgm_ops`).
async fn describe_postgres(pg: &mut PgConnection, schema: &str) -> (Description, BTreeSet<String>) {
    let relations: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') AND c.relname <> '_sqlx_migrations'",
    )
    .bind(schema)
    .fetch_all(&mut *pg)
    .await
    .unwrap();
    let mut lines = Description::new();
    let mut search = BTreeSet::new();
    for (rel, kind) in relations {
        let class = format!("{schema}.{rel}");
        let full_text: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
                            JOIN pg_am am ON am.oid = i.relam
                            WHERE ix.indrelid = $1::regclass AND am.amname = 'gin'
                              AND (EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass
                                                                        AND atttypid = 'tsvector'::regtype)
                                   OR EXISTS (SELECT 1 FROM pg_opclass oc
                                              WHERE oc.oid = ANY (ix.indclass::oid[])
                                                AND oc.opcname = 'gin_trgm_ops')))",
        )
        .bind(&class)
        .fetch_one(&mut *pg)
        .await
        .unwrap();
        if full_text {
            search.insert(rel);
            continue;
        }
        lines.insert(format!("{rel}: {kind}"));
        let columns: Vec<(String, String, bool, bool)> = sqlx::query_as(
            "SELECT attname::text, format_type(atttypid, atttypmod), attnotnull, attidentity <> ''
             FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
             ORDER BY attnum",
        )
        .bind(&class)
        .fetch_all(&mut *pg)
        .await
        .unwrap();
        for (name, pg_type, not_null, identity) in columns {
            lines.insert(format!(
                "{rel}: column {name} {pg_type}{}{}",
                if not_null { " not null" } else { "" },
                if identity { " identity" } else { "" }
            ));
        }
        let constraints: Vec<Constraint> = sqlx::query_as(
            "SELECT con.contype::text,
                    ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
                    (SELECT relname::text FROM pg_class WHERE oid = con.confrelid),
                    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
                    con.confdeltype::text
             FROM pg_constraint con WHERE con.conrelid = $1::regclass AND con.contype IN ('p', 'u', 'f')",
        )
        .bind(&class)
        .fetch_all(&mut *pg)
        .await
        .unwrap();
        for (kind, columns, target, target_columns, on_delete) in constraints {
            let line = match kind.as_str() {
                "p" => format!("{rel}: primary key ({})", join(columns)),
                "u" => format!("{rel}: unique ({})", join(columns)),
                _ => {
                    let action = match on_delete.as_str() {
                        "c" => "cascade",
                        "n" => "set null",
                        "d" => "set default",
                        "r" => "restrict",
                        _ => "no action",
                    };
                    format!(
                        "{rel}: foreign key ({}) references {} ({}){}",
                        join(columns),
                        target.unwrap_or_default(),
                        join(target_columns),
                        on_delete_clause(action)
                    )
                }
            };
            lines.insert(line);
        }
        let indexes: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
            "SELECT i.relname::text, ix.indisunique, ix.indpred IS NOT NULL,
                    ARRAY(SELECT CASE WHEN k.n = 0 THEN '<expr>'
                                      WHEN k.coll <> 0 AND k.coll <> a.attcollation
                                          THEN a.attname || ' collate ' || coll.collname
                                      ELSE a.attname::text END
                          FROM unnest(ix.indkey::int2[], ix.indcollation::oid[]) WITH ORDINALITY k(n, coll, o)
                          LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n
                          LEFT JOIN pg_collation coll ON coll.oid = k.coll
                          ORDER BY k.o)
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
             WHERE ix.indrelid = $1::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = ix.indrelid
                               AND con.conindid = ix.indexrelid AND con.contype IN ('p', 'u'))",
        )
        .bind(&class)
        .fetch_all(&mut *pg)
        .await
        .unwrap();
        for (name, unique, partial, columns) in indexes {
            lines.insert(index_line(&rel, &name, unique, partial, columns));
        }
    }
    (lines, search)
}

fn index_line(rel: &str, name: &str, unique: bool, partial: bool, columns: Vec<String>) -> String {
    format!(
        "{rel}: index {name}{}{} ({})",
        if unique { " unique" } else { "" },
        if partial { " partial" } else { "" },
        join(columns)
    )
}

fn on_delete_clause(action: &str) -> String {
    match action {
        "no action" | "" => String::new(),
        other => format!(" on delete {other}"),
    }
}

fn join(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}
