//! Outbound HTTP (`wasi:http/client@0.3.0`): only to the component's
//! `allowed_outbound_hosts`; `http://<component>.spin.internal` is Spin's
//! service chaining, answered in-process by that component; a request without
//! authority or to `self.alt` is Spin's self-request ([`self_request`]),
//! allowed by `http://self` (or `http://self.alt`, `*://*:*`).

pub mod self_request;

use std::sync::{Arc, OnceLock, Weak};

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use wasmtime_wasi::TrappableError;
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::p3::{RequestOptions, WasiHttpHooks, default_send_request};

use self::self_request::{GuestResponse, SelfRequests, is_self_request};

/// Decides whether a URL may be called.
pub type AllowFn = dyn Fn(&http::Uri) -> bool + Send + Sync;

/// Answers service-chained requests inside the process.
pub trait InternalDispatch: Send + Sync {
    /// Sends `request` to component `component`; an unknown component is a
    /// trap of the calling instance, as in Spin.
    fn dispatch(
        self: Arc<Self>,
        component: String,
        request: http::Request<UnsyncBoxBody<Bytes, ErrorCode>>,
    ) -> futures::future::BoxFuture<'static, Result<GuestResponse, TrappableError<ErrorCode>>>;
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
        }
    }
}

/// The component id addressed by a `<component>.spin.internal` host, if any
/// (as in Spin, `a.b.spin.internal` is not a service-chaining host).
pub fn chained_component(uri: &http::Uri) -> Option<&str> {
    qmi_manifest::service_chaining_component(uri.host()?)
}

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<UnsyncBoxBody<Bytes, ErrorCode>>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), ErrorCode>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<UnsyncBoxBody<Bytes, ErrorCode>>,
                        Box<dyn Future<Output = Result<(), ErrorCode>> + Send>,
                    ),
                    TrappableError<ErrorCode>,
                >,
            > + Send,
    > {
        drop(fut);
        if is_self_request(request.uri()) {
            let allowed = self.policy.allow_self;
            let self_requests = self.self_requests.clone();
            return Box::new(async move {
                if !allowed {
                    tracing::warn!(uri = %request.uri(), "self-request denied: allowed_outbound_hosts lacks \"http://self\"");
                    return Err(ErrorCode::HttpRequestDenied.into());
                }
                let response = self_requests.send(request, options).await?;
                let done: Box<dyn Future<Output = Result<(), ErrorCode>> + Send> =
                    Box::new(async { Ok(()) });
                Ok((response, done))
            });
        }
        let allowed = (self.policy.allow)(request.uri());
        let chained = chained_component(request.uri()).map(str::to_owned);
        let dispatch = self.dispatch.get().and_then(Weak::upgrade);
        Box::new(async move {
            if !allowed {
                tracing::warn!(uri = %request.uri(), "outbound request denied: not in allowed_outbound_hosts");
                return Err(ErrorCode::HttpRequestDenied.into());
            }
            if let Some(component) = chained {
                let dispatch = dispatch.ok_or(ErrorCode::DestinationNotFound)?;
                let response = dispatch.dispatch(component, request).await?;
                let done: Box<dyn Future<Output = Result<(), ErrorCode>> + Send> =
                    Box::new(async { Ok(()) });
                return Ok((response, done));
            }
            let (response, io) = default_send_request(request, options).await?;
            let io: Box<dyn Future<Output = Result<(), ErrorCode>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), io))
        })
    }
}
