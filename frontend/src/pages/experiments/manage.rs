//! `/espace/experimentations/:id`: one experiment's page for the people who
//! follow it — its moves, details and publication, consortium (this file),
//! then what is followed, the indicators, the feedback's moderation, the
//! evaluation and the outcome (their own files). Each person sees the controls
//! their roles allow; the server decides, and its refusals are shown.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::experiments::{Day, Experiment, ExperimentUpdate, MoveInput, PartnerInput};
use qmi_api::identity::Me;

use super::{Form, Rights, move_label, rights_on, status_badge, status_label};
use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField, facts, text, when};

/// `/espace/experimentations/:id`.
#[component]
pub fn ManagePage(id: String) -> impl IntoView {
    view! { <SignedIn page=move |me: Me| view! { <Manage id=id.clone() me /> } /> }
}

#[component]
fn Manage(id: String, me: Me) -> impl IntoView {
    let i = use_i18n();
    let tick = RwSignal::new(0u32);
    let path = format!("/api/experiments/{}", api::encode(&id));
    let loaded = api::load(move || {
        tick.track();
        Some(path.clone())
    });
    // The latest experiment read: the sections are built once, on the first,
    // and follow the later ones (their forms and messages stay in place).
    let exp = RwSignal::new(None::<Experiment>);
    Effect::new(move |_| {
        if let Some(Ok(e)) = api::read::<Experiment>(&loaded) {
            exp.set(Some(e));
        }
    });
    let ready = Memo::new(move |_| exp.with(Option::is_some));
    view! {
        <article aria-labelledby="titre-experimentation">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            {move || if ready.get() {
                let Some(current) = exp.get_untracked() else {
                    return view! { <Loading /> }.into_any();
                };
                let rights = rights_on(&me, &current);
                let exp = Signal::derive(move || exp.get().unwrap_or_else(|| current.clone()));
                view! { <Sections exp rights tick /> }.into_any()
            } else {
                match api::read::<Experiment>(&loaded) {
                    Some(Err(e)) => view! {
                        <h1 id="titre-experimentation">{t!(i, "Expérimentation", "Experiment")}</h1>
                        <ErrorNotice error=e />
                    }.into_any(),
                    _ => view! { <Loading /> }.into_any(),
                }
            }}
        </article>
    }
}

#[component]
fn Sections(exp: Signal<Experiment>, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let e = exp.get_untracked();
    let id = e.id.clone();
    let holder = move || {
        exp.with(|e| {
            e.partners
                .iter()
                .find(|p| p.holder)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        })
    };
    let period = move || {
        exp.with(|e| {
            format!(
                "{} → {}",
                fmt::date(&e.starts_on.to_string(), i.lang()),
                fmt::date(&e.ends_on.to_string(), i.lang())
            )
        })
    };
    let published = move || exp.with(|e| e.published);
    let timeline = format!("/espace/experimentations/{}/chronologie", e.id);
    let public = format!("/experimentations/{}", e.id);
    let commune_page = format!("/espace/communes/{}/experimentations", e.insee);
    let evaluation = matches!(
        e.status,
        qmi_api::experiments::ExperimentStatus::Evaluating
            | qmi_api::experiments::ExperimentStatus::Concluded
            | qmi_api::experiments::ExperimentStatus::Stopped
    ) || rights.manage
        || rights.side.is_some();
    // Forms of the parts built again with each new read: kept here.
    let move_form = Form::new(tick);
    let reason = RwSignal::new(String::new());
    let partner_form = Form::new(tick);
    view! {
        <p class="eyebrow">{format!("{}{}", e.commune_name, e.district.clone().map(|d| format!(" — {d}")).unwrap_or_default())}</p>
        <h1 id="titre-experimentation">{move || exp.with(|e| e.title.clone())}</h1>
        {facts(vec![
            (t!(i, "Statut", "Status"), "statut", (move || status_badge(i, exp.with(|e| e.status))).into_any()),
            (t!(i, "Porteur", "Holder"), "porteur", holder.into_any()),
            (t!(i, "Période", "Period"), "periode", period.into_any()),
            (t!(i, "Page publique", "Public page"), "publication", (move || if published() { i.t("Publiée", "Published") } else { i.t("Non publiée", "Not published") }).into_any()),
        ])}
        <nav aria-label=t!(i, "Sur cette page", "On this page") class="xp-toc">
            <ul class="links">
                <li><a href="#statut">{t!(i, "Statut", "Status")}</a></li>
                <li><a href="#details">{t!(i, "Détails", "Details")}</a></li>
                <li><a href="#consortium">{t!(i, "Consortium", "Consortium")}</a></li>
                <li><a href="#lieux">{t!(i, "Lieux", "Sites")}</a></li>
                <li><a href="#documents">{t!(i, "Documents", "Documents")}</a></li>
                <li><a href="#jalons">{t!(i, "Jalons", "Milestones")}</a></li>
                <li><a href="#indicateurs">{t!(i, "Indicateurs", "Indicators")}</a></li>
                <li><a href="#rapports">{t!(i, "Rapports", "Reports")}</a></li>
                {rights.moderate.then(|| view! { <li><a href="#moderation">{t!(i, "Avis", "Feedback")}</a></li> })}
                {evaluation.then(|| view! { <li><a href="#evaluation">{t!(i, "Évaluation", "Evaluation")}</a></li> })}
                <li><A href=timeline>{t!(i, "Chronologie", "Timeline")}</A></li>
                {move || published().then(|| view! { <li><A href=public.clone()>{t!(i, "Page publique", "Public page")}</A></li> })}
                {(rights.manage || rights.moderate).then(|| view! { <li><A href=commune_page.clone()>{t!(i, "Expérimentations de la commune", "The commune's experiments")}</A></li> })}
            </ul>
        </nav>
        {move || view! { <Moves e=exp.get() rights form=move_form reason /> }}
        <Details e=e.clone() rights tick />
        {move || view! { <Consortium e=exp.get() rights form=partner_form /> }}
        <super::followed::Followed id=id.clone() rights />
        {rights.moderate.then(|| view! { <super::feedback::ModerationSection id=id.clone() /> })}
        {evaluation.then(|| view! { <super::evaluation::EvaluationSection exp rights tick /> })}
    }
}

/// The status, the moves allowed now (with a reason when one is required) and
/// the history of moves.
#[component]
fn Moves(e: Experiment, rights: Rights, form: Form, reason: RwSignal<String>) -> impl IntoView {
    let i = use_i18n();
    let path = format!("/api/experiments/{}/moves", api::encode(&e.id));
    let go = move |to: qmi_api::experiments::ExperimentStatus| {
        let why = reason.get_untracked().trim().to_owned();
        if to.needs_reason() && why.is_empty() {
            return form.refuse(
                "reason",
                i,
                "Donnez le motif : il est obligatoire pour suspendre ou arrêter.",
                "Give the reason: it is required to suspend or stop.",
            );
        }
        if !crate::ui::confirm(&format!("{} ?", move_label(to, i.lang()))) {
            return;
        }
        let body = MoveInput {
            to,
            reason: Some(why).filter(|r| !r.is_empty()),
        };
        let path = path.clone();
        form.send(("Statut changé.", "Status changed."), async move {
            api::post::<Experiment>(&path, &body).await.map(drop)
        });
    };
    let next = e.next.clone();
    let history = e.history.clone();
    view! {
        <section aria-labelledby="titre-statut" id="statut">
            <h2 id="titre-statut">{t!(i, "Statut et cycle de vie", "Status and lifecycle")}</h2>
            <p>{t!(i, "Statut actuel : ", "Current status: ")}{status_badge(i, e.status)}</p>
            {(rights.manage && !next.is_empty()).then(|| view! {
                <TextField id="motif-changement" label=t!(i, "Motif (obligatoire pour suspendre ou arrêter)", "Reason (required to suspend or stop)") value=reason error=form.error("reason") multiline=true />
                <p class="actions" id="changements-possibles">
                    {next.iter().map(|to| {
                        let to = *to;
                        let go = go.clone();
                        let class = if to.needs_reason() { "button button-secondary" } else { "button" };
                        view! { <button type="button" class=class data-to=to.as_str() disabled=move || form.busy.get() on:click=move |_| go(to)>{move || move_label(to, i.lang())}</button> }
                    }).collect_view()}
                </p>
                {form.outcome()}
            })}
            {(!history.is_empty()).then(|| view! {
                <h3>{t!(i, "Historique", "History")}</h3>
                <ol class="timeline" id="historique-statut">
                    {history.into_iter().map(|m| view! {
                        <li>
                            <span class="muted small">{when(m.at)}</span>" — "
                            <strong>{move || format!("{} → {}", status_label(m.from, i.lang()), status_label(m.to, i.lang()))}</strong>
                            {m.reason.filter(|r| !r.is_empty()).map(|r| view! { <span>{t!(i, " : ", ": ")}{r}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            })}
        </section>
    }
}

/// Title, summary, themes, referents, dates, rhythm of reports, publication.
#[component]
fn Details(e: Experiment, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    if !rights.manage {
        return view! {
            <section aria-labelledby="titre-details" id="details">
                <h2 id="titre-details">{t!(i, "Détails", "Details")}</h2>
                <p class="xp-text">{e.summary.clone()}</p>
                {facts(vec![
                    (t!(i, "Thèmes", "Themes"), "themes", text(e.themes.join(", "))),
                    (t!(i, "Rapports d'étape", "Progress reports"), "rythme", every(e.report_every_months)),
                ])}
            </section>
        }
        .into_any();
    }
    let form = Form::new(tick);
    let title = RwSignal::new(e.title.clone());
    let summary = RwSignal::new(e.summary.clone());
    let themes = RwSignal::new(e.themes.join(", "));
    let referents = RwSignal::new(e.referents.join(", "));
    let starts = RwSignal::new(e.starts_on.to_string());
    let ends = RwSignal::new(e.ends_on.to_string());
    let rhythm = RwSignal::new(e.report_every_months.to_string());
    let published = RwSignal::new(e.published);
    let path = format!("/api/experiments/{}", api::encode(&e.id));
    let list = |s: String| -> Vec<String> {
        s.split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(starts_on), Ok(ends_on)) = (
            starts.get_untracked().parse::<Day>(),
            ends.get_untracked().parse::<Day>(),
        ) else {
            return form.refuse(
                "starts_on",
                i,
                "Indiquez des dates valides (début et fin prévue).",
                "Give valid dates (start and planned end).",
            );
        };
        let body = ExperimentUpdate {
            title: title.get_untracked(),
            summary: summary.get_untracked(),
            themes: list(themes.get_untracked()),
            referents: list(referents.get_untracked()),
            starts_on,
            ends_on,
            report_every_months: rhythm.get_untracked().parse().unwrap_or(0),
            published: published.get_untracked(),
        };
        let path = path.clone();
        form.send(
            ("Modifications enregistrées.", "Changes saved."),
            async move { api::put::<Experiment>(&path, &body).await.map(drop) },
        );
    };
    view! {
        <section aria-labelledby="titre-details" id="details">
            <h2 id="titre-details">{t!(i, "Détails et publication", "Details and publication")}</h2>
            <form on:submit=save novalidate id="formulaire-details">
                <TextField id="xp-titre" label=t!(i, "Titre", "Title") value=title error=form.error("title") required=true />
                <TextField id="xp-resume" label=t!(i, "Résumé (public une fois publié)", "Summary (public once published)") value=summary error=form.error("summary") multiline=true />
                <TextField id="xp-themes" label=t!(i, "Thèmes", "Themes") value=themes error=form.error("themes") hint=t!(i, "Séparés par des virgules.", "Separated by commas.") />
                <TextField id="xp-referents" label=t!(i, "Référents de la commune (identifiants de compte)", "The commune's referents (account ids)") value=referents error=form.error("referents") hint=t!(i, "Séparés par des virgules.", "Separated by commas.") />
                <div class="form-grid">
                    <TextField id="xp-debut" label=t!(i, "Début", "Start") value=starts error=form.error("starts_on") kind="date" required=true />
                    <TextField id="xp-fin" label=t!(i, "Fin prévue", "Planned end") value=ends error=form.error("ends_on") kind="date" required=true />
                </div>
                <div class="field">
                    <label for="xp-rythme">{t!(i, "Rapports d'étape du porteur", "The holder's progress reports")}</label>
                    <select id="xp-rythme" bind:value=rhythm>
                        {[0u32, 1, 2, 3, 4, 6, 12].into_iter().map(|n| view! {
                            <option value=n.to_string() selected=rhythm.get_untracked() == n.to_string()>{move || every_text(n, i.lang())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field choice">
                    <input type="checkbox" id="xp-publiee" bind:checked=published />
                    <label for="xp-publiee">{t!(i, "Publier la page publique (résumé, porteur, lieux, jalons, indicateurs publics, avis publiés, résultat)", "Publish the public page (summary, holder, sites, milestones, public indicators, published feedback, outcome)")}</label>
                </div>
                <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Enregistrer", "Save")}</button></p>
                {form.outcome()}
            </form>
        </section>
    }
    .into_any()
}

fn every_text(n: u32, lang: qmi_api::identity::Lang) -> String {
    use qmi_api::identity::Lang;
    match (n, lang) {
        (0, Lang::Fr) => "Aucun".to_owned(),
        (0, Lang::En) => "None".to_owned(),
        (1, Lang::Fr) => "Tous les mois".to_owned(),
        (1, Lang::En) => "Every month".to_owned(),
        (n, Lang::Fr) => format!("Tous les {n} mois"),
        (n, Lang::En) => format!("Every {n} months"),
    }
}

fn every(n: u32) -> AnyView {
    let i = use_i18n();
    (move || every_text(n, i.lang())).into_any()
}

/// The holder and the other organisations of the consortium.
#[component]
fn Consortium(e: Experiment, rights: Rights, form: Form) -> impl IntoView {
    let i = use_i18n();
    let organisation = RwSignal::new(String::new());
    let base = format!("/api/experiments/{}/partners", api::encode(&e.id));
    let add = {
        let base = base.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let organisation_id = organisation.get_untracked().trim().to_owned();
            if organisation_id.is_empty() {
                return form.refuse(
                    "organisation_id",
                    i,
                    "Indiquez l'identifiant de l'organisation.",
                    "Give the organisation's id.",
                );
            }
            let base = base.clone();
            form.send(
                ("Organisation ajoutée.", "Organisation added."),
                async move {
                    api::post::<Experiment>(&base, &PartnerInput { organisation_id })
                        .await
                        .map(drop)
                },
            );
        }
    };
    view! {
        <section aria-labelledby="titre-consortium" id="consortium">
            <h2 id="titre-consortium">{t!(i, "Consortium", "Consortium")}</h2>
            <ul class="plain-list" id="partenaires">
                {e.partners.into_iter().map(|p| {
                    let remove = {
                        let path = format!("{base}/{}", api::encode(&p.organisation_id));
                        move |_| {
                            if !crate::ui::confirm(i.t("Retirer cette organisation du consortium ?", "Remove this organisation from the consortium?")) {
                                return;
                            }
                            let path = path.clone();
                            form.send(("Organisation retirée.", "Organisation removed."), async move { api::delete(&path).await });
                        }
                    };
                    view! {
                        <li data-id=p.organisation_id.clone()>
                            <strong>{p.name.clone()}</strong>
                            {p.holder.then(|| view! { " "<span class="badge">{t!(i, "Porteur", "Holder")}</span> })}
                            {(rights.manage && !p.holder).then(|| view! {
                                " "<button type="button" class="button button-secondary button-small" on:click=remove.clone()>
                                    {t!(i, "Retirer", "Remove")}<span class="visually-hidden">{format!(" {}", p.name)}</span>
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {rights.manage.then(|| view! {
                <form on:submit=add.clone() novalidate class="xp-inline-form">
                    <TextField id="xp-organisation" label=t!(i, "Ajouter une organisation (identifiant dans l'annuaire)", "Add an organisation (id in the directory)") value=organisation error=form.error("organisation_id") />
                    <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Ajouter au consortium", "Add to the consortium")}</button></p>
                </form>
            })}
            {form.outcome()}
        </section>
    }
}
