//! The `web` component.
use spin_sdk::http::{IntoResponse, Request};

/// Placeholder handler.
#[spin_sdk::http_service]
async fn handle(_req: Request) -> impl IntoResponse {
    "ok"
}
