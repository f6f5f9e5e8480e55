//! Home page: what the programme is, and whether the platform is up.

use leptos::prelude::*;

use crate::health;

/// The programme in a few lines, and a live status line.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="intro" aria-labelledby="titre">
            <p class="eyebrow">"Métropole du Grand Paris"</p>
            <h1 id="titre">"QMI — Quartiers Métropolitains d'Innovation"</h1>
            <p class="lead">
                "Des communes de la Métropole du Grand Paris accueillent des quartiers "
                "d'innovation. Startups, associations et entreprises y testent leurs "
                "solutions pendant 18 mois, avec les habitants et les habitantes."
            </p>
            <p>
                "Cette plateforme accompagne le programme de bout en bout : appels à "
                "candidatures, sélection, suivi des expérimentations et évaluation de "
                "leurs résultats."
            </p>
            <StatusLine />
        </section>
    }
}

/// Live platform status, read once from `/api/health`.
#[component]
fn StatusLine() -> impl IntoView {
    let status = LocalResource::new(health::fetch);
    view! {
        <p class="status" role="status" aria-live="polite">
            {move || match status.get() {
                None => view! {
                    <span class="dot dot-pending" aria-hidden="true"></span>
                    <span>"Vérification de la plateforme…"</span>
                }
                .into_any(),
                Some(Ok(h)) if h.status == "ok" => view! {
                    <span class="dot dot-ok" aria-hidden="true"></span>
                    <span>{format!("Plateforme opérationnelle — version {}", h.version)}</span>
                }
                .into_any(),
                Some(Ok(h)) => view! {
                    <span class="dot dot-error" aria-hidden="true"></span>
                    <span>{format!("Plateforme dégradée (état : {})", h.status)}</span>
                }
                .into_any(),
                Some(Err(e)) => view! {
                    <span class="dot dot-error" aria-hidden="true"></span>
                    <span>{format!("Plateforme injoignable : {e}")}</span>
                }
                .into_any(),
            }}
        </p>
    }
}
