//! An organisation's page (`/annuaire/:id`): its public profile
//! ([`ProfileView`], also the editor's live preview), its track record, and for
//! the people who keep notes or curate the directory, their panels.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qmi_api::applications::{Workflow, label_parts};
use qmi_api::experiments::{ExperimentStatus, Outcome};
use qmi_api::identity::{Lang, Me};
use qmi_api::partners::{Profile, TrackRecord};

use super::{in_lang, is_operator, staff_communes};
use crate::api;
use crate::i18n::{I18n, use_i18n};
use crate::pages::experiments::{outcome_label, status_badge};
use crate::pages::organisation::kind_label;
use crate::session::use_session;
use crate::t;
use crate::ui::{ErrorNotice, Loading, facts, table, text};

/// A heading of `level` (2 to 5) with `id` and `class`: the page shows the
/// name as its `<h1>`, the editor's preview one level under its own heading.
fn heading(level: u8, id: Option<String>, class: &'static str, body: AnyView) -> AnyView {
    match level {
        1 => view! { <h1 id=id class=class>{body}</h1> }.into_any(),
        2 => view! { <h2 id=id class=class>{body}</h2> }.into_any(),
        3 => view! { <h3 id=id class=class>{body}</h3> }.into_any(),
        4 => view! { <h4 id=id class=class>{body}</h4> }.into_any(),
        _ => view! { <h5 id=id class=class>{body}</h5> }.into_any(),
    }
}

/// Whether `url` may be a link's target (what a person is typing may not be
/// yet: `javascript:` never becomes a link).
fn web_link(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// An organisation's public profile, as anyone reads it: name, kind, place,
/// website, logo, descriptions in the reader's language (French when there is
/// no English), themes, offers — and its contacts, when the reader may see
/// them (commune staff, the programme team, its members). `top` is the level of
/// its name's heading (1 on its page; under the editor's preview heading, 3).
#[component]
pub fn ProfileView(
    /// The profile (the page's, or the editor's current values).
    #[prop(into)]
    profile: Signal<Profile>,
    /// The level of the name's heading.
    #[prop(default = 1)]
    top: u8,
    /// Prefix of the element ids (two views never share a page's ids).
    #[prop(default = "fiche")]
    prefix: &'static str,
) -> impl IntoView {
    let i = use_i18n();
    let p = move || profile.get();
    let name_id = format!("{prefix}-nom");
    let labelled = name_id.clone();
    let name = heading(
        top,
        Some(name_id),
        "profile-name",
        (move || profile.with(|p| p.name.clone())).into_any(),
    );
    let head = move |n: u8, fr: &'static str, en: &'static str| {
        heading(top + n, None, "profile-section", t!(i, fr, en).into_any())
    };
    let logo = move || {
        p().logo_url
            .map(|src| view! { <img class="profile-logo" src=src alt="" width="96" height="96" /> })
    };
    let meta = move || {
        let p = p();
        let kind = p.kind;
        let code = p.country.to_string();
        let city = p.city.clone();
        view! {
            <p class="card-meta">
                <span class="badge">{move || kind_label(i, kind)}</span>
                <span>
                    {(!city.is_empty()).then(|| view! { <span class="ville">{city.clone()}</span>", " })}
                    <span class="pays">{move || crate::fmt::country(&code, i.lang())}</span>
                </span>
                {(!p.public).then(|| view! {
                    <span class="badge badge-private">{t!(i, "Hors de l'annuaire public", "Not in the public directory")}</span>
                })}
            </p>
        }
    };
    let summary = move || {
        let (s, lang) = in_lang(&p().summary, i.lang());
        (!s.is_empty()).then(|| view! { <p class="lead profile-summary xp-text" lang=lang>{s}</p> })
    };
    let details = move || {
        let p = p();
        let mut items = Vec::new();
        if let Some(w) = p.website.clone().filter(|w| !w.is_empty()) {
            let value = if web_link(&w) {
                view! { <a href=w.clone() rel="noopener noreferrer external">{w.clone()}</a> }
                    .into_any()
            } else {
                text(w)
            };
            items.push((t!(i, "Site web", "Website"), "site", value));
        }
        if let Some(s) = &p.siret {
            items.push((t!(i, "SIRET", "SIRET"), "siret", text(s.to_string())));
        }
        if let Some(r) = p.registry_number.clone().filter(|r| !r.is_empty()) {
            items.push((
                t!(
                    i,
                    "N° de TVA ou d'immatriculation",
                    "VAT or registry number"
                ),
                "immatriculation",
                text(r),
            ));
        }
        if !p.themes.is_empty() {
            items.push((
                t!(i, "Thèmes", "Themes"),
                "themes",
                text(p.themes.join(", ")),
            ));
        }
        (!items.is_empty()).then(|| facts(items))
    };
    let description = move || {
        let (d, lang) = in_lang(&p().description, i.lang());
        (!d.is_empty()).then(|| {
            view! {
                {head(1, "Présentation", "About")}
                <p class="xp-text profile-description" lang=lang>{d}</p>
            }
        })
    };
    let offers = move || {
        let offers = p().offers;
        (!offers.is_empty()).then(|| {
            view! {
                {head(1, "Solutions et offres", "Solutions and offers")}
                <ul class="card-list profile-offers">
                    {offers.into_iter().map(|o| view! {
                        <li class="card">
                            {heading(top + 2, None, "card-title", text(o.title))}
                            {(!o.description.is_empty()).then(|| view! { <p class="xp-text">{o.description}</p> })}
                        </li>
                    }).collect_view()}
                </ul>
            }
        })
    };
    let contacts = move || {
        p().contacts.filter(|c| !c.is_empty()).map(|list| {
            view! {
                {head(1, "Contacts", "Contacts")}
                <p class="hint">{t!(i,
                    "Visibles des communes, de l'équipe du programme et des membres de l'organisation seulement.",
                    "Seen by the communes, the programme team and the organisation's members only.")}</p>
                <ul class="plain-list profile-contacts">
                    {list.into_iter().map(|c| {
                        let email = c.email.to_string();
                        view! {
                            <li>
                                <strong>{c.name}</strong>
                                {(!c.role.is_empty()).then(|| format!(", {}", c.role))}
                                " — "<a href=format!("mailto:{email}")>{email.clone()}</a>
                                {c.phone.map(|tel| view! { " — "<a href=format!("tel:{}", tel.replace(' ', ""))>{tel.clone()}</a> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <article class="profile" aria-labelledby=labelled>
            <header class="profile-head">
                {logo}
                <div>{name}{meta}</div>
            </header>
            {summary}
            {details}
            {description}
            {offers}
            {contacts}
        </article>
    }
}

/// `/annuaire/:id`: the profile, its track record, and the panels of the
/// signed-in person's roles.
#[component]
pub fn ProfilePage(id: String) -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    // Read again after a merge, and when someone signs in or out (contacts).
    let tick = RwSignal::new(0u32);
    let me = Memo::new(move |_| session.me.get());
    let loaded = {
        let path = format!("/api/organisations/{}", api::encode(&id));
        api::load(move || {
            tick.track();
            me.track();
            // A stored session is checked first: its contacts come with the first read.
            (!session.restoring.get()).then(|| path.clone())
        })
    };
    // The profile shown: as read, then as the curation's editor saves it.
    let current = RwSignal::new(None::<Profile>);
    Effect::new(move |_| {
        if let Some(Ok(p)) = api::read::<Profile>(&loaded) {
            current.set(Some(p));
        }
    });
    // A merged record answers with its survivor: its address becomes the page's.
    let navigate = use_navigate();
    let asked = id.clone();
    Effect::new(move |_| {
        if let Some(survivor) = current.with(|p| p.as_ref().map(|p| p.id.clone()))
            && survivor != asked
        {
            navigate(
                &format!("/annuaire/{survivor}"),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let ready = Memo::new(move |_| current.with(|p| p.as_ref().map(|p| p.id.clone())));
    let shown = move || {
        if ready.get().is_none() {
            return match api::read::<Profile>(&loaded) {
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                _ => view! { <Loading /> }.into_any(),
            };
        }
        let Some(first) = current.get_untracked() else {
            return view! { <Loading /> }.into_any();
        };
        let profile = Signal::derive(move || current.get().unwrap_or_else(|| first.clone()));
        let id = first_id(&current);
        let on_saved = Callback::new(move |p: Profile| current.set(Some(p)));
        let on_merged = Callback::new(move |()| tick.update(|t| *t = t.wrapping_add(1)));
        view! {
            <div class="profile-page"><ProfileView profile /></div>
            <TrackRecordView id=id.clone() tick />
            {move || me.get().map(|me| view! { <Panels me id=id.clone() profile on_saved on_merged /> })}
        }
        .into_any()
    };
    view! {
        <p><A href="/annuaire">{t!(i, "← Annuaire des partenaires", "← Partner directory")}</A></p>
        {shown}
    }
}

/// The id of the profile shown (read untracked).
fn first_id(current: &RwSignal<Option<Profile>>) -> String {
    current.with_untracked(|p| p.as_ref().map(|p| p.id.clone()).unwrap_or_default())
}

/// What the signed-in person's roles add to an organisation's page: their
/// commune's private notes, the programme's notes and curation, the way to
/// the organisation's own editor.
#[component]
fn Panels(
    me: Me,
    id: String,
    profile: Signal<Profile>,
    on_saved: Callback<Profile>,
    on_merged: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let communes = staff_communes(&me);
    let operator = is_operator(&me);
    let member = me.organisation.as_ref().is_some_and(|o| o.id == id);
    view! {
        {member.then(|| view! {
            <p class="notice" id="votre-organisation">{t!(i, "C'est votre organisation.", "This is your organisation.")}" "
                <A href="/espace/organisation">{t!(i, "Modifier son profil", "Edit its profile")}</A></p>
        })}
        {(!communes.is_empty()).then(|| view! { <super::notes::CommuneNotes org=id.clone() communes /> })}
        {operator.then(|| view! {
            <super::notes::NotesPanel org=id.clone() scope=super::notes::Scope::Programme />
            <section aria-labelledby="titre-curation" class="curation">
                <h2 id="titre-curation">{t!(i, "Curation de l'annuaire", "Directory curation")}</h2>
                <p class="hint">{t!(i,
                    "Réservé à l'équipe du programme : corriger la fiche, fusionner une fiche en double.",
                    "For the programme team: correct the profile, merge a duplicate record.")}</p>
                <details class="answers-details" id="curation-modifier">
                    <summary>{t!(i, "Modifier la fiche", "Edit the profile")}</summary>
                    <super::ProfileEditor profile=profile.get_untracked() on_saved />
                </details>
                <super::merge::MergePanel org=id.clone() name=Signal::derive(move || profile.with(|p| p.name.clone())) on_merged />
            </section>
        })}
    }
}

/// The label of an application's status (the standard workflow's states; a
/// call's own state by its id).
fn application_status(status: &str, lang: Lang) -> String {
    Workflow::standard()
        .states
        .iter()
        .find(|s| s.id == status)
        .map_or_else(
            || status.to_owned(),
            |s| {
                let (fr, en) = label_parts(&s.label);
                if lang == Lang::Fr { fr } else { en }.to_owned()
            },
        )
}

/// The calls the organisation applied to and its experiments, each with its
/// commune and outcome (what the reader may see).
#[component]
fn TrackRecordView(id: String, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let names = crate::registry::use_names();
    let path = format!("/api/organisations/{}/track-record", api::encode(&id));
    let record = api::load(move || {
        tick.track();
        Some(path.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = api::read::<TrackRecord>(&record) {
            names.want(r.applications.iter().map(|a| a.insee.as_str()));
        }
    });
    view! {
        <section aria-labelledby="titre-parcours" class="track-record">
            <h2 id="titre-parcours">{t!(i, "Parcours dans le programme", "Track record in the programme")}</h2>
            {move || match api::read::<TrackRecord>(&record) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(r)) => track_record(i, names, r),
            }}
        </section>
    }
}

fn track_record(i: I18n, names: crate::registry::Names, r: TrackRecord) -> AnyView {
    let applications = if r.applications.is_empty() {
        view! { <p class="muted" id="parcours-candidatures">{t!(i, "Aucune candidature à montrer.", "No application to show.")}</p> }.into_any()
    } else {
        let rows = r
            .applications
            .into_iter()
            .map(|a| {
                let insee = a.insee.to_string();
                let status = a.status.clone();
                (
                    a.call_title.clone(),
                    vec![
                        view! { <A href=format!("/appels/{}", a.call_id)>{a.call_title}</A> }
                            .into_any(),
                        (move || names.name(&insee).unwrap_or_else(|| insee.clone())).into_any(),
                        (move || application_status(&status, i.lang())).into_any(),
                    ],
                )
            })
            .collect();
        table(
            "parcours-candidatures",
            t!(i, "Candidatures", "Applications"),
            vec![
                t!(i, "Appel", "Call"),
                t!(i, "Commune", "Commune"),
                t!(i, "Statut", "Status"),
            ],
            rows,
        )
    };
    let experiments = if r.experiments.is_empty() {
        view! { <p class="muted" id="parcours-experimentations">{t!(i, "Aucune expérimentation à montrer.", "No experiment to show.")}</p> }.into_any()
    } else {
        let rows = r
            .experiments
            .into_iter()
            .map(|x| {
                let status = match ExperimentStatus::parse(&x.status) {
                    Some(s) => status_badge(i, s),
                    None => text(x.status.clone()),
                };
                let outcome = x.outcome.clone();
                (
                    x.title.clone(),
                    vec![
                        view! { <A href=format!("/experimentations/{}", x.experiment_id)>{x.title}</A> }
                            .into_any(),
                        text(x.commune_name),
                        status,
                        (move || match outcome.as_deref().map(|o| (o, Outcome::parse(o))) {
                            Some((_, Some(o))) => outcome_label(o, i.lang()).to_owned(),
                            Some((o, None)) => o.to_owned(),
                            None => "—".to_owned(),
                        })
                        .into_any(),
                    ],
                )
            })
            .collect();
        table(
            "parcours-experimentations",
            t!(i, "Expérimentations", "Experiments"),
            vec![
                t!(i, "Expérimentation", "Experiment"),
                t!(i, "Commune", "Commune"),
                t!(i, "Statut", "Status"),
                t!(i, "Issue", "Outcome"),
            ],
            rows,
        )
    };
    view! {
        <h3>{t!(i, "Candidatures", "Applications")}</h3>
        {applications}
        <h3>{t!(i, "Expérimentations", "Experiments")}</h3>
        {experiments}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        assert!(web_link("https://solaire.example/"));
        assert!(!web_link("javascript:alert(1)"));
        assert!(!web_link("solaire.example"));
    }

    #[test]
    fn application_statuses_read_as_the_standard_workflow_names_them() {
        assert_eq!(application_status("selected", Lang::Fr), "Retenue");
        assert_eq!(application_status("selected", Lang::En), "Selected");
        assert_eq!(application_status("custom_step", Lang::Fr), "custom_step");
    }
}
