//! Rows returned by a statement, read by column name.

use super::Value;

/// Rows returned by a statement, with their column names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names.
    pub columns: Vec<String>,
    /// Row values, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// One row, read by column name.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl Rows {
    /// Iterates the rows.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

impl Row<'_> {
    fn value(&self, column: &str) -> Option<&Value> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
    }

    /// A TEXT column (`None` when NULL, absent or not text).
    pub fn text(&self, column: &str) -> Option<&str> {
        match self.value(column)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A TEXT column as an owned string, empty when NULL.
    pub fn string(&self, column: &str) -> String {
        self.text(column).unwrap_or_default().to_owned()
    }

    /// A BLOB column.
    pub fn blob(&self, column: &str) -> Option<&[u8]> {
        match self.value(column)? {
            Value::Blob(b) => Some(b),
            _ => None,
        }
    }

    /// A REAL column (an INTEGER one widened: SQLite stores whole reals so).
    pub fn real(&self, column: &str) -> Option<f64> {
        match self.value(column)? {
            Value::Real(f) => Some(*f),
            Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// An INTEGER column.
    pub fn int(&self, column: &str) -> Option<i64> {
        match self.value(column)? {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_by_name() {
        let rows = Rows {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::from("x"), Value::Integer(3)]],
        };
        let r = rows.first().unwrap();
        assert_eq!(
            (r.text("a"), r.int("b"), r.text("c")),
            (Some("x"), Some(3), None)
        );
    }
}
