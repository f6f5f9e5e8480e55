//! The families of the document, each with its help, from the figures read
//! at one scrape.

use std::collections::BTreeMap;

use super::component::{CLASSES, ComponentSnapshot};
use super::exposition::Exposition;
use super::histogram::BOUNDS;

/// What one scrape read.
pub struct Figures<'a> {
    /// Per component.
    pub components: Vec<(&'a str, ComponentSnapshot)>,
    /// Bytes per database label.
    pub database_bytes: BTreeMap<String, u64>,
    /// Statements per database label.
    pub statements: BTreeMap<String, u64>,
    /// Requests per commune.
    pub tenants: Vec<(String, u64)>,
}

/// A family with one sample per component.
struct PerComponent {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    value: fn(&ComponentSnapshot) -> u64,
}

const PER_COMPONENT: [PerComponent; 4] = [
    PerComponent {
        name: "qmi_instances_live",
        kind: "gauge",
        help: "Instances of the component alive (serving or idle).",
        value: |s| s.instances,
    },
    PerComponent {
        name: "qmi_instance_memory_bytes",
        kind: "gauge",
        help: "Linear memory of the component's live instances, summed.",
        value: |s| s.memory,
    },
    PerComponent {
        name: "qmi_traps_total",
        kind: "counter",
        help: "Instances of the component discarded because their guest trapped.",
        value: |s| s.traps,
    },
    PerComponent {
        name: "qmi_deadlines_total",
        kind: "counter",
        help: "Requests to the component cut by the request deadline (--request-timeout).",
        value: |s| s.deadlines,
    },
];

/// The document.
pub fn document(figures: &Figures<'_>) -> String {
    let mut doc = Exposition::default();
    requests(&mut doc, &figures.components);
    durations(&mut doc, &figures.components);
    for family in &PER_COMPONENT {
        doc.family(family.name, family.kind, family.help);
        for (component, s) in &figures.components {
            doc.sample(family.name, &[("component", component)], (family.value)(s));
        }
    }

    let name = "qmi_database_bytes";
    doc.family(
        name,
        "gauge",
        "Size of a database label: its SQLite file and WAL, or its PostgreSQL schema.",
    );
    for (label, bytes) in &figures.database_bytes {
        doc.sample(name, &[("label", label)], bytes);
    }

    let name = "qmi_statements_total";
    doc.family(
        name,
        "counter",
        "Statements the components ran on a database label (spin:sqlite, spin:postgres).",
    );
    for (label, n) in &figures.statements {
        doc.sample(name, &[("label", label)], n);
    }

    let name = "qmi_tenant_requests_total";
    doc.family(
        name,
        "counter",
        "Requests the gateway let through for a commune (x-qmi-tenant), by INSEE code.",
    );
    for (insee, n) in &figures.tenants {
        doc.sample(name, &[("insee", insee)], n);
    }
    doc.finish()
}

fn requests(doc: &mut Exposition, components: &[(&str, ComponentSnapshot)]) {
    let name = "qmi_requests_total";
    doc.family(
        name,
        "counter",
        "Requests a component answered, by status class (its middleware's refusals included).",
    );
    for (component, s) in components {
        for (class, n) in CLASSES.iter().zip(s.requests) {
            doc.sample(name, &[("component", component), ("class", class)], n);
        }
    }
}

fn durations(doc: &mut Exposition, components: &[(&str, ComponentSnapshot)]) {
    doc.family(
        "qmi_request_duration_seconds",
        "histogram",
        "Time from a request's arrival to its response, per component.",
    );
    let bounds: Vec<String> = BOUNDS
        .iter()
        .map(f64::to_string)
        .chain(["+Inf".to_owned()])
        .collect();
    for (component, s) in components {
        for (le, n) in bounds.iter().zip(s.duration.cumulative) {
            let labels = [("component", *component), ("le", le.as_str())];
            doc.sample("qmi_request_duration_seconds_bucket", &labels, n);
        }
        let labels = [("component", *component)];
        let sum = s.duration.sum_seconds;
        doc.sample("qmi_request_duration_seconds_sum", &labels, sum);
        let count = s.duration.count();
        doc.sample("qmi_request_duration_seconds_count", &labels, count);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::metrics::ComponentMetrics;

    #[test]
    fn every_family_has_help_type_and_samples() {
        let web = ComponentMetrics::default();
        web.request(200, Duration::from_micros(300));
        web.request(404, Duration::from_millis(2));
        let text = document(&Figures {
            components: vec![("web", web.snapshot())],
            database_bytes: [("identity".to_owned(), 4096)].into(),
            statements: [("identity".to_owned(), 7)].into(),
            tenants: vec![("93048".to_owned(), 3)],
        });
        for family in [
            "qmi_requests_total",
            "qmi_request_duration_seconds",
            "qmi_instances_live",
            "qmi_instance_memory_bytes",
            "qmi_traps_total",
            "qmi_deadlines_total",
            "qmi_database_bytes",
            "qmi_statements_total",
            "qmi_tenant_requests_total",
        ] {
            assert!(text.contains(&format!("# HELP {family} ")), "{family}");
            assert!(text.contains(&format!("# TYPE {family} ")), "{family}");
        }
        for line in [
            "qmi_requests_total{component=\"web\",class=\"2xx\"} 1",
            "qmi_requests_total{component=\"web\",class=\"4xx\"} 1",
            "qmi_request_duration_seconds_bucket{component=\"web\",le=\"0.0005\"} 1",
            "qmi_request_duration_seconds_bucket{component=\"web\",le=\"0.0025\"} 2",
            "qmi_request_duration_seconds_bucket{component=\"web\",le=\"+Inf\"} 2",
            "qmi_request_duration_seconds_count{component=\"web\"} 2",
            "qmi_database_bytes{label=\"identity\"} 4096",
            "qmi_statements_total{label=\"identity\"} 7",
            "qmi_tenant_requests_total{insee=\"93048\"} 3",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
