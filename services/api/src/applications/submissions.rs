//! Applications to calls for solutions: content, history, transitions,
//! decision letters, attachments.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tenancy::Insee;

/// `PUT /api/applications/{id}` and `POST /api/calls/{id}/applications`: the
/// application's content (autosaved as a draft).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    /// Title of the proposed solution.
    pub title: String,
    /// Answers by question id.
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
    /// Submit at once (validates every answer).
    #[serde(default)]
    pub submit: bool,
    /// The district applied to: required for a programme call (one of its
    /// districts); for a commune's call, absent or that commune. Cannot change
    /// once the application exists.
    #[serde(default)]
    pub district: Option<Insee>,
}

/// One step of an application's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StatusChange {
    /// When (UTC).
    pub at: String,
    /// The new status.
    pub status: String,
    /// Who (account id).
    pub actor: String,
    /// Why, when given.
    pub reason: Option<String>,
}

/// An application to a call for solutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Application {
    /// Id (UUID v7).
    pub id: String,
    /// The call.
    pub call_id: String,
    /// The commune of the call.
    pub insee: Insee,
    /// The applicant organisation.
    pub organisation: String,
    /// Its name when the application was created.
    #[serde(default)]
    pub organisation_name: String,
    /// Title of the proposed solution.
    pub title: String,
    /// Answers by question id.
    pub answers: BTreeMap<String, Value>,
    /// Current workflow state.
    pub status: String,
    /// The reason given for the current state, if any.
    #[serde(default)]
    pub reason: Option<String>,
    /// Created (UTC).
    pub created_at: String,
    /// Last saved (UTC).
    pub updated_at: String,
    /// Submitted (UTC).
    pub submitted_at: Option<String>,
    /// Status history, oldest first.
    pub history: Vec<StatusChange>,
    /// The names of the files sent, by attachment id (files sent without a
    /// name are not listed). Given with one application, not in lists.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

/// What a recused reviewer still sees of an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationTitle {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Whether the caller is recused from it.
    pub recused: bool,
    /// The reason the caller gave when declaring their conflict of interest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_reason: Option<String>,
}

/// `POST /api/applications/{id}/transitions`: move an application along the workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// Target state.
    pub to: String,
    /// Written reason (required for decisions).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /api/applications/{id}/letter`: the decision letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Letter {
    /// Application id.
    pub application: String,
    /// The decision (workflow state).
    pub decision: String,
    /// The written reason.
    pub reason: String,
    /// The letter, placeholders filled.
    pub text: String,
}

/// A stored attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// Id (use it as the answer of a `file` question).
    pub id: String,
    /// Detected media type (`application/pdf`, `image/png`, `image/jpeg`).
    pub content_type: MediaType,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The file's name as sent (`?name=`), if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The media type of an attachment, detected from its whole content (never
/// from its name or a declared type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum MediaType {
    /// A PDF document (`application/pdf`).
    #[serde(rename = "application/pdf")]
    Pdf,
    /// A PNG image (`image/png`).
    #[serde(rename = "image/png")]
    Png,
    /// A JPEG image (`image/jpeg`).
    #[serde(rename = "image/jpeg")]
    Jpeg,
}

impl MediaType {
    /// Every media type accepted.
    pub const ALL: [Self; 3] = [Self::Pdf, Self::Png, Self::Jpeg];

    /// The wire (and stored) name, a `content-type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// Parses the wire (and stored) name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The file name extension of a file of this type.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }
}

impl std::fmt::Display for MediaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
