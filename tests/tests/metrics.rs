//! The hosting operator's metrics (`qmi up --metrics-listen`): the real app
//! serves a known set of requests, then `/metrics` is scraped and read with a
//! real Prometheus text parser; `/usage/requests` gives the same per-commune
//! counts as JSON. On the fixtures: a trap and a deadline are counted.

use std::time::{Duration, Instant};

use prometheus_parse::{Scrape, Value};
use qmi_tests::{QmiServer, app};

const PASSWORD: &str = "metrics-password";

/// What one scrape of `/metrics` holds.
struct Metrics(Scrape);

/// `GET path` on the server's metrics listener.
fn get_metrics(server: &QmiServer, path: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{}{path}", server.metrics_url()))
        .send()
        .unwrap_or_else(|e| panic!("GET {path} on the metrics listener: {e}"))
}

impl Metrics {
    /// Scrapes the server's metrics listener, checking the content type.
    fn scrape(server: &QmiServer) -> Metrics {
        let response = get_metrics(server, "/metrics");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let text = response.text().expect("the document");
        let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses");
        for family in FAMILIES {
            assert!(scrape.docs.contains_key(*family), "no HELP for {family}");
        }
        Metrics(scrape)
    }

    /// The value of the sample of `metric` with exactly `labels`; `None` if
    /// there is none.
    fn get(&self, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut found = self.0.samples.iter().filter(|s| {
            s.metric == metric
                && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))
                && s.labels.len() == labels.len()
        });
        let sample = found.next()?;
        assert!(found.next().is_none(), "{metric} {labels:?} twice");
        Some(match &sample.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            other => panic!("{metric} {labels:?} is {other:?}"),
        })
    }

    /// Like [`Metrics::get`], 0 when absent.
    fn value(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(metric, labels).unwrap_or(0.0)
    }

    /// A component's requests of one status class.
    fn requests(&self, component: &str, class: &str) -> f64 {
        let labels = [("component", component), ("class", class)];
        self.get("qmi_requests_total", &labels)
            .unwrap_or_else(|| panic!("no qmi_requests_total for {component} {class}"))
    }

    /// A component's duration histogram: its buckets (bound, cumulative count).
    fn buckets(&self, component: &str) -> Vec<(f64, f64)> {
        let sample = self
            .0
            .samples
            .iter()
            .find(|s| {
                s.metric == "qmi_request_duration_seconds"
                    && s.labels.get("component") == Some(component)
            })
            .unwrap_or_else(|| panic!("no histogram for {component}"));
        let Value::Histogram(counts) = &sample.value else {
            panic!("qmi_request_duration_seconds is {:?}", sample.value);
        };
        counts.iter().map(|c| (c.less_than, c.count)).collect()
    }
}

const FAMILIES: &[&str] = &[
    "qmi_requests_total",
    "qmi_request_duration_seconds",
    "qmi_instances_live",
    "qmi_instance_memory_bytes",
    "qmi_traps_total",
    "qmi_deadlines_total",
    "qmi_database_bytes",
    "qmi_statements_total",
    "qmi_tenant_requests_total",
];

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// `GET path` on the application, which must answer `status`.
fn get(server: &QmiServer, path: &str, status: u16) {
    let reply = server.get(path);
    assert_eq!(reply.status, status, "GET {path}: {reply:?}");
}

#[test]
fn the_operator_sees_what_the_app_served() {
    let server = app::up(&["web", "identity"], PASSWORD)
        .with_metrics()
        // Instances stay alive (idle) for the whole test: the gauges are read
        // while they exist, not raced against the 1 s default.
        .flag("--idle-instance-timeout", "600s")
        .start();
    let before = Metrics::scrape(&server);

    for _ in 0..7 {
        get(&server, "/api/health", 200);
    }
    for _ in 0..3 {
        get(&server, "/api/communes?limit=5", 200);
    }
    // No such route: the `/...` wildcard sends it to `web`, which answers 404.
    get(&server, "/no-such-page.json", 404);
    // A public route naming a commune: the gateway forwards it with
    // `x-qmi-tenant: 93048`.
    get(&server, "/api/communes/93048", 200);

    let after = Metrics::scrape(&server);
    let delta = |component: &str, class: &str| {
        after.requests(component, class) - before.requests(component, class)
    };
    assert_eq!(delta("web", "2xx"), 7.0, "GET /api/health");
    assert_eq!(delta("web", "4xx"), 1.0, "the 404");
    assert_eq!(delta("identity", "2xx"), 4.0, "the registry and a commune");
    for component in ["web", "identity"] {
        for class in ["1xx", "3xx", "5xx"] {
            assert_eq!(delta(component, class), 0.0, "{component} {class}");
        }
    }

    // Every served component's histogram is cumulative, ends at +Inf, and
    // counts exactly the requests its classes count.
    for component in ["web", "identity"] {
        let buckets = after.buckets(component);
        assert_eq!(buckets.len(), 15, "{component}: {buckets:?}");
        assert!(
            buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        );
        let (last_bound, last_count) = buckets[buckets.len() - 1];
        assert!(last_bound.is_infinite());
        let labels = [("component", component)];
        let count = after.value("qmi_request_duration_seconds_count", &labels);
        let answered: f64 = CLASSES.iter().map(|c| after.requests(component, c)).sum();
        assert_eq!(last_count, count, "{component}: +Inf against _count");
        assert_eq!(count, answered, "{component}: _count against the requests");
        assert!(after.value("qmi_request_duration_seconds_sum", &labels) > 0.0);
    }

    // Instances are alive and hold linear memory; nothing trapped or timed out.
    for component in ["web", "identity"] {
        let labels = [("component", component)];
        assert!(
            after.value("qmi_instances_live", &labels) >= 1.0,
            "{component}"
        );
        assert!(
            after.value("qmi_instance_memory_bytes", &labels) >= 65536.0,
            "{component}"
        );
        assert_eq!(
            after.get("qmi_traps_total", &labels),
            Some(0.0),
            "{component}"
        );
        assert_eq!(
            after.get("qmi_deadlines_total", &labels),
            Some(0.0),
            "{component}"
        );
    }

    // The identity database: its size, and the statements its requests ran.
    let identity = [("label", "identity")];
    assert!(after.value("qmi_database_bytes", &identity) > 0.0);
    let statements = after.value("qmi_statements_total", &identity);
    assert!(
        statements >= before.value("qmi_statements_total", &identity) + 4.0,
        "four identity requests ran {statements} statements in all"
    );

    // The commune the gateway named, counted once; and the same count as JSON.
    let tenant = |m: &Metrics| m.value("qmi_tenant_requests_total", &[("insee", "93048")]);
    assert_eq!(tenant(&after) - tenant(&before), 1.0);
    let usage: serde_json::Value = serde_json::from_str(
        &get_metrics(&server, "/usage/requests")
            .text()
            .expect("body"),
    )
    .expect("JSON");
    assert_eq!(usage["communes"]["93048"], tenant(&after) as u64, "{usage}");
    assert!(
        usage["communes"]
            .as_object()
            .is_some_and(|c| c.keys().all(|k| k.len() == 5)),
        "{usage}"
    );

    // The listener serves nothing else, and is not the application's.
    assert_eq!(get_metrics(&server, "/api/health").status(), 404);
    assert_ne!(server.metrics_url(), server.base_url());
}

/// Polls `/metrics` until `ready` holds (a trap is counted as its instance is
/// dropped, just after the client got its 500).
fn scrape_until(server: &QmiServer, ready: impl Fn(&Metrics) -> bool) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = Metrics::scrape(server);
        if ready(&metrics) || Instant::now() > deadline {
            return metrics;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn traps_and_deadlines_are_counted() {
    let server = qmi_tests::Qmi::up()
        .with_metrics()
        .flag("--request-timeout", "2s")
        .start();
    let echo = [("component", "echo")];
    assert_eq!(server.get("/echo/panic").status, 500);
    let metrics = scrape_until(&server, |m| m.value("qmi_traps_total", &echo) >= 1.0);
    assert_eq!(metrics.get("qmi_traps_total", &echo), Some(1.0));
    assert_eq!(metrics.get("qmi_deadlines_total", &echo), Some(0.0));
    assert_eq!(metrics.requests("echo", "5xx"), 1.0);

    assert_eq!(server.get("/echo/loop").status, 500);
    let metrics = Metrics::scrape(&server);
    assert_eq!(metrics.get("qmi_deadlines_total", &echo), Some(1.0));
    assert_eq!(
        metrics.get("qmi_traps_total", &echo),
        Some(1.0),
        "a deadline is no trap"
    );
    assert_eq!(metrics.requests("echo", "5xx"), 2.0);
}
