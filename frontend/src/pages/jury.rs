//! The jury's work as whoever runs a call reads it: every reviewer's scores and
//! comments per criterion on an application, the recusals with their reason,
//! and the applications an automatic assignment left short of reviews.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use qmi_api::applications::{Assignment, Criterion, Review};
use qmi_api::identity::Lang;

use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

/// The states whose applications are reviewed.
const REVIEWABLE: &[&str] = &["submitted", "eligible", "in_review", "shortlisted"];

/// The warning after an automatic assignment of `per` reviews per application:
/// how many of the reviewable applications (`reviewable`, plus those the answer
/// `made` lists as open) have fewer active reviewers than asked; `None` when
/// every one has its count.
pub fn shortfall_note(
    made: &[Assignment],
    reviewable: &[String],
    per: u32,
    lang: Lang,
) -> Option<String> {
    let mut apps: BTreeSet<&str> = reviewable.iter().map(String::as_str).collect();
    apps.extend(
        made.iter()
            .filter(|a| a.open)
            .map(|a| a.application.as_str()),
    );
    let short: Vec<usize> = apps
        .iter()
        .map(|app| {
            made.iter()
                .filter(|a| a.application == *app && !a.conflict)
                .count()
        })
        .filter(|n| *n < per as usize)
        .collect();
    let fewest = short.iter().min()?;
    let n = short.len() as u64;
    Some(match lang {
        Lang::Fr => format!(
            "Attention : {} moins de {per} évaluations (au moins {fewest}) : le jury qui peut {} est trop petit. Cochez d'autres évaluateurs pour compléter.",
            fmt::count(n, lang, ("candidature a", "candidatures ont"), ("", "")),
            if n > 1 { "les évaluer" } else { "l'évaluer" },
        ),
        _ => format!(
            "Warning: {} fewer than {per} reviews (at least {fewest}): the jury that may review {} is too small. Tick more reviewers to complete.",
            fmt::count(n, lang, ("", ""), ("application has", "applications have")),
            if n > 1 { "them" } else { "it" },
        ),
    })
}

/// Whether an application in `status` still awaits reviews.
pub fn reviewable(status: &str) -> bool {
    REVIEWABLE.contains(&status)
}

/// An application's reviews, opened on demand: each reviewer's weighted total,
/// score and comment per criterion, and who recused themselves and why.
#[component]
pub fn JuryReviews(
    /// The application.
    application: String,
    /// The call (its assignments carry the recusals).
    call: String,
    /// The call's criteria, in order.
    criteria: Vec<Criterion>,
    /// Reviewers' names by account id.
    names: api::Computed<BTreeMap<String, String>>,
) -> impl IntoView {
    let i = use_i18n();
    let open = RwSignal::new(false);
    let reviews = {
        let path = format!("/api/applications/{}/reviews", api::encode(&application));
        api::load(move || open.get().then(|| path.clone()))
    };
    let assignments = {
        let path = format!("/api/calls/{}/assignments", api::encode(&call));
        api::load(move || open.get().then(|| path.clone()))
    };
    let criteria = StoredValue::new(criteria);
    let app = StoredValue::new(application.clone());
    view! {
        <details class="answers-details jury-reviews" id=format!("evaluations-{application}")
            on:toggle=move |_| open.set(true)>
            <summary>{t!(i, "Lire les évaluations du jury", "Read the jury's reviews")}</summary>
            {move || {
                if !open.get() {
                    return ().into_any();
                }
                match (api::read::<Vec<Review>>(&reviews), api::read::<Vec<Assignment>>(&assignments)) {
                    (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorNotice error=e /> }.into_any(),
                    (Some(Ok(list)), Some(Ok(given))) => {
                        let names = names.get().unwrap_or_default();
                        let name = move |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
                        let recusals: Vec<Assignment> = given.into_iter()
                            .filter(|a| a.conflict && app.with_value(|x| *x == a.application))
                            .collect();
                        let lang = i.lang();
                        view! {
                            {list.is_empty().then(|| view! { <p class="muted small">{t!(i, "Aucune note pour l'instant.", "No score yet.")}</p> })}
                            {list.into_iter().map(|r| {
                                let who = name(&r.reviewer);
                                let by: BTreeMap<String, (u8, String)> = r.scores.into_iter().map(|s| (s.criterion, (s.score, s.comment))).collect();
                                let rows = criteria.with_value(|cs| cs.iter().map(|c| {
                                    let (score, comment) = by.get(&c.id).map_or(("—".to_owned(), String::new()), |(s, m)| (s.to_string(), m.clone()));
                                    let comment = (!comment.trim().is_empty()).then(|| view! { " — "<span class="commentaire">{comment}</span> });
                                    view! { <div data-criterion=c.id.clone()><dt>{c.name.clone()}</dt><dd><span class="note">{score}</span>" / 5"{comment}</dd></div> }
                                }).collect_view());
                                let total = r.weighted.map_or_else(|| i.t("incomplète", "incomplete").to_owned(), |w| format!("{} / 5", fmt::decimal(w, 2, lang)));
                                view! {
                                    <div class="review" data-reviewer=who.clone()>
                                        <h4>{who.clone()}" — "{t!(i, "total pondéré :", "weighted total:")}" "{total}</h4>
                                        <dl class="facts review-scores">{rows}</dl>
                                    </div>
                                }
                            }).collect_view()}
                            {(!recusals.is_empty()).then(|| view! {
                                <ul class="recusals">
                                    {recusals.into_iter().map(|a| {
                                        let why = a.conflict_reason.clone().unwrap_or_else(|| i.t("son organisation a candidaté à cet appel", "their organisation applied to this call").to_owned());
                                        view! { <li class="small recusal">{format!("{} {} — {why}", name(&a.reviewer), i.t("s'est récusé(e)", "recused themselves"))}</li> }
                                    }).collect_view()}
                                </ul>
                            })}
                        }.into_any()
                    }
                    _ => view! { <Loading /> }.into_any(),
                }
            }}
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(app: &str, reviewer: &str, conflict: bool) -> Assignment {
        Assignment {
            application: app.into(),
            title: app.into(),
            reviewer: reviewer.into(),
            conflict,
            conflict_kind: None,
            conflict_reason: None,
            done: false,
            open: true,
        }
    }

    #[test]
    fn a_jury_too_small_is_said() {
        let made = [given("a", "r1", false), given("b", "r1", false)];
        let note = shortfall_note(&made, &[], 2, Lang::Fr).unwrap();
        assert!(
            note.starts_with("Attention : 2 candidatures ont moins de 2 évaluations (au moins 1)"),
            "{note}"
        );
        assert!(shortfall_note(&made, &[], 1, Lang::Fr).is_none());
        // A reviewable application nobody may review counts too.
        let note = shortfall_note(&made, &["c".to_owned()], 1, Lang::En).unwrap();
        assert!(
            note.starts_with("Warning: 1 application has fewer than 1 reviews (at least 0)"),
            "{note}"
        );
    }
}
