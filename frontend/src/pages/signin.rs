//! Sign-in form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::t;
use crate::ui::TextField;

/// E-mail and password; on success, "Mon espace".
#[component]
pub fn SignIn() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
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
        spawn_local(async move {
            match session
                .sign_in(email.get_untracked(), password.get_untracked())
                .await
            {
                Ok(()) => navigate("/espace", Default::default()),
                Err(e) => error.set(Some(match e.status {
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
                })),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow" aria-labelledby="titre-connexion">
            <h1 id="titre-connexion">{t!(i, "Connexion", "Sign in")}</h1>
            <form on:submit=submit novalidate>
                {move || error.get().map(|e| view! { <p class="notice notice-error" role="alert" id="connexion-erreur">{e}</p> })}
                <TextField id="connexion-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                    error=email_error kind="email" autocomplete="username" required=true />
                <TextField id="connexion-mot-de-passe" label=t!(i, "Mot de passe", "Password") value=password
                    error=password_error kind="password" autocomplete="current-password" required=true />
                <button type="submit" class="button" id="connexion-valider" disabled=move || busy.get()>
                    {t!(i, "Se connecter", "Sign in")}
                </button>
            </form>
        </section>
    }
}
