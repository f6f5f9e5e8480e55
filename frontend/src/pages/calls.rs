//! Calls for solutions: the open calls, a call's page, the application form
//! rendered from the call's questions (autosaved), the reviewer's assignments
//! and the answers as reviewers read them (the scoring form is `scoring`).

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::Page;
use qmi_api::applications::{
    Application, ApplicationInput, Assignment, Attachment, Call, Question, QuestionKind,
};
use qmi_api::identity::{Lang, Me};
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, route_param};

/// `/appels`: the open calls.
#[component]
pub fn Calls() -> impl IntoView {
    let i = use_i18n();
    let calls = api::load(|| Some("/api/calls?status=open&limit=100".into()));
    let closed = api::load(|| Some("/api/calls?status=closed&limit=100".into()));
    view! {
        <section aria-labelledby="titre-appels">
            <h1 id="titre-appels">{t!(i, "Appels à solutions ouverts", "Open calls for solutions")}</h1>
            {move || match api::read::<Page<Call>>(&calls) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="notice">{t!(i, "Aucun appel n'est ouvert pour le moment.", "No call is open at the moment.")}</p>
                }.into_any(),
                Some(Ok(page)) => view! { <CallCards id="liste-appels" calls=page.items /> }.into_any(),
            }}
        </section>
        <section aria-labelledby="titre-appels-clos">
            <h2 id="titre-appels-clos">{t!(i, "Appels clos et leurs résultats", "Closed calls and their results")}</h2>
            {move || match api::read::<Page<Call>>(&closed) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <p class="muted">{t!(i, "Aucun appel n'est encore clos.", "No call is closed yet.")}</p>
                }.into_any(),
                Some(Ok(page)) => view! { <CallCards id="appels-clos" calls=page.items /> }.into_any(),
            }}
        </section>
        <section aria-labelledby="titre-donnees-ouvertes">
            <h2 id="titre-donnees-ouvertes">{t!(i, "Données ouvertes", "Open data")}</h2>
            <p>{t!(i,
                "Les appels publiés et les décisions rendues publiques, libres de réutilisation :",
                "Published calls and public decisions, free to reuse:")}</p>
            <ul class="plain-list" id="donnees-ouvertes">
                <li>{t!(i, "Appels : ", "Calls: ")}<a href="/api/open-data/calls.csv" download>"CSV"</a>" · "<a href="/api/open-data/calls.json">"JSON"</a></li>
                <li>{t!(i, "Décisions : ", "Decisions: ")}<a href="/api/open-data/decisions.csv" download>"CSV"</a>" · "<a href="/api/open-data/decisions.json">"JSON"</a></li>
            </ul>
            <p id="licence">{t!(i, "Licence : ", "Licence: ")}
                <a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" rel="license" lang="fr">"Licence Ouverte 2.0 (Etalab)"</a>
                {t!(i, " — réutilisation libre, y compris commerciale, en citant la source « Métropole du Grand Paris — programme QMI ».",
                    " — free reuse, commercial included, crediting the source \"Métropole du Grand Paris — programme QMI\".")}</p>
        </section>
    }
}

/// Calls as cards: title (linked), themes, closing date.
#[component]
pub fn CallCards(id: &'static str, calls: Vec<Call>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <ul class="card-list" id=id>
            {calls.into_iter().map(|c| {
                let closes = c.closes_at_paris.clone();
                view! {
                    <li class="card">
                        <h2 class="card-title"><A href=format!("/appels/{}", c.id)>{c.title.clone()}</A></h2>
                        <p class="muted small">{c.themes.join(" · ")}</p>
                        <p class="small">{move || format!("{} {}", i.t("Clôture le", "Closes on"), fmt::datetime(&closes, i.lang()))}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// A typed number as JSON: an integer stays an integer (`12000`, not
/// `12000.0`); a decimal comma is read as a point. `None` when it is not a number.
fn parse_number(text: &str) -> Option<serde_json::Number> {
    // Spaces may group thousands ("1 500,5"); letters and exponents are no number.
    let text = text
        .trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".");
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) => Some(n.into()),
        Err(_) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64),
    }
}

/// `/appels/:id/candidature`: the partner's application, autosaved.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    view! { <SignedIn page=|_me: Me| view! { <ApplicationForm /> } /> }
}

#[component]
fn ApplicationForm() -> impl IntoView {
    let i = use_i18n();
    let call_id = route_param("id");
    // The call and the organisation's applications (to find its draft for this call).
    let call = {
        let path = format!("/api/calls/{}", api::encode(&call_id));
        api::load(move || Some(path.clone()))
    };
    let mine = api::load(|| Some("/api/applications?limit=500".into()));
    view! {
        <section aria-labelledby="titre-candidature">
            <h1 id="titre-candidature">{t!(i, "Candidature", "Application")}</h1>
            {move || match (api::read::<Call>(&call), api::read::<Page<Application>>(&mine)) {
                (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorNotice error=e /> }.into_any(),
                (Some(Ok(call)), Some(Ok(mine))) => {
                    let existing = mine.items.into_iter().find(|a| a.call_id == call.id);
                    view! { <AnswerForm call existing /> }.into_any()
                }
                _ => view! { <Loading /> }.into_any(),
            }}
        </section>
    }
}

/// The client-side check of one answer against its question: the message, if wrong.
pub fn check_answer(q: &Question, v: Option<&Value>, fr: bool) -> Option<String> {
    let empty = match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    if empty {
        return q.required.then(|| {
            if fr {
                "Réponse obligatoire.".into()
            } else {
                "An answer is required.".into()
            }
        });
    }
    match (q.kind, v?) {
        (QuestionKind::ShortText | QuestionKind::LongText, Value::String(s)) => {
            let max = q.max_length? as usize;
            (s.chars().count() > max).then(|| {
                if fr {
                    format!("{max} caractères au plus.")
                } else {
                    format!("At most {max} characters.")
                }
            })
        }
        (QuestionKind::Number, Value::Number(n)) => {
            let x = n.as_f64()?;
            // The limit as a person writes it (a decimal comma in French).
            let decimal = |m: f64| {
                let m = m.to_string();
                if fr { m.replace('.', ",") } else { m }
            };
            if let Some(m) = q.min.filter(|m| x < *m) {
                let m = decimal(m);
                return Some(if fr {
                    format!("Au moins {m}.")
                } else {
                    format!("At least {m}.")
                });
            }
            let m = q.max.filter(|m| x > *m)?;
            let m = decimal(m);
            Some(if fr {
                format!("Au plus {m}.")
            } else {
                format!("At most {m}.")
            })
        }
        (QuestionKind::Number, _) => Some(if fr {
            "Saisissez un nombre, par exemple 1500,5.".into()
        } else {
            "Enter a number, for example 1500.5.".into()
        }),
        (QuestionKind::MultipleChoice, Value::Array(a)) => {
            let max = q.max_choices? as usize;
            (a.len() > max).then(|| {
                if fr {
                    format!("{max} choix au plus.")
                } else {
                    format!("At most {max} choices.")
                }
            })
        }
        _ => None,
    }
}

#[component]
fn AnswerForm(call: Call, existing: Option<Application>) -> impl IntoView {
    let i = use_i18n();
    let app_id = RwSignal::new(existing.as_ref().map(|a| a.id.clone()));
    let existing_insee = existing.as_ref().map(|a| a.insee.clone());
    let status = existing
        .as_ref()
        .map(|a| a.status.clone())
        .unwrap_or_else(|| "draft".into());
    let editable = status == "draft";
    let title = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.title.clone())
            .unwrap_or_default(),
    );
    // A draft loaded is a draft saved: said with its time, as after an autosave.
    let saved_at = RwSignal::new(
        existing
            .as_ref()
            .filter(|a| a.status == "draft")
            .map(|a| a.updated_at.clone()),
    );
    let answers = RwSignal::new(existing.map(|a| a.answers).unwrap_or_default());
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let submitted = RwSignal::new(!editable);
    let generation = RwSignal::new(0u32);
    // A programme call covers several districts: the applicant picks one
    // (fixed once the application exists); a commune's call has its own.
    let districts = if call.programme {
        call.districts.clone()
    } else {
        Vec::new()
    };
    let district_fixed = existing_insee.is_some();
    let district = RwSignal::new(if districts.is_empty() {
        None
    } else {
        existing_insee.or_else(|| districts.first().cloned())
    });
    let call_id = call.id.clone();
    let questions = StoredValue::new(call.form.clone());

    // One save at a time (two first saves in flight would create two drafts):
    // a save asked for meanwhile is remembered (`queued`, with its submit flag)
    // and run when the one in flight ends (`rerun`, watched by an effect below).
    let busy = StoredValue::new(false);
    let queued = StoredValue::new(None::<bool>);
    let rerun = RwSignal::new(0u32);

    // Saves the draft (creating it on first save); `submit` validates and submits.
    let save = move |submit: bool| {
        if busy.get_value() {
            queued.update_value(|q| *q = Some(submit || q.unwrap_or(false)));
            return;
        }
        busy.set_value(true);
        let input = ApplicationInput {
            title: title.get_untracked(),
            answers: sendable(&questions.get_value(), answers.get_untracked()),
            submit: false,
            district: district.get_untracked(),
        };
        let call_id = call_id.clone();
        spawn_local(async move {
            let result = match app_id.get_untracked() {
                Some(id) => {
                    api::put::<Application>(&format!("/api/applications/{id}"), &input).await
                }
                None => {
                    api::post::<Application>(&format!("/api/calls/{call_id}/applications"), &input)
                        .await
                }
            };
            match result {
                Ok(a) => {
                    app_id.set(Some(a.id.clone()));
                    saved_at.set(Some(a.updated_at.clone()));
                    failure.set(None);
                    if submit {
                        match api::post_nobody::<Application>(&format!(
                            "/api/applications/{}/submit",
                            a.id
                        ))
                        .await
                        {
                            Ok(_) => submitted.set(true),
                            Err(e) => {
                                errors.set(server_errors(&e));
                                failure.set(Some(e));
                            }
                        }
                    }
                }
                Err(e) => {
                    errors.set(server_errors(&e));
                    failure.set(Some(e));
                }
            }
            busy.set_value(false);
            if queued.get_value().is_some() {
                rerun.update(|n| *n += 1);
            }
        });
    };
    Effect::new({
        let save = save.clone();
        move |_| {
            if rerun.get() > 0
                && let Some(submit) = queued.try_update_value(Option::take).flatten()
            {
                save(submit);
            }
        }
    });
    // Autosave one second after the last change.
    let autosave = save.clone();
    let changed = move || {
        let save = autosave.clone();
        let g = generation.get_untracked() + 1;
        generation.set(g);
        set_timeout(
            move || {
                if generation.get_untracked() == g {
                    save(false);
                }
            },
            std::time::Duration::from_millis(1000),
        );
    };
    let submit_all = {
        let save = save.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let fr = i.lang() == qmi_api::identity::Lang::Fr;
            let mut errs = BTreeMap::new();
            if title.get_untracked().trim().is_empty() {
                errs.insert(
                    "title".to_owned(),
                    i.t(
                        "Donnez un titre à votre solution.",
                        "Give your solution a title.",
                    )
                    .to_owned(),
                );
            }
            answers.with_untracked(|a| {
                for q in questions.get_value() {
                    if let Some(m) = check_answer(&q, a.get(&q.id), fr) {
                        errs.insert(q.id.clone(), m);
                    }
                }
            });
            let ok = errs.is_empty();
            errors.set(errs);
            if ok {
                save(true);
            } else {
                crate::ui::focus_first_invalid();
            }
        }
    };
    // A file goes to the draft's attachments (the draft is saved first if it is
    // new); the answer is then the attachment's id, autosaved like any other.
    let pending = RwSignal::new(BTreeSet::<String>::new());
    // The names of the files already sent come with the application itself
    // (not with the list it was found in).
    let names = RwSignal::new(BTreeMap::<String, String>::new());
    let has_file = questions.with_value(|qs| {
        answers.with_untracked(|a| {
            qs.iter()
                .any(|q| q.kind == QuestionKind::File && a.get(&q.id).is_some_and(Value::is_string))
        })
    });
    if let Some(id) = app_id.get_untracked().filter(|_| has_file) {
        spawn_local(async move {
            if let Ok(a) =
                api::get::<Application>(&format!("/api/applications/{}", api::encode(&id))).await
            {
                names.update(|n| n.extend(a.files));
            }
        });
    }
    let upload = Callback::new({
        let save = save.clone();
        move |(key, file): (String, web_sys::File)| {
            let fail = move |key: String, message: String| {
                errors.update(|e| {
                    e.insert(key, message);
                });
            };
            if file.size() > ATTACHMENT_MAX as f64 {
                fail(
                    key,
                    i.t("Le fichier dépasse 10 Mo.", "The file is over 10 MB.")
                        .to_owned(),
                );
                return;
            }
            pending.update(|p| {
                p.insert(key.clone());
            });
            errors.update(|e| {
                e.remove(&key);
            });
            let save = save.clone();
            spawn_local(async move {
                let mut waited = 0;
                let id = loop {
                    match app_id.get_untracked() {
                        Some(id) => break Some(id),
                        None if waited == 0 => save(false),
                        None if waited >= 200 || failure.with_untracked(Option::is_some) => {
                            break None;
                        }
                        None => {}
                    }
                    waited += 1;
                    sleep(100).await;
                };
                let result = match id {
                    Some(id) => {
                        api::upload::<Attachment>(
                            &format!(
                                "/api/applications/{id}/attachments?name={}",
                                api::encode(&file.name())
                            ),
                            &file,
                        )
                        .await
                    }
                    None => Err(failure.get_untracked().unwrap_or_else(|| {
                        ApiError::network(i.t(
                            "Le brouillon n'a pas pu être enregistré.",
                            "The draft could not be saved.",
                        ))
                    })),
                };
                pending.update(|p| {
                    p.remove(&key);
                });
                match result {
                    Ok(attachment) => {
                        if let Some(name) = attachment.name {
                            names.update(|n| {
                                n.insert(attachment.id.clone(), name);
                            });
                        }
                        answers.update(|a| {
                            a.insert(key, Value::String(attachment.id));
                        });
                        // Saved at once, not a second later: the file is there already.
                        save(false);
                    }
                    Err(e) => fail(
                        key,
                        e.field("body")
                            .unwrap_or_else(|| crate::messages::localise(&e.message())),
                    ),
                }
            });
        }
    });
    let attach = Attach {
        upload,
        pending,
        application: app_id,
        names,
    };
    let fields = call
        .form
        .into_iter()
        .map(|q| view! { <QuestionField q answers errors changed=changed.clone() disabled=submitted attach /> })
        .collect_view();
    view! {
        <p class="eyebrow">{call.title.clone()}</p>
        <Show when=move || submitted.get()>
            <p class="notice notice-ok" role="status" id="candidature-deposee">{t!(i, "Candidature déposée.", "Application submitted.")}</p>
        </Show>
        <form on:submit=submit_all novalidate class="form-grid" id="form-candidature">
            {(!districts.is_empty()).then(|| {
                // Each district by its commune's name (the code until the name comes).
                let names = crate::registry::use_names();
                let codes: Vec<String> = districts.iter().map(ToString::to_string).collect();
                names.want(codes.iter().map(String::as_str));
                let options = districts
                    .iter()
                    .map(|d| {
                        let code = d.to_string();
                        let value = code.clone();
                        view! { <option value=value selected=district.get_untracked().as_ref() == Some(d)>{move || names.label(&code)}</option> }
                    })
                    .collect_view();
                view! {
                    <div class="field">
                        <label for="q-district">{t!(i, "Quartier d'innovation (commune)", "Innovation district (commune)")}" *"</label>
                        <select id="q-district" disabled=move || submitted.get() || district_fixed
                            on:change={let changed = changed.clone(); move |ev| {
                                district.set(event_target_value(&ev).parse().ok());
                                changed();
                            }}>
                            {options}
                        </select>
                    </div>
                }
            })}
            <div class="field" class:field-invalid=move || errors.with(|e| e.contains_key("title"))>
                <label for="q-title">{t!(i, "Titre de la solution", "Title of the solution")}" *"</label>
                <input id="q-title" type="text" prop:value=move || title.get() disabled=move || submitted.get()
                    aria-invalid=move || errors.with(|e| e.contains_key("title")).then_some("true")
                    aria-describedby=move || errors.with(|e| e.contains_key("title")).then_some("q-title-erreur")
                    on:input={let changed = changed.clone(); move |ev| { title.set(event_target_value(&ev)); changed(); }} />
                {move || errors.with(|e| e.get("title").cloned()).map(|m| view! { <p class="field-error" id="q-title-erreur">{m}</p> })}
            </div>
            {fields}
            <p class="muted small" role="status" id="autosave">
                {move || saved_at.get().filter(|_| !submitted.get()).map(|at| format!("{} {}", i.t("Brouillon enregistré —", "Draft saved —"), fmt::datetime(&at, i.lang())))}
            </p>
            {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
            {move || failure.get().map(|e| unplaced_problems(i, &e, &questions.get_value())).filter(|p| !p.is_empty()).map(|p| view! {
                <div class="notice notice-error" role="alert" id="candidature-problemes">
                    <p>{t!(i, "La candidature ne peut pas être enregistrée :", "The application cannot be saved:")}</p>
                    <ul>{p.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            })}
            <Show when=move || !submitted.get()>
                <p><button type="submit" class="button" id="candidature-deposer">{t!(i, "Déposer la candidature", "Submit the application")}</button></p>
            </Show>
        </form>
    }
}

/// The answers as the draft keeps them: a number question's text that is no
/// number (said beside its field) is sent as no answer.
fn sendable(
    questions: &[Question],
    mut answers: BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    for q in questions.iter().filter(|q| q.kind == QuestionKind::Number) {
        if let Some(v) = answers.get_mut(&q.id).filter(|v| !v.is_number()) {
            *v = Value::Null;
        }
    }
    answers
}

/// The API's per-field problems, keyed by question id (`answers.<id>` or `<id>`).
fn server_errors(e: &ApiError) -> BTreeMap<String, String> {
    e.errors
        .iter()
        .map(|f| {
            let key = f
                .field
                .trim_start_matches("answers.")
                .trim_start_matches("answers/")
                .trim_start_matches('/')
                .to_owned();
            (key, crate::messages::localise(&f.message))
        })
        .collect()
}

/// The API's problems that no field of the form shows (the organisation's
/// eligibility, the district…), each named for people.
fn unplaced_problems(i: crate::i18n::I18n, e: &ApiError, questions: &[Question]) -> Vec<String> {
    let shown = |key: &str| key == "title" || questions.iter().any(|q| q.id == key);
    server_errors(e)
        .into_iter()
        .filter(|(key, _)| !shown(key))
        .map(|(key, message)| match key.as_str() {
            "organisation.kind" => i
                .t(
                    "Type d'organisation : cet appel n'est pas ouvert au type de votre organisation (voir « Qui peut candidater » sur la page de l'appel).",
                    "Organisation kind: this call is not open to your organisation's kind (see \"Who may apply\" on the call's page).",
                )
                .to_owned(),
            "organisation.country" => i
                .t(
                    "Pays de l'organisation : cet appel n'est pas ouvert aux organisations de votre pays (voir « Qui peut candidater » sur la page de l'appel).",
                    "Organisation country: this call is not open to organisations from your country (see \"Who may apply\" on the call's page).",
                )
                .to_owned(),
            "district" => format!("{} : {message}", i.t("Quartier d'innovation", "Innovation district")),
            _ => format!("{key} : {message}"),
        })
        .collect()
}

/// The largest attachment the API takes (10 MiB).
const ATTACHMENT_MAX: u32 = 10 * 1024 * 1024;

/// Waits `ms` milliseconds.
async fn sleep(ms: u64) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(ms),
    );
    let _ = wait.await;
}

/// What a file question needs from the form it is in.
#[derive(Clone, Copy)]
pub struct Attach {
    /// Uploads the file chosen for a question (its key) and sets the answer.
    pub upload: Callback<(String, web_sys::File)>,
    /// The questions whose file is on its way.
    pub pending: RwSignal<BTreeSet<String>>,
    /// The application the files belong to, once saved.
    pub application: RwSignal<Option<String>>,
    /// The names of the files sent, by attachment id.
    pub names: RwSignal<BTreeMap<String, String>>,
}

/// One question of a form, its control chosen by its kind. A file question
/// needs `attach`; without it (a candidacy) it says files are not taken.
#[component]
pub fn QuestionField(
    q: Question,
    answers: RwSignal<BTreeMap<String, Value>>,
    errors: RwSignal<BTreeMap<String, String>>,
    changed: impl Fn() + Clone + Send + Sync + 'static,
    /// Whether the answer can no longer change (tracked: a submitted application).
    #[prop(into)]
    disabled: Signal<bool>,
    #[prop(optional)] attach: Option<Attach>,
) -> impl IntoView {
    let i = use_i18n();
    let id = format!("q-{}", q.id);
    let err_id = format!("{id}-erreur");
    let key = q.id.clone();
    let has_error = {
        let key = key.clone();
        move || errors.with(|e| e.contains_key(&key))
    };
    let error_text = {
        let key = key.clone();
        move || errors.with(|e| e.get(&key).cloned())
    };
    let set = {
        let key = key.clone();
        move |v: Value| {
            answers.update(|a| {
                a.insert(key.clone(), v);
            });
            // An answer being changed is no longer the one the error was about.
            if errors.with_untracked(|e| e.contains_key(&key)) {
                errors.update(|e| {
                    e.remove(&key);
                });
            }
            changed();
        }
    };
    let text_value = {
        let key = key.clone();
        move || {
            answers.with(|a| match a.get(&key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            })
        }
    };
    let described = {
        let err_id = err_id.clone();
        let has_error = has_error.clone();
        move || has_error().then(|| err_id.clone())
    };
    let invalid = {
        let has_error = has_error.clone();
        move || has_error().then_some("true")
    };
    let label = format!("{}{}", q.label, if q.required { " *" } else { "" });
    let control = match q.kind {
        QuestionKind::LongText => {
            let set = set.clone();
            view! { <textarea id=id.clone() disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev)))></textarea> }.into_any()
        }
        QuestionKind::Number => {
            let set = set.clone();
            // The field shows what the person types; only the answer is parsed
            // (writing the parsed number back would turn "12" into "1.02").
            let typed = RwSignal::new(String::new());
            let restored = text_value.clone();
            Effect::new(move |_| {
                let stored = restored();
                if typed.with_untracked(|t| parse_number(t) != parse_number(&stored)) {
                    typed.set(stored);
                }
            });
            // A text field, not `type="number"`: the browser reads "1500." or "-"
            // (half-typed) as no value at all, and writing that back lost
            // keys ("1500.5" became 51500). What cannot be read stays as
            // typed, its error said at once (the draft keeps no answer for it).
            let question = q.clone();
            let errors_at = key.clone();
            view! { <input id=id.clone() type="text" inputmode="decimal" autocomplete="off" disabled=disabled prop:value=typed
                aria-invalid=invalid aria-describedby=described
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    typed.set(v.clone());
                    let answer = if v.trim().is_empty() {
                        Value::Null
                    } else {
                        parse_number(&v).map_or(Value::String(v), Value::Number)
                    };
                    let refused = check_answer(&question, Some(&answer), i.lang() == qmi_api::identity::Lang::Fr);
                    set(answer);
                    if let Some(m) = refused {
                        errors.update(|e| {
                            e.insert(errors_at.clone(), m);
                        });
                    }
                } /> }.into_any()
        }
        QuestionKind::Date => {
            let set = set.clone();
            view! { <input id=id.clone() type="date" disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev))) /> }.into_any()
        }
        QuestionKind::SingleChoice => {
            let set = set.clone();
            view! { <select id=id.clone() disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:change=move |ev| set(Value::String(event_target_value(&ev)))>
                <option value="">"—"</option>
                {q.options.iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
            </select> }.into_any()
        }
        QuestionKind::MultipleChoice => {
            let boxes = q.options.iter().enumerate().map(|(n, o)| {
                let option = o.clone();
                let key = key.clone();
                let set = set.clone();
                let checked = {
                    let option = option.clone();
                    let key = key.clone();
                    move || answers.with(|a| matches!(a.get(&key), Some(Value::Array(v)) if v.iter().any(|x| x.as_str() == Some(&option))))
                };
                view! {
                    <label class="choice"><input type="checkbox" id=format!("{id}-{n}") disabled=disabled prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let mut list: Vec<Value> = answers.with_untracked(|a| match a.get(&key) { Some(Value::Array(v)) => v.clone(), _ => Vec::new() });
                            list.retain(|x| x.as_str() != Some(&option));
                            if on { list.push(Value::String(option.clone())); }
                            set(Value::Array(list));
                        } />" "{o.clone()}</label>
                }
            }).collect_view();
            view! { <fieldset id=id.clone() aria-describedby=described><legend>{label.clone()}</legend>{boxes}</fieldset> }.into_any()
        }
        QuestionKind::File => match attach {
            Some(attach) => {
                let hint_id = format!("{id}-aide");
                let pending = {
                    let key = key.clone();
                    move || attach.pending.with(|p| p.contains(&key))
                };
                let attached = {
                    let key = key.clone();
                    move || answers.with(|a| a.get(&key).and_then(Value::as_str).map(str::to_owned))
                };
                let described = {
                    let (err_id, hint_id, has_error) = (err_id.clone(), hint_id.clone(), has_error.clone());
                    move || if has_error() { format!("{hint_id} {err_id}") } else { hint_id.clone() }
                };
                let key = key.clone();
                let busy = pending.clone();
                let hint = {
                    let attached = attached.clone();
                    move || {
                        if pending() {
                            i.t("Envoi du fichier…", "Sending the file…").to_owned()
                        } else if let Some(id) = attached() {
                            // The file already sent, by its name when it came with one.
                            match attach.names.with(|n| n.get(&id).cloned()) {
                                Some(name) => format!("{} {name}. {}",
                                    i.t("Pièce jointe déposée :", "File attached:"),
                                    i.t("Choisissez un autre fichier pour la remplacer.", "Choose another file to replace it.")),
                                None => i.t("Pièce jointe déposée. Choisissez un autre fichier pour la remplacer.", "File attached. Choose another file to replace it.").to_owned(),
                            }
                        } else {
                            i.t("PDF, PNG ou JPEG, 10 Mo au plus.", "PDF, PNG or JPEG, 10 MB at most.").to_owned()
                        }
                    }
                };
                let download = move || {
                    let (application, attachment) = (attach.application.get()?, attached()?);
                    let name = attach.names.with(|n| n.get(&attachment).cloned()).unwrap_or_else(|| format!("piece-jointe-{}", q.id));
                    Some(view! { <DownloadAttachment application attachment name /> })
                };
                view! {
                    <input id=id.clone() type="file" accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
                        disabled=move || disabled.get() || busy() aria-invalid=invalid aria-describedby=described
                        on:change=move |ev| {
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                                attach.upload.run((key.clone(), file));
                            }
                            input.set_value("");
                        } />
                    <p class="hint muted small" id=hint_id.clone() aria-live="polite">{hint}</p>
                    {download}
                }.into_any()
            }
            None => view! {
                <p class="hint muted small" id=id.clone()>{t!(i, "Ce formulaire ne prend pas de fichier.", "This form takes no files.")}</p>
            }.into_any(),
        },
        QuestionKind::ShortText => {
            let set = set.clone();
            view! { <input id=id.clone() type="text" disabled=disabled prop:value=text_value aria-invalid=invalid aria-describedby=described
                on:input=move |ev| set(Value::String(event_target_value(&ev))) /> }.into_any()
        }
    };
    let is_group = q.kind == QuestionKind::MultipleChoice;
    view! {
        <div class="field" class:field-invalid=has_error>
            {(!is_group).then(|| view! { <label for=id.clone()>{label.clone()}</label> })}
            {control}
            {move || error_text().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

/// `/espace/evaluations`: the reviewer's assignments.
#[component]
pub fn Reviews() -> impl IntoView {
    let i = use_i18n();
    view! {
        <SignedIn page=move |_me: Me| {
            let list = api::load(|| Some("/api/reviews".into()));
            view! {
                <section aria-labelledby="titre-evaluations">
                    <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
                    <h1 id="titre-evaluations">{t!(i, "Mes évaluations", "My reviews")}</h1>
                    {move || match api::read::<Vec<Assignment>>(&list) {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                        Some(Ok(items)) => view! {
                            <ul class="card-list" id="liste-evaluations">
                                {items.into_iter().map(|a| view! {
                                    <li class="card">
                                        <h2 class="card-title"><A href=format!("/espace/evaluations/{}", a.application)>{a.title.clone()}</A></h2>
                                        <p class="small">{move || if a.conflict { i.t("Conflit déclaré (récusé)", "Conflict declared (recused)") }
                                            else if a.done { i.t("Évaluation complète", "Review complete") }
                                            else if !a.open { i.t("Plus à évaluer : candidature retirée ou décidée", "No longer to review: application withdrawn or decided") }
                                            else { i.t("À évaluer", "To review") }}</p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </section>
            }
        } />
    }
}

/// An answer as text: choices joined, numbers in the reader's format, dates long,
/// `—` when there is none.
pub fn answer_text(q: &Question, v: Option<&Value>, lang: Lang) -> String {
    match (q.kind, v) {
        (_, None | Some(Value::Null)) => "—".to_owned(),
        (QuestionKind::Date, Some(Value::String(s))) => fmt::date(s, lang),
        (QuestionKind::File, Some(Value::String(_))) => match lang {
            Lang::Fr => "Pièce jointe déposée".to_owned(),
            Lang::En => "File attached".to_owned(),
        },
        (_, Some(Value::String(s))) if s.trim().is_empty() => "—".to_owned(),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(Value::Number(n))) => n.as_f64().map_or_else(
            || n.to_string(),
            |x| fmt::decimal(x, if x.fract() == 0.0 { 0 } else { 2 }, lang),
        ),
        (_, Some(Value::Array(items))) if items.is_empty() => "—".to_owned(),
        (_, Some(Value::Array(items))) => items
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Some(other)) => other.to_string(),
    }
}

/// An application's answers under the call's questions: what reviewers score and
/// decision makers decide on.
#[component]
pub fn AnswersView(
    questions: Vec<Question>,
    answers: BTreeMap<String, Value>,
    /// The application, to download its files.
    #[prop(optional, into)]
    application: Option<String>,
) -> impl IntoView {
    let i = use_i18n();
    let rows = questions
        .into_iter()
        .map(|q| {
            let value = answers.get(&q.id).cloned();
            let id = q.id.clone();
            let file = match (q.kind, &value, &application) {
                (QuestionKind::File, Some(Value::String(attachment)), Some(application)) => Some(view! {
                    <DownloadAttachment application=application.clone() attachment=attachment.clone() name=format!("piece-jointe-{id}") />
                }),
                _ => None,
            };
            view! {
                <div data-question=id.clone()>
                    <dt>{q.label.clone()}</dt>
                    <dd class="answer">{move || answer_text(&q, value.as_ref(), i.lang())}" "{file}</dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="facts answers">{rows}</dl> }
}

/// A button that downloads one of an application's files (with the token: a
/// plain link would carry none).
#[component]
fn DownloadAttachment(application: String, attachment: String, name: String) -> impl IntoView {
    let i = use_i18n();
    let failed = RwSignal::new(None::<ApiError>);
    let path = format!(
        "/api/applications/{}/attachments/{}",
        api::encode(&application),
        api::encode(&attachment)
    );
    view! {
        <button type="button" class="button button-small button-secondary download-attachment"
            on:click=move |_| {
                let (path, name) = (path.clone(), name.clone());
                spawn_local(async move { failed.set(api::download(&path, &name).await.err()) });
            }>
            {t!(i, "Télécharger le fichier", "Download the file")}
        </button>
        {move || failed.get().map(|e| view! { <ErrorNotice error=e /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind, required: bool) -> Question {
        Question {
            id: "q".into(),
            label: "Q".into(),
            kind,
            required,
            max_length: Some(5),
            min: Some(0.0),
            max: Some(10.0),
            options: vec!["a".into(), "b".into()],
            max_choices: Some(1),
        }
    }

    #[test]
    fn typed_numbers_keep_their_form() {
        assert_eq!(
            parse_number("12000").map(|n| n.to_string()),
            Some("12000".to_owned())
        );
        assert_eq!(
            parse_number(" -500 ").map(|n| n.to_string()),
            Some("-500".to_owned())
        );
        assert_eq!(
            parse_number("45000,50").map(|n| n.to_string()),
            Some("45000.5".to_owned())
        );
        assert_eq!(parse_number("1."), parse_number("1.0"));
        assert_eq!(parse_number("douze"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn answers_are_checked_against_their_question() {
        use serde_json::json;
        let text = question(QuestionKind::ShortText, true);
        assert_eq!(
            check_answer(&text, None, true).as_deref(),
            Some("Réponse obligatoire.")
        );
        assert_eq!(
            check_answer(&text, Some(&json!("  ")), false).as_deref(),
            Some("An answer is required.")
        );
        assert_eq!(
            check_answer(&text, Some(&json!("abcdef")), true).as_deref(),
            Some("5 caractères au plus.")
        );
        assert_eq!(check_answer(&text, Some(&json!("abc")), true), None);
        assert_eq!(
            check_answer(&question(QuestionKind::ShortText, false), None, true),
            None
        );
        let number = question(QuestionKind::Number, true);
        assert_eq!(
            check_answer(&number, Some(&json!(11)), true).as_deref(),
            Some("Au plus 10.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!(-0.5)), true).as_deref(),
            Some("Au moins 0.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!(11)), false).as_deref(),
            Some("At most 10.")
        );
        assert_eq!(
            check_answer(&number, Some(&json!("x")), true).as_deref(),
            Some("Saisissez un nombre, par exemple 1500,5.")
        );
        assert_eq!(parse_number("1 500,5"), parse_number("1500.5"));
        assert_eq!(parse_number("1e5"), None);
        assert_eq!(check_answer(&number, Some(&json!(10)), true), None);
        let many = question(QuestionKind::MultipleChoice, true);
        assert_eq!(
            check_answer(&many, Some(&json!([])), true).as_deref(),
            Some("Réponse obligatoire.")
        );
        assert_eq!(
            check_answer(&many, Some(&json!(["a", "b"])), true).as_deref(),
            Some("1 choix au plus.")
        );
    }
}
