//! Perimeters: a GeoJSON Polygon (RFC 7946), WGS 84 longitude/latitude.
//!
//! [`Perimeter`] is parsed where it enters (a request body, a stored row, a
//! form): holding one means its rings are closed, of at least four positions,
//! within WGS 84 bounds. On the wire it stays the GeoJSON object
//! (`{"type": "Polygon", "coordinates": [[[lon, lat], …]]}`); an invalid one is
//! refused naming its field (`perimeter`), with what is wrong.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A position: longitude and latitude, in degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Longitude, in [-180, 180].
    pub lon: f64,
    /// Latitude, in [-90, 90].
    pub lat: f64,
}

/// A GeoJSON Polygon: an exterior ring, then its holes, each closed (first and
/// last positions equal) and of at least four positions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Perimeter {
    rings: Vec<Vec<Position>>,
}

impl Perimeter {
    /// A polygon of these rings; what is wrong with them, if anything.
    pub fn new(rings: Vec<Vec<Position>>) -> Result<Self, String> {
        if rings.is_empty() {
            return Err("a polygon needs an exterior ring".into());
        }
        for (i, ring) in rings.iter().enumerate() {
            if ring.len() < 4 {
                return Err(format!("ring {i} needs at least 4 positions"));
            }
            for (j, p) in ring.iter().enumerate() {
                if !(-180.0..=180.0).contains(&p.lon) || !(-90.0..=90.0).contains(&p.lat) {
                    return Err(format!("position {j} of ring {i} is outside WGS 84 bounds"));
                }
            }
            if ring.first() != ring.last() {
                return Err(format!(
                    "ring {i} is not closed (first and last positions differ)"
                ));
            }
        }
        Ok(Self { rings })
    }

    /// A one-ring polygon through these corners, closed when it is not.
    pub fn from_corners(mut corners: Vec<Position>) -> Result<Self, String> {
        if let Some(&first) = corners.first()
            && corners.last() != Some(&first)
        {
            corners.push(first);
        }
        Self::new(vec![corners])
    }

    /// Reads a GeoJSON Polygon; what is wrong with it, if anything. A position
    /// may carry an altitude, which is not kept.
    pub fn from_value(v: &Value) -> Result<Self, String> {
        if v.get("type").and_then(Value::as_str) != Some("Polygon") {
            return Err("must be a GeoJSON object with \"type\": \"Polygon\"".into());
        }
        let rings = v
            .get("coordinates")
            .and_then(Value::as_array)
            .ok_or("coordinates must be an array of rings")?;
        let mut parsed = Vec::with_capacity(rings.len());
        for (i, ring) in rings.iter().enumerate() {
            let points = ring
                .as_array()
                .ok_or(format!("ring {i} must be an array of positions"))?;
            let mut positions = Vec::with_capacity(points.len());
            for (j, p) in points.iter().enumerate() {
                let Some([x, y, ..]) = p.as_array().map(Vec::as_slice) else {
                    return Err(format!(
                        "position {j} of ring {i} must be [longitude, latitude]"
                    ));
                };
                let (Some(lon), Some(lat)) = (x.as_f64(), y.as_f64()) else {
                    return Err(format!("position {j} of ring {i} must hold numbers"));
                };
                positions.push(Position { lon, lat });
            }
            parsed.push(positions);
        }
        Self::new(parsed)
    }

    /// The rings: the exterior first, then the holes.
    pub fn rings(&self) -> &[Vec<Position>] {
        &self.rings
    }

    /// The exterior ring (closed: its last position is its first).
    pub fn exterior(&self) -> &[Position] {
        self.rings.first().map_or(&[], Vec::as_slice)
    }

    /// The GeoJSON object.
    pub fn to_value(&self) -> Value {
        let coordinates: Vec<Vec<[f64; 2]>> = self
            .rings
            .iter()
            .map(|ring| ring.iter().map(|p| [p.lon, p.lat]).collect())
            .collect();
        serde_json::json!({ "type": "Polygon", "coordinates": coordinates })
    }
}

impl TryFrom<Value> for Perimeter {
    type Error = String;
    fn try_from(v: Value) -> Result<Self, String> {
        Self::from_value(&v)
    }
}

impl From<Perimeter> for Value {
    fn from(p: Perimeter) -> Value {
        p.to_value()
    }
}

impl std::str::FromStr for Perimeter {
    type Err = String;
    /// Reads a GeoJSON Polygon from its JSON text.
    fn from_str(s: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(s).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(&v)
    }
}

impl JsonSchema for Perimeter {
    fn schema_name() -> Cow<'static, str> {
        "Perimeter".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "A GeoJSON Polygon (RFC 7946), WGS 84: rings of [longitude, latitude] positions, each closed (first and last positions equal) and of at least 4 positions; the exterior ring first.",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["Polygon"] },
                "coordinates": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "minItems": 4,
                        "items": {
                            "type": "array",
                            "minItems": 2,
                            "items": { "type": "number" }
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn polygons() {
        let ok = json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.93]]]});
        let p = Perimeter::from_value(&ok).unwrap();
        assert_eq!(p.exterior().len(), 4);
        // The wire format round-trips.
        assert_eq!(serde_json::to_value(&p).unwrap(), ok);
        assert_eq!(serde_json::from_value::<Perimeter>(ok).unwrap(), p);
        for bad in [
            json!({"type":"Point","coordinates":[2.3,48.9]}),
            json!({"type":"Polygon","coordinates":[]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.35,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.36,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[200,48.93],[2.37,48.93],[2.37,48.94],[200,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],[2.37],[2.37,48.94],[2.35,48.93]]]}),
            json!({"type":"Polygon","coordinates":[[[2.35,48.93],["x",1],[2.37,48.94],[2.35,48.93]]]}),
            json!("le bas de la ville"),
            Value::Null,
        ] {
            assert!(Perimeter::from_value(&bad).is_err(), "{bad}");
            assert!(
                serde_json::from_value::<Perimeter>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn corners_are_closed() {
        let corner = |lon, lat| Position { lon, lat };
        let p = Perimeter::from_corners(vec![
            corner(2.43, 48.85),
            corner(2.45, 48.85),
            corner(2.45, 48.86),
        ])
        .unwrap();
        assert_eq!(p.exterior().len(), 4);
        assert_eq!(p.exterior().first(), p.exterior().last());
        assert!(Perimeter::from_corners(vec![corner(2.43, 48.85), corner(2.45, 48.85)]).is_err());
        assert!("{\"type\":\"Polygon\"}".parse::<Perimeter>().is_err());
    }
}
