//! File types by their whole content, never by name or declared type: a file is
//! a PDF, a PNG or a JPEG only if it is one from its first byte to its last (a
//! JPEG header followed by an HTML page is neither), and no file carries markup
//! a browser would run.

use qmi_api::applications::MediaType;

/// The media type of a PDF, PNG or JPEG file, checked over its whole content.
pub fn detect(bytes: &[u8]) -> Option<MediaType> {
    let kind = if bytes.starts_with(b"%PDF-") {
        pdf(bytes).then_some(MediaType::Pdf)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        png(bytes).then_some(MediaType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg(bytes).then_some(MediaType::Jpeg)
    } else {
        None
    }?;
    (!has_markup(bytes)).then_some(kind)
}

/// The name a file was sent with (`?name=`): its last path segment, without
/// control characters, 200 characters at most; `None` when nothing is left.
pub fn file_name(sent: Option<&str>) -> Option<String> {
    let base = sent?.rsplit(['/', '\\']).next()?;
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    Some(name.trim().to_owned()).filter(|n| !n.is_empty())
}

/// The file name extension of a stored media type (`bin` for one that is not
/// a [`MediaType`]).
pub fn extension(content_type: &str) -> &'static str {
    MediaType::parse(content_type).map_or("bin", MediaType::extension)
}

/// CRC-32 (IEEE), as PNG chunks and ZIP need.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// A PDF: `%PDF-1.x` or `%PDF-2.x` first, and its last non-blank bytes are the
/// `%%EOF` marker.
fn pdf(bytes: &[u8]) -> bool {
    let version_ok = matches!(bytes.get(5..8), Some([b'1' | b'2', b'.', d]) if d.is_ascii_digit());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    version_ok && bytes.get(..end).is_some_and(|b| b.ends_with(b"%%EOF"))
}

/// A PNG: the signature, then chunks (length, type, data, CRC) each whole with a
/// correct CRC, `IHDR` first, `IEND` last and nothing after it.
fn png(bytes: &[u8]) -> bool {
    let mut at = PNG_SIGNATURE.len();
    let mut first = true;
    loop {
        let Some(&[l0, l1, l2, l3, k0, k1, k2, k3]) = bytes.get(at..at + 8) else {
            return false;
        };
        let len = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        let kind = &[k0, k1, k2, k3];
        if !kind.iter().all(u8::is_ascii_alphabetic) || (first && kind != b"IHDR") {
            return false;
        }
        let Some(end) = at.checked_add(8).and_then(|x| x.checked_add(len)) else {
            return false;
        };
        let (Some(typed), Some(crc)) = (bytes.get(at + 4..end), bytes.get(end..end + 4)) else {
            return false;
        };
        if crc32(typed).to_be_bytes() != crc {
            return false;
        }
        at = end + 4;
        first = false;
        if kind == b"IEND" {
            return at == bytes.len();
        }
    }
}

/// A JPEG: start of image, marker segments (each with its length) up to the start
/// of scan, and the end-of-image marker as its last two bytes.
fn jpeg(bytes: &[u8]) -> bool {
    let mut at = 2;
    loop {
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        match marker {
            // Fill bytes before a marker.
            0xFF => at += 1,
            // Markers without a length: TEM, RSTn.
            0x01 | 0xD0..=0xD7 => at += 2,
            // End of image before any scan: no picture.
            0xD9 | 0xD8 | 0x00 => return false,
            _ => {
                let Some(&[hi, lo]) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                if len < 2 || at + 2 + len > bytes.len() {
                    return false;
                }
                at += 2 + len;
                // Start of scan: entropy-coded data follows, up to the end of image.
                if marker == 0xDA {
                    return bytes.len() >= at + 2 && bytes.ends_with(&[0xFF, 0xD9]);
                }
            }
        }
    }
}

/// Markup a browser would run or render as a page, anywhere in the file (ASCII,
/// any case): HTML documents, scripts, frames, SVG, `javascript:` URLs.
fn has_markup(bytes: &[u8]) -> bool {
    const TAGS: &[&[u8]] = &[
        b"<html",
        b"<!doctype",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<frame",
        b"<object",
        b"<embed",
        b"<svg",
        b"<img",
        b"<meta",
        b"<link",
        b"<style",
        b"<form",
        b"<a ",
        b"<base",
    ];
    const WORDS: &[&[u8]] = &[b"javascript:", b"vbscript:"];
    let starts = |at: usize, needle: &[u8]| {
        bytes
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    bytes.iter().enumerate().any(|(i, b)| match b {
        b'<' => TAGS.iter().any(|t| starts(i, t)),
        b'j' | b'J' | b'v' | b'V' => WORDS.iter().any(|w| starts(i, w)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use qmi_api::applications::MediaType;

    use super::{crc32, detect};

    /// A 1×1 grey PNG.
    fn png() -> Vec<u8> {
        let mut out = super::PNG_SIGNATURE.to_vec();
        let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
            out.extend((data.len() as u32).to_be_bytes());
            let mut typed = kind.to_vec();
            typed.extend(data);
            out.extend(&typed);
            out.extend(crc32(&typed).to_be_bytes());
        };
        chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn jpeg() -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        out.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        out.extend([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
        out.extend([0x12, 0x34, 0xFF, 0x00, 0x56]);
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn whole_files_pass() {
        assert_eq!(
            detect(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
            Some(MediaType::Pdf)
        );
        assert_eq!(detect(&png()), Some(MediaType::Png));
        assert_eq!(detect(&jpeg()), Some(MediaType::Jpeg));
    }

    #[test]
    fn a_header_is_not_a_file() {
        assert_eq!(detect(b"%PDF-1.7\n"), None);
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), None);
        assert_eq!(detect(b"\xff\xd8\xff\xe0.."), None);
        assert_eq!(detect(b"MZ\x90\x00 pretending.pdf"), None);
        assert_eq!(detect(b""), None);
        // Something after the end, or a chunk whose CRC is wrong.
        let mut p = png();
        p.extend(b"<html>");
        assert_eq!(detect(&p), None);
        let mut p = png();
        p[30] ^= 1;
        assert_eq!(detect(&p), None);
    }

    #[test]
    fn markup_is_refused_whatever_the_frame() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0];
        j.extend(b"<html><script>alert(1)</script></html>");
        assert_eq!(detect(&j), None, "a JPEG header followed by HTML");
        let mut j = jpeg();
        let end = j.len() - 2;
        j.splice(end..end, b"<SCRIPT>alert(1)</SCRIPT>".iter().copied());
        assert_eq!(detect(&j), None, "HTML inside the scan data");
        assert_eq!(detect(b"%PDF-1.4\n<body onload=x>\n%%EOF"), None);
        assert_eq!(detect(b"%PDF-1.4\n/URI (JavaScript:alert(1))\n%%EOF"), None);
    }
}
