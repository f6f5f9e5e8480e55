//! What a call for solutions (or a campaign) defines: form questions, weighted
//! criteria, the workflow of its applications, eligibility.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::identity::{Country, OrganisationKind};

/// The type of a form question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One line of text.
    ShortText,
    /// Several paragraphs.
    LongText,
    /// A number (limits `min`/`max`).
    Number,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// One of `options`.
    SingleChoice,
    /// Several of `options` (at most `max_choices`).
    MultipleChoice,
    /// The id of an attachment uploaded to the application.
    File,
}

/// One question of a configurable form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable key of the answer (`[a-z0-9_]`, unique in the form).
    pub id: String,
    /// The question, for people.
    pub label: String,
    /// Its type.
    pub kind: QuestionKind,
    /// Whether an answer is needed to submit.
    #[serde(default)]
    pub required: bool,
    /// Text: most characters allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Number: smallest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number: largest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Choices: the options offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Multiple choice: most options that may be picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
}

/// A weighted evaluation criterion, scored 0–5 by each reviewer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable key (`[a-z0-9_]`, unique in the call).
    pub id: String,
    /// Name.
    pub name: String,
    /// What reviewers look at.
    #[serde(default)]
    pub description: String,
    /// Weight (> 0); the weighted score is Σ weight × mean score / Σ weight.
    pub weight: f64,
}

/// A label written `Français / English` (a workflow state's) as its (French,
/// English) parts; a label without the separator serves both languages.
pub fn label_parts(label: &str) -> (&str, &str) {
    label.split_once(" / ").unwrap_or((label, label))
}

/// One state of a call's workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowState {
    /// Key (`draft`, `submitted` and `withdrawn` must exist).
    pub id: String,
    /// Label for people.
    pub label: String,
    /// Whether reaching this state is a decision (sent to the applicant in a letter
    /// once decisions are published; withdrawing is no longer possible).
    #[serde(default)]
    pub decision: bool,
}

/// An allowed move between two states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// From this state.
    pub from: String,
    /// To this state.
    pub to: String,
}

/// A call's workflow: ordered states and the allowed transitions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// The states, in display order.
    pub states: Vec<WorkflowState>,
    /// The allowed transitions.
    pub transitions: Vec<Transition>,
}

impl Workflow {
    /// The workflow of a call that sets none: draft → submitted →
    /// eligible/ineligible → in_review → shortlisted → selected/rejected,
    /// withdrawn from any state before a decision. The web app starts its
    /// editor from it, so both sides share one definition.
    pub fn standard() -> Self {
        let s = |id: &str, label: &str, decision: bool| WorkflowState {
            id: id.into(),
            label: label.into(),
            decision,
        };
        let states = vec![
            s("draft", "Brouillon / Draft", false),
            s("submitted", "Déposée / Submitted", false),
            s("eligible", "Recevable / Eligible", false),
            s("ineligible", "Irrecevable / Ineligible", true),
            s("in_review", "En évaluation / In review", false),
            s("shortlisted", "Présélectionnée / Shortlisted", false),
            s("selected", "Retenue / Selected", true),
            s("rejected", "Non retenue / Rejected", true),
            s("withdrawn", "Retirée / Withdrawn", false),
        ];
        let moves = [
            ("draft", "submitted"),
            ("submitted", "eligible"),
            ("submitted", "ineligible"),
            ("eligible", "in_review"),
            ("in_review", "shortlisted"),
            ("in_review", "rejected"),
            ("shortlisted", "selected"),
            ("shortlisted", "rejected"),
        ];
        let withdrawals = ["draft", "submitted", "eligible", "in_review", "shortlisted"]
            .map(|from| (from, "withdrawn"));
        let transitions = moves
            .into_iter()
            .chain(withdrawals)
            .map(|(from, to)| Transition {
                from: from.into(),
                to: to.into(),
            })
            .collect();
        Workflow {
            states,
            transitions,
        }
    }
}

/// Who may apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Organisation kinds accepted (empty: all).
    #[serde(default)]
    pub kinds: Vec<OrganisationKind>,
    /// Countries accepted, ISO 3166-1 alpha-2 (empty: all).
    #[serde(default)]
    pub countries: Vec<Country>,
}
