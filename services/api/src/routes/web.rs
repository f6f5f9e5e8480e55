//! The `web` component's route (it serves the pages and `/api/health`).

use super::any_object;

super::catalogue! {
    /// The operations of the `web` component.
    service Web = "web";
    Health = "health": GET "/api/health", Public, 200,
        "Health of the platform",
        query: &[], request: None, response: Some(any_object);
}
