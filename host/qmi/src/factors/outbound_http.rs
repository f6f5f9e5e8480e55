//! Outbound HTTP (`wasi:http/client@0.3.0`): only to the component's
//! `allowed_outbound_hosts`; `http://<component>.spin.internal` is Spin's
//! service chaining, answered in-process by that component; a request without
//! authority or to `self.alt` is Spin's self-request ([`self_request`]),
//! allowed by `http://self` (or `http://self.alt`, `*://*:*`).

pub mod self_request;

use std::sync::{Arc, OnceLock, Weak};

use http_body_util::BodyExt;
use wasmtime::AsContextMut as _;
use wasmtime::component::{Accessor, HasData, Linker, Resource};
use wasmtime_wasi::TrappableError;
use wasmtime_wasi_http::p3::bindings::http::client;
use wasmtime_wasi_http::p3::bindings::http::types::{self, ErrorCode};
use wasmtime_wasi_http::{
    Error, RequestOptions, WasiBody, WasiHttp, WasiHttpCtxView, WasiHttpHooks, WasiHttpView as _,
    default_send_request,
};

use self::self_request::{GuestResponse, SelfRequests, is_self_request};
use crate::state::InstanceState;

/// Decides whether a URL may be called.
pub type AllowFn = dyn Fn(&http::Uri) -> bool + Send + Sync;

/// Answers service-chained requests inside the process.
pub trait InternalDispatch: Send + Sync {
    /// Sends `request` to component `component`; `None` when no trigger
    /// serves that component (Spin's unknown routing destination, a trap of
    /// the calling instance).
    fn dispatch(
        self: Arc<Self>,
        component: String,
        request: http::Request<WasiBody>,
    ) -> Option<futures::future::BoxFuture<'static, GuestResponse>>;
}

/// Where chained requests go, set once the application is loaded.
pub type DispatchSlot = Arc<OnceLock<Weak<dyn InternalDispatch>>>;

/// What a component may reach.
pub struct OutboundPolicy {
    /// Whether an absolute URL may be called.
    pub allow: Arc<AllowFn>,
    /// Whether self-requests are allowed: Spin's `check_relative_url` with
    /// the schemes `http` and `https`.
    pub allow_self: bool,
}

/// The per-instance outbound HTTP state.
pub struct OutboundHttp {
    policy: Arc<OutboundPolicy>,
    dispatch: DispatchSlot,
    self_requests: Arc<SelfRequests>,
    /// The component a request was chained to that no trigger serves: the
    /// calling instance traps once its `send` returns ([`Client`]).
    unrouted: Option<String>,
}

impl OutboundHttp {
    /// Outbound HTTP limited by `policy`, chaining through `dispatch`,
    /// self-requests through `self_requests`.
    pub fn new(
        policy: Arc<OutboundPolicy>,
        dispatch: DispatchSlot,
        self_requests: Arc<SelfRequests>,
    ) -> Self {
        Self {
            policy,
            dispatch,
            self_requests,
            unrouted: None,
        }
    }
}

/// The component id addressed by a `<component>.spin.internal` host, if any
/// (as in Spin, `a.b.spin.internal` is not a service-chaining host).
pub fn chained_component(uri: &http::Uri) -> Option<&str> {
    qmi_manifest::service_chaining_component(uri.host()?)
}

/// What [`WasiHttpHooks::send_request`] returns.
pub type Sent = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

/// The I/O future of a response with nothing left to drive.
fn done() -> Box<dyn Future<Output = Result<(), Error>> + Send> {
    Box::new(async { Ok(()) })
}

/// A request refused with `error` before anything was sent.
fn refused(error: Error) -> Sent {
    Box::new(async move { Err(error) })
}

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sent {
        drop(fut);
        drop_forbidden_headers(request.headers_mut());
        if is_self_request(request.uri()) {
            if !self.policy.allow_self {
                tracing::warn!(uri = %request.uri(), "self-request denied: allowed_outbound_hosts lacks \"http://self\"");
                return refused(Error::HttpRequestDenied);
            }
            let self_requests = self.self_requests.clone();
            return Box::new(async move {
                let response = self_requests.send(request, options).await?;
                Ok((response, done()))
            });
        }
        if !(self.policy.allow)(request.uri()) {
            tracing::warn!(uri = %request.uri(), "outbound request denied: not in allowed_outbound_hosts");
            return refused(Error::HttpRequestDenied);
        }
        if let Some(component) = chained_component(request.uri()).map(str::to_owned) {
            let Some(dispatch) = self.dispatch.get().and_then(Weak::upgrade) else {
                return refused(Error::DestinationNotFound);
            };
            return match dispatch.dispatch(component.clone(), request) {
                Some(response) => Box::new(async move { Ok((response.await, done())) }),
                None => {
                    // Spin looks the host up among the triggers' component
                    // ids; a miss fails the host call, trapping the caller.
                    self.unrouted = Some(component);
                    refused(Error::DestinationNotFound)
                }
            };
        }
        Box::new(async move {
            let (response, io) = default_send_request(request, options)
                .await
                .map_err(dns_info_code)?;
            let io: Box<dyn Future<Output = Result<(), Error>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), io))
        })
    }
}

/// Drops wasmtime-wasi-http's forbidden headers (hop-by-hop headers, `host`)
/// from an outbound request, keeping the `host` it derived from the
/// authority (appended last). A guest cannot set them, but incoming requests
/// reach it with theirs ([`crate::state::Inbound`]): one it forwards must not
/// carry them on.
fn drop_forbidden_headers(headers: &mut http::HeaderMap) {
    let host = headers
        .get_all(http::header::HOST)
        .iter()
        .next_back()
        .cloned();
    for name in &wasmtime_wasi_http::DEFAULT_FORBIDDEN_HEADERS {
        headers.remove(name);
    }
    if let Some(host) = host {
        headers.insert(http::header::HOST, host);
    }
}

/// wasmtime-wasi-http 47's `default_send_request` (as Spin's) reported a
/// failed name lookup as `dns-error` with `info-code` 0; 48 leaves the code
/// out. Keeps the codes the guests saw.
fn dns_info_code(error: Error) -> Error {
    let dns = |rcode: &str| Error::DnsError {
        rcode: Some(rcode.to_owned()),
        info_code: Some(0),
    };
    match error {
        Error::Connect(e)
            if e.kind() == std::io::ErrorKind::AddrNotAvailable
                || e.to_string()
                    .starts_with("failed to lookup address information") =>
        {
            dns("address not available")
        }
        Error::InvalidDnsNameError(e) => {
            tracing::warn!("dns lookup error: {e:?}");
            dns("invalid dns name")
        }
        other => other,
    }
}

/// The `wasi:http/types@0.3.0` error code a guest sees for `error`, as
/// wasmtime-wasi-http converts it with its default hooks.
pub fn error_code(error: &Error) -> ErrorCode {
    use std::error::Error as _;
    let size = |field_name: &Option<String>, field_size: &Option<u32>| types::FieldSizePayload {
        field_name: field_name.clone(),
        field_size: *field_size,
    };
    match error {
        Error::Hyper(e) => {
            if let Some(cause) = e.source() {
                if let Some(code) = cause.downcast_ref::<ErrorCode>() {
                    return code.clone();
                }
                if let Some(error) = cause.downcast_ref::<Error>() {
                    return error_code(error);
                }
            }
            ErrorCode::HttpProtocolError
        }
        Error::Connect(e)
            if e.kind() == std::io::ErrorKind::AddrNotAvailable
                || e.to_string()
                    .starts_with("failed to lookup address information") =>
        {
            ErrorCode::DnsError(types::DnsErrorPayload {
                rcode: Some("address not available".to_owned()),
                info_code: None,
            })
        }
        Error::Connect(_) => ErrorCode::ConnectionRefused,
        Error::Tls(_) => ErrorCode::TlsProtocolError,
        Error::InvalidDnsNameError(_) => ErrorCode::DnsError(types::DnsErrorPayload {
            rcode: Some("invalid dns name".to_owned()),
            info_code: None,
        }),
        Error::DnsTimeout => ErrorCode::DnsTimeout,
        Error::DnsError { rcode, info_code } => ErrorCode::DnsError(types::DnsErrorPayload {
            rcode: rcode.clone(),
            info_code: *info_code,
        }),
        Error::DestinationNotFound => ErrorCode::DestinationNotFound,
        Error::DestinationUnavailable => ErrorCode::DestinationUnavailable,
        Error::DestinationIpProhibited => ErrorCode::DestinationIpProhibited,
        Error::DestinationIpUnroutable => ErrorCode::DestinationIpUnroutable,
        Error::ConnectionRefused => ErrorCode::ConnectionRefused,
        Error::ConnectionTerminated => ErrorCode::ConnectionTerminated,
        Error::ConnectionTimeout => ErrorCode::ConnectionTimeout,
        Error::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
        Error::ConnectionWriteTimeout => ErrorCode::ConnectionWriteTimeout,
        Error::ConnectionLimitReached => ErrorCode::ConnectionLimitReached,
        Error::TlsProtocolError => ErrorCode::TlsProtocolError,
        Error::TlsCertificateError => ErrorCode::TlsCertificateError,
        Error::TlsAlertReceived {
            alert_id,
            alert_message,
        } => ErrorCode::TlsAlertReceived(types::TlsAlertReceivedPayload {
            alert_id: *alert_id,
            alert_message: alert_message.clone(),
        }),
        Error::HttpRequestDenied => ErrorCode::HttpRequestDenied,
        Error::HttpRequestLengthRequired => ErrorCode::HttpRequestLengthRequired,
        Error::HttpRequestBodySize(size) => ErrorCode::HttpRequestBodySize(*size),
        Error::HttpRequestMethodInvalid => ErrorCode::HttpRequestMethodInvalid,
        Error::HttpRequestUriInvalid => ErrorCode::HttpRequestUriInvalid,
        Error::HttpRequestUriTooLong => ErrorCode::HttpRequestUriTooLong,
        Error::HttpRequestHeaderSectionSize(size) => ErrorCode::HttpRequestHeaderSectionSize(*size),
        Error::HttpRequestHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestHeaderSize(Some(size(field_name, field_size))),
        Error::HttpRequestTrailerSectionSize(size) => {
            ErrorCode::HttpRequestTrailerSectionSize(*size)
        }
        Error::HttpRequestTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestTrailerSize(size(field_name, field_size)),
        Error::HttpResponseIncomplete => ErrorCode::HttpResponseIncomplete,
        Error::HttpResponseHeaderSectionSize(size) => {
            ErrorCode::HttpResponseHeaderSectionSize(*size)
        }
        Error::HttpResponseHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseHeaderSize(size(field_name, field_size)),
        Error::HttpResponseBodySize(size) => ErrorCode::HttpResponseBodySize(*size),
        Error::HttpResponseTrailerSectionSize(size) => {
            ErrorCode::HttpResponseTrailerSectionSize(*size)
        }
        Error::HttpResponseTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseTrailerSize(size(field_name, field_size)),
        Error::HttpResponseTransferCoding(coding) => {
            ErrorCode::HttpResponseTransferCoding(coding.clone())
        }
        Error::HttpResponseContentCoding(coding) => {
            ErrorCode::HttpResponseContentCoding(coding.clone())
        }
        Error::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
        Error::HttpUpgradeFailed => ErrorCode::HttpUpgradeFailed,
        Error::HttpProtocolError => ErrorCode::HttpProtocolError,
        Error::LoopDetected => ErrorCode::LoopDetected,
        Error::ConfigurationError => ErrorCode::ConfigurationError,
        Error::InternalError(message) => ErrorCode::InternalError(message.clone()),
        other => ErrorCode::InternalError(Some(other.to_string())),
    }
}

/// `wasi:http/client@0.3.0` as wasmtime-wasi-http serves it, except that a
/// request chained to a component no trigger serves traps the calling
/// instance, as in Spin (wasmtime-wasi-http 48's hooks can only answer an
/// error code).
pub struct Client;

impl HasData for Client {
    type Data<'a> = WasiHttpCtxView<'a>;
}

impl client::HostWithStore<InstanceState> for Client {
    async fn send(
        store: &Accessor<InstanceState, Self>,
        request: Resource<types::Request>,
    ) -> Result<Resource<types::Response>, TrappableError<ErrorCode>> {
        let inner = store.with_getter::<WasiHttp>(store.getter());
        let sent = <WasiHttp as client::HostWithStore<InstanceState>>::send(&inner, request).await;
        if sent.is_err()
            && let Some(component) =
                store.with(|mut access| access.as_context_mut().data_mut().outbound.unrouted.take())
        {
            return Err(TrappableError::trap(wasmtime::format_err!(
                "unknown routing destination '{component}'"
            )));
        }
        sent
    }
}

/// Adds `wasi:http@0.3.0` (`types` and this module's [`Client`]).
pub fn add_to_linker(linker: &mut Linker<InstanceState>) -> wasmtime::Result<()> {
    client::add_to_linker::<_, Client>(linker, InstanceState::http)?;
    types::add_to_linker::<_, WasiHttp>(linker, InstanceState::http)?;
    Ok(())
}
