//! "Mes invitations": the organisations that invited the signed-in account. An
//! organisation enrols nobody without consent: the person accepts (and joins it)
//! or declines here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::{Invitation, Me, Organisation};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

thread_local! {
    /// The answer just given, kept across the page's re-creation when the
    /// session's account (now a member) is replaced.
    static ANSWERED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// `/espace/invitations`.
#[component]
pub fn Invitations() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <InvitationList /> } /> }
}

#[component]
fn InvitationList() -> impl IntoView {
    let i = use_i18n();
    let version = RwSignal::new(0u32);
    let pending = api::load(move || {
        version.track();
        Some("/api/me/invitations".to_owned())
    });
    let done = RwSignal::new(ANSWERED.with(|a| a.borrow_mut().take()));
    // Read from the context here: a task has no reactive owner after an await.
    let session = crate::session::use_session();
    let failure = RwSignal::new(None::<ApiError>);
    let answer = move |id: String, name: String, accept: bool| {
        spawn_local(async move {
            let verb = if accept { "accept" } else { "decline" };
            let path = format!("/api/me/invitations/{}/{verb}", api::encode(&id));
            let outcome = if accept {
                api::post_nobody::<Organisation>(&path).await.map(|_| ())
            } else {
                api::post_bare(&path).await
            };
            match outcome {
                Ok(()) => {
                    failure.set(None);
                    let message = if accept {
                        format!("{} {name}.", i.t("Vous avez rejoint", "You joined"))
                    } else {
                        format!(
                            "{} {name}.",
                            i.t("Invitation refusée :", "Invitation declined:")
                        )
                    };
                    done.set(Some(message.clone()));
                    if accept {
                        // The new organisation is in the next token and in `/api/me`;
                        // replacing the session's account renders this page anew.
                        crate::session::mark_stale();
                        if let Ok(me) = api::get::<Me>("/api/me").await {
                            ANSWERED.with(|a| *a.borrow_mut() = Some(message));
                            session.me.set(Some(me));
                        }
                    }
                    // Gone already when the page was rendered anew.
                    let _ = version.try_update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <section aria-labelledby="titre-invitations">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-invitations">{t!(i, "Mes invitations", "My invitations")}</h1>
            <p class="lead">{t!(i,
                "Une organisation ne compte personne parmi ses membres sans son accord : acceptez pour la rejoindre.",
                "An organisation counts nobody among its members without their consent: accept to join it.")}</p>
            <p role="status" id="invitation-reponse">{move || done.get()}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || match api::read::<Vec<Invitation>>(&pending) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="notice">{t!(i, "Aucune invitation en attente.", "No pending invitation.")}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="card-list" id="liste-invitations">
                        {list.into_iter().map(|inv| {
                            let (id, name) = (inv.id.clone(), inv.organisation.name.clone());
                            let (id2, name2) = (id.clone(), name.clone());
                            let accept_label = format!("{} {}", i.t("Accepter l'invitation de", "Accept the invitation of"), name);
                            let decline_label = format!("{} {}", i.t("Refuser l'invitation de", "Decline the invitation of"), name);
                            let key = id.clone();
                            view! {
                                <li class="card" data-id=key>
                                    <h2>{name.clone()}</h2>
                                    <p class="actions">
                                        <button type="button" class="button" aria-label=accept_label
                                            on:click=move |_| answer(id.clone(), name.clone(), true)>
                                            {t!(i, "Accepter", "Accept")}
                                        </button>
                                        <button type="button" class="button button-secondary" aria-label=decline_label
                                            on:click=move |_| answer(id2.clone(), name2.clone(), false)>
                                            {t!(i, "Refuser", "Decline")}
                                        </button>
                                    </p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
