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

use leptos::prelude::*;
use qmi_api::Page;
use qmi_api::experiments::Count;
use qmi_api::identity::{Commune, CommuneStatus, Lang};
use serde::Deserialize;

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
///
/// Read into the few types below rather than a `serde_json::Value`: the map is
/// in the first download, and a generic JSON tree costs it dearly.
pub fn parse(text: &str) -> Result<Vec<CommuneShape>, String> {
    let collection: Collection =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    collection
        .features
        .ok_or("not a FeatureCollection")?
        .into_iter()
        .enumerate()
        .map(|(n, f)| feature(f).ok_or_else(|| format!("feature {n} is not a commune contour")))
        .collect()
}

/// A ring: (longitude, latitude) positions, closed.
pub type Ring = Vec<(f64, f64)>;

#[derive(Deserialize)]
struct Collection {
    features: Option<Vec<Feature>>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Option<Properties>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Properties {
    insee: Option<String>,
    name: Option<String>,
}

/// A GeoJSON geometry, as far as the map reads one.
#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: Option<String>,
    coordinates: Option<Nested>,
}

/// GeoJSON coordinates at any depth.
enum Nested {
    Number(f64),
    List(Vec<Nested>),
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Nested;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("GeoJSON coordinates")
            }
            fn visit_f64<E>(self, x: f64) -> Result<Nested, E> {
                Ok(Nested::Number(x))
            }
            fn visit_i64<E>(self, x: i64) -> Result<Nested, E> {
                Ok(Nested::Number(x as f64))
            }
            fn visit_u64<E>(self, x: u64) -> Result<Nested, E> {
                Ok(Nested::Number(x as f64))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Nested, A::Error> {
                let mut list = Vec::new();
                while let Some(x) = seq.next_element()? {
                    list.push(x);
                }
                Ok(Nested::List(list))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl Nested {
    fn list(&self) -> Option<&[Nested]> {
        match self {
            Nested::List(l) => Some(l),
            Nested::Number(_) => None,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Nested::Number(x) => Some(*x),
            Nested::List(_) => None,
        }
    }
}

impl Geometry {
    /// Every ring of a Polygon or MultiPolygon (of at least four positions);
    /// `None` for anything else.
    fn rings(&self) -> Option<Vec<Ring>> {
        let coordinates = self.coordinates.as_ref()?.list()?;
        let polygons: Vec<&[Nested]> = match self.kind.as_deref()? {
            "Polygon" => vec![coordinates],
            "MultiPolygon" => coordinates
                .iter()
                .map(Nested::list)
                .collect::<Option<_>>()?,
            _ => return None,
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon {
                let ring = ring
                    .list()?
                    .iter()
                    .map(|p| {
                        let p = p.list()?;
                        Some((p.first()?.number()?, p.get(1)?.number()?))
                    })
                    .collect::<Option<Ring>>()?;
                if ring.len() < 4 {
                    return None;
                }
                rings.push(ring);
            }
        }
        (!rings.is_empty()).then_some(rings)
    }
}

fn feature(f: Feature) -> Option<CommuneShape> {
    let rings = f.geometry?.rings()?;
    let properties = f.properties?;
    Some(CommuneShape {
        insee: properties.insee?,
        name: properties.name?,
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

    /// A district's perimeter (its rings) in this box, drawn over the communes.
    pub fn perimeter(&self, rings: &[Ring]) -> String {
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

thread_local! {
    /// The projected communes, fetched and parsed once per page load.
    static LAYOUT: RefCell<Option<Rc<MapLayout>>> = const { RefCell::new(None) };
}

/// The communes' layout: fetched from [`COMMUNES_URL`] the first time, then kept.
async fn load_layout() -> Result<Rc<MapLayout>, String> {
    if let Some(layout) = LAYOUT.with(|l| l.borrow().clone()) {
        return Ok(layout);
    }
    // A public static file: no token, so not through `api` (which adds one).
    let response = gloo_net::http::Request::get(COMMUNES_URL)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    let layout = Rc::new(layout(&parse(&text)?, SIZE).ok_or("no commune to draw")?);
    LAYOUT.with(|l| *l.borrow_mut() = Some(layout.clone()));
    Ok(layout)
}

/// The most codes one `GET /api/communes?insee=` names (the API's limit).
const CODES_PER_REQUEST: usize = 500;

/// The registry's status of each commune `layout` draws (`GET /api/communes`
/// with their codes, 500 a request): never a walk through the whole registry.
pub async fn registry_statuses(
    layout: Rc<MapLayout>,
) -> Result<BTreeMap<String, CommuneStatus>, String> {
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
    perimeter: Geometry,
}

/// Every district's perimeter, as rings (`GET /api/districts`, 500 a page; a
/// perimeter the map cannot read is left out).
pub async fn district_perimeters() -> Result<Vec<Vec<Ring>>, String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/districts?limit=500".to_owned();
        if let Some(c) = &cursor {
            let _ = write!(path, "&cursor={}", crate::api::encode(c));
        }
        let page: Page<DistrictPerimeter> =
            crate::api::get(&path).await.map_err(|e| e.message())?;
        out.extend(page.items.iter().filter_map(|d| d.perimeter.rings()));
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
/// experiment counts per commune: what the programme's dashboard shows. The map draws as soon as the contours are in; statuses and
/// perimeters fill in when they arrive (a failure leaves them out, said once).
#[component]
pub fn ProgrammeMap(
    /// Experiments per commune (INSEE code).
    #[prop(into)]
    counts: Signal<Vec<Count>>,
) -> impl IntoView {
    let i = use_i18n();
    let loaded = crate::api::compute(load_layout);
    // Asked once the contours are in (their codes), and so once.
    let statuses = crate::api::compute(move || {
        let layout = loaded.get().and_then(Result::ok);
        async move {
            match layout {
                Some(layout) => Some(registry_statuses(layout).await),
                None => None,
            }
        }
    });
    let perimeters = crate::api::compute(district_perimeters);
    let communes = Signal::derive(move || match statuses.get().flatten() {
        Some(Ok(s)) => counts.with(|c| communes(&s, c)),
        _ => Vec::new(),
    });
    let districts = Signal::derive(move || match perimeters.get() {
        Some(Ok(p)) => p,
        _ => Vec::new(),
    });
    let failed = move || {
        matches!(statuses.get().flatten(), Some(Err(_))) || matches!(perimeters.get(), Some(Err(_)))
    };
    view! {
        <CommuneMap loaded communes districts />
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
    /// The contours, loaded by [`load_layout`] (fetched once per page load).
    loaded: crate::api::Computed<Result<Rc<MapLayout>, String>>,
    /// The communes' status and number of experiments; a commune not listed is drawn plain.
    #[prop(into)]
    communes: Signal<Vec<MapCommune>>,
    /// District perimeters, drawn over the communes.
    #[prop(into)]
    districts: Signal<Vec<Vec<Ring>>>,
    /// The map's accessible name (by default "Carte des communes de la Métropole du Grand Paris").
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let i = use_i18n();
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
        // One string of markup: every value in it escaped (the names come
        // from the contours file). Far less code than a view per element.
        Some(Ok(layout)) => {
            let markup = communes.with(|c| districts.with(|d| draw(i, &layout, c, d, &name())));
            view! { <div class="map-drawing" inner_html=markup></div> }.into_any()
        }
    };
    let has_districts = move || districts.with(|d| !d.is_empty());
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

/// Text for HTML: `&`, `<`, `>` and `"` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The SVG and, in a box of its own, its table for screen readers (a table is
/// never narrower than its widest row, and would widen the page at 360 px even
/// hidden), as markup: every text in it escaped.
fn draw(
    i: I18n,
    layout: &MapLayout,
    communes: &[MapCommune],
    districts: &[Vec<Ring>],
    label: &str,
) -> String {
    let by_insee: BTreeMap<&str, &MapCommune> =
        communes.iter().map(|c| (c.insee.as_str(), c)).collect();
    let lang = i.lang();
    let label = escape(label);
    let mut svg = format!(
        r#"<svg viewBox="{}" role="img" aria-label="{label}"><g class="map-communes">"#,
        layout.projection.view_box()
    );
    let mut counts = String::new();
    let mut rows = String::new();
    for c in &layout.communes {
        let entry = by_insee.get(c.insee.as_str()).copied();
        let _ = write!(
            svg,
            r#"<path class="map-commune map-{}" d="{}"><title>{}</title></path>"#,
            entry.map_or("none", |e| e.status.as_str()),
            c.d,
            escape(&describe(i, &c.name, entry))
        );
        let Some(e) = entry else { continue };
        let n = fmt::integer(u64::from(e.experiments), lang);
        if e.experiments > 0 {
            let (x, y) = c.anchor;
            let _ = write!(
                counts,
                r#"<g class="map-count"><circle cx="{x}" cy="{y}" r="17"></circle><text x="{x}" y="{y}">{n}</text></g>"#
            );
        }
        let _ = write!(
            rows,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{n}</td></tr>"#,
            escape(&c.name),
            status_label(i, e.status)
        );
    }
    svg.push_str(r#"</g><g class="map-perimeters">"#);
    for p in districts {
        let _ = write!(
            svg,
            r#"<path class="map-perimeter" d="{}"></path>"#,
            layout.projection.perimeter(p)
        );
    }
    let _ = write!(
        svg,
        r#"</g><g class="map-counts">{counts}</g></svg><div class="visually-hidden"><table><caption>{label}</caption><thead><tr><th scope="col">Commune</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
        i.t("Statut", "Status"),
        i.t("Expérimentations", "Experiments")
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmi_api::geo::Perimeter;
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
        // As `GET /api/districts` gives it.
        let district: DistrictPerimeter = serde_json::from_value(json!({ "perimeter": { "type": "Polygon", "coordinates": [[
            [0.00375, 0.00375], [0.00625, 0.00375], [0.00625, 0.00625], [0.00375, 0.00625], [0.00375, 0.00375]
        ]] } }))
        .unwrap();
        assert_eq!(
            l.projection.perimeter(&district.perimeter.rings().unwrap()),
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
    fn names_are_escaped_in_the_markup() {
        assert_eq!(
            escape(r#"L'Haÿ-les-Roses <b>"&"</b>"#),
            "L'Haÿ-les-Roses &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;"
        );
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
