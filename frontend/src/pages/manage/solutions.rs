//! The calls for solutions someone runs — a programme operator's or a commune
//! admin's, one set of pages, the API scoping them — and the call editor.

use super::*;
use qmi_api::identity::Country;

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
        e.map(|c| {
            c.eligibility
                .countries
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
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
        // Countries are ISO codes (any case): one that is not is named here.
        let Ok(accepted) = countries
            .get_untracked()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::parse::<Country>)
            .collect::<Result<Vec<_>, _>>()
        else {
            errors.set(BTreeMap::from([(
                "countries".to_owned(),
                crate::messages::localise("an ISO 3166-1 alpha-2 code in capitals (FR, DE…)"),
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
                countries: accepted,
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
                    .then_some(qmi_api::applications::Signatory { name, role })
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
                            prop:checked=move || kinds.with(|v| v.contains(&k))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                kinds.update(|v| { v.retain(|x| *x != k); if on { v.push(k); } });
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
