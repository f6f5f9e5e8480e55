//! Calls on the internal routes between components ([`qmi_api::internal`]):
//! where a target is reached, the token a caller sends, and the guard a
//! target puts before its internal route.

use qmi_api::internal::{TOKEN_VARIABLE, Target, tokens_match};

use crate::Problem;
use crate::http::Incoming;

/// The URL of `path` (starting with `target.prefix`) at the base URL of the
/// target's Spin variable, else its service-chaining default.
pub async fn url(target: &Target, path_and_query: &str) -> String {
    let base = match spin_sdk::variables::get(target.url_variable).await {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => target.default_url.to_owned(),
    };
    format!("{base}{path_and_query}")
}

/// The `authorization` header value a caller sends (`Bearer <token>`), if the
/// component sees a token.
pub async fn authorization() -> Option<String> {
    match spin_sdk::variables::get(TOKEN_VARIABLE).await {
        Ok(token) if !token.is_empty() => Some(format!("Bearer {token}")),
        _ => None,
    }
}

/// Lets through a request carrying the shared token: 401 without it or with
/// another, 503 when the component has no token (the route stays closed).
pub async fn authorize(req: &Incoming) -> Result<(), Problem> {
    let expected = spin_sdk::variables::get(TOKEN_VARIABLE)
        .await
        .unwrap_or_default();
    if expected.is_empty() {
        return Err(Problem::unavailable(format!(
            "the internal routes are closed: the variable {TOKEN_VARIABLE} is not set"
        )));
    }
    let given = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if tokens_match(&expected, given) {
        Ok(())
    } else {
        Err(Problem::unauthorized(
            "an internal route needs the internal token",
        ))
    }
}

/// One call on a target's internal route (`path_and_query` starting with its
/// prefix), with the internal token and a JSON body if any: status and body (a
/// 502 when the target cannot be reached).
pub async fn send(
    target: &Target,
    method: &str,
    path_and_query: &str,
    body: Option<Vec<u8>>,
) -> Result<(u16, bytes::Bytes), Problem> {
    use spin_sdk::http::body::IncomingBodyExt as _;
    use spin_sdk::http::{FullBody, Request};
    let url = url(target, path_and_query).await;
    let mut builder = Request::<()>::builder().method(method).uri(&url);
    if let Some(auth) = authorization().await {
        builder = builder.header("authorization", auth);
    }
    let payload = bytes::Bytes::from(body.unwrap_or_default());
    if !payload.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    let request = builder
        .header("content-length", payload.len().to_string())
        .body(FullBody::new(payload))
        .map_err(Problem::internal)?;
    let response = spin_sdk::http::send(request).await.map_err(|e| {
        Problem::new(502, "upstream", "Upstream failure")
            .detail(format!("{method} {}: {e:?}", target.prefix))
    })?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .bytes()
        .await
        .map_err(|e| Problem::internal(format!("{}: {e:?}", target.prefix)))?;
    Ok((status, bytes))
}

/// `GET` on a target's internal route, its JSON answer decoded; `what` names
/// the call in errors.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    target: &Target,
    path_and_query: &str,
    what: &str,
) -> Result<T, Problem> {
    let (status, body) = send(target, "GET", path_and_query, None).await?;
    if status != 200 {
        return Err(crate::api::upstream(what, status, &body));
    }
    serde_json::from_slice(&body).map_err(|e| Problem::internal(format!("{what}: {e}")))
}
