//! SQLite's functions PostgreSQL spells otherwise, rewritten where a
//! statement calls them (outside string literals), so services write each
//! statement once:
//!
//! - `json_extract(x, '$.a')` → `((x)::jsonb ->> 'a')` (`'$.a.b'` → `#>> '{a,b}'`);
//! - `json_each(x) [alias]` (a table of the array's `value`s) →
//!   `jsonb_array_elements_text((x)::jsonb) AS alias(value)`;
//! - `group_concat(x[, sep])` → `string_agg(x, sep)` (`','` by default);
//! - the scalar `max(a, b, …)` / `min(a, b, …)` → `GREATEST` / `LEAST`;
//! - `instr(haystack, needle)` → `strpos(haystack, needle)`;
//! - `strftime('%Y-%m-%dT%H:%M:%SZ', 'now')` → the same UTC text from `now()`;
//! - FTS5: `t MATCH $k` → `t.document @@ fts_query($k)`, `bm25(t, …)` →
//!   `fts_rank(t, $k)`, `snippet(t, _, open, close, ellipsis, words)` →
//!   `fts_snippet(t, $k, open, close, ellipsis, words)`, where `$k` is the
//!   statement's first `MATCH` parameter (every `MATCH` of a statement searches
//!   the same words) and the full-text table's PostgreSQL schema gives its
//!   `document` tsvector and the functions `fts_query`, `fts_rank` and
//!   `fts_snippet` (docs/design/postgres.md).
//!
//! It runs on the statement once its placeholders are numbered. Anything else
//! is left as written, so an unported call fails loudly.

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

/// Rewrites the SQLite function calls of `sql` (placeholders numbered) for
/// PostgreSQL.
pub fn rewrite(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let search = first_match(&chars);
    rewrite_with(&chars, search.as_deref())
}

fn rewrite_with(chars: &[char], search: Option<&str>) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = literal_end(chars, i);
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
        if let Some((param, after)) = match_operand(chars, word_end) {
            out.push_str(&format!("{word}.document @@ fts_query({param})"));
            i = after;
            continue;
        }
        let open = skip_space(chars, word_end);
        let known = [
            "json_extract",
            "json_each",
            "group_concat",
            "strftime",
            "bm25",
            "snippet",
            "max",
            "min",
            "instr",
        ]
        .iter()
        .any(|f| word.eq_ignore_ascii_case(f));
        if !known || chars.get(open) != Some(&'(') {
            out.push_str(&word);
            i = word_end;
            continue;
        }
        let Some((args, close)) = arguments(chars, open) else {
            out.push_str(&word);
            i = word_end;
            continue;
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| rewrite_with(&a.trim().chars().collect::<Vec<_>>(), search))
            .collect();
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
            ("max", [_, _, ..]) => Some(format!("GREATEST({})", args.join(", "))),
            ("min", [_, _, ..]) => Some(format!("LEAST({})", args.join(", "))),
            ("instr", [haystack, needle]) => Some(format!("strpos({haystack}, {needle})")),
            ("bm25", [table, ..]) => search.map(|k| format!("fts_rank({table}, {k})")),
            ("snippet", [table, _column, open, close, ellipsis, words]) => search.map(|k| {
                format!("fts_snippet({table}, {k}, {open}, {close}, {ellipsis}, {words})")
            }),
            ("json_each", [value]) => {
                let (alias, after) = alias(chars, next);
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

/// `MATCH $k` after a word ending at `from`: the parameter, and where the
/// statement goes on.
fn match_operand(chars: &[char], from: usize) -> Option<(String, usize)> {
    let start = skip_space(chars, from);
    let keyword: String = chars.get(start..start + 5)?.iter().collect();
    if !keyword.eq_ignore_ascii_case("match")
        || chars
            .get(start + 5)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        return None;
    }
    let dollar = skip_space(chars, start + 5);
    if chars.get(dollar) != Some(&'$') {
        return None;
    }
    let end = (dollar + 1..chars.len())
        .find(|&j| !chars[j].is_ascii_digit())
        .unwrap_or(chars.len());
    (end > dollar + 1).then(|| (chars[dollar..end].iter().collect(), end))
}

/// The parameter of the statement's first `MATCH`, outside literals.
fn first_match(chars: &[char]) -> Option<String> {
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\'' {
            i = literal_end(chars, i);
            continue;
        }
        if chars[i].is_ascii_alphanumeric() || chars[i] == '_' {
            let end = (i..chars.len())
                .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
                .unwrap_or(chars.len());
            if let Some((param, _)) = match_operand(chars, end) {
                return Some(param);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    None
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
            rewrite("EXISTS (SELECT 1 FROM json_each(themes) WHERE json_each.value = $3)"),
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text((themes)::jsonb) AS json_each(value) WHERE json_each.value = $3)"
        );
        assert_eq!(
            rewrite("SELECT j.value FROM m, json_each(m.themes) j GROUP BY j.value"),
            "SELECT j.value FROM m, jsonb_array_elements_text((m.themes)::jsonb) AS j(value) GROUP BY j.value"
        );
    }

    #[test]
    fn full_text_search_uses_the_first_match_parameter() {
        assert_eq!(
            rewrite(
                "SELECT snippet(s, -1, '[', ']', '…', 16) AS x FROM s WHERE s MATCH $1 \
                 AND s.rowid IN (SELECT r FROM s WHERE s MATCH $2 ORDER BY bm25(s, 10.0, 1.0)) \
                 ORDER BY bm25(s, 10.0, 1.0)"
            ),
            "SELECT fts_snippet(s, $1, '[', ']', '…', 16) AS x FROM s WHERE s.document @@ fts_query($1) \
             AND s.rowid IN (SELECT r FROM s WHERE s.document @@ fts_query($2) ORDER BY fts_rank(s, $1)) \
             ORDER BY fts_rank(s, $1)"
        );
        assert_eq!(rewrite("SELECT bm25(s) FROM s"), "SELECT bm25(s) FROM s");
    }

    #[test]
    fn scalar_max_min_and_instr() {
        assert_eq!(
            rewrite(
                "SET a = MAX(COALESCE(a, $1), $2), b = MIN(b, 3), c = MAX(c) WHERE instr(d, $3) > 0"
            ),
            "SET a = GREATEST(COALESCE(a, $1), $2), b = LEAST(b, 3), c = MAX(c) WHERE strpos(d, $3) > 0"
        );
    }

    #[test]
    fn literals_and_other_calls_are_left_alone() {
        let sql =
            "SELECT 'json_extract(a, ''$.b'')', strftime('%s', 'now'), lower(x), 'a MATCH $1'";
        assert_eq!(rewrite(sql), sql);
        assert_eq!(
            rewrite("UPDATE c SET at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"),
            "UPDATE c SET at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        );
    }
}
