//! Both backends in one run: `cargo bench -p qmi-tests --bench backends`.
//!
//! For SQLite (the embedded default: files under the working directory) then
//! PostgreSQL (`--database-url`: a throwaway server started by
//! `scripts/postgres` with fsync and synchronous commits on, or a fresh
//! database on `$QMI_TEST_DATABASE_URL`), the
//! same application (`qmi up`: identity, applications, districts and what they
//! chain to, behind the gateway) is measured with the 130 communes of the
//! Métropole, then with 10,000 communes. Each commune holds one call with 100
//! applications (13,000 tenant records with 130 communes, 1,000,000 with
//! 10,000), seeded with SQL while the server is stopped. Printed, p50 and p99
//! over HTTP through the gateway:
//! - a tenant-scoped read: one application (`GET /api/applications/{id}`) and
//!   a call's 100 applications (`GET /api/calls/{id}/applications?limit=100`),
//!   as an administrator of Saint-Denis;
//! - platform-wide reads: the registry's first page, one commune and its
//!   figures (`/api/figures`);
//! - public listings: the first page of every commune's calls, one commune's
//!   calls (`/api/calls?commune=`), the districts;
//! - sign-in (argon2id);
//! - durable writes per second: submissions (`POST /api/calls/{id}/applications`
//!   with `submit: true` and an `Idempotency-Key`, 8 connections, each answer a
//!   committed row);
//! - on PostgreSQL, the cost of row-level security: the tenant-scoped reads
//!   with the `applications` schema's policies in force, then disabled (as the
//!   superuser, `ALTER TABLE … DISABLE ROW LEVEL SECURITY`), alternately over
//!   several rounds, the same statements otherwise.
//!
//! The goals (issue 17): PostgreSQL's tenant-scoped read p50 within 2× of
//! SQLite's; RLS under 10 %; 10,000 communes within 1.2× of 130 (issue 19:
//! every listing, printed as a table per backend). Asserts
//! nothing. `QMI_BENCH_ROUNDS` (requests per read, default 400),
//! `QMI_BENCH_SUBMISSIONS` (default 1000), `QMI_BENCH_BACKENDS` (`sqlite`,
//! `postgres`, default both).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use qmi_tests::QmiServer;
use qmi_tests::postgres::TestDatabase;
use serde_json::{Value, json};

const PASSWORD: &str = "backends-bench-password";
const COMPONENTS: &[&str] = &["identity", "applications", "districts"];
/// Applications per commune (one call each).
const PER_COMMUNE: usize = 100;
/// The commune whose administrator reads.
const MEASURED: &str = "93066";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// p50 and p99 of samples in ms.
#[derive(Clone, Copy)]
struct Latency {
    p50: f64,
    p99: f64,
}

impl Latency {
    fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
        Self {
            p50: at(0.5),
            p99: at(0.99),
        }
    }
}

/// One backend's figures at one registry size.
struct Figures {
    backend: &'static str,
    communes: usize,
    records: usize,
    one_application: Latency,
    call_applications: Latency,
    registry_page: Latency,
    /// `GET /api/communes?q=saint`: the registry's name search.
    name_search: Latency,
    one_commune: Latency,
    /// `GET /api/figures`: the registry counted.
    figures: Latency,
    /// `GET /api/calls?limit=100`: the public listing of every commune's calls.
    calls_page: Latency,
    /// `GET /api/calls?commune={insee}`: one commune's calls.
    commune_calls: Latency,
    /// `GET /api/districts`: the public listing of the innovation districts.
    districts: Latency,
    sign_in: Latency,
    writes_per_s: f64,
    /// `(with RLS, without RLS)` p50 of one application and of the call's list.
    rls: Option<(Latency, Latency, Latency, Latency)>,
}

enum Backend {
    Sqlite,
    Postgres(Arc<TestDatabase>),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }
}

fn main() {
    let rounds = env("QMI_BENCH_ROUNDS", 400);
    let submissions = env("QMI_BENCH_SUBMISSIONS", 1000);
    let chosen = std::env::var("QMI_BENCH_BACKENDS").unwrap_or_default();
    let wanted = |name: &str| chosen.is_empty() || chosen.split(',').any(|b| b.trim() == name);
    let mut all = Vec::new();
    if wanted("sqlite") {
        all.extend(run(Backend::Sqlite, rounds, submissions));
    }
    if wanted("postgres") {
        let db = Arc::new(TestDatabase::durable());
        all.extend(run(Backend::Postgres(db), rounds, submissions));
    }
    table(&all);
}

/// Both sizes on one backend: the server is started, stopped to seed, and
/// started again on the same data.
fn run(backend: Backend, rounds: usize, submissions: usize) -> Vec<Figures> {
    let dir = tempfile::Builder::new()
        .prefix("qmi-bench-backends-")
        .tempdir()
        .expect("temp dir");
    let start = || {
        let mut up = qmi_tests::app::up(COMPONENTS, PASSWORD)
            .in_dir(dir.path())
            .data_dir(dir.path().join("data"));
        if let Backend::Postgres(db) = &backend {
            up = up.database(db.clone());
        }
        up.start()
    };
    println!("\n== {} ==", backend.name());
    // The first start migrates and seeds the demo data (the Métropole's 130 communes).
    drop(start());
    let mut figures = Vec::new();
    for communes in [130, 10_000] {
        let t = Instant::now();
        let records = seed(&backend, dir.path(), communes);
        println!(
            "{communes} communes, {records} applications in all: seeded in {:.1}s",
            t.elapsed().as_secs_f64()
        );
        let server = start();
        figures.push(measure(
            &backend,
            &server,
            communes,
            records,
            rounds,
            submissions,
        ));
    }
    figures
}

/// The synthetic communes that make `communes` in all (codes of
/// départements outside the Métropole's).
fn synthetic(communes: usize) -> Vec<String> {
    (1..=90)
        .filter(|d| ![75, 77, 78, 91, 92, 93, 94, 95].contains(d))
        .flat_map(|dep| (1..=300).map(move |n| format!("{dep:02}{n:03}")))
        .take(communes.saturating_sub(130))
        .collect()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn call_body(insee: &str) -> String {
    json!({ "insee": insee, "title": "Appel de référence", "opens_at": "2020-01-01T00:00", "closes_at": "2099-01-01T00:00", "published": true,
        "form": [{ "id": "pitch", "label": "Pitch", "kind": "long_text", "required": true }] })
    .to_string()
}

/// Grows the registry to `communes` and gives every commune without one its
/// call and 100 applications; returns the applications seeded in all.
fn seed(backend: &Backend, dir: &Path, communes: usize) -> usize {
    let added = synthetic(communes);
    match backend {
        Backend::Sqlite => {
            let identity =
                rusqlite::Connection::open(dir.join(".spin/identity.db")).expect("identity.db");
            let tx = identity.unchecked_transaction().expect("begin");
            for insee in &added {
                tx.execute(
                    "INSERT OR IGNORE INTO communes (insee, name, name_norm, departement, population, status) VALUES (?1, ?2, ?3, ?4, 1000, 'member')",
                    rusqlite::params![insee, format!("Commune synthétique {insee}"), format!("commune synthetique {insee}"), &insee[..2]],
                )
                .expect("insert a commune");
            }
            tx.commit().expect("commit");
            let all: Vec<String> = identity
                .prepare("SELECT insee FROM communes")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .expect("the registry");
            let apps = rusqlite::Connection::open(dir.join(".spin/applications.db"))
                .expect("applications.db");
            let tx = apps.unchecked_transaction().expect("begin");
            {
                let mut call = tx
                    .prepare("INSERT OR IGNORE INTO calls (insee, id, body, themes, opens_at, closes_at, published, created_by, created_at) VALUES (?1, ?2, ?3, '|', 0, 4070908800, 1, 'bench', ?4)")
                    .expect("prepare");
                let mut app = tx
                    .prepare("INSERT OR IGNORE INTO applications (insee, id, call_id, organisation_id, title, answers, status, created_by, created_at, updated_at, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5, '{\"pitch\":\"x\"}', 'submitted', 'bench', ?6, ?6, ?6)")
                    .expect("prepare");
                let now = now();
                for insee in &all {
                    let call_id = format!("bench-call-{insee}");
                    call.execute(rusqlite::params![insee, call_id, call_body(insee), now])
                        .expect("insert a call");
                    for n in 0..PER_COMMUNE {
                        app.execute(rusqlite::params![
                            insee,
                            format!("bench-app-{insee}-{n:03}"),
                            call_id,
                            format!("org-{n}"),
                            format!("Solution {n}"),
                            now
                        ])
                        .expect("insert an application");
                    }
                }
            }
            tx.commit().expect("commit");
            let count: i64 = apps
                .query_row("SELECT count(*) FROM applications", [], |r| r.get(0))
                .expect("count");
            count as usize
        }
        Backend::Postgres(db) => block_on(async {
            let mut admin = db.admin().await;
            sqlx::query("INSERT INTO identity.communes (insee, name, name_norm, departement, population, status) SELECT i, 'Commune synthétique ' || i, 'commune synthetique ' || i, left(i, 2), 1000, 'member' FROM unnest($1::text[]) AS i ON CONFLICT DO NOTHING")
                .bind(&added)
                .execute(&mut admin)
                .await
                .expect("insert the communes");
            sqlx::query("INSERT INTO applications.calls (insee, id, body, themes, opens_at, closes_at, published, created_by, created_at) SELECT insee, 'bench-call-' || insee, replace($1, '00000', insee), '|', 0, 4070908800, 1, 'bench', $2 FROM identity.communes ON CONFLICT DO NOTHING")
                .bind(call_body("00000"))
                .bind(now())
                .execute(&mut admin)
                .await
                .expect("insert the calls");
            sqlx::query("INSERT INTO applications.applications (insee, id, call_id, organisation_id, title, answers, status, created_by, created_at, updated_at, submitted_at) SELECT c.insee, 'bench-app-' || c.insee || '-' || lpad(n::text, 3, '0'), 'bench-call-' || c.insee, 'org-' || n, 'Solution ' || n, '{\"pitch\":\"x\"}', 'submitted', 'bench', $1, $1, $1 FROM identity.communes c CROSS JOIN generate_series(0, $2) AS n ON CONFLICT DO NOTHING")
                .bind(now())
                .bind(PER_COMMUNE as i32 - 1)
                .execute(&mut admin)
                .await
                .expect("insert the applications");
            sqlx::raw_sql("ANALYZE")
                .execute(&mut admin)
                .await
                .expect("analyze");
            let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM applications.applications")
                .fetch_one(&mut admin)
                .await
                .expect("count");
            count as usize
        }),
    }
}

/// Runs a future on a runtime of its own.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

fn token(server: &QmiServer, email: &str) -> String {
    let r = server.post(
        "/api/auth/token",
        &json!({ "email": email, "password": PASSWORD }).to_string(),
        &[("content-type", "application/json")],
    );
    assert_eq!(r.status, 200, "sign-in of {email}: {}", r.body);
    r.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// Latency of `rounds` GETs of `path` (after a few to warm up); every answer a 200.
fn reads(
    http: &reqwest::blocking::Client,
    server: &QmiServer,
    path: &str,
    bearer: Option<&str>,
    rounds: usize,
) -> Latency {
    let get = || {
        let mut req = http.get(server.url(path));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let t = Instant::now();
        let r = req.send().expect("request");
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        let _ = r.bytes().expect("body");
        t.elapsed().as_secs_f64() * 1000.0
    };
    for _ in 0..20 {
        get();
    }
    Latency::of((0..rounds).map(|_| get()).collect())
}

fn measure(
    backend: &Backend,
    server: &QmiServer,
    communes: usize,
    records: usize,
    rounds: usize,
    submissions: usize,
) -> Figures {
    let http = client();
    let admin = token(server, "admin.saint-denis@qmi.example");
    let partner = token(server, "partner@solaire-urbain.example");
    let registry: Value = server.get("/api/figures").json();
    println!(
        "--- {communes} communes ({} in the registry's figures)",
        registry["communes"]
    );

    let one = format!("/api/applications/bench-app-{MEASURED}-042");
    let list = format!("/api/calls/bench-call-{MEASURED}/applications?limit=100");
    let page: Value = serde_json::from_slice(
        &http
            .get(server.url(&list))
            .bearer_auth(&admin)
            .send()
            .and_then(|r| r.bytes())
            .expect("the call's applications"),
    )
    .expect("JSON");
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(PER_COMMUNE),
        "the measured call's applications: {page}"
    );
    let one_application = reads(&http, server, &one, Some(&admin), rounds);
    let call_applications = reads(&http, server, &list, Some(&admin), rounds);
    let registry_page = reads(&http, server, "/api/communes?limit=100", None, rounds);
    let name_search = reads(&http, server, "/api/communes?q=saint", None, rounds);
    let one_commune = reads(
        &http,
        server,
        &format!("/api/communes/{MEASURED}"),
        None,
        rounds,
    );
    let figures = reads(&http, server, "/api/figures", None, rounds);
    let calls_page = reads(&http, server, "/api/calls?limit=100", None, rounds);
    let commune_calls = reads(
        &http,
        server,
        &format!("/api/calls?commune={MEASURED}"),
        None,
        rounds,
    );
    let districts = reads(&http, server, "/api/districts", None, rounds);
    let body =
        json!({ "email": "admin.saint-denis@qmi.example", "password": PASSWORD }).to_string();
    let sign_in = Latency::of(
        (0..20)
            .map(|_| {
                let t = Instant::now();
                let r = server.post(
                    "/api/auth/token",
                    &body,
                    &[("content-type", "application/json")],
                );
                assert_eq!(r.status, 200);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    let writes_per_s = writes(server, &admin, &partner, communes, submissions);
    let rls = match backend {
        Backend::Sqlite => None,
        Backend::Postgres(db) => Some(rls_cost(db, &http, server, &admin, &one, &list, rounds)),
    };
    let f = Figures {
        backend: backend.name(),
        communes,
        records,
        one_application,
        call_applications,
        registry_page,
        name_search,
        one_commune,
        figures,
        calls_page,
        commune_calls,
        districts,
        sign_in,
        writes_per_s,
        rls,
    };
    for (name, l) in [
        (
            "GET /api/applications/{id} (tenant-scoped)",
            f.one_application,
        ),
        (
            "GET /api/calls/{id}/applications?limit=100 (tenant-scoped)",
            f.call_applications,
        ),
        (
            "GET /api/communes?limit=100 (platform-wide)",
            f.registry_page,
        ),
        ("GET /api/communes?q=saint (name search)", f.name_search),
        ("GET /api/communes/{insee} (platform-wide)", f.one_commune),
        ("GET /api/figures (platform-wide)", f.figures),
        ("GET /api/calls?limit=100 (public)", f.calls_page),
        ("GET /api/calls?commune={insee} (public)", f.commune_calls),
        ("GET /api/districts (public)", f.districts),
        ("POST /api/auth/token (argon2id)", f.sign_in),
    ] {
        println!("  {name:<62} p50 {:>7.2} ms   p99 {:>7.2} ms", l.p50, l.p99);
    }
    println!(
        "  durable submissions: {:.0}/s (8 connections)",
        f.writes_per_s
    );
    if let Some((with_one, without_one, with_list, without_list)) = f.rls {
        println!(
            "  RLS on one application: p50 {:.3} ms with, {:.3} ms without ({:+.1} %)",
            with_one.p50,
            without_one.p50,
            (with_one.p50 / without_one.p50 - 1.0) * 100.0
        );
        println!(
            "  RLS on 100 applications: p50 {:.3} ms with, {:.3} ms without ({:+.1} %)",
            with_list.p50,
            without_list.p50,
            (with_list.p50 / without_list.p50 - 1.0) * 100.0
        );
    }
    f
}

/// Durable submissions per second to a fresh call of Saint-Denis, over 8 connections.
fn writes(server: &QmiServer, admin: &str, partner: &str, communes: usize, n: usize) -> f64 {
    let created = server.post(
        "/api/calls",
        &call_body(MEASURED).replace("Appel de référence", &format!("Appel mesuré {communes}")),
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {admin}")),
        ],
    );
    assert_eq!(created.status, 201, "a call: {}", created.body);
    let call = created.json()["id"].as_str().expect("an id").to_owned();
    let conns = 8;
    let url = server.url(&format!("/api/calls/{call}/applications"));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for c in 0..conns {
            let (url, partner) = (&url, partner);
            scope.spawn(move || {
                let http = client();
                for k in 0..n / conns {
                    let r = http
                        .post(url)
                        .bearer_auth(partner)
                        .header("content-type", "application/json")
                        .header("idempotency-key", format!("bench-{communes}-{c}-{k}"))
                        .body(json!({ "title": "Mesure", "answers": { "pitch": "x" }, "submit": true }).to_string())
                        .send()
                        .expect("a submission");
                    assert_eq!(r.status().as_u16(), 201);
                }
            });
        }
    });
    (n / conns * conns) as f64 / start.elapsed().as_secs_f64()
}

/// p50 of the two tenant-scoped reads with the `applications` schema's
/// row-level security in force and disabled, alternately over 3 rounds each:
/// `(one with, one without, list with, list without)`.
fn rls_cost(
    db: &TestDatabase,
    http: &reqwest::blocking::Client,
    server: &QmiServer,
    admin: &str,
    one: &str,
    list: &str,
    rounds: usize,
) -> (Latency, Latency, Latency, Latency) {
    let tables: Vec<String> = block_on(async {
        sqlx::query_scalar("SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'applications' AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity")
            .fetch_all(&mut db.admin().await)
            .await
            .expect("the tables under RLS")
    });
    assert!(!tables.is_empty(), "no table of `applications` under RLS");
    let set = |on: bool| {
        let sql: String = tables
            .iter()
            .map(|t| {
                if on {
                    format!("ALTER TABLE applications.{t} ENABLE ROW LEVEL SECURITY; ")
                } else {
                    format!("ALTER TABLE applications.{t} DISABLE ROW LEVEL SECURITY; ")
                }
            })
            .collect();
        block_on(async {
            sqlx::raw_sql(&sql)
                .execute(&mut db.admin().await)
                .await
                .expect("switching RLS");
        });
    };
    let mut samples: [Vec<f64>; 4] = Default::default();
    let per = (rounds / 3).max(50);
    for _ in 0..3 {
        for on in [true, false] {
            set(on);
            let a = reads(http, server, one, Some(admin), per);
            let b = reads(http, server, list, Some(admin), per);
            let k = usize::from(!on);
            // Re-sampled at the median: each round contributes its own p50.
            samples[k].push(a.p50);
            samples[2 + k].push(b.p50);
        }
    }
    set(true);
    let [a, b, c, d] = samples.map(Latency::of);
    (a, b, c, d)
}

/// One read of [`Figures`], by name in the scale table.
type Read = fn(&Figures) -> Latency;

/// The comparison table (Markdown, for the README and the notes).
fn table(all: &[Figures]) {
    println!(
        "\n| backend | communes | applications | one application p50 | 100 applications p50 | registry page p50 | one commune p50 | sign-in p50 | durable submissions/s | RLS cost (one / 100) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in all {
        let rls = f.rls.map_or("—".to_owned(), |(a, b, c, d)| {
            format!(
                "{:+.1} % / {:+.1} %",
                (a.p50 / b.p50 - 1.0) * 100.0,
                (c.p50 / d.p50 - 1.0) * 100.0
            )
        });
        println!(
            "| {} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} ms | {:.0} | {rls} |",
            f.backend,
            f.communes,
            f.records,
            f.one_application.p50,
            f.call_applications.p50,
            f.registry_page.p50,
            f.one_commune.p50,
            f.sign_in.p50,
            f.writes_per_s,
        );
    }
    let find = |b: &str, c: usize| all.iter().find(|f| f.backend == b && f.communes == c);
    for c in [130, 10_000] {
        if let (Some(s), Some(p)) = (find("SQLite", c), find("PostgreSQL", c)) {
            println!(
                "{c} communes: PostgreSQL / SQLite, tenant-scoped read p50: one application {:.2}×, 100 applications {:.2}×",
                p.one_application.p50 / s.one_application.p50,
                p.call_applications.p50 / s.call_applications.p50
            );
        }
    }
    for b in ["SQLite", "PostgreSQL"] {
        if let (Some(small), Some(large)) = (find(b, 130), find(b, 10_000)) {
            println!("\n{b}: every read at 130 and at 10,000 communes (goal: within 1.2×)");
            println!("| read | 130 communes p50 | 10,000 communes p50 | 10,000 / 130 |");
            println!("|---|---:|---:|---:|");
            let rows: [(&str, Read); 10] = [
                ("one application (tenant)", |f| f.one_application),
                ("a call's 100 applications (tenant)", |f| {
                    f.call_applications
                }),
                ("registry page of 100", |f| f.registry_page),
                ("name search (`?q=saint`)", |f| f.name_search),
                ("one commune", |f| f.one_commune),
                ("`/api/figures`", |f| f.figures),
                ("calls, first page of 100", |f| f.calls_page),
                ("one commune's calls", |f| f.commune_calls),
                ("districts", |f| f.districts),
                ("sign-in", |f| f.sign_in),
            ];
            for (name, of) in rows {
                let (a, z) = (of(small).p50, of(large).p50);
                println!("| {name} | {a:.2} ms | {z:.2} ms | {:.2}× |", z / a);
            }
        }
    }
}
