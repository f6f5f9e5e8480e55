//! The application form of a call, rendered from its questions and autosaved,
//! with its attachments.

use super::*;

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
