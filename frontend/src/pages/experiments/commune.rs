//! A commune's experiments with what is due, its figures and the creation of
//! one from a selected application; a partner's "Mes expérimentations".

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qmi_api::applications::{Application, Call};
use qmi_api::experiments::{CommuneFigures, Day, Experiment, ExperimentInput, ExperimentSummary};
use qmi_api::identity::Me;
use qmi_api::{MembershipRole, Page, PlatformRole};

use super::{Form, due_labels, status_badge, status_label};
use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::space::{SignedIn, SignedInFor};
use crate::t;
use crate::ui::{BarChart, ErrorNotice, Loading, TextField, load_more};

/// One experiment in a list, with what is due.
#[component]
fn ExperimentCard(x: ExperimentSummary, show_commune: bool) -> impl IntoView {
    let i = use_i18n();
    let href = format!("/espace/experimentations/{}", x.id);
    let timeline = format!("/espace/experimentations/{}/chronologie", x.id);
    let due = x.due;
    let (starts, ends) = (x.starts_on.to_string(), x.ends_on.to_string());
    view! {
        <li class="card" data-id=x.id.clone()>
            <h2 class="card-title"><A href=href>{x.title.clone()}</A></h2>
            <p class="card-meta">
                {status_badge(i, x.status)}" "
                {show_commune.then(|| format!("{} — ", x.commune_name))}
                {x.holder.clone()}" · "
                {move || format!("{} → {}", fmt::date(&starts, i.lang()), fmt::date(&ends, i.lang()))}
            </p>
            {move || {
                let labels = due_labels(&due, i.lang());
                if labels.is_empty() {
                    view! { <p class="muted small xp-due">{t!(i, "Rien en attente", "Nothing due")}</p> }.into_any()
                } else {
                    view! { <ul class="xp-due-list">{labels.into_iter().map(|l| view! { <li class="badge badge-late">{l}</li> }).collect_view()}</ul> }.into_any()
                }
            }}
            <p class="small"><A href=timeline>{t!(i, "Chronologie", "Timeline")}</A></p>
        </li>
    }
}

/// `/espace/experimentations`: the experiments of the caller's organisation,
/// across communes, with what is due.
#[component]
pub fn MyExperiments() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <MyList /> } /> }
}

#[component]
fn MyList() -> impl IntoView {
    let i = use_i18n();
    let loaded = api::load(|| Some("/api/experiments/mine".to_owned()));
    view! {
        <section aria-labelledby="titre-mes-experimentations">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-mes-experimentations">{t!(i, "Mes expérimentations", "My experiments")}</h1>
            <p class="lead">{t!(i, "Les expérimentations de votre organisation, dans toutes les communes, avec ce qui est attendu de vous : rapports d'étape, mesures, jalons.", "Your organisation's experiments, in every commune, with what is expected of you: progress reports, measurements, milestones.")}</p>
            {move || match api::read::<Vec<ExperimentSummary>>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="notice">{t!(i, "Aucune expérimentation pour l'instant.", "No experiment yet.")}</p> }.into_any(),
                Some(Ok(mut list)) => {
                    // What is due first.
                    list.sort_by_key(|x| std::cmp::Reverse(x.due.milestones_late + x.due.reports_due + x.due.reports_overdue));
                    view! {
                        <ul class="card-list" id="liste-mes-experimentations">
                            {list.into_iter().map(|x| view! { <ExperimentCard x show_commune=true /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// `/espace/communes/:insee/experimentations`.
#[component]
pub fn CommuneExperiments(insee: String) -> impl IntoView {
    let code = insee.clone();
    let allowed = move |me: &Me| {
        me.platform_roles.contains(&PlatformRole::Programme)
            || me
                .memberships
                .iter()
                .any(|m| m.insee.as_str() == code && m.role != MembershipRole::Reviewer)
    };
    view! {
        <SignedInFor allowed page=move |me: Me| {
            let create = me.platform_roles.contains(&PlatformRole::Programme)
                || me.memberships.iter().any(|m| m.insee.as_str() == insee && m.role == MembershipRole::Admin);
            view! { <CommuneView insee=insee.clone() create /> }
        } />
    }
}

#[component]
fn CommuneView(insee: String, create: bool) -> impl IntoView {
    let i = use_i18n();
    let names = crate::registry::use_names();
    names.want([insee.as_str()]);
    let code = insee.clone();
    let commune = move || names.name(&code).unwrap_or_else(|| code.clone());
    let base = format!("/api/experiments/communes/{}", api::encode(&insee));
    let list = Paged::<ExperimentSummary>::new();
    let query = StoredValue::new(format!("{base}?limit=20"));
    list.load(query.get_value(), true);
    let figures = {
        let path = format!("{base}/figures");
        api::load(move || Some(path.clone()))
    };
    let Paged {
        items,
        done,
        loading,
        error,
        ..
    } = list;
    view! {
        <section aria-labelledby="titre-experimentations-commune">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <p class="eyebrow">{commune}</p>
            <h1 id="titre-experimentations-commune">{t!(i, "Expérimentations de la commune", "The commune's experiments")}</h1>
            <section aria-labelledby="titre-chiffres-commune">
                <h2 id="titre-chiffres-commune">{t!(i, "En chiffres", "In figures")}</h2>
                {move || match api::read::<CommuneFigures>(&figures) {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                    Some(Ok(f)) => view! { <Figures f /> }.into_any(),
                }}
            </section>
            <section aria-labelledby="titre-liste-commune">
                <h2 id="titre-liste-commune">{t!(i, "Les expérimentations", "The experiments")}</h2>
                {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
                {move || if items.with(Vec::is_empty) {
                    if loading.get() { view! { <Loading /> }.into_any() } else {
                        view! { <p class="notice">{t!(i, "Aucune expérimentation pour l'instant.", "No experiment yet.")}</p> }.into_any()
                    }
                } else {
                    view! {
                        <ul class="card-list" id="liste-experimentations-commune">
                            {items.get().into_iter().map(|x| view! { <ExperimentCard x show_commune=false /> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {load_more("charger-plus", done, loading, move || list.load(query.get_value(), false))}
            </section>
            {create.then(|| view! { <Create insee=insee.clone() /> })}
        </section>
    }
}

#[component]
fn Figures(f: CommuneFigures) -> impl IntoView {
    let i = use_i18n();
    let bars: Vec<(String, u64)> = f
        .by_status
        .iter()
        .filter_map(|c| {
            qmi_api::experiments::ExperimentStatus::parse(&c.key)
                .map(|s| (status_label(s, i.lang()).to_owned(), u64::from(c.count)))
        })
        .collect();
    let kpi = |fr: &'static str, en: &'static str, key: &'static str, n: u32| {
        view! {
            <div class="kpi"><dt>{t!(i, fr, en)}</dt><dd data-figure=key>{move || fmt::integer(u64::from(n), i.lang())}</dd></div>
        }
    };
    view! {
        <dl class="kpis">
            {kpi("Jalons en retard", "Milestones late", "milestones_late", f.milestones_late)}
            {kpi("Rapports en retard", "Reports overdue", "reports_overdue", f.reports_overdue)}
            {kpi("Indicateurs à l'objectif", "Indicators on target", "on_target", f.indicators_on_target)}
            {kpi("Indicateurs sous l'objectif", "Indicators off target", "off_target", f.indicators_off_target)}
            {kpi("Avis à modérer", "Feedback to moderate", "feedback_waiting", f.feedback_waiting)}
        </dl>
        <h3 id="graphe-statuts-commune">{t!(i, "Expérimentations par statut", "Experiments by status")}</h3>
        <BarChart labelled_by="graphe-statuts-commune" bars />
    }
}

/// Creating an experiment from one of the commune's selected applications.
#[component]
fn Create(insee: String) -> impl IntoView {
    let i = use_i18n();
    let navigate = use_navigate();
    let form = Form::new(RwSignal::new(0));
    let application = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    // The selected applications of the calls the commune runs.
    let code = insee.clone();
    let selected = api::compute(move || {
        let code = code.clone();
        async move { selected_applications(&code).await }
    });
    let path = format!("/api/experiments/communes/{}", api::encode(&insee));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let application_id = application.get_untracked().trim().to_owned();
        if application_id.is_empty() {
            return form.refuse(
                "application_id",
                i,
                "Choisissez la candidature retenue.",
                "Choose the selected application.",
            );
        }
        let day = |s: String, field: &'static str| -> Result<Option<Day>, &'static str> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim().parse().map(Some).map_err(|_| field)
            }
        };
        let (starts_on, ends_on) = match (
            day(starts.get_untracked(), "starts_on"),
            day(ends.get_untracked(), "ends_on"),
        ) {
            (Ok(s), Ok(e)) => (s, e),
            (Err(f), _) | (_, Err(f)) => {
                return form.refuse(f, i, "Indiquez une date valide.", "Give a valid date.");
            }
        };
        let body = ExperimentInput {
            application_id,
            summary: Some(summary.get_untracked()).filter(|s| !s.trim().is_empty()),
            starts_on,
            ends_on,
            referents: Vec::new(),
        };
        let path = path.clone();
        let navigate = navigate.clone();
        form.send(
            ("Expérimentation créée.", "Experiment created."),
            async move {
                let e = api::post::<Experiment>(&path, &body).await?;
                navigate(
                    &format!("/espace/experimentations/{}", e.id),
                    Default::default(),
                );
                Ok(())
            },
        );
    };
    view! {
        <section aria-labelledby="titre-creer-experimentation" class="card">
            <h2 id="titre-creer-experimentation">{t!(i, "Créer une expérimentation", "Create an experiment")}</h2>
            <p class="muted">{t!(i,
                "À partir d'une candidature retenue : le titre, le porteur, l'appel, la commune, le quartier et les thèmes sont repris. Une candidature ne donne qu'une expérimentation.",
                "From a selected application: the title, holder, call, commune, district and themes are taken over. One application gives one experiment at most.")}</p>
            <form on:submit=submit novalidate id="formulaire-creation">
                <div class="field" class:field-invalid=move || form.errors.with(|e| e.contains_key("application_id"))>
                    <label for="creation-candidature">{t!(i, "Candidature retenue", "Selected application")}" *"</label>
                    {move || match selected.get() {
                        Some(Ok(list)) if !list.is_empty() => view! {
                            <select id="creation-candidature" bind:value=application
                                aria-describedby=crate::ui::described_by(form.errors, "application_id", "creation-candidature-erreur")>
                                <option value="">{t!(i, "— choisir —", "— choose —")}</option>
                                {list.into_iter().map(|(a, call)| view! { <option value=a.id.clone()>{format!("{} — {} ({call})", a.title, a.organisation_name)}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        other => view! {
                            <input id="creation-candidature" type="text" bind:value=application aria-describedby="creation-candidature-aide" />
                            <p class="hint" id="creation-candidature-aide">{match other {
                                None => t!(i, "Recherche des candidatures retenues… Vous pouvez aussi saisir l'identifiant d'une candidature.", "Looking for selected applications… You may also type an application's id."),
                                _ => t!(i, "Aucune candidature retenue trouvée dans les appels de la commune : saisissez l'identifiant de la candidature.", "No selected application found in the commune's calls: type the application's id."),
                            }}</p>
                        }.into_any(),
                    }}
                    {crate::ui::error_line(form.errors, "application_id", "creation-candidature-erreur")}
                </div>
                <TextField id="creation-resume" label=t!(i, "Résumé (facultatif)", "Summary (optional)") value=summary error=form.error("summary") multiline=true />
                <div class="form-grid">
                    <TextField id="creation-debut" label=t!(i, "Début (par défaut : aujourd'hui)", "Start (default: today)") value=starts error=form.error("starts_on") kind="date" />
                    <TextField id="creation-fin" label=t!(i, "Fin prévue (par défaut : 18 mois après)", "Planned end (default: 18 months later)") value=ends error=form.error("ends_on") kind="date" />
                </div>
                <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Créer l'expérimentation", "Create the experiment")}</button></p>
                {form.outcome()}
            </form>
        </section>
    }
}

/// The applications in state `selected` of the calls run for commune `insee`,
/// with their call's title.
async fn selected_applications(insee: &str) -> Result<Vec<(Application, String)>, ApiError> {
    let calls = api::get::<Page<Call>>(&format!(
        "/api/calls?managed=true&commune={}&limit=100",
        api::encode(insee)
    ))
    .await?;
    let mut out = Vec::new();
    for c in calls.items {
        let path = format!(
            "/api/calls/{}/applications?status=selected&limit=500",
            api::encode(&c.id)
        );
        if let Ok(page) = api::get::<Page<Application>>(&path).await {
            out.extend(
                page.items
                    .into_iter()
                    .filter(|a| a.insee.as_str() == insee)
                    .map(|a| (a, c.title.clone())),
            );
        }
    }
    Ok(out)
}
