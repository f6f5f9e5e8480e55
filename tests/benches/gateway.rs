//! The gateway's own cost per request: `cargo bench -p qmi-tests --bench gateway`.
//!
//! Starts `qmi up` on the gateway test application (see `qmi_tests::gateway`) and fires
//! the same number of requests, over a few keep-alive connections, at the `whoami`
//! fixture directly (`/plain/...`) and through the gateway (`/api/...`: anonymous on a
//! public route, and with a verified token on `/api/me`, and on a tenant route, which also
//! reads the tenant's status from the key-value store). Prints requests/s and p50/p99 latency for
//! each and the differences; asserts nothing.
//!
//! Runs with 130 and with 10,000 communes' statuses in the key-value store, each
//! time on both of its backends: Spin's SQLite file (one machine), then Redis (the
//! store replicas on many machines share; Debian's `redis-server`, skipped with a
//! line saying so when it is not installed).
//! `QMI_BENCH_REQUESTS` (default 4000 per case) and `QMI_BENCH_CONNECTIONS` (default 4).

use std::time::{Duration, Instant};

use qmi_tests::gateway::{GatewayApp, claims};
use qmi_tests::redis::RedisServer;

/// Figures of one case.
struct Figures {
    rps: f64,
    mean_us: f64,
    p50_us: f64,
    p99_us: f64,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// Sends `total` requests to `url` over `conns` keep-alive connections.
fn run(url: &str, auth: Option<&str>, total: usize, conns: usize) -> Figures {
    let per = total / conns;
    let start = Instant::now();
    let threads: Vec<_> = (0..conns)
        .map(|_| {
            let url = url.to_owned();
            let auth = auth.map(str::to_owned);
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("client");
                let mut lat = Vec::with_capacity(per);
                for _ in 0..per {
                    let t = Instant::now();
                    let mut req = client.get(&url);
                    if let Some(a) = &auth {
                        req = req.header("authorization", a);
                    }
                    let resp = req.send().expect("request");
                    assert_eq!(resp.status().as_u16(), 200, "{url}");
                    let _ = resp.bytes().expect("body");
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread"))
        .collect();
    let elapsed = start.elapsed();
    lat.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let pct = |p: f64| us(lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)]);
    Figures {
        rps: lat.len() as f64 / elapsed.as_secs_f64(),
        mean_us: lat.iter().map(|d| us(*d)).sum::<f64>() / lat.len() as f64,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    }
}

/// `n` tenant statuses: Saint-Denis (the measured tenant) and `n - 1` synthetic
/// communes, so the gateway's status lookup runs against a registry of that size.
fn registry(n: usize) -> Vec<(String, &'static str)> {
    let mut tenants = vec![("93066".to_owned(), "district")];
    tenants.extend((0..n.saturating_sub(1)).map(|i| (format!("{:05}", 10000 + i), "member")));
    tenants
}

fn main() {
    let redis = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    for size in [130, 10_000] {
        let tenants = registry(size);
        let tenants: Vec<(&str, &str)> = tenants.iter().map(|(i, s)| (i.as_str(), *s)).collect();
        println!("\n== registry of {size} communes, key-value store on a SQLite file ==");
        bench(&GatewayApp::start(&tenants));
        if !redis {
            println!(
                "\n(redis-server is not installed: no figures on Redis; scripts/test installs it)"
            );
            continue;
        }
        println!("\n== registry of {size} communes, key-value store on Redis ==");
        let server = RedisServer::start();
        let mut statuses = redis::pipe();
        for (insee, status) in &tenants {
            statuses
                .cmd("SET")
                .arg(format!("tenant-status/{insee}"))
                .arg(*status)
                .ignore();
        }
        statuses
            .query::<()>(&mut server.connect())
            .expect("the statuses into Redis");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("runtime-config.toml");
        std::fs::write(
            &config,
            format!(
                "[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n",
                server.url()
            ),
        )
        .expect("write the runtime config");
        let config = config.to_str().expect("a UTF-8 path");
        bench(&GatewayApp::start_with(
            &tenants,
            &[("--runtime-config-file", config)],
        ));
    }
}

fn bench(app: &GatewayApp) {
    let total = env_usize("QMI_BENCH_REQUESTS", 4000);
    let conns = env_usize("QMI_BENCH_CONNECTIONS", 4);
    let s = &app.server;
    let auth = app.bearer(&claims(&[], &[("93066", "admin")]));
    let cases: [(&str, String, Option<&str>); 4] = [
        ("whoami direct (no gateway)", s.url("/plain/whoami"), None),
        (
            "gateway, anonymous public route",
            s.url("/api/communes"),
            None,
        ),
        (
            "gateway, token, no tenant",
            s.url("/api/me"),
            Some(auth.as_str()),
        ),
        (
            "gateway, token + tenant route",
            s.url("/api/communes/93066/members"),
            Some(auth.as_str()),
        ),
    ];
    println!("gateway bench: {total} requests per case, {conns} keep-alive connections");
    let mut results = Vec::new();
    for (name, url, auth) in &cases {
        run(url, *auth, total / 10 + conns, conns); // warm-up: instances, key cache
        let f = run(url, *auth, total, conns);
        println!(
            "  {name:34} {:>8.0} req/s   mean {:>7.0} µs   p50 {:>7.0} µs   p99 {:>7.0} µs",
            f.rps, f.mean_us, f.p50_us, f.p99_us
        );
        results.push(f);
    }
    let base = &results[0];
    for (i, f) in results.iter().enumerate().skip(1) {
        println!(
            "  cost of the gateway ({}): +{:.0} µs p50, +{:.0} µs p99, +{:.0} µs mean latency; \
             {:.0} µs per request of server time (1/rps difference × {conns} connections)",
            cases[i].0,
            f.p50_us - base.p50_us,
            f.p99_us - base.p99_us,
            f.mean_us - base.mean_us,
            (1e6 / f.rps - 1e6 / base.rps) * conns as f64,
        );
    }
}
