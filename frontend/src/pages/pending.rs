//! Pending invitations, as their inviters see them (a commune's, an
//! organisation's): each sent again (a new link, valid 7 days; the old one
//! stops working) or revoked.

use leptos::prelude::*;
use leptos::task::spawn_local;
use qmi_api::identity::{InvitationSummary, Joining};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::space::role_label;
use crate::t;
use crate::ui::{ErrorNotice, Loading};

/// The pending invitations listed at `base` (`/api/communes/{insee}/invitations`
/// or `/api/organisations/{id}/invitations`), read again when `version` changes.
#[component]
pub fn PendingInvitations(
    /// The list's path; resend and revoke are below it.
    base: String,
    /// Bumped by the page when it sends an invitation.
    version: RwSignal<u32>,
    /// Element id of the list.
    id: &'static str,
) -> impl IntoView {
    let i = use_i18n();
    let list = {
        let base = base.clone();
        api::load(move || {
            version.track();
            Some(base.clone())
        })
    };
    let base = StoredValue::new(base);
    let failure = RwSignal::new(None::<ApiError>);
    let status = RwSignal::new(None::<String>);
    let resend = move |inv: String, email: String| {
        let path = format!("{}/{}/resend", base.get_value(), api::encode(&inv));
        spawn_local(async move {
            match api::post_nobody::<InvitationSummary>(&path).await {
                Ok(_) => {
                    failure.set(None);
                    status.set(Some(format!(
                        "{} {email}.",
                        i.t("Invitation envoyée à nouveau à", "Invitation sent again to")
                    )));
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let revoke = move |inv: String, email: String| {
        let question = format!(
            "{} {email} ?",
            i.t("Révoquer l'invitation de", "Revoke the invitation of")
        );
        if !crate::ui::confirm(&question) {
            return;
        }
        let path = format!("{}/{}", base.get_value(), api::encode(&inv));
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => {
                    failure.set(None);
                    status.set(Some(format!(
                        "{} {email}.",
                        i.t("Invitation révoquée :", "Invitation revoked:")
                    )));
                    version.update(|v| *v += 1);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="pending-invitations">
            <p role="status" class="invitation-etat">{move || status.get()}</p>
            {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || match api::read::<Vec<InvitationSummary>>(&list) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! {
                    <p class="muted" id=id>{t!(i, "Aucune invitation en attente.", "No pending invitation.")}</p>
                }.into_any(),
                Some(Ok(items)) => {
                    let rows = items.into_iter().map(|inv| {
                        let what = match &inv.joining {
                            Joining::Commune { role, .. } => role_label(i, *role).to_owned(),
                            Joining::Programme => i.t("Équipe du programme", "Programme team").to_owned(),
                            Joining::Organisation { name, .. } => name.clone(),
                        };
                        let email = inv.email.to_string();
                        let (id1, id2) = (inv.id.clone(), inv.id.clone());
                        let (e1, e2) = (email.clone(), email.clone());
                        let actions = view! {
                            <span class="actions">
                                <button type="button" class="button button-small button-secondary"
                                    aria-label=format!("{} {email}", i.t("Renvoyer l'invitation à", "Resend the invitation to"))
                                    on:click=move |_| resend(id1.clone(), e1.clone())>{t!(i, "Renvoyer", "Resend")}</button>
                                <button type="button" class="button button-small button-danger"
                                    aria-label=format!("{} {email}", i.t("Révoquer l'invitation de", "Revoke the invitation of"))
                                    on:click=move |_| revoke(id2.clone(), e2.clone())>{t!(i, "Révoquer", "Revoke")}</button>
                            </span>
                        }.into_any();
                        (inv.email.to_string(), vec![
                            crate::ui::text(inv.email.to_string()),
                            crate::ui::text(what),
                            crate::ui::text(inv.invited_by),
                            crate::ui::when(inv.expires_at),
                            actions,
                        ])
                    }).collect();
                    crate::ui::table(
                        id,
                        t!(i, "Invitations en attente", "Pending invitations"),
                        vec![
                            t!(i, "Adresse", "Address"),
                            t!(i, "Pour", "For"),
                            t!(i, "Invitée par", "Invited by"),
                            t!(i, "Expire le", "Expires on"),
                            t!(i, "Actions", "Actions"),
                        ],
                        rows,
                    )
                }
            }}
        </div>
    }
}
