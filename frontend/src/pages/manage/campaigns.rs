//! The calls for communes and their candidacies (programme operators).

use qmi_api::applications::CandidacyStatus;

use super::*;

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
                                        (t!(i, "Statut", "Status"), "statut", candidacy_status(i, c.status).into_any()),
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
                                    {(c.status == CandidacyStatus::Submitted).then(|| view! {
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

fn candidacy_status(i: I18n, s: CandidacyStatus) -> Signal<&'static str> {
    match s {
        CandidacyStatus::Draft => t!(i, "Brouillon", "Draft"),
        CandidacyStatus::Submitted => t!(i, "Déposée", "Submitted"),
        CandidacyStatus::Selected => t!(i, "Retenue", "Selected"),
        CandidacyStatus::Rejected => t!(i, "Non retenue", "Rejected"),
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
