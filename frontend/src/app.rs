//! The application shell: header with navigation and language switch, routes, footer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::{
    Lazy,
    components::{A, Route, Router, Routes},
    hooks::{use_location, use_navigate},
    path,
};
use qmi_api::identity::Lang;
use qmi_api::notifications::Unread;

use crate::i18n::{self, use_i18n};
use crate::pages::{
    calls::Calls, communes::Communes, home::Home, lazy, not_found::NotFound, signin::SignIn,
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
                    <Route path=path!("/communes/:insee") view={Lazy::<lazy::Public>::new()} />
                    <Route path=path!("/appels") view=Calls />
                    <Route path=path!("/appels/:id") view={Lazy::<lazy::Public>::new()} />
                    <Route path=path!("/appels/:id/candidature") view={Lazy::<lazy::ApplicationPage>::new()} />
                    <Route path=path!("/experimentations") view={Lazy::<lazy::Public>::new()} />
                    <Route path=path!("/experimentations/:id") view={Lazy::<lazy::Public>::new()} />
                    <Route path=path!("/espace/experimentations") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/experimentations/:id") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/experimentations/:id/chronologie") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/candidatures/:id/chronologie") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/communes/:insee/experimentations") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/programme/experimentations") view={Lazy::<lazy::Experimentations>::new()} />
                    <Route path=path!("/espace/evaluations") view={Lazy::<lazy::Reviews>::new()} />
                    <Route path=path!("/espace/evaluations/:id") view={Lazy::<lazy::ScoringPage>::new()} />
                    <Route path=path!("/connexion") view=SignIn />
                    <Route path=path!("/espace") view=Space />
                    <Route path=path!("/espace/communes/:insee") view={Lazy::<lazy::Members>::new()} />
                    <Route path=path!("/espace/communes/:insee/journal") view={Lazy::<lazy::Suivi>::new()} />
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
                    <Route path=path!("/espace/registre") view={Lazy::<lazy::Operators>::new()} />
                    <Route path=path!("/espace/journal") view={Lazy::<lazy::Suivi>::new()} />
                    <Route path=path!("/espace/annuaire") view={Lazy::<lazy::Annuaire>::new()} />
                    <Route path=path!("/annuaire") view={Lazy::<lazy::Annuaire>::new()} />
                    <Route path=path!("/annuaire/:id") view={Lazy::<lazy::Annuaire>::new()} />
                    <Route path=path!("/espace/locataires") view={Lazy::<lazy::Operators>::new()} />
                    <Route path=path!("/espace/exploitation") view={Lazy::<lazy::Suivi>::new()} />
                    <Route path=path!("/invitation/:token") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/inscription") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/confirmer/:token") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/mot-de-passe-oublie") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/reinitialiser/:token") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/espace/compte") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/espace/compte/donnees") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/espace/notifications") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/espace/equipe") view={Lazy::<lazy::Compte>::new()} />
                    <Route path=path!("/mentions-legales") view={Lazy::<lazy::Informations>::new()} />
                    <Route path=path!("/confidentialite") view={Lazy::<lazy::Informations>::new()} />
                    <Route path=path!("/conditions") view={Lazy::<lazy::Informations>::new()} />
                    <Route path=path!("/accessibilite") view={Lazy::<lazy::Informations>::new()} />
                </Routes>
            </main>
            <footer class="site-footer">
                <div class="wrap">
                    <nav aria-label=t!(i, "Informations légales", "Legal information")>
                        <ul class="footer-links">
                            <li><A href="/mentions-legales">{t!(i, "Mentions légales", "Legal notice")}</A></li>
                            <li><A href="/confidentialite">{t!(i, "Données personnelles", "Personal data")}</A></li>
                            <li><A href="/conditions">{t!(i, "Conditions d'utilisation", "Terms of use")}</A></li>
                            <li><A href="/accessibilite">{t!(i, "Accessibilité : partiellement conforme", "Accessibility: partially compliant")}</A></li>
                        </ul>
                    </nav>
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
                        <li><A href="/experimentations">{t!(i, "Expérimentations", "Experiments")}</A></li>
                        <li><A href="/annuaire">{t!(i, "Annuaire", "Directory")}</A></li>
                        {move || if session.me.with(Option::is_some) {
                            view! {
                                <li><A href="/espace">{t!(i, "Mon espace", "My space")}</A></li>
                                <li><UnreadCount /></li>
                                <li><button type="button" class="link-button" id="deconnexion" on:click=sign_out.clone()>
                                    {t!(i, "Se déconnecter", "Sign out")}
                                </button></li>
                            }.into_any()
                        } else {
                            view! { <li><A href=crate::pages::signin::sign_in_here()>{t!(i, "Connexion", "Sign in")}</A></li> }.into_any()
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

/// The link to "Mes notifications" with the count of unread ones, read again
/// on every navigation and every minute.
#[component]
fn UnreadCount() -> impl IntoView {
    let i = use_i18n();
    let location = use_location();
    let tick = RwSignal::new(0u32);
    UNREAD_TICK.with(|t| t.set(Some(tick)));
    every_minute(tick);
    let unread = crate::api::load(move || {
        location.pathname.track();
        tick.track();
        Some("/api/notifications/unread".to_owned())
    });
    let count = move || {
        crate::api::read::<Unread>(&unread)
            .and_then(Result::ok)
            .map_or(0, |u| u.unread)
    };
    // The name read out is the visible text: "Notifications 3 non lues".
    view! {
        <A href="/espace/notifications" attr:id="notifications-non-lues">
            {t!(i, "Notifications", "Notifications")}
            {move || match count() {
                0 => None,
                n => Some(view! {
                    " "<span class="count-badge">{n}<span class="visually-hidden">{move || match (n, i.lang()) {
                        (1, Lang::Fr) => " non lue",
                        (_, Lang::Fr) => " non lues",
                        (_, Lang::En) => " unread",
                    }}</span></span>
                }),
            }}
        </A>
    }
}

thread_local! {
    /// The header's count reads again when this is bumped.
    static UNREAD_TICK: std::cell::Cell<Option<RwSignal<u32>>> = const { std::cell::Cell::new(None) };
}

/// Reads the count of unread notifications again (after some were read).
pub fn recount_unread() {
    if let Some(tick) = UNREAD_TICK.with(std::cell::Cell::get) {
        let _ = tick.try_update(|t| *t = t.wrapping_add(1));
    }
}

/// Bumps `tick` every minute while it lives.
fn every_minute(tick: RwSignal<u32>) {
    set_timeout(
        move || {
            if tick.try_update(|t| *t = t.wrapping_add(1)).is_some() {
                every_minute(tick);
            }
        },
        std::time::Duration::from_secs(60),
    );
}
