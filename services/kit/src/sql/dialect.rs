//! The SQL dialect, in one place: how a placeholder, an upsert, `EXISTS` and
//! `RETURNING` are written, and the few words SQLite and PostgreSQL spell
//! differently. Every statement the builders make and every raw platform
//! statement (written with `?`, in SQLite's words) goes through
//! [`Dialect::render`] before it reaches the database, so service code is
//! written once for both backends.

/// A SQL dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (`spin:sqlite`): `?` placeholders.
    #[default]
    Sqlite,
    /// PostgreSQL (`spin:postgres`): `$1, $2…` placeholders; `LIKE` is
    /// written `ILIKE` (SQLite's `LIKE` ignores ASCII case), `IFNULL`
    /// `COALESCE`, and SQLite's JSON, aggregate and date functions as
    /// `super::functions` says.
    Postgres,
}

/// SQLite words PostgreSQL spells otherwise, outside string literals.
const POSTGRES_WORDS: &[(&str, &str)] = &[("like", "ILIKE"), ("ifnull", "COALESCE")];

impl Dialect {
    /// The placeholder of the `n`th parameter (1-based).
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Self::Sqlite => {
                let _positional = n;
                "?".to_owned()
            }
            Self::Postgres => format!("${n}"),
        }
    }

    /// Renders a statement written with `?` placeholders in SQLite's words:
    /// each `?` outside a string literal becomes this dialect's placeholder,
    /// numbered from `first`, and each word this dialect spells otherwise is
    /// replaced. Returns the text and the number of placeholders seen.
    pub fn render(self, sql: &str, first: usize) -> (String, usize) {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        let mut quoted = false;
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let replaced = match self {
                Self::Sqlite => None,
                Self::Postgres => POSTGRES_WORDS
                    .iter()
                    .find(|(from, _)| word.eq_ignore_ascii_case(from))
                    .map(|(_, to)| *to),
            };
            out.push_str(replaced.unwrap_or(word));
            word.clear();
        };
        for c in sql.chars() {
            if !quoted && (c.is_ascii_alphanumeric() || c == '_') {
                word.push(c);
                continue;
            }
            flush(&mut word, &mut out);
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
        flush(&mut word, &mut out);
        match self {
            Self::Sqlite => (out, n),
            Self::Postgres => (super::functions::rewrite(&out), n),
        }
    }

    /// `ON CONFLICT (key…) DO UPDATE SET c = excluded.c, …` (or `DO NOTHING` when
    /// there is nothing to update).
    pub fn upsert(self, key: &[&str], update: &[&str]) -> String {
        match self {
            Self::Sqlite | Self::Postgres => {
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
            Self::Sqlite | Self::Postgres => "ON CONFLICT DO NOTHING",
        }
    }

    /// ` RETURNING c, …`.
    pub fn returning(self, columns: &[&str]) -> String {
        match self {
            Self::Sqlite | Self::Postgres => format!(" RETURNING {}", columns.join(", ")),
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
    fn postgres_numbers_placeholders_and_respells_words() {
        let (sql, n) = Dialect::Postgres.render(
            "SELECT IFNULL(name, '?like') FROM t WHERE a = ? AND name LIKE ? AND likes = ?",
            2,
        );
        assert_eq!(
            (sql.as_str(), n),
            (
                "SELECT COALESCE(name, '?like') FROM t WHERE a = $2 AND name ILIKE $3 AND likes = $4",
                3
            )
        );
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
