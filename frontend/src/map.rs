//! The Métropole's communes drawn as one SVG map (issue 15): their contours
//! (IGN ADMIN EXPRESS, simplified: `frontend/assets/communes-mgp.geojson`,
//! served at [`COMMUNES_URL`], see `data/README.md`), each filled by its
//! programme status, its number of experiments marked on it, and district
//! perimeters drawn on top. No tile server, no third-party request.
//!
//! The projection is [`crate::geo::outline`]'s, for every commune at once:
//! equirectangular, longitudes narrowed by the cosine of the mean latitude,
//! north up. Coordinates are rounded to whole units of a 1000-unit box (about
//! 50 m on the ground): shared borders stay shared, and the paths stay short.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use futures::FutureExt as _;
use futures::future::{LocalBoxFuture, Shared};
use leptos::prelude::*;
use qmi_api::Page;
use qmi_api::experiments::Count;
use qmi_api::geo::Perimeter;
use qmi_api::identity::{Commune, CommuneStatus, Lang};
use serde::Deserialize;
use serde_json::Value;

use crate::fmt;
use crate::i18n::{I18n, use_i18n};
use crate::t;
use crate::ui::{Loading, status_label};

/// Where the bundle serves the communes' contours.
pub const COMMUNES_URL: &str = "/communes-mgp.geojson";

/// The longer side of the map's view box.
pub const SIZE: f64 = 1000.0;

/// One commune's contour: every ring of every polygon, as (longitude, latitude).
#[derive(Clone, Debug, PartialEq)]
pub struct CommuneShape {
    /// INSEE code.
    pub insee: String,
    /// Name, as in the registry.
    pub name: String,
    /// Exterior rings and holes alike (drawn with the even-odd rule).
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// Reads the communes' FeatureCollection: `properties.insee`, `properties.name`,
/// a Polygon or MultiPolygon geometry. What is wrong, naming the feature.
pub fn parse(text: &str) -> Result<Vec<CommuneShape>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let features = value
        .get("features")
        .and_then(Value::as_array)
        .ok_or("not a FeatureCollection")?;
    features
        .iter()
        .enumerate()
        .map(|(n, f)| feature(f).ok_or_else(|| format!("feature {n} is not a commune contour")))
        .collect()
}

fn feature(f: &Value) -> Option<CommuneShape> {
    let properties = f.get("properties")?;
    let text = |key: &str| Some(properties.get(key)?.as_str()?.to_owned());
    let geometry = f.get("geometry")?;
    let coordinates = geometry.get("coordinates")?;
    let polygons: Vec<&Value> = match geometry.get("type")?.as_str()? {
        "Polygon" => vec![coordinates],
        "MultiPolygon" => coordinates.as_array()?.iter().collect(),
        _ => return None,
    };
    let mut rings = Vec::new();
    for polygon in polygons {
        for ring in polygon.as_array()? {
            let ring = ring
                .as_array()?
                .iter()
                .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect::<Option<Vec<_>>>()?;
            if ring.len() < 4 {
                return None;
            }
            rings.push(ring);
        }
    }
    if rings.is_empty() {
        return None;
    }
    Some(CommuneShape {
        insee: text("insee")?,
        name: text("name")?,
        rings,
    })
}

/// The projection shared by every shape of one map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    lon_min: f64,
    lat_max: f64,
    shrink: f64,
    scale: f64,
    /// Width of the view box.
    pub width: f64,
    /// Height of the view box.
    pub height: f64,
}

impl Projection {
    /// The projection fitting these (longitude, latitude) points in a box whose
    /// longer side is `size`; `None` when they have no extent.
    pub fn fit(points: impl Iterator<Item = (f64, f64)>, size: f64) -> Option<Self> {
        let (lon_min, lon_max, lat_min, lat_max) = points.fold(None, |acc, (lon, lat)| {
            Some(match acc {
                None => (lon, lon, lat, lat),
                Some((a, b, c, d)) => (lon.min(a), lon.max(b), lat.min(c), lat.max(d)),
            })
        })?;
        let shrink = ((lat_min + lat_max) / 2.0).to_radians().cos();
        let (w, h) = ((lon_max - lon_min) * shrink, lat_max - lat_min);
        if !(w > 0.0 && h > 0.0) {
            return None;
        }
        let scale = size / w.max(h);
        Some(Self {
            lon_min,
            lat_max,
            shrink,
            scale,
            width: w * scale,
            height: h * scale,
        })
    }

    /// The view box: `0 0 width height`, rounded to whole units.
    pub fn view_box(&self) -> String {
        format!(
            "0 0 {} {}",
            self.width.round() as i64,
            self.height.round() as i64
        )
    }

    /// A point of the box, in whole units, north up.
    pub fn point(&self, lon: f64, lat: f64) -> (i64, i64) {
        (
            ((lon - self.lon_min) * self.shrink * self.scale).round() as i64,
            ((self.lat_max - lat) * self.scale).round() as i64,
        )
    }

    /// The `d` attribute of these rings: one closed sub-path each, repeated
    /// points dropped, rings that round to less than a triangle left out.
    pub fn path<'a>(&self, rings: impl IntoIterator<Item = &'a [(f64, f64)]>) -> String {
        let mut d = String::new();
        for ring in rings {
            let mut points: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
            for &(lon, lat) in ring {
                let p = self.point(lon, lat);
                if points.last() != Some(&p) {
                    points.push(p);
                }
            }
            if points.len() > 1 && points.first() == points.last() {
                points.pop();
            }
            if points.len() < 3 {
                continue;
            }
            for (n, (x, y)) in points.iter().enumerate() {
                let _ = write!(d, "{}{x},{y}", if n == 0 { 'M' } else { 'L' });
            }
            d.push('Z');
        }
        d
    }

    /// A district's perimeter in this box (drawn over the communes).
    pub fn perimeter(&self, perimeter: &Perimeter) -> String {
        let rings: Vec<Vec<(f64, f64)>> = perimeter
            .rings()
            .iter()
            .map(|ring| ring.iter().map(|p| (p.lon, p.lat)).collect())
            .collect();
        self.path(rings.iter().map(Vec::as_slice))
    }

    /// Where a label sits on these rings: the centroid of the largest one (it
    /// may fall outside a strongly concave commune).
    pub fn anchor(&self, rings: &[Vec<(f64, f64)>]) -> Option<(i64, i64)> {
        let projected = |ring: &Vec<(f64, f64)>| -> Vec<(f64, f64)> {
            ring.iter()
                .map(|&(lon, lat)| {
                    (
                        (lon - self.lon_min) * self.shrink * self.scale,
                        (self.lat_max - lat) * self.scale,
                    )
                })
                .collect()
        };
        let (area, (cx, cy)) = rings
            .iter()
            .map(|r| centroid(&projected(r)))
            .max_by(|a, b| a.0.abs().total_cmp(&b.0.abs()))?;
        (area != 0.0).then(|| (cx.round() as i64, cy.round() as i64))
    }
}

/// Signed area and centroid of a closed ring (shoelace).
fn centroid(ring: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut x, mut y) = (0.0, 0.0, 0.0);
    for w in ring.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        x += (x0 + x1) * cross;
        y += (y0 + y1) * cross;
    }
    if a == 0.0 {
        return (0.0, (0.0, 0.0));
    }
    (a / 2.0, (x / (3.0 * a), y / (3.0 * a)))
}

/// One commune ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct CommunePath {
    /// INSEE code.
    pub insee: String,
    /// Name.
    pub name: String,
    /// The `d` attribute of its contour.
    pub d: String,
    /// Where its count is drawn.
    pub anchor: (i64, i64),
}

/// Every commune projected into one view box.
#[derive(Clone, Debug, PartialEq)]
pub struct MapLayout {
    /// The shared projection (for district perimeters).
    pub projection: Projection,
    /// The communes, in the file's order.
    pub communes: Vec<CommunePath>,
}

/// Projects every commune together into a box whose longer side is `size`;
/// `None` when there is nothing to draw.
pub fn layout(shapes: &[CommuneShape], size: f64) -> Option<MapLayout> {
    let points = shapes
        .iter()
        .flat_map(|s| s.rings.iter().flatten().copied());
    let projection = Projection::fit(points, size)?;
    let communes = shapes
        .iter()
        .map(|s| CommunePath {
            insee: s.insee.clone(),
            name: s.name.clone(),
            d: projection.path(s.rings.iter().map(Vec::as_slice)),
            anchor: projection.anchor(&s.rings).unwrap_or((0, 0)),
        })
        .collect();
    Some(MapLayout {
        projection,
        communes,
    })
}

/// What the map shows of one commune.
#[derive(Clone, Debug, PartialEq)]
pub struct MapCommune {
    /// INSEE code.
    pub insee: String,
    /// Its place in the programme: the fill colour.
    pub status: CommuneStatus,
    /// Its number of experiments, marked on it when not zero.
    pub experiments: u32,
}

/// A commune's tooltip and accessible text: name, status, experiments.
fn describe(i: I18n, name: &str, commune: Option<&MapCommune>) -> String {
    match commune {
        None => name.to_owned(),
        Some(c) => format!(
            "{name} — {} — {}",
            status_label(i, c.status),
            experiments(i.lang(), c.experiments)
        ),
    }
}

fn experiments(lang: Lang, n: u32) -> String {
    fmt::count(
        u64::from(n),
        lang,
        ("expérimentation", "expérimentations"),
        ("experiment", "experiments"),
    )
}

/// The contours being fetched or fetched: one request per page load, shared by
/// every map and by [`registry_statuses`] even when they ask at the same time.
type LayoutFuture = Shared<LocalBoxFuture<'static, Result<Rc<MapLayout>, String>>>;

thread_local! {
    /// The projected communes, fetched and parsed once per page load.
    static LAYOUT: RefCell<Option<LayoutFuture>> = const { RefCell::new(None) };
}

/// The communes' layout: fetched from [`COMMUNES_URL`] the first time, then
/// kept (a failure is forgotten: the next map asks again).
async fn load_layout() -> Result<Rc<MapLayout>, String> {
    let pending = LAYOUT.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| fetch_layout().boxed_local().shared())
            .clone()
    });
    let result = pending.await;
    if result.is_err() {
        LAYOUT.with(|l| *l.borrow_mut() = None);
    }
    result
}

async fn fetch_layout() -> Result<Rc<MapLayout>, String> {
    // A public static file: no token, so not through `api` (which adds one).
    let response = gloo_net::http::Request::get(COMMUNES_URL)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok(Rc::new(
        layout(&parse(&text)?, SIZE).ok_or("no commune to draw")?,
    ))
}

/// The most codes one `GET /api/communes?insee=` names (the API's limit).
const CODES_PER_REQUEST: usize = 500;

/// The registry's status of each commune the map draws (`GET /api/communes`
/// with their codes, 500 a request): never a walk through the whole registry.
pub async fn registry_statuses() -> Result<BTreeMap<String, CommuneStatus>, String> {
    let layout = load_layout().await?;
    let codes: Vec<&str> = layout.communes.iter().map(|c| c.insee.as_str()).collect();
    let mut out = BTreeMap::new();
    for batch in codes.chunks(CODES_PER_REQUEST) {
        let path = format!(
            "/api/communes?limit={CODES_PER_REQUEST}&insee={}",
            crate::api::encode(&batch.join(","))
        );
        let page: Page<Commune> = crate::api::get(&path).await.map_err(|e| e.message())?;
        out.extend(
            page.items
                .into_iter()
                .map(|c| (c.insee.to_string(), c.status)),
        );
    }
    Ok(out)
}

/// A district as the map needs it: its perimeter only.
#[derive(Deserialize)]
struct DistrictPerimeter {
    perimeter: Perimeter,
}

/// Every district's perimeter (`GET /api/districts`, 500 a page).
pub async fn district_perimeters() -> Result<Vec<Perimeter>, String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/districts?limit=500".to_owned();
        if let Some(c) = &cursor {
            let _ = write!(path, "&cursor={}", crate::api::encode(c));
        }
        let page: Page<DistrictPerimeter> =
            crate::api::get(&path).await.map_err(|e| e.message())?;
        out.extend(page.items.into_iter().map(|d| d.perimeter));
        match page.next_cursor {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(out),
        }
    }
}

/// What the map shows: each commune of the registry with its status and its
/// number of experiments (`counts`, keyed by INSEE code; a code the registry
/// does not know is left out).
pub fn communes(statuses: &BTreeMap<String, CommuneStatus>, counts: &[Count]) -> Vec<MapCommune> {
    let counted: BTreeMap<&str, u32> = counts.iter().map(|c| (c.key.as_str(), c.count)).collect();
    statuses
        .iter()
        .map(|(insee, status)| MapCommune {
            insee: insee.clone(),
            status: *status,
            experiments: counted.get(insee.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

/// The map fed by the registry (statuses), the district perimeters and these
/// experiment counts per commune: what the home page and the programme's
/// dashboard show. The map draws as soon as the contours are in; statuses and
/// perimeters fill in when they arrive (a failure leaves them out, said once).
#[component]
pub fn ProgrammeMap(
    /// Experiments per commune (INSEE code).
    #[prop(into)]
    counts: Signal<Vec<Count>>,
    /// The map's accessible name.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let i = use_i18n();
    let statuses = crate::api::compute(registry_statuses);
    let perimeters = crate::api::compute(district_perimeters);
    let communes = Signal::derive(move || match statuses.get() {
        Some(Ok(s)) => counts.with(|c| communes(&s, c)),
        _ => Vec::new(),
    });
    let districts = Signal::derive(move || match perimeters.get() {
        Some(Ok(p)) => p,
        _ => Vec::new(),
    });
    let failed =
        move || matches!(statuses.get(), Some(Err(_))) || matches!(perimeters.get(), Some(Err(_)));
    view! {
        {match label {
            Some(label) => view! { <CommuneMap communes districts label /> }.into_any(),
            None => view! { <CommuneMap communes districts /> }.into_any(),
        }}
        <Show when=failed>
            <p class="muted small">{t!(i,
                "Les statuts des communes ou les périmètres des quartiers n'ont pas pu être chargés.",
                "The communes' statuses or the districts' perimeters could not be loaded.")}</p>
        </Show>
    }
}

/// The map of the Métropole's communes, with its legend and, for screen
/// readers, a table of the communes listed in `communes`.
///
/// Each commune is filled by its status (`map-member`, `map-candidate`,
/// `map-district`, `map-suspended`; `map-none` when not listed), its number of
/// experiments is marked on it when not zero, and its `<title>` gives name,
/// status and count. The contours are fetched once per page load.
#[component]
pub fn CommuneMap(
    /// The communes' status and number of experiments; a commune not listed is drawn plain.
    #[prop(into)]
    communes: Signal<Vec<MapCommune>>,
    /// District perimeters, drawn over the communes.
    #[prop(optional, into)]
    districts: Option<Signal<Vec<Perimeter>>>,
    /// The map's accessible name (by default "Carte des communes de la Métropole du Grand Paris").
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let i = use_i18n();
    let loaded = crate::api::compute(load_layout);
    let perimeters = move || districts.map(|d| d.get()).unwrap_or_default();
    let name = move || match label {
        Some(label) => label.get(),
        None => i
            .t(
                "Carte des communes de la Métropole du Grand Paris",
                "Map of the communes of the Métropole du Grand Paris",
            )
            .to_owned(),
    };
    let drawing = move || match loaded.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => view! {
            <p class="notice notice-error" role="alert">
                {t!(i, "La carte n'a pas pu être chargée", "The map could not be loaded")}
                " (" {e} ")."
            </p>
        }
        .into_any(),
        Some(Ok(layout)) => draw(i, &layout, &communes.get(), &perimeters(), name()).into_any(),
    };
    let has_districts = move || !perimeters().is_empty();
    view! {
        <figure class="commune-map">
            {drawing}
            <ul class="map-legend">
                {CommuneStatus::ALL
                    .into_iter()
                    .map(|s| view! {
                        <li>
                            <span class=format!("map-swatch map-{}", s.as_str()) aria-hidden="true"></span>
                            {move || status_label(i, s)}
                        </li>
                    })
                    .collect_view()}
                <Show when=has_districts>
                    <li>
                        <span class="map-swatch map-swatch-district" aria-hidden="true"></span>
                        {t!(i, "Périmètre d'un quartier d'innovation", "Innovation district perimeter")}
                    </li>
                </Show>
                <li>
                    <span class="map-swatch map-swatch-count" aria-hidden="true">"3"</span>
                    {t!(i, "Nombre d'expérimentations", "Number of experiments")}
                </li>
            </ul>
        </figure>
    }
}

/// The SVG and its table, for one state of the data.
fn draw(
    i: I18n,
    layout: &MapLayout,
    communes: &[MapCommune],
    districts: &[Perimeter],
    label: String,
) -> impl IntoView + use<> {
    let by_insee: BTreeMap<&str, &MapCommune> =
        communes.iter().map(|c| (c.insee.as_str(), c)).collect();
    let lang = i.lang();
    let shapes = layout
        .communes
        .iter()
        .map(|c| {
            let entry = by_insee.get(c.insee.as_str()).copied();
            let class = format!(
                "map-commune map-{}",
                entry.map_or("none", |e| e.status.as_str())
            );
            let title = describe(i, &c.name, entry);
            view! { <path class=class d=c.d.clone()><title>{title}</title></path> }
        })
        .collect_view();
    let perimeters = districts
        .iter()
        .map(|p| view! { <path class="map-perimeter" d=layout.projection.perimeter(p)></path> })
        .collect_view();
    let counts = layout
        .communes
        .iter()
        .filter_map(|c| {
            let n = by_insee.get(c.insee.as_str())?.experiments;
            let (x, y) = c.anchor;
            (n > 0).then(|| {
                view! {
                    <g class="map-count">
                        <circle cx=x cy=y r="17"></circle>
                        <text x=x y=y>{fmt::integer(u64::from(n), lang)}</text>
                    </g>
                }
            })
        })
        .collect_view();
    let rows = layout
        .communes
        .iter()
        .filter_map(|c| {
            let e = by_insee.get(c.insee.as_str())?;
            Some(view! {
                <tr>
                    <th scope="row">{c.name.clone()}</th>
                    <td>{status_label(i, e.status)}</td>
                    <td>{fmt::integer(u64::from(e.experiments), lang)}</td>
                </tr>
            })
        })
        .collect_view();
    view! {
        <svg viewBox=layout.projection.view_box() role="img" aria-label=label.clone()>
            <g class="map-communes">{shapes}</g>
            <g class="map-perimeters">{perimeters}</g>
            <g class="map-counts">{counts}</g>
        </svg>
        // In a box of its own: a table is never narrower than its widest row,
        // and would widen the page at 360 px even hidden.
        <div class="visually-hidden">
            <table>
                <caption>{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Commune"</th>
                        <th scope="col">{i.t("Statut", "Status")}</th>
                        <th scope="col">{i.t("Expérimentations", "Experiments")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The committed file, as the bundle serves it.
    const COMMUNES: &str = include_str!("../assets/communes-mgp.geojson");

    fn square(insee: &str, lon: f64, lat: f64, side: f64) -> CommuneShape {
        CommuneShape {
            insee: insee.into(),
            name: format!("Commune {insee}"),
            rings: vec![vec![
                (lon, lat),
                (lon + side, lat),
                (lon + side, lat + side),
                (lon, lat + side),
                (lon, lat),
            ]],
        }
    }

    #[test]
    fn the_committed_file_holds_the_130_communes() {
        let shapes = parse(COMMUNES).unwrap();
        assert_eq!(shapes.len(), 130);
        let paris = shapes.iter().find(|s| s.insee == "75056").unwrap();
        assert_eq!(paris.name, "Paris");
        // Pierrefitte-sur-Seine merged into Saint-Denis: one contour, under 93066.
        assert!(shapes.iter().any(|s| s.insee == "93066"));
        assert!(!shapes.iter().any(|s| s.insee == "93059"));
        let layout = layout(&shapes, SIZE).unwrap();
        assert!(layout.communes.iter().all(|c| c.d.starts_with('M')));
        // The Métropole is taller than wide: the height takes the whole size.
        assert_eq!(layout.projection.height.round(), SIZE);
        assert!(layout.projection.width < SIZE);
    }

    #[test]
    fn polygons_and_multipolygons_are_read() {
        let text = json!({
            "type": "FeatureCollection",
            "features": [
                { "type": "Feature", "properties": { "insee": "94001", "name": "A" },
                  "geometry": { "type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.0]]] } },
                { "type": "Feature", "properties": { "insee": "94002", "name": "B" },
                  "geometry": { "type": "MultiPolygon", "coordinates": [
                      [[[2.2, 48.0], [2.3, 48.0], [2.3, 48.1], [2.2, 48.0]]],
                      [[[2.4, 48.0], [2.5, 48.0], [2.5, 48.1], [2.4, 48.0]]]
                  ] } }
            ]
        })
        .to_string();
        let shapes = parse(&text).unwrap();
        assert_eq!(shapes.len(), 2);
        assert_eq!(
            (shapes[0].insee.as_str(), shapes[0].rings.len()),
            ("94001", 1)
        );
        assert_eq!((shapes[1].name.as_str(), shapes[1].rings.len()), ("B", 2));
        assert_eq!(shapes[1].rings[1][0], (2.4, 48.0));
    }

    #[test]
    fn a_bad_feature_is_named() {
        let text = json!({ "type": "FeatureCollection", "features": [
            { "type": "Feature", "properties": { "name": "no code" },
              "geometry": { "type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.0]]] } }
        ] })
        .to_string();
        assert_eq!(
            parse(&text).unwrap_err(),
            "feature 0 is not a commune contour"
        );
        assert!(parse("{}").is_err());
        assert!(parse("not json").is_err());
    }

    #[test]
    fn communes_share_one_box_north_up() {
        // Two squares side by side at the equator: the box is twice as wide as high.
        let shapes = [square("1", 0.0, 0.0, 0.01), square("2", 0.01, 0.0, 0.01)];
        let l = layout(&shapes, 100.0).unwrap();
        assert_eq!(
            (l.projection.width.round(), l.projection.height.round()),
            (100.0, 50.0)
        );
        assert_eq!(l.projection.view_box(), "0 0 100 50");
        // The south-west corner is at the bottom left; the shared border is the
        // same points in both paths.
        assert_eq!(l.communes[0].d, "M0,50L50,50L50,0L0,0Z");
        assert_eq!(l.communes[1].d, "M50,50L100,50L100,0L50,0Z");
        assert_eq!(l.communes[0].anchor, (25, 25));
    }

    #[test]
    fn longitudes_narrow_at_paris_latitude_as_in_geo() {
        let shapes = [square("75056", 2.35, 48.85, 0.01)];
        let l = layout(&shapes, 200.0).unwrap();
        let outline = crate::geo::outline(
            &Perimeter::from_value(&json!({ "type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]]] })).unwrap(),
            200.0,
        )
        .unwrap();
        assert_eq!(l.projection.height, outline.height);
        assert!((l.projection.width - outline.width).abs() < 1e-9);
    }

    #[test]
    fn a_district_lands_in_the_communes_box() {
        let shapes = [square("1", 0.0, 0.0, 0.01), square("2", 0.01, 0.0, 0.01)];
        let l = layout(&shapes, 100.0).unwrap();
        // The middle of the first square, a quarter of its side wide.
        let district = Perimeter::from_value(&json!({ "type": "Polygon", "coordinates": [[
            [0.00375, 0.00375], [0.00625, 0.00375], [0.00625, 0.00625], [0.00375, 0.00625], [0.00375, 0.00375]
        ]] }))
        .unwrap();
        assert_eq!(
            l.projection.perimeter(&district),
            "M19,31L31,31L31,19L19,19Z"
        );
    }

    #[test]
    fn rings_too_small_to_see_are_left_out() {
        let shapes = [
            square("1", 0.0, 0.0, 0.01),
            square("2", 0.02, 0.0, 0.000_01),
        ];
        let l = layout(&shapes, 100.0).unwrap();
        assert_eq!(l.communes[1].d, "");
    }

    #[test]
    fn nothing_to_draw() {
        assert!(layout(&[], 100.0).is_none());
        let flat = CommuneShape {
            rings: vec![vec![(2.3, 48.8), (2.3, 48.9), (2.3, 48.85), (2.3, 48.8)]],
            ..square("1", 0.0, 0.0, 0.0)
        };
        assert!(layout(&[flat], 100.0).is_none());
    }

    #[test]
    fn the_registry_and_the_counts_make_the_map() {
        let statuses = BTreeMap::from([
            ("93066".to_owned(), CommuneStatus::District),
            ("93048".to_owned(), CommuneStatus::Member),
        ]);
        let counts = [
            Count {
                key: "93066".into(),
                count: 3,
            },
            // Not on the map (not in the registry's answer): left out.
            Count {
                key: "31555".into(),
                count: 1,
            },
        ];
        assert_eq!(
            communes(&statuses, &counts),
            [
                MapCommune {
                    insee: "93048".into(),
                    status: CommuneStatus::Member,
                    experiments: 0
                },
                MapCommune {
                    insee: "93066".into(),
                    status: CommuneStatus::District,
                    experiments: 3
                },
            ]
        );
    }

    #[test]
    fn experiments_agree_with_their_count() {
        assert_eq!(experiments(Lang::Fr, 0), "0 expérimentation");
        assert_eq!(experiments(Lang::Fr, 3), "3 expérimentations");
        assert_eq!(experiments(Lang::En, 1), "1 experiment");
        assert_eq!(experiments(Lang::En, 0), "0 experiments");
    }
}
