//! The residents' feedback form (no account), and the commune's moderation.

use gloo_net::http::Method;
use leptos::prelude::*;
use qmi_api::experiments::{
    FEEDBACK_MAX, FEEDBACK_NAME_MAX, Feedback, FeedbackInput, FeedbackStatus, Moderation,
};

use super::Form;
use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{ErrorNotice, Loading, TextField, described_by, error_line};

/// The feedback form of a published experiment's public page.
#[component]
pub fn FeedbackForm(id: String) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(RwSignal::new(0));
    let text = RwSignal::new(String::new());
    let rating = RwSignal::new(0u8);
    let first_name = RwSignal::new(String::new());
    let neighbourhood = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let sent = RwSignal::new(false);
    let length = move || text.with(|t| t.chars().count());
    let path = format!("/api/experiments/{}/feedback", api::encode(&id));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.errors.set(Default::default());
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return form.refuse("text", i, "Écrivez votre avis.", "Write your feedback.");
        }
        if body.chars().count() > FEEDBACK_MAX {
            return form.refuse(
                "text",
                i,
                "2 000 caractères au plus.",
                "2,000 characters at most.",
            );
        }
        if !(1..=5).contains(&rating.get_untracked()) {
            return form.refuse(
                "rating",
                i,
                "Choisissez une note de 1 à 5.",
                "Choose a rating from 1 to 5.",
            );
        }
        let consent = consent.get_untracked();
        let mail = email.get_untracked().trim().to_owned();
        if consent && !mail.contains('@') {
            return form.refuse(
                "email",
                i,
                "Indiquez une adresse électronique valide.",
                "Give a valid e-mail address.",
            );
        }
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let input = FeedbackInput {
            text: body,
            rating: rating.get_untracked(),
            first_name: optional(first_name.get_untracked()),
            neighbourhood: optional(neighbourhood.get_untracked()),
            email: consent.then_some(mail),
            consent,
        };
        let path = path.clone();
        form.send(
            (
                "Merci ! Votre avis sera publié après relecture par la commune.",
                "Thank you! Your feedback will be published once the commune has read it.",
            ),
            async move {
                let json = serde_json::to_string(&input).map_err(ApiError::network)?;
                api::text(Method::POST, &path, Some(json)).await?;
                sent.set(true);
                Ok(())
            },
        );
    };
    view! {
        <section aria-labelledby="titre-donner-avis" class="card">
            <h2 id="titre-donner-avis">{t!(i, "Donner votre avis", "Give your feedback")}</h2>
            <p class="muted">{t!(i,
                "Sans compte. Votre avis est relu par la commune avant d'être publié. Votre adresse électronique n'est jamais publiée ; elle n'est conservée que si vous acceptez d'être recontacté·e.",
                "No account needed. The commune reads your feedback before publishing it. Your e-mail address is never published; it is kept only if you agree to be contacted.")}</p>
            {form.outcome()}
            <Show when=move || !sent.get() fallback=|| ()>
                <form id="formulaire-avis" novalidate on:submit=submit.clone()>
                    <div class="field" class:field-invalid=move || form.errors.with(|e| e.contains_key("text"))>
                        <label for="avis-texte">{t!(i, "Votre avis", "Your feedback")}" *"</label>
                        <textarea id="avis-texte" name="text" rows="5" required maxlength=FEEDBACK_MAX bind:value=text
                            aria-invalid=move || form.errors.with(|e| e.contains_key("text")).then_some("true")
                            aria-describedby=move || if form.errors.with(|e| e.contains_key("text")) { "avis-compteur avis-texte-erreur" } else { "avis-compteur" }></textarea>
                        <p class="hint" id="avis-compteur" aria-live="polite">{move || format!("{} / {}", crate::fmt::integer(length() as u64, i.lang()), crate::fmt::integer(FEEDBACK_MAX as u64, i.lang()))}{t!(i, " caractères", " characters")}</p>
                        {error_line(form.errors, "text", "avis-texte-erreur")}
                    </div>
                    <fieldset class="field xp-rating-field" aria-describedby=described_by(form.errors, "rating", "avis-note-erreur")>
                        <legend>{t!(i, "Votre note (1 : pas du tout satisfait·e, 5 : très satisfait·e)", "Your rating (1: not satisfied at all, 5: very satisfied)")}" *"</legend>
                        <div class="xp-radios">
                            {(1u8..=5).map(|n| {
                                let id = format!("avis-note-{n}");
                                view! {
                                    <span class="choice">
                                        <input type="radio" id=id.clone() name="rating" value=n.to_string()
                                            prop:checked=move || rating.get() == n on:change=move |_| rating.set(n) />
                                        <label for=id>{n.to_string()}</label>
                                    </span>
                                }
                            }).collect_view()}
                        </div>
                        {error_line(form.errors, "rating", "avis-note-erreur")}
                    </fieldset>
                    <div class="form-grid">
                        <TextField id="avis-prenom" label=t!(i, "Prénom (facultatif)", "First name (optional)") value=first_name error=form.error("first_name") autocomplete="given-name" />
                        <TextField id="avis-quartier" label=t!(i, "Quartier (facultatif)", "Neighbourhood (optional)") value=neighbourhood error=form.error("neighbourhood") />
                    </div>
                    <p class="hint">{move || format!("{} {FEEDBACK_NAME_MAX} {}", i.t("Prénom et quartier :", "First name and neighbourhood:"), i.t("caractères au plus, publiés avec votre avis.", "characters at most, published with your feedback."))}</p>
                    <div class="field choice">
                        <input type="checkbox" id="avis-consentement" name="consent" bind:checked=consent />
                        <label for="avis-consentement">{t!(i, "J'accepte que la commune me recontacte au sujet de cet avis", "I agree that the commune may contact me about this feedback")}</label>
                    </div>
                    <Show when=move || consent.get()>
                        <TextField id="avis-email" label=t!(i, "Adresse électronique", "E-mail address") value=email error=form.error("email") kind="email" autocomplete="email" required=true />
                    </Show>
                    <p><button type="submit" class="button" disabled=move || form.busy.get()>{t!(i, "Envoyer mon avis", "Send my feedback")}</button></p>
                </form>
            </Show>
        </section>
    }
}

/// The commune's moderation of the residents' feedback.
#[component]
pub fn ModerationSection(id: String) -> impl IntoView {
    let i = use_i18n();
    let tick = RwSignal::new(0u32);
    let base = format!("/api/experiments/{}/feedback", api::encode(&id));
    let list = {
        let base = base.clone();
        api::load(move || {
            tick.track();
            Some(base.clone())
        })
    };
    // The success line of the cards' decisions (the list is drawn again after one).
    let saved = RwSignal::new(None);
    view! {
        <section aria-labelledby="titre-moderation" id="moderation">
            <h2 id="titre-moderation">{t!(i, "Avis des habitants : modération", "Residents' feedback: moderation")}</h2>
            {move || match api::read::<Vec<Feedback>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{t!(i, "Aucun avis reçu.", "No feedback received.")}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="card-list" id="avis-a-moderer">
                        {list.into_iter().map(|f| view! { <ModerationCard f base=base.clone() tick saved /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {Form::done_line(saved)}
        </section>
    }
}

#[component]
fn ModerationCard(
    f: Feedback,
    base: String,
    tick: RwSignal<u32>,
    saved: RwSignal<Option<(&'static str, &'static str)>>,
) -> impl IntoView {
    let i = use_i18n();
    let form = Form::new(tick).with_done(saved);
    let reason = RwSignal::new(String::new());
    let status = f.status;
    let fid = f.public.id.clone();
    let path = format!("{base}/{}/moderation", api::encode(&fid));
    let decide = move |publish: bool| {
        let reason_text = reason.get_untracked().trim().to_owned();
        if !publish && reason_text.is_empty() {
            return form.refuse(
                "reason",
                i,
                "Donnez le motif du refus.",
                "Give the reason for rejecting it.",
            );
        }
        let body = Moderation {
            publish,
            reason: Some(reason_text).filter(|r| !r.is_empty()),
        };
        let path = path.clone();
        form.send(
            if publish {
                ("Avis publié.", "Feedback published.")
            } else {
                ("Avis refusé.", "Feedback rejected.")
            },
            async move { api::post::<Feedback>(&path, &body).await.map(drop) },
        );
    };
    let decide2 = decide.clone();
    // Erased for good, at the request of the person who left it (GDPR).
    let erase_path = format!("{base}/{}", api::encode(&fid));
    let erase = move |_| {
        if !crate::ui::confirm(i.t(
            "Effacer définitivement cet avis ? À faire à la demande de la personne qui l'a laissé. Cette action ne peut pas être annulée.",
            "Erase this feedback for good? Do so at the request of the person who left it. This cannot be undone.",
        )) {
            return;
        }
        let path = erase_path.clone();
        form.send(("Avis effacé.", "Feedback erased."), async move {
            api::delete(&path).await
        });
    };
    let reason_id = format!("motif-{fid}");
    // Names the feedback for screen readers: its first words.
    let fid_label = {
        let words: Vec<&str> = f.public.text.split_whitespace().take(6).collect();
        format!("« {}… »", words.join(" "))
    };
    view! {
        <li class="card" data-id=fid.clone() data-status=status.as_str()>
            <p class="card-meta"><span class=format!("badge badge-fb-{}", status.as_str())>{move || match status {
                FeedbackStatus::Waiting => i.t("En attente", "Waiting"),
                FeedbackStatus::Published => i.t("Publié", "Published"),
                FeedbackStatus::Rejected => i.t("Refusé", "Rejected"),
            }}</span></p>
            <super::public::FeedbackCard f=f.public.clone() />
            {f.email.clone().map(|m| view! { <p class="small">{t!(i, "Contact (consentement donné) : ", "Contact (consent given): ")}{m}</p> })}
            {f.reason.clone().map(|r| view! { <p class="small">{t!(i, "Motif du refus : ", "Reason for rejecting: ")}{r}</p> })}
            {(status == FeedbackStatus::Waiting).then(|| view! {
                <TextField id=reason_id.clone() label=t!(i, "Motif (obligatoire pour refuser)", "Reason (required to reject)") value=reason error=form.error("reason") />
                <p class="actions">
                    <button type="button" class="button publier" disabled=move || form.busy.get() on:click=move |_| decide(true)>{t!(i, "Publier", "Publish")}</button>
                    <button type="button" class="button button-secondary refuser" disabled=move || form.busy.get() on:click=move |_| decide2(false)>{t!(i, "Refuser", "Reject")}</button>
                </p>
            })}
            <p class="actions">
                <button type="button" class="button button-small button-danger effacer" disabled=move || form.busy.get() on:click=erase
                    aria-label=move || format!("{} {}", i.t("Effacer l'avis", "Erase the feedback"), fid_label)>
                    {t!(i, "Effacer", "Erase")}
                </button>
            </p>
            {form.failure_notice()}
        </li>
    }
}
