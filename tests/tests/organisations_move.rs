//! Issue 16: `qmi migrate` moves the organisation profiles identity held into the
//! `partners` database with nothing lost, and leaves identity the ids only — the
//! accounts, invitations and join requests that refer to them intact.
//!
//! The data directory is prepared by `qmi migrate` itself, then identity's
//! `organisations` table is put back into its shape before issue 16 (migration
//! 0001's) and filled with organisations and members, as a database of the
//! previous release holds them; `qmi migrate` is run again and every field is
//! compared.

use std::path::Path;
use std::process::{Command, Stdio};

use qmi_tests::{app, qmi_bin, workspace_root};
use rusqlite::Connection;

/// Runs `qmi migrate` on the data directory `dir` (the root manifest, its
/// runtime config copied into `dir`, whose relative paths resolve there).
fn migrate(dir: &Path) -> String {
    let out = Command::new(qmi_bin())
        .arg("migrate")
        .arg("-f")
        .arg(app::root_manifest())
        .args(["--runtime-config-file", "runtime-config.toml"])
        .arg("--data-dir")
        .arg(dir.join(".spin"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("qmi migrate runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "qmi migrate failed:\n{log}");
    log
}

/// The statement of migration 0001 that created `organisations` (and its index).
fn organisations_before_issue_16() -> String {
    let sql = std::fs::read_to_string(
        workspace_root().join("services/identity/migrations/0001_identity.sql"),
    )
    .expect("read identity's first migration");
    let start = sql
        .find("CREATE TABLE organisations (")
        .expect("organisations in 0001");
    let end = sql[start..]
        .find("-- One account across every commune")
        .expect("the statement after it")
        + start;
    sql[start..end].to_owned()
}

/// Organisations as the previous release held them: (id, name, kind, country, siret).
const ORGANISATIONS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "0190aaaa-0000-7000-8000-000000000001",
        "Énergie Citoyenne d'Île-de-France",
        "association",
        "FR",
        Some("81234567800013"),
    ),
    (
        "0190aaaa-0000-7000-8000-000000000002",
        "Grüne Wege GmbH",
        "sme",
        "DE",
        None,
    ),
    (
        "0190aaaa-0000-7000-8000-000000000003",
        "Laboratoire des mobilités",
        "research",
        "BE",
        None,
    ),
];

#[test]
fn migrate_moves_every_profile_to_partners_and_keeps_every_link_in_identity() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("runtime-config.toml"),
        app::runtime_config(),
    )
    .expect("write runtime config");
    migrate(dir.path());

    // Identity as a database of the previous release: profiles in `organisations`,
    // an account in each organisation, a pending invitation to the first.
    let identity = Connection::open(dir.path().join(".spin/identity.db")).expect("identity.db");
    identity
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             DROP TABLE organisations;
             {}",
            organisations_before_issue_16()
        ))
        .expect("identity's organisations as before issue 16");
    for (i, (id, name, kind, country, siret)) in ORGANISATIONS.iter().enumerate() {
        identity
            .execute(
                "INSERT INTO organisations (id, name, kind, country, siret, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, '2026-01-0' || ?6 || 'T10:00:00Z', '2026-02-0' || ?6 || 'T10:00:00Z')",
                rusqlite::params![id, name, kind, country, siret, i + 1],
            )
            .expect("an organisation");
        identity
            .execute(
                "INSERT INTO accounts (id, email, name, organisation_id) VALUES (?1, ?2, 'Membre', ?3)",
                rusqlite::params![format!("acct-{i}"), format!("member{i}@move.example"), id],
            )
            .expect("a member");
    }
    identity
        .execute(
            "INSERT INTO invitations (id, kind, organisation_id, email, invited_by, token_hash, created_at, expires_at)
             VALUES ('inv-1', 'organisation', ?1, 'guest@move.example', 'acct-0', 'hash', 1, 9999999999)",
            [ORGANISATIONS[0].0],
        )
        .expect("an invitation");
    drop(identity);

    let log = migrate(dir.path());
    assert!(log.contains("organisation profiles moved"), "{log}");

    // Every profile is in partners, field by field.
    let partners = Connection::open(dir.path().join(".spin/partners.db")).expect("partners.db");
    for (i, (id, name, kind, country, siret)) in ORGANISATIONS.iter().enumerate() {
        let row: (String, String, String, Option<String>, String, String) = partners
            .query_row(
                "SELECT name, kind, country, siret, created_at, updated_at FROM organisations WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap_or_else(|e| panic!("{id} not in partners: {e}"));
        assert_eq!(
            row,
            (
                (*name).to_owned(),
                (*kind).to_owned(),
                (*country).to_owned(),
                siret.map(str::to_owned),
                format!("2026-01-0{}T10:00:00Z", i + 1),
                format!("2026-02-0{}T10:00:00Z", i + 1),
            )
        );
    }
    // And searchable at once (the index follows the table).
    let found: i64 = partners
        .query_row(
            "SELECT COUNT(*) FROM organisation_search WHERE organisation_search MATCH '\"energie\"* \"citoyenne\"*'",
            [],
            |r| r.get(0),
        )
        .expect("search");
    assert_eq!(found, 1);

    // Identity keeps the ids only, and every link to them.
    let identity = Connection::open(dir.path().join(".spin/identity.db")).expect("identity.db");
    let columns: Vec<String> = identity
        .prepare("SELECT name FROM pragma_table_info('organisations') ORDER BY cid")
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .expect("columns");
    assert_eq!(columns, ["id", "created_at"]);
    let ids: i64 = identity
        .query_row("SELECT COUNT(*) FROM organisations", [], |r| r.get(0))
        .expect("ids");
    assert_eq!(ids, ORGANISATIONS.len() as i64);
    let linked: i64 = identity
        .query_row(
            "SELECT COUNT(*) FROM accounts a JOIN organisations o ON o.id = a.organisation_id WHERE a.id LIKE 'acct-%'",
            [],
            |r| r.get(0),
        )
        .expect("members");
    assert_eq!(linked, ORGANISATIONS.len() as i64);
    let invited: i64 = identity
        .query_row(
            "SELECT COUNT(*) FROM invitations i JOIN organisations o ON o.id = i.organisation_id WHERE i.id = 'inv-1'",
            [],
            |r| r.get(0),
        )
        .expect("invitation");
    assert_eq!(invited, 1);
    let broken: i64 = identity
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("foreign key check");
    assert_eq!(broken, 0);
    drop(identity);
    drop(partners);

    // Done once: a third run moves nothing and changes nothing.
    let log = migrate(dir.path());
    assert!(!log.contains("organisation profiles moved"), "{log}");
}
