//! `/appels/:id`: one call for solutions as the public reads it — who may apply,
//! the challenges it answers, how many solutions it will choose and what each
//! criterion means; for a partner, whether its organisation may apply (and why
//! not); once the call is closed, its published results.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qmi_api::applications::{Call, CallResults, CallStatus, Eligibility};
use qmi_api::identity::{Lang, Organisation};

use crate::api;
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::pages::organisation::kind_label;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

/// `/appels/:id`: one call.
#[component]
pub fn CallPage() -> impl IntoView {
    let i = use_i18n();
    let session = crate::session::use_session();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let call = api::load(move || Some(format!("/api/calls/{}", api::encode(&id()))));
    let names = crate::registry::use_names();
    view! {
        <section aria-labelledby="titre-appel">
            <p><A href="/appels">{t!(i, "← Tous les appels", "← All calls")}</A></p>
            {move || match api::read::<Call>(&call) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <h1 id="titre-appel">{t!(i, "Appel", "Call")}</h1><ErrorNotice error=e /> }.into_any(),
                Some(Ok(c)) => {
                    let organisation = session.me.with(|m| m.as_ref().and_then(|m| m.organisation.clone()));
                    let visitor = session.me.with(Option::is_none);
                    let open = c.status == CallStatus::Open;
                    let closed = c.status == CallStatus::Closed;
                    let (opens, closes) = (c.opens_at_paris.clone(), c.closes_at_paris.clone());
                    // The commune of the call, or every district a programme call covers, by name.
                    let districts: Vec<String> = c.districts.iter().map(|d| d.to_string()).collect();
                    names.want(districts.iter().map(String::as_str));
                    let several = districts.len() > 1;
                    let target = c.target_selections;
                    let eligibility = c.eligibility.clone();
                    view! {
                        <h1 id="titre-appel">{c.title.clone()}</h1>
                        <p class="lead">{c.description.clone()}</p>
                        <dl class="facts">
                            <div><dt>{t!(i, "Ouverture", "Opens")}</dt><dd>{move || fmt::date(&opens, i.lang())}</dd></div>
                            <div><dt>{t!(i, "Clôture (heure de Paris)", "Closes (Paris time)")}</dt><dd>{move || fmt::datetime(&closes, i.lang())}</dd></div>
                            <div><dt>{if several { t!(i, "Communes", "Communes") } else { t!(i, "Commune", "Commune") }}</dt>
                                <dd class="links">{districts.into_iter().map(|d| {
                                    let href = format!("/communes/{d}");
                                    view! { <A href=href>{move || names.name(&d).unwrap_or_else(|| d.clone())}</A> }
                                }).collect_view()}</dd></div>
                            <div><dt>{t!(i, "Thèmes", "Themes")}</dt><dd>{c.themes.join(", ")}</dd></div>
                            <div><dt>{t!(i, "Solutions retenues", "Solutions chosen")}</dt>
                                <dd id="nombre-retenues">{move || match (target, i.lang()) {
                                    (0, Lang::Fr) => "Nombre non fixé".to_owned(),
                                    (0, Lang::En) => "Number not set".to_owned(),
                                    (1, Lang::Fr) => "1 solution au plus".to_owned(),
                                    (1, Lang::En) => "1 solution at most".to_owned(),
                                    (n, Lang::Fr) => format!("{n} solutions au plus"),
                                    (n, Lang::En) => format!("{n} solutions at most"),
                                }}</dd></div>
                        </dl>
                        {(!c.challenges.is_empty()).then(|| view! {
                            <h2>{t!(i, "Défis à relever", "Challenges to take up")}</h2>
                            <ul class="plain-list" id="defis-appel">
                                {c.challenges.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                        <h2>{t!(i, "Qui peut candidater", "Who may apply")}</h2>
                        <p id="eligibilite">{move || who_may_apply(i, &eligibility)}</p>
                        <h2>{t!(i, "Critères d'évaluation", "Evaluation criteria")}</h2>
                        <dl class="criteria" id="criteres">
                            {c.criteria.iter().map(|k| {
                                let w = k.weight;
                                let name = k.name.clone();
                                let description = k.description.clone();
                                view! {
                                    <dt>{move || format!("{name} — {} {}", i.t("poids", "weight"), fmt::decimal(w, 1, i.lang()))}</dt>
                                    <dd>{if description.trim().is_empty() {
                                        t!(i, "Sans précision de la commune.", "No further detail from the commune.").into_any()
                                    } else {
                                        description.into_any()
                                    }}</dd>
                                }
                            }).collect_view()}
                        </dl>
                        {organisation.filter(|_| open).map(|org| match refusal(i, &c.eligibility, &org) {
                            None => view! {
                                <p><A href=format!("/appels/{}/candidature", c.id) attr:class="button" attr:id="candidater">{t!(i, "Candidater", "Apply")}</A></p>
                            }.into_any(),
                            Some(why) => view! { <p class="notice" id="non-eligible">{why}</p> }.into_any(),
                        })}
                        {(open && visitor).then(|| view! {
                            <p class="notice" id="candidater-connexion">{t!(i, "Pour candidater, connectez-vous avec le compte de votre organisation.", "To apply, sign in with your organisation's account.")}
                                " "<A href=crate::pages::signin::sign_in_here()>{t!(i, "Se connecter", "Sign in")}</A></p>
                        })}
                        {closed.then(|| view! { <Results call=c.id.clone() /> })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// "Startups, associations, from France" — or everyone.
fn who_may_apply(i: I18n, e: &Eligibility) -> String {
    let kinds: Vec<&str> = e.kinds.iter().map(|&k| kind_label(i, k)).collect();
    let countries: Vec<String> = e
        .countries
        .iter()
        .map(|c| fmt::country(c.as_str(), i.lang()))
        .collect();
    match (kinds.is_empty(), countries.is_empty()) {
        (true, true) => i
            .t(
                "Toute organisation, de tout pays.",
                "Any organisation, from any country.",
            )
            .to_owned(),
        (false, true) => format!(
            "{} {}.",
            i.t(
                "Les organisations de type :",
                "Organisations of these kinds:"
            ),
            kinds.join(", ")
        ),
        (true, false) => format!(
            "{} {}.",
            i.t(
                "Toute organisation établie en :",
                "Any organisation established in:"
            ),
            countries.join(", ")
        ),
        (false, false) => format!(
            "{} {} ; {} {}.",
            i.t(
                "Les organisations de type :",
                "Organisations of these kinds:"
            ),
            kinds.join(", "),
            i.t("établies en :", "established in:"),
            countries.join(", ")
        ),
    }
}

/// Why `org` may not apply under `e`, or `None` when it may (the API checks it
/// again on every save).
fn refusal(i: I18n, e: &Eligibility, org: &Organisation) -> Option<String> {
    let kind_ok = e.kinds.is_empty() || e.kinds.contains(&org.kind);
    let country = org.country.to_string();
    let country_ok = e.countries.is_empty() || e.countries.contains(&org.country);
    if kind_ok && country_ok {
        return None;
    }
    let mut why = vec![format!(
        "{} {}",
        i.t(
            "Votre organisation ne peut pas candidater à cet appel :",
            "Your organisation may not apply to this call:"
        ),
        org.name
    )];
    if !kind_ok {
        why.push(format!(
            "{} ({}).",
            i.t(
                "son type n'est pas parmi ceux que l'appel accepte",
                "its kind is not among those the call accepts"
            ),
            kind_label(i, org.kind)
        ));
    }
    if !country_ok {
        why.push(format!(
            "{} ({}).",
            i.t(
                "l'appel n'accepte pas les organisations de son pays",
                "the call does not accept organisations from its country"
            ),
            fmt::country(&country, i.lang())
        ));
    }
    Some(format!("{} — {}", why[0], why[1..].join(" ")))
}

/// A closed call's results: the selected solutions once decisions are published.
#[component]
fn Results(call: String) -> impl IntoView {
    let i = use_i18n();
    let names = crate::registry::use_names();
    let results = api::load(move || Some(format!("/api/calls/{}/results", api::encode(&call))));
    view! {
        <section aria-labelledby="titre-resultats" id="resultats">
            <h2 id="titre-resultats">{t!(i, "Résultats", "Results")}</h2>
            <p class="muted">{t!(i, "Cet appel est clos.", "This call is closed.")}</p>
            {move || match api::read::<CallResults>(&results) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(r)) if !r.decisions_published => view! {
                    <p>{t!(i, "Les résultats ne sont pas encore publiés.", "The results are not published yet.")}</p>
                }.into_any(),
                Some(Ok(r)) if r.selected.is_empty() => view! {
                    <p>{t!(i, "Aucune solution n'a été retenue.", "No solution was selected.")}</p>
                }.into_any(),
                Some(Ok(r)) => {
                    let codes: Vec<String> = r.selected.iter().map(|s| s.district.to_string()).collect();
                    names.want(codes.iter().map(String::as_str));
                    view! {
                        <p>{t!(i, "Les solutions retenues :", "The solutions selected:")}</p>
                        <ul class="card-list" id="solutions-retenues">
                            {r.selected.into_iter().map(|s| {
                                let district = s.district.to_string();
                                view! {
                                    <li class="card">
                                        <h3 class="card-title">{s.title}</h3>
                                        <p class="small">{s.organisation_name}</p>
                                        <p class="muted small">{move || names.label(&district)}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}
