//! Problem details for HTTP APIs (RFC 9457), with the field errors of the
//! tenancy contract (`errors: [{field, message}]`).

use serde::{Deserialize, Serialize};

/// Base of every problem `type` URI.
pub const PROBLEM_BASE: &str = "https://qmi.example/problems/";

/// Media type of problem documents.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One invalid field: a JSON-pointer-ish path (`members[0].role`) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field at fault (`email`, `members[0].role`, `limit`…).
    pub field: String,
    /// What is wrong with it, for a human.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `https://qmi.example/problems/<slug>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Field errors (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// The request's id (`x-qmi-request-id`), an extension member every 5xx
    /// carries so that a report of it finds the request's log lines.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
    /// Seconds to wait before retrying (sent as `Retry-After`, not in the body).
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// Extra `WWW-Authenticate` challenge (401 only; sent as a header).
    #[serde(skip)]
    pub www_authenticate: Option<String>,
    /// The methods the path accepts (405 only; sent as `Allow`).
    #[serde(skip)]
    pub allow: Option<String>,
}

impl Problem {
    /// A problem of type `<base><slug>`.
    pub fn new(status: u16, slug: &str, title: impl Into<String>) -> Self {
        Self {
            type_uri: format!("{PROBLEM_BASE}{slug}"),
            title: title.into(),
            status,
            detail: None,
            instance: None,
            errors: Vec::new(),
            request_id: None,
            retry_after: None,
            www_authenticate: None,
            allow: None,
        }
    }

    /// Sets the detail.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets the instance (request path).
    pub fn instance(mut self, path: impl Into<String>) -> Self {
        self.instance = Some(path.into());
        self
    }

    /// Adds a field error.
    pub fn field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.push(FieldError::new(field, message));
        self
    }

    /// Sets the `request_id` extension member.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Whether this is a server error (5xx), whose body names the request.
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }

    /// The problem as answered to a request on path `instance` (kept if already set)
    /// whose id is `request_id`: a 5xx names the request (the `request_id` member),
    /// so that a report of it finds the request's log lines.
    pub fn answering(mut self, instance: Option<&str>, request_id: Option<String>) -> Self {
        if self.instance.is_none() {
            self.instance = instance.map(str::to_owned);
        }
        if self.is_server_error() && self.request_id.is_none() {
            self.request_id = request_id;
        }
        self
    }

    /// Sets `Retry-After`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 400: the request could not be read (malformed JSON, bad query).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, "bad-request", "Bad request").detail(detail)
    }

    /// 422: well-formed but invalid fields; add them with [`Problem::field`].
    pub fn validation() -> Self {
        Self::new(422, "validation", "Invalid fields").detail("one or more fields are invalid")
    }

    /// 422 naming one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation().field(field, message)
    }

    /// 401: no or unusable credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", "Authentication required").detail(detail)
    }

    /// 403: authenticated but not allowed.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "forbidden", "Forbidden").detail(detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, "not-found", "Not found").detail(detail)
    }

    /// 405.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(405, "method-not-allowed", "Method not allowed")
            .detail(format!("{method} is not allowed here"))
    }

    /// 405 naming the methods the path accepts (sent as `Allow`; HEAD goes with GET).
    pub fn method_not_allowed_with(method: &str, allowed: &[&str]) -> Self {
        let mut methods: Vec<&str> = Vec::new();
        for m in allowed {
            if !methods.contains(m) {
                methods.push(m);
            }
            if *m == "GET" && !methods.contains(&"HEAD") {
                methods.push("HEAD");
            }
        }
        let mut p = Self::method_not_allowed(method);
        p.allow = Some(methods.join(", "));
        p
    }

    /// 409: conflicts with the current state (duplicate email…).
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(409, "conflict", "Conflict").detail(detail)
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type(got: Option<&str>) -> Self {
        Self::new(415, "unsupported-media-type", "Unsupported media type").detail(match got {
            Some(ct) => format!("expected application/json, got {ct}"),
            None => "expected a body with content-type application/json".to_owned(),
        })
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after: u64, detail: impl Into<String>) -> Self {
        Self::new(429, "too-many-requests", "Too many requests")
            .detail(detail)
            .retry_after(retry_after.max(1))
    }

    /// 503: a required configuration or dependency is missing.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(503, "unavailable", "Service unavailable").detail(detail)
    }

    /// 500: an unexpected failure (the detail is logged with the request id, not sent).
    pub fn internal(context: impl std::fmt::Display) -> Self {
        crate::log::write(format_args!("internal error: {context}"));
        Self::new(500, "internal", "Internal error").detail("an unexpected error occurred")
    }

    /// The serialised body.
    pub fn to_body(&self) -> Vec<u8> {
        // Strings and numbers only: serialising cannot fail; an empty body if it ever did.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        for e in &self.errors {
            write!(f, "; {}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_rfc9457_with_field_errors() {
        let p = Problem::invalid_field("email", "not an email").instance("/api/auth/token");
        let v: serde_json::Value = serde_json::from_slice(&p.to_body()).unwrap();
        assert_eq!(v["type"], "https://qmi.example/problems/validation");
        assert_eq!(v["status"], 422);
        assert_eq!(v["instance"], "/api/auth/token");
        assert_eq!(v["errors"][0]["field"], "email");
        assert!(v.get("retry_after").is_none());
    }

    #[test]
    fn method_not_allowed_lists_head_with_get() {
        let p = Problem::method_not_allowed_with("DELETE", &["GET", "PUT", "GET"]);
        assert_eq!(p.status, 405);
        assert_eq!(p.allow.as_deref(), Some("GET, HEAD, PUT"));
    }

    #[test]
    fn server_errors_can_name_their_request() {
        let p = Problem::internal("boom").with_request_id("r-1");
        assert!(p.is_server_error());
        let v: serde_json::Value = serde_json::from_slice(&p.to_body()).unwrap();
        assert_eq!(v["request_id"], "r-1");
        assert_eq!(v["detail"], "an unexpected error occurred");
        let v: serde_json::Value =
            serde_json::from_slice(&Problem::not_found("x").to_body()).unwrap();
        assert!(v.get("request_id").is_none());
    }

    #[test]
    fn answers_name_the_request_on_server_errors_only() {
        let id = || Some("r-9".to_owned());
        let p = Problem::unavailable("x").answering(Some("/api/calls"), id());
        assert_eq!(
            (p.instance.as_deref(), p.request_id.as_deref()),
            (Some("/api/calls"), Some("r-9"))
        );
        let p = Problem::forbidden("x").answering(Some("/api/calls"), id());
        assert_eq!(
            (p.instance.as_deref(), p.request_id),
            (Some("/api/calls"), None)
        );
        let p = Problem::not_found("x")
            .instance("/kept")
            .answering(Some("/api/calls"), id());
        assert_eq!(p.instance.as_deref(), Some("/kept"));
        assert_eq!(
            Problem::internal("x").answering(None, None).request_id,
            None
        );
    }

    #[test]
    fn omits_empty_errors() {
        let v: serde_json::Value =
            serde_json::from_slice(&Problem::not_found("x").to_body()).unwrap();
        assert!(v.get("errors").is_none());
        assert_eq!(Problem::too_many_requests(0, "x").retry_after, Some(1));
    }
}
