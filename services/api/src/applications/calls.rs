//! Calls for solutions: definition, closing early, results, reminders.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Criterion, Eligibility, Question, Workflow};
use crate::tenancy::Insee;

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
    pub status: CallStatus,
    /// Who signs the decision letters.
    #[serde(default)]
    pub signatory: Option<Signatory>,
    /// Set when the call was closed before its deadline (its deadline is then
    /// that moment).
    #[serde(default)]
    pub closed_early: Option<EarlyClose>,
}

/// Where a call stands on the server clock (also the public filter `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Before its opening.
    Upcoming,
    /// Between its opening and its deadline: applications are accepted.
    Open,
    /// After its deadline (or closed early).
    Closed,
}

impl CallStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Upcoming, Self::Open, Self::Closed];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for CallStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
