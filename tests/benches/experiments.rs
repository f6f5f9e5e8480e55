//! Experiments at scale: `cargo bench -p qmi-tests --bench experiments`.
//!
//! Twice — the same 20,000 experiments and 2,000,000 measurements spread over
//! 130 communes, then over 10,000 — starts `qmi up` (identity, applications,
//! districts, experiments behind the gateway), seeds the `experiments` database
//! with SQL (each experiment with its holder, two milestones, an indicator of
//! 100 monthly measurements, its reports and a feedback), then prints the p50
//! and p99 of:
//! - an experiment's page data, as its management page loads it
//!   (`GET /api/experiments/{id}` then `GET /api/experiments/{id}/followed`);
//! - the programme's dashboard (`GET /api/experiments/programme/figures`);
//! - a commune's dashboard (`GET /api/experiments/communes/{insee}/figures`, one
//!   of the Métropole's communes: 154 experiments each with 130 communes, 2 with
//!   10,000).
//!
//! The goal (issue 15): with 10,000 communes, within 1.2× of 130. Asserts
//! nothing. `QMI_BENCH_EXPERIMENTS` (default 20000), `QMI_BENCH_MEASUREMENTS`
//! (per experiment, default 100), `QMI_BENCH_ROUNDS` (default 200).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use qmi_tests::{Qmi, qmi_bin, workspace_root};
use serde_json::{Value, json};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const COMPONENTS: &[&str] = &["identity", "applications", "districts", "experiments"];

fn main() {
    let manifest = workspace_root().join("spin.toml");
    let mut build = std::process::Command::new(qmi_bin());
    build.args(["build", "-f"]).arg(&manifest);
    for c in COMPONENTS
        .iter()
        .chain(&["gateway", "policy", "notifications"])
    {
        build.args(["-c", c]);
    }
    let out = build.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let experiments = env("QMI_BENCH_EXPERIMENTS", 20_000);
    let per = env("QMI_BENCH_MEASUREMENTS", 100);
    let rounds = env("QMI_BENCH_ROUNDS", 200);
    for communes in [130, 10_000] {
        run(&manifest, communes, experiments, per, rounds);
    }
}

fn run(manifest: &std::path::Path, communes: usize, experiments: usize, per: usize, rounds: usize) {
    let password = "bench-password";
    let mut up = Qmi::up()
        .manifest(manifest)
        .without_runtime_config()
        .work_file("runtime-config.toml", qmi_tests::app::runtime_config())
        .flag("--runtime-config-file", "runtime-config.toml")
        .env("QMI_DEMO_PASSWORD", password);
    for id in qmi_tests::app::locked_ids(COMPONENTS) {
        up = up.flag("--component-id", &id);
    }
    let server = up.start();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let token = |email: &str| -> String {
        let r = http
            .post(server.url("/api/auth/token"))
            .header("content-type", "application/json")
            .body(json!({ "email": email, "password": password }).to_string())
            .send()
            .unwrap();
        let v: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    };
    let programme = token("programme@qmi.example");

    let seed = Instant::now();
    let mut db =
        rusqlite::Connection::open(server.work_dir().join(".spin/experiments.db")).unwrap();
    db.busy_timeout(Duration::from_secs(60)).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let today = now / 86_400;
    // The Métropole's 130 communes (in the registry: their dashboards are reached
    // through the gateway's tenant check), then made-up codes up to `communes`.
    let registry = std::fs::read_to_string(workspace_root().join("data/communes-mgp.csv")).unwrap();
    let real: Vec<String> = registry
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_owned))
        .collect();
    let insee = |c: usize| match real.get(c) {
        Some(code) => code.clone(),
        None => format!("{:05}", 10_000 + c),
    };
    let tx = db.transaction().unwrap();
    {
        let mut exp = tx.prepare("INSERT INTO experiments (insee, id, commune_name, title, summary, themes, holder_id, holder_name, starts_on, ends_on, status, published, report_every_months, reports_sent, last_report, created_at, updated_at) VALUES (?1, ?2, 'Commune', ?3, 'Résumé', '[\"climat\",\"énergie\"]', ?4, 'Organisation', ?5, ?6, ?7, 1, 1, 6, ?9, ?8, ?8)").unwrap();
        let mut theme = tx
            .prepare(
                "INSERT INTO experiment_themes (insee, experiment_id, theme) VALUES (?1, ?2, ?3)",
            )
            .unwrap();
        let mut partner = tx.prepare("INSERT INTO experiment_partners (insee, experiment_id, organisation_id, name, holder) VALUES (?1, ?2, ?3, 'Organisation', 1)").unwrap();
        let mut milestone = tx.prepare("INSERT INTO experiment_milestones (insee, experiment_id, id, title, planned_on, done_on) VALUES (?1, ?2, ?3, 'Jalon', ?4, ?5)").unwrap();
        let mut indicator = tx.prepare("INSERT INTO indicators (insee, experiment_id, id, name, unit, baseline, target, direction, public, last_on, last_value) VALUES (?1, ?2, ?3, 'Température', '°C', 38, 33, 'lower', 1, ?4, ?5)").unwrap();
        let mut measurement = tx.prepare("INSERT INTO measurements (insee, indicator_id, on_day, value, comment, source) VALUES (?1, ?2, ?3, ?4, '', 'capteur')").unwrap();
        let mut report = tx.prepare("INSERT INTO reports (insee, experiment_id, period, text, actor, at) VALUES (?1, ?2, ?3, 'Rapport', 'bench', ?4)").unwrap();
        let mut feedback = tx.prepare("INSERT INTO feedback (insee, experiment_id, id, text, rating, status, client, at) VALUES (?1, ?2, ?3, 'Avis', 4, ?4, 'bench', ?5)").unwrap();
        let statuses = ["preparing", "running", "running", "evaluating", "concluded"];
        for e in 0..experiments {
            let c = insee(e % communes);
            let id = format!("bench-exp-{e:06}");
            let starts = today - 400 + (e % 30) as i64;
            exp.execute(rusqlite::params![
                c,
                id,
                format!("Expérimentation {e}"),
                format!("org-{}", e % 500),
                starts,
                starts + 548,
                statuses[e % statuses.len()],
                now,
                starts + 150
            ])
            .unwrap();
            for t in ["climat", "énergie"] {
                theme.execute(rusqlite::params![c, id, t]).unwrap();
            }
            partner
                .execute(rusqlite::params![c, id, format!("org-{}", e % 500)])
                .unwrap();
            milestone
                .execute(rusqlite::params![
                    c,
                    id,
                    format!("{id}-m1"),
                    starts + 60,
                    starts + 62
                ])
                .unwrap();
            milestone
                .execute(rusqlite::params![
                    c,
                    id,
                    format!("{id}-m2"),
                    today - 10,
                    Option::<i64>::None
                ])
                .unwrap();
            let ind = format!("{id}-i");
            let last = 38.0 - (per as f64) * 0.01;
            indicator
                .execute(rusqlite::params![
                    c,
                    id,
                    ind,
                    starts + 30 * per as i64,
                    last
                ])
                .unwrap();
            for k in 0..per {
                measurement
                    .execute(rusqlite::params![
                        c,
                        ind,
                        starts + 30 * k as i64,
                        38.0 - k as f64 * 0.01
                    ])
                    .unwrap();
            }
            for k in 0..6 {
                report
                    .execute(rusqlite::params![c, id, starts + 30 * k, now])
                    .unwrap();
            }
            feedback
                .execute(rusqlite::params![
                    c,
                    id,
                    format!("{id}-f"),
                    if e % 2 == 0 { "waiting" } else { "published" },
                    now
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    drop(db);
    println!(
        "\n{communes} communes: seeded {experiments} experiments, {} measurements in {:.1}s",
        experiments * per,
        seed.elapsed().as_secs_f64()
    );

    let time = |path: &str| -> f64 {
        let t = Instant::now();
        let r = http
            .get(server.url(path))
            .bearer_auth(&programme)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let _ = r.bytes().unwrap();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let mut page = Vec::new();
    let mut dashboard = Vec::new();
    let mut commune = Vec::new();
    // Warm the instances (compilation, first opens) before measuring.
    time("/api/experiments/programme/figures");
    for k in 0..rounds {
        let id = format!("bench-exp-{:06}", (k * 7919) % experiments);
        page.push(
            time(&format!("/api/experiments/{id}"))
                + time(&format!("/api/experiments/{id}/followed")),
        );
        commune.push(time(&format!(
            "/api/experiments/communes/{}/figures",
            insee(k % real.len())
        )));
        if k % 4 == 0 {
            dashboard.push(time("/api/experiments/programme/figures"));
        }
    }
    for (name, mut v) in [
        ("experiment page data (experiment + followed)", page),
        ("programme dashboard", dashboard),
        ("commune dashboard", commune),
    ] {
        v.sort_by(f64::total_cmp);
        println!(
            "{communes} communes: {name}: p50 {:.2} ms, p99 {:.2} ms ({} requests)",
            percentile(&v, 0.5),
            percentile(&v, 0.99),
            v.len()
        );
    }
}
