//! What is followed during an experiment: sites, documents, milestones,
//! indicators (their own file) and progress reports. The data is read once
//! and again after each change; the lists follow it, the forms stay.

use leptos::prelude::*;
use qmi_api::experiments::{
    Day, Document, DocumentKind, Followed as FollowedData, Milestone, MilestoneDone,
    MilestoneInput, Point, Report, ReportInput, ReportState, Site, SiteInput,
};

use super::{Form, Rights, decimal, document_label, milestone_state, report_label};
use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// Sites, documents, milestones, indicators and reports of experiment `id`.
#[component]
pub fn Followed(id: String, rights: Rights) -> impl IntoView {
    let i = use_i18n();
    let tick = RwSignal::new(0u32);
    let base = format!("/api/experiments/{}", api::encode(&id));
    let loaded = {
        let path = format!("{base}/followed");
        api::load(move || {
            tick.track();
            Some(path.clone())
        })
    };
    let data = RwSignal::new(None::<FollowedData>);
    Effect::new(move |_| {
        if let Some(Ok(f)) = api::read::<FollowedData>(&loaded) {
            data.set(Some(f));
        }
    });
    let ready = Memo::new(move |_| data.with(Option::is_some));
    move || {
        if ready.get() {
            let base = base.clone();
            view! {
                <Sites data base=base.clone() rights tick />
                <Documents data base=base.clone() rights tick />
                <Milestones data base=base.clone() rights tick />
                <super::indicators::Indicators data base=base.clone() rights tick />
                <Reports data base rights tick />
            }
            .into_any()
        } else {
            match api::read::<FollowedData>(&loaded) {
                Some(Err(e)) => view! {
                    <section aria-labelledby="titre-suivi" id="lieux">
                        <h2 id="titre-suivi">{t!(i, "Suivi", "Follow-up")}</h2>
                        <ErrorNotice error=e />
                    </section>
                }
                .into_any(),
                _ => view! { <Loading /> }.into_any(),
            }
        }
    }
}

/// The followed data, once read.
pub type Data = RwSignal<Option<FollowedData>>;

/// A part of the followed data (empty before the first read).
pub fn part<T: Clone + Default>(data: Data, f: impl Fn(&FollowedData) -> T) -> T {
    data.with(|d| d.as_ref().map(&f).unwrap_or_default())
}

#[component]
fn Sites(data: Data, base: String, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let name = RwSignal::new(String::new());
    let lon = RwSignal::new(String::new());
    let lat = RwSignal::new(String::new());
    let path = format!("{base}/sites");
    let add = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let n = name.get_untracked().trim().to_owned();
            if n.is_empty() {
                return form.refuse("name", i, "Nommez le lieu.", "Name the site.");
            }
            let point = match (decimal(&lon.get_untracked()), decimal(&lat.get_untracked())) {
                (Some(lon), Some(lat)) if (Point { lon, lat }).is_valid() => Point { lon, lat },
                _ => return form.refuse("point", i, "Indiquez une longitude (−180 à 180) et une latitude (−90 à 90) en degrés, par exemple 2,3522 et 48,9362.", "Give a longitude (−180 to 180) and a latitude (−90 to 90) in degrees, for example 2.3522 and 48.9362."),
            };
            let body = SiteInput {
                name: n,
                point: Some(point),
                area: None,
            };
            let path = path.clone();
            form.send(("Lieu ajouté.", "Site added."), async move {
                api::post::<Site>(&path, &body).await.map(drop)
            });
        }
    };
    let sites = move || part(data, |d| d.sites.clone());
    view! {
        <section aria-labelledby="titre-lieux" id="lieux">
            <h2 id="titre-lieux">{t!(i, "Lieux", "Sites")}</h2>
            {move || {
                let sites = sites();
                if sites.is_empty() {
                    return view! { <p class="muted">{t!(i, "Aucun lieu pour l'instant.", "No site yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="plain-list" id="liste-lieux">
                        {sites.into_iter().map(|s| {
                            let place = match (&s.point, &s.area) {
                                (Some(p), _) => format!("{:.5}, {:.5}", p.lat, p.lon),
                                (None, Some(_)) => i.t("zone", "area").to_owned(),
                                _ => String::new(),
                            };
                            let path = format!("{path}/{}", api::encode(&s.id));
                            let name = s.name.clone();
                            view! {
                                <li><strong>{s.name.clone()}</strong>" "<span class="muted small">{place}</span>
                                    {rights.manage.then(|| view! {
                                        " "<button type="button" class="button button-secondary button-small" on:click=move |_| {
                                            let path = path.clone();
                                            form.send(("Lieu retiré.", "Site removed."), async move { api::delete(&path).await });
                                        }>{t!(i, "Retirer", "Remove")}<span class="visually-hidden">{format!(" {name}")}</span></button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {rights.manage.then(|| view! {
                <form on:submit=add.clone() novalidate class="xp-inline-form">
                    <h3>{t!(i, "Ajouter un lieu", "Add a site")}</h3>
                    <TextField id="lieu-nom" label=t!(i, "Nom du lieu", "Name of the site") value=name error=form.error("name") required=true />
                    <div class="form-grid">
                        <TextField id="lieu-latitude" label=t!(i, "Latitude (degrés)", "Latitude (degrees)") value=lat error=form.error("point") kind="number" />
                        <TextField id="lieu-longitude" label=t!(i, "Longitude (degrés)", "Longitude (degrees)") value=lon error=form.error("point") kind="number" />
                    </div>
                    <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Ajouter le lieu", "Add the site")}</button></p>
                </form>
            })}
            {form.outcome()}
        </section>
    }
}

#[component]
fn Documents(data: Data, base: String, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let kind = RwSignal::new(DocumentKind::Agreement.as_str().to_owned());
    let path = format!("{base}/documents");
    let docs = move || part(data, |d| d.documents.clone());
    let upload = {
        let path = path.clone();
        move |ev: leptos::ev::Event| {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            if file.size() > 10.0 * 1024.0 * 1024.0 {
                return form.refuse(
                    "body",
                    i,
                    "Le fichier dépasse 10 Mo.",
                    "The file is over 10 MB.",
                );
            }
            let url = format!(
                "{path}?kind={}&name={}",
                api::encode(&kind.get_untracked()),
                api::encode(&file.name())
            );
            form.send(("Document déposé.", "Document uploaded."), async move {
                api::upload::<Document>(&url, &file).await.map(drop)
            });
        }
    };
    let can_upload = rights.manage || rights.report;
    view! {
        <section aria-labelledby="titre-documents" id="documents">
            <h2 id="titre-documents">{t!(i, "Documents", "Documents")}</h2>
            {move || {
                let docs = docs();
                if docs.is_empty() {
                    return view! { <p class="muted">{t!(i, "Aucun document pour l'instant.", "No document yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="plain-list" id="liste-documents">
                        {docs.into_iter().map(|d| {
                            let url = format!("{path}/{}", api::encode(&d.id));
                            let name = d.name.clone();
                            let kind = d.kind;
                            let failure = form.failure;
                            view! {
                                <li>
                                    <button type="button" class="link-button" on:click=move |_| {
                                        let (url, name) = (url.clone(), name.clone());
                                        leptos::task::spawn_local(async move {
                                            if let Err(e) = api::download(&url, &name).await { failure.set(Some(e)); }
                                        });
                                    }>{d.name.clone()}</button>
                                    <span class="muted small">{move || format!(" — {} · {} Ko · ", document_label(kind, i.lang()), fmt::integer(d.size.div_ceil(1024), i.lang()))}</span>
                                    <span class="muted small">{crate::ui::when(d.at.clone())}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_upload.then(|| view! {
                <div class="xp-inline-form">
                    <h3>{t!(i, "Déposer un document", "Upload a document")}</h3>
                    <div class="form-grid">
                        <div class="field">
                            <label for="document-type">{t!(i, "Type de document", "Kind of document")}</label>
                            <select id="document-type" bind:value=kind>
                                {DocumentKind::ALL.iter().map(|k| {
                                    let k = *k;
                                    view! { <option value=k.as_str()>{move || document_label(k, i.lang())}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field" class:field-invalid=move || form.errors.with(|e| e.contains_key("body"))>
                            <label for="document-fichier">{t!(i, "Fichier (PDF, PNG ou JPEG, 10 Mo au plus)", "File (PDF, PNG or JPEG, 10 MB at most)")}</label>
                            <input type="file" id="document-fichier" accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
                                disabled=move || form.busy.get() on:change=upload.clone()
                                aria-describedby=crate::ui::described_by(form.errors, "body", "document-erreur") />
                            {crate::ui::error_line(form.errors, "body", "document-erreur")}
                        </div>
                    </div>
                </div>
            })}
            {form.outcome()}
        </section>
    }
}

#[component]
fn Milestones(data: Data, base: String, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let title = RwSignal::new(String::new());
    let planned = RwSignal::new(String::new());
    let path = format!("{base}/milestones");
    let add = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let t = title.get_untracked().trim().to_owned();
            if t.is_empty() {
                return form.refuse(
                    "title",
                    i,
                    "Donnez un titre au jalon.",
                    "Give the milestone a title.",
                );
            }
            let Ok(planned_on) = planned.get_untracked().parse::<Day>() else {
                return form.refuse(
                    "planned_on",
                    i,
                    "Indiquez la date prévue.",
                    "Give the planned date.",
                );
            };
            let body = MilestoneInput {
                title: t,
                planned_on,
            };
            let path = path.clone();
            form.send(("Jalon ajouté.", "Milestone added."), async move {
                api::post::<Milestone>(&path, &body).await.map(drop)
            });
        }
    };
    let milestones = move || part(data, |d| d.milestones.clone());
    let can_mark = rights.manage || rights.report;
    // The success line of the milestones' forms (drawn again after a change).
    let saved = RwSignal::new(None);
    view! {
        <section aria-labelledby="titre-jalons" id="jalons">
            <h2 id="titre-jalons">{t!(i, "Jalons", "Milestones")}</h2>
            {move || {
                let list = milestones();
                if list.is_empty() {
                    return view! { <p class="muted">{t!(i, "Aucun jalon pour l'instant.", "No milestone yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="card-list" id="liste-jalons">
                        {list.into_iter().map(|m| view! { <MilestoneItem m path=path.clone() can_mark tick saved /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {Form::done_line(saved)}
            {rights.manage.then(|| view! {
                <form on:submit=add.clone() novalidate class="xp-inline-form">
                    <h3>{t!(i, "Prévoir un jalon", "Plan a milestone")}</h3>
                    <div class="form-grid">
                        <TextField id="jalon-titre" label=t!(i, "Titre du jalon", "Milestone title") value=title error=form.error("title") required=true />
                        <TextField id="jalon-date" label=t!(i, "Date prévue", "Planned date") value=planned error=form.error("planned_on") kind="date" required=true />
                    </div>
                    <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Ajouter le jalon", "Add the milestone")}</button></p>
                </form>
            })}
            {form.outcome()}
        </section>
    }
}

#[component]
fn MilestoneItem(
    m: Milestone,
    path: String,
    can_mark: bool,
    tick: RwSignal<u32>,
    saved: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick).with_done(saved);
    let done = RwSignal::new(m.done_on.map(|d| d.to_string()).unwrap_or_default());
    let evidence = RwSignal::new(m.evidence.clone());
    let url = format!("{path}/{}", api::encode(&m.id));
    let late = m.late && m.done_on.is_none();
    let state = m.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = done.get_untracked();
        let done_on = if text.trim().is_empty() {
            None
        } else {
            match text.parse::<Day>() {
                Ok(d) => Some(d),
                Err(_) => {
                    return form.refuse(
                        "done_on",
                        i,
                        "Indiquez une date valide.",
                        "Give a valid date.",
                    );
                }
            }
        };
        let body = MilestoneDone {
            done_on,
            evidence: evidence.get_untracked(),
        };
        let url = url.clone();
        form.send(("Jalon enregistré.", "Milestone saved."), async move {
            api::put::<Milestone>(&url, &body).await.map(drop)
        });
    };
    let prefix = format!("jalon-{}", m.id);
    view! {
        <li class="card" class:xp-late=late data-id=m.id.clone()>
            <h3 class="card-title">{m.title.clone()}</h3>
            <p class="xp-state">{late.then(|| view! { <span class="badge badge-late">{t!(i, "En retard", "Late")}</span>" " })}{move || milestone_state(&state, i.lang())}</p>
            {(!m.evidence.is_empty()).then(|| view! { <p class="xp-text small">{t!(i, "Preuve : ", "Evidence: ")}{m.evidence.clone()}</p> })}
            {can_mark.then(|| view! {
                <details>
                    <summary>{t!(i, "Marquer comme atteint", "Mark as done")}</summary>
                    <form on:submit=save.clone() novalidate>
                        <TextField id=format!("{prefix}-fait") label=t!(i, "Atteint le (vide : pas encore)", "Done on (empty: not yet)") value=done error=form.error("done_on") kind="date" />
                        <TextField id=format!("{prefix}-preuve") label=t!(i, "Preuve (texte ; les fichiers vont dans les documents)", "Evidence (text; files go to the documents)") value=evidence error=form.error("evidence") multiline=true />
                        <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Enregistrer", "Save")}</button></p>
                    </form>
                </details>
            })}
            {form.failure_notice()}
        </li>
    }
}

#[component]
fn Reports(data: Data, base: String, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let reports = move || part(data, |d| d.reports.clone());
    // The success line of the reports' forms (drawn again after a change).
    let saved = RwSignal::new(None);
    view! {
        <section aria-labelledby="titre-rapports" id="rapports">
            <h2 id="titre-rapports">{t!(i, "Rapports d'étape", "Progress reports")}</h2>
            {move || {
                let list = reports();
                if list.is_empty() {
                    return view! { <p class="muted">{t!(i, "Aucun rapport demandé pour l'instant.", "No report asked for yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="card-list" id="liste-rapports">
                        {list.into_iter().map(|r| view! { <ReportItem r base=base.clone() can_send=rights.report tick saved /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {Form::done_line(saved)}
        </section>
    }
}

#[component]
fn ReportItem(
    r: Report,
    base: String,
    can_send: bool,
    tick: RwSignal<u32>,
    saved: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick).with_done(saved);
    let text = RwSignal::new(r.text.clone().unwrap_or_default());
    let period = r.period.to_string();
    let url = format!("{base}/reports/{period}");
    let documents = r.documents.clone();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return form.refuse("text", i, "Écrivez le rapport.", "Write the report.");
        }
        let input = ReportInput {
            text: body,
            documents: documents.clone(),
        };
        let url = url.clone();
        form.send(("Rapport envoyé.", "Report sent."), async move {
            api::put::<Report>(&url, &input).await.map(drop)
        });
    };
    let state = r.state;
    let (p, due) = (period.clone(), r.due_on.to_string());
    view! {
        <li class="card" data-period=period.clone() data-state=state.as_str()>
            <h3 class="card-title">{move || format!("{} {}", i.t("Période du", "Period from"), fmt::date(&p, i.lang()))}</h3>
            <p>
                <span class=format!("badge badge-report-{}", state.as_str())>{move || report_label(state, i.lang())}</span>" "
                <span class="muted small">{move || format!("{} {}", i.t("à rendre le", "due on"), fmt::date(&due, i.lang()))}</span>
            </p>
            {r.text.clone().map(|t| view! { <p class="xp-text">{t}</p> })}
            {r.sent_at.clone().map(|at| view! { <p class="muted small">{t!(i, "Envoyé le ", "Sent on ")}{crate::ui::when(at)}</p> })}
            {can_send.then(|| view! {
                <details open=state != ReportState::Sent>
                    <summary>{if state == ReportState::Sent { t!(i, "Modifier le rapport", "Change the report") } else { t!(i, "Rédiger le rapport", "Write the report") }}</summary>
                    <form on:submit=send.clone() novalidate>
                        <TextField id=format!("rapport-{period}") label=t!(i, "Rapport (les fichiers se déposent dans les documents, type « Rapport d'étape »)", "Report (files are uploaded in the documents, kind “Progress report”)") value=text error=form.error("text") multiline=true required=true />
                        <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Envoyer le rapport", "Send the report")}</button></p>
                    </form>
                </details>
            })}
            {form.failure_notice()}
        </li>
    }
}
