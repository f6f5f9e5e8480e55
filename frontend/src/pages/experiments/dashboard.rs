//! `/espace/programme/experimentations`: the programme's dashboard over every
//! experiment (programme operators), with SVG charts.

use leptos::prelude::*;
use leptos_router::components::A;
use qmi_api::PlatformRole;
use qmi_api::experiments::{AxisAverage, ExperimentStatus, ProgrammeFigures};
use qmi_api::identity::Me;

use super::{axis_label, status_label};
use crate::api;
use crate::fmt;
use crate::i18n::use_i18n;
use crate::map::ProgrammeMap;
use crate::pages::space::SignedInFor;
use crate::t;
use crate::ui::{BarChart, ErrorNotice, Loading};

/// The programme's dashboard.
#[component]
pub fn ProgrammeDashboard() -> impl IntoView {
    view! {
        <SignedInFor allowed=|me: &Me| me.platform_roles.contains(&PlatformRole::Programme)
            page=|_me: Me| view! { <Dashboard /> } />
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let i = use_i18n();
    let loaded = api::load(|| Some("/api/experiments/programme/figures".to_owned()));
    view! {
        <section aria-labelledby="titre-tableau-de-bord">
            <p><A href="/espace">{t!(i, "← Mon espace", "← My space")}</A></p>
            <h1 id="titre-tableau-de-bord">{t!(i, "Expérimentations : tableau de bord du programme", "Experiments: the programme's dashboard")}</h1>
            {move || match api::read::<ProgrammeFigures>(&loaded) {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e /> }.into_any(),
                Some(Ok(f)) => view! { <FiguresView f /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FiguresView(f: ProgrammeFigures) -> impl IntoView {
    let i = use_i18n();
    let names = crate::registry::use_names();
    names.want(f.by_commune.iter().map(|c| c.key.as_str()));
    let kpi = |fr: &'static str,
               en: &'static str,
               key: &'static str,
               text: Box<dyn Fn() -> String + Send + Sync>| {
        view! {
            <div class="kpi"><dt>{t!(i, fr, en)}</dt><dd data-figure=key>{move || text()}</dd></div>
        }
    };
    let n = move |x: u32| -> Box<dyn Fn() -> String + Send + Sync> {
        Box::new(move || fmt::integer(u64::from(x), i.lang()))
    };
    let permille = f.deployed_permille;
    let statuses: Vec<(String, u64)> = f
        .by_status
        .iter()
        .filter_map(|c| {
            ExperimentStatus::parse(&c.key)
                .map(|s| (status_label(s, i.lang()).to_owned(), u64::from(c.count)))
        })
        .collect();
    let themes: Vec<(String, u64)> = f
        .by_theme
        .iter()
        .map(|c| (c.key.clone(), u64::from(c.count)))
        .collect();
    let by_commune = f.by_commune.clone();
    let map_counts = f.by_commune.clone();
    let grid = f.grid.clone();
    view! {
        <dl class="kpis">
            {kpi("Expérimentations", "Experiments", "total", n(f.total))}
            {kpi("Déployées ou essaimées (sur les terminées)", "Deployed or spread (of those concluded)", "deployed", Box::new(move || format!("{}\u{202f}%", fmt::decimal(f64::from(permille) / 10.0, 1, i.lang()))))}
            {kpi("Essaimages", "Spreads", "spread", n(f.spread))}
            {kpi("Communes d'essaimage", "Communes spread to", "spread_communes", n(f.spread_communes))}
            {kpi("Jalons en retard", "Milestones late", "milestones_late", n(f.milestones_late))}
            {kpi("Rapports en retard", "Reports overdue", "reports_overdue", n(f.reports_overdue))}
            {kpi("Avis à modérer", "Feedback to moderate", "feedback_waiting", n(f.feedback_waiting))}
        </dl>
        <div class="charts">
            <div>
                <h2 id="graphe-statuts">{t!(i, "Par statut", "By status")}</h2>
                <BarChart labelled_by="graphe-statuts" bars=statuses />
            </div>
            <div>
                <h2 id="graphe-themes">{t!(i, "Par thème", "By theme")}</h2>
                <BarChart labelled_by="graphe-themes" bars=themes />
            </div>
            <div>
                <h2 id="graphe-communes">{t!(i, "Par commune", "By commune")}</h2>
                {move || view! { <BarChart labelled_by="graphe-communes" bars=by_commune.iter().map(|c| (names.label(&c.key), u64::from(c.count))).collect() /> }}
            </div>
            <div>
                <h2 id="graphe-grille">{t!(i, "Grille d'évaluation : moyennes par axe", "Evaluation grid: averages per axis")}</h2>
                <GridChart labelled_by="graphe-grille" grid />
            </div>
        </div>
        <section aria-labelledby="titre-carte-programme">
            <h2 id="titre-carte-programme">{t!(i, "Carte des expérimentations", "Map of the experiments")}</h2>
            <p class="muted">{t!(i,
                "Chaque commune est colorée selon son statut dans le programme, avec le nombre de ses expérimentations (publiées ou non) et les périmètres des quartiers d'innovation.",
                "Each commune is coloured by its status in the programme, with its number of experiments (published or not) and the innovation districts' perimeters.")}</p>
            <ProgrammeMap counts=Signal::stored(map_counts) />
        </section>
    }
}

/// The width of a bar for an average score out of 5, as an SVG percentage
/// (tenths); a missing score draws nothing.
pub fn score_width(average: Option<f64>) -> Option<String> {
    let a = average?.clamp(0.0, 5.0);
    let tenths = (a * 200.0).round() as u32; // a / 5 × 1000
    Some(format!("{}.{}%", tenths / 10, tenths % 10))
}

/// Two bars per axis, the commune's and the programme's average, side by side,
/// with the figures as a table for screen readers.
#[component]
fn GridChart(labelled_by: &'static str, grid: Vec<AxisAverage>) -> impl IntoView {
    let i = use_i18n();
    const ROW_H: usize = 64;
    let height = ROW_H * grid.len() + 24;
    let shown =
        move |a: Option<f64>| a.map_or_else(|| "—".to_owned(), |a| fmt::decimal(a, 1, i.lang()));
    let rows = grid
        .iter()
        .enumerate()
        .map(|(n, g)| {
            let top = 24 + n * ROW_H;
            let (axis, commune, programme) = (g.axis, g.commune, g.programme);
            view! {
                <g>
                    <text x="0" y=top + 14 class="chart-label">{move || axis_label(axis, i.lang())}</text>
                    <text x="100%" y=top + 14 text-anchor="end" class="chart-value">{move || format!("{} · {}", shown(commune), shown(programme))}</text>
                    {score_width(commune).map(|w| view! { <rect x="0" y=top + 20 width=w height="12" rx="3" class="chart-bar"></rect> })}
                    {score_width(programme).map(|w| view! { <rect x="0" y=top + 36 width=w height="12" rx="3" class="xp-bar-programme"></rect> })}
                </g>
            }
        })
        .collect_view();
    let table_rows = grid
        .into_iter()
        .map(|g| {
            let axis = g.axis;
            view! { <tr><th scope="row">{move || axis_label(axis, i.lang())}</th><td>{shown(g.commune)}</td><td>{shown(g.programme)}</td></tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <p class="xp-legend" aria-hidden="true">
                <span class="xp-key xp-key-commune">{t!(i, "Commune", "Commune")}</span>
                <span class="xp-key xp-key-programme">{t!(i, "Équipe du programme", "Programme team")}</span>
                <span class="muted small">{t!(i, "(sur 5)", "(out of 5)")}</span>
            </p>
            <svg width="100%" height=height role="img" aria-labelledby=labelled_by>
                {rows}
            </svg>
            // Hidden in a box of its own: a table is never narrower than its rows.
            <div class="visually-hidden">
                <table aria-labelledby=labelled_by>
                    <thead><tr><th scope="col">{t!(i, "Axe", "Axis")}</th><th scope="col">{t!(i, "Commune (sur 5)", "Commune (out of 5)")}</th><th scope="col">{t!(i, "Programme (sur 5)", "Programme (out of 5)")}</th></tr></thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::score_width;

    #[test]
    fn grid_bars_are_a_share_of_five() {
        assert_eq!(score_width(Some(5.0)).as_deref(), Some("100.0%"));
        assert_eq!(score_width(Some(2.5)).as_deref(), Some("50.0%"));
        assert_eq!(score_width(Some(3.33)).as_deref(), Some("66.6%"));
        assert_eq!(score_width(Some(7.0)).as_deref(), Some("100.0%"));
        assert_eq!(score_width(None), None);
    }
}
