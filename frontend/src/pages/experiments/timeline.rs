//! `/espace/experimentations/:id/chronologie` and
//! `/espace/candidatures/:id/chronologie`: from the call to the spread.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::experiments::Timeline;
use qmi_api::identity::Me;

use super::timeline_label;
use crate::api;
use crate::i18n::use_i18n;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, when};

/// The timeline of an experiment, or of an application (`application`).
#[component]
pub fn TimelinePage(id: String, application: bool) -> impl IntoView {
    view! { <SignedIn page=move |_me: Me| view! { <TimelineView id=id.clone() application /> } /> }
}

#[component]
fn TimelineView(id: String, application: bool) -> impl IntoView {
    let i = use_i18n();
    let path = if application {
        format!(
            "/api/experiments/applications/{}/timeline",
            api::encode(&id)
        )
    } else {
        format!("/api/experiments/{}/timeline", api::encode(&id))
    };
    let loaded = api::load(move || Some(path.clone()));
    let back = if application {
        view! { <p><A href="/espace/candidatures">{t!(i, "← Mes candidatures", "← My applications")}</A></p> }.into_any()
    } else {
        let href = format!("/espace/experimentations/{id}");
        view! { <p><A href=href>{t!(i, "← L'expérimentation", "← The experiment")}</A></p> }
            .into_any()
    };
    view! {
        <section aria-labelledby="titre-chronologie">
            {back}
            <h1 id="titre-chronologie">{if application { t!(i, "Chronologie de la candidature", "The application's timeline") } else { t!(i, "Chronologie de l'expérimentation", "The experiment's timeline") }}</h1>
            <p class="lead">{t!(i, "De l'appel à la candidature, sa sélection, l'expérimentation, son évaluation, son résultat et son essaimage.", "From the call to the application, its selection, the experiment, its evaluation, its outcome and its spread.")}</p>
            {move || match api::read::<Timeline>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(tl)) => view! {
                    {tl.experiment.map(|x| {
                        let href = format!("/espace/experimentations/{}", x.id);
                        view! { <p>{t!(i, "Expérimentation : ", "Experiment: ")}<A href=href>{x.title}</A></p> }
                    })}
                    {if tl.entries.is_empty() {
                        view! { <p class="muted">{t!(i, "Rien d'enregistré pour l'instant.", "Nothing recorded yet.")}</p> }.into_any()
                    } else {
                        view! {
                            <ol class="timeline" id="chronologie">
                                {tl.entries.into_iter().map(|e| {
                                    let kind = e.kind;
                                    view! {
                                        <li data-kind=kind.as_str()>
                                            <span class="muted small">{when(e.at)}</span>" — "
                                            <strong>{move || timeline_label(kind, i.lang())}</strong>
                                            {(!e.detail.is_empty()).then(|| view! { <span>{t!(i, " : ", ": ")}{e.detail.clone()}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                }.into_any(),
            }}
        </section>
    }
}
