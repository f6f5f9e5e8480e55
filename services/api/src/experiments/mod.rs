//! Experiments (service `experiments`): the 18 months after a selection, from
//! the agreement to the outcome and its spread to other communes.
//!
//! An experiment belongs to one commune (its tenant) and came from one selected
//! application; its fixed sets are enums ([`ExperimentStatus`], [`Outcome`],
//! [`Direction`], [`FeedbackStatus`], [`GridAxis`], [`Side`], [`DocumentKind`]),
//! its dates [`Day`]s.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tenancy::Insee;

mod evaluation;
mod feedback;
mod figures;
mod follow;

pub use crate::calendar::{Day, DayError};
pub use evaluation::*;
pub use feedback::*;
pub use figures::*;
pub use follow::*;

/// Declares a fixed set carried on the wire (and stored) by its snake-case
/// name: the enum, `ALL`, `as_str`, `parse` and `Display` cannot disagree.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $wire:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant,)*
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The wire (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                }
            }

            /// Parses the wire (and stored) name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// Where an experiment stands.
    ExperimentStatus {
        /// Agreement, sites and indicators being set up.
        Preparing => "preparing",
        /// Tested with the residents.
        Running => "running",
        /// The test is over; the grid is being filled.
        Evaluating => "evaluating",
        /// Evaluated, with an outcome.
        Concluded => "concluded",
        /// Paused (with a reason); resumes where it was.
        Suspended => "suspended",
        /// Ended early (with a reason).
        Stopped => "stopped",
    }
}

impl ExperimentStatus {
    /// The states an experiment in `self` may move to; `resume` is the state a
    /// suspended experiment was suspended from.
    pub fn next(self, resume: Option<ExperimentStatus>) -> Vec<ExperimentStatus> {
        use ExperimentStatus::*;
        match self {
            Preparing => vec![Running, Suspended, Stopped],
            Running => vec![Evaluating, Suspended, Stopped],
            Evaluating => vec![Concluded, Suspended, Stopped],
            Suspended => resume.into_iter().chain([Stopped]).collect(),
            Concluded | Stopped => Vec::new(),
        }
    }

    /// Whether a move to this state needs a written reason.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            ExperimentStatus::Suspended | ExperimentStatus::Stopped
        )
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Preparing => "En préparation",
            Self::Running => "En cours",
            Self::Evaluating => "En évaluation",
            Self::Concluded => "Terminée",
            Self::Suspended => "Suspendue",
            Self::Stopped => "Arrêtée",
        }
    }
}

wire_enum! {
    /// What came of an experiment.
    Outcome {
        /// Deployed for good where it was tested.
        Deployed => "deployed",
        /// Spread to other communes or places.
        Spread => "spread",
        /// Not continued.
        Stopped => "stopped",
    }
}

/// A partner organisation of an experiment (the holder, or a consortium member).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Partner {
    /// Organisation id.
    pub organisation_id: String,
    /// Its name when it joined.
    pub name: String,
    /// Whether it holds the experiment (the selected applicant).
    pub holder: bool,
}

/// One experiment, as the people who follow it see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Experiment {
    /// Id (UUID v7).
    pub id: String,
    /// The commune where it runs.
    pub insee: Insee,
    /// The commune's name.
    pub commune_name: String,
    /// The district's name, if the commune has one.
    pub district: Option<String>,
    /// The selected application it came from (none for a spread experiment
    /// created from another commune's).
    pub application_id: Option<String>,
    /// The call that application answered.
    pub call_id: Option<String>,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Themes.
    pub themes: Vec<String>,
    /// The holder and the consortium.
    pub partners: Vec<Partner>,
    /// The commune's referents (account ids).
    pub referents: Vec<String>,
    /// First day.
    pub starts_on: Day,
    /// Planned last day (start + 18 months unless set).
    pub ends_on: Day,
    /// Where it stands.
    pub status: ExperimentStatus,
    /// The moves it may make now (empty for the public).
    pub next: Vec<ExperimentStatus>,
    /// Whether its public page is published.
    pub published: bool,
    /// Months between two progress reports (0: none asked).
    pub report_every_months: u32,
    /// The outcome, once decided.
    pub outcome: Option<OutcomeRecord>,
    /// The experiment it was spread from (another commune's), if any.
    pub spread_from: Option<ExperimentRef>,
    /// The experiments spread from it.
    pub spread_to: Vec<ExperimentRef>,
    /// The moves, oldest first.
    pub history: Vec<Move>,
    /// Created (UTC).
    pub created_at: String,
}

/// A link to an experiment in a commune.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExperimentRef {
    /// Its commune.
    pub insee: Insee,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A move in an experiment's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Move {
    /// From.
    pub from: ExperimentStatus,
    /// To.
    pub to: ExperimentStatus,
    /// The reason given (required to suspend or stop).
    pub reason: Option<String>,
    /// Who moved it (account id).
    pub by: String,
    /// When (UTC).
    pub at: String,
}

/// `POST /api/experiments/communes/{insee}`: an experiment from a selected
/// application of the commune (idempotent: one application, one experiment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentInput {
    /// The selected application (title, holder, call, commune, district and
    /// themes are taken over from it and its call).
    pub application_id: String,
    /// A summary (default: none; the holder completes it).
    #[serde(default)]
    pub summary: Option<String>,
    /// First day (default: today in Paris).
    #[serde(default)]
    pub starts_on: Option<Day>,
    /// Planned last day (default: start + 18 months).
    #[serde(default)]
    pub ends_on: Option<Day>,
    /// The commune's referents (account ids).
    #[serde(default)]
    pub referents: Vec<String>,
}

/// `PUT /api/experiments/{id}`: what its managers may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentUpdate {
    /// Title.
    pub title: String,
    /// Summary.
    #[serde(default)]
    pub summary: String,
    /// Themes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// The commune's referents (account ids).
    #[serde(default)]
    pub referents: Vec<String>,
    /// First day.
    pub starts_on: Day,
    /// Planned last day.
    pub ends_on: Day,
    /// Months between two progress reports (0: none asked; at most 12).
    #[serde(default)]
    pub report_every_months: u32,
    /// Whether its public page is published.
    #[serde(default)]
    pub published: bool,
}

/// `POST /api/experiments/{id}/moves`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The state to move to.
    pub to: ExperimentStatus,
    /// Why (required to suspend or stop).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/experiments/{id}/partners`: an organisation joins the consortium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    /// The organisation's id in the partner directory.
    pub organisation_id: String,
}

/// `GET /api/experiments…` lists: one experiment in brief.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExperimentSummary {
    /// Id.
    pub id: String,
    /// Its commune.
    pub insee: Insee,
    /// The commune's name.
    pub commune_name: String,
    /// The district's name.
    pub district: Option<String>,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Themes.
    pub themes: Vec<String>,
    /// The holder's name.
    pub holder: String,
    /// Where it stands.
    pub status: ExperimentStatus,
    /// Whether its public page is published.
    pub published: bool,
    /// First day.
    pub starts_on: Day,
    /// Planned last day.
    pub ends_on: Day,
    /// The outcome, once decided.
    pub outcome: Option<Outcome>,
    /// What is due (for the people who follow it; zero for the public).
    pub due: Due,
}

/// What an experiment is waiting for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Due {
    /// Milestones past their planned day and not done.
    pub milestones_late: u32,
    /// Progress reports due now (the current period's, not sent).
    pub reports_due: u32,
    /// Progress reports of past periods never sent.
    pub reports_overdue: u32,
    /// Residents' feedback waiting for moderation.
    pub feedback_waiting: u32,
}
