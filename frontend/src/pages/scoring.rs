//! `/espace/evaluations/:id`: the reviewer's scoring page. The weighted total
//! builds as criteria are scored (provisional until each one is); declaring a
//! conflict of interest asks for confirmation and a reason; a recused reviewer
//! reopening the application is told so plainly (the API then answers with its
//! title only).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::applications::{
    Application, ApplicationTitle, Call, ConflictDeclaration, Criterion, Review, Score, ScoreSheet,
};
use qmi_api::identity::Me;
use serde::Deserialize;

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::pages::calls::AnswersView;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, route_param, set_errors};

/// What `GET /api/applications/{id}` answers a reviewer: the whole application,
/// or its title alone once they are recused from it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Opened {
    Whole(Box<Application>),
    Title(ApplicationTitle),
}

/// The weighted total (0–5) of `scores` under `criteria` so far: Σ weight ×
/// score / Σ weight over the criteria scored, with how many are scored; `None`
/// before the first score.
pub fn weighted_total(
    criteria: &[Criterion],
    scores: &BTreeMap<String, u8>,
) -> Option<(f64, usize)> {
    let scored: Vec<(f64, u8)> = criteria
        .iter()
        .filter_map(|c| scores.get(&c.id).map(|s| (c.weight, *s)))
        .collect();
    let weight: f64 = scored.iter().map(|(w, _)| w).sum();
    if scored.is_empty() || weight <= 0.0 {
        return None;
    }
    let sum: f64 = scored.iter().map(|(w, s)| w * f64::from(*s)).sum();
    Some((sum / weight, scored.len()))
}

/// `/espace/evaluations/:id`: the scoring form.
#[component]
pub fn ScoringPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <Scoring /> } /> }
}

#[component]
fn Scoring() -> impl IntoView {
    let i = use_i18n();
    let id = route_param("id");
    let app = {
        let path = format!("/api/applications/{}", api::encode(&id));
        api::load(move || Some(path.clone()))
    };
    // The call (for its criteria), once the application names it.
    let call = api::load(move || match api::read::<Opened>(&app) {
        Some(Ok(Opened::Whole(a))) => Some(format!("/api/calls/{}", api::encode(&a.call_id))),
        _ => None,
    });
    // Set when the reviewer declares a conflict on this page.
    let recused = RwSignal::new(None::<ApplicationTitle>);
    view! {
        <section aria-labelledby="titre-notation">
            <p><A href="/espace/evaluations">{t!(i, "← Mes évaluations", "← My reviews")}</A></p>
            <h1 id="titre-notation">{t!(i, "Évaluation", "Review")}</h1>
            {move || {
                if let Some(title) = recused.get() {
                    return view! { <Recused title /> }.into_any();
                }
                match (api::read::<Opened>(&app), api::read::<Call>(&call)) {
                    (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorNotice error=e /> }.into_any(),
                    (Some(Ok(Opened::Title(title))), _) => view! { <Recused title /> }.into_any(),
                    (Some(Ok(Opened::Whole(app))), Some(Ok(call))) => view! {
                        <section aria-labelledby="titre-reponses" id="reponses">
                            <h2 id="titre-reponses">{t!(i, "La candidature", "The application")}</h2>
                            <AnswersView questions=call.form answers=app.answers.clone() application=app.id.clone() />
                        </section>
                        <ScoreForm app=*app criteria=call.criteria recused />
                    }.into_any(),
                    _ => view! { <Loading /> }.into_any(),
                }
            }}
        </section>
    }
}

/// What a reviewer sees of an application they are no longer to read.
#[component]
fn Recused(title: ApplicationTitle) -> impl IntoView {
    let i = use_i18n();
    let reason = title.conflict_reason.clone();
    view! {
        <section class="notice" id="recusation" aria-labelledby="titre-recusation">
            <p class="eyebrow">{title.title.clone()}</p>
            {if title.recused {
                view! {
                    <h2 id="titre-recusation">{t!(i, "Vous vous êtes déclaré(e) en conflit d'intérêts", "You declared a conflict of interest")}</h2>
                    <p>{t!(i, "Vous n'évaluez plus cette candidature et ne pouvez plus lire ses réponses ; vos notes éventuelles ne comptent plus. La commune en confie l'évaluation à un autre membre du jury.",
                        "You no longer review this application and can no longer read its answers; any scores you gave no longer count. The commune gives its review to another member of the jury.")}</p>
                    {reason.map(|r| view! { <p id="recusation-motif">{t!(i, "Motif déclaré :", "Reason given:")}" "{r}</p> })}
                }.into_any()
            } else {
                view! {
                    <h2 id="titre-recusation">{t!(i, "Candidature non consultable", "Application not open to you")}</h2>
                    <p>{t!(i, "Vous ne pouvez pas lire cette candidature.", "You may not read this application.")}</p>
                }.into_any()
            }}
            <p><A href="/espace/evaluations">{t!(i, "Retour à mes évaluations", "Back to my reviews")}</A></p>
        </section>
    }
}

#[component]
fn ScoreForm(
    app: Application,
    criteria: Vec<Criterion>,
    /// Set once the reviewer's conflict is recorded.
    recused: RwSignal<Option<ApplicationTitle>>,
) -> impl IntoView {
    let i = use_i18n();
    let scores = RwSignal::new(BTreeMap::<String, u8>::new());
    let comments = RwSignal::new(BTreeMap::<String, String>::new());
    let saved = RwSignal::new(None::<Review>);
    let failure = RwSignal::new(None::<ApiError>);
    let crit = StoredValue::new(criteria.clone());
    let count = criteria.len();
    let total = move || crit.with_value(|c| scores.with(|s| weighted_total(c, s)));
    let app_id = app.id.clone();
    // The reviewer's saved review, if any, fills the form: reopening it never
    // shows blank scores that a save would write over the real ones.
    {
        let path = format!("/api/applications/{}/reviews", api::encode(&app_id));
        let me = crate::session::use_session()
            .me
            .get_untracked()
            .map(|m| m.id);
        spawn_local(async move {
            if let Ok(reviews) = api::get::<Vec<Review>>(&path).await
                && let Some(mine) = reviews
                    .into_iter()
                    .find(|r| Some(&r.reviewer) == me.as_ref())
            {
                scores.set(
                    mine.scores
                        .iter()
                        .map(|s| (s.criterion.clone(), s.score))
                        .collect(),
                );
                comments.set(
                    mine.scores
                        .into_iter()
                        .map(|s| (s.criterion, s.comment))
                        .collect(),
                );
            }
        });
    }
    let submit = {
        let app_id = app_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let sheet = ScoreSheet {
                scores: crit.with_value(|c| {
                    c.iter()
                        .filter_map(|k| {
                            Some(Score {
                                criterion: k.id.clone(),
                                score: *scores
                                    .with_untracked(|s| s.get(&k.id).copied())
                                    .as_ref()?,
                                comment: comments
                                    .with_untracked(|m| m.get(&k.id).cloned().unwrap_or_default()),
                            })
                        })
                        .collect()
                }),
            };
            let id = app_id.clone();
            spawn_local(async move {
                match api::put::<Review>(&format!("/api/applications/{id}/review"), &sheet).await {
                    Ok(r) => {
                        saved.set(Some(r));
                        failure.set(None);
                    }
                    Err(e) => failure.set(Some(e)),
                }
            });
        }
    };
    let confirming = RwSignal::new(false);
    let rows = criteria
        .into_iter()
        .map(|c| {
            let sid = format!("note-{}", c.id);
            let cid = format!("commentaire-{}", c.id);
            let (k1, k2, k3, k4) = (c.id.clone(), c.id.clone(), c.id.clone(), c.id.clone());
            let weight = c.weight;
            view! {
                <fieldset class="criterion">
                    <legend>{c.name.clone()}<span class="muted small">{move || format!(" — {} {}", i.t("poids", "weight"), fmt::decimal(weight, 1, i.lang()))}</span></legend>
                    <p class="hint">{c.description.clone()}</p>
                    <div class="field">
                        <label for=sid.clone()>{t!(i, "Note (0 à 5)", "Score (0 to 5)")}</label>
                        <select id=sid prop:value=move || scores.with(|s| s.get(&k3).map(u8::to_string).unwrap_or_default()) on:change=move |ev| {
                            let v = event_target_value(&ev);
                            scores.update(|s| match v.parse::<u8>() { Ok(n) if n <= 5 => { s.insert(k1.clone(), n); } _ => { s.remove(&k1); } });
                        }>
                            <option value="">"—"</option>
                            {(0..=5).map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for=cid.clone()>{t!(i, "Commentaire", "Comment")}</label>
                        <textarea id=cid prop:value=move || comments.with(|m| m.get(&k4).cloned().unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); comments.update(|m| { m.insert(k2.clone(), v); }); }></textarea>
                    </div>
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <p class="eyebrow">{app.title.clone()}</p>
        {(!app.organisation_name.is_empty()).then(|| view! { <p class="muted organisation" id="notation-organisation">{app.organisation_name.clone()}</p> })}
        <form on:submit=submit class="form-grid" id="form-notation">
                {rows}
                <p class="total" role="status" id="total-pondere">
                    {move || {
                        let lang = i.lang();
                        match total() {
                            Some((t, n)) if n == count => format!("{} {} / 5", i.t("Total pondéré :", "Weighted total:"), fmt::decimal(t, 2, lang)),
                            Some((t, n)) => format!("{} {} / 5 — {} {}",
                                i.t("Total pondéré provisoire :", "Provisional weighted total:"),
                                fmt::decimal(t, 2, lang),
                                fmt::count(n as u64, lang, ("critère noté", "critères notés"), ("criterion scored", "criteria scored")),
                                if lang == qmi_api::identity::Lang::Fr { format!("sur {count} ; notez chaque critère pour le total définitif.") }
                                else { format!("of {count}; score every criterion for the final total.") }),
                            None => i.t("Total pondéré : notez chaque critère.", "Weighted total: score every criterion.").to_owned(),
                        }
                    }}
                </p>
                <p class="actions">
                    <button type="submit" class="button" id="notation-enregistrer">{t!(i, "Enregistrer l'évaluation", "Save the review")}</button>
                    <button type="button" class="button button-danger" id="declarer-conflit" aria-expanded=move || confirming.get().to_string()
                        aria-controls="form-conflit" on:click=move |_| {
                            confirming.set(true);
                            crate::ui::focus("#conflit-motif");
                        }>{t!(i, "Déclarer un conflit d'intérêts", "Declare a conflict of interest")}</button>
                </p>
                {move || saved.get().map(|r| view! { <p class="notice notice-ok" role="status" id="notation-enregistree">
                    {move || format!("{} {}", i.t("Évaluation enregistrée. Total :", "Review saved. Total:"), r.weighted.map_or("—".into(), |w| fmt::decimal(w, 2, i.lang())))}</p> })}
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
        </form>
        <Show when=move || confirming.get()>
            <ConflictForm app=app_id.clone() confirming recused />
        </Show>
    }
}

/// The confirmation of a declared conflict of interest, with its reason.
#[component]
fn ConflictForm(
    app: String,
    confirming: RwSignal<bool>,
    recused: RwSignal<Option<ApplicationTitle>>,
) -> impl IntoView {
    let i = use_i18n();
    let reason = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let path = StoredValue::new(format!("/api/applications/{}/conflict", api::encode(&app)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked();
        if text.trim().is_empty() {
            errors.set(BTreeMap::from([(
                "reason".to_owned(),
                i.t(
                    "Indiquez le motif du conflit d'intérêts.",
                    "Give the reason for the conflict of interest.",
                )
                .to_owned(),
            )]));
            crate::ui::focus_first_invalid();
            return;
        }
        spawn_local(async move {
            match api::post::<ApplicationTitle>(
                &path.get_value(),
                &ConflictDeclaration { reason: text },
            )
            .await
            {
                Ok(t) => recused.set(Some(t)),
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <form on:submit=submit novalidate class="form-grid notice" id="form-conflit" aria-labelledby="titre-conflit">
            <h2 id="titre-conflit">{t!(i, "Déclarer un conflit d'intérêts ?", "Declare a conflict of interest?")}</h2>
            <p>{t!(i, "Vous ne pourrez plus lire ni évaluer cette candidature, et vos notes éventuelles seront retirées. Cette déclaration est définitive ; son motif est transmis à la commune.",
                "You will no longer be able to read or review this application, and any scores you gave will be removed. This declaration is final; its reason goes to the commune.")}</p>
            <TextField id="conflit-motif" label=t!(i, "Motif du conflit", "Reason for the conflict") value=reason
                error=error_of(errors, "reason") multiline=true required=true
                hint=t!(i, "Par exemple : lien familial, ancien employeur, intérêt financier.", "For example: family tie, former employer, financial interest.") />
            <p class="actions">
                <button type="submit" class="button button-danger" id="conflit-confirmer">{t!(i, "Confirmer la déclaration", "Confirm the declaration")}</button>
                <button type="button" class="button button-secondary" id="conflit-annuler" on:click=move |_| {
                    confirming.set(false);
                    crate::ui::focus("#declarer-conflit");
                }>{t!(i, "Annuler", "Cancel")}</button>
            </p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criterion(id: &str, weight: f64) -> Criterion {
        Criterion {
            id: id.into(),
            name: id.into(),
            description: String::new(),
            weight,
        }
    }

    #[test]
    fn weighted_total_builds_as_criteria_are_scored() {
        let c = [criterion("impact", 2.0), criterion("cost", 1.0)];
        let mut s = BTreeMap::new();
        assert_eq!(weighted_total(&c, &s), None);
        s.insert("impact".to_owned(), 5u8);
        assert_eq!(weighted_total(&c, &s), Some((5.0, 1)));
        s.insert("cost".into(), 2);
        assert_eq!(weighted_total(&c, &s), Some((4.0, 2)));
    }

    #[test]
    fn a_recused_reviewer_reads_the_title_answer() {
        let title: Opened =
            serde_json::from_str(r#"{"id":"a","title":"T","recused":true,"conflict_reason":"x"}"#)
                .unwrap();
        assert!(
            matches!(title, Opened::Title(t) if t.recused && t.conflict_reason.as_deref() == Some("x"))
        );
    }
}
