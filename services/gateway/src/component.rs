//! The Spin glue: reads the request, applies the rules of the other modules, and calls
//! the next handler. Nothing here outlives a request except the parsed key cache in
//! [`crate::token`].

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use qmi_api::{PRINCIPAL_HEADER, Principal, REQUEST_ID_HEADER, TENANT_HEADER};
use spin_sdk::http::{HeaderMap, HeaderValue, IntoResponse, Request, StatusCode};
use spin_sdk::wasip3::http::types::{ErrorCode, Response};

use crate::access::{self, Admission};
use crate::headers::must_strip;
use crate::problem::{PROBLEM_CONTENT_TYPE, Refusal};
use crate::route::{self, Route};
use crate::token::{self, Verifier};
use crate::RESPONSE_REQUEST_ID;

/// Why a request did not get the next handler's response.
enum Stop {
    /// The gateway refuses it.
    Refused(Refusal),
    /// The next handler failed (trapped, or refused the request).
    Upstream(ErrorCode),
}

impl From<Refusal> for Stop {
    fn from(r: Refusal) -> Self {
        Stop::Refused(r)
    }
}

/// The middleware entry point.
#[spin_sdk::http_service]
async fn handle(req: Request) -> Result<Response, ErrorCode> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let path = req.uri().path().to_owned();
    let id = HeaderValue::from_str(&request_id).expect("a UUID is ASCII");
    match gate(req, &id).await {
        Ok(mut resp) => {
            resp.headers_mut().insert(RESPONSE_REQUEST_ID, id);
            resp.into_response()
        }
        Err(Stop::Refused(refusal)) => problem_response(&refusal, &path, id),
        Err(Stop::Upstream(code)) => problem_response(
            &Refusal::Upstream(format!("the service behind the gateway failed: {code:?}")),
            &path,
            id,
        ),
    }
}

/// A problem+json response for a refusal, with `x-request-id` and, for 401s,
/// `WWW-Authenticate`.
fn problem_response(refusal: &Refusal, path: &str, id: HeaderValue) -> Result<Response, ErrorCode> {
    let body = refusal.problem(path).to_json();
    let len = body.len();
    let mut resp = spin_sdk::http::Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() =
        StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
    headers.insert("content-length", HeaderValue::from(len));
    headers.insert(RESPONSE_REQUEST_ID, id);
    if let Some(challenge) = refusal.www_authenticate() {
        resp.headers_mut()
            .insert("www-authenticate", HeaderValue::from_static(challenge));
    }
    resp.into_response()
}

/// Applies the rules, then forwards the request.
async fn gate(req: Request, id: &HeaderValue) -> Result<spin_sdk::http::Response, Stop> {
    let (mut parts, body) = req.into_parts();

    // Rule 1: nothing internal or hop-by-hop from the client goes on.
    strip(&mut parts.headers);

    // Rule 2, before reading anything: a declared length over the cap.
    let declared = content_length(&parts.headers)?;
    let limit = crate::body_limit(parts.method.as_str(), parts.uri.path());
    if declared.is_some_and(|n| n > limit) {
        return Err(Refusal::PayloadTooLarge { limit }.into());
    }

    // Rules 3–5: who is calling, and may they use this route.
    let authorization: Vec<&[u8]> = parts
        .headers
        .get_all("authorization")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let principal = match token::bearer(&authorization)? {
        Some(token) => Some(verifier().await?.verify(token)?),
        None => None,
    };
    let route = route::classify(parts.method.as_str(), parts.uri.path())?;
    if let Admission::CheckTenant { insee, operator } = access::admit(&route, principal.as_ref())? {
        let stored = tenant_status(&access::status_key(&insee)).await?;
        access::check_status(&insee, operator, stored.as_deref())?;
    }

    // Internal headers for the services.
    insert_internal(&mut parts.headers, principal.as_ref(), &route, id);

    // Rule 2 while reading: a body of unknown length is counted up to the cap.
    let resp = match declared {
        Some(_) => spin_sdk::http::next(Request::from_parts(parts, body)).await,
        None => {
            let bytes = read_capped(body, limit).await?;
            if !bytes.is_empty() {
                parts.headers.insert("content-length", HeaderValue::from(bytes.len()));
            }
            let req = spin_sdk::http::Request::from_parts(parts, Full::new(bytes));
            spin_sdk::http::next(req).await
        }
    };
    resp.map_err(Stop::Upstream)
}

/// Removes the headers [`must_strip`] names.
fn strip(headers: &mut HeaderMap) {
    let doomed: Vec<_> = headers
        .keys()
        .filter(|name| must_strip(name.as_str()))
        .cloned()
        .collect();
    for name in doomed {
        headers.remove(name);
    }
}

/// The request's declared body length, if any.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, Refusal> {
    let mut values = headers.get_all("content-length").iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Refusal::BadRequest("more than one content-length header".to_owned()));
    }
    first
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| Refusal::BadRequest("content-length is not a number".to_owned()))
}

/// Sets `x-qmi-principal`, `x-qmi-tenant` and `x-qmi-request-id`.
fn insert_internal(headers: &mut HeaderMap, principal: Option<&Principal>, route: &Route, id: &HeaderValue) {
    if let Some(p) = principal {
        let value = HeaderValue::from_str(&p.to_header()).expect("base64url is ASCII");
        headers.insert(PRINCIPAL_HEADER, value);
    }
    let tenant = match route {
        Route::Tenant(insee) | Route::Public { tenant: Some(insee) } => Some(insee),
        _ => None,
    };
    if let Some(insee) = tenant {
        let value = HeaderValue::from_str(insee.as_str()).expect("an INSEE code is ASCII");
        headers.insert(TENANT_HEADER, value);
    }
    headers.insert(REQUEST_ID_HEADER, id.clone());
}

/// Reads a body of unknown length, refusing it as soon as it passes `limit` bytes.
async fn read_capped<B>(mut body: B, limit: u64) -> Result<Bytes, Refusal>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Debug,
{
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| Refusal::BadRequest(format!("the request body could not be read: {e:?}")))?;
        if let Ok(data) = frame.into_data() {
            if (buf.len() + data.len()) as u64 > limit {
                return Err(Refusal::PayloadTooLarge { limit });
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// The verifier for the configured key, issuer and audience (variables inherited from
/// the primary component). Variables are fixed for an instance's lifetime, so the
/// verifier is built once per instance: three host calls less on every request.
async fn verifier() -> Result<&'static Verifier, Refusal> {
    static VERIFIER: std::sync::OnceLock<Verifier> = std::sync::OnceLock::new();
    if let Some(verifier) = VERIFIER.get() {
        return Ok(verifier);
    }
    let built = configured_verifier().await?;
    Ok(VERIFIER.get_or_init(|| built))
}

/// Reads the variables and builds a verifier.
async fn configured_verifier() -> Result<Verifier, Refusal> {
    let pem = spin_sdk::variables::get("jwt_public_key").await.unwrap_or_default();
    if pem.trim().is_empty() {
        return Err(Refusal::Unavailable(
            "token verification is not configured (jwt_public_key is empty or not inherited)"
                .to_owned(),
        ));
    }
    let issuer = spin_sdk::variables::get("jwt_issuer").await.unwrap_or_else(|_| "qmi".to_owned());
    let audience = spin_sdk::variables::get("jwt_audience")
        .await
        .unwrap_or_else(|_| "qmi-api".to_owned());
    Verifier::new(&pem, &issuer, &audience)
}

/// The stored status of a commune (`None`: no such key).
async fn tenant_status(key: &str) -> Result<Option<Vec<u8>>, Refusal> {
    let unavailable = |e: spin_sdk::key_value::Error| {
        Refusal::Unavailable(format!(
            "the tenant registry is unreadable (is the `default` key-value store inherited?): {e:?}"
        ))
    };
    let store = spin_sdk::key_value::Store::open_default().await.map_err(unavailable)?;
    store.get(key).await.map_err(unavailable)
}
