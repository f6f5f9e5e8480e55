//! The selection of one call: its reviewers, ranking, decisions and exports.

use super::*;

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
