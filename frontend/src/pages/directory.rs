//! The partner directory (programme team): every organisation, whichever
//! communes it works with — one identity across the metropolis. Add an
//! organisation; see and change its members.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::PlatformRole;
use qmi_api::identity::{Me, Organisation};

use crate::i18n::use_i18n;
use crate::paged::Paged;
use crate::pages::organisation::{OrgMembers, ProfileForm, kind_label};
use crate::pages::space::SignedIn;
use crate::t;
use crate::ui::{ErrorNotice, Loading, facts, load_more, text};

/// Organisations per "Charger plus".
const PAGE: u32 = 50;

/// `/espace/annuaire`.
#[component]
pub fn Directory() -> impl IntoView {
    let i = use_i18n();
    view! {
        <SignedIn page=move |me: Me| if me.platform_roles.contains(&PlatformRole::Programme) {
            view! { <Listing /> }.into_any()
        } else {
            view! { <section><h1>{t!(i, "Accès refusé", "Access denied")}</h1>
                <p>{t!(i, "L'annuaire des partenaires est tenu par l'équipe du programme.", "The partner directory is kept by the programme team.")}</p></section> }.into_any()
        } />
    }
}

#[component]
fn Listing() -> impl IntoView {
    let i = use_i18n();
    let list = Paged::<Organisation>::new();
    let Paged {
        items,
        done,
        loading,
        error,
        ..
    } = list;
    let load = move |reset: bool| list.load(format!("/api/organisations?limit={PAGE}"), reset);
    load(true);
    let created = Callback::new(move |_: Organisation| load(true));
    view! {
        <section aria-labelledby="titre-annuaire">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-annuaire">{t!(i, "Annuaire des partenaires", "Partner directory")}</h1>
            <p class="lead">{t!(i,
                "Startups, associations et entreprises : une fiche par organisation, quelle que soit la commune où elle candidate.",
                "Startups, associations and companies: one record per organisation, whichever commune it applies to.")}</p>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            {move || if items.with(Vec::is_empty) {
                if loading.get() { view! { <Loading /> }.into_any() } else {
                    view! { <p class="notice">{t!(i, "L'annuaire est vide.", "The directory is empty.")}</p> }.into_any()
                }
            } else {
                view! {
                    <ul class="card-list" id="liste-organisations">
                        {items.get().into_iter().map(|o| view! { <OrganisationCard o /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {load_more("annuaire-plus", done, loading, move || load(false))}
        </section>
        <section aria-labelledby="titre-ajout-organisation">
            <h2 id="titre-ajout-organisation">{t!(i, "Ajouter une organisation", "Add an organisation")}</h2>
            <ProfileForm org=None on_created=created />
        </section>
    }
}

/// One organisation: kind, country, SIRET, and its members on demand.
#[component]
fn OrganisationCard(o: Organisation) -> impl IntoView {
    let i = use_i18n();
    let open = RwSignal::new(false);
    let id = o.id.clone();
    let kind = o.kind;
    view! {
        <li class="card" data-id=o.id.clone()>
            <h2 class="card-title">{o.name.clone()}</h2>
            {facts(vec![
                (t!(i, "Type", "Kind"), "type", (move || kind_label(i, kind)).into_any()),
                (t!(i, "Pays", "Country"), "pays", {
                    let code = o.country.to_string();
                    (move || crate::fmt::country(&code, i.lang())).into_any()
                }),
                (t!(i, "SIRET", "SIRET"), "siret", text(o.siret.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string))),
            ])}
            <details class="answers-details" on:toggle=move |_| open.set(true)>
                <summary>{t!(i, "Membres", "Members")}</summary>
                <Show when=move || open.get()>
                    <OrgMembers id=id.clone() />
                </Show>
            </details>
        </li>
    }
}
