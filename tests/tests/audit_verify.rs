//! `qmi audit verify` (issue 18): the operator recomputes every audit chain from
//! the databases the running server writes, read-only, and learns of any entry
//! changed behind the API.
//!
//! The test builds its own world through the API (a new commune, its admin, two
//! calls: two entries in the commune's `applications` chain), finds every chain
//! intact, proves that the database refuses to change or remove an entry (the
//! append-only triggers; on PostgreSQL also the service role's missing grants),
//! then, as someone with access to the database, gets past them and changes the
//! second entry's `account_id`: `verify` fails and names the service, the
//! commune and the entry. Runs on SQLite, or on PostgreSQL with
//! `QMI_TEST_BACKEND=postgres` (the admin tampers with the triggers disabled for
//! its session: `SET session_replication_role = replica`).

use std::process::{Command, Stdio};

use qmi_tests::http::Client;
use qmi_tests::{QmiServer, app, invite, qmi_bin};
use serde_json::{Value, json};
use sqlx::{Connection as _, PgConnection};

const PW: &str = "audit-verify-password";
/// The commune: Toulouse (not in the demo data).
const A: &str = "31555";
const TRIGGER_MESSAGE: &str = "the audit trail is append-only";

fn call_body(title: &str) -> Value {
    json!({
        "insee": A,
        "title": title,
        "description": "Un appel pour vérifier le journal",
        "themes": ["Climat"],
        "challenges": ["Réduire la chaleur urbaine"],
        "eligibility": { "kinds": ["startup", "association", "sme"], "countries": [] },
        "opens_at": "2020-01-01T00:00:00Z",
        "closes_at": "2099-01-31T18:00",
        "target_selections": 1,
        "form": [{ "id": "pitch", "label": "Votre solution", "kind": "long_text", "required": true, "max_length": 500 }],
        "criteria": [{ "id": "impact", "name": "Impact", "weight": 1 }],
        "published": true
    })
}

/// Runs `qmi audit verify` on the files (or the database) the server uses, from
/// its working directory (where its runtime config's relative paths resolve);
/// returns (success, stdout, stderr).
fn verify(server: &QmiServer) -> (bool, String, String) {
    let mut command = Command::new(qmi_bin());
    command
        .current_dir(server.work_dir())
        .args(["audit", "verify", "-f"])
        .arg(app::root_manifest())
        .arg("--data-dir")
        .arg(server.data_dir())
        .args(["--runtime-config-file", "runtime-config.toml"])
        .env_remove("QMI_DATABASE_URL")
        .stdin(Stdio::null());
    if let Some(database) = server.database() {
        command.arg("--database-url").arg(database.url());
    }
    let out = command.output().expect("qmi audit verify runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The line `verify` printed for `service`'s chain of `commune`.
fn chain_line<'a>(out: &'a str, service: &str, commune: &str) -> &'a str {
    out.lines()
        .find(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(service) && words.next() == Some(commune)
        })
        .unwrap_or_else(|| panic!("no line for {service} {commune}:\n{out}"))
}

#[test]
fn verify_finds_the_chains_intact_then_names_an_entry_changed_behind_the_api() {
    let server = app::serve(
        &[
            "identity",
            "applications",
            "districts",
            "partners",
            "experiments",
        ],
        PW,
    );
    let client = Client::new(&server);
    let sign_in = |email: &str| -> String {
        client
            .post(
                "/api/auth/token",
                None,
                &json!({ "email": email, "password": PW }),
            )
            .str("access_token")
    };
    let ok = |method: &str, path: &str, token: &str, body: Option<&Value>| -> Value {
        let r = client.send(method, path, Some(token), body);
        assert!((200..300).contains(&r.status), "{method} {path}: {r:?}");
        r.body
    };
    let programme = sign_in("programme@qmi.example");
    let hosting = sign_in("hosting@qmi.example");
    ok(
        "POST",
        "/api/admin/communes",
        &hosting,
        Some(&json!({ "insee": A, "name": "Toulouse", "population": 1000, "status": "member" })),
    );
    invite::to_commune(
        &server,
        &programme,
        A,
        "admin.verify@audit.example",
        "admin",
        Some("Admin Verify"),
        PW,
    );
    let admin = sign_in("admin.verify@audit.example");
    let mut calls = Vec::new();
    for title in ["Premier appel", "Second appel"] {
        let call = ok("POST", "/api/calls", &admin, Some(&call_body(title)));
        calls.push(call["id"].as_str().expect("call id").to_owned());
    }
    // The commune's applications chain: the two calls, seq 1 and 2.
    let trail = ok(
        "GET",
        &format!("/api/communes/{A}/audit?limit=100"),
        &admin,
        None,
    );
    let mut applications: Vec<(i64, String)> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["service"] == "applications")
        .map(|e| {
            (
                e["seq"].as_i64().expect("seq"),
                e["record_id"].as_str().expect("record").to_owned(),
            )
        })
        .collect();
    applications.sort();
    assert_eq!(
        applications,
        vec![(1, calls[0].clone()), (2, calls[1].clone())],
        "{trail}"
    );

    // Every chain intact, read beside the running server.
    let (intact, out, err) = verify(&server);
    println!("qmi audit verify, untouched:\n{out}");
    assert!(intact, "verify failed on untouched data:\n{out}\n{err}");
    let line = chain_line(&out, "applications", A);
    assert!(
        line.contains(" 2 entries") && line.ends_with("intact"),
        "{line}\n{out}"
    );
    assert!(
        chain_line(&out, "identity", A).ends_with("intact"),
        "the admin's membership: {out}"
    );
    assert!(
        chain_line(&out, "identity", "platform").ends_with("intact"),
        "sign-ins and the commune's creation: {out}"
    );
    assert!(out.contains("every chain intact"), "{out}");

    // The database refuses to change or remove an entry; past that, the second
    // entry names someone else.
    match server.database() {
        None => tamper_sqlite(&server),
        Some(database) => runtime().block_on(tamper_postgres(database)),
    }

    let (intact, out, err) = verify(&server);
    println!("qmi audit verify, tampered:\n{out}\n{err}");
    assert!(!intact, "verify passed a changed entry:\n{out}\n{err}");
    let named =
        format!("applications audit, commune {A}, seq 2: hash does not match the entry's content");
    assert!(out.contains(&named), "stdout names the break:\n{out}");
    assert!(err.contains(&named), "the error lists the break:\n{err}");
    assert!(
        chain_line(&out, "applications", A).contains("BROKEN (1 break)"),
        "{out}"
    );
    assert!(
        chain_line(&out, "identity", A).ends_with("intact"),
        "other chains stay intact: {out}"
    );

    // The chain goes on from the stored hash: the next entry links, the break stays
    // where it is.
    ok(
        "POST",
        "/api/calls",
        &admin,
        Some(&call_body("Troisième appel")),
    );
    let (intact, out, _) = verify(&server);
    assert!(!intact, "{out}");
    let line = chain_line(&out, "applications", A);
    assert!(
        line.contains(" 3 entries") && line.contains("BROKEN (1 break)"),
        "{out}"
    );
    assert!(out.contains(&named), "{out}");
}

/// As someone with the applications file: the triggers refuse an UPDATE and a
/// DELETE of an entry (and of a platform entry, in identity's file); with the
/// UPDATE trigger dropped, the second entry of the commune's chain names another
/// account.
fn tamper_sqlite(server: &QmiServer) {
    let spin = server.work_dir().join(".spin");
    let open = |label: &str| {
        let conn = rusqlite::Connection::open(spin.join(format!("{label}.db")))
            .unwrap_or_else(|e| panic!("opening {label}.db: {e}"));
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        conn
    };
    let refused = |conn: &rusqlite::Connection, sql: &str| {
        let Err(error) = conn.execute(sql, []) else {
            panic!("{sql}: accepted");
        };
        assert!(
            error.to_string().contains(TRIGGER_MESSAGE),
            "{sql}: {error}"
        );
    };
    let identity = open("identity");
    let platform: i64 = identity
        .query_row("SELECT COUNT(*) FROM platform_audit", [], |r| r.get(0))
        .expect("platform entries");
    assert!(platform > 0, "sign-ins are in identity's platform chain");
    refused(
        &identity,
        "UPDATE platform_audit SET account_id = 'intruder' WHERE seq = 1",
    );
    refused(&identity, "DELETE FROM platform_audit WHERE seq = 1");

    let conn = open("applications");
    refused(
        &conn,
        &format!("UPDATE audit SET account_id = 'intruder' WHERE insee = '{A}' AND seq = 2"),
    );
    refused(
        &conn,
        &format!("DELETE FROM audit WHERE insee = '{A}' AND seq = 2"),
    );
    conn.execute_batch("DROP TRIGGER audit_no_update")
        .expect("dropping the trigger");
    let changed = conn
        .execute(
            &format!("UPDATE audit SET account_id = 'intruder' WHERE insee = '{A}' AND seq = 2"),
            [],
        )
        .expect("the update, without its trigger");
    assert_eq!(changed, 1);
}

/// As the service (its login role): no UPDATE, no DELETE on either table. As the
/// administrator: the trigger refuses both; with the triggers off for its
/// session, the second entry of the commune's chain names another account.
async fn tamper_postgres(database: &qmi_tests::postgres::TestDatabase) {
    let update = format!(
        "UPDATE applications.audit SET account_id = 'intruder' WHERE insee = '{A}' AND seq = 2"
    );
    let delete = format!("DELETE FROM applications.audit WHERE insee = '{A}' AND seq = 2");
    let code = |result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>, what: &str| {
        let Err(error) = result else {
            panic!("{what}: accepted");
        };
        error
            .as_database_error()
            .and_then(|e| e.code().map(|c| c.into_owned()))
            .unwrap_or_else(|| panic!("{what}: {error}"))
    };

    let mut service = PgConnection::connect(&database.url_as("qmi_applications"))
        .await
        .expect("connecting as the service");
    sqlx::raw_sql(&format!("BEGIN; SET LOCAL qmi.commune = '{A}'"))
        .execute(&mut service)
        .await
        .expect("the commune's transaction");
    for (sql, what) in [
        (update.as_str(), "the service's update"),
        (delete.as_str(), "the service's delete"),
    ] {
        sqlx::raw_sql("SAVEPOINT attempt")
            .execute(&mut service)
            .await
            .expect("savepoint");
        let result = sqlx::query(sql).execute(&mut service).await;
        assert_eq!(code(result, what), "42501", "{what}: permission denied");
        sqlx::raw_sql("ROLLBACK TO SAVEPOINT attempt")
            .execute(&mut service)
            .await
            .expect("rollback to savepoint");
    }
    for table in ["audit", "platform_audit"] {
        for privilege in ["UPDATE", "DELETE", "TRUNCATE"] {
            let has: bool = sqlx::query_scalar(&format!(
                "SELECT has_table_privilege('applications.{table}', '{privilege}')"
            ))
            .fetch_one(&mut service)
            .await
            .expect("privilege");
            assert!(!has, "qmi_applications has {privilege} on {table}");
        }
    }
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut service)
        .await
        .expect("rollback");

    let mut admin = database.admin().await;
    for (sql, what) in [
        (update.as_str(), "the admin's update"),
        (delete.as_str(), "the admin's delete"),
    ] {
        let result = sqlx::query(sql).execute(&mut admin).await;
        let error = format!("{:?}", result.as_ref().err());
        assert_eq!(code(result, what), "P0001", "{what}: raised by the trigger");
        assert!(error.contains(TRIGGER_MESSAGE), "{what}: {error}");
    }
    sqlx::raw_sql("SET session_replication_role = replica")
        .execute(&mut admin)
        .await
        .expect("triggers off for this session (superuser)");
    let changed = sqlx::query(&update)
        .execute(&mut admin)
        .await
        .expect("the update, triggers off");
    assert_eq!(changed.rows_affected(), 1);
    sqlx::raw_sql("RESET session_replication_role")
        .execute(&mut admin)
        .await
        .expect("triggers back on");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
