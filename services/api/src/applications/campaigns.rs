//! Calls for communes (campaigns) and the communes' candidacies.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Question;
use crate::tenancy::Insee;

/// `POST /api/campaigns`: a call for communes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// Title.
    pub title: String,
    /// Presentation.
    #[serde(default)]
    pub text: String,
    /// Opening: RFC 3339, or Europe/Paris local time.
    pub opens_at: String,
    /// Deadline: RFC 3339, or Europe/Paris local time.
    pub closes_at: String,
    /// Extra questions put to the communes.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Published campaigns are visible to every signed-in person.
    #[serde(default)]
    pub published: bool,
}

/// A call for communes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Campaign {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Presentation.
    pub text: String,
    /// Opening (UTC).
    pub opens_at: String,
    /// Opening in Europe/Paris local time, with its offset.
    pub opens_at_paris: String,
    /// Deadline (UTC).
    pub closes_at: String,
    /// Deadline in Europe/Paris local time, with its offset.
    pub closes_at_paris: String,
    /// Extra questions.
    pub questions: Vec<Question>,
    /// Published.
    pub published: bool,
    /// What happened to the campaign (created, edited, published), oldest first;
    /// shown to programme operators only.
    #[serde(default)]
    pub history: Vec<CampaignChange>,
}

/// One change of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CampaignChange {
    /// When (UTC).
    pub at: String,
    /// `created`, `edited` or `published`.
    pub action: String,
    /// Who (account id).
    pub actor: String,
}

/// A challenge of a district, by theme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Theme.
    pub theme: String,
    /// The challenge.
    pub text: String,
}

/// `PUT /api/campaigns/{id}/candidacies/{insee}`: a commune's candidacy (autosaved).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidacyInput {
    /// Proposed district name.
    pub district_name: String,
    /// Perimeter: a GeoJSON Polygon.
    pub perimeter: Value,
    /// Challenges by theme.
    #[serde(default)]
    pub challenges: Vec<Challenge>,
    /// Local partners.
    #[serde(default)]
    pub partners: Vec<String>,
    /// Means committed.
    #[serde(default)]
    pub means: String,
    /// Answers to the campaign's questions.
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
}

/// A commune's candidacy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Candidacy {
    /// The campaign.
    pub campaign_id: String,
    /// The commune.
    pub insee: Insee,
    /// Proposed district name.
    pub district_name: String,
    /// Perimeter (GeoJSON Polygon).
    pub perimeter: Value,
    /// Challenges by theme.
    pub challenges: Vec<Challenge>,
    /// Local partners.
    pub partners: Vec<String>,
    /// Means committed.
    pub means: String,
    /// Answers.
    pub answers: BTreeMap<String, Value>,
    /// `draft`, `submitted`, `selected` or `rejected`.
    pub status: String,
    /// The operator's reason, once decided.
    pub reason: Option<String>,
}

/// `POST /api/campaigns/{id}/candidacies/{insee}/decision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidacyDecision {
    /// Select (the commune becomes a district) or reject.
    pub selected: bool,
    /// Written reason.
    #[serde(default)]
    pub reason: String,
}

/// `PUT /api/admin/communes/{insee}/status` (identity): set a commune's programme status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommuneStatusChange {
    /// `member`, `candidate` or `district`.
    pub status: crate::identity::CommuneStatus,
}
