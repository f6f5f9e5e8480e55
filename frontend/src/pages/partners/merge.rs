//! "Fusionner un doublon" (programme team): find the record entered twice,
//! confirm, and read what moved over — its applications, experiments,
//! members and notes; the duplicate's address then leads here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::partners::{Directory, MergeReport, MergeRequest, Profile};

use crate::api::{self, ApiError};
use crate::fmt;
use crate::i18n::use_i18n;
use crate::pages::organisation::kind_label;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField};

/// Whether `s` reads as a record's id (a UUID) rather than words to search for.
fn looks_like_id(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(n, c)| {
            if matches!(n, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// A record that may be the duplicate: id, name, kind and place.
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    id: String,
    name: String,
    line: (qmi_api::identity::OrganisationKind, String, String),
}

/// The merge of a duplicate into the organisation `org` (named `name`);
/// `on_merged` runs once it is done (the page reads the profile again).
#[component]
pub fn MergePanel(
    org: String,
    #[prop(into)] name: Signal<String>,
    on_merged: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let found = RwSignal::new(None::<Result<Vec<Candidate>, ApiError>>);
    let chosen = RwSignal::new(None::<Candidate>);
    let report = RwSignal::new(None::<(MergeReport, String)>);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let this = StoredValue::new(org);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let words = typed.get_untracked().trim().to_owned();
        if words.chars().count() < 2 {
            error.set(Some(
                i.t(
                    "Saisissez le nom du doublon, son SIRET ou son identifiant.",
                    "Enter the duplicate's name, SIRET or id.",
                )
                .to_owned(),
            ));
            crate::ui::focus_first_invalid();
            return;
        }
        error.set(None);
        chosen.set(None);
        found.set(None);
        let digits: String = words.chars().filter(|c| !c.is_whitespace()).collect();
        spawn_local(async move {
            let result = if looks_like_id(&words) {
                api::get::<Profile>(&format!("/api/organisations/{}", api::encode(&words)))
                    .await
                    .map(|p| {
                        vec![Candidate {
                            id: p.id,
                            name: p.name,
                            line: (p.kind, p.city, p.country.to_string()),
                        }]
                    })
            } else {
                let filter = if digits.len() == 14 && digits.chars().all(|c| c.is_ascii_digit()) {
                    format!("siret={digits}")
                } else {
                    format!("q={}", api::encode(&words))
                };
                api::get::<Directory>(&format!("/api/organisations?{filter}&limit=10"))
                    .await
                    .map(|d| {
                        d.items
                            .into_iter()
                            .map(|o| Candidate {
                                id: o.id,
                                name: o.name,
                                line: (o.kind, o.city, o.country.to_string()),
                            })
                            .collect()
                    })
            };
            let org = this.get_value();
            found.set(Some(
                result.map(|list| list.into_iter().filter(|c| c.id != org).collect()),
            ));
        });
    };
    let merge = move |_| {
        let Some(dup) = chosen.get_untracked() else {
            return;
        };
        let path = format!(
            "/api/organisations/{}/merge",
            api::encode(&this.get_value())
        );
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let result = api::post::<MergeReport>(
                &path,
                &MergeRequest {
                    duplicate_id: dup.id.clone(),
                },
            )
            .await;
            busy.set(false);
            match result {
                Ok(r) => {
                    report.set(Some((r, dup.name)));
                    chosen.set(None);
                    found.set(None);
                    typed.set(String::new());
                    on_merged.run(());
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let moved =
        move |n: u64, fr: (&'static str, &'static str), en: (&'static str, &'static str)| {
            fmt::count(n, i.lang(), fr, en)
        };
    view! {
        <div class="merge" role="group" aria-labelledby="titre-fusion">
            <h3 id="titre-fusion">{t!(i, "Fusionner un doublon", "Merge a duplicate")}</h3>
            <p>{t!(i,
                "Quand une organisation a été inscrite deux fois, la fiche en double rejoint celle-ci : ses candidatures, ses expérimentations, ses membres et les notes des communes et du programme passent sur cette fiche, et l'adresse du doublon mène ici.",
                "When an organisation was registered twice, the duplicate record joins this one: its applications, experiments, members and the communes' and programme's notes move over to this record, and the duplicate's address leads here.")}</p>
            <form on:submit=search novalidate class="form-grid" role="search" aria-label=t!(i, "Chercher le doublon", "Find the duplicate")>
                <TextField id="doublon-recherche" label=t!(i, "Nom, SIRET ou identifiant du doublon", "The duplicate's name, SIRET or id")
                    value=typed error=Signal::derive(move || error.get()) />
                <p><button type="submit" class="button button-secondary" id="doublon-chercher">{t!(i, "Chercher", "Search")}</button></p>
            </form>
            {move || found.get().map(|r| match r {
                Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p class="notice" role="status" id="doublon-aucun">{t!(i, "Aucune autre organisation trouvée.", "No other organisation found.")}</p>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="plain-list" id="doublons-trouves">
                        {list.into_iter().map(|c| {
                            let (kind, city, country) = c.line.clone();
                            let label = format!("{} {}", i.t("Choisir comme doublon :", "Choose as the duplicate:"), c.name);
                            let pick = c.clone();
                            view! {
                                <li data-id=c.id.clone()>
                                    <strong>{c.name.clone()}</strong>" — "{move || kind_label(i, kind)}
                                    {(!city.is_empty()).then(|| format!(", {city}"))}" ("{country}")"
                                    " "<button type="button" class="button button-small button-secondary" aria-label=label
                                        on:click=move |_| { report.set(None); chosen.set(Some(pick.clone())); crate::ui::focus("#fusion-confirmer"); }>
                                        {t!(i, "Choisir", "Choose")}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            {move || chosen.get().map(|c| view! {
                <div class="notice notice-error merge-confirm" id="fusion-confirmation">
                    <p><strong>{move || format!("{} « {} » {} « {} » ?",
                        i.t("Fusionner", "Merge"), c.name, i.t("dans", "into"), name.get())}</strong></p>
                    <p>{t!(i,
                        "La fiche en double disparaîtra de l'annuaire. Une fusion ne se défait pas.",
                        "The duplicate record will leave the directory. A merge cannot be undone.")}</p>
                    <p class="actions">
                        <button type="button" class="button button-danger" id="fusion-confirmer" disabled=move || busy.get()
                            on:click=merge>{t!(i, "Confirmer la fusion", "Confirm the merge")}</button>
                        <button type="button" class="button button-secondary" on:click=move |_| chosen.set(None)>{t!(i, "Annuler", "Cancel")}</button>
                    </p>
                </div>
            })}
            {move || busy.get().then(|| view! { <Loading /> })}
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            <div role="status" id="fusion-rapport">
                {move || report.get().map(|(r, dup)| view! {
                    <div class="notice notice-ok">
                        <p><strong>{move || format!("{} « {dup} » {}", i.t("Fusion faite :", "Merged:"), i.t("ne fait plus qu'une avec cette fiche.", "is now one with this record."))}</strong></p>
                        <ul class="plain-list">
                            <li>{move || moved(r.applications, ("candidature déplacée", "candidatures déplacées"), ("application moved", "applications moved"))}</li>
                            <li>{move || moved(r.experiments, ("lien d'expérimentation déplacé", "liens d'expérimentation déplacés"), ("experiment link moved", "experiment links moved"))}</li>
                            <li>{move || moved(r.members, ("membre déplacé", "membres déplacés"), ("member moved", "members moved"))}</li>
                            <li>{move || moved(r.notes, ("note déplacée", "notes déplacées"), ("note moved", "notes moved"))}</li>
                        </ul>
                    </div>
                })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_id;

    #[test]
    fn ids_are_told_from_words() {
        assert!(looks_like_id("0192f1d2-7c3a-7b1e-9f00-0123456789ab"));
        assert!(!looks_like_id("Solaire Urbain"));
        assert!(!looks_like_id("0192f1d2x7c3a-7b1e-9f00-0123456789ab"));
    }
}
