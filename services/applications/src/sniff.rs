//! File types by content (magic bytes), never by name or declared type.

/// The media type of a PDF, PNG or JPEG file, from its first bytes.
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() > 3 && bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn by_content() {
        assert_eq!(super::detect(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(super::detect(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(super::detect(b"\xff\xd8\xff\xe0.."), Some("image/jpeg"));
        assert_eq!(super::detect(b"MZ\x90\x00 pretending.pdf"), None);
        assert_eq!(super::detect(b""), None);
    }
}
