//! "Mes notifications" (`/espace/notifications`): what QMI told the person,
//! newest first, a page at a time; each marked read on its own, or all at
//! once; following a notice's link marks it read.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::Me;
use qmi_api::notifications::Notice;

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

/// The listing's query (the cursor is added for the next pages).
const QUERY: &str = "/api/notifications?limit=50";

/// `/espace/notifications`.
#[component]
pub fn Notices() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <NoticeList /> } /> }
}

#[component]
fn NoticeList() -> impl IntoView {
    let i = use_i18n();
    let list = Paged::<Notice>::new();
    list.load(QUERY.to_owned(), true);
    let failure = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<&'static str>);
    // Marks `id` read here at once, then on the server.
    let mark = move |id: String| {
        list.items.update(|items| {
            if let Some(n) = items.iter_mut().find(|n| n.id == id) {
                n.read = true;
            }
        });
        spawn_local(async move {
            let path = format!("/api/notifications/{}/read", api::encode(&id));
            match api::post_bare(&path).await {
                Ok(()) => crate::app::recount_unread(),
                Err(e) => {
                    let _ = failure.try_set(Some(e));
                }
            }
        });
    };
    let mark_all = move |_| {
        spawn_local(async move {
            match api::post_bare("/api/notifications/read-all").await {
                Ok(()) => {
                    list.items
                        .update(|items| items.iter_mut().for_each(|n| n.read = true));
                    failure.set(None);
                    status.set(Some(i.t(
                        "Toutes les notifications sont marquées comme lues.",
                        "Every notification is marked read.",
                    )));
                    crate::app::recount_unread();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let unread = move || list.items.with(|items| items.iter().any(|n| !n.read));
    view! {
        <section aria-labelledby="titre-notifications">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-notifications">{t!(i, "Mes notifications", "My notifications")}</h1>
            <p>{t!(i, "Ce que QMI vous a signalé, du plus récent au plus ancien.", "What QMI told you, newest first.")}" "
                <A href="/espace/compte#preferences">{t!(i, "Choisir les e-mails que je reçois", "Choose the e-mails I receive")}</A></p>
            <p class="actions">
                <button type="button" class="button button-secondary" id="tout-lire" disabled=move || !unread()
                    on:click=mark_all>{t!(i, "Tout marquer comme lu", "Mark all read")}</button>
            </p>
            <p role="status" id="notifications-etat">{move || status.get()}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || list.error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || {
                if list.loading.get() && list.items.with(Vec::is_empty) {
                    return view! { <Loading /> }.into_any();
                }
                if list.items.with(Vec::is_empty) {
                    return view! { <p class="notice" id="aucune-notification">{t!(i, "Aucune notification pour l'instant.", "No notification yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="card-list" id="liste-notifications">
                        {list.items.get().into_iter().map(|n| notice(n, mark)).collect_view()}
                    </ul>
                }.into_any()
            }}
            {crate::ui::load_more("notifications-plus", list.done, list.loading, move || list.load(QUERY.to_owned(), false))}
        </section>
    }
}

/// One notice: title, when, text, its link, and "mark read" while unread.
fn notice(n: Notice, mark: impl Fn(String) + Copy + Send + Sync + 'static) -> AnyView {
    let i = use_i18n();
    let heading = format!("notification-{}", n.id);
    let id = n.id.clone();
    let id_link = n.id.clone();
    let read = n.read;
    // Only a path of this site is followed.
    let link = n
        .link
        .as_deref()
        .filter(|l| l.starts_with('/') && !l.starts_with("//") && !l.contains('\\'))
        .map(str::to_owned);
    let title = n.title.clone();
    view! {
        <li class="card notice-card" class:unread=!read data-id=n.id.clone()>
            <h2 class="card-title" id=heading>
                {(!read).then(|| view! { <span class="badge badge-candidate">{t!(i, "Non lue", "Unread")}</span>" " })}
                {n.title.clone()}
            </h2>
            <p class="card-meta">{crate::ui::when(n.at.clone())}</p>
            <p class="notice-body">{n.body.clone()}</p>
            <p class="actions">
                {link.map(|href| view! {
                    <A href=href on:click=move |_| if !read { mark(id_link.clone()) }>{t!(i, "Ouvrir", "Open")}</A>
                })}
                {(!read).then(|| {
                    let label = format!("{} {title}", i.t("Marquer comme lue :", "Mark read:"));
                    view! {
                        <button type="button" class="button button-small button-secondary" aria-label=label
                            on:click=move |_| mark(id.clone())>{t!(i, "Marquer comme lue", "Mark read")}</button>
                    }
                })}
            </p>
        </li>
    }
    .into_any()
}
