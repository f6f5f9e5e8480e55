//! An indicator's measurements over time as an SVG line, with its baseline
//! and its target as horizontal lines. No text inside the drawing (it scales
//! with the page's width): the figures are in the legend under it and in a
//! table for screen readers.

use leptos::prelude::*;
use qmi_api::experiments::Day;

use crate::fmt;
use crate::i18n::use_i18n;
use crate::t;

/// Width of the drawing's coordinates.
pub const WIDTH: f64 = 600.0;
/// Height of the drawing's coordinates.
pub const HEIGHT: f64 = 200.0;
/// Margin inside the drawing.
const PAD: f64 = 10.0;

/// Where the line, its points, the baseline and the target fall in a
/// [`WIDTH`] × [`HEIGHT`] drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// The line's `d` (empty without points).
    pub path: String,
    /// Each point's (x, y).
    pub dots: Vec<(f64, f64)>,
    /// The baseline's y.
    pub baseline_y: f64,
    /// The target's y.
    pub target_y: f64,
    /// The values at the bottom and at the top of the drawing.
    pub range: (f64, f64),
}

/// Scales `points` (days since 1970, value), the baseline and the target into
/// the drawing: time runs left to right from the first point to the last (one
/// point sits in the middle); the values span from the lowest to the highest
/// of points, baseline and target, with 5 % to spare each way (a flat series
/// gets ±1).
pub fn line_geometry(points: &[(i64, f64)], baseline: f64, target: f64) -> Geometry {
    let values = points.iter().map(|(_, v)| *v).chain([baseline, target]);
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !(high - low).is_normal() || high - low < 1e-9 {
        low -= 1.0;
        high += 1.0;
    } else {
        let spare = (high - low) * 0.05;
        low -= spare;
        high += spare;
    }
    let y = |v: f64| PAD + (high - v) / (high - low) * (HEIGHT - 2.0 * PAD);
    let first = points.iter().map(|(d, _)| *d).min().unwrap_or(0);
    let last = points.iter().map(|(d, _)| *d).max().unwrap_or(0);
    let x = |d: i64| {
        if last == first {
            WIDTH / 2.0
        } else {
            PAD + (d - first) as f64 / (last - first) as f64 * (WIDTH - 2.0 * PAD)
        }
    };
    let mut sorted = points.to_vec();
    sorted.sort_by_key(|(d, _)| *d);
    let dots: Vec<(f64, f64)> = sorted.iter().map(|(d, v)| (x(*d), y(*v))).collect();
    let path = dots
        .iter()
        .enumerate()
        .map(|(n, (px, py))| format!("{}{px:.1} {py:.1}", if n == 0 { "M" } else { " L" }))
        .collect();
    Geometry {
        path,
        dots,
        baseline_y: y(baseline),
        target_y: y(target),
        range: (low, high),
    }
}

/// The chart of one indicator: `id` names it (its heading's id is `{id}-titre`).
#[component]
pub fn LineChart(
    /// Element id prefix.
    id: String,
    /// The indicator's name (the heading above, by id).
    labelled_by: String,
    /// Unit.
    unit: String,
    /// Baseline.
    baseline: f64,
    /// Target.
    target: f64,
    /// (day, value), in any order.
    points: Vec<(Day, f64)>,
) -> impl IntoView {
    let i = use_i18n();
    let days: Vec<(i64, f64)> = points.iter().map(|(d, v)| (d.days(), *v)).collect();
    let g = line_geometry(&days, baseline, target);
    let (w, h) = (WIDTH, HEIGHT);
    let dots = g
        .dots
        .iter()
        .map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" class="xp-dot"></circle> })
        .collect_view();
    let unit_b = unit.clone();
    let unit_t = unit.clone();
    let with_unit = move |x: f64, unit: &str| {
        let v = super::value(x, i.lang());
        if unit.is_empty() {
            v
        } else {
            format!("{v} {unit}")
        }
    };
    let last = points.iter().max_by_key(|(d, _)| *d).cloned();
    let unit_l = unit.clone();
    let mut rows = points.clone();
    rows.sort_by_key(|(d, _)| *d);
    let unit_r = unit.clone();
    let described = format!("{id}-legende");
    view! {
        <figure class="xp-chart" id=id.clone()>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=format!("{labelled_by} {described}") preserveAspectRatio="xMidYMid meet">
                <rect x="0" y="0" width=w height=h class="xp-chart-frame"></rect>
                <line x1="0" x2=w y1=format!("{:.1}", g.baseline_y) y2=format!("{:.1}", g.baseline_y) class="xp-baseline"></line>
                <line x1="0" x2=w y1=format!("{:.1}", g.target_y) y2=format!("{:.1}", g.target_y) class="xp-target"></line>
                <path d=g.path.clone() class="xp-line"></path>
                {dots}
            </svg>
            <figcaption class="xp-legend" id=described>
                <span class="xp-key xp-key-baseline">{t!(i, "Référence : ", "Baseline: ")}{move || with_unit(baseline, &unit_b)}</span>
                <span class="xp-key xp-key-target">{t!(i, "Objectif : ", "Target: ")}{move || with_unit(target, &unit_t)}</span>
                {match last {
                    Some((d, v)) => view! {
                        <span class="xp-key xp-key-line">{t!(i, "Dernière mesure : ", "Latest measurement: ")}{move || format!("{} ({})", with_unit(v, &unit_l), fmt::date(&d.to_string(), i.lang()))}</span>
                    }.into_any(),
                    None => view! { <span class="xp-key">{t!(i, "Aucune mesure pour l'instant.", "No measurement yet.")}</span> }.into_any(),
                }}
            </figcaption>
            <table class="visually-hidden">
                <caption>{t!(i, "Mesures", "Measurements")}</caption>
                <thead><tr><th scope="col">{t!(i, "Date", "Date")}</th><th scope="col">{t!(i, "Valeur", "Value")}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(d, v)| {
                        let unit = unit_r.clone();
                        view! { <tr><th scope="row">{move || fmt::date(&d.to_string(), i.lang())}</th><td>{move || with_unit(v, &unit)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_time_and_values_into_the_drawing() {
        let g = line_geometry(&[(10, 0.0), (20, 10.0), (30, 5.0)], 0.0, 10.0);
        // 0..10 with 5 % spare: -0.5..10.5.
        assert_eq!(g.range, (-0.5, 10.5));
        assert_eq!(g.dots.len(), 3);
        assert_eq!(g.dots[0].0, PAD);
        assert_eq!(g.dots[2].0, WIDTH - PAD);
        assert!((g.dots[1].0 - WIDTH / 2.0).abs() < 1e-9);
        // Higher values are higher up (smaller y).
        assert!(g.dots[1].1 < g.dots[2].1 && g.dots[2].1 < g.dots[0].1);
        assert!((g.target_y - g.dots[1].1).abs() < 1e-9);
        assert!((g.baseline_y - g.dots[0].1).abs() < 1e-9);
        assert!(g.path.starts_with("M10.0 "));
        assert_eq!(g.path.matches(" L").count(), 2);
    }

    #[test]
    fn sorts_points_by_day() {
        let g = line_geometry(&[(30, 1.0), (10, 3.0)], 2.0, 2.0);
        assert_eq!(g.dots[0].0, PAD);
        assert_eq!(g.dots[1].0, WIDTH - PAD);
    }

    #[test]
    fn one_point_sits_in_the_middle_and_flat_series_get_room() {
        let g = line_geometry(&[(5, 7.0)], 7.0, 7.0);
        assert_eq!(g.range, (6.0, 8.0));
        assert_eq!(g.dots, vec![(WIDTH / 2.0, HEIGHT / 2.0)]);
        assert_eq!(g.path, format!("M{:.1} {:.1}", WIDTH / 2.0, HEIGHT / 2.0));
    }

    #[test]
    fn no_points_still_draws_baseline_and_target() {
        let g = line_geometry(&[], 100.0, 50.0);
        assert!(g.path.is_empty());
        assert!(g.dots.is_empty());
        // The target (lower) sits under the baseline.
        assert!(g.target_y > g.baseline_y);
        assert!(g.baseline_y >= PAD && g.target_y <= HEIGHT - PAD);
    }
}
