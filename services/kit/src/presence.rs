//! Where an organisation is present, told to the partner directory (the commune
//! facet of its search): after an application is submitted, an experiment is
//! created or spread, or an organisation joins a consortium, `POST
//! /internal/partners/presence` on `partners`' internal route
//! ([`qmi_api::internal`]). A derived index in another service: told after the commit,
//! and a failure never fails the user's request (it is logged; the next such
//! write in that commune tells it again).

use bytes::Bytes;
use qmi_api::internal::{PARTNERS, PARTNERS_PRESENCE};
use qmi_api::partners::{Presence, PresenceSource};
use qmi_api::{Insee, REQUEST_ID_HEADER};
use spin_sdk::http::{FullBody, Request};

/// Tells `partners` that `organisation_id` is present in commune `insee` (by
/// `source`); logs a failure.
pub async fn tell(organisation_id: &str, insee: &Insee, source: PresenceSource) {
    let presence = Presence {
        organisation_id: organisation_id.to_owned(),
        insee: insee.clone(),
        source,
    };
    if let Err(e) = post(&presence).await {
        crate::log!("presence of {organisation_id} in {insee} not told to partners: {e}");
    }
}

async fn post(presence: &Presence) -> Result<(), String> {
    let body = serde_json::to_vec(presence).map_err(|e| e.to_string())?;
    let mut b = Request::<()>::builder()
        .method("POST")
        .uri(crate::internal::url(&PARTNERS, PARTNERS_PRESENCE).await)
        .header("content-type", "application/json")
        .header("content-length", body.len().to_string());
    if let Some(auth) = crate::internal::authorization().await {
        b = b.header("authorization", auth);
    }
    if let Some(id) = crate::log::request_id() {
        b = b.header(REQUEST_ID_HEADER, id);
    }
    let request = b
        .body(FullBody::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = spin_sdk::http::send(request)
        .await
        .map_err(|e| format!("{e:?}"))?;
    match response.status().as_u16() {
        200..=299 => Ok(()),
        status => Err(format!("partners answered {status}")),
    }
}
