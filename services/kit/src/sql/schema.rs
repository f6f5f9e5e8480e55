//! Which tables of a database belong to one commune. Each service declares
//! `pub const SCHEMA: Schema` and opens its database with it; the store reaches
//! the tenant tables only through a [`super::Scope`] made from an allowed policy
//! decision, and refuses any raw platform statement that names one of them
//! ([`Schema::tenant_table_in`]).

/// A table whose rows each belong to one commune (`insee` first in its key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantTable(&'static str);

impl TenantTable {
    /// Declares a tenant table by name (list it in the service's [`Schema`]).
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The table name.
    pub fn name(&self) -> &'static str {
        self.0
    }
}

/// The tables of one database, split by tenancy.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// Tables of one commune: reachable only through `Db::tenant` / `Db::across`.
    pub tenant: &'static [TenantTable],
    /// Platform tables (accounts, registry, outbox…): the raw platform path.
    pub platform: &'static [&'static str],
}

/// SQL words after which a table name follows.
const TABLE_AFTER: &[&str] = &["from", "join", "into", "update", "table"];
/// SQL words that end a `FROM a, b` list.
const LIST_END: &[&str] = &[
    "where",
    "group",
    "order",
    "limit",
    "on",
    "using",
    "set",
    "values",
    "select",
    "union",
    "having",
    "natural",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "join",
    "returning",
    "default",
    "as",
];

impl Schema {
    /// Whether `name` is one of this schema's tenant tables.
    pub fn is_tenant(&self, name: &str) -> bool {
        self.tenant
            .iter()
            .any(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The first tenant table `sql` reads or writes (named after `FROM`, `JOIN`,
    /// `INTO`, `UPDATE`, `TABLE`, or in a `FROM a, b` list), if any. String
    /// literals and comments are skipped; a column that happens to share a tenant
    /// table's name is not a table.
    pub fn tenant_table_in(&self, sql: &str) -> Option<&'static str> {
        let mut after_table_word = false;
        let mut in_list = false;
        let mut previous_was_comma = false;
        for token in tokens(sql) {
            match token {
                Token::Word(w) => {
                    let lower = w.to_ascii_lowercase();
                    if (after_table_word || (in_list && previous_was_comma))
                        && let Some(t) = self
                            .tenant
                            .iter()
                            .find(|t| t.name().eq_ignore_ascii_case(w))
                    {
                        return Some(t.name());
                    }
                    let keyword = TABLE_AFTER.contains(&lower.as_str());
                    if LIST_END.contains(&lower.as_str()) {
                        in_list = false;
                    }
                    if lower == "from" {
                        in_list = true;
                    }
                    // `INSERT OR IGNORE INTO`, `DELETE FROM`, `FROM (SELECT`: the word
                    // after a keyword is the table unless it is another keyword.
                    after_table_word = keyword;
                    previous_was_comma = false;
                }
                Token::Comma => {
                    after_table_word = false;
                    previous_was_comma = true;
                }
                Token::Open | Token::Close | Token::Other => {
                    if matches!(token, Token::Close) {
                        in_list = false;
                    }
                    after_table_word = false;
                    previous_was_comma = false;
                }
            }
        }
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Comma,
    Open,
    Close,
    Other,
}

/// Splits SQL into words (identifiers, keywords, `"quoted"` names) and
/// punctuation, skipping string literals and comments.
fn tokens(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
                i += 1;
                out.push(Token::Other);
            }
            b'"' | b'`' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    i += 1;
                }
                out.push(Token::Word(&sql[start..i.min(bytes.len())]));
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b',' => {
                out.push(Token::Comma);
                i += 1;
            }
            b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token::Word(&sql[start..i]));
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                out.push(Token::Other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = Schema {
        tenant: &[TenantTable::new("calls"), TenantTable::new("applications")],
        platform: &["campaigns", "outbox"],
    };

    #[test]
    fn finds_tenant_tables_where_tables_are_named() {
        for sql in [
            "SELECT id FROM calls WHERE insee = ?",
            "select id from CALLS",
            "SELECT c.id FROM campaigns c JOIN applications a ON a.id = c.id",
            "SELECT 1 FROM campaigns, calls WHERE 1",
            "SELECT 1 FROM campaigns c, \"calls\" x",
            "INSERT INTO applications (id) VALUES (?)",
            "INSERT OR IGNORE INTO applications (id) VALUES (?)",
            "UPDATE calls SET title = ?",
            "DELETE FROM calls",
            "SELECT * FROM outbox WHERE id IN (SELECT id FROM calls)",
            "SELECT * FROM (SELECT id FROM applications)",
        ] {
            assert!(SCHEMA.tenant_table_in(sql).is_some(), "{sql}");
        }
    }

    #[test]
    fn columns_and_literals_are_not_tables() {
        for sql in [
            "SELECT COUNT(*) AS applications FROM campaigns",
            "SELECT calls FROM campaigns WHERE name = 'FROM calls'",
            "INSERT INTO outbox (event) VALUES ('UPDATE calls') -- FROM calls",
            "SELECT id FROM campaigns WHERE calls > 0 ORDER BY applications",
            "BEGIN IMMEDIATE",
        ] {
            assert_eq!(SCHEMA.tenant_table_in(sql), None, "{sql}");
        }
    }
}
