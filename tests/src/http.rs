//! One blocking JSON client over a [`QmiServer`] for the API tests: a request with an
//! optional bearer token and a JSON (or raw) body, an answer read once into a [`Res`]
//! holding everything the tests look at.
//!
//! A transport error or any 5xx answer panics with the server's stderr: a 5xx is
//! never an expected answer in this project.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::QmiServer;

/// How long one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// An answer: status, headers and body (as bytes, as text, and as JSON).
#[derive(Clone)]
pub struct Res {
    pub status: u16,
    pub headers: HeaderMap,
    /// The `Content-Type` header (empty when absent).
    pub content_type: String,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
    /// The body as text (lossy UTF-8).
    pub text: String,
    /// The body as JSON: `Null` when empty, a string when it is not JSON.
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Res {
    /// The problem's `type` slug (after `/problems/`).
    pub fn problem(&self) -> &str {
        self.body["type"]
            .as_str()
            .and_then(|t| t.rsplit('/').next())
            .unwrap_or("")
    }

    /// The fields the problem's `errors` name.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the problem's `errors` name `field`.
    pub fn names(&self, field: &str) -> bool {
        self.body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
    }

    /// A header of the answer, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A string field of the body; panics when there is none.
    pub fn str(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string {key} in {self:?}"))
            .to_owned()
    }
}

/// The status and the first 800 characters of the body.
impl std::fmt::Debug for Res {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let end = self
            .text
            .char_indices()
            .nth(800)
            .map_or(self.text.len(), |(i, _)| i);
        write!(f, "{} {}", self.status, &self.text[..end])
    }
}

/// A request body.
#[derive(Clone, Debug, Default)]
pub enum Body<'a> {
    #[default]
    None,
    /// Sent as `application/json`.
    Json(&'a Value),
    /// Bytes sent with the given content type (none when it is empty).
    Bytes(&'a str, Vec<u8>),
}

impl<'a> From<Option<&'a Value>> for Body<'a> {
    fn from(body: Option<&'a Value>) -> Self {
        body.map_or(Body::None, Body::Json)
    }
}

/// A blocking client of one server (no proxy, [`TIMEOUT`] per request).
pub struct Client<'a> {
    pub server: &'a QmiServer,
    http: reqwest::blocking::Client,
}

impl<'a> Client<'a> {
    pub fn new(server: &'a QmiServer) -> Self {
        Self::with(server, reqwest::redirect::Policy::default())
    }

    /// A client that answers a redirect as it is instead of following it.
    pub fn without_redirects(server: &'a QmiServer) -> Self {
        Self::with(server, reqwest::redirect::Policy::none())
    }

    fn with(server: &'a QmiServer, redirects: reqwest::redirect::Policy) -> Self {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .redirect(redirects)
            .timeout(TIMEOUT)
            .build()
            .expect("http client");
        Self { server, http }
    }

    /// One request; `headers` are added as given. Panics with the server's stderr
    /// on a transport error or a 5xx answer.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Body<'_>,
        headers: &[(&str, &str)],
    ) -> Res {
        let res = self
            .try_request(method, path, token, body, headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.server.stderr()));
        assert!(
            res.status < 500,
            "{method} {path} answered {res:?}\n{}",
            self.server.stderr()
        );
        res
    }

    /// One request, whatever its answer (a 5xx included): for a test that gathers
    /// every failure before it fails (`tests/tests/cross_tenant.rs`). A transport
    /// error is an `Err`.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Body<'_>,
        headers: &[(&str, &str)],
    ) -> Result<Res, String> {
        let verb = method
            .parse::<reqwest::Method>()
            .map_err(|e| format!("method {method}: {e}"))?;
        let mut req = self.http.request(verb, self.server.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req
                .header("content-type", "application/json")
                .body(v.to_string()),
            // An empty content type sends the bytes without one.
            Body::Bytes("", bytes) => req.body(bytes),
            Body::Bytes(content_type, bytes) => {
                req.header("content-type", content_type).body(bytes)
            }
        };
        let resp = req.send().map_err(|e| format!("no answer: {e}"))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let bytes = resp.bytes().map_err(|e| format!("body cut: {e}"))?.to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
        };
        Ok(Res {
            status,
            headers,
            content_type,
            retry_after,
            text,
            body,
            bytes,
        })
    }

    /// One request with an optional JSON body.
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Res {
        self.request(method, path, token, body.into(), &[])
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send("GET", path, token, None)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send("POST", path, token, Some(body))
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.send("DELETE", path, token, None)
    }
}
