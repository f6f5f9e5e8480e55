//! A call's eligibility (organisation kinds, countries): checked when the call is
//! saved, then against the applicant organisation (as identity knows it) when a
//! draft is created and when it is submitted.

use qmi_api::applications::Eligibility;
use qmi_api::identity::OrganisationKind;
use qmi_kit::FieldError;

/// Problems of a call's eligibility definition (fields `eligibility.…`).
pub fn check_definition(e: &Eligibility) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, k) in e.kinds.iter().enumerate() {
        if OrganisationKind::parse(k).is_none() {
            let names: Vec<_> = OrganisationKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(FieldError::new(
                format!("eligibility.kinds[{i}]"),
                format!("unknown kind `{k}`; one of {}", names.join(", ")),
            ));
        }
    }
    for (i, c) in e.countries.iter().enumerate() {
        if !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())) {
            errors.push(FieldError::new(
                format!("eligibility.countries[{i}]"),
                "an ISO 3166-1 alpha-2 code in capitals (FR, DE…)",
            ));
        }
    }
    errors
}

/// Whether the call restricts who may apply (if not, identity need not be asked).
pub fn restricts(e: &Eligibility) -> bool {
    !e.kinds.is_empty() || !e.countries.is_empty()
}

/// Problems of an organisation of `kind` in `country` applying under `e`:
/// `organisation.kind` and/or `organisation.country`.
pub fn check_applicant(e: &Eligibility, kind: &str, country: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !e.kinds.is_empty() && !e.kinds.iter().any(|k| k == kind) {
        errors.push(FieldError::new(
            "organisation.kind",
            format!(
                "this call accepts {}; the organisation is `{kind}`",
                e.kinds.join(", ")
            ),
        ));
    }
    if !e.countries.is_empty() && !e.countries.iter().any(|c| c.eq_ignore_ascii_case(country)) {
        errors.push(FieldError::new(
            "organisation.country",
            format!(
                "this call accepts organisations from {}; the organisation is from `{country}`",
                e.countries.join(", ")
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
            kinds: kinds.iter().map(|s| s.to_string()).collect(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn empty_lists_accept_everyone() {
        assert!(!restricts(&e(&[], &[])));
        assert!(check_applicant(&e(&[], &[]), "funder", "US").is_empty());
    }

    #[test]
    fn kind_and_country_are_named() {
        let rule = e(&["startup", "sme"], &["FR", "DE"]);
        assert!(restricts(&rule));
        assert!(check_applicant(&rule, "sme", "DE").is_empty());
        assert_eq!(
            fields(check_applicant(&rule, "research", "DE")),
            ["organisation.kind"]
        );
        assert_eq!(
            fields(check_applicant(&rule, "startup", "BE")),
            ["organisation.country"]
        );
        assert_eq!(
            fields(check_applicant(&rule, "association", "IT")),
            ["organisation.kind", "organisation.country"]
        );
    }

    #[test]
    fn definitions_are_checked() {
        assert!(check_definition(&e(&["startup", "large_company"], &["FR"])).is_empty());
        assert_eq!(
            fields(check_definition(&e(
                &["startup", "unicorn"],
                &["fr", "FRA", "DE"]
            ))),
            [
                "eligibility.kinds[1]",
                "eligibility.countries[0]",
                "eligibility.countries[1]"
            ]
        );
    }
}
