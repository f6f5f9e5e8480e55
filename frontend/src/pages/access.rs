//! Coming in without an account, or without a password: an invitation link,
//! the partner sign-up and its confirmation link, a forgotten password and its
//! reset link. Every link is single use and checked by the API; a used,
//! expired, revoked or unknown one reads the same ("ce lien n'est plus
//! valable"). These pages, the account's own (`/espace/compte`,
//! `/espace/notifications`) and the programme team's invitations
//! (`/espace/equipe`) share one lazily loaded module, `compte`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use qmi_api::identity::{
    AcceptInvitation, ConfirmEmail, Email, InvitationPreview, Joining, Lang, LinkSent, Me,
    PASSWORD_MIN_CHARS, PasswordResetConfirm, PasswordResetRequest, SignUp, SignUpReceived,
    TokenResponse,
};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::space::role_label;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, route_param};

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
        field_error(
            errors,
            field,
            i.t(
                "Choisissez un mot de passe de 12 caractères au moins.",
                "Choose a password of at least 12 characters.",
            ),
        );
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

/// `/invitation/:token`: what the invitation offers, then accepting it (a
/// newcomer chooses name, password and language; an existing account gives
/// its password); signed in, the person lands in "Mon espace".
#[component]
fn InvitationLink() -> impl IntoView {
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
                    api_errors(
                        i,
                        errors,
                        &e,
                        &[
                            (
                                "password",
                                if exists {
                                    ("Mot de passe incorrect.", "Wrong password.")
                                } else {
                                    (
                                        "Choisissez un mot de passe de 12 caractères au moins.",
                                        "Choose a password of at least 12 characters.",
                                    )
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
                    if e.errors.is_empty() {
                        failure.set(Some(e));
                    }
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

/// `/inscription`: a partner creates an account; a link to confirm the
/// address follows by e-mail.
#[component]
fn SignUpPage() -> impl IntoView {
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
                    api_errors(
                        i,
                        errors,
                        &e,
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
                            (
                                "password",
                                (
                                    "Choisissez un mot de passe de 12 caractères au moins.",
                                    "Choose a password of at least 12 characters.",
                                ),
                            ),
                        ],
                    );
                    if e.errors.is_empty() {
                        failure.set(Some(e));
                    }
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
fn ConfirmPage() -> impl IntoView {
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

/// `/mot-de-passe-oublie`: asks for a reset link (the answer is the same
/// whether or not the address has an account).
#[component]
fn ForgotPage() -> impl IntoView {
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
                    api_errors(
                        i,
                        errors,
                        &e,
                        &[(
                            "email",
                            (
                                "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                                "Enter a valid e-mail address (name@domain.org).",
                            ),
                        )],
                    );
                    if e.errors.is_empty() {
                        failure.set(Some(e));
                    }
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
fn ResetPage() -> impl IntoView {
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
                    api_errors(
                        i,
                        errors,
                        &e,
                        &[(
                            "password",
                            (
                                "Choisissez un mot de passe de 12 caractères au moins.",
                                "Choose a password of at least 12 characters.",
                            ),
                        )],
                    );
                    if e.errors.is_empty() {
                        failure.set(Some(e));
                    }
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
