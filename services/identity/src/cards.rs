//! Organisation cards (id, name, kind, country, SIRET) from the partner
//! directory, which owns profiles: `GET http://partners.spin.internal/cards`,
//! Spin service chaining to the `partners` component's private route. A child
//! of `component`.

use std::collections::HashMap;

use qmi_api::identity::Organisation;
use qmi_kit::Problem;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

/// The cards of `ids` (those the directory has), by id.
pub(super) async fn cards(ids: &[&str]) -> Result<HashMap<String, Organisation>, Problem> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let url = format!(
        "{}/cards?ids={}",
        qmi_api::partners::PRIVATE_BASE,
        ids.join(",")
    );
    let request = Request::<()>::builder()
        .method("GET")
        .uri(&url)
        .body(FullBody::new(bytes::Bytes::new()))
        .map_err(Problem::internal)?;
    let response = spin_sdk::http::send(request).await.map_err(|e| {
        Problem::new(502, "upstream", "Upstream failure").detail(format!("partners cards: {e:?}"))
    })?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .bytes()
        .await
        .map_err(|e| Problem::internal(format!("partners cards: {e:?}")))?;
    if status != 200 {
        return Err(qmi_kit::api::upstream("partners", status, &body));
    }
    let cards: Vec<Organisation> = serde_json::from_slice(&body)
        .map_err(|e| Problem::internal(format!("partners cards: {e}")))?;
    Ok(cards.into_iter().map(|c| (c.id.clone(), c)).collect())
}
