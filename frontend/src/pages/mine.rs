//! A partner member's applications across every commune, and a decision letter.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::applications::{Application, Call, CallStatus, Letter};
use qmi_api::identity::Me;

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::manage::{is_decision, state_label};
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, facts, load_more, route_param, when};

/// Applications shown per "Charger plus".
const PAGE: usize = 10;

/// `/espace/candidatures`: "Mes candidatures".
#[component]
pub fn MyApplications() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <ApplicationsList /> } /> }
}

#[component]
fn ApplicationsList() -> impl IntoView {
    let i = use_i18n();
    let list = Paged::<Application>::new();
    let Paged {
        items,
        done,
        loading,
        error,
        ..
    } = list;
    // The calls of the listed applications (their title, workflow, whether
    // decisions are out), and the communes' names.
    let calls = RwSignal::new(BTreeMap::<String, Option<Call>>::new());
    let names = crate::registry::use_names();
    let more = move || {
        spawn_local(async move {
            let Some(added) = list
                .fetch(format!("/api/applications?limit={PAGE}"), false)
                .await
            else {
                return;
            };
            names.want(added.iter().map(|a| a.insee.as_str()));
            for c in added.into_iter().map(|a| a.call_id) {
                if calls.with_untracked(|m| m.contains_key(&c)) {
                    continue;
                }
                calls.update(|m| {
                    m.insert(c.clone(), None);
                });
                let call = api::get::<Call>(&format!("/api/calls/{}", api::encode(&c)))
                    .await
                    .ok();
                calls.update(|m| {
                    m.insert(c, call);
                });
            }
        });
    };
    more();
    view! {
        <section aria-labelledby="titre-mes-candidatures">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-mes-candidatures">{t!(i, "Mes candidatures", "My applications")}</h1>
            <p class="lead">{t!(i, "Les candidatures de votre organisation, dans toutes les communes.", "Your organisation's applications, in every commune.")}</p>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || if items.with(Vec::is_empty) {
                if loading.get() { view! { <Loading /> }.into_any() } else {
                    view! { <p class="notice">{t!(i, "Aucune candidature pour l'instant.", "No application yet.")}</p> }.into_any()
                }
            } else {
                view! {
                    <ul class="card-list" id="liste-candidatures">
                        {items.get().into_iter().map(|a| view! { <ApplicationCard a calls names /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {load_more("charger-plus", done, loading, more)}
        </section>
    }
}

#[component]
fn ApplicationCard(
    a: Application,
    calls: RwSignal<BTreeMap<String, Option<Call>>>,
    names: crate::registry::Names,
) -> impl IntoView {
    let i = use_i18n();
    let call_id = a.call_id.clone();
    let call = Memo::new(move |_| calls.with(|m| m.get(&call_id).cloned().flatten()));
    let insee = a.insee.to_string();
    let commune = move || names.name(&insee).unwrap_or_else(|| insee.clone());
    let status = RwSignal::new(a.status.clone());
    let label = move || {
        let status = status.get();
        call.with(|c| {
            c.as_ref().map_or_else(
                || status.clone(),
                |c| state_label(&c.workflow, &status, i.lang()),
            )
        })
    };
    let letter = move || {
        status.with(|s| {
            call.with(|c| {
                c.as_ref()
                    .is_some_and(|c| c.decisions_published && is_decision(&c.workflow, s))
            })
        })
    };
    // Withdrawing is possible while the call's workflow has a way from the
    // present state to `withdrawn` (never after a decision).
    let withdrawable = move || {
        status.with(|s| {
            call.with(|c| {
                c.as_ref().is_some_and(|c| {
                    c.workflow
                        .transitions
                        .iter()
                        .any(|t| &t.from == s && t.to == "withdrawn")
                })
            })
        })
    };
    let failure = RwSignal::new(None::<ApiError>);
    let withdraw = {
        let path = format!("/api/applications/{}/withdraw", api::encode(&a.id));
        move |_| {
            if !crate::ui::confirm(i.t(
                "Retirer cette candidature ? Tant que l'appel est ouvert, vous pourrez la rouvrir en brouillon et la déposer à nouveau ; après la clôture, le retrait est définitif.",
                "Withdraw this application? While the call is open you can reopen it as a draft and submit it again; once the call has closed, withdrawing is final.",
            )) {
                return;
            }
            let path = path.clone();
            spawn_local(async move {
                match api::post_nobody::<Application>(&path).await {
                    Ok(app) => {
                        status.set(app.status);
                        failure.set(None);
                    }
                    Err(e) => failure.set(Some(e)),
                }
            });
        }
    };
    // A withdrawn application reopens as a draft while its call is open.
    let reopenable = move || {
        status.with(|s| s == "withdrawn")
            && call.with(|c| c.as_ref().is_some_and(|c| c.status == CallStatus::Open))
    };
    let reopen = {
        let path = format!("/api/applications/{}/reopen", api::encode(&a.id));
        move |_| {
            let path = path.clone();
            spawn_local(async move {
                match api::post_nobody::<Application>(&path).await {
                    Ok(app) => {
                        status.set(app.status);
                        failure.set(None);
                    }
                    Err(e) => failure.set(Some(e)),
                }
            });
        }
    };
    let follow = RwSignal::new(false);
    let id = a.id.clone();
    let form = format!("/appels/{}/candidature", a.call_id);
    let letter_href = format!("/espace/candidatures/{}/lettre", a.id);
    let timeline_href = format!("/espace/candidatures/{}/chronologie", a.id);
    let call_href = format!("/appels/{}", a.call_id);
    view! {
        <li class="card" data-id=a.id.clone()>
            <h2 class="card-title">{a.title.clone()}</h2>
            {facts(vec![
                (t!(i, "Statut", "Status"), "statut", label.into_any()),
                (t!(i, "Commune", "Commune"), "commune", commune.into_any()),
                (t!(i, "Appel", "Call"), "", view! { <A href=call_href>{move || call.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default())}</A> }.into_any()),
            ])}
            <p class="actions">
                <A href=form attr:class="button button-secondary">{move || if status.with(|s| s == "draft") { i.t("Reprendre le brouillon", "Resume the draft") } else { i.t("Voir la candidature", "View the application") }}</A>
                <Show when=letter>
                    <A href=letter_href.clone() attr:class="button lettre">{t!(i, "Lettre de décision", "Decision letter")}</A>
                </Show>
                <Show when=move || status.with(|s| s == "selected")>
                    <A href=timeline_href.clone() attr:class="button button-secondary chronologie">{t!(i, "Chronologie et expérimentation", "Timeline and experiment")}</A>
                </Show>
                <Show when=withdrawable>
                    <button type="button" class="button button-secondary retirer" on:click=withdraw.clone()>{t!(i, "Retirer la candidature", "Withdraw the application")}</button>
                </Show>
                <Show when=reopenable>
                    <button type="button" class="button button-secondary rouvrir" on:click=reopen.clone()>{t!(i, "Rouvrir en brouillon", "Reopen as a draft")}</button>
                </Show>
            </p>
            <details class="answers-details suivi" on:toggle=move |_| follow.set(true)>
                <summary>{t!(i, "Suivi de la candidature", "Application history")}</summary>
                <Show when=move || follow.get()>
                    <Timeline id=id.clone() call />
                </Show>
            </details>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
        </li>
    }
}

/// An application's steps, oldest first: when, which state, and the reason
/// given (a decision's, say).
#[component]
fn Timeline(id: String, call: Memo<Option<Call>>) -> impl IntoView {
    let i = use_i18n();
    let app = api::load(move || Some(format!("/api/applications/{}", api::encode(&id))));
    move || {
        match api::read::<Application>(&app) {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
        Some(Ok(a)) => view! {
            <ol class="timeline">
                {a.history.into_iter().map(|step| {
                    let state = step.status.clone();
                    let label = move || call.with(|c| c.as_ref().map_or_else(|| state.clone(), |c| state_label(&c.workflow, &state, i.lang())));
                    view! {
                        <li data-state=step.status.clone()>
                            <span class="muted small">{when(step.at)}</span>" — "<strong>{label}</strong>
                            {step.reason.filter(|r| !r.is_empty()).map(|r| view! { <span>{t!(i, " : ", ": ")}{r}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any(),
    }
    }
}

/// `/espace/candidatures/:id/lettre`: the decision letter.
#[component]
pub fn LetterPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <LetterView /> } /> }
}

#[component]
fn LetterView() -> impl IntoView {
    let i = use_i18n();
    let id = route_param("id");
    let letter = {
        let path = format!("/api/applications/{}/letter", api::encode(&id));
        api::load(move || Some(path.clone()))
    };
    view! {
        <section aria-labelledby="titre-lettre" class="narrow">
            <p><A href="/espace/candidatures">{t!(i, "← Mes candidatures", "← My applications")}</A></p>
            <h1 id="titre-lettre">{t!(i, "Lettre de décision", "Decision letter")}</h1>
            {move || match api::read::<Letter>(&letter) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(l)) => view! {
                    <article class="card letter" id="lettre">
                        <p class="letter-text">{l.text}</p>
                        <h2>{t!(i, "Motif", "Reason")}</h2>
                        <p id="lettre-motif">{l.reason}</p>
                    </article>
                }.into_any(),
            }}
        </section>
    }
}
