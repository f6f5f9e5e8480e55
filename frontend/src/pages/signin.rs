//! Sign-in form. It returns to the page the person came from (`?retour=`, a
//! same-origin path) and, after a refused password, keeps the focus on the form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::t;
use crate::ui::TextField;

/// `retour` if it is a path of this site to go back to after signing in:
/// one leading `/` (not `//` nor `/\`, which browsers read as another host),
/// no backslash nor control character, not the sign-in page itself.
pub fn safe_return(retour: &str) -> Option<&str> {
    let ok = retour.starts_with('/')
        && !retour.starts_with("//")
        && retour.len() <= 2000
        && !retour
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && !retour.starts_with("/connexion");
    ok.then_some(retour)
}

/// The sign-in page, coming back to `here` (a path with its query) afterwards.
pub fn sign_in_href(here: &str) -> String {
    match safe_return(here) {
        Some(back) if back != "/" => format!("/connexion?retour={}", api::encode(back)),
        _ => "/connexion".to_owned(),
    }
}

/// The sign-in page coming back to the page shown now (reads the location,
/// tracked: call it where the link is rendered).
pub fn sign_in_here() -> String {
    let location = use_location();
    let path = location.pathname.get();
    let search = location.search.get();
    let here = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    if here.starts_with("/connexion") {
        // Already there: keep where it returns to.
        here
    } else {
        sign_in_href(&here)
    }
}

/// E-mail and password; on success, the page of `?retour=` or "Mon espace".
#[component]
pub fn SignIn() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    // An empty field is named beside it, before anything is sent.
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let missing = |value: RwSignal<String>, message: &'static str| {
            value
                .with_untracked(|v| v.trim().is_empty())
                .then(|| message.to_owned())
        };
        email_error.set(missing(
            email,
            i.t(
                "Saisissez votre adresse e-mail.",
                "Enter your e-mail address.",
            ),
        ));
        password_error.set(missing(
            password,
            i.t("Saisissez votre mot de passe.", "Enter your password."),
        ));
        if email_error.with_untracked(Option::is_some)
            || password_error.with_untracked(Option::is_some)
        {
            error.set(None);
            crate::ui::focus_first_invalid();
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let back = location
            .query
            .read_untracked()
            .get("retour")
            .and_then(|r| safe_return(&r).map(str::to_owned))
            .unwrap_or_else(|| "/espace".to_owned());
        spawn_local(async move {
            match session
                .sign_in(email.get_untracked(), password.get_untracked())
                .await
            {
                Ok(()) => navigate(&back, Default::default()),
                Err(e) => {
                    let wrong = matches!(e.status, 400 | 401 | 422);
                    error.set(Some(match e.status {
                        400 | 401 | 422 => i.t(
                            "Adresse e-mail ou mot de passe incorrect.",
                            "Wrong e-mail address or password.",
                        ),
                        429 => i.t(
                            "Trop de tentatives : réessayez dans un moment.",
                            "Too many attempts: try again in a moment.",
                        ),
                        0 => i.t(
                            "Le serveur est injoignable.",
                            "The server cannot be reached.",
                        ),
                        _ => i.t("La connexion a échoué.", "Signing in failed."),
                    }));
                    if wrong {
                        password.set(String::new());
                    }
                    // The button was disabled while waiting, which took the
                    // focus away: the error (an alert) takes it, inside the form.
                    crate::ui::focus("#connexion-erreur");
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow" aria-labelledby="titre-connexion">
            <h1 id="titre-connexion">{t!(i, "Connexion", "Sign in")}</h1>
            <form on:submit=submit novalidate>
                {move || error.get().map(|e| view! { <p class="notice notice-error" role="alert" id="connexion-erreur" tabindex="-1">{e}</p> })}
                <TextField id="connexion-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                    error=email_error kind="email" autocomplete="username" required=true />
                <TextField id="connexion-mot-de-passe" label=t!(i, "Mot de passe", "Password") value=password
                    error=password_error kind="password" autocomplete="current-password" required=true />
                <button type="submit" class="button" id="connexion-valider" disabled=move || busy.get()>
                    {t!(i, "Se connecter", "Sign in")}
                </button>
            </form>
            <p class="links-after">
                <A href="/mot-de-passe-oublie">{t!(i, "Mot de passe oublié ?", "Forgot your password?")}</A>
                <br />
                <A href="/inscription">{t!(i, "Créer un compte (organisation partenaire)", "Create an account (partner organisation)")}</A>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{safe_return, sign_in_href};

    #[test]
    fn returns_only_to_paths_of_this_site() {
        assert_eq!(safe_return("/espace/compte"), Some("/espace/compte"));
        assert_eq!(safe_return("/appels/1?x=2"), Some("/appels/1?x=2"));
        for bad in [
            "",
            "espace",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/a b",
            "javascript:alert(1)",
            "/connexion?retour=/x",
        ] {
            assert_eq!(safe_return(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sign_in_links_carry_the_page() {
        assert_eq!(sign_in_href("/"), "/connexion");
        assert_eq!(
            sign_in_href("/espace/compte"),
            "/connexion?retour=%2Fespace%2Fcompte"
        );
        assert_eq!(sign_in_href("//evil.example"), "/connexion");
    }
}
