//! Calls for communes (campaigns) and the communes' candidacies.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Question;
use crate::geo::Perimeter;
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
    pub action: CampaignAction,
    /// Who (account id).
    pub actor: String,
}

/// What happened to a campaign (its history, `campaign_events.action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignAction {
    /// Created.
    Created,
    /// Edited while unpublished.
    Edited,
    /// Published.
    Published,
}

impl CampaignAction {
    /// Every action.
    pub const ALL: [Self; 3] = [Self::Created, Self::Edited, Self::Published];

    /// The wire (and stored) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Edited => "edited",
            Self::Published => "published",
        }
    }

    /// Parses the wire (and stored) name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for CampaignAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    pub perimeter: Perimeter,
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
    pub perimeter: Perimeter,
    /// Challenges by theme.
    pub challenges: Vec<Challenge>,
    /// Local partners.
    pub partners: Vec<String>,
    /// Means committed.
    pub means: String,
    /// Answers.
    pub answers: BTreeMap<String, Value>,
    /// `draft`, `submitted`, `selected` or `rejected`.
    pub status: CandidacyStatus,
    /// The operator's reason, once decided.
    pub reason: Option<String>,
}

/// Where a commune's candidacy stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandidacyStatus {
    /// Saved, not submitted: only the commune sees it.
    Draft,
    /// Submitted to the programme (still editable until decided).
    Submitted,
    /// Selected: the commune becomes a district.
    Selected,
    /// Not selected.
    Rejected,
}

impl CandidacyStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Draft, Self::Submitted, Self::Selected, Self::Rejected];

    /// The wire (and stored) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Selected => "selected",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the wire (and stored) name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for CandidacyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
