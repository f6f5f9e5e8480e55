//! A commune's district, completed by its admins.

use super::*;

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
