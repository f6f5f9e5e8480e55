//! Operators: the communes registry (programme team) and the tenants (hosting):
//! add a commune, suspend, resume.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::identity::{Commune, CommuneStatus, Me, NewCommune};
use qmi_api::{Insee, PlatformRole};

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::space::SignedInFor;
use crate::registry;
use crate::t;
use crate::ui::{ErrorNotice, Loading, StatusBadge, TextField, load_more, status_label};

/// `/espace/registre` (programme team) and `/espace/locataires` (hosting).
#[component]
pub fn Tenants(
    /// The hosting view (tenants) rather than the programme's registry.
    hosting: bool,
) -> impl IntoView {
    let allowed = |me: &Me| !me.platform_roles.is_empty();
    view! {
        <SignedInFor allowed page=move |me: Me| {
            let programme = me.platform_roles.contains(&PlatformRole::Programme);
            view! { <Registry hosting programme /> }
        } />
    }
}

/// Rows per page of the registry.
const PAGE: u32 = 100;

/// The registry, a page at a time: the API searches and filters (a name, or
/// an INSEE code), so the page stays light at 10,000 communes.
#[component]
fn Registry(hosting: bool, programme: bool) -> impl IntoView {
    let i = use_i18n();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let list = Paged::<Commune>::new();
    let Paged {
        items: rows,
        done,
        loading,
        error,
        ..
    } = list;
    let version = RwSignal::new(0u32);
    // The counts come from the figures, whatever is shown.
    let figures = api::compute(move || {
        version.track();
        registry::figures()
    });
    // The first page (`reset`) or the next one; a code searches by code.
    let load = move |reset: bool| {
        let text = search.get_untracked().trim().to_owned();
        let query = match text.to_uppercase().parse::<Insee>() {
            Ok(code) => format!("/api/communes?limit={PAGE}&insee={code}"),
            Err(_) => registry::Filters {
                q: text,
                status: status.get_untracked(),
                ..Default::default()
            }
            .query(PAGE, None),
        };
        list.load(query, reset);
    };
    load(true);
    // The commune whose suspension is being confirmed (its reason asked first).
    let confirming = RwSignal::new(None::<(Insee, String)>);
    let changed = move |changed: Commune| {
        rows.update(|r| {
            if let Some(row) = r.iter_mut().find(|c| c.insee == changed.insee) {
                *row = changed;
            }
        });
        version.update(|v| *v += 1);
    };
    let act = move |insee: Insee, name: String, suspend: bool| {
        if suspend {
            error.set(None);
            confirming.set(Some((insee, name)));
            crate::ui::focus("#suspension-motif");
            return;
        }
        spawn_local(async move {
            match api::post_nobody::<Commune>(&format!("/api/admin/communes/{insee}/resume")).await
            {
                Ok(c) => {
                    error.set(None);
                    changed(c);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let counts = move || {
        let Some(Ok(f)) = figures.get() else {
            return String::new();
        };
        let total: u64 = f.by_status.iter().map(|t| t.communes).sum();
        let suspended: u64 = f
            .by_status
            .iter()
            .filter(|t| t.code == CommuneStatus::Suspended.as_str())
            .map(|t| t.communes)
            .sum();
        let lang = i.lang();
        format!(
            "{} · {}",
            fmt::count(
                total,
                lang,
                ("commune", "communes"),
                ("commune", "communes")
            ),
            fmt::count(
                suspended,
                lang,
                ("suspendue", "suspendues"),
                ("suspended", "suspended")
            )
        )
    };
    view! {
        <section aria-labelledby="titre-registre">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-registre">{move || if hosting { i.t("Locataires", "Tenants") } else { i.t("Registre des communes", "Communes registry") }}</h1>
            <p class="muted" role="status" id="registre-total">{counts}</p>
            <p class="links">
                <A href="/espace/exploitation" attr:id="lien-exploitation">{t!(i, "Exploitation : usage par commune et chiffres du runtime", "Operations: usage per commune and the runtime's figures")}</A>
                {programme.then(|| view! { <A href="/espace/journal">{t!(i, "Journal de la plateforme", "Platform trail")}</A> })}
            </p>
            <form class="filters" role="search" on:submit=move |ev| { ev.prevent_default(); load(true); }>
                <div class="field">
                    <label for="registre-filtre">{t!(i, "Nom ou code INSEE", "Name or INSEE code")}</label>
                    <input id="registre-filtre" type="search" bind:value=search autocomplete="off" />
                </div>
                <div class="field">
                    <label for="registre-statut">{t!(i, "Statut", "Status")}</label>
                    <select id="registre-statut" bind:value=status on:change=move |_| load(true)>
                        <option value="">{t!(i, "Tous", "All")}</option>
                        {[CommuneStatus::Member, CommuneStatus::Candidate, CommuneStatus::District, CommuneStatus::Suspended]
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str()>{move || status_label(i, s)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <p><button type="submit" class="button" id="registre-chercher">{t!(i, "Chercher", "Search")}</button></p>
            </form>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || confirming.get().map(|(insee, name)| view! {
                <SuspendForm insee name on_done={move |c: Option<Commune>| {
                    confirming.set(None);
                    if let Some(c) = c { changed(c); }
                }} />
            })}
            {move || if rows.with(Vec::is_empty) {
                if loading.get() { view! { <Loading /> }.into_any() } else {
                    view! { <p class="notice">{t!(i, "Aucune commune ne correspond.", "No commune matches.")}</p> }.into_any()
                }
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table table-stack" id="table-registre">
                            <caption class="visually-hidden">{t!(i, "Communes du registre", "Communes of the registry")}</caption>
                            <thead><tr>
                                <th scope="col">{t!(i, "INSEE", "INSEE")}</th>
                                <th scope="col">{t!(i, "Commune", "Commune")}</th>
                                <th scope="col">{t!(i, "Statut", "Status")}</th>
                                <th scope="col">{t!(i, "Actions", "Actions")}</th>
                            </tr></thead>
                            <tbody>{rows.get().into_iter().map(|c| view! { <RegistryRow c programme act /> }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {load_more("registre-plus", done, loading, move || load(false))}
        </section>
        <AddCommuneForm on_added=move || { version.update(|v| *v += 1); load(true); } />
    }
}

/// One commune of the registry, with suspend or resume (and, for the
/// programme team, its members).
#[component]
fn RegistryRow(
    c: Commune,
    programme: bool,
    act: impl Fn(Insee, String, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let suspended = c.status == CommuneStatus::Suspended;
    let insee = c.insee.clone();
    let name = c.name.clone();
    let members = format!("/espace/communes/{}", c.insee);
    let journal = format!("/espace/communes/{}/journal", c.insee);
    view! {
        <tr data-insee=c.insee.to_string()>
            <td>{c.insee.to_string()}</td>
            <td><A href=format!("/communes/{}", c.insee)>{c.name.clone()}</A></td>
            <td><StatusBadge status=c.status /></td>
            <td class="actions">
                <button type="button" class="button button-small"
                    class:button-danger=!suspended
                    aria-label={let name = name.clone(); move || format!("{} {name}", if suspended { i.t("Réactiver", "Resume") } else { i.t("Suspendre", "Suspend") })}
                    on:click=move |_| act(insee.clone(), name.clone(), !suspended)>
                    {move || if suspended { i.t("Réactiver", "Resume") } else { i.t("Suspendre", "Suspend") }}
                </button>
                {programme.then(|| view! {
                    <A href=members attr:class="button button-small button-secondary">{t!(i, "Membres", "Members")}</A>
                    <A href=journal attr:class="button button-small button-secondary">{t!(i, "Journal", "Trail")}</A>
                })}
            </td>
        </tr>
    }
}

/// The suspension of commune `insee`, asked first: what it does, and why
/// (required, kept in the commune's status history). `on_done` gets the
/// suspended commune, or `None` when cancelled.
#[component]
fn SuspendForm(
    insee: Insee,
    name: String,
    on_done: impl Fn(Option<Commune>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let reason = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let path = format!("/api/admin/communes/{insee}/suspend");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let path = path.clone();
        let body = qmi_api::identity::Suspension {
            reason: Some(reason.get_untracked()),
        };
        spawn_local(async move {
            match api::post::<Commune>(&path, &body).await {
                Ok(c) => on_done(Some(c)),
                Err(e) => {
                    reason_error.set(e.field("reason"));
                    failure.set(Some(e).filter(|e| e.errors.is_empty()));
                    crate::ui::focus_first_invalid();
                }
            }
            busy.set(false);
        });
    };
    let title = format!("{} {name} ({insee}) ?", i.t("Suspendre", "Suspend"));
    view! {
        <form class="card" id="suspension" aria-labelledby="suspension-titre" novalidate on:submit=submit>
            <h2 id="suspension-titre">{title}</h2>
            <p>{t!(i,
                "Ses membres (administrateurs, agents, évaluateurs) ne pourront plus rien consulter ni modifier de la commune tant qu'elle sera suspendue ; ses contenus sont gelés. Seule l'équipe du programme y garde accès. La suspension se lève avec « Réactiver ».",
                "Its members (admins, agents, reviewers) can neither read nor change anything of the commune while it is suspended; its content is frozen. Only the programme team keeps access. Lift the suspension with \"Resume\".")}</p>
            <TextField id="suspension-motif" label=Signal::derive(move || i.t("Motif de la suspension", "Reason for the suspension"))
                value=reason error=reason_error required=true multiline=true
                hint=Signal::derive(move || i.t("Obligatoire, gardé dans l'historique de la commune.", "Required, kept in the commune's history.")) />
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <p class="actions">
                <button type="submit" class="button button-danger" id="suspension-confirmer" disabled=move || busy.get()>
                    {t!(i, "Confirmer la suspension", "Confirm the suspension")}
                </button>
                " "
                <button type="button" class="button button-secondary" id="suspension-annuler" on:click=move |_| on_done(None)>
                    {t!(i, "Annuler", "Cancel")}
                </button>
            </p>
        </form>
    }
}

#[component]
fn AddCommuneForm(on_added: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i = use_i18n();
    let insee = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let ept = RwSignal::new(String::new());
    let population = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let field = move |f: &'static str| {
        Signal::derive(move || {
            errors.with(|e| e.iter().find(|(n, _)| *n == f).map(|(_, m)| m.clone()))
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        failure.set(None);
        let mut errs = Vec::new();
        let code = insee.get_untracked().trim().to_uppercase().parse::<Insee>();
        if code.is_err() {
            errs.push((
                "insee",
                i.t(
                    "Cinq caractères, par exemple 93066 ou 2A004.",
                    "Five characters, e.g. 93066 or 2A004.",
                )
                .to_owned(),
            ));
        }
        let name_v = name.get_untracked().trim().to_owned();
        if name_v.is_empty() {
            errs.push((
                "name",
                i.t(
                    "Indiquez le nom de la commune.",
                    "Enter the commune's name.",
                )
                .to_owned(),
            ));
        }
        let pop_text = population
            .get_untracked()
            .replace([' ', '\u{202f}', '\u{a0}'], "");
        let pop = if pop_text.is_empty() {
            Ok(None)
        } else {
            pop_text.parse::<u64>().map(Some)
        };
        if pop.is_err() {
            errs.push((
                "population",
                i.t(
                    "Un nombre entier d'habitants.",
                    "A whole number of residents.",
                )
                .to_owned(),
            ));
        }
        let (Ok(code), Ok(pop), true) = (code, pop, errs.is_empty()) else {
            errors.set(errs);
            crate::ui::focus_first_invalid();
            return;
        };
        errors.set(Vec::new());
        let body = NewCommune {
            insee: code,
            name: name_v,
            ept_code: None,
            ept_name: Some(ept.get_untracked().trim().to_owned()).filter(|s| !s.is_empty()),
            metropolis_code: None,
            population: pop,
            status: None,
        };
        spawn_local(async move {
            match api::post::<Commune>("/api/admin/communes", &body).await {
                Ok(c) => {
                    done.set(Some(c.name));
                    insee.set(String::new());
                    name.set(String::new());
                    ept.set(String::new());
                    population.set(String::new());
                    on_added();
                }
                Err(e) => {
                    errors.set(
                        ["insee", "name", "population"]
                            .into_iter()
                            .filter_map(|f| e.field(f).map(|m| (f, m)))
                            .collect(),
                    );
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-ajout-commune">
            <h2 id="titre-ajout-commune">{t!(i, "Ajouter une commune", "Add a commune")}</h2>
            <form on:submit=submit novalidate class="form-grid">
                <TextField id="commune-insee" label=t!(i, "Code INSEE", "INSEE code") value=insee error=field("insee") required=true />
                <TextField id="commune-nom" label=t!(i, "Nom", "Name") value=name error=field("name") required=true />
                <TextField id="commune-territoire" label=t!(i, "Territoire (facultatif)", "Territory (optional)") value=ept error=Signal::derive(|| None::<String>) />
                <TextField id="commune-population" label=t!(i, "Population (facultatif)", "Population (optional)") value=population error=field("population") />
                <p><button type="submit" class="button" id="commune-ajouter">{t!(i, "Ajouter", "Add")}</button></p>
                {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
                {move || done.get().map(|n| view! { <p class="notice notice-ok" role="status">{move || format!("{} {n}", i.t("Commune ajoutée :", "Commune added:"))}</p> })}
            </form>
        </section>
    }
}
