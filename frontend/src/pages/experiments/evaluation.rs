//! The common grid side by side (commune, programme), the holder's own
//! evaluation, the outcome and the spread to other communes.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::experiments::{
    Evaluation, Experiment, ExperimentStatus, GridAxis, GridInput, GridScore, HolderEvaluation,
    Outcome, OutcomeInput, Side, SpreadInput,
};

use super::{Form, Rights, axis_label, outcome_label};
use crate::api;
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// The evaluation, the outcome and the spread of `exp`.
#[component]
pub fn EvaluationSection(
    exp: Signal<Experiment>,
    rights: Rights,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let i = use_i18n();
    let etick = RwSignal::new(0u32);
    let base = format!("/api/experiments/{}", api::encode(&exp.get_untracked().id));
    let loaded = {
        let path = format!("{base}/evaluation");
        api::load(move || {
            etick.track();
            Some(path.clone())
        })
    };
    let data = RwSignal::new(None::<Evaluation>);
    Effect::new(move |_| {
        if let Some(Ok(e)) = api::read::<Evaluation>(&loaded) {
            data.set(Some(e));
        }
    });
    let ready = Memo::new(move |_| data.with(Option::is_some));
    let base2 = base.clone();
    view! {
        <section aria-labelledby="titre-evaluation" id="evaluation">
            <h2 id="titre-evaluation">{t!(i, "Évaluation", "Evaluation")}</h2>
            {move || if ready.get() {
                let base = base2.clone();
                view! {
                    <GridTable data />
                    {rights.side.map(|side| view! { <GridForm side data base=base.clone() tick=etick /> })}
                    <Holder data base can_edit=rights.report tick=etick />
                }.into_any()
            } else {
                match api::read::<Evaluation>(&loaded) {
                    Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                    _ => view! { <Loading /> }.into_any(),
                }
            }}
        </section>
        <OutcomePart exp base rights tick />
    }
}

/// The score of `axis` in `column`, if given.
fn score_of(column: &[GridScore], axis: GridAxis) -> Option<&GridScore> {
    column.iter().find(|s| s.axis == axis)
}

#[component]
fn GridTable(data: RwSignal<Option<Evaluation>>) -> impl IntoView {
    let i = use_i18n();
    let cell = move |column: &[GridScore], axis: GridAxis| {
        match score_of(column, axis) {
        Some(s) => view! { <strong>{format!("{} / 5", s.score)}</strong>{(!s.comment.is_empty()).then(|| view! { <br /><span class="small xp-text">{s.comment.clone()}</span> })} }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
    };
    move || {
        let Some(e) = data.get() else {
            return ().into_any();
        };
        crate::ui::table(
            "grille-evaluation",
            t!(
                i,
                "Grille commune d'évaluation : la commune et l'équipe du programme côte à côte",
                "Common evaluation grid: the commune and the programme team side by side"
            ),
            vec![
                t!(i, "Axe", "Axis"),
                t!(i, "Commune", "Commune"),
                t!(i, "Équipe du programme", "Programme team"),
            ],
            GridAxis::ALL
                .iter()
                .map(|a| {
                    let a = *a;
                    (
                        a.as_str().to_owned(),
                        vec![
                            (move || axis_label(a, i.lang())).into_any(),
                            cell(&e.commune, a),
                            cell(&e.programme, a),
                        ],
                    )
                })
                .collect(),
        )
    }
}

#[component]
fn GridForm(
    side: Side,
    data: RwSignal<Option<Evaluation>>,
    base: String,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let current = data.with_untracked(|d| {
        d.as_ref()
            .map(|e| {
                if side == Side::Commune {
                    e.commune.clone()
                } else {
                    e.programme.clone()
                }
            })
            .unwrap_or_default()
    });
    let fields: Vec<(GridAxis, RwSignal<String>, RwSignal<String>)> = GridAxis::ALL
        .iter()
        .map(|a| {
            let s = score_of(&current, *a);
            (
                *a,
                RwSignal::new(s.map(|s| s.score.to_string()).unwrap_or_default()),
                RwSignal::new(s.map(|s| s.comment.clone()).unwrap_or_default()),
            )
        })
        .collect();
    let url = format!("{base}/grid/{}", side.as_str());
    let values = fields.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut scores = Vec::new();
        for (axis, score, comment) in &values {
            let Some(score) = score.get_untracked().parse::<u8>().ok().filter(|s| *s <= 5) else {
                return form.refuse(
                    "scores",
                    i,
                    "Donnez une note de 0 à 5 sur chaque axe.",
                    "Give a score from 0 to 5 on every axis.",
                );
            };
            scores.push(GridScore {
                axis: *axis,
                score,
                comment: comment.get_untracked(),
            });
        }
        let url = url.clone();
        form.send(("Grille enregistrée.", "Grid saved."), async move {
            api::put::<Evaluation>(&url, &GridInput { scores })
                .await
                .map(drop)
        });
    };
    let title = if side == Side::Commune {
        t!(
            i,
            "Noter au nom de la commune",
            "Score on behalf of the commune"
        )
    } else {
        t!(
            i,
            "Noter au nom de l'équipe du programme",
            "Score on behalf of the programme team"
        )
    };
    view! {
        <form on:submit=save novalidate class="xp-inline-form" id=format!("grille-{}", side.as_str())>
            <h3>{title}</h3>
            {crate::ui::error_line(form.errors, "scores", "grille-erreur")}
            {fields.into_iter().map(|(axis, score, comment)| {
                let id = format!("note-{}", axis.as_str());
                view! {
                    <fieldset class="field xp-axis">
                        <legend>{move || axis_label(axis, i.lang())}</legend>
                        <div class="form-grid">
                            <div class="field">
                                <label for=id.clone()>{t!(i, "Note (0 à 5)", "Score (0 to 5)")}</label>
                                <select id=id.clone() bind:value=score aria-describedby=crate::ui::described_by(form.errors, "scores", "grille-erreur")>
                                    <option value="">{t!(i, "— choisir —", "— choose —")}</option>
                                    {(0..=5).map(|n| view! { <option value=n.to_string() selected=score.get_untracked() == n.to_string()>{n.to_string()}</option> }).collect_view()}
                                </select>
                            </div>
                            <TextField id=format!("{id}-commentaire") label=t!(i, "Commentaire", "Comment") value=comment error=Signal::derive(|| None::<String>) multiline=true />
                        </div>
                    </fieldset>
                }
            }).collect_view()}
            <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Enregistrer la grille", "Save the grid")}</button></p>
            {form.outcome()}
        </form>
    }
}

#[component]
fn Holder(
    data: RwSignal<Option<Evaluation>>,
    base: String,
    can_edit: bool,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let current = data.with_untracked(|d| d.as_ref().map(|e| e.holder.clone()).unwrap_or_default());
    let protocol = RwSignal::new(current.protocol.clone());
    let report = RwSignal::new(current.final_report.clone());
    let url = format!("{base}/holder-evaluation");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = HolderEvaluation {
            protocol: protocol.get_untracked(),
            final_report: report.get_untracked(),
        };
        let url = url.clone();
        form.send(
            (
                "Évaluation du porteur enregistrée.",
                "Holder's evaluation saved.",
            ),
            async move { api::put::<Evaluation>(&url, &body).await.map(drop) },
        );
    };
    view! {
        <h3>{t!(i, "Évaluation du porteur", "The holder's evaluation")}</h3>
        {if can_edit {
            view! {
                <form on:submit=save novalidate id="evaluation-porteur">
                    <TextField id="porteur-protocole" label=t!(i, "Protocole d'évaluation", "Evaluation protocol") value=protocol error=form.error("protocol") multiline=true
                        hint=t!(i, "Les fichiers se déposent dans les documents (type « Protocole d'évaluation » ou « Rapport final »).", "Files are uploaded in the documents (kind “Evaluation protocol” or “Final report”).") />
                    <TextField id="porteur-rapport" label=t!(i, "Rapport final", "Final report") value=report error=form.error("final_report") multiline=true />
                    <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Enregistrer", "Save")}</button></p>
                    {form.outcome()}
                </form>
            }.into_any()
        } else {
            let empty = current.protocol.is_empty() && current.final_report.is_empty();
            view! {
                {empty.then(|| view! { <p class="muted">{t!(i, "Le porteur n'a encore rien transmis.", "The holder has sent nothing yet.")}</p> })}
                {(!current.protocol.is_empty()).then(|| view! { <h4>{t!(i, "Protocole", "Protocol")}</h4><p class="xp-text">{current.protocol.clone()}</p> })}
                {(!current.final_report.is_empty()).then(|| view! { <h4>{t!(i, "Rapport final", "Final report")}</h4><p class="xp-text">{current.final_report.clone()}</p> })}
            }.into_any()
        }}
    }
}

/// The outcome (recorded for a concluded or stopped experiment) and the spread.
#[component]
fn OutcomePart(
    exp: Signal<Experiment>,
    base: String,
    rights: Rights,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let e = exp.get_untracked();
    let current = e.outcome.clone();
    let outcome = RwSignal::new(
        current
            .as_ref()
            .map_or(Outcome::Deployed, |o| o.outcome)
            .as_str()
            .to_owned(),
    );
    let reason = RwSignal::new(
        current
            .as_ref()
            .map(|o| o.reason.clone())
            .unwrap_or_default(),
    );
    let lessons = RwSignal::new(
        current
            .as_ref()
            .map(|o| o.lessons.clone())
            .unwrap_or_default(),
    );
    let places = RwSignal::new(
        current
            .as_ref()
            .map(|o| o.places.join("\n"))
            .unwrap_or_default(),
    );
    let url = format!("{base}/outcome");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            return form.refuse(
                "reason",
                i,
                "Donnez la raison de ce résultat.",
                "Give the reason for this outcome.",
            );
        }
        let body = OutcomeInput {
            outcome: Outcome::parse(&outcome.get_untracked()).unwrap_or(Outcome::Deployed),
            reason: why,
            lessons: lessons.get_untracked(),
            places: places
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let url = url.clone();
        form.send(("Résultat enregistré.", "Outcome recorded."), async move {
            api::put::<Experiment>(&url, &body).await.map(drop)
        });
    };
    let spread_form = Form::new(tick);
    let insee = RwSignal::new(String::new());
    let spread_url = format!("{base}/spreads");
    let spread = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(code) = insee.get_untracked().trim().parse::<qmi_api::Insee>() else {
            return spread_form.refuse(
                "insee",
                i,
                "Indiquez le code INSEE de la commune (5 caractères, par exemple 93048).",
                "Give the commune's INSEE code (5 characters, for example 93048).",
            );
        };
        let url = spread_url.clone();
        spread_form.send(
            (
                "Expérimentation essaimée : elle apparaît ci-dessous.",
                "Experiment spread: it is listed below.",
            ),
            async move {
                api::post::<Experiment>(&url, &SpreadInput { insee: code })
                    .await
                    .map(drop)
            },
        );
    };
    // Followed as the experiment moves: concluding it on this page offers the
    // outcome and the spread at once.
    let closed = Memo::new(move |_| {
        exp.with(|e| {
            matches!(
                e.status,
                ExperimentStatus::Concluded | ExperimentStatus::Stopped
            )
        })
    });
    let concluded = Memo::new(move |_| exp.with(|e| e.status == ExperimentStatus::Concluded));
    view! {
        <section aria-labelledby="titre-resultat" id="resultat">
            <h2 id="titre-resultat">{t!(i, "Résultat et essaimage", "Outcome and spread")}</h2>
            {move || match exp.with(|e| e.outcome.clone()) {
                Some(o) => {
                    let kind = o.outcome;
                    view! {
                        <p><strong id="resultat-enregistre">{move || outcome_label(kind, i.lang())}</strong></p>
                        <p class="xp-text">{o.reason}</p>
                        {(!o.lessons.is_empty()).then(|| view! { <p class="xp-text"><em>{t!(i, "Enseignements : ", "Lessons learned: ")}</em>{o.lessons.clone()}</p> })}
                        {(!o.places.is_empty()).then(|| view! { <p>{t!(i, "Autres lieux : ", "Other places: ")}{o.places.join(", ")}</p> })}
                    }.into_any()
                }
                None => view! { <p class="muted">{t!(i, "Aucun résultat enregistré.", "No outcome recorded.")}</p> }.into_any(),
            }}
            {move || {
                let (from, to) = exp.with(|e| (e.spread_from.clone(), e.spread_to.clone()));
                view! {
                    {from.map(|r| view! { <p>{t!(i, "Essaimée depuis : ", "Spread from: ")}<A href=format!("/espace/experimentations/{}", r.id)>{format!("{} ({})", r.title, r.insee)}</A></p> })}
                    {(!to.is_empty()).then(|| view! {
                        <p>{t!(i, "Essaimée vers :", "Spread to:")}</p>
                        <ul class="plain-list" id="essaimages">{to.into_iter().map(|r| view! { <li><A href=format!("/espace/experimentations/{}", r.id)>{format!("{} ({})", r.title, r.insee)}</A></li> }).collect_view()}</ul>
                    })}
                }
            }}
            {move || (rights.manage && closed.get()).then(|| view! {
                <form on:submit=save.clone() novalidate class="xp-inline-form" id="formulaire-resultat">
                    <h3>{t!(i, "Enregistrer le résultat", "Record the outcome")}</h3>
                    <div class="field">
                        <label for="resultat-type">{t!(i, "Résultat", "Outcome")}</label>
                        <select id="resultat-type" bind:value=outcome>
                            {Outcome::ALL.iter().map(|o| {
                                let o = *o;
                                view! { <option value=o.as_str() selected=outcome.get_untracked() == o.as_str()>{move || outcome_label(o, i.lang())}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <TextField id="resultat-raison" label=t!(i, "Raison", "Reason") value=reason error=form.error("reason") multiline=true required=true />
                    <TextField id="resultat-enseignements" label=t!(i, "Enseignements", "Lessons learned") value=lessons error=form.error("lessons") multiline=true />
                    <TextField id="resultat-lieux" label=t!(i, "Autres lieux où elle a essaimé (un par ligne)", "Other places it spread to (one per line)") value=places error=form.error("places") multiline=true />
                    <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Enregistrer le résultat", "Record the outcome")}</button></p>
                    {form.outcome()}
                </form>
            })}
            {move || (rights.manage && concluded.get()).then(|| view! {
                <form on:submit=spread.clone() novalidate class="xp-inline-form" id="formulaire-essaimage">
                    <h3>{t!(i, "Essaimer dans une autre commune", "Spread to another commune")}</h3>
                    <TextField id="essaimage-insee" label=t!(i, "Code INSEE de la commune", "The commune's INSEE code") value=insee error=spread_form.error("insee") required=true
                        hint=t!(i, "Une nouvelle expérimentation est créée dans cette commune, liée à celle-ci.", "A new experiment is created in that commune, linked to this one.") />
                    <p><button type="submit" class="button button-secondary" disabled=move || spread_form.busy.get()>{t!(i, "Essaimer", "Spread")}</button></p>
                    {spread_form.outcome()}
                </form>
            })}
        </section>
    }
}
