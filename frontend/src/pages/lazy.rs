//! The pages loaded on first visit. Each is split out of the main module by the
//! bundler (`wasm-split`): the home page, the lists of communes and calls and
//! sign-in come with the first download; one call's or one commune's page, the
//! rest of "my space" and the application form follow when someone opens them.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// Declares one [`LazyRoute`] per page: the route type, the name of its split
/// module, and the view it renders.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident, $module:ident => $view:expr;)*) => {$(
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                #[::leptos::lazy($module)]
                #[allow(non_snake_case)]
                fn $route() -> AnyView {
                    $view.into_any()
                }
                $route().await
            }
        }
    )*};
}

use super::{
    access, audit, call, calls, candidacy, communes, experiments, invitations, legal, manage,
    members, mine, operations, organisation, partners, scoring, tenants,
};

lazy_pages! {
    /// The application form of a call.
    ApplicationPage, candidat => view! { <calls::ApplicationPage /> };
    /// A reviewer's assignments.
    Reviews, evaluation => view! { <calls::Reviews /> };
    /// The scoring form.
    ScoringPage, evaluation => view! { <scoring::ScoringPage /> };
    /// A commune's members.
    Members, gestion => view! { <members::Members /> };
    /// A commune's candidacies to the programme.
    CommuneCampaigns, gestion => view! { <candidacy::CommuneCampaigns /> };
    /// One candidacy form.
    CandidacyPage, gestion => view! { <candidacy::CandidacyPage /> };
    /// The partner organisation's profile.
    OrganisationPage, candidat => view! { <organisation::OrganisationPage /> };
    /// The programme's calls for communes.
    Campaigns, gestion => view! { <manage::Campaigns /> };
    /// One call for communes and its candidacies.
    CampaignPage, gestion => view! { <manage::CampaignPage /> };
    /// The calls a commune or the programme runs.
    ManagedCalls, gestion => view! { <manage::ManagedCalls /> };
    /// The selection of one call.
    SelectionPage, gestion => view! { <manage::SelectionPage /> };
    /// A district's editor.
    DistrictPage, gestion => view! { <manage::DistrictPage /> };
    /// The account's pending invitations to join an organisation.
    Invitations, candidat => view! { <invitations::Invitations /> };
    /// The organisation's applications.
    MyApplications, candidat => view! { <mine::MyApplications /> };
    /// A decision letter.
    LetterPage, candidat => view! { <mine::LetterPage /> };
    /// The registry of communes (programme operator) and the tenants
    /// (hosting operator); one loader for both, each picked by its path.
    Operators, gestion => view! { <OperatorPages /> };
    /// What is followed after the fact (issue 18): a commune's audit trail,
    /// the platform's, and the hosting operator's figures ("Exploitation");
    /// one loader, each picked by its path. A module of its own: these pages
    /// are opened seldom, the management pages often.
    Suivi, suivi => view! { <SuiviPages /> };
    /// Invitation links, sign-up, e-mail confirmation, password reset, the
    /// account page, "Mes données", the notifications and the programme
    /// team's invitations (one loader for them all, each picked by its path).
    Compte, compte => view! { <access::AccountPages /> };
    /// The legal pages (one loader for the four of them, each picked by its
    /// path: every lazy page costs the first download its loader).
    Informations, informations => view! { <legal::LegalPage /> };
    /// A call's page and a commune's page (one loader for both, each picked by
    /// its path), out of the first download.
    Public, public => view! { <PublicPage /> };
    /// The experiments' "Mon espace" pages: a commune's experiments, one
    /// experiment's management page, "Mes expérimentations", the programme's
    /// dashboard, the timelines (one loader, each picked by its path).
    Experimentations, experimentations => view! { <experiments::SpacePages /> };
    /// The partner directory: the public search, an organisation's page (with
    /// the notes and curation of those who keep them), the programme team's
    /// directory (one loader, each picked by its path).
    Annuaire, annuaire => view! { <partners::Pages /> };
}

/// `/appels/:id`, `/communes/:insee` or `/experimentations[/:id]`, by the path.
#[component]
fn PublicPage() -> impl IntoView {
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    if path.starts_with("/experimentations") {
        view! { <experiments::PublicPages /> }.into_any()
    } else if path.starts_with("/appels/") {
        view! { <call::CallPage /> }.into_any()
    } else {
        view! { <communes::CommunePage /> }.into_any()
    }
}

/// `/espace/registre` or `/espace/locataires`, by the path.
#[component]
fn OperatorPages() -> impl IntoView {
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let hosting = path.trim_end_matches('/') == "/espace/locataires";
    view! { <tenants::Tenants hosting /> }
}

/// `/espace/communes/:insee/journal` (the trail follows a change of commune),
/// `/espace/journal` or `/espace/exploitation`, by the path.
#[component]
fn SuiviPages() -> impl IntoView {
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    match path.trim_end_matches('/') {
        "/espace/journal" => view! { <audit::PlatformAudit /> }.into_any(),
        "/espace/exploitation" => view! { <operations::Operations /> }.into_any(),
        _ => {
            let params = leptos_router::hooks::use_params_map();
            (move || {
                let insee = params.read().get("insee").unwrap_or_default();
                view! { <audit::CommuneAudit insee /> }
            })
            .into_any()
        }
    }
}
