//! Request path sanitising: from a raw URI path to safe relative segments.

use std::fmt;

/// Why a request path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// A `%` escape is malformed.
    BadEscape,
    /// The decoded path is not UTF-8.
    NotUtf8,
    /// The path contains `..`, a backslash, a control character or a dot segment.
    Forbidden,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::BadEscape => "malformed percent escape",
            PathError::NotUtf8 => "path is not UTF-8",
            PathError::Forbidden => "forbidden path",
        })
    }
}

impl std::error::Error for PathError {}

/// Decodes `%XX` escapes once. A `%` that does not start a valid escape is an error.
pub fn percent_decode(raw: &str) -> Result<String, PathError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(PathError::BadEscape)?;
            let hex = std::str::from_utf8(hex).map_err(|_| PathError::BadEscape)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| PathError::BadEscape)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PathError::NotUtf8)
}

/// Turns a URI path (no query) into the segments of a file path under the mount.
///
/// The raw and the decoded path are both checked: any `..`, backslash, control
/// character or segment starting with `.` is refused, and empty segments are
/// dropped. The result can only name something inside the mount.
pub fn sanitize(raw: &str) -> Result<Vec<String>, PathError> {
    if raw.contains("..") {
        return Err(PathError::Forbidden);
    }
    let decoded = percent_decode(raw)?;
    if decoded.contains("..") || decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(PathError::Forbidden);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') {
            return Err(PathError::Forbidden);
        }
        segments.push(segment.to_owned());
    }
    Ok(segments)
}

/// The extension of the last segment, lower-cased, if it has one.
pub fn extension(segments: &[String]) -> Option<String> {
    let last = segments.last()?;
    let (stem, ext) = last.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> Vec<String> {
        sanitize(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn plain_paths() {
        assert!(ok("/").is_empty());
        assert_eq!(ok("/index.html"), ["index.html"]);
        assert_eq!(ok("/a//b/c.js"), ["a", "b", "c.js"]);
        assert_eq!(ok("/communes/75056"), ["communes", "75056"]);
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(ok("/caf%C3%A9.txt"), ["café.txt"]);
        assert_eq!(ok("/a%20b"), ["a b"]);
    }

    #[test]
    fn refuses_traversal() {
        for raw in [
            "/..",
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc",
            "/.%2e/x",
            "/a%2f..%2fb",
            "/..%5c..%5cwindows",
            "/a%5cb",
            "/x%00.js",
            "/.env",
            "/./index.html",
            "/%2e/index.html",
        ] {
            assert_eq!(sanitize(raw), Err(PathError::Forbidden), "{raw}");
        }
    }

    #[test]
    fn double_encoding_stays_literal() {
        // `%252e%252e` decodes once to the literal name `%2e%2e`: harmless.
        assert_eq!(ok("/%252e%252e/x"), ["%2e%2e", "x"]);
    }

    #[test]
    fn refuses_bad_escapes() {
        assert_eq!(sanitize("/a%zz"), Err(PathError::BadEscape));
        assert_eq!(sanitize("/a%2"), Err(PathError::BadEscape));
        assert_eq!(sanitize("/a%ff"), Err(PathError::NotUtf8));
    }

    #[test]
    fn extensions() {
        let ext = |raw: &str| extension(&ok(raw));
        assert_eq!(ext("/a/b.JS").as_deref(), Some("js"));
        assert_eq!(ext("/qmi-0123._bg.wasm").as_deref(), Some("wasm"));
        assert_eq!(ext("/communes/75056"), None);
        assert_eq!(ext("/"), None);
        assert_eq!(ext("/trailing."), None);
    }
}
