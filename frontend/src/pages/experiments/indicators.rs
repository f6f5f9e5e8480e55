//! Indicators with their charts, the entry of one measurement, the CSV export
//! and import of every measurement (all lines or none, the lines at fault named).

use leptos::prelude::*;
use qmi_api::experiments::{
    Day, Direction, ImportReport, Indicator, IndicatorInput, MEASUREMENT_COLUMNS, MeasurementInput,
};

use super::followed::{Data, part};
use super::{Form, LineChart, Rights, decimal, direction_label, import_errors, value};
use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::TextField;

/// The indicators of the followed data.
#[component]
pub fn Indicators(data: Data, base: String, rights: Rights, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let indicators = move || part(data, |d| d.indicators.clone());
    let can_measure = rights.manage || rights.report;
    let csv = format!("{base}/measurements.csv");
    let export_failure = RwSignal::new(None::<ApiError>);
    let export = {
        let csv = csv.clone();
        move |_| {
            let csv = csv.clone();
            leptos::task::spawn_local(async move {
                if let Err(e) = api::download(&csv, "mesures.csv").await {
                    export_failure.set(Some(e));
                }
            });
        }
    };
    let new_base = base.clone();
    // The success line of the cards' forms (a card is drawn again after its change).
    let saved = RwSignal::new(None);
    view! {
        <section aria-labelledby="titre-indicateurs" id="indicateurs">
            <h2 id="titre-indicateurs">{t!(i, "Indicateurs", "Indicators")}</h2>
            {move || {
                let list = indicators();
                if list.is_empty() {
                    return view! { <p class="muted">{t!(i, "Aucun indicateur pour l'instant.", "No indicator yet.")}</p> }.into_any();
                }
                view! {
                    <div class="xp-charts" id="liste-indicateurs">
                        {list.into_iter().map(|ind| view! { <IndicatorCard ind base=base.clone() can_measure tick saved /> }).collect_view()}
                    </div>
                }.into_any()
            }}
            {Form::done_line(saved)}
            <p class="actions">
                <button type="button" class="button button-secondary" id="export-mesures" on:click=export>{t!(i, "Exporter les mesures (CSV)", "Export the measurements (CSV)")}</button>
            </p>
            {move || export_failure.get().map(|e| view! { <crate::ui::ErrorNotice error=e /> })}
            {can_measure.then(|| view! { <Import csv=csv.clone() tick /> })}
            {rights.manage.then(|| view! { <NewIndicator base=new_base.clone() tick /> })}
        </section>
    }
}

#[component]
fn IndicatorCard(
    ind: Indicator,
    base: String,
    can_measure: bool,
    tick: RwSignal<u32>,
    saved: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick).with_done(saved);
    let on = RwSignal::new(String::new());
    let measured = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let url = format!("{base}/indicators/{}/measurements", api::encode(&ind.id));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = on.get_untracked().parse::<Day>() else {
            return form.refuse(
                "on",
                i,
                "Indiquez la date de la mesure.",
                "Give the measurement's date.",
            );
        };
        let Some(v) = decimal(&measured.get_untracked()) else {
            return form.refuse(
                "value",
                i,
                "Indiquez un nombre, par exemple 12,5.",
                "Give a number, for example 12.5.",
            );
        };
        let body = MeasurementInput {
            on: day,
            value: v,
            comment: comment.get_untracked(),
            source: source.get_untracked(),
        };
        let url = url.clone();
        form.send(
            ("Mesure enregistrée.", "Measurement recorded."),
            async move { api::post::<Indicator>(&url, &body).await.map(drop) },
        );
    };
    let prefix = format!("indicateur-{}", ind.id);
    let heading = format!("{prefix}-titre");
    let title = if ind.unit.is_empty() {
        ind.name.clone()
    } else {
        format!("{} ({})", ind.name, ind.unit)
    };
    let (direction, public, on_target) = (ind.direction, ind.public, ind.on_target);
    let points: Vec<(Day, f64)> = ind.measurements.iter().map(|m| (m.on, m.value)).collect();
    let rows = ind.measurements.clone();
    view! {
        <div class="card xp-indicator" data-id=ind.id.clone()>
            <h3 id=heading.clone()>{title}</h3>
            <p class="muted small">
                {move || direction_label(direction, i.lang())}" · "
                {move || if public { i.t("public", "public") } else { i.t("non public", "not public") }}
                {move || on_target.map(|ok| format!(" · {}", if ok { i.t("objectif atteint", "on target") } else { i.t("objectif pas encore atteint", "not on target yet") }))}
            </p>
            <LineChart id=prefix.clone() labelled_by=heading unit=ind.unit.clone() baseline=ind.baseline target=ind.target points />
            {(!rows.is_empty()).then(|| view! {
                <details>
                    <summary>{t!(i, "Toutes les mesures", "Every measurement")}</summary>
                    <ul class="plain-list small">
                        {rows.into_iter().map(|m| {
                            let day = m.on.to_string();
                            let v = m.value;
                            let extra = [m.comment, m.source].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" — ");
                            view! { <li>{move || format!("{} : {}", crate::fmt::date(&day, i.lang()), value(v, i.lang()))}{(!extra.is_empty()).then(|| format!(" ({extra})"))}</li> }
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {can_measure.then(|| view! {
                <details>
                    <summary>{t!(i, "Saisir une mesure", "Enter a measurement")}</summary>
                    <form on:submit=add.clone() novalidate>
                        <div class="form-grid">
                            <TextField id=format!("{prefix}-date") label=t!(i, "Date", "Date") value=on error=form.error("on") kind="date" required=true />
                            <TextField id=format!("{prefix}-valeur") label=t!(i, "Valeur", "Value") value=measured error=form.error("value") kind="number" required=true />
                        </div>
                        <TextField id=format!("{prefix}-commentaire") label=t!(i, "Commentaire", "Comment") value=comment error=form.error("comment") />
                        <TextField id=format!("{prefix}-source") label=t!(i, "Source", "Source") value=source error=form.error("source") />
                        <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Enregistrer la mesure", "Record the measurement")}</button></p>
                    </form>
                </details>
            })}
            {form.failure_notice()}
        </div>
    }
}

/// The CSV import: a file, or text pasted; all lines or none.
#[component]
fn Import(csv: String, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let pasted = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let imported = RwSignal::new(None::<u32>);
    let failure = RwSignal::new(None::<ApiError>);
    let send = move |blob: web_sys::Blob| {
        let csv = csv.clone();
        busy.set(true);
        imported.set(None);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = api::post_as::<ImportReport>(&csv, blob, "text/csv").await;
            busy.set(false);
            match result {
                Ok(r) => {
                    imported.set(Some(r.imported));
                    tick.update(|t| *t = t.wrapping_add(1));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let send_file = {
        let send = send.clone();
        move |ev: leptos::ev::Event| {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                send(file.into());
            }
            input.set_value("");
        }
    };
    let send_text = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = pasted.get_untracked();
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
        if let Ok(blob) = web_sys::Blob::new_with_str_sequence(&parts) {
            send(blob);
        }
    };
    let columns = MEASUREMENT_COLUMNS.join(",");
    view! {
        <div class="xp-inline-form" id="import-mesures">
            <h3>{t!(i, "Importer des mesures (CSV)", "Import measurements (CSV)")}</h3>
            <p class="hint" id="import-aide">
                {t!(i, "Mêmes colonnes que l'export, avec cette ligne d'en-tête : ", "The export's columns, with this header line: ")}
                <code>{columns}</code>
                {t!(i, ". L'indicateur est son nom ou son identifiant, la date au format AAAA-MM-JJ. Si une ligne est refusée, rien n'est importé.", ". The indicator is its name or id, the date as YYYY-MM-DD. If one line is refused, nothing is imported.")}
            </p>
            <div class="field">
                <label for="import-fichier">{t!(i, "Fichier CSV", "CSV file")}</label>
                <input type="file" id="import-fichier" accept=".csv,text/csv" aria-describedby="import-aide" disabled=move || busy.get() on:change=send_file />
            </div>
            <form on:submit=send_text novalidate>
                <div class="field">
                    <label for="import-texte">{t!(i, "Ou collez le contenu du fichier", "Or paste the file's content")}</label>
                    <textarea id="import-texte" rows="5" bind:value=pasted aria-describedby="import-aide"></textarea>
                </div>
                <p><button type="submit" class="button button-secondary" disabled=move || busy.get()>{t!(i, "Importer", "Import")}</button></p>
            </form>
            {move || imported.get().map(|n| view! {
                <p class="notice notice-ok" role="status" id="import-resultat">{move || crate::fmt::count(u64::from(n), i.lang(), ("mesure importée", "mesures importées"), ("measurement imported", "measurements imported"))}</p>
            })}
            {move || failure.get().map(|e| if e.errors.is_empty() {
                view! { <crate::ui::ErrorNotice error=e /> }.into_any()
            } else {
                let lines = import_errors(&e, i.lang());
                view! {
                    <div class="notice notice-error" role="alert" id="import-erreurs">
                        <p>{t!(i, "Rien n'a été importé. Corrigez ces lignes puis importez de nouveau le fichier :", "Nothing was imported. Correct these lines, then import the file again:")}</p>
                        <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                    </div>
                }.into_any()
            })}
        </div>
    }
}

/// A new indicator (managers).
#[component]
fn NewIndicator(base: String, tick: RwSignal<u32>) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick);
    let name = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let baseline = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let direction = RwSignal::new(Direction::Higher.as_str().to_owned());
    let public = RwSignal::new(true);
    let url = format!("{base}/indicators");
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_owned();
        if n.is_empty() {
            return form.refuse("name", i, "Nommez l'indicateur.", "Name the indicator.");
        }
        let Some(b) = decimal(&baseline.get_untracked()) else {
            return form.refuse(
                "baseline",
                i,
                "Indiquez un nombre, par exemple 12,5.",
                "Give a number, for example 12.5.",
            );
        };
        let Some(t) = decimal(&target.get_untracked()) else {
            return form.refuse(
                "target",
                i,
                "Indiquez un nombre, par exemple 12,5.",
                "Give a number, for example 12.5.",
            );
        };
        let body = IndicatorInput {
            name: n,
            unit: unit.get_untracked().trim().to_owned(),
            baseline: b,
            target: t,
            direction: Direction::parse(&direction.get_untracked()).unwrap_or(Direction::Higher),
            public: public.get_untracked(),
        };
        let url = url.clone();
        form.send(("Indicateur ajouté.", "Indicator added."), async move {
            api::post::<Indicator>(&url, &body).await.map(drop)
        });
    };
    view! {
        <form on:submit=add novalidate class="xp-inline-form" id="nouvel-indicateur">
            <h3>{t!(i, "Définir un indicateur", "Define an indicator")}</h3>
            <div class="form-grid">
                <TextField id="indicateur-nom" label=t!(i, "Nom", "Name") value=name error=form.error("name") required=true />
                <TextField id="indicateur-unite" label=t!(i, "Unité", "Unit") value=unit error=form.error("unit") />
                <TextField id="indicateur-reference" label=t!(i, "Valeur de référence (avant)", "Baseline (before)") value=baseline error=form.error("baseline") kind="number" required=true />
                <TextField id="indicateur-objectif" label=t!(i, "Objectif", "Target") value=target error=form.error("target") kind="number" required=true />
            </div>
            <div class="field">
                <label for="indicateur-sens">{t!(i, "Sens", "Direction")}</label>
                <select id="indicateur-sens" bind:value=direction>
                    {Direction::ALL.iter().map(|d| {
                        let d = *d;
                        view! { <option value=d.as_str()>{move || direction_label(d, i.lang())}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field choice">
                <input type="checkbox" id="indicateur-public" bind:checked=public />
                <label for="indicateur-public">{t!(i, "Indicateur public (affiché sur la page publique avec son graphique)", "Public indicator (shown on the public page with its chart)")}</label>
            </div>
            <p><button type="submit" class="button button-secondary" disabled=move || form.busy.get()>{t!(i, "Ajouter l'indicateur", "Add the indicator")}</button></p>
            {form.outcome()}
        </form>
    }
}
