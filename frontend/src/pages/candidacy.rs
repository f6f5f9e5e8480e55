//! A commune answers the programme's calls for communes: the open campaigns
//! with the commune's candidacy in each, and the candidacy form (district
//! name, perimeter, challenges, partners, means, the campaign's questions),
//! saved as a draft then submitted.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qmi_api::Page;
use qmi_api::applications::{Campaign, Candidacy, CandidacyInput, CandidacyStatus, Challenge};
use qmi_api::geo::{Perimeter, Position};
use qmi_api::identity::Me;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::i18n::{I18n, use_i18n};
use crate::pages::calls::QuestionField;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField, error_of, route_param, when};

/// The label of a candidacy status (`None`: no candidacy yet).
fn status_label(i: I18n, status: Option<CandidacyStatus>) -> &'static str {
    match status {
        Some(CandidacyStatus::Draft) => i.t("Brouillon", "Draft"),
        Some(CandidacyStatus::Submitted) => i.t("Déposée", "Submitted"),
        Some(CandidacyStatus::Selected) => i.t(
            "Retenue : la commune devient quartier d'innovation",
            "Selected: the commune becomes an innovation district",
        ),
        Some(CandidacyStatus::Rejected) => i.t("Non retenue", "Not selected"),
        None => i.t("Pas encore de candidature", "No candidacy yet"),
    }
}

/// `/espace/communes/:insee/candidatures`: the published calls for communes
/// and where the commune stands in each.
#[component]
pub fn CommuneCampaigns() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <CampaignsOfCommune /> } /> }
}

#[component]
fn CampaignsOfCommune() -> impl IntoView {
    let i = use_i18n();
    let insee = route_param("insee");
    // Each campaign with the commune's candidacy to it, if any: two requests.
    let rows = {
        let insee = insee.clone();
        api::compute(move || {
            let insee = insee.clone();
            async move {
                let candidacies = format!("/api/candidacies/{}?limit=500", api::encode(&insee));
                let (campaigns, candidacies) = futures::join!(
                    api::get::<Page<Campaign>>("/api/campaigns?limit=100"),
                    api::get::<Page<Candidacy>>(&candidacies)
                );
                let candidacies = candidacies?.items;
                let rows = campaigns?
                    .items
                    .into_iter()
                    .map(|c| {
                        let status = candidacies
                            .iter()
                            .find(|cand| cand.campaign_id == c.id)
                            .map(|cand| cand.status);
                        (c, status)
                    })
                    .collect::<Vec<_>>();
                Ok::<_, ApiError>(rows)
            }
        })
    };
    view! {
        <section aria-labelledby="titre-candidatures-commune">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-candidatures-commune">{t!(i, "Candidatures de la commune au programme", "The commune's candidacies to the programme")}</h1>
            <p class="lead">{t!(i,
                "Les appels à communes ouverts par le programme : préparez la candidature, enregistrez-la en brouillon, puis déposez-la avant la clôture.",
                "The programme's calls for communes: prepare the candidacy, save it as a draft, then submit it before the deadline.")}</p>
            {move || match rows.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! { <p class="notice">{t!(i, "Aucun appel à communes ouvert.", "No call for communes is open.")}</p> }.into_any(),
                Some(Ok(rows)) => view! {
                    <ul class="card-list" id="liste-campagnes-commune">
                        {rows.into_iter().map(|(c, status)| {
                            let href = format!("/espace/communes/{insee}/candidatures/{}", c.id);
                            view! {
                                <li class="card" data-campaign=c.id.clone()>
                                    <h2 class="card-title"><A href=href>{c.title.clone()}</A></h2>
                                    <p class="small">{t!(i, "Clôture (heure de Paris) :", "Closes (Paris time):")}" "{when(c.closes_at_paris.clone())}</p>
                                    <p class="small etat">{move || status_label(i, status)}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// `/espace/communes/:insee/candidatures/:campaign`: the candidacy form.
#[component]
pub fn CandidacyPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <CandidacyLoader /> } /> }
}

#[component]
fn CandidacyLoader() -> impl IntoView {
    let i = use_i18n();
    let params = use_params_map();
    let (insee, campaign) = params.with_untracked(|p| {
        (
            p.get("insee").unwrap_or_default(),
            p.get("campaign").unwrap_or_default(),
        )
    });
    let back = format!("/espace/communes/{insee}/candidatures");
    let data = api::compute(move || {
        let (insee, campaign) = (insee.clone(), campaign.clone());
        async move {
            let c =
                api::get::<Campaign>(&format!("/api/campaigns/{}", api::encode(&campaign))).await?;
            let path = format!(
                "/api/campaigns/{}/candidacies/{}",
                api::encode(&campaign),
                api::encode(&insee)
            );
            let existing = match api::get::<Candidacy>(&path).await {
                Ok(cand) => Some(cand),
                Err(e) if e.status == 404 => None,
                Err(e) => return Err(e),
            };
            Ok::<_, ApiError>((c, insee, existing))
        }
    });
    view! {
        <section aria-labelledby="titre-candidature-commune">
            <p><A href=back>{t!(i, "← Les appels à communes", "← Calls for communes")}</A></p>
            <h1 id="titre-candidature-commune">{t!(i, "Candidature de la commune", "The commune's candidacy")}</h1>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok((c, insee, existing))) => view! { <CandidacyForm campaign=c insee existing /> }.into_any(),
            }}
        </section>
    }
}

/// Challenges from lines `theme : text` (a line without `:` is a challenge
/// without theme).
fn parse_challenges(text: &str) -> Vec<Challenge> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((theme, text)) => Challenge {
                theme: theme.trim().to_owned(),
                text: text.trim().to_owned(),
            },
            None => Challenge {
                theme: String::new(),
                text: l.to_owned(),
            },
        })
        .collect()
}

/// The perimeter as typed: its corners one per line as `latitude, longitude`
/// (as map sites copy a point: `48.9178, 2.3428`), the ring closed for the
/// person; or a GeoJSON polygon. Anything else is refused here, in the API's
/// words, naming `perimeter`: a [`Perimeter`] is a polygon or nothing.
fn parse_perimeter(text: &str) -> Result<Perimeter, String> {
    let not_polygon = || "must be a GeoJSON object with \"type\": \"Polygon\"".to_owned();
    let text = text.trim();
    if text.is_empty() {
        return Err(not_polygon());
    }
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        return Perimeter::from_value(&json);
    }
    let corner = |line: &str| {
        let (lat, lon) = line.split_once([',', ';', '\t'])?;
        Some(Position {
            lon: lon.trim().parse::<f64>().ok()?,
            lat: lat.trim().parse::<f64>().ok()?,
        })
    };
    let corners: Option<Vec<Position>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(corner)
        .collect();
    match corners {
        Some(ring) if ring.len() >= 3 => Perimeter::from_corners(ring),
        _ => Err(not_polygon()),
    }
}

/// A saved perimeter as the form shows it: a one-ring polygon as its corners,
/// one `latitude, longitude` per line (the closing corner left out); anything
/// else as JSON.
fn perimeter_text(perimeter: &Perimeter) -> String {
    match perimeter.rings() {
        [ring] => ring[..ring.len() - 1]
            .iter()
            .map(|p| format!("{}, {}", p.lat, p.lon))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => serde_json::to_string_pretty(perimeter).unwrap_or_default(),
    }
}

/// The API's field problems keyed by the form's fields: `district_name`,
/// `perimeter`, …, and a question's id for `answers.<id>`.
fn field_errors(e: &ApiError) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &e.errors {
        let field = f
            .field
            .trim_start_matches('/')
            .trim_start_matches("answers.")
            .trim_start_matches("answers/");
        let key = field
            .split(['[', '.', '/'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let text = crate::messages::localise(&f.message);
        out.entry(key).or_insert_with(|| {
            if field.contains(['[', '.', '/']) {
                format!("{field} : {text}")
            } else {
                text
            }
        });
    }
    out
}

#[component]
fn CandidacyForm(campaign: Campaign, insee: String, existing: Option<Candidacy>) -> impl IntoView {
    let i = use_i18n();
    let status = RwSignal::new(existing.as_ref().map(|c| c.status));
    let reason = existing.as_ref().and_then(|c| c.reason.clone());
    let editable = move || {
        matches!(
            status.get(),
            None | Some(CandidacyStatus::Draft | CandidacyStatus::Submitted)
        )
    };
    let district_name = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.district_name.clone())
            .unwrap_or_default(),
    );
    let perimeter = RwSignal::new(
        existing
            .as_ref()
            .map(|c| perimeter_text(&c.perimeter))
            .unwrap_or_default(),
    );
    let challenges = RwSignal::new(
        existing
            .as_ref()
            .map(|c| {
                c.challenges
                    .iter()
                    .map(|ch| format!("{} : {}", ch.theme, ch.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
    );
    let partners = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.partners.join("\n"))
            .unwrap_or_default(),
    );
    let means = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.means.clone())
            .unwrap_or_default(),
    );
    let answers = RwSignal::new(existing.map(|c| c.answers).unwrap_or_default());
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let base = StoredValue::new(format!(
        "/api/campaigns/{}/candidacies/{}",
        api::encode(&campaign.id),
        api::encode(&insee)
    ));
    let asked = StoredValue::new(campaign.questions.clone());

    // Saves the draft; with `submit`, then submits it.
    let save = move |submit: bool| {
        let parsed = parse_perimeter(&perimeter.get_untracked());
        let typed = answers.get_untracked();
        // Submitting: the campaign's questions are checked here too, so a draft
        // the API refuses names every problem at once, not in two rounds.
        let unanswered: BTreeMap<String, String> = if submit {
            let fr = i.lang() == qmi_api::identity::Lang::Fr;
            asked.with_value(|qs| {
                qs.iter()
                    .filter_map(|q| {
                        Some((
                            q.id.clone(),
                            crate::pages::calls::check_answer(q, typed.get(&q.id), fr)?,
                        ))
                    })
                    .collect()
            })
        } else {
            BTreeMap::new()
        };
        // A perimeter that is no polygon is named here, with what else the form
        // sees wrong: nothing is sent.
        let perimeter = match parsed {
            Ok(p) => p,
            Err(message) => {
                let mut all = unanswered;
                all.insert("perimeter".to_owned(), crate::messages::localise(&message));
                if district_name.get_untracked().trim().is_empty() {
                    all.insert(
                        "district_name".to_owned(),
                        crate::messages::localise("must not be empty"),
                    );
                }
                notice.set(None);
                failure.set(None);
                errors.set(all);
                crate::ui::focus_first_invalid();
                return;
            }
        };
        let input = CandidacyInput {
            district_name: district_name.get_untracked(),
            perimeter,
            challenges: parse_challenges(&challenges.get_untracked()),
            partners: partners
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            means: means.get_untracked(),
            answers: typed,
        };
        spawn_local(async move {
            let mut result = api::put::<Candidacy>(&base.get_value(), &input).await;
            if submit && let Ok(_) = &result {
                result =
                    api::post_nobody::<Candidacy>(&format!("{}/submit", base.get_value())).await;
            }
            match result {
                Ok(c) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    notice.set(Some(if submit {
                        i.t(
                            "Candidature déposée : l'équipe du programme l'examinera.",
                            "Candidacy submitted: the programme team will review it.",
                        )
                    } else {
                        i.t("Brouillon enregistré.", "Draft saved.")
                    }));
                    status.set(Some(c.status));
                }
                Err(e) => {
                    notice.set(None);
                    let mut all = field_errors(&e);
                    for (key, message) in unanswered {
                        all.entry(key).or_insert(message);
                    }
                    errors.set(all);
                    failure.set(Some(e));
                    crate::ui::focus_first_invalid();
                }
            }
        });
    };
    let questions = campaign
        .questions
        .into_iter()
        .map(|q| view! { <QuestionField q answers errors changed=|| () disabled=false /> })
        .collect_view();
    view! {
        <p class="eyebrow">{campaign.title.clone()}</p>
        <p>{campaign.text.clone()}</p>
        <p class="small">{t!(i, "Clôture (heure de Paris) :", "Closes (Paris time):")}" "{when(campaign.closes_at_paris.clone())}</p>
        <p class="small">{t!(i, "État :", "State:")}" "<strong id="candidature-commune-etat">{move || status_label(i, status.get())}</strong></p>
        {reason.map(|r| view! { <p class="notice">{t!(i, "Motif :", "Reason:")}" "{r}</p> })}
        <form class="form-grid" id="form-candidature-commune" novalidate on:submit=move |ev| { ev.prevent_default(); save(true); }>
            <TextField id="cand-nom" label=t!(i, "Nom du quartier proposé", "Proposed district name") value=district_name
                error=error_of(errors, "district_name") required=true />
            <TextField id="cand-perimetre" label=t!(i, "Périmètre : ses sommets, un par ligne", "Perimeter: its corners, one per line")
                value=perimeter error=error_of(errors, "perimeter") multiline=true required=true
                hint=t!(i,
                    "Latitude, longitude de chaque sommet, dans l'ordre du contour (par exemple 48.9178, 2.3428, tel que le copient les sites de cartes d'un clic droit) ; le contour est fermé pour vous. Un polygone GeoJSON est aussi accepté.",
                    "Latitude, longitude of each corner, in order around the outline (for instance 48.9178, 2.3428, as map sites copy a point on a right click); the outline is closed for you. A GeoJSON polygon is accepted too.") />
            <TextField id="cand-defis" label=t!(i, "Défis du quartier", "The district's challenges") value=challenges
                error=error_of(errors, "challenges") multiline=true
                hint=t!(i, "Un par ligne : thème : défi (par exemple « Climat : îlots de chaleur »)", "One per line: theme: challenge (e.g. \"Climate: heat islands\")") />
            <TextField id="cand-partenaires" label=t!(i, "Partenaires locaux", "Local partners") value=partners
                error=error_of(errors, "partners") multiline=true hint=t!(i, "Un par ligne", "One per line") />
            <TextField id="cand-moyens" label=t!(i, "Moyens engagés par la commune", "Means the commune commits") value=means
                error=error_of(errors, "means") multiline=true />
            {questions}
            {move || notice.get().map(|m| view! { <p class="notice notice-ok" role="status" id="candidature-commune-message">{m}</p> })}
            {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
            <Show when=editable>
                <p class="actions">
                    <button type="button" class="button button-secondary" id="candidature-commune-enregistrer" on:click=move |_| save(false)>
                        {move || if status.get() == Some(CandidacyStatus::Submitted) { i.t("Enregistrer les modifications", "Save the changes") } else { i.t("Enregistrer le brouillon", "Save the draft") }}</button>
                    <Show when=move || matches!(status.get(), None | Some(CandidacyStatus::Draft))>
                        <button type="submit" class="button" id="candidature-commune-deposer">{t!(i, "Déposer la candidature", "Submit the candidacy")}</button>
                    </Show>
                </p>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_perimeter_and_errors_are_read_as_the_api_wants() {
        let c = parse_challenges("Climat : îlots de chaleur\n\n  Mobilité: vélos \nSans thème");
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].theme.as_str(), c[0].text.as_str()),
            ("Climat", "îlots de chaleur")
        );
        assert_eq!(
            (c[2].theme.as_str(), c[2].text.as_str()),
            ("", "Sans thème")
        );
        assert!(parse_perimeter("").is_err());
        assert!(parse_perimeter("{\"type\":\"Polygon\"}").is_err());
        assert!(parse_perimeter("pas du json").is_err());
        // Corners as map sites copy them, one per line: the ring is closed.
        let corners = "48.9178, 2.3428\n48.9163, 2.3502\n\n48.9181;2.3577\n";
        let polygon = parse_perimeter(corners).unwrap();
        assert_eq!(
            serde_json::to_value(&polygon).unwrap(),
            serde_json::json!({ "type": "Polygon", "coordinates": [[[2.3428, 48.9178], [2.3502, 48.9163], [2.3577, 48.9181], [2.3428, 48.9178]]] })
        );
        // Shown back the same way, the closing corner left out.
        assert_eq!(
            perimeter_text(&polygon),
            "48.9178, 2.3428\n48.9163, 2.3502\n48.9181, 2.3577"
        );
        assert_eq!(
            parse_perimeter(&perimeter_text(&polygon)),
            Ok(polygon.clone())
        );
        // A GeoJSON polygon is taken as it is.
        let json = serde_json::to_string(&polygon).unwrap();
        assert_eq!(parse_perimeter(&json), Ok(polygon));
        assert!(
            parse_perimeter("48.9, 2.3\n48.8, 2.4").is_err(),
            "two corners are no polygon"
        );
        let e = ApiError {
            status: 422,
            errors: vec![
                crate::api::FieldError {
                    field: "perimeter.coordinates".into(),
                    message: "a closed ring".into(),
                },
                crate::api::FieldError {
                    field: "answers.q1".into(),
                    message: "required".into(),
                },
            ],
            title: String::new(),
            detail: None,
            code: None,
            kind: None,
        };
        let m = field_errors(&e);
        assert_eq!(m["perimeter"], "perimeter.coordinates : a closed ring");
        assert_eq!(m["q1"], "required");
    }
}
