//! The operator's listener (`qmi up --metrics-listen ADDR`), apart from the
//! application's: `GET /metrics` (the Prometheus text format) and
//! `GET /usage/requests` (requests per commune, as JSON); `404` elsewhere,
//! `405` for another method on those paths.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::Metrics;
use super::exposition::CONTENT_TYPE;

/// Serves `metrics` on `listener` until the task is dropped.
pub async fn serve(metrics: Arc<Metrics>, listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "metrics listener: accept failed");
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let metrics = metrics.clone();
                async move { Ok::<_, Infallible>(answer(&metrics, &request).await) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "metrics connection ended with an error");
            }
        });
    }
}

/// The answer to one request.
async fn answer<B>(metrics: &Metrics, request: &hyper::Request<B>) -> hyper::Response<Full<Bytes>> {
    let path = request.uri().path();
    if path != "/metrics" && path != "/usage/requests" {
        return reply(
            hyper::StatusCode::NOT_FOUND,
            "text/plain",
            "Not Found\n".into(),
        );
    }
    if !matches!(*request.method(), http::Method::GET | http::Method::HEAD) {
        let mut response = reply(
            hyper::StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "Method Not Allowed\n".into(),
        );
        response.headers_mut().insert(
            http::header::ALLOW,
            http::HeaderValue::from_static("GET, HEAD"),
        );
        return response;
    }
    match path {
        "/metrics" => reply(
            hyper::StatusCode::OK,
            CONTENT_TYPE,
            metrics.exposition().await.into(),
        ),
        _ => reply(
            hyper::StatusCode::OK,
            "application/json",
            metrics.usage_json().into(),
        ),
    }
}

fn reply(
    status: hyper::StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response
}
