//! A forgotten password: the request, then the reset link.

use super::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::{Email, LinkSent, PasswordResetConfirm, PasswordResetRequest};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, TextField, error_of, route_param};

/// `/mot-de-passe-oublie`: asks for a reset link (the answer is the same
/// whether or not the address has an account).
#[component]
pub(super) fn ForgotPage() -> impl IntoView {
    let i = use_i18n();
    let email = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(Default::default());
        failure.set(None);
        let address = email.get_untracked().trim().to_owned();
        if address.parse::<Email>().is_err() {
            field_error(
                errors,
                "email",
                i.t(
                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                    "Enter a valid e-mail address (name@domain.org).",
                ),
            );
            crate::ui::focus_first_invalid();
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::auth_post::<LinkSent>(
                "/api/auth/password-reset",
                &PasswordResetRequest { email: address },
            )
            .await
            {
                Ok(r) => {
                    sent.set(Some(r.email.to_string()));
                    crate::ui::focus("#lien-envoye");
                }
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[(
                            "email",
                            (
                                "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                                "Enter a valid e-mail address (name@domain.org).",
                            ),
                        )],
                    );
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow" aria-labelledby="titre-oubli">
            <h1 id="titre-oubli">{t!(i, "Mot de passe oublié", "Forgotten password")}</h1>
            {move || match sent.get() {
                Some(address) => view! {
                    <div class="notice notice-ok" role="status" id="lien-envoye" tabindex="-1">
                        <p>{format!("{} {address}, {}", i.t("Si un compte existe pour", "If an account exists for"),
                            i.t("un lien pour choisir un nouveau mot de passe vient de lui être envoyé. Il est valable 1 heure et ne sert qu'une fois.",
                                "a link to choose a new password was just sent to it. It is valid for 1 hour and works once."))}</p>
                    </div>
                    <p><A href="/connexion">{t!(i, "Retour à la connexion", "Back to sign-in")}</A></p>
                }.into_any(),
                None => view! {
                    <p>{t!(i, "Saisissez l'adresse de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.", "Enter your account's address: we will send you a link to choose a new password.")}</p>
                    <form on:submit=submit novalidate id="form-oubli">
                        <TextField id="oubli-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                            error=error_of(errors, "email") kind="email" autocomplete="email" required=true />
                        <p><button type="submit" class="button" id="oubli-valider" disabled=move || busy.get()>
                            {t!(i, "Recevoir un lien", "Get a link")}</button></p>
                        {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

/// `/reinitialiser/:token`: a new password, typed twice; every session of the
/// account is then signed out.
#[component]
pub(super) fn ResetPage() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let token = StoredValue::new(route_param("token"));
    let password = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let gone = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(Default::default());
        failure.set(None);
        let pw = password.get_untracked();
        if !check_new_password(
            i,
            errors,
            "password",
            "password_bis",
            &pw,
            &repeated.get_untracked(),
        ) {
            crate::ui::focus_first_invalid();
            return;
        }
        let body = PasswordResetConfirm {
            token: token.get_value(),
            password: pw,
        };
        busy.set(true);
        spawn_local(async move {
            match api::auth_post_empty("/api/auth/password-reset/confirm", &body).await {
                Ok(()) => {
                    // Every session was signed out, this browser's too.
                    if session.me.get_untracked().is_some() {
                        session.expired();
                    }
                    done.set(true);
                    crate::ui::focus("#mot-de-passe-change");
                }
                Err(e) if link_unavailable(&e) => gone.set(true),
                Err(e) => {
                    show_failure(i, errors, failure, e, &[("password", PASSWORD_RULE)]);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow" aria-labelledby="titre-reinitialiser">
            <h1 id="titre-reinitialiser">{t!(i, "Nouveau mot de passe", "New password")}</h1>
            {move || if done.get() {
                view! {
                    <div class="notice notice-ok" role="status" id="mot-de-passe-change" tabindex="-1">
                        <p>{t!(i, "Votre mot de passe a été changé. Par sécurité, toutes vos sessions ont été fermées : connectez-vous avec le nouveau mot de passe.", "Your password was changed. For safety, all your sessions were signed out: sign in with the new password.")}</p>
                    </div>
                    <p><A href="/connexion?retour=%2Fespace" attr:class="button">{t!(i, "Se connecter", "Sign in")}</A></p>
                }.into_any()
            } else if gone.get() {
                view! {
                    <LinkGone then=("Demandez un nouveau lien : il est valable 1 heure.", "Ask for a new link: it is valid for 1 hour.")
                        href="/mot-de-passe-oublie" label=("Mot de passe oublié", "Forgotten password") />
                }.into_any()
            } else {
                view! {
                    <form on:submit=submit novalidate id="form-reinitialiser">
                        <TextField id="nouveau-mot-de-passe" label=t!(i, "Nouveau mot de passe", "New password") value=password
                            error=error_of(errors, "password") kind="password" autocomplete="new-password" required=true hint=password_hint(i) />
                        <TextField id="nouveau-mot-de-passe-bis" label=t!(i, "Saisissez-le à nouveau", "Type it again") value=repeated
                            error=error_of(errors, "password_bis") kind="password" autocomplete="new-password" required=true />
                        <p><button type="submit" class="button" id="reinitialiser-valider" disabled=move || busy.get()>
                            {t!(i, "Changer le mot de passe", "Change the password")}</button></p>
                        {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                    </form>
                }.into_any()
            }}
        </section>
    }
}
