//! The `gateway` middleware (pass-through stage: strips internal and hop-by-hop headers).

/// Headers removed from every client request before it is forwarded.
pub const FORBIDDEN: [&str; 9] = [
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

#[cfg(target_arch = "wasm32")]
mod component {
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::wasip3::http::types::{ErrorCode, Response};

    /// The middleware entry point.
    #[spin_sdk::http_service]
    async fn handle(mut req: Request) -> Result<Response, ErrorCode> {
        let headers = req.headers_mut();
        for name in super::FORBIDDEN {
            headers.remove(name);
        }
        let internal: Vec<_> = headers
            .keys()
            .filter(|n| n.as_str().starts_with("x-qmi-"))
            .cloned()
            .collect();
        for name in internal {
            headers.remove(name);
        }
        spin_sdk::http::next(req).await?.into_response()
    }
}
