//! Organisation cards (id, name, kind, country, SIRET) from the partner
//! directory, which owns profiles: `GET /internal/partners/cards` on the
//! `partners` component's internal route ([`qmi_api::internal`]). A child of
//! `component`.

use std::collections::HashMap;

use qmi_api::identity::Organisation;
use qmi_api::internal;
use qmi_kit::Problem;
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, Request};

/// The cards of `ids` (those the directory has), by id.
pub(super) async fn cards(ids: &[&str]) -> Result<HashMap<String, Organisation>, Problem> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let path = format!("{}?ids={}", internal::PARTNERS_CARDS, ids.join(","));
    let url = qmi_kit::internal::url(&internal::PARTNERS, &path).await;
    let mut builder = Request::<()>::builder().method("GET").uri(&url);
    if let Some(auth) = qmi_kit::internal::authorization().await {
        builder = builder.header("authorization", auth);
    }
    let request = builder
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
