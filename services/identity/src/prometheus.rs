//! The runtime's metrics read back (Prometheus text exposition format 0.0.4,
//! the families `qmi up --metrics-listen` writes) into the hosting operator's
//! figures: per component and per database label.

use std::collections::BTreeMap;

use qmi_api::accountability::{ComponentFigures, DatabaseFigures, RuntimeFigures};

/// The figures of a Prometheus text exposition (the families `qmi` writes).
pub fn figures(text: &str) -> RuntimeFigures {
    let mut components: BTreeMap<String, ComponentFigures> = BTreeMap::new();
    let mut buckets: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut databases: BTreeMap<String, DatabaseFigures> = BTreeMap::new();
    for line in text.lines() {
        let Some((name, labels, value)) = sample(line) else {
            continue;
        };
        let label = |key: &str| {
            labels
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
        };
        let whole = value.max(0.0) as u64;
        if let Some(component) = label("component") {
            let c = components
                .entry(component.clone())
                .or_insert_with(|| ComponentFigures {
                    component,
                    ..ComponentFigures::default()
                });
            match name {
                "qmi_requests_total" => {
                    c.requests += whole;
                    match label("class").as_deref() {
                        Some("4xx") => c.client_errors += whole,
                        Some("5xx") => c.server_errors += whole,
                        _ => {}
                    }
                }
                "qmi_instances_live" => c.instances = whole,
                "qmi_instance_memory_bytes" => c.memory_bytes = whole,
                "qmi_traps_total" => c.traps = whole,
                "qmi_request_duration_seconds_bucket" => {
                    let le = label("le").and_then(|l| match l.as_str() {
                        "+Inf" => Some(f64::INFINITY),
                        l => l.parse().ok(),
                    });
                    if let Some(le) = le {
                        buckets
                            .entry(c.component.clone())
                            .or_default()
                            .push((le, value));
                    }
                }
                _ => {}
            }
        } else if let Some(db) = label("label") {
            let d = databases
                .entry(db.clone())
                .or_insert_with(|| DatabaseFigures {
                    label: db,
                    ..DatabaseFigures::default()
                });
            match name {
                "qmi_database_bytes" => d.bytes = whole,
                "qmi_statements_total" => d.statements += whole,
                _ => {}
            }
        }
    }
    for (component, mut b) in buckets {
        b.sort_by(|x, y| x.0.total_cmp(&y.0));
        let Some(&(_, count)) = b.last() else {
            continue;
        };
        if count <= 0.0 {
            continue;
        }
        let median = b
            .iter()
            .find(|(_, n)| *n >= count / 2.0)
            .map(|(le, _)| *le)
            .filter(|le| le.is_finite());
        if let Some(c) = components.get_mut(&component) {
            c.p50_seconds = median;
        }
    }
    RuntimeFigures {
        available: !components.is_empty() || !databases.is_empty(),
        components: components.into_values().collect(),
        databases: databases.into_values().collect(),
    }
}

/// A sample: its metric's name, its labels, its value.
type Sample<'a> = (&'a str, Vec<(&'a str, String)>, f64);

/// One sample line: `name{k="v",…} value` (comments and malformed lines: none).
fn sample(line: &str) -> Option<Sample<'_>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (head, value) = line.rsplit_once(' ')?;
    let value: f64 = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    let Some((name, rest)) = head.split_once('{') else {
        return Some((head, Vec::new(), value));
    };
    let body = rest.strip_suffix('}')?;
    let mut labels = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let eq = at + body[at..].find("=\"")?;
        let key = body[at..eq].trim_start_matches(',').trim();
        let mut v = String::new();
        let mut chars = body[eq + 2..].char_indices();
        let mut close = None;
        while let Some((j, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => v.push('\n'),
                    Some((_, other)) => v.push(other),
                    None => return None,
                },
                '"' => {
                    close = Some(eq + 2 + j);
                    break;
                }
                c => v.push(c),
            }
        }
        labels.push((key, v));
        at = close? + 1;
    }
    Some((name, labels, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_the_runtime_families() {
        let text = "# HELP qmi_requests_total Requests.\n\
            # TYPE qmi_requests_total counter\n\
            qmi_requests_total{component=\"identity\",class=\"2xx\"} 8\n\
            qmi_requests_total{component=\"identity\",class=\"4xx\"} 2\n\
            qmi_request_duration_seconds_bucket{component=\"identity\",le=\"0.001\"} 1\n\
            qmi_request_duration_seconds_bucket{component=\"identity\",le=\"0.005\"} 6\n\
            qmi_request_duration_seconds_bucket{component=\"identity\",le=\"+Inf\"} 10\n\
            qmi_instances_live{component=\"identity\"} 3\n\
            qmi_database_bytes{label=\"identity\"} 4096\n\
            qmi_statements_total{label=\"identity\"} 42\n";
        let f = figures(text);
        assert!(f.available);
        let c = &f.components[0];
        assert_eq!(
            (c.requests, c.client_errors, c.instances),
            (10, 2, 3),
            "{c:?}"
        );
        assert_eq!(c.p50_seconds, Some(0.005));
        assert_eq!(f.databases[0].bytes, 4096);
        assert_eq!(f.databases[0].statements, 42);
    }

    #[test]
    fn labels_unescape() {
        let (name, labels, value) = sample("m{a=\"x\\\"y\",b=\"z,w\"} 1.5").expect("a sample line");
        assert_eq!(name, "m");
        assert_eq!(
            labels,
            vec![("a", "x\"y".to_owned()), ("b", "z,w".to_owned())]
        );
        assert_eq!(value, 1.5);
    }
}
