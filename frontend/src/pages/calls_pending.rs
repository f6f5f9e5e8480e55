//! Stand-ins for the calls pages while they are left out of the default build
//! (feature `calls`, see frontend/Cargo.toml): same routes, a short notice.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::t;

#[component]
fn Pending() -> impl IntoView {
    let i = use_i18n();
    view! {
        <section aria-labelledby="titre-bientot">
            <h1 id="titre-bientot">{t!(i, "Appels à solutions", "Calls for solutions")}</h1>
            <p>{t!(i, "Cette partie de la plateforme arrive bientôt.", "This part of the platform is coming soon.")}</p>
        </section>
    }
}

/// `/appels`.
#[component]
pub fn Calls() -> impl IntoView {
    view! { <Pending /> }
}

/// `/appels/:id`.
#[component]
pub fn CallPage() -> impl IntoView {
    view! { <Pending /> }
}

/// `/appels/:id/candidature`.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    view! { <Pending /> }
}

/// `/espace/evaluations`.
#[component]
pub fn Reviews() -> impl IntoView {
    view! { <Pending /> }
}

/// `/espace/evaluations/:id`.
#[component]
pub fn ScoringPage() -> impl IntoView {
    view! { <Pending /> }
}
