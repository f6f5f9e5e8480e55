//! Content types by file extension.

/// The `content-type` for a lower-case file extension.
pub fn content_type(ext: &str) -> &'static str {
    match ext {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" | "map" => "application/json",
        "geojson" => "application/geo+json",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// Whether a precompressed `.gz` sibling is worth looking for.
pub fn is_compressible(ext: &str) -> bool {
    matches!(
        ext,
        "html"
            | "htm"
            | "js"
            | "mjs"
            | "wasm"
            | "css"
            | "svg"
            | "json"
            | "geojson"
            | "map"
            | "txt"
            | "ico"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types() {
        assert_eq!(content_type("wasm"), "application/wasm");
        assert_eq!(content_type("html"), "text/html; charset=utf-8");
        assert_eq!(content_type("js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("css"), "text/css; charset=utf-8");
        assert_eq!(content_type("svg"), "image/svg+xml");
        assert_eq!(content_type("png"), "image/png");
        assert_eq!(content_type("json"), "application/json");
        assert_eq!(content_type("geojson"), "application/geo+json");
        assert_eq!(content_type("ico"), "image/x-icon");
        assert_eq!(content_type("woff2"), "font/woff2");
        assert_eq!(content_type("txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("exe"), "application/octet-stream");
    }

    #[test]
    fn compressible() {
        assert!(is_compressible("wasm"));
        assert!(is_compressible("js"));
        assert!(is_compressible("geojson"));
        assert!(!is_compressible("png"));
        assert!(!is_compressible("woff2"));
    }
}
