//! Home page: the programme, its live figures and charts, the platform status.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::fmt;
use crate::i18n::use_i18n;
use qmi_api::experiments::{ExperimentStatus, ProgrammeFigures};
use qmi_api::identity::{CommuneStatus, Figures};

use crate::registry;
use crate::t;
use crate::ui::{BarChart, ErrorNotice, Loading};

/// The programme in a few lines, the figures of the registry, and a status line.
#[component]
pub fn Home() -> impl IntoView {
    let i = use_i18n();
    let figures = crate::api::compute(registry::figures);
    view! {
        <section class="intro" aria-labelledby="titre">
            <p class="eyebrow">{t!(i, "Métropole du Grand Paris", "Greater Paris Metropolis")}</p>
            <h1 id="titre">{t!(i, "Quartiers Métropolitains d'Innovation", "Metropolitan Innovation Districts")}</h1>
            <p class="lead">{t!(i,
                "Des communes de la Métropole du Grand Paris accueillent des quartiers d'innovation. Startups, associations et entreprises y testent leurs solutions pendant 18 mois, avec les habitants et les habitantes.",
                "Communes of the Greater Paris Metropolis host innovation districts. Startups, associations and companies test their solutions there for 18 months, together with the residents.")}
            </p>
            <p>{t!(i,
                "Cette plateforme accompagne le programme de bout en bout : appels à candidatures, sélection, suivi des expérimentations et évaluation de leurs résultats.",
                "This platform supports the programme end to end: calls for applications, selection, follow-up of the experiments and evaluation of their results.")}
            </p>
            <p class="actions">
                <A href="/communes" attr:class="button">{t!(i, "Voir les communes", "Browse the communes")}</A>
                <A href="/connexion" attr:class="button button-secondary">{t!(i, "Se connecter", "Sign in")}</A>
            </p>
        </section>
        <section aria-labelledby="chiffres">
            <h2 id="chiffres">{t!(i, "Le programme en chiffres", "The programme in figures")}</h2>
            {move || match figures.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(f)) => view! { <FiguresView f /> }.into_any(),
            }}
        </section>
        <ExperimentFigures />
        <StatusLine />
    }
}

/// Key figures and the two charts.
#[component]
fn FiguresView(f: Figures) -> impl IntoView {
    let i = use_i18n();
    let (communes, population) = (f.communes, f.population);
    let districts = f.with_status(CommuneStatus::District);
    let candidates = f.with_status(CommuneStatus::Candidate);
    let deps: Vec<(String, u64)> = f
        .by_departement
        .into_iter()
        .map(|t| {
            (
                format!("{} ({})", registry::departement_name(&t.code), t.code),
                t.communes,
            )
        })
        .collect();
    let per_territory: Vec<(String, u64)> = f
        .by_territory
        .into_iter()
        .map(|t| (t.name.unwrap_or(t.code), t.communes))
        .collect();
    view! {
        <dl class="kpis">
            <div class="kpi"><dt>{t!(i, "Communes membres", "Member communes")}</dt>
                <dd data-figure="communes">{move || fmt::integer(communes, i.lang())}</dd></div>
            <div class="kpi"><dt>{t!(i, "Quartiers d'innovation", "Innovation districts")}</dt>
                <dd data-figure="districts">{move || fmt::integer(districts, i.lang())}</dd></div>
            <div class="kpi"><dt>{t!(i, "Communes candidates", "Candidate communes")}</dt>
                <dd data-figure="candidates">{move || fmt::integer(candidates, i.lang())}</dd></div>
            <div class="kpi"><dt>{t!(i, "Habitants", "Residents")}</dt>
                <dd data-figure="population">{move || fmt::integer(population, i.lang())}</dd></div>
        </dl>
        <div class="charts">
            <div>
                <h3 id="graphe-departements">{t!(i, "Communes par département", "Communes by département")}</h3>
                <BarChart labelled_by="graphe-departements" bars=deps />
            </div>
            <div>
                <h3 id="graphe-territoires">{t!(i, "Communes par territoire", "Communes by territory")}</h3>
                <BarChart labelled_by="graphe-territoires" bars=per_territory />
            </div>
        </div>
    }
}

/// The published experiments in figures: how many, by status, the share
/// deployed and the spreads (counts and bars only: this page is in the first
/// download).
#[component]
fn ExperimentFigures() -> impl IntoView {
    let i = use_i18n();
    let loaded = crate::api::load(|| Some("/api/experiments/figures".to_owned()));
    view! {
        <section aria-labelledby="chiffres-experimentations">
            <h2 id="chiffres-experimentations">{t!(i, "Expérimentations", "Experiments")}</h2>
            {move || match crate::api::read::<ProgrammeFigures>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(f)) => {
                    let (total, spread, communes) = (u64::from(f.total), u64::from(f.spread), u64::from(f.spread_communes));
                    // Per thousand concluded, shown as a whole per cent.
                    let deployed = u64::from(f.deployed_permille + 5) / 10;
                    let bars: Vec<(String, u64)> = f
                        .by_status
                        .into_iter()
                        .filter_map(|c| ExperimentStatus::parse(&c.key).map(|s| (status_text(i, s).to_owned(), u64::from(c.count))))
                        .collect();
                    view! {
                        <dl class="kpis">
                            <div class="kpi"><dt>{t!(i, "Expérimentations publiées", "Published experiments")}</dt>
                                <dd data-figure="experiments">{move || fmt::integer(total, i.lang())}</dd></div>
                            <div class="kpi"><dt>{t!(i, "Déployées ou essaimées (sur les terminées)", "Deployed or spread (of those concluded)")}</dt>
                                <dd data-figure="deployed">{move || format!("{}\u{202f}%", fmt::integer(deployed, i.lang()))}</dd></div>
                            <div class="kpi"><dt>{t!(i, "Essaimages", "Spreads")}</dt>
                                <dd data-figure="spread">{move || fmt::integer(spread, i.lang())}</dd></div>
                            <div class="kpi"><dt>{t!(i, "Communes d'essaimage", "Communes spread to")}</dt>
                                <dd data-figure="spread-communes">{move || fmt::integer(communes, i.lang())}</dd></div>
                        </dl>
                        <h3 id="graphe-experimentations">{t!(i, "Expérimentations par statut", "Experiments by status")}</h3>
                        <BarChart labelled_by="graphe-experimentations" bars />
                    }.into_any()
                }
            }}
            <p><A href="/experimentations">{t!(i, "Voir les expérimentations", "Browse the experiments")}</A></p>
            <HomeMap />
        </section>
    }
}

/// The map of the communes (status, published experiments, district
/// perimeters), drawn on request: its code comes in a module of its own
/// (`carte`), which would take the first download over its budget.
#[component]
fn HomeMap() -> impl IntoView {
    let i = use_i18n();
    let shown = RwSignal::new(false);
    view! {
        <h3 id="carte-communes">{t!(i, "Les communes du programme", "The programme's communes")}</h3>
        {move || if shown.get() {
            view! {
                <Suspense fallback=|| view! { <Loading /> }>
                    {Suspend::new(async { home_map().await })}
                </Suspense>
            }.into_any()
        } else {
            view! {
                <p>
                    <button type="button" class="button button-secondary" id="afficher-carte" on:click=move |_| shown.set(true)>
                        {t!(i, "Afficher la carte des communes", "Show the map of the communes")}
                    </button>
                </p>
            }.into_any()
        }}
    }
}

/// The map's module: each commune coloured by its status in the programme,
/// with its number of published experiments and the districts' perimeters.
#[leptos::lazy(carte)]
fn home_map() -> AnyView {
    let i = use_i18n();
    let loaded = crate::api::load(|| Some("/api/experiments/figures".to_owned()));
    let counts = Signal::derive(move || {
        crate::api::read::<ProgrammeFigures>(&loaded)
            .and_then(Result::ok)
            .map(|f| f.by_commune)
            .unwrap_or_default()
    });
    view! {
        <p class="muted">{t!(i,
            "Chaque commune est colorée selon son statut dans le programme ; le nombre de ses expérimentations publiées y est inscrit, et les périmètres des quartiers d'innovation sont tracés.",
            "Each commune is coloured by its status in the programme, with its number of published experiments on it and the innovation districts' perimeters drawn.")}</p>
        <crate::map::ProgrammeMap counts />
    }
    .into_any()
}

/// An experiment's status in words (the home page's own, short of the
/// experiments module's: that one is loaded later).
fn status_text(i: crate::i18n::I18n, s: ExperimentStatus) -> &'static str {
    match s {
        ExperimentStatus::Preparing => i.t("En préparation", "Being prepared"),
        ExperimentStatus::Running => i.t("En cours", "Running"),
        ExperimentStatus::Evaluating => i.t("En évaluation", "Being evaluated"),
        ExperimentStatus::Concluded => i.t("Terminées", "Concluded"),
        ExperimentStatus::Suspended => i.t("Suspendues", "Suspended"),
        ExperimentStatus::Stopped => i.t("Arrêtées", "Stopped"),
    }
}

/// Live platform status, read once from `/api/health`.
#[component]
fn StatusLine() -> impl IntoView {
    let i = use_i18n();
    let status = crate::api::compute(crate::health::fetch);
    view! {
        <p class="status" role="status">
            {move || match status.get() {
                None => view! {
                    <span class="dot dot-pending" aria-hidden="true"></span>
                    <span>{t!(i, "Vérification de la plateforme…", "Checking the platform…")}</span>
                }.into_any(),
                Some(Ok(h)) if h.status == "ok" => view! {
                    <span class="dot dot-ok" aria-hidden="true"></span>
                    <span>{move || format!("{} {}", i.t("Plateforme opérationnelle — version", "Platform up — version"), h.version)}</span>
                }.into_any(),
                Some(Ok(h)) => view! {
                    <span class="dot dot-error" aria-hidden="true"></span>
                    <span>{move || format!("{} {}", i.t("Plateforme dégradée :", "Platform degraded:"), h.status)}</span>
                }.into_any(),
                Some(Err(e)) => view! {
                    <span class="dot dot-error" aria-hidden="true"></span>
                    <span>{move || format!("{} {e}", i.t("Plateforme injoignable :", "Platform unreachable:"))}</span>
                }.into_any(),
            }}
        </p>
    }
}
