//! Request and response types of the `applications` service (calls for communes
//! and their candidacies, calls for solutions, applications, reviews, decisions)
//! and of the `districts` service. Instants are RFC 3339 strings in UTC
//! (`2026-05-01T10:00:00Z`); inputs may also be written as Europe/Paris local time
//! (`2026-05-01T12:00`), see `opens_at`/`closes_at`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tenancy::Insee;

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
    pub kinds: Vec<String>,
    /// Countries accepted, ISO 3166-1 alpha-2 (empty: all).
    #[serde(default)]
    pub countries: Vec<String>,
}

/// `POST /api/calls` and `PUT /api/calls/{id}`: a call for solutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    /// A commune's call: the commune whose district the call is for (its admins
    /// or programme operators open it). Absent for a programme call. Cannot
    /// change on update.
    #[serde(default)]
    pub insee: Option<Insee>,
    /// A programme call (programme operators only): the districts it covers,
    /// communes with status `district`; each application picks one of them.
    /// Empty for a commune's call. Cannot change on update.
    #[serde(default)]
    pub districts: Vec<Insee>,
    /// Title.
    pub title: String,
    /// Presentation.
    #[serde(default)]
    pub description: String,
    /// Themes (mobility, energy…), used by the public filter `theme`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Challenges of the district(s) the call answers.
    #[serde(default)]
    pub challenges: Vec<String>,
    /// Who may apply.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Opening: RFC 3339, or Europe/Paris local `YYYY-MM-DDTHH:MM[:SS]`.
    pub opens_at: String,
    /// Deadline: RFC 3339, or Europe/Paris local `YYYY-MM-DDTHH:MM[:SS]`.
    pub closes_at: String,
    /// How many solutions the call means to select.
    #[serde(default)]
    pub target_selections: u32,
    /// The application form.
    #[serde(default)]
    pub form: Vec<Question>,
    /// The weighted criteria.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// The workflow (default: draft → submitted → eligible/ineligible → in_review →
    /// shortlisted → selected/rejected, withdrawn from any state before a decision).
    #[serde(default)]
    pub workflow: Option<Workflow>,
    /// Decision letter with placeholders `{{title}}`, `{{call}}`, `{{decision}}`,
    /// `{{reason}}`, `{{score}}`.
    #[serde(default)]
    pub letter_template: Option<String>,
    /// Who signs the decision letters (name and role); required before the
    /// decisions are published.
    #[serde(default)]
    pub signatory: Option<Signatory>,
    /// Published calls are public.
    #[serde(default)]
    pub published: bool,
}

/// The person who signs a call's decision letters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    /// Full name (`Marie Dupont`).
    pub name: String,
    /// Role (`Maire adjointe chargée de l'innovation`).
    pub role: String,
}

/// `POST /api/calls/{id}/close`: closing a call before its deadline, on purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Why the call closes early (kept with the call, shown to whoever runs it).
    pub reason: String,
}

/// A call closed before its deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EarlyClose {
    /// When (UTC).
    pub at: String,
    /// When, in Europe/Paris local time.
    pub at_paris: String,
    /// Who closed it (account id).
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A call for solutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Call {
    /// Id (UUID v7).
    pub id: String,
    /// The commune running the call; for a programme call, its first district
    /// (where the call itself is stored).
    pub insee: Insee,
    /// Whether it is a programme call, run by programme operators.
    #[serde(default)]
    pub programme: bool,
    /// The districts the call covers (for a commune's call, just `insee`).
    #[serde(default)]
    pub districts: Vec<Insee>,
    /// Title.
    pub title: String,
    /// Presentation.
    pub description: String,
    /// Themes.
    pub themes: Vec<String>,
    /// Challenges.
    pub challenges: Vec<String>,
    /// Who may apply.
    pub eligibility: Eligibility,
    /// Opening (UTC).
    pub opens_at: String,
    /// Opening in Europe/Paris local time, with its offset.
    pub opens_at_paris: String,
    /// Deadline (UTC).
    pub closes_at: String,
    /// Deadline in Europe/Paris local time, with its offset.
    pub closes_at_paris: String,
    /// Target number of selections.
    pub target_selections: u32,
    /// The application form.
    pub form: Vec<Question>,
    /// The weighted criteria.
    pub criteria: Vec<Criterion>,
    /// The workflow.
    pub workflow: Workflow,
    /// The decision letter template.
    pub letter_template: String,
    /// Whether the call is public.
    pub published: bool,
    /// Whether decisions are visible to applicants.
    pub decisions_published: bool,
    /// `open` (between opening and deadline), `upcoming` or `closed`, on the server clock.
    pub status: String,
    /// Who signs the decision letters.
    #[serde(default)]
    pub signatory: Option<Signatory>,
    /// Set when the call was closed before its deadline (its deadline is then
    /// that moment).
    #[serde(default)]
    pub closed_early: Option<EarlyClose>,
}

/// `GET /api/calls/{id}/results`: a call's published results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CallResults {
    /// The call.
    pub call_id: String,
    /// Whether the call's decisions are published (until then, `selected` is empty).
    pub decisions_published: bool,
    /// The selected solutions, by title.
    pub selected: Vec<SelectedSolution>,
}

/// One selected solution of a call, as the public may know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SelectedSolution {
    /// The application.
    pub application_id: String,
    /// The solution's title.
    pub title: String,
    /// The organisation that proposed it.
    pub organisation_name: String,
    /// The district (commune) where it will be tried.
    pub district: Insee,
}

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

/// `POST /api/calls/reminders` (a platform operator, or a scheduler): what one
/// sweep of the reminders before calls close did. Counts only: no content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReminderRun {
    /// Drafts whose holders were reminded now (each draft is reminded once).
    pub reminded: u32,
    /// Drafts due for a reminder still (their commune is suspended, or beyond
    /// this run's bound).
    pub pending: u32,
}

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

/// A district (service `districts`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct District {
    /// The commune.
    pub insee: Insee,
    /// Name.
    pub name: String,
    /// Perimeter (GeoJSON Polygon).
    pub perimeter: Value,
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
    pub perimeter: Value,
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

/// A stored attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// Id (use it as the answer of a `file` question).
    pub id: String,
    /// Detected media type (`application/pdf`, `image/png`, `image/jpeg`).
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The file's name as sent (`?name=`), if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `PUT /api/admin/communes/{insee}/status` (identity): set a commune's programme status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommuneStatusChange {
    /// `member`, `candidate` or `district`.
    pub status: crate::identity::CommuneStatus,
}
