//! "Mon compte" (`/espace/compte`): name and language, the e-mail address
//! (changed once the new one is confirmed), the password (the current one
//! required; every other session is then signed out), the signed-in sessions
//! with a sign-out for each, and which e-mails the person receives.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qmi_api::identity::{
    EmailChange, LinkSent, Me, MePatch, PasswordChange, Session, TokenResponse,
};
use qmi_api::notifications::{Preferences, Topic};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::access::{
    LangChoice, PASSWORD_RULE, check_new_password, field_error, lang_of, password_hint,
    show_failure,
};
use crate::pages::space::SignedIn;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of};

/// `/espace/compte`.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <SignedIn page=|me: Me| view! { <Account me /> } /> }
}

#[component]
fn Account(me: Me) -> impl IntoView {
    let i = use_i18n();
    view! {
        <section aria-labelledby="titre-compte">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-compte">{t!(i, "Mon compte", "My account")}</h1>
            <p class="muted">{t!(i, "Adresse actuelle :", "Current address:")}" "<strong id="compte-email">{me.email.clone()}</strong></p>
            <p><A href="/espace/compte/donnees" attr:id="lien-mes-donnees">{t!(i, "Mes données : les télécharger, supprimer mon compte", "My data: download it, delete my account")}</A></p>
        </section>
        <Profile me=me.clone() />
        <EmailForm />
        <PasswordForm />
        <Sessions />
        <EmailPreferences />
    }
}

/// Name and language (`PATCH /api/me`).
#[component]
fn Profile(me: Me) -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let name = RwSignal::new(me.name.clone());
    let lang = RwSignal::new(me.lang.as_str().to_owned());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        failure.set(None);
        errors.set(Default::default());
        let name_v = name.get_untracked().trim().to_owned();
        if name_v.is_empty() {
            field_error(
                errors,
                "name",
                i.t("Indiquez votre nom.", "Enter your name."),
            );
            crate::ui::focus_first_invalid();
            return;
        }
        let patch = MePatch {
            name: Some(name_v),
            lang: Some(lang_of(&lang.get_untracked())),
        };
        spawn_local(async move {
            match api::patch::<Me>("/api/me", &patch).await {
                Ok(me) => {
                    name.set(me.name.clone());
                    i.set(me.lang);
                    // Without re-rendering this page (its message would go).
                    session.me.update_untracked(|m| *m = Some(me));
                    saved.set(true);
                }
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[(
                            "name",
                            (
                                "Un nom de 1 à 200 caractères, sur une ligne.",
                                "A name of 1 to 200 characters, on one line.",
                            ),
                        )],
                    );
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-profil">
            <h2 id="titre-profil">{t!(i, "Nom et langue", "Name and language")}</h2>
            <form on:submit=submit novalidate class="form-grid" id="form-profil">
                <TextField id="profil-nom" label=t!(i, "Nom", "Name") value=name error=error_of(errors, "name")
                    autocomplete="name" required=true />
                <LangChoice id="profil-langue" value=lang />
                <p class="hint">{t!(i, "La langue des e-mails que QMI vous envoie, et de l'interface.", "The language of the e-mails QMI sends you, and of the interface.")}</p>
                <p><button type="submit" class="button" id="profil-enregistrer">{t!(i, "Enregistrer", "Save")}</button></p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                <p role="status" id="profil-enregistre">{move || saved.get().then(|| i.t("Profil enregistré.", "Profile saved."))}</p>
            </form>
        </section>
    }
}

/// A new e-mail address (`POST /api/me/email`): applied once the link sent
/// to it is followed.
#[component]
fn EmailForm() -> impl IntoView {
    let i = use_i18n();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(None);
        failure.set(None);
        errors.set(Default::default());
        let address = email.get_untracked().trim().to_owned();
        if address.parse::<qmi_api::identity::Email>().is_err() {
            field_error(
                errors,
                "email",
                i.t(
                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                    "Enter a valid e-mail address (name@domain.org).",
                ),
            );
        }
        if password.with_untracked(String::is_empty) {
            field_error(
                errors,
                "password",
                i.t(
                    "Saisissez votre mot de passe actuel.",
                    "Enter your current password.",
                ),
            );
        }
        if !errors.with_untracked(|e| e.is_empty()) {
            crate::ui::focus_first_invalid();
            return;
        }
        let body = EmailChange {
            email: address,
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<LinkSent>("/api/me/email", &body).await {
                Ok(r) => {
                    email.set(String::new());
                    password.set(String::new());
                    sent.set(Some(r.email.to_string()));
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
                                    "Saisissez une adresse e-mail valide, autre que l'actuelle.",
                                    "Enter a valid e-mail address, other than the current one.",
                                ),
                            ),
                            ("password", ("Mot de passe incorrect.", "Wrong password.")),
                        ],
                    );
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-adresse">
            <h2 id="titre-adresse">{t!(i, "Adresse e-mail", "E-mail address")}</h2>
            <p>{t!(i, "Un lien de confirmation, valable 24 heures, est envoyé à la nouvelle adresse ; elle remplace l'actuelle une fois le lien suivi.", "A confirmation link, valid for 24 hours, is sent to the new address; it replaces the current one once the link is followed.")}</p>
            <form on:submit=submit novalidate class="form-grid" id="form-adresse">
                <TextField id="adresse-nouvelle" label=t!(i, "Nouvelle adresse", "New address") value=email
                    error=error_of(errors, "email") kind="email" autocomplete="email" required=true />
                <TextField id="adresse-mot-de-passe" label=t!(i, "Mot de passe actuel", "Current password") value=password
                    error=error_of(errors, "password") kind="password" autocomplete="current-password" required=true />
                <p><button type="submit" class="button button-secondary" id="adresse-changer">{t!(i, "Changer d'adresse", "Change the address")}</button></p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                <p role="status" id="adresse-envoyee">{move || sent.get().map(|a| format!("{} {a}. {}",
                    i.t("Lien de confirmation envoyé à", "Confirmation link sent to"),
                    i.t("Suivez-le pour que l'adresse change.", "Follow it for the address to change.")))}</p>
            </form>
        </section>
    }
}

/// A new password (`POST /api/me/password`): this session carries on with new
/// tokens, every other one is signed out.
#[component]
fn PasswordForm() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        failure.set(None);
        errors.set(Default::default());
        let current_v = current.get_untracked();
        if current_v.is_empty() {
            field_error(
                errors,
                "current_password",
                i.t(
                    "Saisissez votre mot de passe actuel.",
                    "Enter your current password.",
                ),
            );
        }
        let new = password.get_untracked();
        let fine = check_new_password(
            i,
            errors,
            "new_password",
            "new_password_bis",
            &new,
            &repeated.get_untracked(),
        );
        if !fine || current_v.is_empty() {
            crate::ui::focus_first_invalid();
            return;
        }
        let body = PasswordChange {
            current_password: current_v,
            new_password: new,
        };
        spawn_local(async move {
            match api::post::<TokenResponse>("/api/me/password", &body).await {
                Ok(tokens) => {
                    session.renew(tokens);
                    for s in [current, password, repeated] {
                        s.set(String::new());
                    }
                    done.set(true);
                    crate::pages::account::refresh_sessions();
                }
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[
                            (
                                "current_password",
                                ("Mot de passe actuel incorrect.", "Wrong current password."),
                            ),
                            ("new_password", PASSWORD_RULE),
                        ],
                    );
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-mot-de-passe">
            <h2 id="titre-mot-de-passe">{t!(i, "Mot de passe", "Password")}</h2>
            <p>{t!(i, "Une fois le mot de passe changé, vos autres sessions sont fermées ; celle-ci reste ouverte.", "Once the password is changed, your other sessions are signed out; this one stays open.")}</p>
            <form on:submit=submit novalidate class="form-grid" id="form-mot-de-passe">
                <TextField id="mot-de-passe-actuel" label=t!(i, "Mot de passe actuel", "Current password") value=current
                    error=error_of(errors, "current_password") kind="password" autocomplete="current-password" required=true />
                <TextField id="mot-de-passe-nouveau" label=t!(i, "Nouveau mot de passe", "New password") value=password
                    error=error_of(errors, "new_password") kind="password" autocomplete="new-password" required=true hint=password_hint(i) />
                <TextField id="mot-de-passe-nouveau-bis" label=t!(i, "Saisissez-le à nouveau", "Type it again") value=repeated
                    error=error_of(errors, "new_password_bis") kind="password" autocomplete="new-password" required=true />
                <p><button type="submit" class="button button-secondary" id="mot-de-passe-changer">{t!(i, "Changer le mot de passe", "Change the password")}</button></p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                <p role="status" id="mot-de-passe-change">{move || done.get().then(|| i.t(
                    "Mot de passe changé. Vos autres sessions sont fermées.",
                    "Password changed. Your other sessions are signed out."))}</p>
            </form>
        </section>
    }
}

thread_local! {
    /// Bumped to read the sessions again (after a change of password).
    static SESSIONS_VERSION: std::cell::Cell<Option<RwSignal<u32>>> = const { std::cell::Cell::new(None) };
}

/// Reads the list of sessions again, if it is shown.
pub fn refresh_sessions() {
    if let Some(v) = SESSIONS_VERSION.with(std::cell::Cell::get) {
        let _ = v.try_update(|n| *n += 1);
    }
}

/// The signed-in sessions, each with a sign-out.
#[component]
fn Sessions() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let version = RwSignal::new(0u32);
    SESSIONS_VERSION.with(|v| v.set(Some(version)));
    let list = api::load(move || {
        version.track();
        Some("/api/me/sessions".to_owned())
    });
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<&'static str>);
    let sign_out = move |id: String, own: bool| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if own {
                session.sign_out().await;
                navigate("/", Default::default());
                return;
            }
            match api::delete(&format!("/api/me/sessions/{}", api::encode(&id))).await {
                Ok(()) => {
                    failure.set(None);
                    done.set(Some(i.t("Session fermée.", "Session signed out.")));
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let mine = crate::session::session_id();
    view! {
        <section aria-labelledby="titre-sessions">
            <h2 id="titre-sessions">{t!(i, "Sessions ouvertes", "Signed-in sessions")}</h2>
            <p>{t!(i, "Les appareils et navigateurs connectés à votre compte. Fermez une session que vous ne reconnaissez pas, puis changez votre mot de passe.", "The devices and browsers signed in to your account. Sign out a session you do not recognise, then change your password.")}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <p role="status" id="session-fermee">{move || done.get()}</p>
            {move || match api::read::<Vec<Session>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(sessions)) => {
                    let rows = sessions.into_iter().map(|s| {
                        let own = s.current || mine.as_deref() == Some(s.id.as_str());
                        let agent = s.user_agent.clone().filter(|a| !a.is_empty())
                            .unwrap_or_else(|| i.t("Navigateur inconnu", "Unknown browser").to_owned());
                        let label = format!("{} {agent}", if own {
                            i.t("Se déconnecter de cette session :", "Sign out of this session:")
                        } else {
                            i.t("Fermer la session", "Sign out the session")
                        });
                        let id = s.id.clone();
                        let sign_out = sign_out.clone();
                        let action = view! {
                            <button type="button" class="button button-small button-secondary" aria-label=label
                                on:click=move |_| sign_out(id.clone(), own)>
                                {if own { i.t("Se déconnecter", "Sign out") } else { i.t("Fermer", "Sign out") }}
                            </button>
                        }.into_any();
                        let first = view! {
                            <span>{agent.clone()}</span>
                            {own.then(|| view! { " " <span class="badge">{i.t("cette session", "this session")}</span> })}
                        }.into_any();
                        (agent, vec![first, crate::ui::when(s.started_at), crate::ui::when(s.last_used_at), action])
                    }).collect();
                    crate::ui::table(
                        "table-sessions",
                        t!(i, "Sessions ouvertes", "Signed-in sessions"),
                        vec![
                            t!(i, "Navigateur", "Browser"),
                            t!(i, "Ouverte le", "Signed in on"),
                            t!(i, "Dernière activité", "Last active"),
                            t!(i, "Action", "Action"),
                        ],
                        rows,
                    )
                }
            }}
        </section>
    }
}

/// The label of an e-mail topic.
fn topic_label(i: I18n, topic: Topic) -> &'static str {
    match topic {
        Topic::Receipts => i.t(
            "Les accusés de réception de vos candidatures",
            "Receipts of your applications",
        ),
        Topic::Reviews => i.t(
            "Les candidatures à évaluer qui vous sont confiées",
            "Applications assigned to you for review",
        ),
        Topic::Deadlines => i.t(
            "Les rappels avant la clôture d'un appel où vous avez un brouillon",
            "Reminders before a call closes where you hold a draft",
        ),
        Topic::Decisions => i.t(
            "Les décisions publiées, avec leur lettre",
            "Published decisions, with their letter",
        ),
        Topic::Memberships => i.t(
            "Les arrivées et départs dans votre commune ou votre organisation",
            "People joining or leaving your commune or organisation",
        ),
    }
}

/// Which e-mails the person receives (`GET|PUT /api/notifications/preferences`).
#[component]
fn EmailPreferences() -> impl IntoView {
    let i = use_i18n();
    let loaded = api::load(|| Some("/api/notifications/preferences".to_owned()));
    view! {
        <section aria-labelledby="titre-preferences" id="preferences">
            <h2 id="titre-preferences">{t!(i, "E-mails reçus", "E-mails received")}</h2>
            <p>{t!(i, "Toutes vos notifications restent visibles dans QMI. Choisissez celles que vous recevez aussi par e-mail. Les invitations, les liens de confirmation et les messages sur la sécurité de votre compte vous sont toujours envoyés.", "All your notifications stay visible in QMI. Choose those you also receive by e-mail. Invitations, confirmation links and messages about your account's security are always sent.")}</p>
            {move || match api::read::<Preferences>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) => view! { <PreferencesForm chosen=p.email /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PreferencesForm(chosen: Vec<Topic>) -> impl IntoView {
    let i = use_i18n();
    let boxes: Vec<(Topic, RwSignal<bool>)> = Topic::ALL
        .into_iter()
        .map(|t| (t, RwSignal::new(chosen.contains(&t))))
        .collect();
    let boxes = StoredValue::new(boxes);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let body = Preferences {
            email: boxes.with_value(|b| {
                b.iter()
                    .filter(|(_, on)| on.get_untracked())
                    .map(|(t, _)| *t)
                    .collect()
            }),
        };
        spawn_local(async move {
            match api::put::<Preferences>("/api/notifications/preferences", &body).await {
                Ok(_) => {
                    failure.set(None);
                    saved.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <form on:submit=submit id="form-preferences">
            <fieldset>
                <legend>{t!(i, "Recevoir par e-mail", "Receive by e-mail")}</legend>
                {boxes.with_value(|b| b.iter().map(|(topic, on)| {
                    let (topic, on) = (*topic, *on);
                    let id = format!("preference-{}", topic_key(topic));
                    view! {
                        <div class="choice">
                            <input type="checkbox" id=id.clone() bind:checked=on />
                            <label for=id>{move || topic_label(i, topic)}</label>
                        </div>
                    }
                }).collect_view())}
            </fieldset>
            <p><button type="submit" class="button button-secondary" id="preferences-enregistrer">{t!(i, "Enregistrer mes choix", "Save my choices")}</button></p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <p role="status" id="preferences-enregistrees">{move || saved.get().then(|| i.t("Choix enregistrés.", "Choices saved."))}</p>
        </form>
    }
}

/// A topic's wire name (for element ids).
fn topic_key(topic: Topic) -> &'static str {
    match topic {
        Topic::Receipts => "receipts",
        Topic::Reviews => "reviews",
        Topic::Deadlines => "deadlines",
        Topic::Decisions => "decisions",
        Topic::Memberships => "memberships",
    }
}
