//! The Spin glue: reads the request, applies the rules of the other modules, and calls
//! the next handler. Nothing here outlives a request except the parsed key cache in
//! [`crate::token`].

use qmi_api::{Insee, PRINCIPAL_HEADER, Principal, REQUEST_ID_HEADER, TENANT_HEADER};
use spin_sdk::wasip3::exports::http::handler::Guest;
use spin_sdk::wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use spin_sdk::wasip3::wit_bindgen::{StreamReader, StreamResult};
use spin_sdk::wasip3::{wit_bindgen, wit_future, wit_stream};

use crate::RESPONSE_REQUEST_ID;
use crate::access;
use crate::headers::must_strip;
use crate::problem::{PROBLEM_CONTENT_TYPE, Refusal};
use crate::route::{self, Route};
use crate::token::{self, Verifier};

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

struct Gateway;

spin_sdk::wasip3::http::service::export!(Gateway);

/// The middleware entry point. It works on the WASI request and response
/// themselves: the headers are read once and rebuilt once, and both bodies go
/// on as the same streams (no copy, no pump task) — converting the request and
/// the response into `http` types and back cost more than the rules themselves.
impl Guest for Gateway {
    async fn handle(req: Request) -> Result<Response, ErrorCode> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let path = path_only(&req.get_path_with_query().unwrap_or_default()).to_owned();
        let head = matches!(req.get_method(), Method::Head);
        match gate(req, &path, &request_id).await {
            Ok((resp, tenant)) => with_request_id(resp, &request_id, tenant, head).await,
            Err(Stop::Refused(refusal)) => problem_response(&refusal, &path, &request_id),
            Err(Stop::Upstream(code)) => problem_response(
                &Refusal::Upstream(format!("the service behind the gateway failed: {code:?}")),
                &path,
                &request_id,
            ),
        }
    }
}

/// The path of a `path-with-query`, without the query.
fn path_only(path_with_query: &str) -> &str {
    path_with_query
        .split_once('?')
        .map_or(path_with_query, |(path, _)| path)
}

/// The method's name, as the rules and the routes spell it.
fn method_name(method: &Method) -> &str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Patch => "PATCH",
        Method::Options => "OPTIONS",
        Method::Connect => "CONNECT",
        Method::Trace => "TRACE",
        Method::Other(other) => other,
    }
}

/// Header entries as WASI lists them.
type Entries = Vec<(String, Vec<u8>)>;

/// A problem+json response for a refusal, with `x-request-id` (in the body too for
/// a 5xx, the `request_id` member) and, for 401s, `WWW-Authenticate`.
fn problem_response(
    refusal: &Refusal,
    path: &str,
    request_id: &str,
) -> Result<Response, ErrorCode> {
    let problem = refusal
        .problem(path)
        .answering(None, Some(request_id.to_owned()));
    let body = problem.to_body();
    let mut headers: Entries = vec![
        (
            "content-type".to_owned(),
            PROBLEM_CONTENT_TYPE.as_bytes().to_vec(),
        ),
        (
            "content-length".to_owned(),
            body.len().to_string().into_bytes(),
        ),
        (
            RESPONSE_REQUEST_ID.to_owned(),
            request_id.as_bytes().to_vec(),
        ),
    ];
    if let Some(challenge) = &problem.www_authenticate {
        headers.push(("www-authenticate".to_owned(), challenge.as_bytes().to_vec()));
    }
    let headers = fields(&headers)?;
    let (body_tx, contents) = wit_stream::new();
    let (trailers_tx, trailers) = wit_future::new(|| Ok(None));
    wit_bindgen::spawn(async move {
        let mut body_tx = body_tx;
        // A remainder means the client went away: nothing to do.
        let _unsent = body_tx.write_all(body).await;
        drop(body_tx);
        let _ = trailers_tx.write(Ok(None)).await;
    });
    let (resp, _sent) = Response::new(headers, Some(contents), trailers);
    resp.set_status_code(refusal.status())
        .map_err(|()| internal(format!("invalid status {}", refusal.status())))?;
    Ok(resp)
}

/// Applies the rules, then forwards the request; answers the next handler's
/// response and the commune the request was forwarded for, if any.
async fn gate(
    req: Request,
    path: &str,
    request_id: &str,
) -> Result<(spin_sdk::http::Response, Option<Insee>), Stop> {
    let method = req.get_method();
    let method_name = method_name(&method);
    let mut headers: Entries = req.get_headers().copy_all();

    // Rule 1: nothing internal or hop-by-hop from the client goes on.
    headers.retain(|(name, _)| !must_strip(&name.to_ascii_lowercase()));

    // Rule 2, before reading anything: a declared length over the cap.
    let declared = content_length(&headers)?;
    let limit = crate::body_limit(method_name, path);
    if declared.is_some_and(|n| n > limit) {
        return Err(Refusal::PayloadTooLarge { limit }.into());
    }

    // Rules 3–5: who is calling, and may they use this route. The gateway
    // gathers the facts (token, rights version, commune status) and the
    // policy's rules decide (`access::admit`).
    let authorization: Vec<&[u8]> = values(&headers, "authorization").collect();
    let verified = match token::bearer(&authorization)? {
        Some(token) => Some(verifier().await?.verify(token)?),
        None => None,
    };
    let route = route::classify(method_name, path)?;
    let principal = verified.as_ref().map(|v| &v.principal);
    let asker = principal.map(access::rules_principal);
    // One read per authenticated request (the account's rights version: a token
    // issued before the account's rights last changed no longer counts), and the
    // commune's status on tenant routes; both at once, from the store every
    // instance shares.
    let rights_key = verified
        .as_ref()
        .map(|v| access::rights_key(&v.principal.sub));
    let status_key = match (access::tenant_to_check(&route), &asker) {
        (Some(insee), Some(_)) => Some(access::status_key(insee)),
        _ => None,
    };
    let (rights, stored) = kv_get_both(rights_key.as_deref(), status_key.as_deref()).await?;
    if let Some(v) = &verified {
        access::check_rights(v.rights_version, rights.as_deref())?;
    }
    if let Err(refusal) = access::admit(&route, asker.as_ref(), stored.as_deref()) {
        if let (403, Some(v)) = (refusal.status(), &verified) {
            let chain = access::tenant_to_check(&route).map(ToString::to_string);
            let pending = qmi_api::accountability::PendingRefusal {
                insee: chain.unwrap_or_default(),
                account: v.principal.sub.clone(),
                action: format!("refusal:{}", refusal.slug()),
                path: format!("{method_name} {path}"),
                request_id: request_id.to_owned(),
                at: qmi_kit::time::now_millis(),
            };
            crate::refusals::record(&pending).await;
        }
        return Err(refusal.into());
    }

    // Internal headers for the services.
    insert_internal(&mut headers, principal, &route, request_id);

    // The request goes on with the new headers and the same body stream. Rule 2
    // while reading: a body of unknown length is counted up to the cap first.
    let scheme = req.get_scheme();
    let authority = req.get_authority();
    let path_with_query = req.get_path_with_query();
    let options = req.get_options();
    let (body_done_tx, body_done) = wit_future::new(|| Ok(()));
    let (stream, trailers) = Request::consume_body(req, body_done);
    let contents = match declared {
        Some(_) => Some(stream),
        None => {
            let bytes = read_capped(stream, limit).await?;
            if bytes.is_empty() {
                None
            } else {
                headers.push((
                    "content-length".to_owned(),
                    bytes.len().to_string().into_bytes(),
                ));
                let (mut tx, rx) = wit_stream::new();
                wit_bindgen::spawn(async move {
                    let _unsent = tx.write_all(bytes).await;
                });
                Some(rx)
            }
        }
    };
    let (next_req, transmitted) = Request::new(
        fields(&headers).map_err(Stop::Upstream)?,
        contents,
        trailers,
        options,
    );
    let rebuilt = next_req
        .set_method(&method)
        .and_then(|()| next_req.set_scheme(scheme.as_ref()))
        .and_then(|()| next_req.set_authority(authority.as_deref()))
        .and_then(|()| next_req.set_path_with_query(path_with_query.as_deref()));
    if rebuilt.is_err() {
        return Err(
            Refusal::BadRequest("the request line could not be forwarded".to_owned()).into(),
        );
    }
    // The client's body was consumed as well as the next handler consumed ours.
    wit_bindgen::spawn(async move {
        let _ = body_done_tx.write(transmitted.await).await;
    });
    let response = spin_sdk::http::next(next_req)
        .await
        .map_err(Stop::Upstream)?;
    Ok((response, forwarded_tenant(&route).cloned()))
}

/// The next handler's response, unchanged but for `x-request-id` and
/// `x-qmi-tenant` (the commune the request was forwarded for, never the next
/// handler's: the runtime counts the requests per commune from it, the
/// forwarded request itself never leaving this composition); its body goes on
/// as the same stream. The answer to a HEAD request has no body at all, so its
/// `content-length` can describe the GET body (as the next handler meant).
async fn with_request_id(
    resp: spin_sdk::http::Response,
    request_id: &str,
    tenant: Option<Insee>,
    head: bool,
) -> Result<Response, ErrorCode> {
    let (parts, mut body) = resp.into_parts();
    let inner = body
        .take_unstarted()
        .ok_or_else(|| internal("the response body was already read".to_owned()))?;
    let mut headers: Entries = parts
        .headers
        .iter()
        .filter(|(name, _)| name.as_str() != RESPONSE_REQUEST_ID && name.as_str() != TENANT_HEADER)
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    headers.push((
        RESPONSE_REQUEST_ID.to_owned(),
        request_id.as_bytes().to_vec(),
    ));
    if let Some(insee) = tenant {
        headers.push((TENANT_HEADER.to_owned(), insee.as_str().as_bytes().to_vec()));
    }
    let (sent_tx, sent) = wit_future::new(|| Ok(()));
    let (stream, trailers) = Response::consume_body(inner, sent);
    let (contents, trailers) = if head {
        // Whatever the next handler writes for HEAD is dropped, its trailers too.
        drop((stream, trailers));
        (None, wit_future::new(|| Ok(None)).1)
    } else {
        (Some(stream), trailers)
    };
    let (outer, transmitted) = Response::new(fields(&headers)?, contents, trailers);
    outer
        .set_status_code(parts.status.as_u16())
        .map_err(|()| internal(format!("invalid status {}", parts.status)))?;
    // The inner handler learns how its body fared once ours is sent.
    wit_bindgen::spawn(async move {
        let _ = sent_tx.write(transmitted.await).await;
    });
    Ok(outer)
}

/// WASI fields from entries.
fn fields(entries: &[(String, Vec<u8>)]) -> Result<Fields, ErrorCode> {
    Fields::from_list(entries).map_err(|e| internal(format!("headers: {e:?}")))
}

fn internal(message: String) -> ErrorCode {
    ErrorCode::InternalError(Some(message))
}

/// The values of a header (any case).
fn values<'a>(headers: &'a Entries, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The request's declared body length, if any.
fn content_length(headers: &Entries) -> Result<Option<u64>, Refusal> {
    let mut found = values(headers, "content-length");
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Refusal::BadRequest(
            "more than one content-length header".to_owned(),
        ));
    }
    std::str::from_utf8(first)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| Refusal::BadRequest("content-length is not a number".to_owned()))
}

/// Sets `x-qmi-principal`, `x-qmi-tenant` and `x-qmi-request-id`.
fn insert_internal(
    headers: &mut Entries,
    principal: Option<&Principal>,
    route: &Route,
    request_id: &str,
) {
    if let Some(p) = principal {
        headers.push((PRINCIPAL_HEADER.to_owned(), p.to_header().into_bytes()));
    }
    if let Some(insee) = forwarded_tenant(route) {
        headers.push((TENANT_HEADER.to_owned(), insee.as_str().as_bytes().to_vec()));
    }
    headers.push((REQUEST_ID_HEADER.to_owned(), request_id.as_bytes().to_vec()));
}

/// The commune a request on `route` is forwarded for (`x-qmi-tenant`).
fn forwarded_tenant(route: &Route) -> Option<&Insee> {
    match route {
        Route::Tenant(insee)
        | Route::Public {
            tenant: Some(insee),
        } => Some(insee),
        _ => None,
    }
}

/// Reads a body of unknown length, refusing it as soon as it passes `limit` bytes.
async fn read_capped(mut stream: StreamReader<u8>, limit: u64) -> Result<Vec<u8>, Refusal> {
    let mut buf = Vec::new();
    loop {
        let (status, chunk) = stream.read(Vec::with_capacity(16 * 1024)).await;
        if (buf.len() + chunk.len()) as u64 > limit {
            return Err(Refusal::PayloadTooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
        match status {
            StreamResult::Complete(_) => {}
            StreamResult::Dropped | StreamResult::Cancelled => return Ok(buf),
        }
    }
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
    let pem = spin_sdk::variables::get("jwt_public_key")
        .await
        .unwrap_or_default();
    if pem.trim().is_empty() {
        return Err(Refusal::Unavailable(
            "token verification is not configured (jwt_public_key is empty or not inherited)"
                .to_owned(),
        ));
    }
    let issuer = spin_sdk::variables::get("jwt_issuer")
        .await
        .unwrap_or_else(|_| "qmi".to_owned());
    let audience = spin_sdk::variables::get("jwt_audience")
        .await
        .unwrap_or_else(|_| "qmi-api".to_owned());
    Verifier::new(&pem, &issuer, &audience)
}

/// Two optional keys of the `default` key-value store, read concurrently from
/// one store handle (each `None` when not asked for or absent).
async fn kv_get_both(
    a: Option<&str>,
    b: Option<&str>,
) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), Refusal> {
    if a.is_none() && b.is_none() {
        return Ok((None, None));
    }
    let unavailable = |e: spin_sdk::key_value::Error| {
        Refusal::Unavailable(format!(
            "the shared key-value store is unreadable (is the `default` store inherited?): {e:?}"
        ))
    };
    let store = spin_sdk::key_value::Store::open_default()
        .await
        .map_err(unavailable)?;
    let get = |key: Option<&str>| {
        let store = &store;
        let key = key.map(str::to_owned);
        async move {
            match key {
                Some(key) => store.get(&key).await,
                None => Ok(None),
            }
        }
    };
    let (a, b) = futures::future::join(get(a), get(b)).await;
    Ok((a.map_err(unavailable)?, b.map_err(unavailable)?))
}
