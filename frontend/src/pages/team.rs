//! "Équipe du programme" (`/espace/equipe`, programme operators): invite a
//! person to the programme team, and the pending invitations, each resent or
//! revoked.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qmi_api::PlatformRole;
use qmi_api::identity::{Email, InvitationSummary, Me, NewTeamInvitation};

use crate::api::{self, ApiError};
use crate::i18n::use_i18n;
use crate::pages::pending::PendingInvitations;
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, TextField};

/// `/espace/equipe`.
#[component]
pub fn Team() -> impl IntoView {
    let i = use_i18n();
    view! {
        <SignedIn page=move |me: Me| if me.platform_roles.contains(&PlatformRole::Programme) {
            view! { <TeamInvitations /> }.into_any()
        } else {
            view! { <section><h1>{t!(i, "Accès refusé", "Access denied")}</h1>
                <p>{t!(i, "L'équipe du programme invite ses membres.", "The programme team invites its members.")}</p></section> }.into_any()
        } />
    }
}

#[component]
fn TeamInvitations() -> impl IntoView {
    let i = use_i18n();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u32);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(None);
        failure.set(None);
        let Ok(address) = email.get_untracked().trim().parse::<Email>() else {
            email_error.set(Some(
                i.t(
                    "Saisissez une adresse e-mail valide (nom@domaine.fr).",
                    "Enter a valid e-mail address (name@domain.org).",
                )
                .to_owned(),
            ));
            crate::ui::focus_first_invalid();
            return;
        };
        email_error.set(None);
        let body = NewTeamInvitation {
            email: address,
            name: Some(name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
        };
        spawn_local(async move {
            match api::post::<InvitationSummary>("/api/admin/invitations", &body).await {
                Ok(inv) => {
                    email.set(String::new());
                    name.set(String::new());
                    sent.set(Some(inv.email.to_string()));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    email_error.set(e.field("email"));
                    failure.set(Some(e).filter(|e| e.errors.is_empty()));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="titre-equipe">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-equipe">{t!(i, "Équipe du programme", "Programme team")}</h1>
            <p>{t!(i, "La personne reçoit une invitation par e-mail, valable 7 jours, et rejoint l'équipe en l'acceptant.", "The person gets an invitation by e-mail, valid for 7 days, and joins the team by accepting it.")}</p>
            <form on:submit=submit novalidate class="form-grid" id="form-equipe">
                <TextField id="equipe-email" label=t!(i, "Adresse e-mail", "E-mail address") value=email
                    error=Signal::derive(move || email_error.get()) kind="email" required=true />
                <TextField id="equipe-nom" label=t!(i, "Nom (si la personne n'a pas encore de compte)", "Name (if the person has no account yet)")
                    value=name error=Signal::derive(|| None::<String>) />
                <p><button type="submit" class="button" id="equipe-inviter">{t!(i, "Inviter", "Invite")}</button></p>
                {move || failure.get().map(|e| view! { <ErrorNotice error=e /> })}
                <p role="status" id="equipe-invitee">{move || sent.get().map(|a| format!("{} {a}.", i.t("Invitation envoyée à", "Invitation sent to")))}</p>
            </form>
        </section>
        <section aria-labelledby="titre-invitations-equipe">
            <h2 id="titre-invitations-equipe">{t!(i, "Invitations en attente", "Pending invitations")}</h2>
            <PendingInvitations base="/api/admin/invitations".to_owned() version id="table-invitations-equipe" />
        </section>
    }
}
