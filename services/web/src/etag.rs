//! Entity tags: what a served representation is called, and `if-none-match`.
//!
//! A content-hashed file's tag is the hash its name carries; any other file's is
//! a 64-bit FNV-1a of its bytes. The gzip variant has a tag of its own, as two
//! encodings of one file are two representations (RFC 9110, 8.8.3).

use crate::cache;

/// The strong entity tag (quoted) of a file's representation.
pub fn of(file_name: &str, body: &[u8], gzip: bool) -> String {
    let tag = match cache::content_hash(file_name) {
        Some(hash) => hash.to_owned(),
        None => format!("{:016x}", fnv1a(body)),
    };
    if gzip {
        format!("\"{tag}-gzip\"")
    } else {
        format!("\"{tag}\"")
    }
}

/// 64-bit FNV-1a: a stable fingerprint of a file's bytes, not a security hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether an `if-none-match` header value matches `etag` (quoted): `*`, or a
/// list of entity tags compared weakly (a `W/` prefix is ignored), as RFC 9110
/// (13.1.2) asks for GET and HEAD. A malformed value matches nothing.
pub fn none_match(header: &str, etag: &str) -> bool {
    let header = header.trim();
    if header == "*" {
        return true;
    }
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let tagged = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(after_quote) = tagged.strip_prefix('"') else {
            return false;
        };
        let Some(end) = after_quote.find('"') else {
            return false;
        };
        // `end + 2`: the opening and the closing quote.
        if tagged[..end + 2] == *etag {
            return true;
        }
        rest = &after_quote[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(
            of("qmi-0123456789abcdef_bg.wasm", b"\0asm", false),
            "\"0123456789abcdef\""
        );
        assert_eq!(
            of("qmi-0123456789abcdef.js", b"x", true),
            "\"0123456789abcdef-gzip\""
        );
        let a = of("index.html", b"<!doctype html>", false);
        assert_eq!(a, of("index.html", b"<!doctype html>", false));
        assert_ne!(a, of("index.html", b"<!doctype html >", false));
        assert_eq!(a.len(), 18);
    }

    #[test]
    fn matching() {
        let tag = "\"0123456789abcdef\"";
        assert!(none_match("*", tag));
        assert!(none_match(tag, tag));
        assert!(none_match("W/\"0123456789abcdef\"", tag));
        assert!(none_match("\"other\", \"0123456789abcdef\"", tag));
        assert!(none_match("\"a,b\" ,W/\"0123456789abcdef\"", tag));
        assert!(!none_match("\"0123456789abcdef-gzip\"", tag));
        assert!(!none_match("", tag));
        assert!(!none_match("0123456789abcdef", tag));
        assert!(!none_match("\"unterminated", tag));
    }
}
