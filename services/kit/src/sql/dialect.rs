//! The SQL dialect, in one place: how a placeholder, an upsert, `EXISTS` and
//! `RETURNING` are written. Every statement the builders make and every raw
//! platform statement (written with `?`) goes through [`Dialect::render`] before it
//! reaches the database, so a second backend (PostgreSQL's `$1, $2…`) is a new
//! variant here, not a change in service code.

/// A SQL dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (`spin:sqlite`): `?` placeholders.
    #[default]
    Sqlite,
}

impl Dialect {
    /// The placeholder of the `n`th parameter (1-based).
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Self::Sqlite => {
                let _positional = n;
                "?".to_owned()
            }
        }
    }

    /// Renders a statement written with `?` placeholders: each `?` outside a
    /// string literal becomes this dialect's placeholder, numbered from `first`.
    /// Returns the text and the number of placeholders seen.
    pub fn render(self, sql: &str, first: usize) -> (String, usize) {
        let mut out = String::with_capacity(sql.len());
        let mut n = 0;
        let mut quoted = false;
        for c in sql.chars() {
            match c {
                '\'' => {
                    quoted = !quoted;
                    out.push(c);
                }
                '?' if !quoted => {
                    out.push_str(&self.placeholder(first + n));
                    n += 1;
                }
                _ => out.push(c),
            }
        }
        (out, n)
    }

    /// `ON CONFLICT (key…) DO UPDATE SET c = excluded.c, …` (or `DO NOTHING` when
    /// there is nothing to update).
    pub fn upsert(self, key: &[&str], update: &[&str]) -> String {
        match self {
            Self::Sqlite => {
                let target = format!("ON CONFLICT ({})", key.join(", "));
                if update.is_empty() {
                    format!("{target} DO NOTHING")
                } else {
                    let set: Vec<String> = update
                        .iter()
                        .map(|c| format!("{c} = excluded.{c}"))
                        .collect();
                    format!("{target} DO UPDATE SET {}", set.join(", "))
                }
            }
        }
    }

    /// `ON CONFLICT DO NOTHING` (any unique constraint).
    pub fn ignore_conflicts(self) -> &'static str {
        match self {
            Self::Sqlite => "ON CONFLICT DO NOTHING",
        }
    }

    /// ` RETURNING c, …`.
    pub fn returning(self, columns: &[&str]) -> String {
        match self {
            Self::Sqlite => format!(" RETURNING {}", columns.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_literals_only() {
        let (sql, n) = Dialect::Sqlite.render("SELECT '?' WHERE a = ? AND b = ?", 1);
        assert_eq!((sql.as_str(), n), ("SELECT '?' WHERE a = ? AND b = ?", 2));
    }

    #[test]
    fn upserts() {
        let d = Dialect::Sqlite;
        assert_eq!(
            d.upsert(&["insee", "id"], &["role"]),
            "ON CONFLICT (insee, id) DO UPDATE SET role = excluded.role"
        );
        assert_eq!(d.upsert(&["id"], &[]), "ON CONFLICT (id) DO NOTHING");
    }
}
