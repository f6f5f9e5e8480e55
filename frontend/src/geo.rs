//! A district's perimeter (GeoJSON) drawn as an SVG outline.

use qmi_api::geo::Perimeter;

/// An SVG path and the size of the box it fills.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    /// The `d` attribute: one closed sub-path per ring.
    pub path: String,
    /// Width of the view box.
    pub width: f64,
    /// Height of the view box.
    pub height: f64,
}

/// The outline of a perimeter (longitude, latitude), fitted in a box whose
/// longer side is `size`. Longitudes are narrowed by the cosine of the mean
/// latitude (an equirectangular projection: exact enough at a district's
/// scale). `None` when it has no extent (all its corners on one line).
pub fn outline(perimeter: &Perimeter, size: f64) -> Option<Outline> {
    let rings: Vec<Vec<(f64, f64)>> = perimeter
        .rings()
        .iter()
        .map(|ring| ring.iter().map(|p| (p.lon, p.lat)).collect())
        .collect();
    let points = || rings.iter().flatten();
    let (lon_min, lon_max) = bounds(points().map(|p| p.0))?;
    let (lat_min, lat_max) = bounds(points().map(|p| p.1))?;
    let shrink = ((lat_min + lat_max) / 2.0).to_radians().cos();
    let (w, h) = ((lon_max - lon_min) * shrink, lat_max - lat_min);
    if !(w > 0.0 && h > 0.0) || rings.iter().any(|r| r.len() < 3) {
        return None;
    }
    let scale = size / w.max(h);
    let mut path = String::new();
    for ring in &rings {
        for (n, (lon, lat)) in ring.iter().enumerate() {
            let x = (lon - lon_min) * shrink * scale;
            let y = (lat_max - lat) * scale;
            path.push_str(&format!("{}{x:.1},{y:.1}", if n == 0 { "M" } else { "L" }));
        }
        path.push('Z');
    }
    Some(Outline {
        path,
        width: w * scale,
        height: h * scale,
    })
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn polygon(v: Value) -> Perimeter {
        Perimeter::from_value(&v).unwrap()
    }

    #[test]
    fn a_square_fills_its_box_north_up() {
        // 0.01° of longitude at the equator is as wide as 0.01° of latitude.
        let square = json!({ "type": "Polygon", "coordinates": [[[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.0, 0.01], [0.0, 0.0]]] });
        let o = outline(&polygon(square), 100.0).unwrap();
        assert_eq!((o.width.round(), o.height.round()), (100.0, 100.0));
        // The south-west corner is at the bottom left.
        assert!(
            o.path
                .starts_with("M0.0,100.0L100.0,100.0L100.0,0.0L0.0,0.0"),
            "{}",
            o.path
        );
        assert!(o.path.ends_with('Z'));
    }

    #[test]
    fn longitudes_narrow_at_paris_latitude() {
        let square = json!({ "type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]]] });
        let o = outline(&polygon(square), 200.0).unwrap();
        assert_eq!(o.height, 200.0);
        assert!(
            (o.width - 200.0 * 48.855_f64.to_radians().cos()).abs() < 0.5,
            "{}",
            o.width
        );
    }

    #[test]
    fn a_flat_polygon_draws_nothing() {
        let flat = json!({ "type": "Polygon", "coordinates": [[[2.3, 48.8], [2.3, 48.9], [2.3, 48.85], [2.3, 48.8]]] });
        assert!(outline(&polygon(flat), 100.0).is_none());
    }
}
