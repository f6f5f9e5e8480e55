//! The communes of the registry: search, filters, cursor pagination; and one commune's page.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use qmi_api::Page;
use qmi_api::applications::{Call, District};
use qmi_api::identity::{Commune, CommuneStatus};

use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::calls::CallCards;
use crate::registry::{self, Filters};
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, Loading, StatusBadge, load_more, status_label};

/// Communes shown per "Charger plus".
const PAGE: usize = 24;

/// The searchable, filterable list of communes.
#[component]
pub fn Communes() -> impl IntoView {
    let i = use_i18n();
    // The filters start from the address (a search can be shared) and go back
    // into it with each search.
    let query = use_query_map();
    let from_url = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let q = RwSignal::new(from_url("q"));
    let departement = RwSignal::new(from_url("departement"));
    let territory = RwSignal::new(from_url("territoire"));
    let status = RwSignal::new(from_url("statut"));
    let navigate = use_navigate();
    let share = Callback::new(move |url: String| {
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    });
    let list = Paged::<Commune>::new();
    let Paged {
        items,
        done,
        loading,
        error,
        ..
    } = list;
    // Option lists come from the registry's figures (one request at any size).
    let figures = crate::api::compute(registry::figures);

    // Whether the list shown is filtered (as loaded, not as being typed).
    let filtered = RwSignal::new(false);
    // Loads the next page (or the first one when `reset`); the API filters.
    let load = move |reset: bool| {
        let filters = Filters {
            q: q.get_untracked(),
            departement: departement.get_untracked(),
            territory: territory.get_untracked(),
            status: status.get_untracked(),
        };
        filtered.set(
            [
                &filters.q,
                &filters.departement,
                &filters.territory,
                &filters.status,
            ]
            .iter()
            .any(|f| !f.trim().is_empty()),
        );
        if reset {
            share.run(page_url(&filters));
        }
        list.load(filters.query(PAGE as u32, None), reset);
    };
    load(true);

    let departement_options = move || {
        let codes = match figures.get() {
            Some(Ok(f)) => f.by_departement.into_iter().map(|t| t.code).collect(),
            _ => ["75", "92", "93", "94"].map(String::from).to_vec(),
        };
        codes
            .into_iter()
            .map(|code| {
                let label = format!("{} ({code})", registry::departement_name(&code));
                // Chosen from the address: the options come after the value.
                let selected = departement.get_untracked() == code;
                view! { <option value=code selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let territory_options = move || {
        let mut territories: Vec<(String, String)> = match figures.get() {
            Some(Ok(f)) => f
                .by_territory
                .into_iter()
                .map(|t| (t.name.clone().unwrap_or_else(|| t.code.clone()), t.code))
                .collect(),
            _ => Vec::new(),
        };
        territories.sort();
        territories
            .into_iter()
            .map(|(name, code)| {
                let selected = territory.get_untracked() == code;
                view! { <option value=code selected=selected>{name}</option> }
            })
            .collect_view()
    };
    // How many are shown, out of how many when nothing filters the registry.
    let count = move || {
        let n = items.with(Vec::len) as u64;
        let lang = i.lang();
        if n == 0 && done.get() {
            return i
                .t(
                    "Aucune commune ne correspond à cette recherche.",
                    "No commune matches this search.",
                )
                .to_owned();
        }
        let shown = fmt::count(
            n,
            lang,
            ("commune affichée", "communes affichées"),
            ("commune shown", "communes shown"),
        );
        match figures.get() {
            Some(Ok(f)) if !filtered.get() && !done.get() => format!(
                "{shown} {} {}",
                i.t("sur", "of"),
                fmt::integer(f.communes, lang)
            ),
            _ => shown,
        }
    };

    view! {
        <section aria-labelledby="titre-communes">
            <h1 id="titre-communes">{t!(i, "Les communes", "The communes")}</h1>
            <p>{t!(i, "Les communes de la Métropole du Grand Paris et leur place dans le programme.", "The communes of the Greater Paris Metropolis and their place in the programme.")}</p>
            <form class="filters" role="search" on:submit=move |ev| { ev.prevent_default(); load(true); }>
                <div class="field">
                    <label for="recherche">{t!(i, "Nom ou code INSEE", "Name or INSEE code")}</label>
                    <input id="recherche" type="search" bind:value=q autocomplete="off" />
                </div>
                <div class="field">
                    <label for="filtre-departement">{t!(i, "Département", "Département")}</label>
                    <select id="filtre-departement" bind:value=departement on:change=move |_| load(true)>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {departement_options}
                    </select>
                </div>
                <div class="field">
                    <label for="filtre-territoire">{t!(i, "Territoire", "Territory")}</label>
                    <select id="filtre-territoire" bind:value=territory on:change=move |_| load(true)>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {territory_options}
                    </select>
                </div>
                <div class="field">
                    <label for="filtre-statut">{t!(i, "Statut", "Status")}</label>
                    <select id="filtre-statut" bind:value=status on:change=move |_| load(true)>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {CommuneStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=status.get_untracked() == s.as_str()>{move || status_label(i, s)}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{t!(i, "Rechercher", "Search")}</button>
            </form>
            <p class="muted" role="status" aria-live="polite" id="communes-compte">{count}</p>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            <ul class="card-list" id="liste-communes">
                <For each=move || items.get() key=|c| c.insee.to_string() let(c)>
                    <CommuneCard c />
                </For>
            </ul>
            <Show when=move || loading.get()><Loading /></Show>
            {load_more("charger-plus", done, loading, move || load(false))}
        </section>
    }
}

/// The address of the list with `filters` (French parameter names, as the page's).
fn page_url(filters: &Filters) -> String {
    let params: Vec<String> = [
        ("q", &filters.q),
        ("departement", &filters.departement),
        ("territoire", &filters.territory),
        ("statut", &filters.status),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("{k}={}", api::encode(v.trim())))
    .collect();
    if params.is_empty() {
        "/communes".to_owned()
    } else {
        format!("/communes?{}", params.join("&"))
    }
}

/// One commune in the list.
#[component]
fn CommuneCard(c: Commune) -> impl IntoView {
    let i = use_i18n();
    let href = format!("/communes/{}", c.insee);
    let population = c.population;
    view! {
        <li class="card commune-card" data-insee=c.insee.to_string()>
            <h2 class="card-title"><A href=href>{c.name.clone()}</A></h2>
            <p class="muted small">
                {format!("{} · {}", c.insee, c.ept_name.clone().unwrap_or_default())}
            </p>
            <p class="card-meta">
                <StatusBadge status=c.status />
                {population.map(|p| view! { <span class="small">{move || format!("{} {}", fmt::integer(p, i.lang()), i.t("hab.", "residents"))}</span> })}
            </p>
        </li>
    }
}

/// One commune's public page.
#[component]
pub fn CommunePage() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let insee = move || params.read().get("insee").unwrap_or_default();
    let commune = api::load(move || Some(format!("/api/communes/{}", api::encode(&insee()))));
    view! {
        <section aria-labelledby="titre-commune">
            <p><A href="/communes">{t!(i, "← Toutes les communes", "← All communes")}</A></p>
            {move || match api::read::<Commune>(&commune) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => {
                    let heading = if e.status == 404 { t!(i, "Commune introuvable", "Commune not found") } else { t!(i, "Commune", "Commune") };
                    view! { <h1 id="titre-commune">{heading}</h1><ErrorNotice error=e /> }.into_any()
                }
                Some(Ok(c)) => {
                    let manage = session.me.with(|me| me.as_ref().is_some_and(|me| {
                        me.platform_roles.contains(&qmi_api::PlatformRole::Programme)
                            || me.memberships.iter().any(|m| m.insee == c.insee && m.role == qmi_api::MembershipRole::Admin)
                    }));
                    let href = format!("/espace/communes/{}", c.insee);
                    let population = c.population;
                    view! {
                        <h1 id="titre-commune">{c.name.clone()}</h1>
                        <p><StatusBadge status=c.status /></p>
                        <dl class="facts">
                            <div><dt>{t!(i, "Code INSEE", "INSEE code")}</dt><dd>{c.insee.to_string()}</dd></div>
                            <div><dt>{t!(i, "Département", "Département")}</dt>
                                <dd>{format!("{} ({})", registry::departement_name(&c.departement), c.departement)}</dd></div>
                            <div><dt>{t!(i, "Territoire", "Territory")}</dt><dd>{c.ept_name.clone().unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt>{t!(i, "Population légale", "Legal population")}</dt>
                                <dd>{move || population.map_or("—".into(), |p| fmt::integer(p, i.lang()))}</dd></div>
                        </dl>
                        {manage.then(|| view! { <p><A href=href attr:class="button">{t!(i, "Gérer les membres", "Manage members")}</A></p> })}
                        {(c.status == CommuneStatus::District).then(|| view! { <DistrictView insee=c.insee.to_string() /> })}
                        <CommuneCalls insee=c.insee.to_string() />
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A commune's innovation district: its perimeter drawn, its challenges, the
/// sites open to experiments and the local stakeholders.
#[component]
fn DistrictView(insee: String) -> impl IntoView {
    let i = use_i18n();
    let district = api::load(move || Some(format!("/api/districts/{}", api::encode(&insee))));
    move || {
        match api::read::<District>(&district) {
        None => view! { <Loading /> }.into_any(),
        // Selected, not described yet by the commune.
        Some(Err(e)) if e.status == 404 => view! {
            <p class="muted" id="quartier">{t!(i, "Le quartier d'innovation de cette commune n'est pas encore décrit.", "This commune's innovation district is not described yet.")}</p>
        }.into_any(),
        Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
        Some(Ok(d)) => {
            let map = crate::ui::perimeter_map(
                &d.perimeter,
                240.0,
                format!("{} — {}", i.t("Périmètre du quartier", "Perimeter of the district"), d.name),
                Some(t!(i, "Le périmètre du quartier (nord en haut), tel que la commune l'a tracé.", "The district's perimeter (north up), as the commune drew it.")),
            );
            let list = |items: Vec<String>| items.into_iter().map(|s| view! { <li>{s}</li> }).collect_view();
            view! {
                <section aria-labelledby="titre-quartier" id="quartier" class="district">
                    <h2 id="titre-quartier">{move || format!("{}{}", i.t("Quartier d'innovation\u{a0}: ", "Innovation district: "), d.name)}</h2>
                    <div class="district-body">
                        {map}
                        <div>
                            {(!d.description.is_empty()).then(|| view! { <p>{d.description.clone()}</p> })}
                            {(!d.challenges.is_empty()).then(|| view! {
                                <h3>{t!(i, "Défis", "Challenges")}</h3>
                                <ul class="plain-list">{d.challenges.iter().map(|c| view! { <li><strong>{c.theme.clone()}</strong>" — "{c.text.clone()}</li> }).collect_view()}</ul>
                            })}
                            {(!d.sites.is_empty()).then(|| view! { <h3>{t!(i, "Sites d'expérimentation", "Sites open to experiments")}</h3><ul class="plain-list">{list(d.sites.clone())}</ul> })}
                            {(!d.stakeholders.is_empty()).then(|| view! { <h3>{t!(i, "Acteurs locaux", "Local stakeholders")}</h3><ul class="plain-list">{list(d.stakeholders.clone())}</ul> })}
                        </div>
                    </div>
                </section>
            }.into_any()
        }
    }
    }
}

/// The calls open in a commune: its own and the programme's covering it.
#[component]
fn CommuneCalls(insee: String) -> impl IntoView {
    let i = use_i18n();
    let calls = api::load(move || {
        Some(format!(
            "/api/calls?status=open&commune={}&limit=100",
            api::encode(&insee)
        ))
    });
    view! {
        <section aria-labelledby="titre-appels-commune">
            <h2 id="titre-appels-commune">{t!(i, "Appels à solutions ouverts", "Open calls for solutions")}</h2>
            {move || match api::read::<Page<Call>>(&calls) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! {
                    <p class="muted">{t!(i, "Aucun appel ouvert dans cette commune pour le moment.", "No call open in this commune at the moment.")}</p>
                }.into_any(),
                Some(Ok(p)) => view! { <CallCards id="appels-commune" calls=p.items /> }.into_any(),
            }}
        </section>
    }
}
