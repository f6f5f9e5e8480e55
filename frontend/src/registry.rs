//! Reading the tenant registry (`GET /api/communes`) and its figures
//! (`GET /api/figures`), and the commune names the pages show.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use qmi_api::Page;
use qmi_api::identity::{Commune, CommuneStatus, Figures};

use crate::api::{self, ApiError, encode};

/// The most codes one `?insee=` request names (the API's limit).
const CODES_PER_REQUEST: usize = 500;

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
        for (name, value) in [
            ("q", &self.q),
            ("departement", &self.departement),
            ("territory", &self.territory),
            ("status", &self.status),
        ] {
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
pub async fn page(
    filters: &Filters,
    limit: u32,
    cursor: Option<&str>,
) -> Result<Page<Commune>, ApiError> {
    api::get(&filters.query(limit, cursor)).await
}

/// Every commune matching `filters`, following the cursors (500 a page).
pub async fn all_matching(filters: &Filters) -> Result<Vec<Commune>, ApiError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = page(filters, 500, cursor.as_deref()).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

/// The names (and statuses) of the communes the pages show, by INSEE code:
/// asked for by the codes a page lists, one request per 500 unknown codes,
/// kept for the session. Never a walk through the whole registry.
#[derive(Clone, Copy)]
pub struct Names {
    known: RwSignal<BTreeMap<String, (String, CommuneStatus)>>,
    asked: StoredValue<BTreeSet<String>>,
}

impl Names {
    /// Fetches the codes not known or asked for yet.
    pub fn want<'a>(&self, codes: impl IntoIterator<Item = &'a str>) {
        let missing: Vec<String> = self
            .asked
            .try_update_value(|asked| {
                codes
                    .into_iter()
                    .filter(|c| asked.insert((*c).to_owned()))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        for batch in missing.chunks(CODES_PER_REQUEST) {
            let path = format!(
                "/api/communes?limit={CODES_PER_REQUEST}&insee={}",
                encode(&batch.join(","))
            );
            let (known, asked, batch) = (self.known, self.asked, batch.to_vec());
            leptos::task::spawn_local(async move {
                match api::get::<Page<Commune>>(&path).await {
                    Ok(page) => known.update(|k| {
                        k.extend(
                            page.items
                                .into_iter()
                                .map(|c| (c.insee.to_string(), (c.name, c.status))),
                        )
                    }),
                    // Asked again by the next page that needs them.
                    Err(_) => asked.update_value(|a| a.retain(|c| !batch.contains(c))),
                }
            });
        }
    }

    /// The commune's name, once known (tracked).
    pub fn name(&self, insee: &str) -> Option<String> {
        self.known
            .with(|k| k.get(insee).map(|(name, _)| name.clone()))
    }

    /// "Name (code)" once known, the code until then (tracked).
    pub fn label(&self, insee: &str) -> String {
        self.name(insee)
            .map_or_else(|| insee.to_owned(), |name| format!("{name} ({insee})"))
    }
}

/// Makes the session's [`Names`] available to every page.
pub fn provide_names() {
    provide_context(Names {
        known: RwSignal::new(BTreeMap::new()),
        asked: StoredValue::new(BTreeSet::new()),
    });
}

/// The session's [`Names`].
pub fn use_names() -> Names {
    expect_context::<Names>()
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
        let f = Filters {
            q: "saint d".into(),
            departement: "93".into(),
            territory: "200057867".into(),
            status: String::new(),
        };
        assert_eq!(
            f.query(24, Some("abc")),
            "/api/communes?limit=24&q=saint%20d&departement=93&territory=200057867&cursor=abc"
        );
        assert_eq!(
            Filters::default().query(500, None),
            "/api/communes?limit=500"
        );
    }
}
