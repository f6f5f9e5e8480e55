//! Spin glue for HTTP: read a whole request, answer JSON or problem+json,
//! always with `content-length`.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, HeaderMap, Method, Request, Response};

use qmi_api::routes::{PathParams, RouteMiss, ServiceOp, find_op};

use crate::page::Query;
use crate::principal::{Principal, REQUEST_ID_HEADER, principal_from_headers, require_principal};
use crate::problem::{PROBLEM_CONTENT_TYPE, Problem};

/// A response with a complete body.
pub type Reply = Response<FullBody<Bytes>>;

/// A request read to the end.
pub struct Incoming {
    /// Method.
    pub method: Method,
    /// Path, without the query.
    pub path: String,
    /// Decoded query string.
    pub query: Query,
    /// Headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Incoming {
    /// Reads the request and its body.
    pub async fn read(req: Request) -> Result<Self, Problem> {
        let (parts, body) = req.into_parts();
        let body = body
            .bytes()
            .await
            .map_err(|e| Problem::bad_request(format!("reading the body failed: {e:?}")))?;
        Ok(Self {
            path: parts.uri.path().to_owned(),
            query: Query::parse(parts.uri.query().unwrap_or("")),
            method: parts.method,
            headers: parts.headers,
            body,
        })
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON of type `T` (415 / 400 naming the field).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        crate::json::parse_json(self.header("content-type"), &self.body)
    }

    /// The principal, if the gateway verified one.
    pub fn principal(&self) -> Result<Option<Principal>, Problem> {
        principal_from_headers(|n| self.header(n))
    }

    /// The principal, or 401.
    pub fn require_principal(&self) -> Result<Principal, Problem> {
        require_principal(|n| self.header(n))
    }
}

/// A response with `status`, headers and a whole body, built without a fallible
/// builder: a status outside 100–999 becomes 500 rather than a panic.
fn reply_with(status: u16, headers: &[(&'static str, String)], body: Bytes) -> Reply {
    let mut r = Response::new(FullBody::new(body));
    *r.status_mut() = spin_sdk::http::StatusCode::from_u16(status)
        .unwrap_or(spin_sdk::http::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let Ok(value) = value.parse() {
            r.headers_mut().insert(*name, value);
        }
    }
    r
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    let headers = [
        ("content-type", content_type.to_owned()),
        ("content-length", body.len().to_string()),
    ];
    reply_with(status, &headers, Bytes::from(body))
}

/// A whole response with any content type and extra headers (files, exports).
pub fn bytes(status: u16, headers: &[(&'static str, String)], body: Vec<u8>) -> Reply {
    let mut all = headers.to_vec();
    all.push(("content-length", body.len().to_string()));
    reply_with(status, &all, Bytes::from(body))
}

/// `status` with a JSON body.
pub fn json<T: Serialize>(status: u16, value: &T) -> Reply {
    match serde_json::to_vec(value) {
        Ok(body) => reply(status, "application/json", body),
        Err(e) => problem(
            Problem::internal(format!("serialising a response: {e}")),
            None,
        ),
    }
}

/// 204 without body.
pub fn no_content() -> Reply {
    reply_with(204, &[], Bytes::new())
}

/// The catalogued operation of the service `O` a request asks for, with its path
/// parameters (the service `match`es the operation exhaustively):
/// 404 for an unknown path, 405 with `Allow` for a known path and another method,
/// HEAD answered as GET (the gateway drops the body), and 400 naming a query
/// parameter the route does not declare (`?limit=` on a route that does not page).
pub fn dispatch<O: ServiceOp>(req: &Incoming) -> Result<(O, PathParams), Problem> {
    let method = match req.method.as_str() {
        "HEAD" => "GET",
        other => other,
    };
    let (op, doc, params) = match find_op::<O>(method, &req.path) {
        Ok(found) => found,
        Err(RouteMiss::NotFound) => {
            return Err(Problem::not_found(format!("no route {}", req.path)));
        }
        Err(RouteMiss::MethodNotAllowed(allowed)) => {
            return Err(Problem::method_not_allowed_with(
                req.method.as_str(),
                &allowed,
            ));
        }
    };
    if let Some(name) = req
        .query
        .names()
        .find(|n| !doc.query.iter().any(|q| q.name == *n))
    {
        let known: Vec<&str> = doc.query.iter().map(|q| q.name).collect();
        let expected = if known.is_empty() {
            "this route takes no query parameter".to_owned()
        } else {
            format!("this route takes {}", known.join(", "))
        };
        return Err(
            Problem::bad_request(format!("unknown query parameter `{name}`: {expected}"))
                .field(name.to_owned(), expected),
        );
    }
    Ok((op, params))
}

/// A service's whole request cycle: records the request id the gateway gave the
/// request (`x-qmi-request-id`) for the log lines ([`crate::log!`]) and the 5xx
/// problems, reads the request, answers it with `route`, and turns any problem
/// (unreadable request or refusal) into problem+json whose `instance` is the
/// request path.
pub async fn serve(
    req: Request,
    route: impl AsyncFnOnce(&Incoming) -> Result<Reply, Problem>,
) -> Reply {
    let path = req.uri().path().to_owned();
    crate::log::set_request_id(
        req.headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let result = match Incoming::read(req).await {
        Ok(incoming) => route(&incoming).await,
        Err(p) => Err(p),
    };
    let reply = result.unwrap_or_else(|p| problem(p, Some(&path)));
    crate::log::set_request_id(None);
    reply
}

/// A problem+json response (`instance` set to the path when given); a 5xx names
/// the request being answered (the `request_id` member).
pub fn problem(p: Problem, instance: Option<&str>) -> Reply {
    let p = p.answering(instance, crate::log::request_id());
    let mut r = reply(p.status, PROBLEM_CONTENT_TYPE, p.to_body());
    if let Some(s) = p.retry_after
        && let Ok(v) = s.to_string().parse()
    {
        r.headers_mut().insert("retry-after", v);
    }
    if let Some(allow) = &p.allow
        && let Ok(v) = allow.parse()
    {
        r.headers_mut().insert("allow", v);
    }
    if let Some(c) = &p.www_authenticate
        && let Ok(v) = c.parse()
    {
        r.headers_mut().insert("www-authenticate", v);
    }
    r
}
