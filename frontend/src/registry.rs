//! Reading the tenant registry (`GET /api/communes`) and the figures drawn from it.

use std::collections::BTreeMap;

use qmi_api::Page;
use qmi_api::identity::{Commune, CommuneStatus};

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
}

impl Filters {
    /// The query string for one page (`limit`, filters, `cursor`).
    pub fn query(&self, limit: u32, cursor: Option<&str>) -> String {
        let mut q = format!("/api/communes?limit={limit}");
        for (name, value) in [("q", &self.q), ("departement", &self.departement), ("status", &self.status)] {
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

/// The programme's figures, drawn from the registry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Communes in the registry.
    pub communes: u64,
    /// Communes hosting an innovation district.
    pub districts: u64,
    /// Candidate communes.
    pub candidates: u64,
    /// Total legal population.
    pub population: u64,
    /// Communes per département, by code.
    pub per_departement: Vec<(String, u64)>,
    /// Communes per territory (EPT), largest first.
    pub per_territory: Vec<(String, u64)>,
}

impl Figures {
    /// Counts the figures of `communes`.
    pub fn of(communes: &[Commune]) -> Self {
        let mut deps: BTreeMap<String, u64> = BTreeMap::new();
        let mut epts: BTreeMap<String, u64> = BTreeMap::new();
        let mut f = Self { communes: communes.len() as u64, ..Self::default() };
        for c in communes {
            *deps.entry(c.departement.clone()).or_default() += 1;
            if let Some(ept) = &c.ept_name {
                *epts.entry(ept.clone()).or_default() += 1;
            }
            f.population += c.population.unwrap_or(0);
            match c.status {
                CommuneStatus::District => f.districts += 1,
                CommuneStatus::Candidate => f.candidates += 1,
                _ => {}
            }
        }
        f.per_departement = deps.into_iter().collect();
        let mut per_territory: Vec<_> = epts.into_iter().collect();
        per_territory.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        f.per_territory = per_territory;
        f
    }
}

/// The territories (EPT names) present in `communes`, sorted.
pub fn territories(communes: &[Commune]) -> Vec<String> {
    let mut names: Vec<String> = communes.iter().filter_map(|c| c.ept_name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// The départements present in `communes`, sorted.
pub fn departements(communes: &[Commune]) -> Vec<String> {
    let mut codes: Vec<String> = communes.iter().map(|c| c.departement.clone()).collect();
    codes.sort();
    codes.dedup();
    codes
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

    fn commune(insee: &str, dep: &str, ept: &str, pop: u64, status: CommuneStatus) -> Commune {
        Commune {
            insee: insee.parse().unwrap(),
            name: insee.into(),
            departement: dep.into(),
            ept_code: None,
            ept_name: Some(ept.into()),
            metropolis_code: None,
            population: Some(pop),
            status,
        }
    }

    #[test]
    fn figures_count_by_departement_and_territory() {
        let f = Figures::of(&[
            commune("93066", "93", "Plaine Commune", 10, CommuneStatus::District),
            commune("93048", "93", "Est Ensemble", 20, CommuneStatus::Candidate),
            commune("93001", "93", "Plaine Commune", 5, CommuneStatus::Member),
            commune("75056", "75", "Paris", 100, CommuneStatus::District),
        ]);
        assert_eq!((f.communes, f.districts, f.candidates, f.population), (4, 2, 1, 135));
        assert_eq!(f.per_departement, vec![("75".into(), 1), ("93".into(), 3)]);
        assert_eq!(f.per_territory[0], ("Plaine Commune".into(), 2));
    }

    #[test]
    fn query_strings() {
        let f = Filters { q: "saint d".into(), departement: "93".into(), status: String::new() };
        assert_eq!(f.query(24, Some("abc")), "/api/communes?limit=24&q=saint%20d&departement=93&cursor=abc");
        assert_eq!(Filters::default().query(500, None), "/api/communes?limit=500");
    }
}
