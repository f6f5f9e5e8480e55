//! SQLite's functions PostgreSQL spells otherwise, rewritten where a
//! statement calls them (outside string literals), so services write each
//! statement once:
//!
//! - `json_extract(x, '$.a')` → `((x)::jsonb ->> 'a')` (`'$.a.b'` → `#>> '{a,b}'`);
//! - `json_each(x) [alias]` (a table of the array's `value`s) →
//!   `jsonb_array_elements_text((x)::jsonb) AS alias(value)`;
//! - `group_concat(x[, sep])` → `string_agg(x, sep)` (`','` by default);
//! - `strftime('%Y-%m-%dT%H:%M:%SZ', 'now')` → the same UTC text from `now()`.
//!
//! Anything else is left as written, so an unported call fails loudly.

/// Words that end a `FROM` item: what follows `json_each(…)` when it has no alias.
const NOT_AN_ALIAS: &[&str] = &[
    "where",
    "group",
    "order",
    "limit",
    "offset",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "on",
    "using",
    "union",
    "having",
    "natural",
    "window",
    "except",
    "intersect",
];

/// Rewrites the SQLite function calls of `sql` for PostgreSQL.
pub fn rewrite(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = literal_end(&chars, i);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        let starts_word = (c.is_ascii_alphabetic() || c == '_')
            && (i == 0
                || !(chars[i - 1].is_ascii_alphanumeric()
                    || chars[i - 1] == '_'
                    || chars[i - 1] == '.'));
        if !starts_word {
            out.push(c);
            i += 1;
            continue;
        }
        let word_end = (i..chars.len())
            .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
            .unwrap_or(chars.len());
        let word: String = chars[i..word_end].iter().collect();
        let open = skip_space(&chars, word_end);
        let known = ["json_extract", "json_each", "group_concat", "strftime"]
            .iter()
            .any(|f| word.eq_ignore_ascii_case(f));
        if !known || chars.get(open) != Some(&'(') {
            out.push_str(&word);
            i = word_end;
            continue;
        }
        let Some((args, close)) = arguments(&chars, open) else {
            out.push_str(&word);
            i = word_end;
            continue;
        };
        let args: Vec<String> = args.iter().map(|a| rewrite(a.trim())).collect();
        let mut next = close + 1;
        let replaced = match (word.to_ascii_lowercase().as_str(), args.as_slice()) {
            ("json_extract", [value, path]) => {
                json_path(path).map(|p| format!("(({value})::jsonb {p})"))
            }
            ("group_concat", [value]) => Some(format!("string_agg({value}, ',')")),
            ("group_concat", [value, sep]) => Some(format!("string_agg({value}, {sep})")),
            ("strftime", [format, now])
                if format == "'%Y-%m-%dT%H:%M:%SZ'" && now.eq_ignore_ascii_case("'now'") =>
            {
                Some(
                    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                        .to_owned(),
                )
            }
            ("json_each", [value]) => {
                let (alias, after) = alias(&chars, next);
                next = after;
                Some(format!(
                    "jsonb_array_elements_text(({value})::jsonb) AS {}(value)",
                    alias.as_deref().unwrap_or("json_each")
                ))
            }
            _ => None,
        };
        match replaced {
            Some(text) => {
                out.push_str(&text);
                i = next;
            }
            None => {
                out.push_str(&word);
                i = word_end;
            }
        }
    }
    out
}

/// The index just past the string literal that starts at `start` (`''` escapes).
fn literal_end(chars: &[char], start: usize) -> usize {
    let mut j = start + 1;
    while j < chars.len() {
        if chars[j] == '\'' {
            if chars.get(j + 1) == Some(&'\'') {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    chars.len()
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The top-level arguments of the call whose `(` is at `open`, and the index of
/// its `)`.
fn arguments(chars: &[char], open: usize) -> Option<(Vec<String>, usize)> {
    let mut args = vec![String::new()];
    let mut depth = 0usize;
    let mut j = open + 1;
    while j < chars.len() {
        match chars[j] {
            '\'' => {
                let end = literal_end(chars, j);
                args.last_mut()?.extend(&chars[j..end]);
                j = end;
                continue;
            }
            '(' => depth += 1,
            ')' if depth == 0 => return Some((args, j)),
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(String::new());
                j += 1;
                continue;
            }
            _ => {}
        }
        args.last_mut()?.push(chars[j]);
        j += 1;
    }
    None
}

/// `'$.a'` → `->> 'a'`, `'$.a.b'` → `#>> '{a,b}'`.
fn json_path(path: &str) -> Option<String> {
    let keys = path.strip_prefix("'$.")?.strip_suffix('\'')?;
    let parts: Vec<&str> = keys.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.contains(['\'', '{', '}', ',']))
    {
        return None;
    }
    Some(match parts.as_slice() {
        [one] => format!("->> '{one}'"),
        many => format!("#>> '{{{}}}'", many.join(",")),
    })
}

/// The alias after a table function (`[AS] name`), and where the statement
/// goes on.
fn alias(chars: &[char], from: usize) -> (Option<String>, usize) {
    let read = |at: usize| {
        let start = skip_space(chars, at);
        let end = (start..chars.len())
            .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
            .unwrap_or(chars.len());
        (chars[start..end].iter().collect::<String>(), end)
    };
    let (word, end) = read(from);
    if word.eq_ignore_ascii_case("as") {
        let (name, end) = read(end);
        return (Some(name), end);
    }
    if word.is_empty() || NOT_AN_ALIAS.iter().any(|k| word.eq_ignore_ascii_case(k)) {
        return (None, from);
    }
    (Some(word), end)
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn json_extract_and_group_concat() {
        assert_eq!(
            rewrite("SELECT json_extract(c.body, '$.title') AS t, group_concat(x) FROM c"),
            "SELECT ((c.body)::jsonb ->> 'title') AS t, string_agg(x, ',') FROM c"
        );
        assert_eq!(
            rewrite("SELECT json_extract(b, '$.a.b'), GROUP_CONCAT(theme, ';')"),
            "SELECT ((b)::jsonb #>> '{a,b}'), string_agg(theme, ';')"
        );
    }

    #[test]
    fn json_each_with_and_without_alias() {
        assert_eq!(
            rewrite("EXISTS (SELECT 1 FROM json_each(themes) WHERE json_each.value = ?)"),
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text((themes)::jsonb) AS json_each(value) WHERE json_each.value = ?)"
        );
        assert_eq!(
            rewrite("SELECT j.value FROM m, json_each(m.themes) j GROUP BY j.value"),
            "SELECT j.value FROM m, jsonb_array_elements_text((m.themes)::jsonb) AS j(value) GROUP BY j.value"
        );
    }

    #[test]
    fn literals_and_other_calls_are_left_alone() {
        let sql = "SELECT 'json_extract(a, ''$.b'')', strftime('%s', 'now'), lower(x)";
        assert_eq!(rewrite(sql), sql);
        assert_eq!(
            rewrite("UPDATE c SET at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"),
            "UPDATE c SET at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        );
    }
}
