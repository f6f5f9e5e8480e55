//! The partner directory (issue 16), in its own split module, `annuaire`: the
//! public directory searched in French with its facets (`/annuaire`), an
//! organisation's page with its track record (`/annuaire/:id`) — and, on the
//! same page, the private notes of the signed-in person's commune, the
//! programme team's notes, its curation (any field, merging a duplicate) —,
//! and the programme team's directory (`/espace/annuaire`: the same search,
//! each organisation's members, an organisation added).
//!
//! The profile editor with its live preview ([`ProfileEditor`]) is also the
//! partner's own, in "Mon espace" (`pages/organisation.rs`); the preview is
//! the component that draws the public page ([`ProfileView`]).
//!
//! Everything an organisation or a person wrote (descriptions, offers, notes,
//! the search's snippets) is shown as text nodes, never as HTML.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};
use qmi_api::identity::{Lang, Me};
use qmi_api::partners::Texts;
use qmi_api::{MembershipRole, PlatformRole};

mod directory;
mod editor;
mod merge;
mod notes;
mod profile;

pub use editor::ProfileEditor;
pub use profile::ProfileView;

/// The pages of the `annuaire` module, picked by the path (one loader for all:
/// each lazily loaded page costs the first download its own); an
/// organisation's page follows a change of its `id` (a merged record's
/// survivor, a link from a search).
#[component]
pub fn Pages() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let params = use_params_map();
    if path.starts_with("/espace/") {
        view! { <directory::Directory manage=true /> }.into_any()
    } else if path.trim_end_matches('/') == "/annuaire" {
        view! { <directory::Directory manage=false /> }.into_any()
    } else {
        (move || {
            let id = params.read().get("id").unwrap_or_default();
            view! { <profile::ProfilePage id /> }
        })
        .into_any()
    }
}

/// Whether `me` is a programme operator.
pub fn is_operator(me: &Me) -> bool {
    me.platform_roles.contains(&PlatformRole::Programme)
}

/// The communes whose notes `me` keeps (admin or agent there): code and name.
pub fn staff_communes(me: &Me) -> Vec<(String, String)> {
    me.memberships
        .iter()
        .filter(|m| matches!(m.role, MembershipRole::Admin | MembershipRole::Agent))
        .map(|m| (m.insee.to_string(), m.name.clone()))
        .collect()
}

/// A text in the interface's language, French when there is no English (and
/// English when only that was written): the text, and the language to mark it
/// with when it is not the interface's.
pub fn in_lang(t: &Texts, lang: Lang) -> (String, Option<&'static str>) {
    let en = t.en.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let fr = Some(t.fr.trim()).filter(|f| !f.is_empty());
    match (lang, fr, en) {
        (Lang::En, _, Some(en)) => (en.to_owned(), None),
        (Lang::En, Some(fr), None) => (fr.to_owned(), Some("fr")),
        (Lang::Fr, Some(fr), _) => (fr.to_owned(), None),
        (Lang::Fr, None, Some(en)) => (en.to_owned(), Some("en")),
        (_, None, None) => (String::new(), None),
    }
}

/// A search's snippet, `[…]` around each match, as parts: the text, and
/// whether it is a match. Brackets that open no match or close none stay as
/// they are (the text is never markup: each part becomes a text node).
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut push = |text: &str, mark: bool| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some((last, false)) if !mark => last.push_str(text),
            _ => parts.push((text.to_owned(), mark)),
        }
    };
    let mut rest = snippet;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        // The match closes before any other opening.
        match after.find(']') {
            Some(close) if !after[..close].contains('[') && close > 0 => {
                push(&rest[..open], false);
                push(&after[..close], true);
                rest = &after[close + 1..];
            }
            _ => {
                push(&rest[..=open], false);
                rest = after;
            }
        }
    }
    push(rest, false);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<(String, bool)> {
        snippet_parts(s)
    }

    #[test]
    fn snippets_mark_what_is_between_brackets_and_nothing_else() {
        assert_eq!(
            parts("Pour une [mobilité] [douce] en ville"),
            vec![
                ("Pour une ".to_owned(), false),
                ("mobilité".to_owned(), true),
                (" ".to_owned(), false),
                ("douce".to_owned(), true),
                (" en ville".to_owned(), false),
            ]
        );
        assert_eq!(parts("no match"), vec![("no match".to_owned(), false)]);
        // Markup stays text; a bracket without its pair stays a bracket.
        assert_eq!(
            parts("<b>x</b> [a [b] c] d]"),
            vec![
                ("<b>x</b> [a ".to_owned(), false),
                ("b".to_owned(), true),
                (" c] d]".to_owned(), false),
            ]
        );
        assert_eq!(parts("[]"), vec![("[]".to_owned(), false)]);
        assert_eq!(parts("…[vélo"), vec![("…[vélo".to_owned(), false)]);
        assert!(parts("").is_empty());
    }

    #[test]
    fn texts_fall_back_to_french() {
        let both = Texts {
            fr: "Bonjour".into(),
            en: Some("Hello".into()),
        };
        let french = Texts {
            fr: "Bonjour".into(),
            en: Some("  ".into()),
        };
        let english = Texts {
            fr: String::new(),
            en: Some("Hello".into()),
        };
        assert_eq!(in_lang(&both, Lang::En), ("Hello".into(), None));
        assert_eq!(in_lang(&both, Lang::Fr), ("Bonjour".into(), None));
        assert_eq!(in_lang(&french, Lang::En), ("Bonjour".into(), Some("fr")));
        assert_eq!(in_lang(&english, Lang::Fr), ("Hello".into(), Some("en")));
        assert_eq!(in_lang(&Texts::default(), Lang::Fr), (String::new(), None));
    }
}
