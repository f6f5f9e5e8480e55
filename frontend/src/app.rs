//! The application shell: header with navigation and language switch, routes, footer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::{
    Lazy,
    components::{A, Route, Router, Routes},
    hooks::use_navigate,
    path,
};
use qmi_api::identity::Lang;

use crate::i18n::{self, use_i18n};
use crate::pages::{
    calls::{CallPage, Calls},
    communes::{CommunePage, Communes},
    home::Home,
    lazy,
    not_found::NotFound,
    signin::SignIn,
    space::Space,
};
use crate::session::{self, use_session};
use crate::t;

/// Root component: the page frame around the routed content.
#[component]
pub fn App() -> impl IntoView {
    let i = i18n::provide();
    session::provide();
    crate::registry::provide_names();
    view! {
        <Router>
            <a class="skip-link" href="#contenu">{t!(i, "Aller au contenu", "Skip to content")}</a>
            <Header />
            <main id="contenu" class="wrap" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/communes") view=Communes />
                    <Route path=path!("/communes/:insee") view=CommunePage />
                    <Route path=path!("/appels") view=Calls />
                    <Route path=path!("/appels/:id") view=CallPage />
                    <Route path=path!("/appels/:id/candidature") view={Lazy::<lazy::ApplicationPage>::new()} />
                    <Route path=path!("/espace/evaluations") view={Lazy::<lazy::Reviews>::new()} />
                    <Route path=path!("/espace/evaluations/:id") view={Lazy::<lazy::ScoringPage>::new()} />
                    <Route path=path!("/connexion") view=SignIn />
                    <Route path=path!("/espace") view=Space />
                    <Route path=path!("/espace/communes/:insee") view={Lazy::<lazy::Members>::new()} />
                    <Route path=path!("/espace/communes/:insee/candidatures") view={Lazy::<lazy::CommuneCampaigns>::new()} />
                    <Route path=path!("/espace/communes/:insee/candidatures/:campaign") view={Lazy::<lazy::CandidacyPage>::new()} />
                    <Route path=path!("/espace/organisation") view={Lazy::<lazy::OrganisationPage>::new()} />
                    <Route path=path!("/espace/invitations") view={Lazy::<lazy::Invitations>::new()} />
                    <Route path=path!("/espace/campagnes") view={Lazy::<lazy::Campaigns>::new()} />
                    <Route path=path!("/espace/campagnes/:id") view={Lazy::<lazy::CampaignPage>::new()} />
                    <Route path=path!("/espace/appels") view={Lazy::<lazy::ManagedCalls>::new()} />
                    <Route path=path!("/espace/appels/:id") view={Lazy::<lazy::SelectionPage>::new()} />
                    <Route path=path!("/espace/quartiers/:insee") view={Lazy::<lazy::DistrictPage>::new()} />
                    <Route path=path!("/espace/candidatures") view={Lazy::<lazy::MyApplications>::new()} />
                    <Route path=path!("/espace/candidatures/:id/lettre") view={Lazy::<lazy::LetterPage>::new()} />
                    <Route path=path!("/espace/registre") view={Lazy::<lazy::Registry>::new()} />
                    <Route path=path!("/espace/annuaire") view={Lazy::<lazy::Directory>::new()} />
                    <Route path=path!("/espace/locataires") view={Lazy::<lazy::Tenants>::new()} />
                </Routes>
            </main>
            <footer class="site-footer">
                <div class="wrap">
                    <p>{t!(i, "Métropole du Grand Paris — programme QMI", "Greater Paris Metropolis — QMI programme")}</p>
                </div>
            </footer>
        </Router>
    }
}

/// Brand, main navigation, account and language.
#[component]
fn Header() -> impl IntoView {
    let i = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.sign_out().await;
            navigate("/", Default::default());
        });
    };
    let other = move || match i.lang() {
        Lang::Fr => Lang::En,
        Lang::En => Lang::Fr,
    };
    view! {
        <header class="site-header">
            <div class="wrap header-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"QMI"</span>
                    <span class="brand-name">{t!(i, "Quartiers Métropolitains d'Innovation", "Metropolitan Innovation Districts")}</span>
                </A>
                <nav aria-label=t!(i, "Navigation principale", "Main navigation") class="main-nav">
                    <ul>
                        <li><A href="/communes">{t!(i, "Communes", "Communes")}</A></li>
                        <li><A href="/appels">{t!(i, "Appels", "Calls")}</A></li>
                        {move || if session.me.with(Option::is_some) {
                            view! {
                                <li><A href="/espace">{t!(i, "Mon espace", "My space")}</A></li>
                                <li><button type="button" class="link-button" id="deconnexion" on:click=sign_out.clone()>
                                    {t!(i, "Se déconnecter", "Sign out")}
                                </button></li>
                            }.into_any()
                        } else {
                            view! { <li><A href="/connexion">{t!(i, "Connexion", "Sign in")}</A></li> }.into_any()
                        }}
                        <li>
                            <button type="button" class="lang-switch" id="langue"
                                lang=move || other().as_str()
                                on:click=move |_| i.set(other())>
                                {move || match other() { Lang::En => "English", Lang::Fr => "Français" }}
                            </button>
                        </li>
                    </ul>
                </nav>
            </div>
        </header>
    }
}
