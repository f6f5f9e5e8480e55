//! Platform health, as reported by `GET /api/health`.

use serde::Deserialize;

/// Body of `GET /api/health`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Health {
    /// `"ok"` when the platform serves requests.
    pub status: String,
    /// Version of the `web` component.
    pub version: String,
}

/// Fetches the platform health; the error is a short French message for display.
pub async fn fetch() -> Result<Health, String> {
    let response = gloo_net::http::Request::get("/api/health")
        .send()
        .await
        .map_err(|e| format!("requête impossible ({e})"))?;
    if !response.ok() {
        return Err(format!("réponse {}", response.status()));
    }
    response
        .json::<Health>()
        .await
        .map_err(|e| format!("réponse illisible ({e})"))
}
