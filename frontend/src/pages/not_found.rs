//! Fallback page for unknown client-side routes.

use leptos::prelude::*;
use leptos_router::components::A;

/// "Page introuvable", with a way back home.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="not-found" aria-labelledby="titre-404">
            <p class="eyebrow">"Erreur 404"</p>
            <h1 id="titre-404">"Page introuvable"</h1>
            <p>"L'adresse demandée ne correspond à aucune page de la plateforme."</p>
            <p><A href="/">"Retour à l'accueil"</A></p>
        </section>
    }
}
