//! A profile as it will be stored: built from a creation or from a stored
//! profile and a patch, every field checked at once (a 422 names each field at
//! fault). Pure: tested natively.

use qmi_api::identity::{Country, OrganisationKind, Siret};
use qmi_api::partners::*;
use qmi_kit::problem::{FieldError, Problem};

/// A profile's fields, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Name (trimmed).
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country.
    pub country: Country,
    /// SIRET (French organisations).
    pub siret: Option<Siret>,
    /// VAT or registry number (others).
    pub registry_number: Option<String>,
    /// City.
    pub city: String,
    /// Website.
    pub website: Option<String>,
    /// Short description.
    pub summary: Texts,
    /// Long description.
    pub description: Texts,
    /// Themes, folded to their wire form, without duplicates.
    pub themes: Vec<String>,
    /// Offers.
    pub offers: Vec<Offer>,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// In the public directory.
    pub public: bool,
}

impl Draft {
    /// A new profile's fields, checked.
    pub fn new(p: NewProfile) -> Result<Self, Problem> {
        Self {
            name: p.name,
            kind: p.kind,
            country: p.country,
            siret: p.siret,
            registry_number: p.registry_number,
            city: p.city,
            website: p.website,
            summary: p.summary,
            description: p.description,
            themes: p.themes,
            offers: p.offers,
            contacts: p.contacts,
            public: p.public,
        }
        .checked()
    }

    /// A stored profile changed by `patch`, checked.
    pub fn patched(
        current: &Profile,
        contacts: Vec<Contact>,
        patch: ProfilePatch,
    ) -> Result<Self, Problem> {
        Self {
            name: patch.name.unwrap_or_else(|| current.name.clone()),
            kind: patch.kind.unwrap_or(current.kind),
            country: patch.country.unwrap_or_else(|| current.country.clone()),
            siret: patch.siret.unwrap_or_else(|| current.siret.clone()),
            registry_number: patch
                .registry_number
                .unwrap_or_else(|| current.registry_number.clone()),
            city: patch.city.unwrap_or_else(|| current.city.clone()),
            website: patch.website.unwrap_or_else(|| current.website.clone()),
            summary: patch.summary.unwrap_or_else(|| current.summary.clone()),
            description: patch
                .description
                .unwrap_or_else(|| current.description.clone()),
            themes: patch.themes.unwrap_or_else(|| current.themes.clone()),
            offers: patch.offers.unwrap_or_else(|| current.offers.clone()),
            contacts: patch.contacts.unwrap_or(contacts),
            public: patch.public.unwrap_or(current.public),
        }
        .checked()
    }

    /// Trims every text and checks every field.
    fn checked(mut self) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: &str| errors.push(FieldError::new(field, message));
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            bad("name", "required");
        } else if self.name.chars().count() > NAME_MAX {
            bad("name", "at most 200 characters");
        }
        self.registry_number = self
            .registry_number
            .map(|r| r.trim().to_uppercase())
            .filter(|r| !r.is_empty());
        if self.country.is_france() {
            if self.siret.is_none() {
                bad("siret", "required for a French organisation");
            }
        } else {
            // A SIRET names a French establishment only.
            if self.siret.is_some() {
                bad(
                    "siret",
                    "only French organisations have a SIRET; give a VAT or registry number",
                );
            }
        }
        // A VAT or company-registry number, when given, is checked for its form.
        match &self.registry_number {
            None => {}
            Some(r)
                if r.len() > 40
                    || !r.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/')
                    }) =>
            {
                bad(
                    "registry_number",
                    "letters, digits, spaces, dashes, dots or slashes, at most 40",
                )
            }
            Some(_) => {}
        }
        self.city = self.city.trim().to_owned();
        if self.city.chars().count() > 100 {
            bad("city", "at most 100 characters");
        }
        self.website = self
            .website
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty());
        if let Some(w) = &self.website
            && !is_web_address(w)
        {
            bad("website", "an address starting with https:// or http://");
        }
        for (field, texts, max) in [
            ("summary", &mut self.summary, SUMMARY_MAX),
            ("description", &mut self.description, DESCRIPTION_MAX),
        ] {
            texts.fr = texts.fr.trim().to_owned();
            texts.en = texts
                .en
                .take()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            if texts.fr.chars().count() > max {
                bad(&format!("{field}.fr"), &format!("at most {max} characters"));
            }
            if texts.en.as_ref().is_some_and(|e| e.chars().count() > max) {
                bad(&format!("{field}.en"), &format!("at most {max} characters"));
            }
        }
        let mut themes: Vec<String> = Vec::new();
        for (i, t) in self.themes.iter().enumerate() {
            let t = t.trim().to_lowercase();
            if t.is_empty()
                || t.len() > 60
                || !t
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\''))
            {
                bad(
                    &format!("themes[{i}]"),
                    "a theme: letters, digits, spaces and dashes",
                );
            } else if !themes.contains(&t) {
                themes.push(t);
            }
        }
        if themes.len() > THEMES_MAX {
            bad("themes", "at most 12 themes");
        }
        self.themes = themes;
        if self.offers.len() > OFFERS_MAX {
            bad("offers", "at most 20 offers");
        }
        for (i, o) in self.offers.iter_mut().enumerate() {
            o.title = o.title.trim().to_owned();
            o.description = o.description.trim().to_owned();
            if o.title.is_empty() || o.title.chars().count() > 200 {
                bad(
                    &format!("offers[{i}].title"),
                    "required, at most 200 characters",
                );
            }
            if o.description.chars().count() > 2_000 {
                bad(
                    &format!("offers[{i}].description"),
                    "at most 2,000 characters",
                );
            }
        }
        if self.contacts.len() > CONTACTS_MAX {
            bad("contacts", "at most 10 contacts");
        }
        for (i, c) in self.contacts.iter_mut().enumerate() {
            c.name = c.name.trim().to_owned();
            c.role = c.role.trim().to_owned();
            c.phone = c
                .phone
                .take()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty());
            if c.name.is_empty() || c.name.chars().count() > 200 {
                bad(
                    &format!("contacts[{i}].name"),
                    "required, at most 200 characters",
                );
            }
            if c.role.chars().count() > 200 {
                bad(&format!("contacts[{i}].role"), "at most 200 characters");
            }
            if let Some(p) = &c.phone
                && (p.len() > 30
                    || !p.chars().all(|ch| {
                        ch.is_ascii_digit() || matches!(ch, '+' | ' ' | '.' | '-' | '(' | ')')
                    }))
            {
                bad(
                    &format!("contacts[{i}].phone"),
                    "digits, spaces and + . - ( ), at most 30",
                );
            }
        }
        // No control character anywhere (a NUL would cut the stored text short, an
        // escape sequence would reach a terminal); line breaks and tabs in the
        // multi-line texts only.
        let mut lines: Vec<(String, &str)> =
            vec![("name".into(), &self.name), ("city".into(), &self.city)];
        let mut texts: Vec<(String, &str)> = Vec::new();
        if let Some(r) = &self.registry_number {
            lines.push(("registry_number".into(), r));
        }
        if let Some(w) = &self.website {
            lines.push(("website".into(), w));
        }
        for (field, t) in [
            ("summary", &self.summary),
            ("description", &self.description),
        ] {
            texts.push((format!("{field}.fr"), &t.fr));
            if let Some(en) = &t.en {
                texts.push((format!("{field}.en"), en));
            }
        }
        for (i, t) in self.themes.iter().enumerate() {
            lines.push((format!("themes[{i}]"), t));
        }
        for (i, o) in self.offers.iter().enumerate() {
            lines.push((format!("offers[{i}].title"), &o.title));
            texts.push((format!("offers[{i}].description"), &o.description));
        }
        for (i, c) in self.contacts.iter().enumerate() {
            lines.push((format!("contacts[{i}].name"), &c.name));
            lines.push((format!("contacts[{i}].role"), &c.role));
            if let Some(p) = &c.phone {
                lines.push((format!("contacts[{i}].phone"), p));
            }
        }
        for (field, value) in lines {
            if value.chars().any(char::is_control) {
                errors.push(FieldError::new(field, "no control characters"));
            }
        }
        for (field, value) in texts {
            if value
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                errors.push(FieldError::new(
                    field,
                    "no control characters but line breaks and tabs",
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            let mut problem = Problem::validation();
            for e in errors {
                problem = problem.field(e.field, e.message);
            }
            Err(problem)
        }
    }
}

/// Whether `s` is an absolute http(s) address with a host and no spaces.
fn is_web_address(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            s.len() <= 300
                && host.contains('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(country: &str, siret: Option<&str>) -> NewProfile {
        serde_json::from_value(serde_json::json!({
            "name": "  Mobilité Douce Paris ", "kind": "association", "country": country,
            "siret": siret, "website": "https://mdp.example/", "themes": ["Mobilite", "mobilite"],
        }))
        .expect("a valid body")
    }

    #[test]
    fn a_french_profile_needs_a_siret_and_only_a_french_one_has_one() {
        let err = Draft::new(new("FR", None)).expect_err("no SIRET");
        assert_eq!(err.errors[0].field, "siret");
        let d = Draft::new(new("FR", Some("81234567800013"))).expect("valid");
        assert_eq!(d.name, "Mobilité Douce Paris");
        assert_eq!(d.themes, vec!["mobilite".to_owned()]);
        let err = Draft::new(new("DE", Some("81234567800013"))).expect_err("a SIRET abroad");
        assert_eq!(err.errors[0].field, "siret");
    }

    #[test]
    fn a_wrong_siret_key_is_refused_when_the_body_is_read() {
        let body = serde_json::json!({"name": "X", "kind": "sme", "country": "FR", "siret": "81234567800014"});
        let err = serde_json::from_value::<NewProfile>(body).expect_err("Luhn");
        assert!(err.to_string().contains("Luhn"), "{err}");
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        for name in ["\u{0}", "Acme\u{7}", "Acme\nSAS", "\u{1b}[31mAcme"] {
            let mut p = new("FR", Some("81234567800013"));
            p.name = name.to_owned();
            let err = Draft::new(p).expect_err(name);
            assert_eq!(err.errors[0].field, "name", "{name:?}");
        }
        let mut p = new("FR", Some("81234567800013"));
        p.description.fr = "Deux lignes\nsans souci".to_owned();
        assert!(Draft::new(p).is_ok());
    }

    #[test]
    fn a_patch_leaves_out_what_it_does_not_change_and_null_clears() {
        let absent = ProfilePatch::default();
        // `null` clears these three: a patch that leaves them unchanged omits them.
        let json = serde_json::to_value(&absent).expect("json");
        for field in ["website", "registry_number", "siret"] {
            assert!(json.get(field).is_none(), "{json}");
        }
        let cleared: ProfilePatch =
            serde_json::from_value(serde_json::json!({ "website": null, "siret": null }))
                .expect("a patch");
        assert_eq!((cleared.website, cleared.siret), (Some(None), Some(None)));
    }

    #[test]
    fn websites_must_be_web_addresses() {
        assert!(is_web_address("https://a.example/x"));
        assert!(!is_web_address("javascript:alert(1)"));
        assert!(!is_web_address("https://nohost"));
        assert!(!is_web_address("https://a.example/<script>"));
    }
}
