//! Identity latency over HTTP through `qmi up` (root `spin.toml`, gateway in front):
//! sign-in, and registry listings with the 130 communes of the Métropole and with
//! 10,000 communes. `cargo bench -p qmi-tests --bench identity` (release build of
//! `qmi` first: `cargo build --release -p qmi`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qmi_tests::{Qmi, QmiServer, qmi_bin, workspace_root};

const PASSWORD: &str = "identity-bench-password";

fn run(cmd: &mut Command) {
    let out = cmd.stdin(Stdio::null()).output().expect("run qmi");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start(data_dir: &Path, runtime_config: &Path) -> QmiServer {
    let mut up = Qmi::up()
        .manifest(workspace_root().join("spin.toml"))
        .without_runtime_config()
        .flag("--runtime-config-file", runtime_config.to_str().unwrap());
    // Spin's loader gives identity one component id per trigger (middleware).
    for id in qmi_tests::app::locked_ids(&["identity"]) {
        up = up.flag("--component-id", &id);
    }
    up.data_dir(data_dir)
        .env("QMI_DEMO_PASSWORD", PASSWORD)
        .start()
}

/// Mean, median and 95th percentile of `n` runs of `f`, in µs.
fn measure(n: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    for _ in 0..n.min(5) {
        f();
    }
    let mut samples: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = samples.iter().map(|d| us(*d)).sum::<f64>() / n as f64;
    (mean, us(samples[n / 2]), us(samples[n * 95 / 100]))
}

fn report(label: &str, (mean, p50, p95): (f64, f64, f64)) {
    println!("{label:<58} mean {mean:>9.0} µs   p50 {p50:>9.0} µs   p95 {p95:>9.0} µs");
}

fn bench(server: &QmiServer, communes: usize) {
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let get = |path: &str| {
        let r = http.get(server.url(path)).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().unwrap();
    };
    let first: serde_json::Value = serde_json::from_str(
        &http
            .get(server.url("/api/communes?limit=500"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let mut count = first["items"].as_array().unwrap().len();
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page: serde_json::Value = serde_json::from_str(
            &http
                .get(server.url(&format!("/api/communes?limit=500&cursor={c}")))
                .send()
                .unwrap()
                .text()
                .unwrap(),
        )
        .unwrap();
        count += page["items"].as_array().unwrap().len();
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(count, communes, "registry size");
    println!("--- {communes} communes in the registry");
    report(
        "GET /api/communes?limit=100 (first page)",
        measure(300, || get("/api/communes?limit=100")),
    );
    report(
        "GET /api/communes?limit=500 (130 rows, then 500)",
        measure(100, || get("/api/communes?limit=500")),
    );
    let deep = format!("/api/communes?limit=100&cursor={}", base64url("c1:93000"));
    report(
        "GET /api/communes?limit=100&cursor=<after 93000>",
        measure(300, || get(&deep)),
    );
    report(
        "GET /api/communes?status=district",
        measure(300, || get("/api/communes?status=district")),
    );
    report(
        "GET /api/communes?q=saint (name search, trigram index)",
        measure(300, || get("/api/communes?q=saint")),
    );
    report(
        "GET /api/communes?q=saint&status=member",
        measure(300, || get("/api/communes?q=saint&status=member")),
    );
    report(
        "GET /api/communes?q=sa (two letters: a word start)",
        measure(300, || get("/api/communes?q=sa")),
    );
    report(
        "GET /api/communes?q=930 (a code's start)",
        measure(300, || get("/api/communes?q=930")),
    );
    report(
        "GET /api/communes?territory=200057867 (a territory)",
        measure(300, || get("/api/communes?territory=200057867")),
    );
    report(
        "GET /api/figures (the registry counted)",
        measure(300, || get("/api/figures")),
    );
    report(
        "GET /api/communes/93066",
        measure(300, || get("/api/communes/93066")),
    );
    let body = format!(r#"{{"email":"admin.saint-denis@qmi.example","password":"{PASSWORD}"}}"#);
    report(
        "POST /api/auth/token (sign-in, argon2id m=19456 t=2 p=1)",
        measure(30, || {
            let r = http
                .post(server.url("/api/auth/token"))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().unwrap();
        }),
    );
}

fn base64url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn main() {
    let work = tempfile::tempdir().unwrap();
    let runtime_config = work.path().join("runtime-config.toml");
    let db = work.path().join("identity.db");
    // Every label of the manifest must be defined (Spin's start-up rule); only
    // identity's database is measured.
    let config: String = [
        "identity",
        "applications",
        "districts",
        "notifications",
        "experiments",
        "partners",
    ]
    .iter()
    .map(|label| {
        format!(
            "[sqlite_database.{label}]\ntype = \"spin\"\npath = {:?}\n",
            work.path().join(format!("{label}.db")).to_str().unwrap()
        )
    })
    .collect();
    std::fs::write(&runtime_config, config).unwrap();
    let manifest = workspace_root().join("spin.toml");
    run(Command::new(qmi_bin())
        .args(["build", "-f"])
        .arg(&manifest)
        .args([
            "-c",
            "identity",
            "-c",
            "gateway",
            "-c",
            "policy",
            // Identity relays its outbox to it (service chaining).
            "-c",
            "notifications",
        ]));

    // 130 communes: the Métropole as migrated.
    let small = work.path().join("small");
    {
        let server = start(&small, &runtime_config);
        bench(&server, 130);
    }

    // 10,000 communes: 9,870 synthetic ones (départements outside the Métropole) added
    // directly to the identity database before starting; `qmi up` publishes their status.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    let mut added = 0;
    'outer: for dep in (1..=90).filter(|d| *d != 75) {
        for n in 1..=200 {
            if added == 9_870 {
                break 'outer;
            }
            let insee = format!("{dep:02}{n:03}");
            let name = format!("Commune synthétique {insee}");
            tx.execute(
                "INSERT INTO communes (insee, name, name_norm, departement, population, status) VALUES (?1, ?2, ?3, ?4, 1000, 'member')",
                rusqlite::params![insee, name, format!("commune synthetique {insee}"), format!("{dep:02}")],
            )
            .unwrap();
            added += 1;
        }
    }
    tx.commit().unwrap();
    drop(conn);
    let server = start(&small, &runtime_config);
    bench(&server, 10_000);
}
