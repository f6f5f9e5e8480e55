//! "Mon espace": what the signed-in person can do, by role.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::identity::Me;
use qmi_api::{MembershipRole, PlatformRole};

use crate::i18n::{I18n, use_i18n};
use crate::session::use_session;
use crate::t;
use crate::ui::Loading;

/// The label of a commune role.
pub fn role_label(i: I18n, r: MembershipRole) -> &'static str {
    match r {
        MembershipRole::Admin => i.t("Administratrice ou administrateur", "Administrator"),
        MembershipRole::Agent => i.t("Agent de la commune", "Commune agent"),
        MembershipRole::Reviewer => i.t("Évaluatrice ou évaluateur", "Reviewer"),
    }
}

/// Renders `page` with the signed-in account, or a sign-in prompt.
#[component]
pub fn SignedIn<F, V>(page: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    signed_in(Box::new(move |me| page(me).into_any()))
}

/// Renders `page` for a signed-in account that `allowed` lets in; any other
/// signed-in account gets a plain "not for your role" page rather than a page
/// of forms the API would refuse.
#[component]
pub fn SignedInFor<A, F, V>(allowed: A, page: F) -> impl IntoView
where
    A: Fn(&Me) -> bool + Send + Sync + 'static,
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    signed_in(Box::new(move |me| {
        if allowed(&me) {
            page(me).into_any()
        } else {
            not_for_role()
        }
    }))
}

/// The page a role may not use: said plainly, with the way back.
pub fn not_for_role() -> AnyView {
    let i = use_i18n();
    view! {
        <section class="narrow" aria-labelledby="titre-pas-pour-votre-role" id="pas-pour-votre-role">
            <h1 id="titre-pas-pour-votre-role">{t!(i, "Cette page n'est pas pour votre rôle", "This page is not for your role")}</h1>
            <p>{t!(i,
                "Elle sert à d'autres rôles de la plateforme. Mon espace montre ce que les vôtres permettent.",
                "It serves other roles of the platform. My space shows what yours allow.")}</p>
            <p><A href="/espace" attr:class="button">{t!(i, "Aller à mon espace", "Go to my space")}</A></p>
        </section>
    }
    .into_any()
}

/// [`SignedIn`]'s body, not generic: compiled once for every page.
fn signed_in(page: Box<dyn Fn(Me) -> AnyView + Send + Sync>) -> AnyView {
    let i = use_i18n();
    let session = use_session();
    (move || {
        if session.restoring.get() {
            return view! { <Loading /> }.into_any();
        }
        match session.me.get() {
            Some(me) => page(me),
            None => view! {
                <section class="narrow" aria-labelledby="titre-prive">
                    <h1 id="titre-prive">{t!(i, "Espace réservé", "Members only")}</h1>
                    <p>{t!(i, "Connectez-vous pour accéder à cette page.", "Sign in to open this page.")}</p>
                    <p><A href=crate::pages::signin::sign_in_here() attr:class="button">{t!(i, "Se connecter", "Sign in")}</A></p>
                </section>
            }
            .into_any(),
        }
    })
    .into_any()
}

/// The overview of "Mon espace".
#[component]
pub fn Space() -> impl IntoView {
    view! { <SignedIn page=|me: Me| view! { <Overview me /> } /> }
}

#[component]
fn Overview(me: Me) -> impl IntoView {
    let i = use_i18n();
    let operator = me.platform_roles.contains(&PlatformRole::Programme);
    let hosting = me.platform_roles.contains(&PlatformRole::Hosting);
    let organisation = me.organisation.clone();
    let memberships = me.memberships.clone();
    let suspended = me.suspended_memberships.clone();
    // Neither staff nor partner yet: a partner just signed up.
    let newcomer = memberships.is_empty() && suspended.is_empty() && me.platform_roles.is_empty();
    view! {
        <section aria-labelledby="titre-espace">
            <p class="eyebrow">{t!(i, "Mon espace", "My space")}</p>
            <h1 id="titre-espace">{me.name.clone()}</h1>
            <p class="muted" id="mon-email">{me.email.clone()}</p>
            <p class="links">
                <A href="/espace/compte">{t!(i, "Mon compte", "My account")}</A>
                <A href="/espace/compte/donnees">{t!(i, "Mes données", "My data")}</A>
                <A href="/espace/notifications">{t!(i, "Mes notifications", "My notifications")}</A>
                <A href="/espace/invitations">{t!(i, "Mes invitations à rejoindre une organisation", "My invitations to join an organisation")}</A>
            </p>
        </section>
        <div class="grid">
            {operator.then(|| view! {
                <section class="card" aria-labelledby="carte-programme">
                    <h2 id="carte-programme">{t!(i, "Équipe du programme", "Programme team")}</h2>
                    <p>{t!(i, "Le registre des communes, l'annuaire des partenaires, les appels à communes, les appels à solutions et leurs sélections.", "The registry of communes, the partner directory, the calls for communes, the calls for solutions and their selection.")}</p>
                    <p class="actions">
                        <A href="/espace/campagnes" attr:class="button">{t!(i, "Appels à communes", "Calls for communes")}</A>
                        <A href="/espace/appels" attr:class="button">{t!(i, "Appels à solutions", "Calls for solutions")}</A>
                        <A href="/espace/programme/experimentations" attr:class="button">{t!(i, "Expérimentations : tableau de bord", "Experiments: dashboard")}</A>
                        <A href="/espace/registre" attr:class="button button-secondary">{t!(i, "Registre des communes", "Communes registry")}</A>
                        <A href="/espace/annuaire" attr:class="button button-secondary">{t!(i, "Annuaire des partenaires", "Partner directory")}</A>
                        <A href="/espace/equipe" attr:class="button button-secondary">{t!(i, "Équipe du programme", "Programme team")}</A>
                        <A href="/espace/journal" attr:class="button button-secondary">{t!(i, "Journal de la plateforme", "Platform trail")}</A>
                        <A href="/espace/exploitation" attr:class="button button-secondary">{t!(i, "Exploitation", "Operations")}</A>
                    </p>
                </section>
            })}
            {hosting.then(|| view! {
                <section class="card" aria-labelledby="carte-hebergement">
                    <h2 id="carte-hebergement">{t!(i, "Hébergement", "Hosting")}</h2>
                    <p>{t!(i, "Ajouter, suspendre et réactiver des locataires (communes), sans accès à leurs contenus ; suivre l'usage de chacune et la marche du runtime.", "Add, suspend and resume tenants (communes), without access to their content; follow each one's usage and how the runtime is doing.")}</p>
                    <p class="actions">
                        <A href="/espace/locataires" attr:class="button">{t!(i, "Locataires", "Tenants")}</A>
                        <A href="/espace/exploitation" attr:class="button">{t!(i, "Exploitation", "Operations")}</A>
                    </p>
                </section>
            })}
            {memberships.into_iter().map(|m| {
                let heading = format!("carte-commune-{}", m.insee);
                let href = format!("/espace/communes/{}", m.insee);
                let public = format!("/communes/{}", m.insee);
                let district = format!("/espace/quartiers/{}", m.insee);
                let role = m.role;
                view! {
                    <section class="card membership" aria-labelledby=heading.clone() data-insee=m.insee.to_string()>
                        <h2 id=heading.clone()>{m.name.clone()}</h2>
                        <p><strong>{move || role_label(i, role)}</strong></p>
                        <p>{move || match role {
                            MembershipRole::Admin => i.t(
                                "Vous gérez les membres de la commune, son quartier d'innovation, ses appels à solutions et leur sélection, et ses candidatures au programme.",
                                "You manage the commune's members, its innovation district, its calls for solutions and their selection, and its candidacies to the programme."),
                            MembershipRole::Agent => i.t(
                                "Vous suivez les évaluations des appels de la commune (candidatures en attente, évaluateurs en retard) et consultez la liste de ses membres.",
                                "You follow the reviews of the commune's calls (applications awaiting reviews, late reviewers) and see the list of its members."),
                            MembershipRole::Reviewer => i.t(
                                "Vous évaluez les candidatures que le jury vous confie.",
                                "You review the applications the jury assigns to you."),
                        }}</p>
                        <p class="actions">
                            {(role == MembershipRole::Admin).then(|| view! {
                                <A href=href attr:class="button">{t!(i, "Membres de la commune", "Commune members")}</A>
                                <A href="/espace/appels" attr:class="button">{t!(i, "Appels et sélections", "Calls and selection")}</A>
                                <A href=format!("/espace/communes/{}/candidatures", m.insee) attr:class="button button-secondary">{t!(i, "Candidatures au programme", "Candidacies to the programme")}</A>
                                <A href=district attr:class="button button-secondary">{t!(i, "Quartier d'innovation", "Innovation district")}</A>
                                <A href=format!("/espace/communes/{}/journal", m.insee) attr:class="button button-secondary">{t!(i, "Journal d'audit", "Audit trail")}</A>
                            })}
                            {(role != MembershipRole::Reviewer).then(|| view! {
                                <A href=format!("/espace/communes/{}/experimentations", m.insee) attr:class="button">{t!(i, "Expérimentations", "Experiments")}</A>
                            })}
                            {(role == MembershipRole::Agent).then(|| view! {
                                <A href=format!("/espace/communes/{}#suivi-evaluations", m.insee) attr:class="button">{t!(i, "Suivi des évaluations", "Review follow-up")}</A>
                                <A href=format!("/espace/communes/{}", m.insee) attr:class="button button-secondary">{t!(i, "Membres de la commune", "Commune members")}</A>
                            })}
                            <A href=public attr:class="button button-secondary">{t!(i, "Fiche de la commune", "Commune page")}</A>
                        </p>
                        {(role == MembershipRole::Reviewer).then(|| view! {
                            <p><A href="/espace/evaluations" attr:class="button">{t!(i, "Mes évaluations", "My reviews")}</A></p>
                        })}
                    </section>
                }
            }).collect_view()}
            {suspended.into_iter().map(|m| {
                let heading = format!("carte-suspendue-{}", m.insee);
                let role = m.role;
                view! {
                    <section class="card membership membership-suspended" aria-labelledby=heading.clone() data-insee=m.insee.to_string()>
                        <h2 id=heading.clone()>{m.name.clone()}</h2>
                        <p><strong>{move || role_label(i, role)}</strong>" · "<crate::ui::StatusBadge status=qmi_api::identity::CommuneStatus::Suspended /></p>
                        {crate::ui::suspended_notice(i)}
                    </section>
                }
            }).collect_view()}
            {(organisation.is_none() && newcomer).then(|| view! {
                <section class="card" aria-labelledby="carte-sans-organisation">
                    <h2 id="carte-sans-organisation">{t!(i, "Votre organisation", "Your organisation")}</h2>
                    <p>{t!(i, "Pour candidater, créez votre organisation ou demandez à rejoindre celle de vos collègues.", "To apply, create your organisation or ask to join your colleagues'.")}</p>
                    <p><A href="/espace/organisation" attr:class="button">{t!(i, "Créer ou rejoindre une organisation", "Create or join an organisation")}</A></p>
                </section>
            })}
            {organisation.map(|o| view! {
                <section class="card" aria-labelledby="carte-organisation">
                    <h2 id="carte-organisation">{o.name.clone()}</h2>
                    <p>{t!(i, "Le profil de votre organisation dans l'annuaire des partenaires.", "Your organisation's profile in the partner directory.")}</p>
                    <p class="actions">
                        <A href="/espace/candidatures" attr:class="button">{t!(i, "Mes candidatures", "My applications")}</A>
                        <A href="/espace/experimentations" attr:class="button">{t!(i, "Mes expérimentations", "My experiments")}</A>
                        <A href="/espace/organisation" attr:class="button">{t!(i, "Profil de l'organisation", "Organisation profile")}</A>
                        <A href="/appels" attr:class="button button-secondary">{t!(i, "Appels ouverts", "Open calls")}</A>
                    </p>
                </section>
            })}
        </div>
    }
}
