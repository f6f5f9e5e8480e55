//! An invitation's link: its preview, then the newcomer's or the existing account's acceptance.

use super::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qmi_api::identity::{AcceptInvitation, InvitationPreview, TokenResponse};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, route_param};

/// `/invitation/:token`: what the invitation offers, then accepting it (a
/// newcomer chooses name, password and language; an existing account gives
/// its password); signed in, the person lands in "Mon espace".
#[component]
pub(super) fn InvitationLink() -> impl IntoView {
    let i = use_i18n();
    let token = route_param("token");
    let path = format!("/api/auth/invitations/{}", api::encode(&token));
    let preview = api::load(move || Some(path.clone()));
    view! {
        <section class="narrow" aria-labelledby="titre-invitation">
            <p class="eyebrow">{t!(i, "Invitation", "Invitation")}</p>
            <h1 id="titre-invitation">{t!(i, "Rejoindre QMI", "Join QMI")}</h1>
            {move || match api::read::<InvitationPreview>(&preview) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) if link_unavailable(&e) => view! {
                    <LinkGone then=("Demandez à la personne qui vous a invité de vous envoyer une nouvelle invitation. Si vous avez déjà un compte :", "Ask the person who invited you to send a new invitation. If you have an account already:")
                        href="/connexion" label=("se connecter", "sign in") />
                }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) => view! { <AcceptForm preview=p token=token.clone() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AcceptForm(preview: InvitationPreview, token: String) -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let exists = preview.account_exists;
    let name = RwSignal::new(preview.name.clone().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let lang = RwSignal::new(i.lang().as_str().to_owned());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let gone = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let joining = preview.joining.clone();
    let inviter = preview.invited_by.clone();
    let email = preview.email.to_string();
    let expires = preview.expires_at.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.set(Default::default());
        failure.set(None);
        let pw = password.get_untracked();
        let ok = if exists {
            if pw.is_empty() {
                field_error(
                    errors,
                    "password",
                    i.t("Saisissez votre mot de passe.", "Enter your password."),
                );
                false
            } else {
                true
            }
        } else {
            let named = !name.with_untracked(|n| n.trim().is_empty());
            if !named {
                field_error(
                    errors,
                    "name",
                    i.t(
                        "Indiquez votre nom, tel que les autres le verront.",
                        "Enter your name, as others will see it.",
                    ),
                );
            }
            check_new_password(
                i,
                errors,
                "password",
                "password_bis",
                &pw,
                &repeated.get_untracked(),
            ) && named
        };
        if !ok {
            crate::ui::focus_first_invalid();
            return;
        }
        let body = if exists {
            AcceptInvitation {
                name: None,
                password: pw,
                lang: None,
            }
        } else {
            AcceptInvitation {
                name: Some(name.get_untracked().trim().to_owned()),
                password: pw,
                lang: Some(lang_of(&lang.get_untracked())),
            }
        };
        let path = format!("/api/auth/invitations/{}/accept", api::encode(&token));
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            let result = match api::auth_post::<TokenResponse>(&path, &body).await {
                Ok(tokens) => session.start(tokens).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    if let Some(me) = session.me.get_untracked() {
                        i.set(me.lang);
                    }
                    navigate("/espace", Default::default());
                }
                Err(e) if link_unavailable(&e) => gone.set(true),
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[
                            (
                                "password",
                                if exists {
                                    ("Mot de passe incorrect.", "Wrong password.")
                                } else {
                                    PASSWORD_RULE
                                },
                            ),
                            (
                                "name",
                                (
                                    "Un nom de 1 à 200 caractères, sur une ligne.",
                                    "A name of 1 to 200 characters, on one line.",
                                ),
                            ),
                        ],
                    );
                }
            }
        });
    };
    view! {
        <p class="lead" id="invitation-objet">{move || format!("{} {} {}.",
            inviter, i.t("vous invite à rejoindre", "invites you to join"), joining_text(i, &joining))}</p>
        <p class="muted small">{t!(i, "Invitation adressée à", "Invitation sent to")}" "<strong id="invitation-email">{email.clone()}</strong>
            ". "{t!(i, "Le lien est valable jusqu'au", "The link is valid until")}" "{crate::ui::when(expires)}"."</p>
        <Show when=move || gone.get() fallback=move || view! {
            <form on:submit=submit.clone() novalidate id="form-invitation">
                {if exists {
                    view! {
                        <p>{t!(i, "Un compte existe déjà pour cette adresse : saisissez son mot de passe pour accepter.", "An account exists for this address: enter its password to accept.")}</p>
                        <TextField id="invitation-mot-de-passe" label=t!(i, "Mot de passe", "Password") value=password
                            error=error_of(errors, "password") kind="password" autocomplete="current-password" required=true />
                        <p class="small"><A href="/mot-de-passe-oublie">{t!(i, "Mot de passe oublié ?", "Forgot your password?")}</A></p>
                    }.into_any()
                } else {
                    view! {
                        <TextField id="invitation-nom" label=t!(i, "Votre nom", "Your name") value=name
                            error=error_of(errors, "name") autocomplete="name" required=true />
                        <TextField id="invitation-mot-de-passe" label=t!(i, "Choisissez un mot de passe", "Choose a password") value=password
                            error=error_of(errors, "password") kind="password" autocomplete="new-password" required=true hint=password_hint(i) />
                        <TextField id="invitation-mot-de-passe-bis" label=t!(i, "Saisissez-le à nouveau", "Type it again") value=repeated
                            error=error_of(errors, "password_bis") kind="password" autocomplete="new-password" required=true />
                        <LangChoice id="invitation-langue" value=lang />
                    }.into_any()
                }}
                <p><button type="submit" class="button" id="invitation-accepter" disabled=move || busy.get()>
                    {t!(i, "Accepter l'invitation", "Accept the invitation")}</button></p>
                <p class="small muted">{t!(i, "En acceptant, vous acceptez les", "By accepting, you accept the")}" "
                    <A href="/conditions">{t!(i, "conditions d'utilisation", "terms of use")}</A>"."</p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            </form>
        }>
            <LinkGone then=("Demandez une nouvelle invitation à la personne qui vous a invité.", "Ask the person who invited you for a new invitation.")
                href="/connexion" label=("Connexion", "Sign in") />
        </Show>
    }
}
