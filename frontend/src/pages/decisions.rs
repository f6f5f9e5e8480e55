//! Issue 13: a call for communes edited while unpublished, then published, with
//! its history; a call for solutions closed early on purpose with a reason
//! (decisions are taken only once a call has closed).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::applications::{
    Call, CallStatus, Campaign, CampaignAction, CampaignInput, CloseRequest,
};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{ErrorNotice, FieldErrors, Loading, TextField, error_of, set_errors, when};

/// `YYYY-MM-DDTHH:MM` of a Paris date-time with offset (the value of a
/// `datetime-local` field).
fn local(paris: &str) -> String {
    paris.get(0..16).unwrap_or(paris).to_owned()
}

/// A campaign's publication, its editor while unpublished and its history
/// (programme operators, on the campaign's page).
#[component]
pub fn CampaignAdmin(id: String) -> impl IntoView {
    let i = use_i18n();
    let version = RwSignal::new(0u32);
    let path = format!("/api/campaigns/{}", api::encode(&id));
    let campaign = {
        let path = path.clone();
        api::load(move || {
            version.track();
            Some(path.clone())
        })
    };
    let path = StoredValue::new(path);
    let notice = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let publish = move |_| {
        if !crate::ui::confirm(i.t(
            "Publier l'appel à communes ? Les communes pourront le lire et y répondre ; il ne pourra plus être modifié.",
            "Publish the call for communes? Communes can then read and answer it; it can no longer be edited.",
        )) {
            return;
        }
        spawn_local(async move {
            match api::post_nobody::<Campaign>(&format!("{}/publish", path.get_value())).await {
                Ok(_) => {
                    failure.set(None);
                    notice.set(Some(
                        i.t("Appel à communes publié.", "Call for communes published.")
                            .to_owned(),
                    ));
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <section aria-labelledby="titre-campagne-gestion" id="campagne-gestion">
            <h2 id="titre-campagne-gestion">{t!(i, "Publication et modifications", "Publication and changes")}</h2>
            {move || notice.get().map(|m| view! { <p class="notice notice-ok" role="status" id="campagne-message">{m}</p> })}
            {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
            {move || match api::read::<Campaign>(&campaign) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(c)) => {
                    let history = c.history.clone();
                    view! {
                        <p id="campagne-etat">{if c.published {
                            t!(i, "Publié : les communes le voient et peuvent y répondre. Il ne change plus.", "Published: communes see it and may answer it. It no longer changes.")
                        } else {
                            t!(i, "Non publié : seule l'équipe du programme le voit. Modifiez-le puis publiez-le.", "Not published: only the programme team sees it. Edit it, then publish it.")
                        }}</p>
                        {(!c.published).then(|| view! {
                            <p class="actions"><button type="button" class="button" id="campagne-publier" on:click=publish>
                                {t!(i, "Publier l'appel à communes", "Publish the call for communes")}</button></p>
                            <CampaignEdit campaign=c.clone() path=path.get_value()
                                on_saved=move || { notice.set(Some(i.t("Modifications enregistrées.", "Changes saved.").to_owned())); version.update(|v| *v += 1); } />
                        })}
                        {(!history.is_empty()).then(|| view! {
                            <h3 class="small-heading">{t!(i, "Historique", "History")}</h3>
                            <ol class="timeline" id="campagne-historique">
                                {history.into_iter().map(|h| {
                                    let what = match h.action {
                                        CampaignAction::Created => t!(i, "Créé", "Created"),
                                        CampaignAction::Edited => t!(i, "Modifié", "Edited"),
                                        CampaignAction::Published => t!(i, "Publié", "Published"),
                                    };
                                    view! { <li data-action=h.action.as_str()>{when(h.at.clone())}" — "{what}</li> }
                                }).collect_view()}
                            </ol>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The form editing an unpublished campaign (title, text, window).
#[component]
fn CampaignEdit(
    campaign: Campaign,
    path: String,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let title = RwSignal::new(campaign.title.clone());
    let text = RwSignal::new(campaign.text.clone());
    let opens = RwSignal::new(local(&campaign.opens_at_paris));
    let closes = RwSignal::new(local(&campaign.closes_at_paris));
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let questions = StoredValue::new(campaign.questions.clone());
    let path = StoredValue::new(path);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CampaignInput {
            title: title.get_untracked(),
            text: text.get_untracked(),
            opens_at: opens.get_untracked(),
            closes_at: closes.get_untracked(),
            questions: questions.get_value(),
            published: false,
        };
        spawn_local(async move {
            match api::put::<Campaign>(&path.get_value(), &body).await {
                Ok(_) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    on_saved();
                }
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    view! {
        <details class="answers-details">
            <summary>{t!(i, "Modifier l'appel à communes", "Edit the call for communes")}</summary>
            <form on:submit=submit novalidate class="form-grid" id="form-campagne-modifier">
                <TextField id="campagne-modifier-titre" label=t!(i, "Titre", "Title") value=title error=error_of(errors, "title") required=true />
                <TextField id="campagne-modifier-texte" label=t!(i, "Présentation", "Presentation") value=text error=error_of(errors, "text") multiline=true />
                <TextField id="campagne-modifier-ouverture" label=t!(i, "Ouverture (heure de Paris)", "Opens (Paris time)") value=opens
                    error=error_of(errors, "opens_at") kind="datetime-local" required=true />
                <TextField id="campagne-modifier-cloture" label=t!(i, "Clôture (heure de Paris)", "Closes (Paris time)") value=closes
                    error=error_of(errors, "closes_at") kind="datetime-local" required=true />
                <p><button type="submit" class="button" id="campagne-enregistrer">{t!(i, "Enregistrer les modifications", "Save the changes")}</button></p>
                {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
            </form>
        </details>
    }
}

/// When decisions may be taken on a call: after its deadline, or once closed
/// early on purpose with a reason (this form, while the call is open).
#[component]
pub fn CallClosing(
    call: Call,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i = use_i18n();
    let reason = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<ApiError>);
    let path = StoredValue::new(format!("/api/calls/{}/close", api::encode(&call.id)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !crate::ui::confirm(i.t(
            "Clôturer l'appel maintenant ? Plus aucune candidature ne pourra être déposée.",
            "Close the call now? No application can be submitted any more.",
        )) {
            return;
        }
        let body = CloseRequest {
            reason: reason.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<Call>(&path.get_value(), &body).await {
                Ok(_) => {
                    errors.set(BTreeMap::new());
                    failure.set(None);
                    on_done(
                        i.t(
                            "Appel clôturé : les décisions peuvent être prises.",
                            "Call closed: decisions may now be taken.",
                        )
                        .to_owned(),
                    );
                }
                Err(e) => {
                    set_errors(errors, &e);
                    failure.set(Some(e));
                }
            }
        });
    };
    let early = call.closed_early.clone();
    let open = call.status != CallStatus::Closed;
    view! {
        <section aria-labelledby="titre-cloture" id="cloture">
            <h2 id="titre-cloture">{t!(i, "Clôture et décisions", "Closing and decisions")}</h2>
            {early.map(|e| view! {
                <p id="cloture-anticipee">{t!(i, "Clôturé avant l'échéance, le", "Closed before its deadline, on")}" "{when(e.at.clone())}
                    ". "{t!(i, "Motif :", "Reason:")}" "{e.reason}</p>
            })}
            {open.then(|| view! {
                <p id="cloture-attente">{t!(i,
                    "Les décisions se prennent après la clôture de l'appel. Pour décider plus tôt, clôturez l'appel maintenant en disant pourquoi : le motif est conservé avec l'appel.",
                    "Decisions are taken once the call has closed. To decide sooner, close the call now and say why: the reason is kept with the call.")}</p>
                <form on:submit=submit novalidate class="form-grid" id="form-cloture">
                    <TextField id="cloture-motif" label=t!(i, "Motif de la clôture anticipée", "Reason for closing early") value=reason
                        error=error_of(errors, "reason") multiline=true required=true />
                    <p><button type="submit" class="button button-secondary" id="cloturer-appel">{t!(i, "Clôturer l'appel maintenant", "Close the call now")}</button></p>
                    {move || failure.get().filter(|e| e.errors.is_empty()).map(|e| view! { <ErrorNotice error=e /> })}
                </form>
            })}
        </section>
    }
}
