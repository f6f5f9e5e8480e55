//! Validation of a Kubernetes object against a CustomResourceDefinition's
//! `openAPIV3Schema`, as the API server does it for a structural schema with
//! strict field validation (`kubectl apply --validate=strict`): types
//! (`x-kubernetes-int-or-string` included), unknown fields refused unless
//! `additionalProperties` or `x-kubernetes-preserve-unknown-fields` allow
//! them, `required`, `enum`, `pattern`, `format` (int32, int64), length,
//! item and numeric bounds, `anyOf`. `metadata` is the API server's
//! ObjectMeta, not the CRD's: only its name and namespace are checked here.

use serde_json::Value;

/// The `openAPIV3Schema` of `version` in a CRD document.
pub fn schema_of<'a>(crd: &'a Value, version: &str) -> Option<&'a Value> {
    crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| &v["schema"]["openAPIV3Schema"])
}

/// Every violation of `schema` by `value`, each naming its field path.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, value, "", &mut errors);
    errors
}

fn check(schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let mut fail = |message: String| errors.push(format!("{}: {message}", display(at)));
    if value.is_null() {
        if schema["nullable"] != true {
            fail("null is not allowed".into());
        }
        return;
    }
    if at == ".metadata" {
        check_metadata(value, errors);
        return;
    }
    if schema["x-kubernetes-int-or-string"] == true {
        if !(value.is_i64() || value.is_u64() || value.is_string()) {
            fail(format!("expected an integer or a string, got {value}"));
            return;
        }
    } else if let Some(kind) = schema["type"].as_str() {
        let ok = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => true,
        };
        if !ok {
            fail(format!("expected {kind}, got {value}"));
            return;
        }
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        fail(format!("{value} is not one of {options:?}"));
    }
    if let Some(any_of) = schema["anyOf"].as_array()
        && schema["x-kubernetes-int-or-string"] != true
        && !any_of.iter().any(|s| validate_at(s, value, at).is_empty())
    {
        fail(format!("{value} matches none of anyOf"));
    }
    match value {
        Value::String(s) => check_string(schema, s, &mut fail),
        Value::Number(n) => check_number(schema, n, &mut fail),
        Value::Array(items) => {
            let len = items.len() as u64;
            if schema["minItems"].as_u64().is_some_and(|m| len < m) {
                fail(format!(
                    "{len} items, fewer than minItems {}",
                    schema["minItems"]
                ));
            }
            if schema["maxItems"].as_u64().is_some_and(|m| len > m) {
                fail(format!(
                    "{len} items, more than maxItems {}",
                    schema["maxItems"]
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check(&schema["items"], item, &format!("{at}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for required in schema["required"].as_array().into_iter().flatten() {
                if let Some(name) = required.as_str()
                    && !map.contains_key(name)
                {
                    errors.push(format!(
                        "{}: required field {name:?} is missing",
                        display(at)
                    ));
                }
            }
            let open = schema["x-kubernetes-preserve-unknown-fields"] == true;
            for (key, v) in map {
                let child = format!("{at}.{key}");
                if let Some(field) = schema["properties"].get(key) {
                    check(field, v, &child, errors);
                } else if schema["additionalProperties"].is_object() {
                    check(&schema["additionalProperties"], v, &child, errors);
                } else if !(open || schema["additionalProperties"] == true) {
                    errors.push(format!("{}: unknown field", display(&child)));
                }
            }
        }
        _ => {}
    }
}

fn validate_at(schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, value, at, &mut errors);
    errors
}

fn check_string(schema: &Value, s: &str, fail: &mut impl FnMut(String)) {
    let len = s.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|m| len < m) {
        fail(format!(
            "{s:?} is shorter than minLength {}",
            schema["minLength"]
        ));
    }
    if schema["maxLength"].as_u64().is_some_and(|m| len > m) {
        fail(format!(
            "{s:?} is longer than maxLength {}",
            schema["maxLength"]
        ));
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        match regex::Regex::new(pattern) {
            Ok(re) if re.is_match(s) => {}
            Ok(_) => fail(format!("{s:?} does not match {pattern:?}")),
            Err(e) => fail(format!("pattern {pattern:?} does not compile: {e}")),
        }
    }
}

fn check_number(schema: &Value, n: &serde_json::Number, fail: &mut impl FnMut(String)) {
    let range = match schema["format"].as_str() {
        Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let Some((low, high)) = range
        && !n.as_i64().is_some_and(|v| (low..=high).contains(&v))
    {
        fail(format!("{n} is out of {} range", schema["format"]));
    }
    let v = n.as_f64().unwrap_or(f64::NAN);
    if schema["minimum"].as_f64().is_some_and(|m| v < m) {
        fail(format!("{n} is less than minimum {}", schema["minimum"]));
    }
    if schema["maximum"].as_f64().is_some_and(|m| v > m) {
        fail(format!("{n} is more than maximum {}", schema["maximum"]));
    }
}

/// ObjectMeta's rules for what the generator writes: a DNS-1123 subdomain
/// name, a DNS-1123 label namespace, string labels.
fn check_metadata(meta: &Value, errors: &mut Vec<String>) {
    let dns_label = regex::Regex::new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("valid regex");
    match meta["name"].as_str() {
        Some(name) if name.len() <= 253 && name.split('.').all(|p| dns_label.is_match(p)) => {}
        other => errors.push(format!(
            ".metadata.name: {other:?} is not a DNS-1123 subdomain"
        )),
    }
    if let Some(ns) = meta.get("namespace")
        && !ns
            .as_str()
            .is_some_and(|n| n.len() <= 63 && dns_label.is_match(n))
    {
        errors.push(format!(".metadata.namespace: {ns} is not a DNS-1123 label"));
    }
    for (key, v) in meta["labels"].as_object().into_iter().flatten() {
        if !v.is_string() {
            errors.push(format!(".metadata.labels.{key}: not a string"));
        }
    }
}

fn display(at: &str) -> &str {
    if at.is_empty() { "." } else { at }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "metadata": { "type": "object" },
                "spec": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {
                        "image": { "type": "string" },
                        "replicas": { "type": "integer", "format": "int32" },
                        "components": { "type": "array", "minItems": 1, "items": { "type": "string" } },
                        "limits": { "type": "object", "additionalProperties": {
                            "anyOf": [{ "type": "integer" }, { "type": "string" }],
                            "pattern": "^[0-9]+(Mi|m)?$",
                            "x-kubernetes-int-or-string": true,
                        }},
                    },
                },
            },
        })
    }

    #[test]
    fn a_valid_object_passes() {
        let v = json!({ "metadata": { "name": "a" }, "spec": {
            "image": "x", "replicas": 2, "components": ["a"], "limits": { "memory": "1Mi", "cpu": 2 },
        }});
        assert_eq!(validate(&schema(), &v), Vec::<String>::new());
    }

    #[test]
    fn each_rule_refuses() {
        let cases = [
            (
                json!({ "spec": { "image": "x", "replica": 2 } }),
                ".spec.replica: unknown field",
            ),
            (
                json!({ "spec": { "image": "x", "replicas": "2" } }),
                ".spec.replicas: expected integer",
            ),
            (json!({ "spec": {} }), "required field \"image\""),
            (
                json!({ "spec": { "image": "x", "components": [] } }),
                "fewer than minItems",
            ),
            (
                json!({ "spec": { "image": "x", "replicas": 3_000_000_000u64 } }),
                "int32",
            ),
            (
                json!({ "spec": { "image": "x", "limits": { "memory": "1 GB" } } }),
                "does not match",
            ),
            (
                json!({ "metadata": { "name": "Bad_Name" }, "spec": { "image": "x" } }),
                "DNS-1123",
            ),
        ];
        for (value, expected) in cases {
            let errors = validate(&schema(), &value);
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{value}: expected an error containing {expected:?}, got {errors:?}"
            );
        }
    }
}
