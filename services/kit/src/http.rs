//! Spin glue for HTTP: read a whole request, answer JSON or problem+json,
//! always with `content-length`.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, HeaderMap, Method, Request, Response};

use crate::page::Query;
use crate::principal::{Principal, principal_from_headers, require_principal};
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
        let body = body.bytes().await.map_err(|e| Problem::bad_request(format!("reading the body failed: {e:?}")))?;
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

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    Response::<()>::builder()
        .status(status)
        .header("content-type", content_type)
        .header("content-length", body.len().to_string())
        .body(FullBody::new(Bytes::from(body)))
        .expect("valid response parts")
}

/// `status` with a JSON body.
pub fn json<T: Serialize>(status: u16, value: &T) -> Reply {
    match serde_json::to_vec(value) {
        Ok(body) => reply(status, "application/json", body),
        Err(e) => problem(Problem::internal(format!("serialising a response: {e}")), None),
    }
}

/// 204 without body.
pub fn no_content() -> Reply {
    Response::<()>::builder()
        .status(204)
        .body(FullBody::new(Bytes::new()))
        .expect("valid response parts")
}

/// A service's whole request cycle: reads the request, answers it with `route`,
/// and turns any problem (unreadable request or refusal) into problem+json
/// whose `instance` is the request path.
pub async fn serve(req: Request, route: impl AsyncFnOnce(&Incoming) -> Result<Reply, Problem>) -> Reply {
    let path = req.uri().path().to_owned();
    let result = match Incoming::read(req).await {
        Ok(incoming) => route(&incoming).await,
        Err(p) => Err(p),
    };
    result.unwrap_or_else(|p| problem(p, Some(&path)))
}

/// A problem+json response (`instance` set to the path when given).
pub fn problem(mut p: Problem, instance: Option<&str>) -> Reply {
    if p.instance.is_none() {
        p.instance = instance.map(str::to_owned);
    }
    let mut r = reply(p.status, PROBLEM_CONTENT_TYPE, p.to_body());
    if let Some(s) = p.retry_after {
        r.headers_mut().insert("retry-after", s.to_string().parse().expect("digits"));
    }
    if let Some(c) = &p.www_authenticate
        && let Ok(v) = c.parse()
    {
        r.headers_mut().insert("www-authenticate", v);
    }
    r
}
