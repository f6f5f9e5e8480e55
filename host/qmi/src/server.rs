//! The HTTP trigger: accepts connections, routes each request as Spin does,
//! adds Spin's request headers and hands it to the matched composition.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use wasmtime_wasi_http::handler::ProxyHandler;

use crate::app::App;
use crate::runtime::ComponentHandler;
use crate::stall::StallTimeout;

/// A response body as the server sends it.
pub type Body = UnsyncBoxBody<Bytes, anyhow::Error>;

/// Binds `addr` (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let local = listener.local_addr()?;
    app.set_origin(local);
    let limits = app.http_limits().clone();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        // Without it, keep-alive responses wait on Nagle's algorithm (~40 ms).
        stream.set_nodelay(true).ok();
        let app = app.clone();
        let header_read = limits.header_read;
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(handle(&app, request, client, local).await) }
            });
            let mut builder = http1::Builder::new();
            // Spin sets no timer, so its connections wait for headers forever;
            // qmi closes one whose head does not arrive in time.
            builder
                .keep_alive(true)
                .timer(TokioTimer::new())
                .header_read_timeout(header_read);
            if let Err(error) = builder
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
}

/// Routes and serves one request, logging it.
async fn handle(
    app: &App,
    request: hyper::Request<Incoming>,
    client: SocketAddr,
    local: SocketAddr,
) -> hyper::Response<Body> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let well_known = request
        .uri()
        .path()
        .strip_prefix(qmi_routes::WELL_KNOWN_PREFIX)
        .map(str::to_owned);
    let (component, response) = match well_known {
        Some(rest) => ("-".to_owned(), well_known_response(app, &rest)),
        None => match app.route(request.uri().path()) {
            None => ("-".to_owned(), plain(hyper::StatusCode::NOT_FOUND, "")),
            Some((route, handler)) => {
                let component = route.component_id().to_owned();
                let body_stall = app.http_limits().body_stall;
                let response = match prepare(request, &route, client, local, body_stall) {
                    Ok((request, stalled)) => {
                        let response = send(handler, request).await;
                        if stalled.load(std::sync::atomic::Ordering::Acquire) {
                            request_timeout()
                        } else {
                            response
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "bad request");
                        plain(hyper::StatusCode::BAD_REQUEST, "Bad Request")
                    }
                };
                if let Some(metrics) = app.metrics() {
                    let status = response.status().as_u16();
                    let component = handler.state().metrics();
                    metrics.response(component, status, response.headers(), started.elapsed());
                }
                (component, response)
            }
        },
    };
    tracing::info!(
        target: "qmi::request",
        %method,
        path,
        component,
        status = response.status().as_u16(),
        duration_us = started.elapsed().as_micros() as u64,
    );
    response
}

/// Gives the request an absolute URI and Spin's headers, and bounds how long
/// its body may stall; the flag tells whether it did.
fn prepare(
    request: hyper::Request<Incoming>,
    route: &qmi_routes::RouteMatch,
    client: SocketAddr,
    local: SocketAddr,
    body_stall: Option<std::time::Duration>,
) -> Result<(wasmtime_wasi_http::handler::Request, Arc<AtomicBool>)> {
    let (mut parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    let full_url = qmi_routes::full_url("http", host.as_deref(), &path_and_query);
    let authority = host.clone().unwrap_or_else(|| local.to_string());
    parts.uri = http::Uri::builder()
        .scheme("http")
        .authority(authority.as_str())
        .path_and_query(path_and_query)
        .build()?;
    // As Spin: the connection header is the server's business, not the guest's.
    parts.headers.remove(http::header::CONNECTION);
    for (name, value) in qmi_routes::spin_headers(route, &full_url, client) {
        parts.headers.append(
            http::HeaderName::from_bytes(name.as_ref().as_bytes())?,
            http::HeaderValue::from_str(&value)?,
        );
    }
    let (body, stalled) = match body_stall {
        Some(timeout) => {
            let (body, stalled) = StallTimeout::new(body, timeout);
            (body.boxed_unsync(), stalled)
        }
        None => (
            body.map_err(|e| wasmtime_wasi_http::Error::InternalError(Some(e.to_string())))
                .boxed_unsync(),
            Arc::new(AtomicBool::new(false)),
        ),
    };
    Ok((http::Request::from_parts(parts, body), stalled))
}

/// The answer to a request whose body stalled: `408`, and the connection is
/// closed (the rest of the body will never be read).
fn request_timeout() -> hyper::Response<Body> {
    let mut response = plain(hyper::StatusCode::REQUEST_TIMEOUT, "");
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

/// Hands a request to a composition; failures become a 500.
pub async fn send(
    handler: &ProxyHandler<ComponentHandler>,
    request: wasmtime_wasi_http::handler::Request,
) -> hyper::Response<Body> {
    match handler.handle((), request).await {
        Ok(response) => coalesce(response).await,
        Err(error) => {
            tracing::warn!("request failed: {error:#}");
            if let Some(metrics) = handler.state().metrics()
                && crate::metrics::is_expired(&error)
            {
                metrics.deadlines(1);
            }
            plain(hyper::StatusCode::INTERNAL_SERVER_ERROR, "")
        }
    }
}

/// Spin's reserved routes: `health` answers OK, `info` describes the app.
fn well_known_response(app: &App, rest: &str) -> hyper::Response<Body> {
    match rest.trim_start_matches('/') {
        "health" => plain(hyper::StatusCode::OK, "OK"),
        "info" => {
            let body = serde_json::json!({ "version": env!("CARGO_PKG_VERSION"), "runtime": "qmi", "routes": app.routes().count() }).to_string();
            let mut response = plain(hyper::StatusCode::OK, "");
            *response.body_mut() = Full::new(Bytes::from(body))
                .map_err(|e| match e {})
                .boxed_unsync();
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            response
        }
        _ => plain(hyper::StatusCode::NOT_FOUND, ""),
    }
}

/// Bodies up to this size with a declared length are gathered before the
/// head is written, so head and body leave in one write.
const COALESCE_LIMIT: u64 = 64 * 1024;

/// Gathers a small, length-declared body so the response goes out in one
/// write instead of a head write followed by body writes; other bodies
/// stream as the guest produces them.
async fn coalesce(response: wasmtime_wasi_http::handler::Response) -> hyper::Response<Body> {
    let declared = response
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = response.into_parts();
    match declared {
        Some(length) if length <= COALESCE_LIMIT => match body.collect().await {
            Ok(collected) => {
                let body = Full::new(collected.to_bytes())
                    .map_err(|e| match e {})
                    .boxed_unsync();
                hyper::Response::from_parts(parts, body)
            }
            Err(error) => {
                tracing::warn!("response body failed: {error:#}");
                plain(hyper::StatusCode::INTERNAL_SERVER_ERROR, "")
            }
        },
        _ => hyper::Response::from_parts(parts, body.map_err(anyhow::Error::from).boxed_unsync()),
    }
}

/// A response of the runtime's own, as Spin writes them: no content type,
/// a short or empty body (Spin's 404 and 500 are empty).
pub fn plain(status: hyper::StatusCode, text: &'static str) -> hyper::Response<Body> {
    let mut response = hyper::Response::new(
        Full::new(Bytes::from_static(text.as_bytes()))
            .map_err(|e| match e {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response
}
