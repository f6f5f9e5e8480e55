//! Calls to the app's own API from inside a component: a Spin self-request to
//! the base URL of the variable `services_url` (by default `http://self.alt`),
//! which goes through the router and the gateway like any request
//! (`*.spin.internal` chaining cannot reach a component whose triggers carry
//! middleware). The caller's bearer token is forwarded, so the gateway and the
//! service behind it decide as for the caller. A per-component deployment points
//! `services_url` at the ingress (and lists it in `allowed_outbound_hosts`).

use bytes::Bytes;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

use crate::Problem;
use crate::context::Ctx;

/// The base URL of the app's own API, without a trailing `/`.
pub async fn services_url() -> String {
    match spin_sdk::variables::get("services_url").await {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => "http://self.alt".to_owned(),
    }
}

/// Calls the app's own API (`path` starts with `/api/`) as the caller, with the
/// caller's bearer token: its status and body.
pub async fn call_api(
    cx: &Ctx<'_>,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<(u16, Bytes), Problem> {
    let url = format!("{}{path}", services_url().await);
    let mut b = Request::<()>::builder().method(method).uri(&url);
    if let Some(auth) = cx.req.header("authorization") {
        b = b.header("authorization", auth);
    }
    let payload = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Bytes::from(serde_json::to_vec(&v).map_err(Problem::internal)?)
        }
        None => Bytes::new(),
    };
    b = b.header("content-length", payload.len().to_string());
    let request = b.body(FullBody::new(payload)).map_err(Problem::internal)?;
    let response = spin_sdk::http::send(request).await.map_err(|e| {
        Problem::new(502, "upstream", "Upstream failure").detail(format!("{method} {path}: {e:?}"))
    })?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .bytes()
        .await
        .map_err(|e| Problem::internal(format!("{path}: {e:?}")))?;
    Ok((status, body))
}

/// The problem for another service's unexpected answer (a 502 naming it).
pub fn upstream(what: &str, status: u16, body: &[u8]) -> Problem {
    Problem::new(502, "upstream", "Upstream failure").detail(format!(
        "{what} answered {status}: {}",
        String::from_utf8_lossy(body)
    ))
}

/// `GET path` as the caller, parsed: `Ok(None)` for a 404 (or a 403: the
/// caller may not know it exists), the upstream problem for any other failure.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    cx: &Ctx<'_>,
    path: &str,
) -> Result<Option<T>, Problem> {
    let (status, body) = call_api(cx, "GET", path, None).await?;
    match status {
        200 => serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| Problem::internal(format!("{path}: {e}"))),
        403 | 404 => Ok(None),
        _ => Err(upstream(path, status, &body)),
    }
}
