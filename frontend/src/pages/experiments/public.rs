//! `/experimentations` and `/experimentations/:id`: the published experiments
//! as anyone reads them, and the residents' feedback form.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::experiments::{
    ExperimentRef, ExperimentStatus, ExperimentSummary, ProgrammeFigures, PublicExperiment,
    PublicFeedback,
};

use super::{LineChart, milestone_state, outcome_label, status_badge, status_label};
use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::t;
use crate::ui::{ErrorNotice, Loading, facts, load_more, text};

/// Experiments per "Charger plus".
const PAGE: usize = 20;

/// `/experimentations`: the published experiments, filtered by commune, theme
/// and status.
#[component]
pub fn ExperimentList() -> impl IntoView {
    let i = use_i18n();
    let names = crate::registry::use_names();
    // The communes and themes that have published experiments, for the filters.
    let figures = api::load(|| Some("/api/experiments/figures".to_owned()));
    let commune = RwSignal::new(String::new());
    let theme = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let list = Paged::<ExperimentSummary>::new();
    let query = move || {
        let mut q = format!("/api/experiments?limit={PAGE}");
        for (name, value) in [
            ("commune", commune.get()),
            ("theme", theme.get()),
            ("status", status.get()),
        ] {
            if !value.is_empty() {
                q.push_str(&format!("&{name}={}", api::encode(&value)));
            }
        }
        q
    };
    Effect::new(move |_| list.load(query(), true));
    let options = move || api::read::<ProgrammeFigures>(&figures).and_then(Result::ok);
    Effect::new(move |_| {
        if let Some(f) = options() {
            names.want(f.by_commune.iter().map(|c| c.key.as_str()));
        }
    });
    let Paged {
        items,
        done,
        loading,
        error,
        ..
    } = list;
    view! {
        <section aria-labelledby="titre-experimentations">
            <h1 id="titre-experimentations">{t!(i, "Expérimentations", "Experiments")}</h1>
            <p class="lead">{t!(i,
                "Les solutions retenues sont testées pendant 18 mois avec les habitantes et les habitants d'un quartier d'innovation. Voici celles que les communes ont publiées.",
                "The selected solutions are tested for 18 months with the residents of an innovation district. Here are those the communes have published.")}</p>
            <form class="filters" role="search" aria-label=t!(i, "Filtrer les expérimentations", "Filter the experiments") on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="filtre-commune">{t!(i, "Commune", "Commune")}</label>
                    <select id="filtre-commune" bind:value=commune>
                        <option value="">{t!(i, "Toutes", "All")}</option>
                        {move || options().map(|f| f.by_commune.into_iter().map(|c| {
                            let code = c.key.clone();
                            view! { <option value=c.key.clone() selected=commune.get_untracked() == c.key>{move || names.label(&code)}</option> }
                        }).collect_view())}
                    </select>
                </div>
                <div class="field">
                    <label for="filtre-theme">{t!(i, "Thème", "Theme")}</label>
                    <select id="filtre-theme" bind:value=theme>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {move || options().map(|f| f.by_theme.into_iter().map(|c| {
                            view! { <option value=c.key.clone() selected=theme.get_untracked() == c.key>{c.key.clone()}</option> }
                        }).collect_view())}
                    </select>
                </div>
                <div class="field">
                    <label for="filtre-statut">{t!(i, "Statut", "Status")}</label>
                    <select id="filtre-statut" bind:value=status>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {ExperimentStatus::ALL.iter().map(|s| {
                            let s = *s;
                            view! { <option value=s.as_str() selected=status.get_untracked() == s.as_str()>{move || status_label(s, i.lang())}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </form>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || if items.with(Vec::is_empty) {
                if loading.get() { view! { <Loading /> }.into_any() } else {
                    view! { <p class="notice" role="status">{t!(i, "Aucune expérimentation publiée ne répond à ces critères.", "No published experiment matches these filters.")}</p> }.into_any()
                }
            } else {
                view! {
                    <ul class="card-list" id="liste-experimentations">
                        {items.get().into_iter().map(|x| {
                            let href = format!("/experimentations/{}", x.id);
                            let district = x.district.clone().map(|d| format!(" — {d}")).unwrap_or_default();
                            view! {
                                <li class="card" data-id=x.id.clone()>
                                    <h2 class="card-title"><A href=href>{x.title.clone()}</A></h2>
                                    <p class="card-meta">{status_badge(i, x.status)}" "{format!("{}{district}", x.commune_name)}</p>
                                    <p>{x.summary.clone()}</p>
                                    {facts(vec![
                                        (t!(i, "Porteur", "Holder"), "porteur", text(x.holder.clone())),
                                        (t!(i, "Thèmes", "Themes"), "themes", text(x.themes.join(", "))),
                                    ])}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {load_more("charger-plus", done, loading, move || list.load(query(), false))}
        </section>
    }
}

/// `/experimentations/:id`: one published experiment.
#[component]
pub fn ExperimentPage(id: String) -> impl IntoView {
    let i = use_i18n();
    let path = format!("/api/experiments/{}/public", api::encode(&id));
    let loaded = api::load(move || Some(path.clone()));
    view! {
        <article aria-labelledby="titre-experimentation">
            <p><A href="/experimentations">{t!(i, "← Toutes les expérimentations", "← All experiments")}</A></p>
            {move || match api::read::<PublicExperiment>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! {
                    <h1 id="titre-experimentation">{t!(i, "Expérimentation", "Experiment")}</h1>
                    <ErrorNotice error=e />
                }.into_any(),
                Some(Ok(x)) => view! { <PublicView x /> }.into_any(),
            }}
        </article>
    }
}

#[component]
fn PublicView(x: PublicExperiment) -> impl IntoView {
    let i = use_i18n();
    let (starts, ends) = (x.starts_on.to_string(), x.ends_on.to_string());
    let period = move || {
        format!(
            "{} → {}",
            fmt::date(&starts, i.lang()),
            fmt::date(&ends, i.lang())
        )
    };
    let commune_href = format!("/communes/{}", x.insee);
    let commune = x.commune_name.clone();
    let mut items = vec![
        (
            t!(i, "Statut", "Status"),
            "statut",
            status_badge(i, x.status),
        ),
        (
            t!(i, "Porteur", "Holder"),
            "porteur",
            text(x.holder.clone()),
        ),
        (
            t!(i, "Commune", "Commune"),
            "commune",
            view! { <A href=commune_href>{commune}</A> }.into_any(),
        ),
        (t!(i, "Période", "Period"), "periode", period.into_any()),
        (
            t!(i, "Thèmes", "Themes"),
            "themes",
            text(x.themes.join(", ")),
        ),
    ];
    if let Some(d) = x.district.clone() {
        items.insert(3, (t!(i, "Quartier", "District"), "quartier", text(d)));
    }
    if !x.partners.is_empty() {
        items.push((
            t!(i, "Partenaires", "Partners"),
            "partenaires",
            text(x.partners.join(", ")),
        ));
    }
    let id = x.id.clone();
    view! {
        <h1 id="titre-experimentation">{x.title.clone()}</h1>
        <p class="lead xp-text">{x.summary.clone()}</p>
        {facts(items)}
        <section aria-labelledby="titre-lieux">
            <h2 id="titre-lieux">{t!(i, "Lieux", "Sites")}</h2>
            {if x.sites.is_empty() {
                view! { <p class="muted">{t!(i, "Aucun lieu indiqué.", "No site given.")}</p> }.into_any()
            } else {
                view! { <ul class="plain-list">{x.sites.into_iter().map(|s| view! { <li>{s.name}</li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
        <section aria-labelledby="titre-jalons">
            <h2 id="titre-jalons">{t!(i, "Jalons", "Milestones")}</h2>
            {if x.milestones.is_empty() {
                view! { <p class="muted">{t!(i, "Aucun jalon pour l'instant.", "No milestone yet.")}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {x.milestones.into_iter().map(|m| {
                            let late = m.late && m.done_on.is_none();
                            let state = m.clone();
                            view! { <li class:xp-late=late><strong>{m.title.clone()}</strong>" — "{move || milestone_state(&state, i.lang())}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="titre-indicateurs">
            <h2 id="titre-indicateurs">{t!(i, "Indicateurs", "Indicators")}</h2>
            {if x.indicators.is_empty() {
                view! { <p class="muted">{t!(i, "Aucun indicateur public.", "No public indicator.")}</p> }.into_any()
            } else {
                view! {
                    <div class="xp-charts">
                        {x.indicators.into_iter().enumerate().map(|(n, ind)| {
                            let heading = format!("indicateur-{n}-titre");
                            let title = if ind.unit.is_empty() { ind.name.clone() } else { format!("{} ({})", ind.name, ind.unit) };
                            let direction = ind.direction;
                            view! {
                                <div class="xp-indicator">
                                    <h3 id=heading.clone()>{title}</h3>
                                    <p class="muted small">{move || super::direction_label(direction, i.lang())}</p>
                                    <LineChart id=format!("indicateur-{n}") labelled_by=heading unit=ind.unit baseline=ind.baseline target=ind.target points=ind.points />
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
        </section>
        {x.outcome.map(|o| {
            let outcome = o.outcome;
            view! {
                <section aria-labelledby="titre-resultat">
                    <h2 id="titre-resultat">{t!(i, "Résultat", "Outcome")}</h2>
                    <p><strong id="resultat">{move || outcome_label(outcome, i.lang())}</strong></p>
                    <p class="xp-text">{o.reason}</p>
                    {(!o.lessons.is_empty()).then(|| view! {
                        <h3>{t!(i, "Enseignements", "Lessons learned")}</h3>
                        <p class="xp-text">{o.lessons.clone()}</p>
                    })}
                    {(!o.places.is_empty()).then(|| view! {
                        <h3>{t!(i, "Autres lieux", "Other places")}</h3>
                        <ul class="plain-list">{o.places.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                    })}
                </section>
            }
        })}
        {(x.spread_from.is_some() || !x.spread_to.is_empty()).then(|| view! {
            <section aria-labelledby="titre-essaimage">
                <h2 id="titre-essaimage">{t!(i, "Essaimage", "Spread")}</h2>
                {x.spread_from.clone().map(|r| view! { <p>{t!(i, "Essaimée depuis : ", "Spread from: ")}{spread_link(r)}</p> })}
                {(!x.spread_to.is_empty()).then(|| view! {
                    <p>{t!(i, "Essaimée vers :", "Spread to:")}</p>
                    <ul class="plain-list" id="essaimee-vers">{x.spread_to.clone().into_iter().map(|r| view! { <li>{spread_link(r)}</li> }).collect_view()}</ul>
                })}
            </section>
        })}
        <FeedbackList feedback=x.feedback />
        <super::feedback::FeedbackForm id />
    }
}

/// A link to a spread experiment's public page.
fn spread_link(r: ExperimentRef) -> impl IntoView {
    let href = format!("/experimentations/{}", r.id);
    view! { <A href=href>{format!("{} ({})", r.title, r.insee)}</A> }
}

/// The published feedback, newest first: plain text only.
#[component]
fn FeedbackList(feedback: Vec<PublicFeedback>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <section aria-labelledby="titre-avis">
            <h2 id="titre-avis">{t!(i, "Avis des habitantes et des habitants", "Residents' feedback")}</h2>
            {if feedback.is_empty() {
                view! { <p class="muted">{t!(i, "Aucun avis publié pour l'instant.", "No feedback published yet.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="card-list" id="avis-publies">
                        {feedback.into_iter().map(|f| view! { <li class="card"><FeedbackCard f /></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One feedback: its rating, its text and who left it (as they gave it).
#[component]
pub fn FeedbackCard(f: PublicFeedback) -> impl IntoView {
    let i = use_i18n();
    let rating = f.rating;
    let who = [f.first_name.clone(), f.neighbourhood.clone()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <p class="xp-rating">
            <span aria-hidden="true">{"★".repeat(usize::from(rating.min(5)))}{"☆".repeat(usize::from(5 - rating.min(5)))}</span>
            <span class="visually-hidden">{move || format!("{} {rating} / 5", i.t("Note", "Rating"))}</span>
        </p>
        <p class="xp-text">{f.text}</p>
        <p class="muted small">
            {(!who.is_empty()).then(|| format!("{who} — "))}{crate::ui::when(f.at)}
        </p>
    }
}
