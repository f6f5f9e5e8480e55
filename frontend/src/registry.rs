//! Reading the tenant registry (`GET /api/communes`) and its figures
//! (`GET /api/figures`).

use qmi_api::Page;
use qmi_api::identity::{Commune, Figures};

use crate::api::{self, ApiError, encode};

/// Filters of the communes listing (the API's query parameters).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    /// Name search.
    pub q: String,
    /// Département code, empty for all.
    pub departement: String,
    /// Status wire name, empty for all.
    pub status: String,
    /// Territory (EPT) SIREN, empty for all.
    pub territory: String,
}

impl Filters {
    /// The query string for one page (`limit`, filters, `cursor`).
    pub fn query(&self, limit: u32, cursor: Option<&str>) -> String {
        let mut q = format!("/api/communes?limit={limit}");
        for (name, value) in [("q", &self.q), ("departement", &self.departement), ("territory", &self.territory), ("status", &self.status)] {
            let value = value.trim();
            if !value.is_empty() {
                q.push_str(&format!("&{name}={}", encode(value)));
            }
        }
        if let Some(c) = cursor {
            q.push_str(&format!("&cursor={}", encode(c)));
        }
        q
    }
}

/// One page of communes.
pub async fn page(filters: &Filters, limit: u32, cursor: Option<&str>) -> Result<Page<Commune>, ApiError> {
    api::get(&filters.query(limit, cursor)).await
}

/// Every commune of the registry, following the cursors (500 a page).
pub async fn all() -> Result<Vec<Commune>, ApiError> {
    let filters = Filters::default();
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = page(&filters, 500, cursor.as_deref()).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

/// The registry counted per status, département and territory.
pub async fn figures() -> Result<Figures, ApiError> {
    api::get("/api/figures").await
}

/// The name of a département of the metropolis (its code otherwise).
pub fn departement_name(code: &str) -> &str {
    match code {
        "75" => "Paris",
        "77" => "Seine-et-Marne",
        "78" => "Yvelines",
        "91" => "Essonne",
        "92" => "Hauts-de-Seine",
        "93" => "Seine-Saint-Denis",
        "94" => "Val-de-Marne",
        "95" => "Val-d'Oise",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings() {
        let f = Filters { q: "saint d".into(), departement: "93".into(), territory: "200057867".into(), status: String::new() };
        assert_eq!(f.query(24, Some("abc")), "/api/communes?limit=24&q=saint%20d&departement=93&territory=200057867&cursor=abc");
        assert_eq!(Filters::default().query(500, None), "/api/communes?limit=500");
    }
}
