//! A call's eligibility (organisation kinds, countries; typed, so a call never
//! holds an unknown one), checked against the applicant organisation (as
//! identity knows it) when a draft is created and when it is submitted.

use qmi_api::applications::Eligibility;
use qmi_api::identity::{Country, OrganisationKind};
use qmi_kit::FieldError;

/// Whether the call restricts who may apply (if not, identity need not be asked).
pub fn restricts(e: &Eligibility) -> bool {
    !e.kinds.is_empty() || !e.countries.is_empty()
}

/// Problems of an organisation of `kind` in `country` applying under `e`:
/// `organisation.kind` and/or `organisation.country`.
pub fn check_applicant(
    e: &Eligibility,
    kind: OrganisationKind,
    country: &Country,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !e.kinds.is_empty() && !e.kinds.contains(&kind) {
        let kinds: Vec<&str> = e.kinds.iter().map(|k| k.as_str()).collect();
        errors.push(FieldError::new(
            "organisation.kind",
            format!(
                "this call accepts {}; the organisation is `{}`",
                kinds.join(", "),
                kind.as_str()
            ),
        ));
    }
    if !e.countries.is_empty() && !e.countries.contains(country) {
        let countries: Vec<&str> = e.countries.iter().map(Country::as_str).collect();
        errors.push(FieldError::new(
            "organisation.country",
            format!(
                "this call accepts organisations from {}; the organisation is from `{country}`",
                countries.join(", ")
            ),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kinds: &[&str], countries: &[&str]) -> Eligibility {
        Eligibility {
            kinds: kinds.iter().map(|s| kind(s)).collect(),
            countries: countries.iter().map(|s| country(s)).collect(),
        }
    }

    fn kind(s: &str) -> OrganisationKind {
        OrganisationKind::parse(s).unwrap()
    }

    fn country(s: &str) -> Country {
        s.parse().unwrap()
    }

    fn check(rule: &Eligibility, k: &str, c: &str) -> Vec<String> {
        check_applicant(rule, kind(k), &country(c))
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn empty_lists_accept_everyone() {
        assert!(!restricts(&e(&[], &[])));
        assert!(check(&e(&[], &[]), "funder", "US").is_empty());
    }

    #[test]
    fn kind_and_country_are_named() {
        let rule = e(&["startup", "sme"], &["FR", "DE"]);
        assert!(restricts(&rule));
        assert!(check(&rule, "sme", "DE").is_empty());
        assert_eq!(check(&rule, "research", "DE"), ["organisation.kind"]);
        assert_eq!(check(&rule, "startup", "BE"), ["organisation.country"]);
        assert_eq!(
            check(&rule, "association", "IT"),
            ["organisation.kind", "organisation.country"]
        );
    }

    #[test]
    fn definitions_are_parsed() {
        let ok: Eligibility = serde_json::from_value(
            serde_json::json!({ "kinds": ["startup", "large_company"], "countries": ["FR", "de"] }),
        )
        .unwrap();
        assert_eq!(ok, e(&["startup", "large_company"], &["FR", "DE"]));
        for bad in [
            serde_json::json!({ "kinds": ["unicorn"] }),
            serde_json::json!({ "countries": ["FRA"] }),
            serde_json::json!({ "countries": ["XX"] }),
        ] {
            assert!(
                serde_json::from_value::<Eligibility>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
