//! Districts (service `districts`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Challenge;
use crate::geo::Perimeter;
use crate::tenancy::Insee;

/// A district (service `districts`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct District {
    /// The commune.
    pub insee: Insee,
    /// Name.
    pub name: String,
    /// Perimeter (GeoJSON Polygon).
    pub perimeter: Perimeter,
    /// Description.
    pub description: String,
    /// Challenges by theme.
    pub challenges: Vec<Challenge>,
    /// Sites open to experiments.
    pub sites: Vec<String>,
    /// Local stakeholders.
    pub stakeholders: Vec<String>,
    /// The campaign it came from, if any.
    pub campaign_id: Option<String>,
    /// Created (UTC).
    pub created_at: String,
}

/// `POST /api/districts` (operators) and `PUT /api/districts/{insee}` (the commune's admins).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictInput {
    /// The commune (creation only; must match the path on update).
    pub insee: Insee,
    /// Name.
    pub name: String,
    /// Perimeter (GeoJSON Polygon).
    pub perimeter: Perimeter,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Challenges by theme.
    #[serde(default)]
    pub challenges: Vec<Challenge>,
    /// Sites open to experiments.
    #[serde(default)]
    pub sites: Vec<String>,
    /// Local stakeholders.
    #[serde(default)]
    pub stakeholders: Vec<String>,
    /// The campaign it came from.
    #[serde(default)]
    pub campaign_id: Option<String>,
}
