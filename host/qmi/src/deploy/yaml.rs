//! A small YAML writer for the generated manifests: block style, keys sorted
//! (`apiVersion`, `kind`, `metadata`, `spec` come out in Kubernetes' order),
//! strings quoted whenever a YAML reader could take them for anything but a
//! string, and comment lines before a document.

use serde_json::Value;

/// One YAML document: comment lines (without `#`) and its value.
pub struct Document {
    /// Lines written as `# …` before the document.
    pub comments: Vec<String>,
    /// The document.
    pub value: Value,
}

/// The documents of one file, separated by `---`.
pub fn file(documents: &[Document]) -> String {
    let mut out = String::new();
    for (i, document) in documents.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        for line in &document.comments {
            if line.is_empty() {
                out.push_str("#\n");
            } else {
                out.push_str("# ");
                out.push_str(line);
                out.push('\n');
            }
        }
        block(&mut out, &document.value, 0);
    }
    out
}

/// Writes `value` as the body of a mapping entry or a document at `indent`.
fn block(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in sorted(map) {
                pad(out, indent);
                out.push_str(&scalar_string(key));
                out.push(':');
                entry_value(out, v, indent + 2);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                pad(out, indent);
                out.push('-');
                list_item(out, item, indent + 2);
            }
        }
        other => {
            pad(out, indent);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// What follows `key:`: an inline scalar, or a nested block on the next lines.
fn entry_value(out: &mut String, value: &Value, indent: usize) {
    if is_block(value) {
        out.push('\n');
        block(out, value, indent);
    } else {
        out.push(' ');
        out.push_str(&inline(value));
        out.push('\n');
    }
}

/// What follows `- `: a mapping's first entry on the same line, the others
/// aligned under it.
fn list_item(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (i, (key, v)) in sorted(map).into_iter().enumerate() {
                if i == 0 {
                    out.push(' ');
                } else {
                    pad(out, indent);
                }
                out.push_str(&scalar_string(key));
                out.push(':');
                entry_value(out, v, indent + 2);
            }
        }
        Value::Array(_) if is_block(value) => {
            out.push('\n');
            block(out, value, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// The entries by key, whatever order `serde_json` keeps them in.
fn sorted(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar, or an empty collection, on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_string(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// A string plain when it cannot be read as anything else, else double-quoted
/// (JSON's escapes are valid in YAML's double-quoted style).
fn scalar_string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

/// Letters, digits and `-_./` only, starting with a letter or `/`, and not a
/// word YAML 1.1 readers take for a boolean or null.
fn is_plain_safe(s: &str) -> bool {
    const WORDS: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !WORDS.contains(&s.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_maps_and_lists() {
        let doc = Document {
            comments: vec!["Generated.".into(), String::new()],
            value: json!({
                "kind": "SpinApp",
                "spec": {
                    "components": ["web", "web-for-x"],
                    "variables": [{"name": "a", "value": "1"}, {"name": "b", "valueFrom": {"k": true}}],
                    "empty": {},
                    "replicas": 2,
                },
            }),
        };
        let text = file(&[doc]);
        let expected = "# Generated.\n#\nkind: SpinApp\nspec:\n  components:\n    - web\n    - web-for-x\n  empty: {}\n  replicas: 2\n  variables:\n    - name: a\n      value: \"1\"\n    - name: b\n      valueFrom:\n        k: true\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "", "true", "No", "1", "80", "http://x", "a b", "*", "-x", ":id",
        ] {
            assert!(scalar_string(s).starts_with('"'), "{s:?} must be quoted");
        }
        for s in ["web", "/api/me", "core.spinkube.dev/v1alpha1", "qmi-web"] {
            assert_eq!(scalar_string(s), s);
        }
    }
}
