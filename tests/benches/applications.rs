//! Applications at scale: `cargo bench -p qmi-tests --bench applications`.
//!
//! Starts `qmi up` (identity, applications, districts behind the gateway), seeds
//! 50,000 applications across 1,000 communes (one call each) straight into the
//! `applications` database with SQL, then prints:
//! - durable submissions per second (`POST /api/calls/{id}/applications` with
//!   `submit: true` and an `Idempotency-Key`, over 8 connections; each answer is a
//!   committed row);
//! - p50/p99 latency of listing one call's applications (`GET
//!   /api/calls/{id}/applications?limit=100`, first page and a later page).
//!
//! Asserts nothing. `QMI_BENCH_SUBMISSIONS` (default 2000).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use qmi_tests::{Qmi, qmi_bin, workspace_root};
use serde_json::{Value, json};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let password = "bench-password";
    let manifest = workspace_root().join("spin.toml");
    let out = std::process::Command::new(qmi_bin())
        .args(["build", "-f"])
        .arg(&manifest)
        .args([
            "-c",
            "identity",
            "-c",
            "gateway",
            "-c",
            "policy",
            "-c",
            "applications",
            "-c",
            "districts",
            "-c",
            "notifications",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut up = Qmi::up()
        .manifest(&manifest)
        .without_runtime_config()
        .work_file("runtime-config.toml", qmi_tests::app::runtime_config())
        .flag("--runtime-config-file", "runtime-config.toml")
        .env("QMI_DEMO_PASSWORD", password);
    // Spin's loader gives a component one id per trigger with middleware.
    for id in qmi_tests::app::locked_ids(&["identity", "applications", "districts"]) {
        up = up.flag("--component-id", &id);
    }
    let server = up.start();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let token = |email: &str| -> String {
        let r: Value = http
            .post(server.url("/api/auth/token"))
            .json_body(&json!({ "email": email, "password": password }))
            .send()
            .unwrap()
            .json_value();
        r["access_token"].as_str().unwrap().to_owned()
    };
    let admin = token("admin.saint-denis@qmi.example");
    let partner = token("partner@solaire-urbain.example");
    let call: Value = http
        .post(server.url("/api/calls"))
        .bearer_auth(&admin)
        .json_body(&json!({ "insee": "93066", "title": "Bench", "opens_at": "2020-01-01T00:00", "closes_at": "2099-01-01T00:00", "published": true,
            "form": [{ "id": "pitch", "label": "Pitch", "kind": "long_text", "required": true }] }))
        .send()
        .unwrap()
        .json_value();
    let call_id = call["id"].as_str().unwrap().to_owned();

    // 50,000 applications over 1,000 communes, 50 per call, seeded with SQL.
    let seed = Instant::now();
    let mut db =
        rusqlite::Connection::open(server.work_dir().join(".spin/applications.db")).unwrap();
    db.busy_timeout(Duration::from_secs(30)).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = serde_json::to_string(&call_body()).unwrap();
    let tx = db.transaction().unwrap();
    for c in 0..1000 {
        let insee = format!("{:05}", 10_000 + c);
        let cid = format!("bench-call-{c:04}");
        tx.execute("INSERT INTO calls (insee, id, body, themes, opens_at, closes_at, published, created_by, created_at) VALUES (?1, ?2, ?3, '|', 0, 4070908800, 1, 'bench', ?4)", rusqlite::params![insee, cid, body.replace("93066", &insee), now]).unwrap();
        for a in 0..50 {
            tx.execute(
                "INSERT INTO applications (insee, id, call_id, organisation_id, title, answers, status, created_by, created_at, updated_at, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5, '{\"pitch\":\"x\"}', 'submitted', 'bench', ?6, ?6, ?6)",
                rusqlite::params![insee, format!("bench-app-{c:04}-{a:02}"), cid, format!("org-{a}"), format!("Solution {a}"), now],
            )
            .unwrap();
        }
    }
    // The call the bench lists also holds 50 seeded applications.
    for a in 0..50 {
        tx.execute(
            "INSERT INTO applications (insee, id, call_id, organisation_id, title, answers, status, created_by, created_at, updated_at, submitted_at) VALUES ('93066', ?1, ?2, 'org', 'x', '{\"pitch\":\"x\"}', 'submitted', 'bench', ?3, ?3, ?3)",
            rusqlite::params![format!("bench-own-{a:02}"), call_id, now],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(db);
    println!(
        "seeded 50,050 applications across 1,001 communes in {:.1}s",
        seed.elapsed().as_secs_f64()
    );

    // Durable submissions per second.
    let n: usize = std::env::var("QMI_BENCH_SUBMISSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let conns = 8;
    let start = Instant::now();
    let threads: Vec<_> = (0..conns)
        .map(|t| {
            let (url, partner) = (server.url(&format!("/api/calls/{call_id}/applications")), partner.clone());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap();
                for k in 0..n / conns {
                    let r = http
                        .post(&url)
                        .bearer_auth(&partner)
                        .header("idempotency-key", format!("bench-{t}-{k}"))
                        .json_body(&json!({ "title": "Bench", "answers": { "pitch": "x" }, "submit": true }))
                        .send()
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 201);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let secs = start.elapsed().as_secs_f64();
    println!(
        "submissions: {n} in {secs:.2}s = {:.0}/s (durable, 8 connections)",
        n as f64 / secs
    );

    // Listing latency on the call, among 50,000 others.
    let mut first = Vec::new();
    let mut later = Vec::new();
    let page: Value = http
        .get(server.url(&format!("/api/calls/{call_id}/applications?limit=100")))
        .bearer_auth(&admin)
        .send()
        .unwrap()
        .json_value();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    for _ in 0..300 {
        let t = Instant::now();
        let r = http
            .get(server.url(&format!("/api/calls/{call_id}/applications?limit=100")))
            .bearer_auth(&admin)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let _ = r.bytes();
        first.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let r = http
            .get(server.url(&format!(
                "/api/calls/{call_id}/applications?limit=100&cursor={cursor}"
            )))
            .bearer_auth(&admin)
            .send()
            .unwrap();
        let _ = r.bytes();
        later.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    for (name, mut v) in [("first page", first), ("later page", later)] {
        v.sort_by(f64::total_cmp);
        println!(
            "list 100 applications ({name}): p50 {:.2} ms, p99 {:.2} ms",
            percentile(&v, 0.5),
            percentile(&v, 0.99)
        );
    }
}

fn call_body() -> Value {
    json!({ "insee": "93066", "title": "Seeded", "opens_at": "2020-01-01T00:00", "closes_at": "2099-01-01T00:00", "published": true,
        "form": [{ "id": "pitch", "label": "Pitch", "kind": "long_text", "required": true }] })
}

/// JSON bodies without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, v: &Value) -> Self;
}
impl JsonBody for reqwest::blocking::RequestBuilder {
    fn json_body(self, v: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }
}
trait JsonValue {
    fn json_value(self) -> Value;
}
impl JsonValue for reqwest::blocking::Response {
    fn json_value(self) -> Value {
        serde_json::from_slice(&self.bytes().unwrap()).unwrap()
    }
}
