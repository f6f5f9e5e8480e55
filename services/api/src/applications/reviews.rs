//! Reviews: assignments of reviewers, conflicts of interest, scores, ranking.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST /api/calls/{id}/assignments`: assign reviewers by hand or automatically.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The reviewers' account ids.
    pub reviewers: Vec<String>,
    /// Automatic: each reviewable application gets this many reviews, load balanced.
    #[serde(default)]
    pub per_application: Option<u32>,
    /// By hand: these applications only (every reviewer listed is assigned to each).
    #[serde(default)]
    pub applications: Vec<String>,
}

/// A reviewer assigned to an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Assignment {
    /// The application.
    pub application: String,
    /// Its title.
    pub title: String,
    /// The reviewer's account id.
    pub reviewer: String,
    /// Whether the reviewer declared a conflict of interest (recused).
    pub conflict: bool,
    /// Why the reviewer is recused, when `conflict`.
    #[serde(default)]
    pub conflict_kind: Option<ConflictKind>,
    /// The reason the reviewer gave, when they declared the conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_reason: Option<String>,
    /// Whether the reviewer has scored every criterion.
    pub done: bool,
    /// Whether the application still awaits reviews (not withdrawn, not decided).
    #[serde(default = "awaits")]
    pub open: bool,
}

fn awaits() -> bool {
    true
}

/// Why a reviewer is recused from an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// The reviewer declared a conflict of interest.
    Declared,
    /// The reviewer's organisation applied to the same call: kept from every file
    /// of it, by hand or automatically.
    Organisation,
}

impl ConflictKind {
    /// The stored form (`assignments.conflict_kind`).
    pub fn as_str(self) -> &'static str {
        self.as_str_const()
    }

    /// [`Self::as_str`], usable in constants.
    pub const fn as_str_const(self) -> &'static str {
        match self {
            ConflictKind::Declared => "declared",
            ConflictKind::Organisation => "organisation",
        }
    }

    /// The kind of a stored recusal: `organisation`, else declared (rows written
    /// before the kind was kept were all declared).
    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            Some("organisation") => ConflictKind::Organisation,
            _ => ConflictKind::Declared,
        }
    }
}

/// One criterion's score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// Criterion id.
    pub criterion: String,
    /// 0 to 5.
    pub score: u8,
    /// Comment.
    #[serde(default)]
    pub comment: String,
}

/// `PUT /api/applications/{id}/review`: the caller's scores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreSheet {
    /// One score per criterion.
    pub scores: Vec<Score>,
}

/// One reviewer's review of an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Review {
    /// The reviewer.
    pub reviewer: String,
    /// Their scores.
    pub scores: Vec<Score>,
    /// Their weighted total (0–5), once every criterion is scored.
    pub weighted: Option<f64>,
}

/// `POST /api/applications/{id}/conflict`: a declared conflict of interest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictDeclaration {
    /// Why (required, kept for the record and shown to whoever runs the call).
    #[serde(default)]
    pub reason: String,
}

/// One application in the ranking of a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RankedApplication {
    /// Application id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Applicant organisation.
    pub organisation: String,
    /// Status.
    pub status: String,
    /// Mean of the reviewers' weighted totals (0–5), `null` without a full review.
    pub weighted_score: Option<f64>,
    /// Largest minus smallest reviewer total.
    pub spread: Option<f64>,
    /// Complete reviews.
    pub reviews_done: u32,
    /// Reviewers assigned and not recused.
    pub reviews_expected: u32,
    /// Reviewers recused by a conflict.
    pub recused: u32,
}

/// A reviewer's progress on a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewerProgress {
    /// Account id.
    pub reviewer: String,
    /// Applications assigned (not recused).
    pub assigned: u32,
    /// Reviews complete.
    pub done: u32,
    /// Recusals.
    pub recused: u32,
}

/// `GET /api/calls/{id}/ranking`: applications by weighted score, and progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ranking {
    /// Reviewed applications, best first (unscored last).
    pub applications: Vec<RankedApplication>,
    /// Per reviewer.
    pub reviewers: Vec<ReviewerProgress>,
}
