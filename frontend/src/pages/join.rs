//! Joining an organisation: after sign-up, a partner creates theirs or finds
//! an existing one (by name or SIRET) and asks to join it; the organisation's
//! members see the requests and approve or refuse each.

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::identity::{JoinRequest, Me, Siret};
use qmi_api::partners::{Directory, DirectoryEntry, Profile};

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::organisation::{CreateForm, kind_label};
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// Whether `e` says the account's e-mail is not confirmed yet.
pub fn unconfirmed(e: &ApiError) -> bool {
    e.code.as_deref() == Some("email-unconfirmed")
}

/// What to do when the address is not confirmed yet.
pub fn unconfirmed_notice(i: I18n) -> AnyView {
    view! {
        <div class="notice notice-error" role="alert" id="adresse-non-confirmee">
            <p>{t!(i, "Confirmez d'abord votre adresse e-mail : suivez le lien reçu après votre inscription (valable 24 heures). Sans lien valable, inscrivez-vous à nouveau avec la même adresse pour en recevoir un nouveau.", "Confirm your e-mail address first: follow the link received after signing up (valid for 24 hours). Without a valid link, sign up again with the same address to get a new one.")}</p>
        </div>
    }
    .into_any()
}

/// Reads `/api/me` with a fresh token (the organisation just joined or
/// created is in it) and replaces the session's account: the page shows the
/// organisation.
async fn reload_me(session: crate::session::Session) {
    crate::session::mark_stale();
    if let Ok(me) = api::get::<Me>("/api/me").await {
        session.me.set(Some(me));
    }
}

/// Create an organisation, or find one and ask to join it.
#[component]
pub fn NoOrganisation() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let created = Callback::new(move |_p: Profile| {
        spawn_local(reload_me(session));
    });
    view! {
        <section aria-labelledby="titre-creer-organisation">
            <h2 id="titre-creer-organisation">{t!(i, "Créer votre organisation", "Create your organisation")}</h2>
            <p>{t!(i, "Elle figurera dans l'annuaire des partenaires ; vous en serez le premier membre et pourrez inviter vos collègues.", "It will be listed in the partner directory; you will be its first member and can invite your colleagues.")}</p>
            <CreateForm on_created=created />
        </section>
        <FindAndJoin />
    }
}

/// The search: a name (3 characters at least) or a SIRET (14 digits).
#[component]
fn FindAndJoin() -> impl IntoView {
    let i = use_i18n();
    let query = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let searched = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = query.get_untracked().trim().to_owned();
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let filter = if digits.len() == 14 && digits.chars().all(|c| c.is_ascii_digit()) {
            match digits.parse::<Siret>() {
                Ok(siret) => format!("siret={siret}"),
                Err(_) => {
                    error.set(Some(
                        i.t(
                            "Ce SIRET n'est pas valable (clé de contrôle).",
                            "This SIRET is not valid (check digit).",
                        )
                        .to_owned(),
                    ));
                    crate::ui::focus_first_invalid();
                    return;
                }
            }
        } else if text.chars().count() >= 3 {
            format!("q={}", api::encode(&text))
        } else {
            error.set(Some(
                i.t(
                    "Saisissez 3 caractères du nom au moins, ou les 14 chiffres du SIRET.",
                    "Enter at least 3 characters of the name, or the 14 digits of the SIRET.",
                )
                .to_owned(),
            ));
            crate::ui::focus_first_invalid();
            return;
        };
        error.set(None);
        searched.set(Some(format!("/api/organisations?{filter}&limit=20")));
    };
    let results = api::load(move || searched.get());
    view! {
        <section aria-labelledby="titre-rejoindre">
            <h2 id="titre-rejoindre">{t!(i, "Rejoindre une organisation déjà inscrite", "Join an organisation registered already")}</h2>
            <p>{t!(i, "Cherchez-la par son nom ou son SIRET, puis demandez à la rejoindre : l'un de ses membres approuvera votre demande.", "Find it by its name or SIRET, then ask to join it: one of its members will approve your request.")}</p>
            <form on:submit=submit novalidate class="form-grid" id="form-recherche-organisation" role="search">
                <TextField id="recherche-organisation" label=t!(i, "Nom ou SIRET", "Name or SIRET") value=query
                    error=Signal::derive(move || error.get()) />
                <p><button type="submit" class="button button-secondary" id="recherche-valider">{t!(i, "Chercher", "Search")}</button></p>
            </form>
            {move || searched.get().is_some().then(|| match api::read::<Directory>(&results) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) if unconfirmed(&e) => unconfirmed_notice(i),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="notice" role="status" id="aucune-organisation">{t!(i, "Aucune organisation trouvée. Si la vôtre n'est pas inscrite, créez-la ci-dessus.", "No organisation found. If yours is not registered, create it above.")}</p>
                }.into_any(),
                Some(Ok(page)) => view! {
                    <ul class="card-list" id="organisations-trouvees">
                        {page.items.into_iter().map(|o| view! { <Found org=o /> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

/// One organisation found, with "ask to join".
#[component]
fn Found(org: DirectoryEntry) -> impl IntoView {
    let i = use_i18n();
    let asked = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let path = format!("/api/organisations/{}/join-requests", api::encode(&org.id));
    let ask = move |_| {
        let path = path.clone();
        spawn_local(async move {
            match api::post_nobody::<JoinRequest>(&path).await {
                Ok(_) => {
                    failure.set(None);
                    asked.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let label = format!(
        "{} {}",
        i.t("Demander à rejoindre", "Ask to join"),
        org.name
    );
    let kind = org.kind;
    view! {
        <li class="card" data-id=org.id.clone()>
            <h3 class="card-title">{org.name.clone()}</h3>
            <p class="card-meta">{move || kind_label(i, kind)}" · "{org.country.to_string()}
                {org.siret.as_ref().map(|s| format!(" · SIRET {s}"))}</p>
            {move || if asked.get() {
                view! { <p class="notice notice-ok" role="status">{t!(i, "Demande envoyée : un membre de l'organisation l'approuvera. Vous serez prévenu par e-mail.", "Request sent: a member of the organisation will approve it. You will be told by e-mail.")}</p> }.into_any()
            } else {
                view! { <p><button type="button" class="button" aria-label=label.clone() on:click=ask.clone()>{t!(i, "Demander à rejoindre", "Ask to join")}</button></p> }.into_any()
            }}
            {move || failure.get().map(|e| if unconfirmed(&e) { unconfirmed_notice(i) } else { view! { <ErrorNotice error=e /> }.into_any() })}
        </li>
    }
}

/// The pending requests to join the organisation `id`, each approved or
/// refused; `on_answered` runs after an approval (the members changed).
#[component]
pub fn JoinRequests(
    /// The organisation.
    id: String,
    /// Called once a request is approved.
    on_answered: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let base = format!("/api/organisations/{}/join-requests", api::encode(&id));
    let version = RwSignal::new(0u32);
    let list = {
        let base = base.clone();
        api::load(move || {
            version.track();
            Some(base.clone())
        })
    };
    let base = StoredValue::new(base);
    let failure = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<String>);
    let answer = move |request: String, name: String, approve: bool| {
        let verb = if approve { "approve" } else { "refuse" };
        let path = format!("{}/{}/{verb}", base.get_value(), api::encode(&request));
        spawn_local(async move {
            match api::post_nobody::<JoinRequest>(&path).await {
                Ok(_) => {
                    failure.set(None);
                    status.set(Some(if approve {
                        format!(
                            "{name} {}",
                            i.t("a rejoint l'organisation.", "joined the organisation.")
                        )
                    } else {
                        format!("{} {name}.", i.t("Demande refusée :", "Request refused:"))
                    }));
                    version.update(|v| *v += 1);
                    if approve {
                        on_answered.run(());
                    }
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let heading = format!("titre-demandes-{id}");
    let labelled = heading.clone();
    view! {
        <div class="join-requests" aria-labelledby=labelled role="group">
            <h3 id=heading>{t!(i, "Demandes pour rejoindre l'organisation", "Requests to join the organisation")}</h3>
            <p role="status" class="demande-etat">{move || status.get()}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || match api::read::<Vec<JoinRequest>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! {
                    <p class="muted">{t!(i, "Aucune demande en attente.", "No pending request.")}</p>
                }.into_any(),
                Some(Ok(items)) => view! {
                    <ul class="plain-list demandes">
                        {items.into_iter().map(|r| {
                            let (id1, id2) = (r.id.clone(), r.id.clone());
                            let (n1, n2) = (r.name.clone(), r.name.clone());
                            let who = format!("{} ({})", r.name, r.email);
                            let approve_label = format!("{} {}", i.t("Accepter la demande de", "Approve the request of"), r.name);
                            let refuse_label = format!("{} {}", i.t("Refuser la demande de", "Refuse the request of"), r.name);
                            view! {
                                <li data-email=r.email.to_string()>
                                    {who}" — "<span class="muted small">{t!(i, "demandée le", "asked on")}" "{crate::ui::when(r.requested_at)}</span>" "
                                    <button type="button" class="button button-small" aria-label=approve_label
                                        on:click=move |_| answer(id1.clone(), n1.clone(), true)>{t!(i, "Accepter", "Approve")}</button>" "
                                    <button type="button" class="button button-small button-secondary" aria-label=refuse_label
                                        on:click=move |_| answer(id2.clone(), n2.clone(), false)>{t!(i, "Refuser", "Refuse")}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </div>
    }
}
