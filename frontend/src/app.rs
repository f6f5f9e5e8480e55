//! The application shell: header, routes and footer.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};

use crate::pages::{home::Home, not_found::NotFound};

/// Root component: the page frame around the routed content.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip-link" href="#contenu">"Aller au contenu"</a>
            <header class="site-header">
                <div class="wrap">
                    <A href="/" attr:class="brand">
                        <span class="brand-mark" aria-hidden="true">"QMI"</span>
                        <span class="brand-name">"Quartiers Métropolitains d'Innovation"</span>
                    </A>
                </div>
            </header>
            <main id="contenu" class="wrap" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                </Routes>
            </main>
            <footer class="site-footer">
                <div class="wrap">
                    <p>"Métropole du Grand Paris — programme QMI"</p>
                </div>
            </footer>
        </Router>
    }
}
