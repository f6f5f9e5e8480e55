//! Cache policy: content-hashed assets are immutable, everything else revalidates.

/// `cache-control` for assets whose name carries their content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `cache-control` for everything else, `index.html` first.
pub const REVALIDATE: &str = "no-cache";

/// The content hash a file name carries: `<stem>-<16 hex>` followed by an
/// optional `_<suffix>` and the extension(s), e.g. `qmi-0123456789abcdef.js` or
/// `qmi-0123456789abcdef_bg.wasm` carry `0123456789abcdef`.
pub fn content_hash(file_name: &str) -> Option<&str> {
    let base = file_name.split('.').next().unwrap_or_default();
    let base = base.split('_').next().unwrap_or_default();
    let (stem, hash) = base.rsplit_once('-')?;
    let hashed = !stem.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && file_name.len() > base.len();
    hashed.then_some(hash)
}

/// Whether a file name carries a content hash (see [`content_hash`]).
pub fn is_content_hashed(file_name: &str) -> bool {
    content_hash(file_name).is_some()
}

/// The `cache-control` value for a served file name.
pub fn cache_control(file_name: &str) -> &'static str {
    if is_content_hashed(file_name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_content_hashed("qmi-0123456789abcdef.js"));
        assert!(is_content_hashed("qmi-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("qmi-0123456789abcdef_bg.wasm.gz"));
        assert!(is_content_hashed("style-fedcba9876543210.css"));
    }

    #[test]
    fn unhashed_names() {
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("favicon.ico"));
        assert!(!is_content_hashed("qmi-0123456789ABCDEF.js"));
        assert!(!is_content_hashed("qmi-0123456789abcde.js"));
        assert!(!is_content_hashed("-0123456789abcdef.js"));
        assert!(!is_content_hashed("qmi-0123456789abcdef"));
    }

    #[test]
    fn the_hash_is_the_names() {
        assert_eq!(
            content_hash("qmi-0123456789abcdef_bg.wasm"),
            Some("0123456789abcdef")
        );
        assert_eq!(content_hash("index.html"), None);
    }

    #[test]
    fn policy() {
        assert_eq!(cache_control("index.html"), "no-cache");
        assert_eq!(
            cache_control("qmi-0123456789abcdef_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
    }
}
