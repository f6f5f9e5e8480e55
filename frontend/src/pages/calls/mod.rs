//! Calls for solutions: the open calls, a call's page, the application form
//! rendered from the call's questions (autosaved), the reviewer's assignments
//! and the answers as reviewers read them (the scoring form is `scoring`).

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::Page;
use qmi_api::applications::{
    Application, ApplicationInput, Assignment, Attachment, Call, Question, QuestionKind,
};
use qmi_api::identity::{Lang, Me};
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, route_param};

mod answer;
mod application;
mod reviews;

pub use answer::{Attach, QuestionField, check_answer};
pub use application::ApplicationPage;
use reviews::DownloadAttachment;
pub use reviews::{AnswersView, Reviews};

/// `/appels`: the open calls.
#[component]
pub fn Calls() -> impl IntoView {
    let i = use_i18n();
    let calls = api::load(|| Some("/api/calls?status=open&limit=100".into()));
    let closed = api::load(|| Some("/api/calls?status=closed&limit=100".into()));
    view! {
        <section aria-labelledby="titre-appels">
            <h1 id="titre-appels">{t!(i, "Appels à solutions ouverts", "Open calls for solutions")}</h1>
            {move || match api::read::<Page<Call>>(&calls) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="notice">{t!(i, "Aucun appel n'est ouvert pour le moment.", "No call is open at the moment.")}</p>
                }.into_any(),
                Some(Ok(page)) => view! { <CallCards id="liste-appels" calls=page.items /> }.into_any(),
            }}
        </section>
        <section aria-labelledby="titre-appels-clos">
            <h2 id="titre-appels-clos">{t!(i, "Appels clos et leurs résultats", "Closed calls and their results")}</h2>
            {move || match api::read::<Page<Call>>(&closed) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="muted">{t!(i, "Aucun appel n'est encore clos.", "No call is closed yet.")}</p>
                }.into_any(),
                Some(Ok(page)) => view! { <CallCards id="appels-clos" calls=page.items /> }.into_any(),
            }}
        </section>
        <section aria-labelledby="titre-donnees-ouvertes">
            <h2 id="titre-donnees-ouvertes">{t!(i, "Données ouvertes", "Open data")}</h2>
            <p>{t!(i,
                "Les appels publiés et les décisions rendues publiques, libres de réutilisation :",
                "Published calls and public decisions, free to reuse:")}</p>
            <ul class="plain-list" id="donnees-ouvertes">
                <li>{t!(i, "Appels : ", "Calls: ")}<a href="/api/open-data/calls.csv" download>"CSV"</a>" · "<a href="/api/open-data/calls.json">"JSON"</a></li>
                <li>{t!(i, "Décisions : ", "Decisions: ")}<a href="/api/open-data/decisions.csv" download>"CSV"</a>" · "<a href="/api/open-data/decisions.json">"JSON"</a></li>
            </ul>
            <p id="licence">{t!(i, "Licence : ", "Licence: ")}
                <a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" rel="license" lang="fr">"Licence Ouverte 2.0 (Etalab)"</a>
                {t!(i, " — réutilisation libre, y compris commerciale, en citant la source « Métropole du Grand Paris — programme QMI ».",
                    " — free reuse, commercial included, crediting the source \"Métropole du Grand Paris — programme QMI\".")}</p>
        </section>
    }
}

/// Calls as cards: title (linked), themes, closing date.
#[component]
pub fn CallCards(id: &'static str, calls: Vec<Call>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <ul class="card-list" id=id>
            {calls.into_iter().map(|c| {
                let closes = c.closes_at_paris.clone();
                view! {
                    <li class="card">
                        <h2 class="card-title"><A href=format!("/appels/{}", c.id)>{c.title.clone()}</A></h2>
                        <p class="muted small">{c.themes.join(" · ")}</p>
                        <p class="small">{move || format!("{} {}", i.t("Clôture le", "Closes on"), fmt::datetime(&closes, i.lang()))}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
