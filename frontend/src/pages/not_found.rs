//! Fallback page for unknown client-side routes.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;
use crate::t;

/// "Page introuvable", with a way back home.
#[component]
pub fn NotFound() -> impl IntoView {
    let i = use_i18n();
    view! {
        <section class="not-found" aria-labelledby="titre-404">
            <p class="eyebrow">{t!(i, "Erreur 404", "Error 404")}</p>
            <h1 id="titre-404">{t!(i, "Page introuvable", "Page not found")}</h1>
            <p>{t!(i, "L'adresse demandée ne correspond à aucune page de la plateforme.", "This address matches no page of the platform.")}</p>
            <p><A href="/">{t!(i, "Retour à l'accueil", "Back to the home page")}</A></p>
        </section>
    }
}
