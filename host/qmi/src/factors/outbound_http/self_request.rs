//! Spin's self-requests (`crates/factor-outbound-http/src/wasi.rs`,
//! `RequestSender::prepare_request`): an outbound request whose URI has no
//! authority (or an empty host), or whose host is exactly `self.alt`, is sent
//! to the server's own address — its scheme and authority replaced by the
//! origin `http://<bound address>`, its `host` header by that authority — over
//! a pooled HTTP/1 client, so it arrives like any incoming request: routed,
//! middleware included, from a loopback client address.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// Spin's default for an outbound request's first-byte timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// A request body error, carried through hyper's client as the code the
/// guest would see.
#[derive(Debug)]
struct BodyError(ErrorCode);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body failed: {:?}", self.0)
    }
}

impl std::error::Error for BodyError {}

/// A body as the self-request client sends it.
type ClientBody = UnsyncBoxBody<Bytes, BodyError>;

/// A response as the guest receives it.
pub type GuestResponse = http::Response<WasiBody>;

/// Whether Spin treats a request to `uri` as a self-request: no authority, an
/// empty host, or the host `self.alt` (compared as written, as Spin does).
pub fn is_self_request(uri: &http::Uri) -> bool {
    match uri.authority() {
        Some(authority) => authority.host().is_empty() || authority.host() == "self.alt",
        None => true,
    }
}

/// The server's own origin and the client that reaches it, shared by every
/// instance of the application.
pub struct SelfRequests {
    origin: OnceLock<http::uri::Authority>,
    client: Client<HttpConnector, ClientBody>,
}

impl SelfRequests {
    /// A client whose idle connections are dropped after `pool_idle` (keep it
    /// below the server's idle keep-alive limit, so a pooled connection is not
    /// reused just as the server closes it).
    pub fn new(pool_idle: Duration) -> Self {
        let mut connector = HttpConnector::new();
        // Loopback requests otherwise wait on Nagle's algorithm.
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(pool_idle)
            .build(connector);
        Self {
            origin: OnceLock::new(),
            client,
        }
    }

    /// Records the address the server is bound to: self-requests go there.
    /// The first call wins.
    pub fn set_origin(&self, addr: SocketAddr) {
        match addr.to_string().parse::<http::uri::Authority>() {
            Ok(authority) => {
                let _ = self.origin.set(authority);
            }
            Err(error) => {
                tracing::error!(%addr, %error, "the server address is not a valid authority")
            }
        }
    }

    /// Sends a self-request (already allowed) to the server's origin.
    pub async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<GuestResponse, Error> {
        let Some(origin) = self.origin.get().cloned() else {
            tracing::error!("Couldn't handle outbound HTTP request to relative URI; no origin set");
            return Err(Error::HttpRequestUriInvalid);
        };
        let (mut parts, body) = request.into_parts();
        let path_and_query = parts
            .uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| http::uri::PathAndQuery::from_static("/"));
        parts.uri = http::Uri::builder()
            .scheme(http::uri::Scheme::HTTP)
            .authority(origin)
            .path_and_query(path_and_query)
            .build()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        // As Spin: the client writes `host` from the URI's authority.
        parts.headers.remove(http::header::HOST);
        let request = http::Request::from_parts(
            parts,
            body.map_err(|e| BodyError(super::error_code(&e)))
                .boxed_unsync(),
        );
        let first_byte = options
            .and_then(|o| o.first_byte_timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let response = tokio::time::timeout(first_byte, self.client.request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(|error| request_error(&error))?;
        Ok(response.map(|body| body.map_err(|error| response_error(&error)).boxed_unsync()))
    }
}

/// The guest's own body error if it caused the failure, else Spin's
/// `HttpProtocolError`.
fn request_error(error: &(dyn std::error::Error + 'static)) -> Error {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(BodyError(code)) = cause.downcast_ref::<BodyError>() {
            return Error::from(code.clone());
        }
        source = cause.source();
    }
    tracing::warn!("self-request error: {error:?}");
    Error::HttpProtocolError
}

/// A response body failure, as Spin reports it.
fn response_error(error: &hyper::Error) -> Error {
    tracing::warn!("self-request response error: {error:?}");
    Error::HttpProtocolError
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_requests_are_those_spin_recognises() {
        let uri = |s: &str| {
            s.parse::<http::Uri>()
                .unwrap_or_else(|e| panic!("{s}: {e}"))
        };
        assert!(is_self_request(&uri("/api/x")));
        assert!(is_self_request(&uri("http://self.alt/api/x")));
        assert!(is_self_request(&uri("https://self.alt:8443/api/x")));
        assert!(!is_self_request(&uri("http://self/api/x")));
        assert!(!is_self_request(&uri("http://SELF.ALT/api/x")));
        assert!(!is_self_request(&uri("http://self.alt.example/api/x")));
        assert!(!is_self_request(&uri("http://echo.spin.internal/x")));
        assert!(!is_self_request(&uri("http://127.0.0.1:3000/x")));
    }
}
