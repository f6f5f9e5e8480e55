//! `spin:postgres@4.2.0` as `qmi` serves it, against a real PostgreSQL: Spin's
//! type mapping, its `postgres`-scheme address checks, SQLSTATE errors, and
//! pooled connections that never carry a transaction or a session setting from
//! one request into the next (TOOLCHAIN.md, trap 2 — where qmi is safer than
//! Spin, which does not roll back).

use qmi_tests::postgres::TestDatabase;
use qmi_tests::{Qmi, QmiServer};

fn serve(db: &TestDatabase) -> QmiServer {
    let url = db.url();
    let authority = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|a| a.rsplit_once('@').map(|(_, h)| h.to_owned()))
        .expect("host:port in the test database URL");
    Qmi::up()
        .env("SPIN_VARIABLE_PG_URL", url)
        .env(
            "SPIN_VARIABLE_PG_ORIGIN",
            &format!("postgres://{authority}"),
        )
        .start()
}

/// The answer without the guest types' prefixes (`DbValue::`, `DbDataType::`…).
fn plain(text: &str) -> String {
    ["DbValue::", "DbDataType::", "RangeBoundKind::"]
        .iter()
        .fold(text.to_owned(), |t, prefix| t.replace(prefix, ""))
}

fn run(server: &QmiServer, statements: &[&str]) -> Vec<String> {
    let reply = server.post("/pg/run", &statements.join("\n"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    plain(&reply.body).split('\n').map(str::to_owned).collect()
}

#[test]
fn values_map_as_in_spin() {
    let db = TestDatabase::new();
    let server = serve(&db);
    let reply = server.get("/pg/types");
    assert_eq!(reply.status, 200);
    let body = plain(&reply.body);
    let lines: Vec<&str> = body.lines().collect();
    let expected = [
        "b: Boolean = Boolean(true)",
        "i2: Int16 = Int16(-2)",
        "i4: Int32 = Int32(40000)",
        "i8: Int64 = Int64(1099511627776)",
        "f8: Floating64 = Floating64(1.5)",
        "t: Str = Str(\"héllo\")",
        "bin: Binary = Binary([0, 255])",
        "d: Date = Date((2026, 12, 3))",
        "tm: Time = Time((11, 22, 33, 0))",
        "ts: Datetime = Datetime((2026, 12, 3, 11, 22, 33, 0))",
        "u: Uuid = Uuid(\"0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f\")",
        "j: Jsonb = Jsonb([123, 34, 97, 34, 58, 49, 125])",
        "n: Decimal = Decimal(\"12.50\")",
        "a8: ArrayInt64 = ArrayInt64([Some(1), None])",
        "at: ArrayStr = ArrayStr([Some(\"x\")])",
        "iv: Interval = Interval(Interval { micros: 1000000, days: 2, months: 3 })",
        "nothing: Str = DbNull",
        "r: RangeInt32 = RangeInt32((Some((1, Inclusive)), Some((2, Exclusive))))",
    ];
    assert_eq!(lines, expected, "{}", reply.body);
    // Spin reads date-times through a naive date-time: `timestamptz` does not
    // convert (trap 1), in qmi as in Spin.
    let now = run(&server, &["SELECT now()"]);
    assert!(now[0].starts_with("error:"), "{now:?}");
}

#[test]
fn errors_carry_postgresql_sqlstate() {
    let db = TestDatabase::new();
    let server = serve(&db);
    let out = run(&server, &["SELECT * FROM no_such_table"]);
    assert!(out[0].contains("code: \"42P01\""), "{out:?}");
    let out = run(
        &server,
        &[
            "CREATE TABLE u (k bigint PRIMARY KEY)",
            "INSERT INTO u VALUES (1)",
            "INSERT INTO u VALUES (1)",
        ],
    );
    assert!(out[2].contains("code: \"23505\""), "{out:?}");
    // A bigint parameter is typed strictly, as in Spin: `execute` answers the rows changed.
    let changed = server.post("/pg/execute", "UPDATE u SET k = k + 1", &[]);
    assert_eq!(changed.body, "1");
}

#[test]
fn addresses_are_checked_against_allowed_outbound_hosts() {
    let db = TestDatabase::new();
    let server = serve(&db);
    for (address, why) in [
        ("postgres://postgres@127.0.0.2:5432/qmi", "is not permitted"),
        (
            "host=/var/run/postgresql user=postgres",
            "Unix sockets are not supported",
        ),
    ] {
        let reply = server.post("/pg/run", "SELECT 1", &[("x-address", address)]);
        assert_eq!(reply.status, 403, "{address}: {}", reply.body);
        assert!(reply.body.contains(why), "{address}: {}", reply.body);
    }
}

/// A guest that leaves a transaction open (and a session setting behind) drops
/// its connection: the next requests, on the same pooled server connection, run
/// outside any transaction, see none of its rows and none of its settings.
#[test]
fn a_pooled_connection_carries_nothing_into_the_next_request() {
    let db = TestDatabase::new();
    let server = serve(&db);
    run(&server, &["CREATE TABLE t (x bigint)"]);
    let left = run(
        &server,
        &[
            "SELECT pg_backend_pid()",
            "BEGIN",
            "INSERT INTO t VALUES (1)",
            "SELECT set_config('qmi.commune', '93066', false), set_config('qmi.across', 'read', true)",
        ],
    );
    let pid = left[0].clone();
    let mut reused = false;
    for _ in 0..10 {
        let seen = run(
            &server,
            &[
                "SELECT pg_backend_pid()",
                "SELECT count(*) FROM t",
                "SELECT current_setting('qmi.commune', true), current_setting('qmi.across', true)",
                // Refused outside a transaction block (SQLSTATE 25P01).
                "SAVEPOINT probe",
            ],
        );
        assert_eq!(
            seen[1], "Int64(0)",
            "a left-open transaction's row is visible: {seen:?}"
        );
        assert!(
            !seen[2].contains("93066") && !seen[2].contains("read"),
            "a setting carried over: {seen:?}"
        );
        assert!(
            seen[3].contains("25P01"),
            "ran inside an open transaction: {seen:?}"
        );
        reused |= seen[0] == pid;
        if reused {
            break;
        }
    }
    assert!(reused, "the pool never handed the connection out again");
}
