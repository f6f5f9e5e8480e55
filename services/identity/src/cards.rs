//! Organisation cards (id, name, kind, country, SIRET) from the partner
//! directory, which owns profiles: `GET /internal/partners/cards` on the
//! `partners` component's internal route ([`qmi_api::internal`]). A child of
//! `component`.

use std::collections::HashMap;

use qmi_api::identity::Organisation;
use qmi_api::internal;
use qmi_kit::Problem;

/// The cards of `ids` (those the directory has), by id.
pub(super) async fn cards(ids: &[&str]) -> Result<HashMap<String, Organisation>, Problem> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let path = format!("{}?ids={}", internal::PARTNERS_CARDS, ids.join(","));
    let cards: Vec<Organisation> =
        qmi_kit::internal::get_json(&internal::PARTNERS, &path, "partners cards").await?;
    Ok(cards.into_iter().map(|c| (c.id.clone(), c)).collect())
}
