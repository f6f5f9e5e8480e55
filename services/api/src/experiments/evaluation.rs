//! The evaluation on the programme's common grid, the holder's own evaluation,
//! the outcome, and the timeline from the call to the spread.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ExperimentRef, Outcome, wire_enum};
use crate::tenancy::Insee;

wire_enum! {
    /// An axis of the programme's common evaluation grid.
    GridAxis {
        /// Did it deliver what it meant to.
        Efficiency => "efficiency",
        /// Could it be run in real conditions.
        Feasibility => "feasibility",
        /// Will it last (economically, environmentally, socially).
        Sustainability => "sustainability",
        /// Can it be deployed elsewhere.
        Scalability => "scalability",
    }
}

wire_enum! {
    /// Who fills a column of the grid.
    Side {
        /// The commune (its admins).
        Commune => "commune",
        /// The programme team (programme operators).
        Programme => "programme",
    }
}

/// One score of the grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GridScore {
    /// The axis.
    pub axis: GridAxis,
    /// 0 to 5.
    pub score: u8,
    /// Why.
    #[serde(default)]
    pub comment: String,
}

/// `PUT /api/experiments/{id}/grid/{side}`: one side's column (every axis).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GridInput {
    /// One score per axis.
    pub scores: Vec<GridScore>,
}

/// `PUT /api/experiments/{id}/holder-evaluation`: the holder's own evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderEvaluation {
    /// The evaluation protocol (files: documents of kind `protocol`).
    #[serde(default)]
    pub protocol: String,
    /// The final report (files: documents of kind `final_report`).
    #[serde(default)]
    pub final_report: String,
}

/// `GET /api/experiments/{id}/evaluation`: the grid side by side, and the holder's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// The commune's column.
    pub commune: Vec<GridScore>,
    /// The programme team's column.
    pub programme: Vec<GridScore>,
    /// The holder's protocol and final report.
    pub holder: HolderEvaluation,
}

/// `PUT /api/experiments/{id}/outcome`: what came of it (a concluded or
/// stopped experiment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// Deployed, spread or stopped.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
    /// Lessons learned.
    #[serde(default)]
    pub lessons: String,
    /// Places it was spread to besides QMI communes (free text).
    #[serde(default)]
    pub places: Vec<String>,
}

/// An experiment's recorded outcome (public once the experiment is published).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutcomeRecord {
    /// Deployed, spread or stopped.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
    /// Lessons learned.
    pub lessons: String,
    /// Other places it was spread to.
    pub places: Vec<String>,
    /// When it was recorded (UTC).
    pub at: String,
}

/// `POST /api/experiments/{id}/spreads`: the concluded experiment starts again
/// in another commune (a new experiment there, linked both ways).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpreadInput {
    /// The commune it spreads to.
    pub insee: Insee,
}

/// The result of a spread: the new experiment.
pub type Spread = ExperimentRef;

wire_enum! {
    /// What an entry of a timeline records.
    TimelineKind {
        /// The call was published.
        CallPublished => "call_published",
        /// The application was created or changed state.
        Application => "application",
        /// The experiment was created.
        Created => "created",
        /// The experiment moved.
        Moved => "moved",
        /// A milestone was planned.
        MilestonePlanned => "milestone_planned",
        /// A milestone was done.
        MilestoneDone => "milestone_done",
        /// A progress report was sent.
        ReportSent => "report_sent",
        /// A side filled the grid.
        Evaluated => "evaluated",
        /// The outcome was recorded.
        OutcomeRecorded => "outcome_recorded",
        /// The experiment was spread to another commune.
        SpreadTo => "spread_to",
        /// The experiment came from another commune's.
        SpreadFrom => "spread_from",
    }
}

/// One entry of a timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TimelineEntry {
    /// When (UTC).
    pub at: String,
    /// What.
    pub kind: TimelineKind,
    /// In words (a state, a milestone's title, a commune).
    pub detail: String,
    /// Who (account id), when recorded.
    pub by: Option<String>,
}

/// `GET /api/experiments/{id}/timeline` and
/// `GET /api/experiments/applications/{id}/timeline`: from the call to the spread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Timeline {
    /// The application.
    pub application_id: Option<String>,
    /// The experiment it became, if any.
    pub experiment: Option<ExperimentRef>,
    /// Entries, oldest first.
    pub entries: Vec<TimelineEntry>,
}
