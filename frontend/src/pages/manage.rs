//! Running the programme: the calls for communes and their candidacies
//! (programme operators); the calls for solutions someone runs — a programme
//! operator's or a commune admin's, one set of pages, the API scoping them —
//! with their reviewers, ranking, decisions and exports; a commune's district.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::applications::{
    Application, AssignRequest, Assignment, Call, CallInput, Campaign, CampaignInput, Candidacy,
    CandidacyDecision, Challenge, Criterion, District, DistrictInput, Question, QuestionKind,
    Ranking, TransitionRequest, Workflow,
};
use qmi_api::identity::{CommuneStatus, Lang, Me, OrganisationKind};
use qmi_api::{Insee, MembershipRole, Page, PlatformRole};

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::pages::calls::AnswersView;
use crate::pages::form_builder::{
    CriteriaEditor, FormDraft, QuestionsEditor, WorkflowDraft, WorkflowEditor,
};
use crate::pages::jury::JuryReviews;
use crate::pages::organisation::kind_label;
use crate::pages::space::SignedIn;
use crate::registry::{self, use_names};
use crate::t;
use crate::ui::{
    ErrorNotice, FieldErrors, Loading, TextField, described_by, error_line, error_of, facts,
    route_param, set_errors, table, text, when,
};

/// The label of a workflow state in the current language, its id when the
/// workflow lacks it.
pub fn state_label(w: &Workflow, state: &str, lang: Lang) -> String {
    let Some(s) = w.states.iter().find(|s| s.id == state) else {
        return state.to_owned();
    };
    let (fr, en) = qmi_api::applications::label_parts(&s.label);
    if lang == Lang::Fr { fr } else { en }.to_owned()
}

/// Whether `state` is a decision of the workflow.
pub fn is_decision(w: &Workflow, state: &str) -> bool {
    w.states.iter().any(|s| s.id == state && s.decision)
}

/// Lines of a text area, trimmed, empty ones dropped.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// What the "publish now" box means, the same for both kinds of call: unticked
/// by default, the call is kept unpublished, to edit and publish later.
const PUBLISH_HINT_FR: &str = "Décoché par défaut : l'appel reste non publié, visible de vous seuls ; vous pourrez le modifier puis le publier plus tard.";
const PUBLISH_HINT_EN: &str = "Unticked by default: the call stays unpublished, seen only by you; you can edit it and publish it later.";

fn published(i: I18n, yes: bool) -> Signal<&'static str> {
    if yes {
        t!(i, "Publié", "Published")
    } else {
        t!(i, "Non publié", "Not published")
    }
}

fn back(i: I18n, href: &'static str, fr: &'static str, en: &'static str) -> impl IntoView {
    view! { <p><A href=href>{t!(i, fr, en)}</A></p> }
}

/// A success message (`role=status`) shown while `msg` holds one.
fn status_line(id: &'static str, msg: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        msg.get()
            .map(|m| view! { <p class="notice notice-ok" role="status" id=id>{m}</p> })
    }
}

/// The error of the last action, unless shown beside its fields.
fn failure_line(failure: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || {
        failure
            .get()
            .filter(|e| e.errors.is_empty())
            .map(|e| view! { <ErrorNotice error=e /> })
    }
}

// ------------------------------------------------------------ calls for communes

/// `/espace/campagnes`: the calls for communes, and a new one.
#[component]
pub fn Campaigns() -> impl IntoView {
    let allowed = |me: &Me| me.platform_roles.contains(&PlatformRole::Programme);
    view! { <crate::pages::space::SignedInFor allowed page=|_me: Me| view! { <CampaignList /> } /> }
}

#[component]
fn CampaignList() -> impl IntoView {
    let i = use_i18n();
    let version = RwSignal::new(0u32);
    let list = api::load(move || {
        version.track();
        Some("/api/campaigns?limit=500".into())
    });
    view! {
        <section aria-labelledby="titre-campagnes">
            {back(i, "/espace", "← Mon espace", "← My space")}
            <h1 id="titre-campagnes">{t!(i, "Appels à communes", "Calls for communes")}</h1>
            <p class="lead">{t!(i, "Les communes candidatent pour accueillir un quartier d'innovation ; l'équipe du programme retient ou non chaque candidature.",
                "Communes apply to host an innovation district; the programme team selects or rejects each candidacy.")}</p>
            {move || match api::read::<Page<Campaign>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! { <p class="notice">{t!(i, "Aucun appel à communes pour l'instant.", "No call for communes yet.")}</p> }.into_any(),
                Some(Ok(p)) => view! {
                    <ul class="card-list" id="liste-campagnes">
                        {p.items.into_iter().map(|c| view! {
                            <li class="card">
                                <h2 class="card-title"><A href=format!("/espace/campagnes/{}", c.id)>{c.title.clone()}</A></h2>
                                {facts(vec![
                                    (t!(i, "Ouverture (heure de Paris)", "Opens (Paris time)"), "", when(c.opens_at_paris)),
                                    (t!(i, "Clôture (heure de Paris)", "Closes (Paris time)"), "", when(c.closes_at_paris)),
                                    (t!(i, "Publication", "Publication"), "", published(i, c.published).into_any()),
                                ])}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <NewCampaign on_created=move || version.update(|v| *v += 1) />
    }
}

#[component]
fn NewCampaign(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i = use_i18n();
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let opens = RwSignal::new(String::new());
    let closes = RwSignal::new(String::new());
    let questions = RwSignal::new(String::new());
    let published = RwSignal::new(false);
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CampaignInput {
            title: title.get_untracked(),
            text: text.get_untracked(),
            opens_at: opens.get_untracked(),
            closes_at: closes.get_untracked(),
            questions: parse_questions(&questions.get_untracked()),
            published: published.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<Campaign>("/api/campaigns", &body).await {
                Ok(c) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    title.set(String::new());
                    text.set(String::new());
                    questions.set(String::new());
                    done.set(Some(format!(
                        "{} {}",
                        i.t("Appel à communes créé :", "Call for communes created:"),
                        c.title
                    )));
                    on_created();
                }
                Err(e) => {
                    done.set(None);
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-nouvelle-campagne">
            <h2 id="titre-nouvelle-campagne">{t!(i, "Nouvel appel à communes", "New call for communes")}</h2>
            <form on:submit=submit novalidate class="form-grid" id="form-campagne">
                <TextField id="campagne-titre" label=t!(i, "Titre", "Title") value=title error=error_of(errors, "title") required=true />
                <TextField id="campagne-texte" label=t!(i, "Présentation", "Presentation") value=text error=error_of(errors, "text") multiline=true />
                <TextField id="campagne-ouverture" label=t!(i, "Ouverture (heure de Paris)", "Opens (Paris time)") value=opens
                    error=error_of(errors, "opens_at") kind="datetime-local" required=true />
                <TextField id="campagne-cloture" label=t!(i, "Clôture (heure de Paris)", "Closes (Paris time)") value=closes
                    error=error_of(errors, "closes_at") kind="datetime-local" required=true />
                <TextField id="campagne-questions" label=t!(i, "Questions posées aux communes", "Questions put to the communes") value=questions
                    error=error_of(errors, "questions") multiline=true
                    hint=t!(i, "Une par ligne ; chacune appelle une réponse écrite obligatoire", "One per line; each needs a written answer") />
                <div class="field">
                    <label class="choice"><input type="checkbox" id="campagne-publiee" bind:checked=published aria-describedby="campagne-publiee-aide" />" "
                        {t!(i, "Publier dès maintenant (visible des communes)", "Publish now (visible to communes)")}</label>
                    <p class="hint" id="campagne-publiee-aide">{t!(i, PUBLISH_HINT_FR, PUBLISH_HINT_EN)}</p>
                </div>
                <p><button type="submit" class="button" id="campagne-creer">{t!(i, "Créer l'appel à communes", "Create the call for communes")}</button></p>
                {status_line("campagne-creee", done)}
                {failure_line(failure)}
            </form>
        </section>
    }
}

/// `/espace/campagnes/:id`: a campaign's candidacies and the selection.
#[component]
pub fn CampaignPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <CampaignCandidacies /> } /> }
}

#[component]
fn CampaignCandidacies() -> impl IntoView {
    let i = use_i18n();
    let id = route_param("id");
    let version = RwSignal::new(0u32);
    let campaign = {
        let path = format!("/api/campaigns/{}", api::encode(&id));
        api::load(move || Some(path.clone()))
    };
    let list = {
        let path = format!("/api/campaigns/{}/candidacies?limit=500", api::encode(&id));
        api::load(move || {
            version.track();
            Some(path.clone())
        })
    };
    let names = use_names();
    let notice = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    view! {
        <section aria-labelledby="titre-candidatures-communes">
            {back(i, "/espace/campagnes", "← Appels à communes", "← Calls for communes")}
            <p class="eyebrow">{move || match api::read::<Campaign>(&campaign) { Some(Ok(c)) => c.title, _ => String::new() }}</p>
            <h1 id="titre-candidatures-communes">{t!(i, "Candidatures des communes", "Candidacies of the communes")}</h1>
            {status_line("decision-commune", notice)}
            <crate::pages::decisions::CampaignAdmin id=id.get_value() />
            {move || match api::read::<Page<Candidacy>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! { <p class="notice">{t!(i, "Aucune candidature déposée pour l'instant.", "No candidacy submitted yet.")}</p> }.into_any(),
                Some(Ok(p)) => {
                    names.want(p.items.iter().map(|c| c.insee.as_str()));
                    let questions = match api::read::<Campaign>(&campaign) { Some(Ok(c)) => c.questions, _ => Vec::new() };
                    view! {
                    <ul class="card-list" id="liste-candidatures-communes">
                        {p.items.into_iter().map(|c| {
                            let commune = names.label(c.insee.as_str());
                            let answers: Vec<String> = questions.iter().filter_map(|q| {
                                let a = c.answers.get(&q.id)?;
                                Some(format!("{} — {}", q.label, a.as_str().map_or_else(|| a.to_string(), str::to_owned)))
                            }).collect();
                            view! {
                                <li class="card" data-insee=c.insee.to_string()>
                                    <h2 class="card-title">{commune.clone()}</h2>
                                    {facts(vec![
                                        (t!(i, "Quartier proposé", "Proposed district"), "", text(c.district_name.clone())),
                                        (t!(i, "Statut", "Status"), "statut", candidacy_status(i, &c.status).into_any()),
                                        (t!(i, "Moyens engagés", "Means committed"), "", text(c.means.clone())),
                                        (t!(i, "Partenaires locaux", "Local partners"), "", text(c.partners.join(", "))),
                                    ])}
                                    {crate::ui::perimeter_map(&c.perimeter, 160.0, format!("{} — {}", i.t("Périmètre proposé", "Proposed perimeter"), c.district_name), None)}
                                    {(!c.challenges.is_empty()).then(|| view! {
                                        <h3 class="small-heading">{t!(i, "Défis", "Challenges")}</h3>
                                        <ul class="plain-list small">
                                            {c.challenges.iter().map(|ch| view! { <li><strong>{ch.theme.clone()}</strong>" — "{ch.text.clone()}</li> }).collect_view()}
                                        </ul>
                                    })}
                                    {(!answers.is_empty()).then(|| view! {
                                        <h3 class="small-heading">{t!(i, "Réponses à l'appel", "Answers to the call")}</h3>
                                        <ul class="plain-list small">{answers.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                                    })}
                                    {c.reason.clone().filter(|r| !r.is_empty()).map(|r| view! { <p class="small">{t!(i, "Motif :", "Reason:")}" "{r}</p> })}
                                    {(c.status == "submitted").then(|| view! {
                                        <CandidacyDecide campaign=id.get_value() insee=c.insee.to_string() commune
                                            on_done=move |m: String| { notice.set(Some(m)); version.update(|v| *v += 1); } />
                                    })}
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

fn candidacy_status(i: I18n, s: &str) -> Signal<&'static str> {
    match s {
        "draft" => t!(i, "Brouillon", "Draft"),
        "submitted" => t!(i, "Déposée", "Submitted"),
        "selected" => t!(i, "Retenue", "Selected"),
        "rejected" => t!(i, "Non retenue", "Rejected"),
        _ => t!(i, "Autre", "Other"),
    }
}

#[component]
fn CandidacyDecide(
    campaign: String,
    insee: String,
    commune: String,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let reason = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let path = StoredValue::new(format!(
        "/api/campaigns/{}/candidacies/{insee}/decision",
        api::encode(&campaign)
    ));
    let commune = StoredValue::new(commune);
    let decide = move |selected: bool| {
        if reason.get_untracked().trim().is_empty() {
            errors.set(BTreeMap::from([(
                "reason".to_owned(),
                i.t(
                    "Écrivez le motif de la décision.",
                    "Write the reason for the decision.",
                )
                .to_owned(),
            )]));
            crate::ui::focus_first_invalid();
            return;
        }
        let question = if selected {
            i.t("Retenir cette candidature ? La commune devient quartier d'innovation ; c'est définitif.", "Select this candidacy? The commune becomes an innovation district; this is final.")
        } else {
            i.t(
                "Ne pas retenir cette candidature ? C'est définitif.",
                "Reject this candidacy? This is final.",
            )
        };
        if !crate::ui::confirm(question) {
            return;
        }
        let body = CandidacyDecision {
            selected,
            reason: reason.get_untracked().trim().to_owned(),
        };
        spawn_local(async move {
            match api::post::<Candidacy>(&path.get_value(), &body).await {
                Ok(_) => on_done(format!(
                    "{} {}",
                    commune.get_value(),
                    if selected {
                        i.t(
                            "est retenue : son quartier d'innovation est créé.",
                            "is selected: its innovation district is created.",
                        )
                    } else {
                        i.t("n'est pas retenue.", "is not selected.")
                    }
                )),
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="form-grid" novalidate on:submit=move |ev| { ev.prevent_default(); decide(true); }>
            <TextField id=format!("motif-{insee}") label=t!(i, "Motif de la décision", "Reason for the decision") value=reason
                error=error_of(errors, "reason") multiline=true required=true />
            <p class="actions">
                <button type="submit" class="button" id=format!("retenir-{insee}")>{t!(i, "Retenir", "Select")}</button>
                <button type="button" class="button button-danger" id=format!("refuser-{insee}") on:click=move |_| decide(false)>{t!(i, "Ne pas retenir", "Reject")}</button>
            </p>
            {failure_line(failure)}
        </form>
    }
}

// ------------------------------------------------------------ calls for solutions

/// `/espace/appels`: the calls the signed-in person runs (every call for a
/// programme operator, their communes' calls for a commune admin), and a new one.
#[component]
pub fn ManagedCalls() -> impl IntoView {
    // Commune admins and the programme team run calls; others: not for their role.
    let allowed = |me: &Me| {
        me.platform_roles.contains(&PlatformRole::Programme)
            || me
                .memberships
                .iter()
                .any(|m| m.role == MembershipRole::Admin)
    };
    view! { <crate::pages::space::SignedInFor allowed page=|me: Me| view! { <CallsRun me /> } /> }
}

#[component]
fn CallsRun(me: Me) -> impl IntoView {
    let i = use_i18n();
    let operator = me.platform_roles.contains(&PlatformRole::Programme);
    let admin_of: Vec<(String, String)> = me
        .memberships
        .iter()
        .filter(|m| m.role == MembershipRole::Admin)
        .map(|m| (m.insee.to_string(), m.name.clone()))
        .collect();
    let version = RwSignal::new(0u32);
    let list = api::load(move || {
        version.track();
        Some("/api/calls?managed=true&limit=500".into())
    });
    let names = use_names();
    let failure = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(None::<Call>);
    let publish = move |id: String| {
        spawn_local(async move {
            match api::post_nobody::<Call>(&format!("/api/calls/{}/publish", api::encode(&id)))
                .await
            {
                Ok(_) => {
                    failure.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <section aria-labelledby="titre-appels-geres">
            {back(i, "/espace", "← Mon espace", "← My space")}
            <h1 id="titre-appels-geres">{t!(i, "Appels à solutions", "Calls for solutions")}</h1>
            <p class="lead">{move || if operator {
                i.t("Les appels des communes et du programme : publication, évaluateurs, classement et décisions.", "The communes' and the programme's calls: publication, reviewers, ranking and decisions.")
            } else {
                i.t("Les appels de votre commune : publication, évaluateurs, classement et décisions.", "Your commune's calls: publication, reviewers, ranking and decisions.")
            }}</p>
            {failure_line(failure)}
            {move || match api::read::<Page<Call>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! { <p class="notice">{t!(i, "Aucun appel pour l'instant.", "No call yet.")}</p> }.into_any(),
                Some(Ok(p)) => table(
                    "table-appels",
                    t!(i, "Appels à solutions que vous gérez", "Calls for solutions you run"),
                    vec![t!(i, "Appel", "Call"), t!(i, "Communes", "Communes"), t!(i, "Clôture", "Closes"), t!(i, "Publication", "Publication")],
                    p.items.into_iter().map(|c| {
                        let communes = if c.programme { c.districts.clone() } else { vec![c.insee.clone()] };
                        names.want(communes.iter().map(|d| d.as_str()));
                        let communes = communes.iter().map(|d| names.label(d.as_str())).collect::<Vec<_>>().join(", ");
                        let id = c.id.clone();
                        let publish_cell = if c.published {
                            view! { <span class="badge badge-district">{t!(i, "Publié", "Published")}</span> }.into_any()
                        } else {
                            view! { <button type="button" class="button button-small publier" on:click=move |_| publish(id.clone())>{t!(i, "Publier", "Publish")}</button> }.into_any()
                        };
                        let name = c.title.clone();
                        let edit_id = format!("modifier-{}", c.id);
                        let edited = c.clone();
                        let title = view! {
                            <A href=format!("/espace/appels/{}", c.id)>{name}</A>
                            {c.programme.then(|| view! { <span class="muted small">{t!(i, " — appel du programme", " — programme call")}</span> })}
                            " "
                            <button type="button" class="button button-secondary button-small" id=edit_id on:click=move |_| {
                                editing.set(Some(edited.clone()));
                                crate::pages::organisation::scroll_to("editeur-appel");
                            }>{t!(i, "Modifier", "Change")}</button>
                        }.into_any();
                        (c.title, vec![title, text(communes), when(c.closes_at_paris), publish_cell])
                    }).collect(),
                ),
            }}
        </section>
        {move || {
            let (admin_of, existing) = (admin_of.clone(), editing.get());
            // Keyed by the call edited: a fresh editor for each.
            view! { <CallEditor operator admin_of existing on_created=move || version.update(|v| *v += 1) on_close=move || editing.set(None) /> }
        }}
    }
}

/// One required long answer per line (`q1`, `q2`… as keys): the questions a
/// call for communes puts to the candidate communes.
fn parse_questions(text: &str) -> Vec<Question> {
    lines(text)
        .enumerate()
        .map(|(n, l)| Question {
            id: format!("q{}", n + 1),
            label: l.to_owned(),
            kind: QuestionKind::LongText,
            required: true,
            max_length: Some(4000),
            min: None,
            max: None,
            options: Vec::new(),
            max_choices: None,
        })
        .collect()
}

#[component]
fn CallEditor(
    operator: bool,
    admin_of: Vec<(String, String)>,
    /// The call being changed; `None` for a new call.
    existing: Option<Call>,
    on_created: impl Fn() + Copy + Send + Sync + 'static,
    /// Leaves the editing of `existing` (after saving, or cancelled).
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let editing = existing.is_some();
    let e = existing.as_ref();
    // A `datetime-local` value (Paris time) from the API's Paris time.
    let local = |paris: &str| paris.get(..16).unwrap_or_default().to_owned();
    let programme = RwSignal::new(e.is_some_and(|c| c.programme));
    let commune = RwSignal::new(
        e.map(|c| c.insee.to_string())
            .or_else(|| admin_of.first().map(|(c, _)| c.clone()))
            .unwrap_or_default(),
    );
    let districts = RwSignal::new(
        e.filter(|c| c.programme)
            .map(|c| {
                c.districts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<String>>()
            })
            .unwrap_or_default(),
    );
    let title = RwSignal::new(e.map(|c| c.title.clone()).unwrap_or_default());
    let description = RwSignal::new(e.map(|c| c.description.clone()).unwrap_or_default());
    let themes = RwSignal::new(e.map(|c| c.themes.join(", ")).unwrap_or_default());
    let opens = RwSignal::new(e.map(|c| local(&c.opens_at_paris)).unwrap_or_default());
    let closes = RwSignal::new(e.map(|c| local(&c.closes_at_paris)).unwrap_or_default());
    let target = RwSignal::new(e.map_or(3, |c| c.target_selections).to_string());
    let draft = e.map_or_else(FormDraft::new, |c| FormDraft::of(&c.form, &c.criteria));
    let steps = WorkflowDraft::of(&e.map_or_else(Workflow::standard, |c| c.workflow.clone()));
    let published = RwSignal::new(e.is_some_and(|c| c.published));
    let kinds = RwSignal::new(e.map(|c| c.eligibility.kinds.clone()).unwrap_or_default());
    let countries = RwSignal::new(
        e.map(|c| c.eligibility.countries.join(", "))
            .unwrap_or_default(),
    );
    let letter = RwSignal::new(e.map(|c| c.letter_template.clone()).unwrap_or_default());
    let signer = e.and_then(|c| c.signatory.clone()).unwrap_or_default();
    let signer_name = RwSignal::new(signer.name);
    let signer_role = RwSignal::new(signer.role);
    // What the editor does not show goes back unchanged.
    let kept = StoredValue::new(existing.clone());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    // The communes a call may be for: the admin's, or (operators) every district.
    let district_list = api::compute(move || async move {
        if !operator {
            return Vec::new();
        }
        let filters = registry::Filters {
            status: CommuneStatus::District.as_str().into(),
            ..Default::default()
        };
        registry::all_matching(&filters)
            .await
            .map(|all| {
                all.into_iter()
                    .map(|c| (c.insee.to_string(), c.name))
                    .collect()
            })
            .unwrap_or_default()
    });
    let choices = move || -> Vec<(String, String)> {
        if operator {
            district_list.get().unwrap_or_default()
        } else {
            admin_of.clone()
        }
    };
    let choices = Memo::new(move |_| choices());
    Effect::new(move |_| {
        if commune.get_untracked().is_empty()
            && let Some((c, _)) = choices.get().first()
        {
            commune.set(c.clone());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(target_selections) = whole(&target.get_untracked()) else {
            errors.set(BTreeMap::from([(
                "target_selections".to_owned(),
                not_whole(i),
            )]));
            crate::ui::focus_first_invalid();
            return;
        };
        let programme = programme.get_untracked();
        let body = CallInput {
            insee: (!programme)
                .then(|| commune.get_untracked().parse::<Insee>().ok())
                .flatten(),
            districts: if programme {
                districts
                    .get_untracked()
                    .iter()
                    .filter_map(|d| d.parse().ok())
                    .collect()
            } else {
                Vec::new()
            },
            title: title.get_untracked(),
            description: description.get_untracked(),
            themes: themes
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            challenges: kept
                .with_value(|k| k.as_ref().map(|c| c.challenges.clone()).unwrap_or_default()),
            eligibility: qmi_api::applications::Eligibility {
                kinds: kinds.get_untracked(),
                countries: countries
                    .get_untracked()
                    .split(',')
                    .map(|c| c.trim().to_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect(),
            },
            opens_at: opens.get_untracked(),
            closes_at: closes.get_untracked(),
            target_selections,
            form: draft.questions(),
            criteria: draft.criteria(),
            workflow: Some(steps.workflow()),
            letter_template: Some(letter.get_untracked()).filter(|l| !l.trim().is_empty()),
            signatory: {
                let (name, role) = (signer_name.get_untracked(), signer_role.get_untracked());
                (!name.trim().is_empty() || !role.trim().is_empty())
                    .then(|| qmi_api::applications::Signatory { name, role })
            },
            published: published.get_untracked(),
        };
        let target_id = kept.with_value(|k| k.as_ref().map(|c| c.id.clone()));
        spawn_local(async move {
            let saved = match &target_id {
                Some(id) => {
                    api::put::<Call>(&format!("/api/calls/{}", api::encode(id)), &body).await
                }
                None => api::post::<Call>("/api/calls", &body).await,
            };
            match saved {
                Ok(c) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    if target_id.is_some() {
                        on_created();
                        on_close();
                        return;
                    }
                    title.set(String::new());
                    done.set(Some(format!(
                        "{} {}",
                        i.t("Appel créé :", "Call created:"),
                        c.title
                    )));
                    on_created();
                }
                Err(e) => {
                    done.set(None);
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-nouvel-appel" id="editeur-appel">
            <h2 id="titre-nouvel-appel">{move || if editing { i.t("Modifier l'appel", "Change the call") } else { i.t("Nouvel appel à solutions", "New call for solutions") }}</h2>
            {editing.then(|| view! { <p class="hint">{t!(i,
                "La commune ou les quartiers d'un appel ne changent pas ; le formulaire et les critères ne changent plus une fois des candidatures déposées.",
                "A call's commune or districts do not change; its form and criteria no longer change once applications are submitted.")}</p> })}
            <form on:submit=submit novalidate class="form-grid" id="form-appel">
                {(operator && !editing).then(|| view! {
                    <fieldset>
                        <legend>{t!(i, "Type d'appel", "Kind of call")}</legend>
                        <label class="choice"><input type="radio" name="appel-type" id="appel-type-commune" prop:checked=move || !programme.get()
                            on:change=move |_| programme.set(false) />" "{t!(i, "L'appel d'une commune", "A commune's call")}</label>
                        <label class="choice"><input type="radio" name="appel-type" id="appel-type-programme" prop:checked=move || programme.get()
                            on:change=move |_| programme.set(true) />" "{t!(i, "Un appel du programme (plusieurs quartiers)", "A programme call (several districts)")}</label>
                    </fieldset>
                })}
                <Show when=move || !programme.get()>
                    <div class="field" class:field-invalid=move || errors.with(|e| e.contains_key("insee"))>
                        <label for="appel-commune">{t!(i, "Commune", "Commune")}</label>
                        <select id="appel-commune" prop:value=move || commune.get() on:change=move |ev| commune.set(event_target_value(&ev)) disabled=editing
                            aria-describedby=described_by(errors, "insee", "appel-commune-erreur")>
                            {move || choices.get().into_iter().map(|(c, n)| view! { <option value=c.clone() selected=commune.get_untracked() == c>{format!("{n} ({c})")}</option> }).collect_view()}
                        </select>
                        {error_line(errors, "insee", "appel-commune-erreur")}
                    </div>
                </Show>
                <Show when=move || programme.get()>
                    <fieldset id="appel-quartiers" aria-describedby=described_by(errors, "districts", "appel-quartiers-erreur")>
                        <legend>{t!(i, "Quartiers couverts", "Districts covered")}</legend>
                        {move || choices.get().into_iter().map(|(c, n)| {
                            let code = c.clone();
                            view! { <label class="choice"><input type="checkbox" id=format!("quartier-{c}") disabled=editing prop:checked={let c = c.clone(); move || districts.with(|d| d.contains(&c))}
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    districts.update(|d| { d.retain(|x| *x != code); if on { d.push(code.clone()); } });
                                } />" "{format!("{n} ({c})")}</label> }
                        }).collect_view()}
                        {error_line(errors, "districts", "appel-quartiers-erreur")}
                    </fieldset>
                </Show>
                <TextField id="appel-titre" label=t!(i, "Titre", "Title") value=title error=error_of(errors, "title") required=true />
                <TextField id="appel-description" label=t!(i, "Présentation", "Presentation") value=description error=error_of(errors, "description") multiline=true />
                <TextField id="appel-themes" label=t!(i, "Thèmes", "Themes") value=themes error=error_of(errors, "themes")
                    hint=t!(i, "Séparés par des virgules, par exemple : Climat, Mobilité", "Comma-separated, e.g. Climate, Mobility") />
                <TextField id="appel-ouverture" label=t!(i, "Ouverture (heure de Paris)", "Opens (Paris time)") value=opens
                    error=error_of(errors, "opens_at") kind="datetime-local" required=true />
                <TextField id="appel-cloture" label=t!(i, "Clôture (heure de Paris)", "Closes (Paris time)") value=closes
                    error=error_of(errors, "closes_at") kind="datetime-local" required=true />
                <TextField id="appel-selections" label=t!(i, "Nombre de solutions à retenir", "Number of solutions to select") value=target
                    error=error_of(errors, "target_selections") kind="number" />
                <CriteriaEditor draft errors />
                <QuestionsEditor draft errors />
                <WorkflowEditor draft=steps errors />
                <fieldset id="appel-eligibilite" aria-describedby=described_by(errors, "eligibility", "appel-eligibilite-erreur")>
                    <legend>{t!(i, "Qui peut candidater", "Who may apply")}</legend>
                    <p class="hint">{t!(i, "Aucune case cochée : toutes les organisations.", "No box ticked: every organisation.")}</p>
                    {OrganisationKind::ALL.into_iter().map(|k| view! {
                        <label class="choice"><input type="checkbox" id=format!("eligible-{}", k.as_str())
                            prop:checked=move || kinds.with(|v| v.iter().any(|x| x == k.as_str()))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                kinds.update(|v| { v.retain(|x| x != k.as_str()); if on { v.push(k.as_str().to_owned()); } });
                            } />" "{move || kind_label(i, k)}</label>
                    }).collect_view()}
                    {error_line(errors, "eligibility", "appel-eligibilite-erreur")}
                </fieldset>
                <TextField id="appel-pays" label=t!(i, "Pays acceptés", "Countries accepted") value=countries error=error_of(errors, "countries")
                    hint=t!(i, "Codes ISO séparés par des virgules (FR, DE…) ; vide : tous les pays", "ISO codes, comma-separated (FR, DE…); empty: every country") />
                <TextField id="appel-lettre" label=t!(i, "Modèle de lettre de décision", "Decision letter template") value=letter
                    error=error_of(errors, "letter_template") multiline=true
                    hint=t!(i, "Remplacés dans chaque lettre : {{title}} (le titre de la candidature), {{call}} (l'appel), {{decision_fr}} et {{decision_en}} (la décision en français, en anglais), {{reason}} (le motif, aussi montré sous la lettre), {{score}} (la note). Vide : le modèle par défaut.", "Replaced in each letter: {{title}} (the application's title), {{call}} (the call), {{decision_fr}} and {{decision_en}} (the decision in French, in English), {{reason}} (the reason, also shown under the letter), {{score}} (the score). Empty: the default template.") />
                <TextField id="appel-signataire" label=t!(i, "Signataire des lettres de décision (nom)", "Signatory of the decision letters (name)") value=signer_name
                    error=error_of(errors, "signatory") hint=t!(i, "Vide : la personne qui publie les décisions signe.", "Empty: whoever publishes the decisions signs.") />
                <TextField id="appel-signataire-qualite" label=t!(i, "Qualité du signataire", "Signatory's role") value=signer_role
                    error=error_of(errors, "signatory.role") />
                <div class="field">
                    <label class="choice"><input type="checkbox" id="appel-publie" bind:checked=published aria-describedby="appel-publie-aide" />" "
                        {t!(i, "Publier dès maintenant", "Publish now")}</label>
                    <p class="hint" id="appel-publie-aide">{t!(i, PUBLISH_HINT_FR, PUBLISH_HINT_EN)}</p>
                </div>
                <p class="actions">
                    <button type="submit" class="button" id="appel-creer">{move || if editing { i.t("Enregistrer les modifications", "Save the changes") } else { i.t("Créer l'appel", "Create the call") }}</button>
                    {editing.then(|| view! { <button type="button" class="button button-secondary" id="appel-annuler" on:click=move |_| on_close()>{t!(i, "Annuler", "Cancel")}</button> })}
                </p>
                {status_line("appel-cree", done)}
                {failure_line(failure)}
            </form>
        </section>
    }
}

/// `/espace/appels/:id`: a call's reviewers, ranking, decisions and exports.
#[component]
pub fn SelectionPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <Selection /> } /> }
}

#[component]
fn Selection() -> impl IntoView {
    let i = use_i18n();
    let id = route_param("id");
    let base = format!("/api/calls/{}", api::encode(&id));
    let call_v = RwSignal::new(0u32);
    let data_v = RwSignal::new(0u32);
    let call = {
        let path = base.clone();
        api::load(move || {
            call_v.track();
            Some(path.clone())
        })
    };
    let apps = {
        let path = format!("{base}/applications?limit=500");
        api::load(move || {
            data_v.track();
            Some(path.clone())
        })
    };
    let ranking = {
        let path = format!("{base}/ranking");
        api::load(move || {
            data_v.track();
            Some(path.clone())
        })
    };
    // The reviewers of the call's commune(s), once the call is known.
    let reviewers = api::compute(move || {
        let districts = match api::read::<Call>(&call) {
            Some(Ok(c)) if c.programme => c.districts.iter().map(ToString::to_string).collect(),
            Some(Ok(c)) => vec![c.insee.to_string()],
            _ => Vec::new(),
        };
        async move {
            let mut out = BTreeMap::<String, String>::new();
            for d in districts {
                if let Ok(list) = crate::pages::members::all_members(&d).await {
                    out.extend(
                        list.into_iter()
                            .filter(|m| m.role == MembershipRole::Reviewer)
                            .map(|m| (m.account_id, m.name)),
                    );
                }
            }
            out
        }
    });
    let notice = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let base = StoredValue::new(base);
    let act = move |what: &'static str, ok: &'static str| {
        spawn_local(async move {
            match api::post_nobody::<Call>(&format!("{}/{what}", base.get_value())).await {
                Ok(_) => {
                    failure.set(None);
                    notice.set(Some(ok.to_owned()));
                    call_v.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    // `query` picks a variant (the CSV French Excel opens), `suffix` names its file.
    let export = move |ext: &'static str, query: &'static str, suffix: &'static str| {
        spawn_local(async move {
            if let Err(e) = api::download(
                &format!("{}/export.{ext}{query}", base.get_value()),
                &format!("candidatures{suffix}.{ext}"),
            )
            .await
            {
                failure.set(Some(e));
            }
        });
    };
    view! {
        <section aria-labelledby="titre-selection">
            {back(i, "/espace/appels", "← Appels à solutions", "← Calls for solutions")}
            {move || match api::read::<Call>(&call) {
                None => view! { <h1 id="titre-selection">{t!(i, "Sélection", "Selection")}</h1><Loading /> }.into_any(),
                Some(Err(e)) => view! { <h1 id="titre-selection">{t!(i, "Sélection", "Selection")}</h1><ErrorNotice error=e /> }.into_any(),
                Some(Ok(c)) => {
                    let closes = c.closes_at_paris.clone();
                    let (is_published, decided) = (c.published, c.decisions_published);
                    view! {
                        <p class="eyebrow">{t!(i, "Sélection", "Selection")}</p>
                        <h1 id="titre-selection">{c.title.clone()}</h1>
                        {facts(vec![
                            (t!(i, "Clôture (heure de Paris)", "Closes (Paris time)"), "", when(closes)),
                            (t!(i, "Publication", "Publication"), "appel-publication", published(i, c.published).into_any()),
                            (t!(i, "Décisions", "Decisions"), "decisions-etat",
                                (if decided { t!(i, "Publiées aux candidats", "Published to applicants") } else { t!(i, "Non publiées", "Not published") }).into_any()),
                        ])}
                        <crate::pages::decisions::CallClosing call=c.clone() on_done=move |m: String| { notice.set(Some(m)); call_v.update(|v| *v += 1); } />
                        <p class="actions">
                            {(!is_published).then(|| view! { <button type="button" class="button" id="publier-appel"
                                on:click=move |_| act("publish", i.t("Appel publié.", "Call published."))>{t!(i, "Publier l'appel", "Publish the call")}</button> })}
                            {(!decided).then(|| view! { <button type="button" class="button" id="publier-decisions"
                                on:click=move |_| if crate::ui::confirm(i.t(
                                    "Publier les décisions ? Chaque candidat reçoit sa lettre et les décisions ne pourront plus changer.",
                                    "Publish the decisions? Every applicant gets their letter and the decisions can no longer change.")) {
                                    act("decisions/publish", i.t("Décisions publiées : les candidats reçoivent leur lettre.", "Decisions published: applicants get their letter."))
                                }>
                                {t!(i, "Publier les décisions", "Publish the decisions")}</button> })}
                            <button type="button" class="button button-secondary" id="export-csv" on:click=move |_| export("csv", "", "")>{t!(i, "Exporter (CSV)", "Export (CSV)")}</button>
                            <button type="button" class="button button-secondary" id="export-csv-excel" on:click=move |_| export("csv", "?separator=semicolon", "-excel")>{t!(i, "Exporter (CSV pour Excel en français)", "Export (CSV for French Excel)")}</button>
                            <button type="button" class="button button-secondary" id="export-xlsx" on:click=move |_| export("xlsx", "", "")>{t!(i, "Exporter (XLSX)", "Export (XLSX)")}</button>
                        </p>
                        <p class="hint" id="exports-aide">{t!(i,
                            "Chaque export donne, par candidature, les notes et commentaires de chaque évaluateur pour chaque critère. Le fichier XLSX s'ouvre dans Excel quelle que soit sa langue ; le « CSV pour Excel en français » sépare les colonnes par des points-virgules et écrit les décimales avec une virgule ; le CSV simple (virgules) convient aux autres logiciels.",
                            "Each export gives, per application, every reviewer's score and comment for each criterion. The XLSX file opens in Excel whatever its language; the \"CSV for French Excel\" separates columns with semicolons and writes decimals with a comma; the plain CSV (commas) suits other software.")}</p>
                        {status_line("selection-message", notice)}
                        {failure_line(failure)}
                        <AssignForm base=base.get_value() reviewers apps on_done=move |m: String| { notice.set(Some(m)); data_v.update(|v| *v += 1); } />
                        <RankingView ranking reviewers />
                        <Decisions apps workflow=c.workflow.clone() questions=c.form.clone() call=c.id.clone() criteria=c.criteria.clone() reviewers on_done=move |m: String| { notice.set(Some(m)); data_v.update(|v| *v += 1); } />
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A whole number typed in a field (spaces may group thousands); `None` for
/// anything else (a decimal, a sign, letters, nothing), refused beside the field.
fn whole(text: &str) -> Option<u32> {
    text.trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .parse()
        .ok()
}

/// Why a field wanting a whole number refuses what was typed.
fn not_whole(i: I18n) -> String {
    i.t(
        "Un nombre entier est attendu, par exemple 2.",
        "A whole number is expected, for example 2.",
    )
    .to_owned()
}

#[component]
fn AssignForm(
    base: String,
    reviewers: api::Computed<BTreeMap<String, String>>,
    /// The call's applications (by hand, the chosen ones are assigned).
    apps: api::Loaded,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let chosen = RwSignal::new(Vec::<String>::new());
    let per = RwSignal::new("2".to_owned());
    let by_hand = RwSignal::new(false);
    let picked = RwSignal::new(Vec::<String>::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let path = StoredValue::new(format!("{base}/assignments"));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let per_application = match whole(&per.get_untracked()) {
            Some(n) => n,
            None if by_hand.get_untracked() => 0,
            None => {
                errors.set(BTreeMap::from([(
                    "per_application".to_owned(),
                    not_whole(i),
                )]));
                crate::ui::focus_first_invalid();
                return;
            }
        };
        let body = if by_hand.get_untracked() {
            AssignRequest {
                reviewers: chosen.get_untracked(),
                per_application: None,
                applications: picked.get_untracked(),
            }
        } else {
            AssignRequest {
                reviewers: chosen.get_untracked(),
                per_application: Some(per_application),
                applications: Vec::new(),
            }
        };
        // The files to review, to say which ones a small jury leaves short.
        let to_review: Vec<String> = match api::read::<Page<Application>>(&apps) {
            Some(Ok(p)) => p
                .items
                .into_iter()
                .filter(|a| crate::pages::jury::reviewable(&a.status))
                .map(|a| a.id)
                .collect(),
            _ => Vec::new(),
        };
        let wanted = body.per_application;
        spawn_local(async move {
            match api::post::<Vec<Assignment>>(&path.get_value(), &body).await {
                Ok(made) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    // The API answers with every assignment of the call, old and new.
                    let lang = i.lang();
                    let short = wanted.and_then(|n| {
                        crate::pages::jury::shortfall_note(&made, &to_review, n, lang)
                    });
                    on_done(format!(
                        "{} {}.{}",
                        i.t("Affectations à jour :", "Assignments up to date:"),
                        fmt::count(
                            made.len() as u64,
                            lang,
                            ("affectation pour cet appel", "affectations pour cet appel"),
                            ("assignment for this call", "assignments for this call")
                        ),
                        short.map(|s| format!(" {s}")).unwrap_or_default()
                    ));
                }
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-affectation">
            <h2 id="titre-affectation">{t!(i, "Affecter les évaluateurs", "Assign reviewers")}</h2>
            <form on:submit=submit novalidate class="form-grid" id="form-affectation">
                <fieldset id="evaluateurs" aria-describedby=described_by(errors, "reviewers", "evaluateurs-erreur")>
                    <legend>{t!(i, "Jury (évaluatrices et évaluateurs de la commune)", "Jury (the commune's reviewers)")}</legend>
                    {move || match reviewers.get() {
                        None => view! { <Loading /> }.into_any(),
                        Some(list) if list.is_empty() => view! { <p class="muted small">{t!(i, "Aucun évaluateur : ajoutez-en dans les membres de la commune.", "No reviewer: add some among the commune's members.")}</p> }.into_any(),
                        Some(list) => list.into_iter().map(|(account, name)| {
                            let a = account.clone();
                            view! { <label class="choice"><input type="checkbox" id=format!("evaluateur-{account}") data-name=name.clone()
                                on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { c.retain(|x| *x != a); if on { c.push(a.clone()); } }); } />
                                " "{name}</label> }
                        }).collect_view().into_any(),
                    }}
                    {error_line(errors, "reviewers", "evaluateurs-erreur")}
                </fieldset>
                <fieldset>
                    <legend>{t!(i, "Répartition", "Spread")}</legend>
                    <label class="choice"><input type="radio" name="repartition" id="repartition-auto" prop:checked=move || !by_hand.get()
                        on:change=move |_| by_hand.set(false) />" "{t!(i, "Automatique et équilibrée", "Automatic and even")}</label>
                    <label class="choice"><input type="radio" name="repartition" id="repartition-main" prop:checked=move || by_hand.get()
                        on:change=move |_| by_hand.set(true) />" "{t!(i, "À la main : les candidatures cochées", "By hand: the applications ticked")}</label>
                </fieldset>
                <Show when=move || !by_hand.get()>
                    <TextField id="par-candidature" label=t!(i, "Évaluations par candidature", "Reviews per application") value=per
                        error=error_of(errors, "per_application") kind="number"
                        hint=t!(i, "Chaque candidature reçoit ce nombre d'évaluations, réparties entre les membres du jury", "Each application gets this many reviews, spread across the jury") />
                    // One reviewer reviews an application once: more than the jury ticked cannot be given.
                    {move || {
                        let jury = chosen.with(Vec::len) as u64;
                        let wanted: u64 = per.with(|p| p.trim().parse().unwrap_or(0));
                        (jury > 0 && wanted > jury).then(|| {
                            let lang = i.lang();
                            let members = fmt::count(jury, lang, ("membre coché", "membres cochés"), ("member ticked", "members ticked"));
                            view! { <p class="notice" id="jury-trop-petit">{format!("{}{members}{}", i.t("Le jury compte ", "The jury has "),
                                i.t(" : chaque candidature recevra au plus autant d'évaluations.", ": each application will get at most that many reviews."))}</p> }
                        })
                    }}
                </Show>
                <Show when=move || by_hand.get()>
                    <fieldset id="candidatures-a-affecter" aria-describedby=described_by(errors, "applications", "candidatures-a-affecter-erreur")>
                        <legend>{t!(i, "Candidatures confiées aux évaluateurs cochés", "Applications given to the reviewers ticked")}</legend>
                        {move || match api::read::<Page<Application>>(&apps) {
                            None => view! { <Loading /> }.into_any(),
                            Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                            Some(Ok(p)) => p.items.into_iter().filter(|a| a.status != "draft").map(|a| {
                                let id = a.id.clone();
                                view! { <label class="choice"><input type="checkbox" id=format!("affecter-{}", a.id) data-title=a.title.clone()
                                    on:change=move |ev| { let on = event_target_checked(&ev); picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id.clone()); } }); } />
                                    " "{a.title.clone()}</label> }
                            }).collect_view().into_any(),
                        }}
                        {error_line(errors, "applications", "candidatures-a-affecter-erreur")}
                    </fieldset>
                </Show>
                <p><button type="submit" class="button" id="affecter">{t!(i, "Affecter", "Assign")}</button></p>
                {failure_line(failure)}
            </form>
        </section>
    }
}

fn score(x: Option<f64>, lang: Lang) -> String {
    x.map_or_else(|| "—".to_owned(), |v| fmt::decimal(v, 2, lang))
}

#[component]
fn RankingView(
    ranking: api::Loaded,
    reviewers: api::Computed<BTreeMap<String, String>>,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <section aria-labelledby="titre-classement">
            <h2 id="titre-classement">{t!(i, "Classement et avancement", "Ranking and progress")}</h2>
            {move || match api::read::<Ranking>(&ranking) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(r)) => {
                    let lang = i.lang();
                    let names = reviewers.get().unwrap_or_default();
                    let n = |x: u32| text(x.to_string());
                    view! {
                        {table(
                            "table-classement",
                            t!(i, "Candidatures par note pondérée", "Applications by weighted score"),
                            vec![t!(i, "Candidature", "Application"), t!(i, "Note pondérée (sur 5)", "Weighted score (out of 5)"), t!(i, "Écart entre évaluateurs", "Spread between reviewers"),
                                t!(i, "Évaluations faites", "Reviews done"), t!(i, "Récusations", "Recusals")],
                            r.applications.into_iter().map(|a| {
                                let cells = vec![text(a.title.clone()), text(score(a.weighted_score, lang)), text(score(a.spread, lang)),
                                    text(format!("{} / {}", a.reviews_done, a.reviews_expected)), n(a.recused)];
                                (a.title, cells)
                            }).collect(),
                        )}
                        <h3>{t!(i, "Avancement du jury", "Jury progress")}</h3>
                        {table(
                            "table-jury",
                            t!(i, "Avancement par évaluateur", "Progress per reviewer"),
                            vec![t!(i, "Évaluateur", "Reviewer"), t!(i, "Affectées", "Assigned"), t!(i, "Faites", "Done"), t!(i, "Récusations", "Recusals")],
                            r.reviewers.into_iter().map(|p| {
                                let name = names.get(&p.reviewer).cloned().unwrap_or(p.reviewer);
                                (name.clone(), vec![text(name), n(p.assigned), n(p.done), n(p.recused)])
                            }).collect(),
                        )}
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Decisions(
    apps: api::Loaded,
    workflow: Workflow,
    questions: Vec<Question>,
    /// The call, its criteria and its reviewers' names: the jury's reviews.
    call: String,
    criteria: Vec<Criterion>,
    reviewers: api::Computed<BTreeMap<String, String>>,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let workflow = StoredValue::new(workflow);
    let questions = StoredValue::new(questions);
    let (call, criteria) = (StoredValue::new(call), StoredValue::new(criteria));
    view! {
        <section aria-labelledby="titre-decisions">
            <h2 id="titre-decisions">{t!(i, "Étapes et décisions", "Steps and decisions")}</h2>
            <p class="hint">{t!(i, "Chaque décision est motivée ; le motif figure dans la lettre envoyée au candidat.", "Every decision gives a reason; it appears in the letter sent to the applicant.")}</p>
            {move || match api::read::<Page<Application>>(&apps) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(p)) => {
                    let shown: Vec<Application> = p.items.into_iter().filter(|a| a.status != "draft").collect();
                    if shown.is_empty() {
                        return view! { <p class="notice">{t!(i, "Aucune candidature déposée pour l'instant.", "No application submitted yet.")}</p> }.into_any();
                    }
                    view! {
                        <ul class="card-list" id="liste-decisions">
                            {shown.into_iter().map(|a| view! { <DecisionForm app=a workflow=workflow.get_value() questions=questions.get_value() call=call.get_value() criteria=criteria.get_value() reviewers on_done /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DecisionForm(
    app: Application,
    workflow: Workflow,
    questions: Vec<Question>,
    call: String,
    criteria: Vec<Criterion>,
    reviewers: api::Computed<BTreeMap<String, String>>,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let next: Vec<String> = workflow
        .transitions
        .iter()
        .filter(|t| {
            t.from == app.status && !["withdrawn", "submitted", "draft"].contains(&t.to.as_str())
        })
        .map(|t| t.to.clone())
        .collect();
    let to = RwSignal::new(next.first().cloned().unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let w = StoredValue::new(workflow);
    let (id, title, status) = (app.id.clone(), app.title.clone(), app.status.clone());
    let path = StoredValue::new(format!(
        "/api/applications/{}/transitions",
        api::encode(&id)
    ));
    let title_s = StoredValue::new(title.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TransitionRequest {
            to: to.get_untracked(),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        spawn_local(async move {
            match api::post::<Application>(&path.get_value(), &body).await {
                Ok(a) => on_done(format!(
                    "{} → {}",
                    title_s.get_value(),
                    w.with_value(|w| state_label(w, &a.status, i.lang()))
                )),
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    let sel = format!("etape-{id}");
    // Who applied, and the reason given for the step the application is at.
    let organisation = (!app.organisation_name.is_empty()).then(|| app.organisation_name.clone());
    let last_reason = app.reason.clone();
    view! {
        <li class="card" data-title=title.clone()>
            <h3 class="card-title">{title.clone()}</h3>
            {organisation.map(|o| view! { <p class="muted small organisation">{o}</p> })}
            <p class="small">{t!(i, "État :", "State:")}" "<span class="etat">{move || w.with_value(|w| state_label(w, &status, i.lang()))}</span></p>
            {last_reason.map(|r| view! { <p class="small motif">{t!(i, "Motif :", "Reason:")}" "{r}</p> })}
            <details class="answers-details">
                <summary>{t!(i, "Lire la candidature", "Read the application")}</summary>
                <AnswersView questions answers=app.answers.clone() application=app.id.clone() />
            </details>
            <JuryReviews application=app.id.clone() call criteria names=reviewers />
            {(!next.is_empty()).then(|| view! {
                <form on:submit=submit novalidate class="form-grid">
                    <div class="field">
                        <label for=sel.clone()>{t!(i, "Étape suivante", "Next step")}</label>
                        <select id=sel.clone() prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))>
                            {next.iter().map(|s| {
                                let s2 = s.clone();
                                view! { <option value=s.clone()>{move || w.with_value(|w| state_label(w, &s2, i.lang()))}</option> }
                            }).collect_view()}
                        </select>
                        {error_line(errors, "to", "etape-erreur")}
                    </div>
                    <TextField id=format!("motif-{id}") label=t!(i, "Motif (obligatoire pour une décision)", "Reason (required for a decision)")
                        value=reason error=error_of(errors, "reason") multiline=true />
                    <p><button type="submit" class="button button-small" id=format!("valider-{id}")>{t!(i, "Enregistrer", "Save")}</button></p>
                    {failure_line(failure)}
                </form>
            })}
        </li>
    }
}

// ------------------------------------------------------------ a commune's district

/// `/espace/quartiers/:insee`: the district of a commune, completed by its admins.
#[component]
pub fn DistrictPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <DistrictEditor /> } /> }
}

#[component]
fn DistrictEditor() -> impl IntoView {
    let i = use_i18n();
    let insee = route_param("insee");
    let district = {
        let path = format!("/api/districts/{}", api::encode(&insee));
        api::load(move || Some(path.clone()))
    };
    let names = use_names();
    names.want([insee.as_str()]);
    let commune = StoredValue::new(insee.clone());
    view! {
        <section aria-labelledby="titre-quartier">
            {back(i, "/espace", "← Mon espace", "← My space")}
            <p class="eyebrow" id="quartier-commune">{move || commune.with_value(|c| names.label(c))}</p>
            <h1 id="titre-quartier">{t!(i, "Quartier d'innovation", "Innovation district")}</h1>
            {move || match api::read::<District>(&district) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) if e.status == 404 => view! { <p class="notice">{t!(i,
                    "Cette commune n'a pas encore de quartier : il est créé quand l'équipe du programme retient sa candidature.",
                    "This commune has no district yet: it is created when the programme team selects its candidacy.")}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(d)) => view! { <DistrictForm d /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DistrictForm(d: District) -> impl IntoView {
    let i = use_i18n();
    let name = RwSignal::new(d.name.clone());
    let description = RwSignal::new(d.description.clone());
    let challenges = RwSignal::new(
        d.challenges
            .iter()
            .map(|c| format!("{} : {}", c.theme, c.text))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let sites = RwSignal::new(d.sites.join("\n"));
    let stakeholders = RwSignal::new(d.stakeholders.join("\n"));
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let fixed = StoredValue::new((d.insee.clone(), d.perimeter.clone(), d.campaign_id.clone()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (insee, perimeter, campaign_id) = fixed.get_value();
        let list = |s: RwSignal<String>| {
            lines(&s.get_untracked())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let body = DistrictInput {
            insee: insee.clone(),
            name: name.get_untracked(),
            perimeter,
            description: description.get_untracked(),
            challenges: lines(&challenges.get_untracked())
                .map(|l| {
                    let (theme, text) = l.split_once(':').unwrap_or(("", l));
                    Challenge {
                        theme: theme.trim().to_owned(),
                        text: text.trim().to_owned(),
                    }
                })
                .collect(),
            sites: list(sites),
            stakeholders: list(stakeholders),
            campaign_id,
        };
        spawn_local(async move {
            match api::put::<District>(&format!("/api/districts/{insee}"), &body).await {
                Ok(_) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    done.set(Some(
                        i.t("Quartier enregistré.", "District saved.").to_owned(),
                    ));
                }
                Err(e) => {
                    done.set(None);
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <form on:submit=submit novalidate class="form-grid" id="form-quartier">
            <TextField id="quartier-nom" label=t!(i, "Nom du quartier", "District name") value=name error=error_of(errors, "name") required=true />
            <TextField id="quartier-description" label=t!(i, "Description", "Description") value=description error=error_of(errors, "description") multiline=true />
            <TextField id="quartier-defis" label=t!(i, "Défis", "Challenges") value=challenges error=error_of(errors, "challenges") multiline=true
                hint=t!(i, "Un par ligne : thème : défi", "One per line: theme: challenge") />
            <TextField id="quartier-sites" label=t!(i, "Sites ouverts aux expérimentations", "Sites open to experiments") value=sites
                error=error_of(errors, "sites") multiline=true hint=t!(i, "Un par ligne", "One per line") />
            <TextField id="quartier-acteurs" label=t!(i, "Acteurs locaux", "Local stakeholders") value=stakeholders
                error=error_of(errors, "stakeholders") multiline=true hint=t!(i, "Un par ligne", "One per line") />
            <p><button type="submit" class="button" id="quartier-enregistrer">{t!(i, "Enregistrer le quartier", "Save the district")}</button></p>
            {status_line("quartier-enregistre", done)}
            {failure_line(failure)}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_questions_are_read_line_by_line() {
        let q = parse_questions("Votre solution\n\nVotre équipe");
        assert_eq!(
            q.iter()
                .map(|q| (q.id.as_str(), q.label.as_str(), q.required))
                .collect::<Vec<_>>(),
            [("q1", "Votre solution", true), ("q2", "Votre équipe", true)]
        );
    }

    #[test]
    fn workflow_labels_follow_the_language() {
        let w = qmi_api::applications::Workflow {
            states: vec![
                qmi_api::applications::WorkflowState {
                    id: "selected".into(),
                    label: "Retenue / Selected".into(),
                    decision: true,
                },
                qmi_api::applications::WorkflowState {
                    id: "jury".into(),
                    label: "Jury".into(),
                    decision: false,
                },
            ],
            transitions: Vec::new(),
        };
        assert_eq!(state_label(&w, "selected", Lang::Fr), "Retenue");
        assert_eq!(state_label(&w, "selected", Lang::En), "Selected");
        assert_eq!(state_label(&w, "jury", Lang::En), "Jury");
        assert_eq!(state_label(&w, "unknown", Lang::Fr), "unknown");
        assert!(is_decision(&w, "selected") && !is_decision(&w, "jury"));
    }
}
