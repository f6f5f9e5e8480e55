//! Which client request headers the gateway removes (contract rule 1).

/// Headers WASI HTTP refuses on a request handed to the next handler: `next()` fails
/// (the client would get a 500) if any of them remains.
pub const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
];

/// The prefix of the internal headers only the gateway may set.
pub const INTERNAL_PREFIX: &str = "x-qmi-";

/// Whether a client request header (name in lower case, as `http::HeaderName` keeps it)
/// must be removed before the request goes on.
pub fn must_strip(name: &str) -> bool {
    name.starts_with(INTERNAL_PREFIX) || HOP_BY_HOP.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_internal_and_hop_by_hop_headers() {
        for name in HOP_BY_HOP {
            assert!(must_strip(name), "{name}");
        }
        for name in [
            "x-qmi-principal",
            "x-qmi-tenant",
            "x-qmi-request-id",
            "x-qmi-anything",
        ] {
            assert!(must_strip(name), "{name}");
        }
        for name in [
            "authorization",
            "content-type",
            "content-length",
            "x-request-id",
            "x-qmix",
            "te",
        ] {
            assert!(!must_strip(name), "{name}");
        }
    }
}
