//! Strict reading of TOML tables: every field must be taken, or it is reported as unknown.

use std::collections::BTreeSet;

use toml::{Table, Value};

use crate::error::{ManifestError, Result};

/// Joins a table path and a key, quoting keys that are not bare TOML keys.
pub(crate) fn join(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// A table being read; [`Fields::finish`] reports the fields nobody asked for.
pub(crate) struct Fields<'a> {
    table: &'a Table,
    path: String,
    taken: BTreeSet<&'a str>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(table: &'a Table, path: impl Into<String>) -> Self {
        Self {
            table,
            path: path.into(),
            taken: BTreeSet::new(),
        }
    }

    /// Reads `value` as a table at `path`.
    pub(crate) fn of(value: &'a Value, path: impl Into<String>) -> Result<Self> {
        let path = path.into();
        match value {
            Value::Table(t) => Ok(Self::new(t, path)),
            other => Err(wrong(&path, "a table", other)),
        }
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub(crate) fn get(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.table.get_key_value(key)?;
        self.taken.insert(k.as_str());
        Some(v)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    pub(crate) fn missing(&self, key: &str) -> ManifestError {
        ManifestError::MissingField {
            field: key.into(),
            table: self.path.clone(),
        }
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong(&self.at(key), "a string", other)),
        }
    }

    pub(crate) fn req_string(&mut self, key: &str) -> Result<&'a str> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    pub(crate) fn bool(&mut self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong(&self.at(key), "a boolean", other)),
        }
    }

    pub(crate) fn strings(&mut self, key: &str) -> Result<Vec<String>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(v) => string_list(v, &self.at(key)),
        }
    }

    pub(crate) fn table(&mut self, key: &str) -> Result<Option<&'a Table>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => Err(wrong(&self.at(key), "a table", other)),
        }
    }

    /// Takes a field Spin ignores (e.g. `tool`).
    pub(crate) fn ignore(&mut self, key: &str) {
        self.get(key);
    }

    /// Refuses a field that Spin knows but qmi does not support.
    pub(crate) fn refuse(&mut self, key: &str, what: &str) -> Result<()> {
        match self.get(key) {
            None => Ok(()),
            Some(_) => Err(crate::error::unsupported(self.at(key), what)),
        }
    }

    /// Fails on the first field that was not taken.
    pub(crate) fn finish(self) -> Result<()> {
        match self.table.keys().find(|k| !self.taken.contains(k.as_str())) {
            None => Ok(()),
            Some(field) => Err(ManifestError::UnknownField {
                field: field.clone(),
                table: if self.path.is_empty() {
                    "top level".into()
                } else {
                    self.path
                },
            }),
        }
    }
}

pub(crate) fn wrong(at: &str, expected: &'static str, found: &Value) -> ManifestError {
    ManifestError::WrongType {
        at: at.into(),
        expected,
        found: found.type_str(),
    }
}

pub(crate) fn string_list(v: &Value, at: &str) -> Result<Vec<String>> {
    let Value::Array(items) = v else {
        return Err(wrong(at, "an array of strings", v));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong(&format!("{at}[{i}]"), "a string", other)),
        })
        .collect()
}

pub(crate) fn string_map(v: &Value, at: &str) -> Result<Vec<(String, String)>> {
    let Value::Table(t) = v else {
        return Err(wrong(at, "a table of strings", v));
    };
    t.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(wrong(&join(at, k), "a string", other)),
        })
        .collect()
}
