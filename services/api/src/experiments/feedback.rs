//! Residents' feedback on a published experiment, and its moderation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::wire_enum;

/// Longest feedback text, in characters.
pub const FEEDBACK_MAX: usize = 2000;
/// Longest first name or neighbourhood, in characters.
pub const FEEDBACK_NAME_MAX: usize = 80;

wire_enum! {
    /// Where a resident's feedback stands.
    FeedbackStatus {
        /// Waiting for the commune's moderation.
        Waiting => "waiting",
        /// Public.
        Published => "published",
        /// Rejected (with a reason), never public.
        Rejected => "rejected",
    }
}

/// `POST /api/experiments/{id}/feedback` (anyone, no account).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// What the resident says (1 to 2,000 characters).
    pub text: String,
    /// A rating from 1 to 5.
    pub rating: u8,
    /// A first name, optionally.
    #[serde(default)]
    pub first_name: Option<String>,
    /// A neighbourhood, optionally.
    #[serde(default)]
    pub neighbourhood: Option<String>,
    /// An e-mail address, kept only when `consent` is ticked.
    #[serde(default)]
    pub email: Option<String>,
    /// Consent to be contacted about this feedback at `email`.
    #[serde(default)]
    pub consent: bool,
}

/// A feedback as the public sees it (published only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PublicFeedback {
    /// Id.
    pub id: String,
    /// Text (plain text: never rendered as HTML).
    pub text: String,
    /// Rating, 1 to 5.
    pub rating: u8,
    /// First name, if given.
    pub first_name: Option<String>,
    /// Neighbourhood, if given.
    pub neighbourhood: Option<String>,
    /// When it was left (UTC).
    pub at: String,
}

/// A feedback as the commune's moderators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Feedback {
    /// What the public would see.
    #[serde(flatten)]
    pub public: PublicFeedback,
    /// The e-mail address, when the resident consented.
    pub email: Option<String>,
    /// Where it stands.
    pub status: FeedbackStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Who moderated it (account id).
    pub moderated_by: Option<String>,
}

/// `POST /api/experiments/{id}/feedback/{feedback}/moderation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Publish (true) or reject (false).
    pub publish: bool,
    /// Why it is rejected (required to reject).
    #[serde(default)]
    pub reason: Option<String>,
}
