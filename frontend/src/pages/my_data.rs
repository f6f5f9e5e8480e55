//! "Mes données" (`/espace/compte/donnees`, issue 18): download everything QMI
//! holds about one's account (`GET /api/me/export`, a JSON file), and delete
//! the account (`DELETE /api/me`, the password confirming it): the name, the
//! e-mail address and the password go; what the person wrote or decided for a
//! commune or an organisation stays, no longer naming them. The last admin of
//! a commune is told which communes first need another admin.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qmi_api::accountability::EraseMe;
use qmi_api::identity::{Lang, Me};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::access::{field_error, show_failure};
use crate::pages::space::SignedIn;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, TextField, error_of};

/// The export's address (a link: it is fetched with the token on click).
const EXPORT: &str = "/api/me/export";

/// `/espace/compte/donnees`.
#[component]
pub fn MyData() -> impl IntoView {
    view! { <SignedIn page=|me: Me| view! { <MyDataPage me /> } /> }
}

#[component]
fn MyDataPage(me: Me) -> impl IntoView {
    let i = use_i18n();
    view! {
        <section aria-labelledby="titre-donnees">
            <p><A href="/espace/compte">{t!(i, "← Mon compte", "← My account")}</A></p>
            <h1 id="titre-donnees">{t!(i, "Mes données", "My data")}</h1>
            <p>{t!(i,
                "Ce que QMI conserve sur vous, et vos droits sur ces données : les obtenir (articles 15 et 20 du RGPD) et les faire effacer (article 17).",
                "What QMI keeps about you, and your rights over it: getting it (GDPR articles 15 and 20) and having it erased (article 17).")}</p>
            <p class="muted">{t!(i, "Compte :", "Account:")}" "<strong id="donnees-email">{me.email.clone()}</strong></p>
        </section>
        <Export />
        <Erase />
    }
}

/// "Télécharger mes données".
#[component]
fn Export() -> impl IntoView {
    let i = use_i18n();
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let download = move |ev: leptos::ev::MouseEvent| {
        // A plain link would carry no token: the file is fetched with it.
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        done.set(false);
        spawn_local(async move {
            let result = api::download(EXPORT, "qmi-mes-donnees.json").await;
            busy.set(false);
            done.set(result.is_ok());
            failure.set(result.err());
        });
    };
    view! {
        <section aria-labelledby="titre-export">
            <h2 id="titre-export">{t!(i, "Télécharger mes données", "Download my data")}</h2>
            <p>{t!(i,
                "Un fichier JSON avec tout ce que QMI conserve sur vous : votre compte (nom, adresse, langue, rôles), ce que vous avez rédigé (candidatures, évaluations, notes, avis), vos notifications et les entrées du journal d'audit qui désignent votre compte.",
                "A JSON file with everything QMI keeps about you: your account (name, address, language, roles), what you wrote (applications, reviews, notes, feedback), your notifications and the audit trail entries that name your account.")}</p>
            <p class="actions">
                <a href=EXPORT class="button" id="donnees-telecharger" download="qmi-mes-donnees.json"
                    aria-disabled=move || busy.get().then_some("true") on:click=download>
                    {t!(i, "Télécharger mes données", "Download my data")}
                </a>
            </p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <p role="status" id="donnees-telechargees">{move || done.get().then(|| i.t(
                "Fichier téléchargé : qmi-mes-donnees.json.",
                "File downloaded: qmi-mes-donnees.json."))}</p>
        </section>
    }
}

/// "Supprimer mon compte".
#[component]
fn Erase() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<ApiError>);
    // The communes where the account is the last admin (the API's detail).
    let last_admin = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        last_admin.set(None);
        errors.set(Default::default());
        let password_v = password.get_untracked();
        if password_v.is_empty() {
            field_error(
                errors,
                "password",
                i.t(
                    "Saisissez votre mot de passe pour confirmer.",
                    "Enter your password to confirm.",
                ),
            );
            crate::ui::focus_first_invalid();
            return;
        }
        if !crate::ui::confirm(i.t(
            "Supprimer définitivement votre compte ? Vous serez déconnecté·e et ne pourrez plus vous connecter. Cette action ne peut pas être annulée.",
            "Delete your account for good? You will be signed out and can no longer sign in. This cannot be undone.",
        )) {
            return;
        }
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            let body = serde_json::to_string(&EraseMe {
                password: password_v,
            })
            .map_err(ApiError::network);
            let result = match body {
                Ok(json) => api::text(Method::DELETE, "/api/me", Some(json))
                    .await
                    .map(drop),
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    // The account and its sessions are gone: forget them here too.
                    session.expired();
                    navigate("/", Default::default());
                }
                Err(e) if e.status == 409 => {
                    last_admin.set(Some(e.message()));
                    crate::ui::focus("#suppression-dernier-admin");
                }
                Err(e) => {
                    show_failure(
                        i,
                        errors,
                        failure,
                        e,
                        &[("password", ("Mot de passe incorrect.", "Wrong password."))],
                    );
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-suppression" id="suppression">
            <h2 id="titre-suppression">{t!(i, "Supprimer mon compte", "Delete my account")}</h2>
            <div class="form-grid">
                <h3>{t!(i, "Ce qui est effacé", "What is erased")}</h3>
                <ul id="suppression-efface">
                    <li>{t!(i, "votre nom, votre adresse électronique et votre mot de passe ;", "your name, your e-mail address and your password;")}</li>
                    <li>{t!(i, "vos sessions ouvertes : vous ne pourrez plus vous connecter ;", "your signed-in sessions: you can no longer sign in;")}</li>
                    <li>{t!(i, "vos notifications et la trace des e-mails qui vous ont été envoyés.", "your notifications and the record of the e-mails sent to you.")}</li>
                </ul>
                <h3>{t!(i, "Ce qui reste, sans plus vous nommer", "What stays, no longer naming you")}</h3>
                <p id="suppression-reste">{t!(i,
                    "Ce que vous avez rédigé ou décidé au nom d'une commune ou d'une organisation reste à elle : candidatures, évaluations et leurs notes, décisions, notes, comptes rendus. Un identifiant anonyme y remplace le vôtre ; le journal d'audit garde ses entrées, qui ne désignent les comptes que par leur identifiant.",
                    "What you wrote or decided on behalf of a commune or an organisation stays theirs: applications, reviews and their scores, decisions, notes, reports. An anonymous id replaces yours there; the audit trail keeps its entries, which name accounts by their id only.")}</p>
                <p class="notice">{t!(i,
                    "Si vous êtes le dernier administrateur ou la dernière administratrice d'une commune, nommez d'abord quelqu'un d'autre à ce rôle : la suppression est refusée tant que la commune n'aurait plus personne pour la gérer.",
                    "If you are the last admin of a commune, first give someone else that role: the deletion is refused while the commune would be left with nobody to run it.")}</p>
                <form on:submit=submit novalidate id="form-suppression">
                    <TextField id="suppression-mot-de-passe" label=t!(i, "Votre mot de passe", "Your password") value=password
                        error=error_of(errors, "password") kind="password" autocomplete="current-password" required=true
                        hint=t!(i, "Il confirme que c'est bien vous qui demandez la suppression.", "It confirms that you are the one asking for the deletion.") />
                    {move || last_admin.get().map(|detail| {
                        // The API's detail names the communes; in French when the
                        // table knows it, else as written (in English: marked so).
                        let french = crate::messages::french(&detail);
                        let shown_lang = if i.lang() == Lang::Fr && french.is_none() { Some("en") } else { None };
                        let text = match i.lang() {
                            Lang::Fr => french.unwrap_or(detail),
                            Lang::En => detail,
                        };
                        view! {
                            <div class="notice notice-error" role="alert" id="suppression-dernier-admin" tabindex="-1">
                                <p>{t!(i, "Votre compte n'a pas été supprimé : vous êtes le dernier administrateur ou la dernière administratrice de communes. Nommez d'abord quelqu'un d'autre à ce rôle.", "Your account was not deleted: you are the last admin of communes. First give someone else that role.")}</p>
                                <p lang=shown_lang>{crate::ui::sentence(text)}</p>
                            </div>
                        }
                    })}
                    {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                    <p><button type="submit" class="button button-danger" id="suppression-confirmer" disabled=move || busy.get()>
                        {t!(i, "Supprimer définitivement mon compte", "Delete my account for good")}
                    </button></p>
                </form>
            </div>
        </section>
    }
}
