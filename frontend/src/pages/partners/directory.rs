//! The partner directory (`/annuaire`): a search in French, facets with their
//! counts, the results with where the words were found; the query lives in
//! the address (`?q=&kind=&theme=&country=&commune=`), so a search can be
//! shared and the browser's back button goes back to the previous one. The
//! programme team's directory (`/espace/annuaire`) is the same search with each
//! organisation's members and a form to add one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use qmi_api::identity::{Me, OrganisationKind};
use qmi_api::partners::{Directory as Found, DirectoryEntry, FacetCount, Facets};

use super::{is_operator, snippet_parts};
use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::pages::organisation::{CreateForm, OrgMembers, kind_label};
use crate::registry::Names;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// Organisations per page ("Voir plus"); the programme team's list, which it
/// keeps, takes more at a time.
const PAGE: u32 = 20;
const PAGE_MANAGE: u32 = 50;

/// The query parameters of a search, in the order the address gives them.
pub const KEYS: [&str; 5] = ["q", "kind", "theme", "country", "commune"];

/// `?name=value&…` for the non-empty values (nothing when all are empty).
pub fn query_string(values: &[(&str, String)]) -> String {
    let parts: Vec<String> = values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", api::encode(v.trim())))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The search as the address gives it: each of [`KEYS`] and its value.
type Query = Vec<(&'static str, String)>;

/// `query` with `key` set to `value` (or removed when `value` is empty).
fn with(query: &Query, key: &str, value: &str) -> Query {
    query
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == key {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

/// The directory, for everyone (`manage` false) or for the programme team.
#[component]
pub fn Directory(manage: bool) -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let names = crate::registry::use_names();
    let base = if manage {
        "/espace/annuaire"
    } else {
        "/annuaire"
    };
    let url = use_query_map();
    let query = Memo::new(move |_| {
        url.with(|q| {
            KEYS.iter()
                .map(|k| (*k, q.get(k).unwrap_or_default()))
                .collect::<Query>()
        })
    });
    let value = move |key: &str| {
        query.with(|q| {
            q.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
    };
    let typed = RwSignal::new(value("q"));
    let navigate = use_navigate();
    let go = Callback::new(move |q: Query| {
        navigate(
            &format!("{base}{}", query_string(&q)),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        )
    });

    // The results so far, where the next page starts, the facets of every match.
    let items = RwSignal::new(Vec::<DirectoryEntry>::new());
    let next = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<u64>);
    let facets = RwSignal::new(Facets::default());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    // Bumped by each search: an answer to an older one is dropped.
    let generation = StoredValue::new(0u32);
    let created = RwSignal::new(0u32);
    let fetch = move |cursor: Option<String>| {
        let q = query.get_untracked();
        let limit = if manage { PAGE_MANAGE } else { PAGE };
        let mut path = format!("/api/organisations?limit={limit}");
        let filters = query_string(&q);
        if let Some(rest) = filters.strip_prefix('?') {
            path.push('&');
            path.push_str(rest);
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", api::encode(c)));
        }
        let mine = generation.get_value().wrapping_add(1);
        generation.set_value(mine);
        loading.set(true);
        spawn_local(async move {
            let result = api::get::<Found>(&path).await;
            if generation.get_value() != mine {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    names.want(page.facets.commune.iter().map(|c| c.value.as_str()));
                    if cursor.is_some() {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next_cursor);
                    total.set(Some(page.total));
                    facets.set(page.facets);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // A new search (the address changed, someone signed in, an organisation
    // was added) starts from its first page.
    Effect::new(move |_| {
        query.track();
        created.track();
        session.me.track();
        typed.set(value("q"));
        // A stored session is checked first: its profiles are read once.
        if !session.restoring.get() {
            fetch(None);
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go.run(with(&query.get_untracked(), "q", &typed.get_untracked()));
    };
    let searching = move || query.with(|q| q.iter().any(|(_, v)| !v.is_empty()));
    let count = move || {
        total.get().map(|n| {
            let lang = i.lang();
            let found = fmt::count(
                n,
                lang,
                ("organisation trouvée", "organisations trouvées"),
                ("organisation found", "organisations found"),
            );
            let shown = items.with(Vec::len) as u64;
            if shown < n {
                format!(
                    "{found} ({} {})",
                    fmt::integer(shown, lang),
                    i.t("affichées", "shown")
                )
            } else {
                found
            }
        })
    };
    let operator = Memo::new(move |_| session.me.with(|m| m.as_ref().is_some_and(is_operator)));
    let page_title = if manage {
        t!(
            i,
            "Annuaire des partenaires — équipe du programme",
            "Partner directory — programme team"
        )
    } else {
        t!(i, "Annuaire des partenaires", "Partner directory")
    };
    view! {
        <section aria-labelledby="titre-annuaire">
            {manage.then(|| view! { <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p> })}
            <h1 id="titre-annuaire">{page_title}</h1>
            <p class="lead">{t!(i,
                "Startups, associations, entreprises, organismes publics et de recherche : une fiche par organisation, quelle que soit la commune où elle candidate ou expérimente.",
                "Startups, associations, companies, public bodies and research organisations: one record per organisation, whichever commune it applies to or experiments in.")}</p>
            <form class="directory-search" role="search" aria-label=t!(i, "Chercher dans l'annuaire", "Search the directory") on:submit=search>
                <TextField id="annuaire-recherche" label=t!(i, "Mots à chercher", "Words to search for") value=typed
                    error=Signal::derive(|| None::<String>) kind="search"
                    hint=t!(i, "Noms, descriptions et offres ; accents, majuscules et pluriels sont ignorés.", "Names, descriptions and offers; accents, capitals and plurals are ignored.") />
                <p><button type="submit" class="button" id="annuaire-chercher">{t!(i, "Chercher", "Search")}</button></p>
            </form>
            <div class="directory-layout">
                <div class="directory-facets" role="group" aria-labelledby="titre-filtres">
                    <h2 id="titre-filtres" class="small-heading">{t!(i, "Affiner", "Refine")}</h2>
                    {move || {
                        let f = facets.get();
                        let q = query.get();
                        view! {
                            {facet(i, names, base, &q, "kind", t!(i, "Type", "Kind"), f.kind)}
                            {facet(i, names, base, &q, "theme", t!(i, "Thème", "Theme"), f.theme)}
                            {facet(i, names, base, &q, "country", t!(i, "Pays", "Country"), f.country)}
                            {facet(i, names, base, &q, "commune", t!(i, "Commune où elle a candidaté ou expérimenté", "Commune where it applied or experimented"), f.commune)}
                        }
                    }}
                    <Show when=searching>
                        <p><a href=base class="button button-secondary button-small" id="annuaire-tout">{t!(i, "Effacer la recherche", "Clear the search")}</a></p>
                    </Show>
                </div>
                <div class="directory-results">
                    <p role="status" id="annuaire-total" class="total">{count}</p>
                    {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
                    {move || if items.with(Vec::is_empty) {
                        if loading.get() || total.get().is_none() { view! { <Loading /> }.into_any() } else {
                            view! { <p class="notice" id="annuaire-vide">{t!(i, "Aucune organisation ne répond à cette recherche.", "No organisation matches this search.")}</p> }.into_any()
                        }
                    } else {
                        view! {
                            <ul class="card-list directory-list" id="liste-organisations">
                                {items.get().into_iter().map(|o| view! { <Entry o manage /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <Show when=move || next.with(Option::is_some)>
                        <p class="center"><button type="button" class="button button-secondary" id="annuaire-plus"
                            disabled=move || loading.get()
                            on:click=move |_| fetch(next.get_untracked())>{t!(i, "Voir plus", "Show more")}</button></p>
                    </Show>
                </div>
            </div>
        </section>
        {move || (manage && operator.get()).then(|| view! {
            <section aria-labelledby="titre-ajout-organisation">
                <h2 id="titre-ajout-organisation">{t!(i, "Ajouter une organisation", "Add an organisation")}</h2>
                <CreateForm on_created=Callback::new(move |_| created.update(|c| *c = c.wrapping_add(1))) />
            </section>
        })}
        {move || (manage && session.me.with(|m| m.as_ref().is_some_and(|m: &Me| !is_operator(m)))).then(|| view! {
            <p class="notice">{t!(i, "Les membres des organisations et l'ajout d'une organisation sont réservés à l'équipe du programme.", "Organisations' members and adding an organisation are for the programme team.")}</p>
        })}
    }
}

/// One facet as a list of links with their counts; the chosen value is marked
/// current, and following it again removes it.
fn facet(
    i: I18n,
    names: Names,
    base: &'static str,
    query: &Query,
    key: &'static str,
    title: Signal<&'static str>,
    mut counts: Vec<FacetCount>,
) -> Option<AnyView> {
    let chosen = query
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // The value chosen stays in the list even when nothing matches it.
    if !chosen.is_empty() && !counts.iter().any(|c| c.value == chosen) {
        counts.insert(
            0,
            FacetCount {
                value: chosen.clone(),
                count: 0,
            },
        );
    }
    if counts.is_empty() {
        return None;
    }
    let heading = format!("facette-{key}");
    let labelled = heading.clone();
    let links = counts
        .into_iter()
        .map(|c| {
            let on = c.value == chosen;
            let href = format!(
                "{base}{}",
                query_string(&with(query, key, if on { "" } else { &c.value }))
            );
            let value = c.value.clone();
            let label = move || facet_label(i, names, key, &value);
            view! {
                <li>
                    <a href=href class="facet-link" class:facet-on=on aria-current=on.then_some("true") data-value=c.value.clone()>
                        {label}" "<span class="facet-count">{format!("({})", c.count)}</span>
                        {on.then(|| view! { <span class="visually-hidden">{t!(i, " (filtre actif : le retirer)", " (active filter: remove it)")}</span> })}
                    </a>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <div class="facet" id=format!("filtre-{key}")>
                <h3 id=heading class="facet-title">{title}</h3>
                <ul class="facet-list" aria-labelledby=labelled>{links}</ul>
            </div>
        }
        .into_any(),
    )
}

/// A facet value for people: a kind's or a country's name, a commune's name.
fn facet_label(i: I18n, names: Names, key: &str, value: &str) -> String {
    match key {
        "kind" => OrganisationKind::parse(value)
            .map_or_else(|| value.to_owned(), |k| kind_label(i, k).to_owned()),
        "country" => fmt::country(value, i.lang()),
        "commune" => names.name(value).unwrap_or_else(|| value.to_owned()),
        _ => value.to_owned(),
    }
}

/// One organisation found: its name (to its page), kind and place, summary,
/// where the words were found; the programme team also sees its members.
#[component]
fn Entry(o: DirectoryEntry, manage: bool) -> impl IntoView {
    let i = use_i18n();
    let href = format!("/annuaire/{}", o.id);
    let kind = o.kind;
    let code = o.country.to_string();
    let open = RwSignal::new(false);
    let id = o.id.clone();
    view! {
        <li class="card" data-id=o.id.clone()>
            <h2 class="card-title"><A href=href>{o.name.clone()}</A></h2>
            <p class="card-meta">
                <span class="badge">{move || kind_label(i, kind)}</span>
                <span>
                    {(!o.city.is_empty()).then(|| view! { <span class="ville">{o.city.clone()}</span>", " })}
                    <span class="pays">{move || fmt::country(&code, i.lang())}</span>
                </span>
                {(!o.public).then(|| view! { <span class="badge badge-private">{t!(i, "Hors de l'annuaire public", "Not in the public directory")}</span> })}
            </p>
            {(!o.summary.is_empty()).then(|| view! { <p class="entry-summary">{o.summary.clone()}</p> })}
            {o.snippet.as_deref().map(|s| view! {
                <p class="snippet">
                    <span class="visually-hidden">{t!(i, "Trouvé dans : ", "Found in: ")}</span>
                    {snippet_parts(s).into_iter().map(|(part, mark)| if mark {
                        view! { <mark>{part}</mark> }.into_any()
                    } else {
                        part.into_any()
                    }).collect_view()}
                </p>
            })}
            {manage.then(|| view! {
                {o.siret.as_ref().map(|s| view! { <p class="muted small siret">"SIRET "{s.to_string()}</p> })}
                <details class="answers-details" on:toggle=move |_| open.set(true)>
                    <summary>{t!(i, "Membres", "Members")}</summary>
                    <Show when=move || open.get()>
                        <OrgMembers id=id.clone() />
                    </Show>
                </details>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_goes_into_the_address() {
        let q: Query = vec![
            ("q", "mobilité douce".into()),
            ("kind", String::new()),
            ("theme", "mobilite".into()),
            ("country", String::new()),
            ("commune", String::new()),
        ];
        assert_eq!(query_string(&q), "?q=mobilit%C3%A9%20douce&theme=mobilite");
        assert_eq!(
            query_string(&with(&q, "kind", "startup")),
            "?q=mobilit%C3%A9%20douce&kind=startup&theme=mobilite"
        );
        assert_eq!(
            query_string(&with(&q, "theme", "")),
            "?q=mobilit%C3%A9%20douce"
        );
        let empty: Query = KEYS.iter().map(|k| (*k, String::new())).collect();
        assert_eq!(query_string(&empty), "");
    }
}
