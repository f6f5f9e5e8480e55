//! Coming in without an account, or without a password: an invitation link,
//! the partner sign-up and its confirmation link, a forgotten password and its
//! reset link. Every link is single use and checked by the API; a used,
//! expired, revoked or unknown one reads the same ("ce lien n'est plus
//! valable"). These pages, the account's own (`/espace/compte`,
//! `/espace/compte/donnees`, `/espace/notifications`) and the programme
//! team's invitations (`/espace/equipe`) share one lazily loaded module,
//! `compte`.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use qmi_api::identity::{Joining, Lang, PASSWORD_MIN_CHARS};

use crate::api::ApiError;
use crate::i18n::{I18n, use_i18n};
use crate::pages::space::role_label;
use crate::t;
use crate::ui::FieldErrors;

/// The pages of the `compte` module, picked by the path (one loader for all:
/// each lazily loaded page costs the first download its own).
#[component]
pub fn AccountPages() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let mut parts = path.trim_matches('/').splitn(2, '/');
    match (parts.next().unwrap_or_default(), parts.next()) {
        ("invitation", Some(_)) => view! { <InvitationLink /> }.into_any(),
        ("inscription", None) => view! { <SignUpPage /> }.into_any(),
        ("confirmer", Some(_)) => view! { <ConfirmPage /> }.into_any(),
        ("mot-de-passe-oublie", None) => view! { <ForgotPage /> }.into_any(),
        ("reinitialiser", Some(_)) => view! { <ResetPage /> }.into_any(),
        ("espace", Some("equipe")) => view! { <crate::pages::team::Team /> }.into_any(),
        ("espace", Some("compte/donnees")) => {
            view! { <crate::pages::my_data::MyData /> }.into_any()
        }
        ("espace", Some("notifications")) => {
            view! { <crate::pages::notices::Notices /> }.into_any()
        }
        _ => view! { <crate::pages::account::AccountPage /> }.into_any(),
    }
}

/// A text in French and English.
pub type Text = (&'static str, &'static str);

/// Whether `e` says the link is no longer valid (used, expired, revoked or unknown).
pub fn link_unavailable(e: &ApiError) -> bool {
    matches!(e.status, 404 | 410) || e.code.as_deref() == Some("link-unavailable")
}

/// Fills `errors` from the API's problem `e`: each field it names gets the
/// message of `messages` (written for people, in both languages), else the
/// API's own (localised); the focus goes to the first field marked.
pub fn api_errors(i: I18n, errors: FieldErrors, e: &ApiError, messages: &[(&'static str, Text)]) {
    let mut map = crate::ui::error_map(e);
    for (field, (fr, en)) in messages {
        if let Some(m) = map.get_mut(*field) {
            *m = i.t(fr, en).to_owned();
        }
    }
    let any = !map.is_empty();
    errors.set(map);
    if any {
        crate::ui::focus_first_invalid();
    }
}

/// What the API refused, shown: its field messages (as [`api_errors`]), or the
/// whole failure in `failure` when it names no field.
pub fn show_failure(
    i: I18n,
    errors: FieldErrors,
    failure: RwSignal<Option<ApiError>>,
    e: ApiError,
    messages: &[(&'static str, Text)],
) {
    api_errors(i, errors, &e, messages);
    if e.errors.is_empty() {
        failure.set(Some(e));
    }
}

/// The rule a new password must follow, as the forms say it.
pub const PASSWORD_RULE: Text = (
    "Choisissez un mot de passe de 12 caractères au moins.",
    "Choose a password of at least 12 characters.",
);

/// Sets `field`'s message in `errors` (client-side checks).
pub fn field_error(errors: FieldErrors, field: &'static str, message: &'static str) {
    errors.update(|m| {
        m.insert(field.to_owned(), message.to_owned());
    });
}

/// Checks a new password and its repetition: at least
/// [`PASSWORD_MIN_CHARS`] characters, typed twice the same; marks the fields
/// named `field` and `{field}_bis` (`confirm`) otherwise. True when fine.
pub fn check_new_password(
    i: I18n,
    errors: FieldErrors,
    field: &'static str,
    confirm: &'static str,
    password: &str,
    repeated: &str,
) -> bool {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        field_error(errors, field, i.t(PASSWORD_RULE.0, PASSWORD_RULE.1));
        false
    } else if password != repeated {
        field_error(
            errors,
            confirm,
            i.t(
                "Les deux mots de passe saisis diffèrent.",
                "The two passwords typed differ.",
            ),
        );
        false
    } else {
        true
    }
}

/// The hint under a new password field.
pub fn password_hint(i: I18n) -> Signal<&'static str> {
    t!(
        i,
        "12 caractères au moins. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.",
        "At least 12 characters. A phrase of several words is easy to remember and hard to guess."
    )
}

/// A choice of language (`fr` or `en`) bound to `value`.
#[component]
pub fn LangChoice(
    /// Element id.
    id: &'static str,
    /// `fr` or `en`.
    value: RwSignal<String>,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="field">
            <label for=id>{t!(i, "Langue des messages", "Language of the messages")}</label>
            <select id=id bind:value=value>
                <option value="fr" lang="fr">"Français"</option>
                <option value="en" lang="en">"English"</option>
            </select>
        </div>
    }
}

/// The language of a [`LangChoice`]'s value.
pub fn lang_of(value: &str) -> Lang {
    if value == "en" { Lang::En } else { Lang::Fr }
}

/// "Ce lien n'est plus valable", with what to do instead.
#[component]
fn LinkGone(
    /// What to do instead.
    then: Text,
    /// Where to go for it.
    href: &'static str,
    /// The link's text.
    label: Text,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="notice notice-error" role="alert" id="lien-invalide">
            <p>{t!(i, "Ce lien n'est plus valable : il a déjà servi, il a expiré, ou il a été remplacé ou révoqué.", "This link is no longer valid: it was used already, it expired, or it was replaced or revoked.")}</p>
            <p>{t!(i, then.0, then.1)}" "<A href=href>{t!(i, label.0, label.1)}</A></p>
        </div>
    }
}

/// What an invitation joins, in a sentence's words.
fn joining_text(i: I18n, j: &Joining) -> String {
    match j {
        Joining::Commune { name, role, .. } => format!(
            "{} {name} ({})",
            i.t("la commune de", "the commune of"),
            role_label(i, *role).to_lowercase()
        ),
        Joining::Programme => i
            .t("l'équipe du programme", "the programme team")
            .to_owned(),
        Joining::Organisation { name, .. } => {
            format!("{} {name}", i.t("l'organisation", "the organisation"))
        }
    }
}

mod invitation;
mod password;
mod signup;

use invitation::InvitationLink;
use password::{ForgotPage, ResetPage};
use signup::{ConfirmPage, SignUpPage};
