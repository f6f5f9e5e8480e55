//! GeoJSON perimeters (RFC 7946 Polygon, WGS 84 longitude/latitude).

use serde_json::Value;

/// Checks that `v` is a GeoJSON Polygon: linear rings of at least four positions,
/// closed, with longitudes in [-180, 180] and latitudes in [-90, 90].
pub fn check_polygon(v: &Value) -> Result<(), String> {
    if v.get("type").and_then(Value::as_str) != Some("Polygon") {
        return Err("must be a GeoJSON object with \"type\": \"Polygon\"".into());
    }
    let rings = v
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or("coordinates must be an array of rings")?;
    if rings.is_empty() {
        return Err("a polygon needs an exterior ring".into());
    }
    for (i, ring) in rings.iter().enumerate() {
        let points = ring
            .as_array()
            .ok_or(format!("ring {i} must be an array of positions"))?;
        if points.len() < 4 {
            return Err(format!("ring {i} needs at least 4 positions"));
        }
        let mut parsed = Vec::with_capacity(points.len());
        for (j, p) in points.iter().enumerate() {
            let Some([x, y, ..]) = p.as_array().map(Vec::as_slice) else {
                return Err(format!(
                    "position {j} of ring {i} must be [longitude, latitude]"
                ));
            };
            let (Some(x), Some(y)) = (x.as_f64(), y.as_f64()) else {
                return Err(format!("position {j} of ring {i} must hold numbers"));
            };
            if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                return Err(format!("position {j} of ring {i} is outside WGS 84 bounds"));
            }
            parsed.push((x, y));
        }
        if parsed.first() != parsed.last() {
            return Err(format!(
                "ring {i} is not closed (first and last positions differ)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn polygons() {
        let ok = json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.93]]]});
        assert!(super::check_polygon(&ok).is_ok());
        for bad in [
            json!({"type":"Point","coordinates":[2.3,48.9]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.35,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.36,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[200,48.93],[2.37,48.93],[2.37,48.94],[200,48.93]]]}),
        ] {
            assert!(super::check_polygon(&bad).is_err(), "{bad}");
        }
    }
}
