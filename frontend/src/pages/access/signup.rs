//! The partner's sign-up and the link that confirms its address.

use super::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::{ConfirmEmail, Email, Me, SignUp, SignUpReceived, TokenResponse};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, route_param};

/// `/inscription`: a partner creates an account; a link to confirm the
/// address follows by e-mail.
#[component]
pub(super) fn SignUpPage() -> impl IntoView {
    let i = use_i18n();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let lang = RwSignal::new(i.lang().as_str().to_owned());
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
        let name_v = name.get_untracked().trim().to_owned();
        if name_v.is_empty() {
            field_error(
                errors,
                "name",
                i.t("Indiquez votre nom.", "Enter your name."),
            );
        }
        let address = email.get_untracked().trim().parse::<Email>();
        if address.is_err() {
            field_error(
                errors,
                "email",
                i.t(
                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                    "Enter a valid e-mail address (name@domain.org).",
                ),
            );
        }
        let pw = password.get_untracked();
        let pw_ok = check_new_password(
            i,
            errors,
            "password",
            "password_bis",
            &pw,
            &repeated.get_untracked(),
        );
        let (Ok(address), true, false) = (address, pw_ok, name_v.is_empty()) else {
            crate::ui::focus_first_invalid();
            return;
        };
        let body = SignUp {
            email: address,
            name: name_v,
            password: pw,
            lang: Some(lang_of(&lang.get_untracked())),
        };
        busy.set(true);
        spawn_local(async move {
            match api::auth_post::<SignUpReceived>("/api/auth/sign-up", &body).await {
                Ok(r) => {
                    password.set(String::new());
                    repeated.set(String::new());
                    sent.set(Some(r.email.to_string()));
                    crate::ui::focus("#inscription-envoyee");
                }
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[
                            (
                                "email",
                                (
                                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                                    "Enter a valid e-mail address (name@domain.org).",
                                ),
                            ),
                            (
                                "name",
                                (
                                    "Un nom de 1 à 200 caractères, sur une ligne.",
                                    "A name of 1 to 200 characters, on one line.",
                                ),
                            ),
                            ("password", PASSWORD_RULE),
                        ],
                    );
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="narrow" aria-labelledby="titre-inscription">
            <p class="eyebrow">{t!(i, "Organisations partenaires", "Partner organisations")}</p>
            <h1 id="titre-inscription">{t!(i, "Créer un compte", "Create an account")}</h1>
            {move || match sent.get() {
                Some(address) => view! {
                    <div class="notice notice-ok" role="status" id="inscription-envoyee" tabindex="-1">
                        <p><strong>{t!(i, "Vérifiez votre messagerie.", "Check your mailbox.")}</strong></p>
                        <p>{format!("{} {address}. {}",
                            i.t("Un lien pour confirmer votre adresse vient d'être envoyé à", "A link to confirm your address was just sent to"),
                            i.t("Il est valable 24 heures. Une fois l'adresse confirmée, vous créerez votre organisation ou demanderez à rejoindre la vôtre.",
                                "It is valid for 24 hours. Once the address is confirmed, you will create your organisation or ask to join yours."))}</p>
                        <p class="small">{t!(i, "Rien reçu ? Regardez dans les indésirables, ou inscrivez-vous à nouveau : le nouveau lien remplace le précédent.", "Nothing received? Look in your spam folder, or sign up again: the new link replaces the previous one.")}</p>
                    </div>
                }.into_any(),
                None => view! {
                    <p>{t!(i, "Startup, association ou entreprise : créez votre compte pour candidater aux appels des communes et du programme. Les personnes des communes et les évaluateurs, eux, rejoignent QMI sur invitation.", "Startup, association or company: create your account to apply to the calls of the communes and the programme. Commune staff and reviewers join QMI by invitation.")}</p>
                    <form on:submit=submit novalidate id="form-inscription">
                        <TextField id="inscription-nom" label=t!(i, "Votre nom", "Your name") value=name
                            error=error_of(errors, "name") autocomplete="name" required=true />
                        <TextField id="inscription-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                            error=error_of(errors, "email") kind="email" autocomplete="email" required=true />
                        <TextField id="inscription-mot-de-passe" label=t!(i, "Mot de passe", "Password") value=password
                            error=error_of(errors, "password") kind="password" autocomplete="new-password" required=true hint=password_hint(i) />
                        <TextField id="inscription-mot-de-passe-bis" label=t!(i, "Saisissez-le à nouveau", "Type it again") value=repeated
                            error=error_of(errors, "password_bis") kind="password" autocomplete="new-password" required=true />
                        <LangChoice id="inscription-langue" value=lang />
                        <p class="small">{t!(i, "En créant un compte, vous acceptez les", "By creating an account, you accept the")}" "
                            <A href="/conditions">{t!(i, "conditions d'utilisation", "terms of use")}</A>". "
                            {t!(i, "Vos données sont traitées comme le décrit la", "Your data is processed as described in the")}" "
                            <A href="/confidentialite">{t!(i, "politique de confidentialité", "privacy notice")}</A>"."</p>
                        <p><button type="submit" class="button" id="inscription-valider" disabled=move || busy.get()>
                            {t!(i, "Créer mon compte", "Create my account")}</button></p>
                        {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                    </form>
                    <p>{t!(i, "Déjà un compte ?", "Have an account already?")}" "<A href="/connexion">{t!(i, "Se connecter", "Sign in")}</A></p>
                }.into_any(),
            }}
        </section>
    }
}

/// `/confirmer/:token`: the address is confirmed as the page opens, and the
/// person signed in; a partner without an organisation is sent on to create
/// or join one.
#[component]
pub(super) fn ConfirmPage() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let token = route_param("token");
    let outcome = api::compute(move || {
        let token = token.clone();
        async move {
            let tokens =
                api::auth_post::<TokenResponse>("/api/auth/confirm-email", &ConfirmEmail { token })
                    .await?;
            session.start(tokens).await?;
            session.me.get_untracked().ok_or_else(ApiError::signed_out)
        }
    });
    view! {
        <section class="narrow" aria-labelledby="titre-confirmer">
            <h1 id="titre-confirmer">{t!(i, "Confirmation de l'adresse", "Address confirmation")}</h1>
            {move || match outcome.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) if link_unavailable(&e) => view! {
                    <LinkGone then=("Si votre adresse n'est pas encore confirmée, inscrivez-vous à nouveau : un nouveau lien vous sera envoyé.", "If your address is not confirmed yet, sign up again: a new link will be sent to you.")
                        href="/inscription" label=("Créer un compte", "Create an account") />
                }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(me)) => confirmed(i, me),
            }}
        </section>
    }
}

/// What follows a confirmed address.
fn confirmed(i: I18n, me: Me) -> AnyView {
    let newcomer =
        me.organisation.is_none() && me.memberships.is_empty() && me.platform_roles.is_empty();
    view! {
        <div class="notice notice-ok" role="status" id="adresse-confirmee">
            <p>{format!("{} {}", i.t("Votre adresse est confirmée :", "Your address is confirmed:"), me.email)}</p>
        </div>
        {if newcomer {
            view! {
                <p class="lead">{t!(i, "Dernière étape : créez votre organisation, ou demandez à rejoindre celle de vos collègues si elle est déjà inscrite.", "Last step: create your organisation, or ask to join your colleagues' if it is registered already.")}</p>
                <p><A href="/espace/organisation" attr:class="button" attr:id="vers-organisation">{t!(i, "Créer ou rejoindre mon organisation", "Create or join my organisation")}</A></p>
            }.into_any()
        } else {
            view! { <p><A href="/espace" attr:class="button" attr:id="vers-espace">{t!(i, "Aller à mon espace", "Go to my space")}</A></p> }.into_any()
        }}
    }
    .into_any()
}
