//! The JSON client of the QMI API. Bodies are the `qmi-api` types the services
//! use; errors are RFC 9457 problem details with their per-field messages.
//! Calls under `/api/auth/` never carry an access token (an expired one would
//! be refused by the gateway before the refresh could happen); every other
//! call carries a fresh one when signed in.

use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::session;

/// One field's message in a problem's `errors`.
#[derive(Clone, Debug, serde::Deserialize, PartialEq)]
pub struct FieldError {
    /// The field (JSON pointer-ish path, e.g. `siret`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A failed call: the HTTP status (0 when the network failed) and the problem.
#[derive(Clone, Debug, serde::Deserialize, PartialEq)]
pub struct ApiError {
    /// HTTP status, 0 for a network failure.
    #[serde(default)]
    pub status: u16,
    /// Short summary.
    #[serde(default)]
    pub title: String,
    /// Longer explanation.
    #[serde(default)]
    pub detail: Option<String>,
    /// Per-field messages for validation problems.
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> Self {
        Self { status: 0, title: e.to_string(), detail: None, errors: Vec::new() }
    }

    /// The session is gone.
    pub fn signed_out() -> Self {
        Self { status: 401, title: "signed out".into(), detail: None, errors: Vec::new() }
    }

    /// The message for `field`, if the API named it.
    pub fn field(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }

    /// One line for people: the detail, else the title.
    pub fn message(&self) -> String {
        self.detail.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| self.title.clone())
    }
}

/// `GET path`, decoded as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(Method::GET, path, None).await?).await
}

/// `POST path` with a JSON body, decoded as `T`.
pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(Method::POST, path, Some(to_json(body)?)).await?).await
}

/// `POST /api/auth/…` with a JSON body and never a token, decoded as `T`.
pub async fn auth_post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(raw(Method::POST, path, Some(to_json(body)?), None).await?).await
}

/// `POST /api/auth/…` with a JSON body and never a token, ignoring the response body.
pub async fn auth_post_empty(path: &str, body: &impl Serialize) -> Result<(), ApiError> {
    raw(Method::POST, path, Some(to_json(body)?), None).await.map(drop)
}

/// `POST path` with no body, decoded as `T`.
pub async fn post_nobody<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(Method::POST, path, None).await?).await
}

/// `PATCH path` with a JSON body, decoded as `T`.
pub async fn patch<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(Method::PATCH, path, Some(to_json(body)?)).await?).await
}

/// `PUT path` with a JSON body, decoded as `T`.
pub async fn put<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    decode(send(Method::PUT, path, Some(to_json(body)?)).await?).await
}

/// `DELETE path`.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    send(Method::DELETE, path, None).await.map(drop)
}

fn to_json(body: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(ApiError::network)
}

async fn send(method: Method, path: &str, body: Option<String>) -> Result<gloo_net::http::Response, ApiError> {
    let authenticated = !path.starts_with("/api/auth/");
    let mut retried = false;
    loop {
        let token = if authenticated { session::bearer().await } else { None };
        let had_token = token.is_some();
        match raw(method.clone(), path, body.clone(), token).await {
            Err(e) if e.status == 401 && had_token && !retried => {
                // The token was refused though believed fresh (clock skew, key
                // rotation): refresh once and retry.
                retried = true;
                session::mark_stale();
            }
            other => return other,
        }
    }
}

/// One request, with `token` as the bearer if given; non-2xx becomes an [`ApiError`].
async fn raw(method: Method, path: &str, body: Option<String>, token: Option<String>) -> Result<gloo_net::http::Response, ApiError> {
    {
        let mut builder = RequestBuilder::new(path).method(method.clone()).header("accept", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", &format!("Bearer {token}"));
        }
        let request = match &body {
            Some(json) => builder.header("content-type", "application/json").body(json.clone()),
            None => builder.build(),
        }
        .map_err(ApiError::network)?;
        let response = request.send().await.map_err(ApiError::network)?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let mut problem = response.json::<ApiError>().await.unwrap_or_else(|_| ApiError {
            status,
            title: response.status_text(),
            detail: None,
            errors: Vec::new(),
        });
        problem.status = status;
        Err(problem)
    }
}

async fn decode<T: DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, ApiError> {
    let status = response.status();
    response.json::<T>().await.map_err(|e| ApiError {
        status,
        title: format!("unreadable response: {e}"),
        detail: None,
        errors: Vec::new(),
    })
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::encode("Saint-Denis"), "Saint-Denis");
        assert_eq!(super::encode("Évry & co"), "%C3%89vry%20%26%20co");
    }
}
