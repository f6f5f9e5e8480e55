//! Every message a person can meet has its French form (issue 13, finding 7).
//!
//! The services answer in English; the web app shows their messages in French
//! through its table (frontend/src/messages.rs, compiled in here as it is).
//! This test walks the services' sources for the messages they write — problem
//! titles and details, field messages, the policy's reasons, the gateway's
//! refusals — and asks the table for each one's French: a new message without
//! French fails it. A message built with values (`format!("no call {id}")`) is
//! tried with a value in each place.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../../frontend/src/messages.rs"]
mod messages;

/// Calls whose message is their only argument.
const DETAIL_CALLS: &[&str] = &[
    "Problem::bad_request(",
    "Problem::unauthorized(",
    "Problem::forbidden(",
    "Problem::not_found(",
    "Problem::conflict(",
    "Problem::unavailable(",
    ".detail(",
];

/// Calls whose message is their second argument (after the field).
const FIELD_CALLS: &[&str] = &[
    ".field(",
    "Problem::invalid_field(",
    "FieldError::new(",
    "refuse(",
];

/// Messages for the platform's operators, never shown to a person: the 5xx
/// answers of a misconfigured or failing deployment (the web app shows a French
/// sentence by status for those, not their detail), the gateway-to-service
/// principal header, the store's errors (a 500: a handler asked the store
/// wrongly), and `expected {what}` whose every `what` the table's own unit test
/// covers.
const OPERATORS_ONLY: &[&str] = &[
    "opening ",
    "writing the tenant status of ",
    "the shared key-value store",
    "no signing key",
    "hashing a password",
    "random bytes",
    "jwt_private_key is not",
    "signing the access token",
    "deposit: ",
    "running `",
    "the tenant registry is unreadable",
    "principal header",
    "the principal header",
    "reading the body failed",
    "expected 12",
    // The store's errors (`StoreError`): 500s, a handler's mistake.
    "the platform path refuses ",
    "`12` is not a tenant table",
    "the policy decision names no commune",
    "transactions do not nest",
];

/// Where the services' messages are written.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let services = Path::new(env!("CARGO_MANIFEST_DIR")).join("../services");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&services).expect("services/").flatten() {
        walk(&entry.path().join("src"), &mut out);
    }
    out.sort();
    out
}

/// The code before its unit tests (their messages are made up).
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The top-level arguments of the call whose `(` ends `text[..start]`, as written.
fn arguments(text: &str, start: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut depth, mut i, mut from, mut args) = (0usize, start, start, Vec::new());
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => {
                args.push(text[from..i].trim());
                return args;
            }
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push(text[from..i].trim());
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    args
}

/// The string an argument writes: a literal, or a `format!` with a value in
/// each place (`None` for anything computed).
fn message(arg: &str) -> Option<String> {
    let arg = arg
        .trim_end_matches(".to_owned()")
        .trim_end_matches(".to_string()")
        .trim_end_matches(".into()");
    let literal = if let Some(rest) = arg.strip_prefix("format!(") {
        let args = arguments(rest, 0);
        args.first()?.to_string()
    } else {
        arg.to_owned()
    };
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                '\n' => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => out.push(other),
            },
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push_str("12");
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// Every message of one source file, with its line.
fn messages_of(text: &str) -> Vec<(usize, String)> {
    let text = without_tests(text);
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut find = |pattern: &str, pick: &dyn Fn(&[&str]) -> Option<String>| {
        for (at, _) in text.match_indices(pattern) {
            let args = arguments(text, at + pattern.len());
            if let Some(m) = pick(&args) {
                out.push((line(at), m));
            }
        }
    };
    for call in DETAIL_CALLS {
        find(call, &|a| message(a.first()?));
    }
    for call in FIELD_CALLS {
        find(call, &|a| message(a.get(1)?));
    }
    find("lacks_role(", &|a| message(a.get(2)?));
    // Titles: `Problem::new(status, slug, title)`.
    find("Problem::new(", &|a| message(a.get(2)?));
    find("Self::new(", &|a| message(a.get(2)?));
    // The gateway's refusals: `#[error("…")]`.
    find("#[error(", &|a| message(a.first()?));
    out
}

/// The messages the services write, each with French in the web app's table.
#[test]
fn every_message_of_the_services_has_its_french() {
    let mut walked = 0;
    let mut missing = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).expect("read a source");
        for (line, m) in messages_of(&text) {
            // Internal errors are logged, never shown (the kit answers
            // "an unexpected error occurred").
            if !m.chars().any(|c| c.is_alphabetic())
                || OPERATORS_ONLY.iter().any(|o| m.starts_with(o))
            {
                continue;
            }
            walked += 1;
            if messages::french(&m).is_none() {
                let at = path
                    .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                missing.push(format!("{at}:{line}: {m:?}"));
            }
        }
    }
    assert!(
        walked > 150,
        "only {walked} messages found: the walk is lost"
    );
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "{} of {walked} messages have no French in frontend/src/messages.rs:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// A message the table does not know is never shown in English in the French
/// interface: the web app says in French what kind of problem it is.
#[test]
fn an_unknown_message_reads_in_french_all_the_same() {
    let fr = messages::to_french("something nobody wrote yet");
    assert_ne!(fr, "something nobody wrote yet");
    assert_eq!(
        messages::to_french(
            "`` is not a date-time (expected YYYY-MM-DDTHH:MM); use 2026-05-01T12:00 (Paris) or RFC 3339"
        ),
        "la date et l'heure attendues sont de la forme 2026-05-01T12:00 (heure de Paris)"
    );
}
