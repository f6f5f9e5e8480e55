//! The JSON client of the QMI API. Bodies are the `qmi-api` types the services
//! use; errors are RFC 9457 problem details with their per-field messages.
//! Calls under `/api/auth/` never carry an access token (an expired one would
//! be refused by the gateway before the refresh could happen); every other
//! call carries a fresh one when signed in.

use gloo_net::http::{Method, RequestBuilder};
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
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
    /// A stable code for problems a client tells apart (`link-unavailable`…).
    #[serde(default)]
    pub code: Option<String>,
    /// The problem's `type` URI (`…/problems/tenant-suspended`…).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl ApiError {
    /// A failure before any answer (network, browser), described by `e`.
    pub fn network(e: impl std::fmt::Display) -> Self {
        Self {
            status: 0,
            title: e.to_string(),
            detail: None,
            errors: Vec::new(),
            code: None,
            kind: None,
        }
    }

    /// The session is gone.
    pub fn signed_out() -> Self {
        Self {
            status: 401,
            title: "signed out".into(),
            detail: None,
            errors: Vec::new(),
            code: None,
            kind: None,
        }
    }

    /// The message for `field`, if the API named it, in the interface
    /// language (see [`crate::messages::localise`]).
    pub fn field(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| crate::messages::localise(&e.message))
    }

    /// Whether the problem is of type `slug` (the end of its `type` URI).
    pub fn is(&self, slug: &str) -> bool {
        self.kind
            .as_deref()
            .and_then(|k| k.rsplit('/').next())
            .is_some_and(|k| k == slug)
    }

    /// One line for people: the detail, else the title.
    pub fn message(&self) -> String {
        self.detail
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.title.clone())
    }
}

/// `GET path`, decoded as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&text(Method::GET, path, None).await?)
}

/// `POST path` with a JSON body, decoded as `T`.
pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    let body = to_json(body)?;
    parse(&text(Method::POST, path, Some(body)).await?)
}

/// `POST /api/auth/…` with a JSON body and never a token, decoded as `T`.
pub async fn auth_post<T: DeserializeOwned>(
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    let body = to_json(body)?;
    parse(&read_text(raw(Method::POST, path, Some(Body::Json(body)), None).await?).await?)
}

/// `POST /api/auth/…` with a JSON body and never a token, ignoring the response body.
pub async fn auth_post_empty(path: &str, body: &impl Serialize) -> Result<(), ApiError> {
    let body = to_json(body)?;
    raw(Method::POST, path, Some(Body::Json(body)), None)
        .await
        .map(drop)
}

/// `POST path` with no body, decoded as `T`.
pub async fn post_nobody<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&text(Method::POST, path, None).await?)
}

/// `POST path` without a body, answered without one (204).
pub async fn post_bare(path: &str) -> Result<(), ApiError> {
    text(Method::POST, path, None).await.map(drop)
}

/// `PATCH path` with a JSON body, decoded as `T`.
pub async fn patch<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    let body = to_json(body)?;
    parse(&text(Method::PATCH, path, Some(body)).await?)
}

/// `PUT path` with a JSON body, decoded as `T`.
pub async fn put<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    let body = to_json(body)?;
    parse(&text(Method::PUT, path, Some(body)).await?)
}

/// `DELETE path`.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    send(Method::DELETE, path, None).await.map(drop)
}

/// The one fetch every call goes through: `method path` (with a fresh token
/// unless under `/api/auth/`), the response body as text. Not generic, so the
/// request machinery is compiled once; only [`parse`] is per type.
pub async fn text(method: Method, path: &str, body: Option<String>) -> Result<String, ApiError> {
    read_text(send(method, path, body.map(Body::Json)).await?).await
}

/// `POST path` with a file as the body (its own media type), decoded as `T`.
pub async fn upload<T: DeserializeOwned>(path: &str, file: &web_sys::File) -> Result<T, ApiError> {
    let media_type = Some(file.type_())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    let body = Body::File(file.clone().into(), media_type);
    parse(&read_text(send(Method::POST, path, Some(body)).await?).await?)
}

/// `POST path` with `blob` as the body, sent as `media_type` whatever its own
/// type (a CSV file a browser calls `application/vnd.ms-excel`), decoded as `T`.
pub async fn post_as<T: DeserializeOwned>(
    path: &str,
    blob: web_sys::Blob,
    media_type: &str,
) -> Result<T, ApiError> {
    let body = Body::File(blob, media_type.to_owned());
    parse(&read_text(send(Method::POST, path, Some(body)).await?).await?)
}

/// `PUT path` with `blob` as the body, sent as `media_type` (an organisation's
/// logo), decoded as `T`.
pub async fn put_as<T: DeserializeOwned>(
    path: &str,
    blob: web_sys::Blob,
    media_type: &str,
) -> Result<T, ApiError> {
    let body = Body::File(blob, media_type.to_owned());
    parse(&read_text(send(Method::PUT, path, Some(body)).await?).await?)
}

/// A request body: JSON text, or a file sent as it is.
#[derive(Clone)]
enum Body {
    Json(String),
    File(web_sys::Blob, String),
}

/// Decodes a response body as `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError {
        status: 200,
        title: format!("unreadable response: {e}"),
        detail: None,
        errors: Vec::new(),
        code: None,
        kind: None,
    })
}

/// A GET loading in the background, its body kept as text: one resource type
/// for every page (each distinct `LocalResource<T>` costs its own copy of the
/// async machinery). Read it with [`read`].
pub type Loaded = Computed<Result<String, ApiError>>;

/// Starts a [`Loaded`] GET of the path `path` gives, re-run when the signals it
/// reads change; while it gives `None` the resource reads as loading (it holds
/// an empty text: a pending future would keep it from ever re-running).
pub fn load(path: impl Fn() -> Option<String> + 'static) -> Loaded {
    load_boxed(Box::new(path))
}

fn load_boxed(path: Box<dyn Fn() -> Option<String>>) -> Loaded {
    compute(move || {
        let path = path();
        async move {
            match path {
                Some(path) => text(Method::GET, &path, None).await,
                None => Ok(String::new()),
            }
        }
    })
}

/// The value of a [`Loaded`] GET decoded as `T`; `None` while loading or
/// waiting for its path (tracked).
pub fn read<T: DeserializeOwned>(loaded: &Loaded) -> Option<Result<T, ApiError>> {
    loaded.inner.with(
        |r| match r.as_ref()?.downcast_ref::<Result<String, ApiError>>()? {
            Ok(text) if text.is_empty() => None,
            Ok(text) => Some(parse(text)),
            Err(e) => Some(Err(e.clone())),
        },
    )
}

/// A value computed in the background (several requests, say): like a
/// `LocalResource<T>`, but every `Computed` shares one resource type underneath
/// (the value is boxed as `dyn Any`), so the async machinery is compiled once.
pub struct Computed<T> {
    inner: LocalResource<Rc<dyn Any>>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Computed<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Computed<T> {}

impl<T: Clone + 'static> Computed<T> {
    /// The value, `None` while computing (tracked).
    pub fn get(&self) -> Option<T> {
        self.inner
            .with(|v| v.as_ref()?.downcast_ref::<T>().cloned())
    }
}

/// Starts a [`Computed`] from `fetcher`, re-run when the signals it reads change.
pub fn compute<T: 'static, Fut: Future<Output = T> + 'static>(
    fetcher: impl Fn() -> Fut + 'static,
) -> Computed<T> {
    let boxed: BoxedFetcher = Box::new(move || {
        let fut = fetcher();
        Box::pin(async move { Rc::new(fut.await) as Rc<dyn Any> })
    });
    Computed {
        inner: compute_boxed(boxed),
        ty: PhantomData,
    }
}

type BoxedFetcher = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Rc<dyn Any>>>>>;

fn compute_boxed(fetcher: BoxedFetcher) -> LocalResource<Rc<dyn Any>> {
    LocalResource::new(fetcher)
}

fn to_json(body: &impl Serialize) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(ApiError::network)
}

async fn send(
    method: Method,
    path: &str,
    body: Option<Body>,
) -> Result<gloo_net::http::Response, ApiError> {
    let authenticated = !path.starts_with("/api/auth/");
    let mut retried = false;
    loop {
        let token = if authenticated {
            session::bearer().await
        } else {
            None
        };
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
async fn raw(
    method: Method,
    path: &str,
    body: Option<Body>,
    token: Option<String>,
) -> Result<gloo_net::http::Response, ApiError> {
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("accept", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(Body::Json(json)) => builder
            .header("content-type", "application/json")
            .body(json),
        Some(Body::File(blob, media_type)) => {
            builder.header("content-type", &media_type).body(blob)
        }
        None => builder.build(),
    }
    .map_err(ApiError::network)?;
    let response = request.send().await.map_err(ApiError::network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let mut problem = read_text(response)
        .await
        .ok()
        .and_then(|t| serde_json::from_str::<ApiError>(&t).ok())
        .unwrap_or_else(|| ApiError {
            status,
            title: format!("HTTP {status}"),
            detail: None,
            errors: Vec::new(),
            code: None,
            kind: None,
        });
    problem.status = status;
    Err(problem)
}

async fn read_text(response: gloo_net::http::Response) -> Result<String, ApiError> {
    let status = response.status();
    response.text().await.map_err(|e| ApiError {
        status,
        title: format!("unreadable response: {e}"),
        detail: None,
        errors: Vec::new(),
        code: None,
        kind: None,
    })
}

/// Downloads `GET path` (with the token: a plain link would carry none) and
/// hands it to the browser as the file `name`.
pub async fn download(path: &str, name: &str) -> Result<(), ApiError> {
    use wasm_bindgen::JsCast;
    let response = send(Method::GET, path, None).await?;
    // A name without an extension takes the one of the media type received.
    let media_type = response.headers().get("content-type").unwrap_or_default();
    let name = match extension(&media_type) {
        Some(ext) if !name.contains('.') => format!("{name}.{ext}"),
        _ => name.to_owned(),
    };
    let bytes = response.binary().await.map_err(ApiError::network)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let blob =
        web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|_| ApiError::network("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| ApiError::network("object URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::network("no document"))?;
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", &name);
        a.click();
    }
    set_timeout(
        move || drop(web_sys::Url::revoke_object_url(&url)),
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// The usual file extension of the media types QMI serves as files.
fn extension(media_type: &str) -> Option<&'static str> {
    Some(match media_type.split(';').next()?.trim() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "text/csv" => "csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        _ => return None,
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
    fn names_files_by_their_media_type() {
        assert_eq!(super::extension("application/pdf"), Some("pdf"));
        assert_eq!(super::extension("image/jpeg; charset=binary"), Some("jpg"));
        assert_eq!(super::extension("application/octet-stream"), None);
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(super::encode("Saint-Denis"), "Saint-Denis");
        assert_eq!(super::encode("Évry & co"), "%C3%89vry%20%26%20co");
    }
}
