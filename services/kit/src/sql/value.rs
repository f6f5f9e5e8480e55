//! Bound values and raw statements.

use qmi_api::Insee;

/// A bound SQL value (mirrors `spin:sqlite`'s `value`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// INTEGER.
    Integer(i64),
    /// REAL.
    Real(f64),
    /// TEXT.
    Text(String),
    /// BLOB.
    Blob(Vec<u8>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Self::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Self::Integer(i)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Self::Integer(i.into())
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Self::Real(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Integer(b.into())
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Self::Blob(b)
    }
}
impl From<&Insee> for Value {
    fn from(i: &Insee) -> Self {
        Self::Text(i.as_str().to_owned())
    }
}
impl From<Insee> for Value {
    fn from(i: Insee) -> Self {
        Self::Text(i.as_str().to_owned())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Self::Null, Into::into)
    }
}

/// A statement in its dialect and its parameters, in placeholder order. Only the
/// builders and the platform path make one; the store runs nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// Bound values, in placeholder order.
    pub params: Vec<Value>,
}

impl Value {
    /// The value as an audit entry's record id (text and integers; empty otherwise).
    pub(crate) fn as_record_id(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            _ => String::new(),
        }
    }
}
