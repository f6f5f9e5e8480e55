//! What the audit trail costs on a write (issue 18; goal: under 10 % of the
//! write's p50): `cargo bench -p qmi-tests --bench audit`.
//!
//! The write: `PUT /api/districts/{insee}` by the commune's admin, over HTTP
//! through the gateway (identity and districts under `qmi up`), one request at
//! a time, each a committed change with its entry in the commune's chain. The
//! world is built through the API: a new commune (31555), its admin, its
//! district.
//!
//! There is no switch that turns the trail off (a build-time or runtime switch
//! would measure another program), so the entry's cost is measured three ways,
//! on the real database the server writes:
//!
//! 1. End to end, alternately over several rounds: the write as is, and the
//!    write with the entry's row skipped by the database (a `BEFORE INSERT`
//!    trigger on `audit` that drops the row: `RAISE(IGNORE)` on SQLite, a
//!    trigger function returning NULL on PostgreSQL). The difference is what
//!    storing the row costs (its pages, its indexes, its share of the commit);
//!    the chain head's SELECT, the hash and the INSERT's round trip still run,
//!    so this is a lower bound of the entry's cost.
//! 2. Inside the server: the same writes, in the same rounds, through a second
//!    server on the same files with the host's statement log on
//!    (`RUST_LOG=qmi::sql=debug`, each line stamped to the microsecond when the
//!    host receives the statement from the guest). The span from the entry's
//!    first statement (PostgreSQL: the chain's advisory lock; SQLite: the
//!    head's SELECT) to the `COMMIT` is everything the entry adds inside the
//!    transaction: its statements' trips between guest and host, their
//!    execution, the entry built and hashed in wasm, and two log lines, whose
//!    cost (the logging server's p50 over the other's, per line logged) is
//!    taken out.
//! 3. The write's own statements replayed on the same file (or database, as the
//!    service's role) in the store's transaction, alternately without and with
//!    the entry's statements as `qmi_kit::store` runs them (the lock, the head,
//!    `qmi_kit::audit::next_entry`, the INSERT), committed. The difference is
//!    the entry's database cost; the `COMMIT`s' difference, what the entry adds
//!    to the commit, which (2) leaves out.
//!
//! The entry's cost is then (2) + the commit's part of (3), reported as a share
//! of the write's end-to-end p50 from (1). The machine's load moves every
//! figure: the modes run in turn, round after round, so that it weighs on each
//! alike.
//!
//! The replayed entries are real entries of the chain (built from its head),
//! so `qmi audit verify` finds every chain intact afterwards: the bench runs it
//! and prints how long it took.
//!
//! Before measuring, the commune's chain is given a history of
//! `QMI_BENCH_CHAIN` entries (default 1000, through the replay) and, on
//! PostgreSQL, the planner its statistics (`ANALYZE`, as autovacuum would on a
//! live database: without them the chain's head is found by reading the whole
//! chain; the plan is printed).
//!
//! Asserts nothing but that the chains stay intact. `QMI_BENCH_ROUNDS`
//! (alternations, default 10), `QMI_BENCH_WRITES` (writes per round and mode,
//! default 100), `QMI_BENCH_BACKENDS` (`sqlite`, `postgres`, comma-separated;
//! default `sqlite`).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use qmi_api::Insee;
use qmi_api::accountability::AuditEntry;
use qmi_kit::audit::{Actor, Mark};
use qmi_tests::postgres::TestDatabase;
use qmi_tests::{QmiServer, app, invite, qmi_bin};
use serde_json::{Value, json};
use sqlx::{Connection as _, PgConnection};

const PASSWORD: &str = "audit-bench-password";
const COMPONENTS: &[&str] = &["identity", "districts"];
/// The commune: Toulouse (not in the demo data).
const A: &str = "31555";
/// Samples dropped at the start of each round (the first request after the
/// trigger's DDL prepares its statements again).
const SETTLE: usize = 5;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// p50 and p90 of samples, in ms.
#[derive(Clone, Copy, Debug)]
struct Latency {
    p50: f64,
    p90: f64,
    n: usize,
}

impl Latency {
    fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
        Self {
            p50: at(0.5),
            p90: at(0.9),
            n: ms.len(),
        }
    }
}

enum Backend {
    Sqlite,
    Postgres(Arc<TestDatabase>),
}

/// One backend's figures.
struct Figures {
    backend: &'static str,
    /// End to end: (as is, entry's row skipped).
    http: (Latency, Latency),
    /// From the host's statement log: (the write's UPDATE to the entry's first
    /// statement, the entry's first statement to the COMMIT).
    logged: (Latency, Latency),
    /// The writes end to end through the logging server, and the statements
    /// it logged per write.
    logged_http: (Latency, f64),
    /// Replayed: (the write's statements, with the entry's).
    replay: (Latency, Latency),
    /// Replayed, the COMMIT alone: (without, with the entry).
    commit: (Latency, Latency),
    /// Replayed without the entry: BEGIN to the UPDATE's end.
    write_step: Latency,
    /// Replayed with the entry: its lock (PostgreSQL), head and insert.
    entry_steps: [Latency; 3],
    /// PostgreSQL: how the chain's head is found at the end.
    head_plan: Option<String>,
    /// `qmi audit verify` afterwards: (entries, seconds).
    verify: (usize, f64),
}

fn main() {
    let rounds = env("QMI_BENCH_ROUNDS", 10);
    let writes = env("QMI_BENCH_WRITES", 100);
    let chosen = std::env::var("QMI_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite".into());
    let mut all = Vec::new();
    for name in chosen.split(',').map(str::trim) {
        let backend = match name {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres(Arc::new(TestDatabase::durable())),
            other => panic!("QMI_BENCH_BACKENDS: unknown backend {other:?}"),
        };
        all.push(run(backend, rounds, writes));
    }
    println!("\n== The audit trail's cost on one write (goal: under 10 % of its p50) ==");
    for f in &all {
        report(f);
    }
}

fn run(backend: Backend, rounds: usize, writes: usize) -> Figures {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres(_) => "PostgreSQL",
    };
    println!("\n== {name}: {rounds} rounds × {writes} writes per mode ==");
    let dir = tempfile::Builder::new()
        .prefix("qmi-bench-audit-")
        .tempdir()
        .expect("temp dir");
    // Two servers on the same files (or database), keys and data directory, one
    // of them with the host's statement log on: the same world, written through
    // either, measured in the same rounds.
    let start = |log: bool| {
        let mut up = app::up(COMPONENTS, PASSWORD)
            .in_dir(dir.path())
            .data_dir(dir.path().join("data"));
        if let Backend::Postgres(db) = &backend {
            up = up.database(db.clone());
        }
        if log {
            up = up
                .env("RUST_LOG", "qmi=info,wasmtime=warn,qmi::sql=debug")
                .env("NO_COLOR", "1");
        }
        up.start()
    };
    let server = start(false);
    let logged = start(true);
    let world = World::build(&server);
    let mut store = Store::open(&backend, &server);

    // The commune's chain gets a history (valid entries, through the replay), and
    // PostgreSQL's planner its statistics, as autovacuum would have them on a live
    // database: a freshly created `audit` table is estimated empty, and the chain's
    // head is then found by reading the whole chain (a bitmap scan and a sort),
    // which costs more with every entry.
    let mut k = 0;
    for _ in 0..env("QMI_BENCH_CHAIN", 1000) {
        store.replay(&world, k, true);
        k += 1;
    }
    store.analyze();

    // Warm-up: instances, prepared statements, the file's pages.
    for _ in 0..50 {
        world.put(&server, k);
        world.put(&logged, k + 1);
        k += 2;
    }

    // (1) and (2): end to end, the entry's row stored, then the same through the
    // logging server, then the row skipped; in turn, round after round.
    let (mut stored, mut with_log, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    let lines_before = logged.stderr().matches(" qmi::sql: ").count();
    for _ in 0..rounds {
        for (target, samples, skip) in [
            (&server, &mut stored, false),
            (&logged, &mut with_log, false),
            (&server, &mut skipped, true),
        ] {
            store.skip_rows(skip);
            for i in 0..writes + SETTLE {
                let t = Instant::now();
                world.put(target, k);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                k += 1;
                if i >= SETTLE {
                    samples.push(ms);
                }
            }
        }
    }
    store.skip_rows(false);
    let http = (Latency::of(stored), Latency::of(skipped));
    let log = logged.stderr();
    let logged_writes = rounds * (writes + SETTLE);
    let per_write =
        (log.matches(" qmi::sql: ").count() - lines_before) as f64 / logged_writes as f64;
    let logged_http = (Latency::of(with_log), per_write);
    let (write_spans, entry_spans) = spans(&log);
    assert!(
        entry_spans.len() >= logged_writes,
        "{} logged writes, {logged_writes} expected",
        entry_spans.len()
    );
    // The rounds' writes (the warm-up's came first).
    let last = |v: Vec<f64>| v[v.len() - logged_writes..].to_vec();
    let logged_spans = (
        Latency::of(last(write_spans)),
        Latency::of(last(entry_spans)),
    );
    drop(logged);

    // (3) The statements replayed, without then with the entry, alternately.
    let (mut write_only, mut with_entry) = (Vec::new(), Vec::new());
    for round in 0..rounds * 2 {
        let entry = round % 2 == 1;
        let samples = if entry {
            &mut with_entry
        } else {
            &mut write_only
        };
        for i in 0..writes + SETTLE {
            let steps = store.replay(&world, k, entry);
            k += 1;
            if i >= SETTLE {
                samples.push(steps);
            }
        }
    }
    let of =
        |samples: &[Steps], f: &dyn Fn(&Steps) -> f64| Latency::of(samples.iter().map(f).collect());
    let head_plan = store.head_plan();
    let replay = (
        of(&write_only, &Steps::total),
        of(&with_entry, &Steps::total),
    );
    let commit = (
        of(&write_only, &|s| s.ms[Step::Commit as usize]),
        of(&with_entry, &|s| s.ms[Step::Commit as usize]),
    );
    let entry_steps = [Step::Lock, Step::Head, Step::Insert]
        .map(|step| of(&with_entry, &|s| s.ms[step as usize]));
    let write_step = of(&write_only, &|s| s.ms[Step::Write as usize]);
    drop(store);

    let verify = verify(&server);
    drop(server);
    Figures {
        backend: name,
        http,
        logged: logged_spans,
        logged_http,
        replay,
        commit,
        write_step,
        entry_steps,
        head_plan,
        verify,
    }
}

/// From the host's statement log, each audited write of the district: (its
/// UPDATE to the entry's first statement, the entry's first statement to its
/// COMMIT), in ms.
fn spans(log: &str) -> (Vec<f64>, Vec<f64>) {
    let (mut writes, mut entries) = (Vec::new(), Vec::new());
    let (mut update, mut entry): (Option<f64>, Option<f64>) = (None, None);
    for line in log.lines() {
        let Some((stamp, sql)) = line.split_once(" qmi::sql: ") else {
            continue;
        };
        let Some(t) = stamp.split_whitespace().next().and_then(seconds_of_day) else {
            continue;
        };
        let sql = sql.trim();
        if sql.starts_with("UPDATE districts SET") {
            (update, entry) = (Some(t), None);
        } else if (sql.starts_with("SELECT pg_advisory_xact_lock")
            || sql.starts_with("SELECT seq, hash FROM audit"))
            && entry.is_none()
        {
            entry = update.map(|_| t);
        } else if sql == "COMMIT" {
            if let (Some(u), Some(e)) = (update, entry)
                && t >= e
                && e >= u
            {
                writes.push((e - u) * 1e3);
                entries.push((t - e) * 1e3);
            }
            (update, entry) = (None, None);
        }
    }
    (writes, entries)
}

/// `2025-01-01T10:00:00.123456Z` → seconds since midnight.
fn seconds_of_day(stamp: &str) -> Option<f64> {
    let time = stamp.split_once('T')?.1.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// The commune, its admin and its district, made through the API.
struct World {
    admin_id: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl World {
    fn build(server: &QmiServer) -> Self {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a client");
        let call = |method: reqwest::Method, path: &str, token: Option<&str>, body: &Value| {
            let mut request = http
                .request(method.clone(), server.url(path))
                .json_body(body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let answer = request.send().expect("a request");
            let status = answer.status().as_u16();
            let body: Value = answer.json_value();
            assert!(
                (200..300).contains(&status),
                "{method} {path}: {status} {body}"
            );
            body
        };
        let sign_in = |email: &str| {
            call(
                reqwest::Method::POST,
                "/api/auth/token",
                None,
                &json!({ "email": email, "password": PASSWORD }),
            )["access_token"]
                .as_str()
                .expect("a token")
                .to_owned()
        };
        let programme = sign_in("programme@qmi.example");
        let hosting = sign_in("hosting@qmi.example");
        call(
            reqwest::Method::POST,
            "/api/admin/communes",
            Some(&hosting),
            &json!({ "insee": A, "name": "Toulouse", "population": 1000, "status": "member" }),
        );
        let admin = invite::to_commune(
            server,
            &programme,
            A,
            "admin.bench@audit.example",
            "admin",
            Some("Admin Bench"),
            PASSWORD,
        );
        call(
            reqwest::Method::POST,
            "/api/districts",
            Some(&programme),
            &district(0),
        );
        let token = sign_in("admin.bench@audit.example");
        Self {
            admin_id: admin.account_id,
            token,
            http,
        }
    }

    /// One write: the district renamed (every write changes the row).
    fn put(&self, server: &QmiServer, k: usize) {
        let answer = self
            .http
            .put(server.url(&format!("/api/districts/{A}")))
            .bearer_auth(&self.token)
            .json_body(&district(k))
            .send()
            .expect("a write");
        assert_eq!(answer.status().as_u16(), 200, "PUT /api/districts/{A}");
        let _ = answer.bytes();
    }

    /// The actor of the replayed entries: the admin, as the gateway names them.
    fn actor(&self) -> Actor {
        let principal = qmi_api::Principal {
            sub: self.admin_id.clone(),
            name: String::new(),
            lang: "fr".into(),
            ops: Vec::new(),
            org: None,
            mem: [(insee(), qmi_api::MembershipRole::Admin)].into(),
        };
        Actor {
            account_id: self.admin_id.clone(),
            principal: Some(principal),
            platform: false,
        }
    }
}

fn insee() -> Insee {
    A.parse().expect("an INSEE code")
}

fn district(k: usize) -> Value {
    json!({
        "insee": A,
        "name": format!("Quartier {k}"),
        "perimeter": {"type":"Polygon","coordinates":[[[1.43,43.60],[1.45,43.60],[1.45,43.61],[1.43,43.61],[1.43,43.60]]]},
        "description": "Des rues apaisées, des cours d'école ombragées et un marché couvert",
    })
}

/// The entry the store would append for one replayed write.
fn entry(world: &World, head: Option<(i64, String)>, k: usize) -> AuditEntry {
    let mark = Mark {
        insee: Some(insee()),
        action: "district-update".into(),
        record_kind: "districts".into(),
        record_id: A.into(),
        by: None,
        at: None,
        request_id: None,
    };
    qmi_kit::audit::next_entry(
        "districts",
        head,
        &mark,
        &world.actor(),
        qmi_kit::time::now().to_string(),
        &format!("bench-replay-{k}"),
    )
}

/// The districts database, opened beside the server: as the file on SQLite, as
/// the service's role (and the admin, for the trigger) on PostgreSQL.
enum Store {
    Sqlite(rusqlite::Connection),
    Postgres {
        runtime: tokio::runtime::Runtime,
        service: PgConnection,
        admin: PgConnection,
    },
}

const INSERT: &str = "INSERT INTO audit (insee, seq, at, account_id, role, action, record_kind, record_id, request_id, prev_hash, hash)";

impl Store {
    fn open(backend: &Backend, server: &QmiServer) -> Self {
        match backend {
            Backend::Sqlite => {
                let conn = rusqlite::Connection::open(server.work_dir().join(".spin/districts.db"))
                    .expect("opening districts.db");
                // As the host opens it (host/qmi/src/factors/sqlite.rs).
                conn.busy_timeout(Duration::from_secs(30))
                    .expect("busy timeout");
                conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
                    .expect("pragmas");
                Store::Sqlite(conn)
            }
            Backend::Postgres(db) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                let (service, admin) = runtime.block_on(async {
                    let service = PgConnection::connect(&db.url_as("qmi_districts"))
                        .await
                        .expect("connecting as qmi_districts");
                    (service, db.admin().await)
                });
                Store::Postgres {
                    runtime,
                    service,
                    admin,
                }
            }
        }
    }

    /// PostgreSQL: `ANALYZE` of the districts schema's tables (the planner's
    /// statistics). SQLite's planner needs none for these statements.
    fn analyze(&mut self) {
        if let Store::Postgres { runtime, admin, .. } = self {
            runtime.block_on(async {
                sqlx::raw_sql("ANALYZE districts.audit; ANALYZE districts.districts")
                    .execute(&mut *admin)
                    .await
                    .expect("analyze");
            });
        }
    }

    /// PostgreSQL: how the chain's head is found now (the plan's scans), as the
    /// service.
    fn head_plan(&mut self) -> Option<String> {
        let Store::Postgres {
            runtime, service, ..
        } = self
        else {
            return None;
        };
        Some(runtime.block_on(async {
            let conn = &mut *service;
            sqlx::raw_sql("BEGIN; SET LOCAL qmi.commune = '31555'")
                .execute(&mut *conn)
                .await
                .expect("begin");
            let plan: Vec<(String,)> = sqlx::query_as(
                "EXPLAIN SELECT seq, hash FROM audit WHERE insee = '31555' ORDER BY seq DESC LIMIT 1",
            )
            .fetch_all(&mut *conn)
            .await
            .expect("the plan");
            sqlx::raw_sql("ROLLBACK")
                .execute(&mut *conn)
                .await
                .expect("rollback");
            plan.into_iter()
                .map(|(line,)| line)
                .filter(|l| l.contains("Scan") || l.contains("Sort  "))
                .map(|l| {
                    let l = l.trim().trim_start_matches("->").trim();
                    l.split("  (").next().unwrap_or(l).to_owned()
                })
                .collect::<Vec<_>>()
                .join(" / ")
        }))
    }

    /// Installs (or removes) the trigger that drops the entries' rows.
    fn skip_rows(&mut self, skip: bool) {
        match self {
            Store::Sqlite(conn) => conn
                .execute_batch(if skip {
                    "CREATE TRIGGER IF NOT EXISTS bench_skip_audit BEFORE INSERT ON audit
                     BEGIN SELECT RAISE(IGNORE); END;"
                } else {
                    "DROP TRIGGER IF EXISTS bench_skip_audit"
                })
                .expect("the skipping trigger"),
            Store::Postgres { runtime, admin, .. } => runtime.block_on(async {
                let sql = if skip {
                    "CREATE OR REPLACE FUNCTION districts.bench_skip_audit() RETURNS trigger
                         LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
                     DROP TRIGGER IF EXISTS bench_skip_audit ON districts.audit;
                     CREATE TRIGGER bench_skip_audit BEFORE INSERT ON districts.audit
                         FOR EACH ROW EXECUTE FUNCTION districts.bench_skip_audit();"
                } else {
                    "DROP TRIGGER IF EXISTS bench_skip_audit ON districts.audit;
                     DROP FUNCTION IF EXISTS districts.bench_skip_audit();"
                };
                sqlx::raw_sql(sql)
                    .execute(&mut *admin)
                    .await
                    .expect("the skipping trigger");
            }),
        }
    }

    /// One write's transaction, as the store runs it, with or without the
    /// entry's statements; committed. Returns how long each step took.
    fn replay(&mut self, world: &World, k: usize, with_entry: bool) -> Steps {
        let body = district(k).to_string();
        let now = qmi_kit::time::now().0;
        match self {
            Store::Sqlite(conn) => {
                let mut steps = Steps::start();
                conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
                let changed = conn
                    .prepare_cached(
                        "UPDATE districts SET body = ?, updated_at = ? WHERE (insee = ?)",
                    )
                    .and_then(|mut s| s.execute(rusqlite::params![body, now, A]))
                    .expect("the update");
                assert_eq!(changed, 1);
                steps.lap(Step::Write);
                if with_entry {
                    let head: Option<(i64, String)> = conn
                        .prepare_cached(
                            "SELECT seq, hash FROM audit WHERE insee = ? ORDER BY seq DESC LIMIT 1",
                        )
                        .and_then(|mut s| {
                            let mut rows = s.query([A])?;
                            rows.next()?.map(|r| Ok((r.get(0)?, r.get(1)?))).transpose()
                        })
                        .expect("the chain's head");
                    steps.lap(Step::Head);
                    let e = entry(world, head, k);
                    conn.prepare_cached(&format!(
                        "{INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ))
                    .and_then(|mut s| {
                        s.execute(rusqlite::params![
                            e.insee,
                            e.seq,
                            e.at,
                            e.account_id,
                            e.role,
                            e.action,
                            e.record_kind,
                            e.record_id,
                            e.request_id,
                            e.prev_hash,
                            e.hash
                        ])
                    })
                    .expect("the entry");
                    steps.lap(Step::Insert);
                }
                conn.execute_batch("COMMIT").expect("commit");
                steps.lap(Step::Commit);
                steps
            }
            Store::Postgres {
                runtime, service, ..
            } => runtime.block_on(async {
                let conn = &mut *service;
                let mut steps = Steps::start();
                sqlx::raw_sql("BEGIN").execute(&mut *conn).await.expect("begin");
                sqlx::query(
                    "SELECT set_config('qmi.commune', $1, true), set_config('qmi.across', $2, true)",
                )
                .bind(A)
                .bind("")
                .execute(&mut *conn)
                .await
                .expect("the commune");
                let changed = sqlx::query(
                    "UPDATE districts SET body = $1, updated_at = $2 WHERE (insee = $3)",
                )
                .bind(&body)
                .bind(now)
                .bind(A)
                .execute(&mut *conn)
                .await
                .expect("the update")
                .rows_affected();
                assert_eq!(changed, 1);
                steps.lap(Step::Write);
                if with_entry {
                    sqlx::query("SELECT pg_advisory_xact_lock($1) AS locked")
                        .bind(qmi_kit::audit::lock_key("districts", A))
                        .execute(&mut *conn)
                        .await
                        .expect("the chain's lock");
                    steps.lap(Step::Lock);
                    let head: Option<(i64, String)> = sqlx::query_as(
                        "SELECT seq, hash FROM audit WHERE insee = $1 ORDER BY seq DESC LIMIT 1",
                    )
                    .bind(A)
                    .fetch_optional(&mut *conn)
                    .await
                    .expect("the chain's head");
                    steps.lap(Step::Head);
                    let e = entry(world, head, k);
                    sqlx::query(&format!(
                        "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                    ))
                    .bind(e.insee)
                    .bind(e.seq)
                    .bind(e.at)
                    .bind(e.account_id)
                    .bind(e.role)
                    .bind(e.action)
                    .bind(e.record_kind)
                    .bind(e.record_id)
                    .bind(e.request_id)
                    .bind(e.prev_hash)
                    .bind(e.hash)
                    .execute(&mut *conn)
                    .await
                    .expect("the entry");
                    steps.lap(Step::Insert);
                }
                sqlx::raw_sql("COMMIT").execute(&mut *conn).await.expect("commit");
                steps.lap(Step::Commit);
                steps
            }),
        }
    }
}

/// The steps of a replayed write.
#[derive(Clone, Copy)]
enum Step {
    /// BEGIN, (PostgreSQL: the commune's setting,) the UPDATE.
    Write,
    /// The chain's advisory lock (PostgreSQL).
    Lock,
    /// The chain's head.
    Head,
    /// The entry built, hashed and inserted.
    Insert,
    /// COMMIT.
    Commit,
}

/// How long each step of a replayed write took, in ms.
struct Steps {
    at: Instant,
    ms: [f64; 5],
}

impl Steps {
    fn start() -> Self {
        Self {
            at: Instant::now(),
            ms: [0.0; 5],
        }
    }

    /// Ends `step`: the time since the previous one ended.
    fn lap(&mut self, step: Step) {
        let now = Instant::now();
        self.ms[step as usize] = (now - self.at).as_secs_f64() * 1e3;
        self.at = now;
    }

    fn total(&self) -> f64 {
        self.ms.iter().sum()
    }
}

/// `qmi audit verify` on what the server uses: (entries, seconds); panics when
/// a chain is broken.
fn verify(server: &QmiServer) -> (usize, f64) {
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
    if let Some(db) = server.database() {
        command.arg("--database-url").arg(db.url());
    }
    let t = Instant::now();
    let out = command.output().expect("qmi audit verify runs");
    let seconds = t.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the chains broke:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The summary: "… service(s), … chain(s), N entries: every chain intact".
    let entries = stdout
        .lines()
        .last()
        .and_then(|l| l.split(", ").nth(2))
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (entries, seconds)
}

fn report(f: &Figures) {
    let (stored, skipped) = f.http;
    let (write_span, entry_span) = f.logged;
    let (write_only, with_entry) = f.replay;
    let (commit_alone, commit_entry) = f.commit;
    let share = |ms: f64| ms / stored.p50 * 100.0;
    let line = |name: &str, l: Latency| {
        println!("  {name:<44} p50 {:>8.3} ms   p90 {:>8.3} ms", l.p50, l.p90);
    };
    println!("\n-- {} --", f.backend);
    println!(
        "(1) PUT /api/districts/{{insee}} over HTTP, commune admin ({} writes per mode):",
        stored.n
    );
    line("entry written (as is)", stored);
    line("entry's row skipped by a trigger", skipped);
    let row = stored.p50 - skipped.p50;
    println!(
        "  storing the row: {row:+.3} ms at p50 = {:+.1} % of the write's p50 (ratio {:.3}×)",
        share(row),
        stored.p50 / skipped.p50
    );
    println!(
        "(2) Inside the server, from the host's statement log ({} writes):",
        entry_span.n
    );
    line("the write's UPDATE, to the entry", write_span);
    line("the entry's statements, to the COMMIT", entry_span);
    let (with_log, per_write) = f.logged_http;
    // What one log line costs: the writes are slower with the log on, by this
    // much per statement logged. The entry's span holds two of them (the head's
    // SELECT and the INSERT): taken out below.
    let per_line = ((with_log.p50 - stored.p50) / per_write).max(0.0);
    line("the write over HTTP, with the log on", with_log);
    println!(
        "  {per_write:.1} statements logged per write: {:.1} µs per log line at p50",
        per_line * 1e3
    );
    let entry_app = (entry_span.p50 - 2.0 * per_line).max(0.0);
    println!(
        "  the entry in the transaction: {:.3} ms at p50, {entry_app:.3} ms without its two log lines = {:.1} % of the write's p50",
        entry_span.p50,
        share(entry_app)
    );
    println!(
        "(3) The write's statements replayed on the same database, committed ({} per mode):",
        write_only.n
    );
    line("the write alone", write_only);
    line("the write and its entry", with_entry);
    line("its COMMIT, the write alone", commit_alone);
    line("its COMMIT, with the entry", commit_entry);
    line("step: BEGIN to the UPDATE", f.write_step);
    if f.backend == "PostgreSQL" {
        line("step: the chain's advisory lock", f.entry_steps[0]);
    }
    line("step: the chain's head", f.entry_steps[1]);
    if let Some(plan) = &f.head_plan {
        println!("    (its plan: {plan})");
    }
    line("step: the entry built, hashed, inserted", f.entry_steps[2]);
    let replayed = with_entry.p50 - write_only.p50;
    let commit = (commit_entry.p50 - commit_alone.p50).max(0.0);
    println!(
        "  the entry's database cost: {replayed:+.3} ms at p50 ({:.2}× the write's statements), of which the COMMIT {commit:+.3} ms",
        with_entry.p50 / write_only.p50,
    );
    let total = entry_app + commit;
    let bound = entry_span.p50 + commit;
    println!(
        "=> the entry's cost on the write: (2) {entry_app:.3} ms + the COMMIT's part of (3) {commit:.3} ms = {total:.3} ms"
    );
    println!(
        "   = {:.1} % of the write's end-to-end p50 ({:.3} ms); goal under 10 %: {}",
        share(total),
        stored.p50,
        if share(total) < 10.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "   at most (its log lines left in): {bound:.3} ms = {:.1} % of the write's p50",
        share(bound)
    );
    println!(
        "qmi audit verify afterwards: {} entries, every chain intact, in {:.2} s",
        f.verify.0, f.verify.1
    );
}

/// JSON bodies and answers without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::blocking::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }
}

trait JsonValue {
    fn json_value(self) -> Value;
}

impl JsonValue for reqwest::blocking::Response {
    fn json_value(self) -> Value {
        let text = self.text().unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}
