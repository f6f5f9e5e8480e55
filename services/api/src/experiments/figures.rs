//! Figures and dashboards, the public page and the open data.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Day, ExperimentRef, ExperimentStatus, Milestone, OutcomeRecord, PublicFeedback, Site};
use crate::tenancy::Insee;

/// A count by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Count {
    /// The key (a status, a commune's INSEE code, a theme).
    pub key: String,
    /// How many.
    pub count: u32,
}

/// `GET /api/experiments/communes/{insee}/figures`: one commune's dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommuneFigures {
    /// The commune.
    pub insee: Insee,
    /// Experiments by status.
    pub by_status: Vec<Count>,
    /// Milestones late.
    pub milestones_late: u32,
    /// Progress reports overdue.
    pub reports_overdue: u32,
    /// Indicators whose latest measurement reaches their target.
    pub indicators_on_target: u32,
    /// Indicators measured whose latest measurement misses their target.
    pub indicators_off_target: u32,
    /// Residents' feedback waiting for moderation.
    pub feedback_waiting: u32,
}

/// Average grid scores of one side, per axis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AxisAverage {
    /// The axis.
    pub axis: super::GridAxis,
    /// The commune side's average (none: no score).
    pub commune: Option<f64>,
    /// The programme side's average.
    pub programme: Option<f64>,
}

/// `GET /api/experiments/programme/figures` (programme operators; published
/// experiments only at `GET /api/experiments/figures`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgrammeFigures {
    /// Experiments in all.
    pub total: u32,
    /// By status.
    pub by_status: Vec<Count>,
    /// By commune (INSEE code).
    pub by_commune: Vec<Count>,
    /// By theme.
    pub by_theme: Vec<Count>,
    /// Concluded experiments deployed for good or spread, per thousand concluded.
    pub deployed_permille: u32,
    /// Experiments spread from another commune's.
    pub spread: u32,
    /// Communes they were spread to.
    pub spread_communes: u32,
    /// Average grid scores per axis.
    pub grid: Vec<AxisAverage>,
    /// Milestones late (0 in the public figures).
    pub milestones_late: u32,
    /// Progress reports overdue (0 in the public figures).
    pub reports_overdue: u32,
    /// Feedback waiting for moderation (0 in the public figures).
    pub feedback_waiting: u32,
}

/// A public indicator with its measurements, for the chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PublicIndicator {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Baseline.
    pub baseline: f64,
    /// Target.
    pub target: f64,
    /// Which way it improves.
    pub direction: super::Direction,
    /// (day, value), oldest first.
    pub points: Vec<(Day, f64)>,
}

/// `GET /api/experiments/{id}/public`: what anyone sees of a published experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PublicExperiment {
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
    /// The consortium's other members' names.
    pub partners: Vec<String>,
    /// Status.
    pub status: ExperimentStatus,
    /// First day.
    pub starts_on: Day,
    /// Planned last day.
    pub ends_on: Day,
    /// Sites.
    pub sites: Vec<Site>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Public indicators.
    pub indicators: Vec<PublicIndicator>,
    /// Published feedback, newest first.
    pub feedback: Vec<PublicFeedback>,
    /// The outcome, once recorded.
    pub outcome: Option<OutcomeRecord>,
    /// Spread from.
    pub spread_from: Option<ExperimentRef>,
    /// Spread to.
    pub spread_to: Vec<ExperimentRef>,
}

/// One row of `experiments.json` / `experiments.csv` (published experiments).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpenExperiment {
    /// Id.
    pub id: String,
    /// Commune (INSEE code).
    pub insee: Insee,
    /// Commune's name.
    pub commune_name: String,
    /// Title.
    pub title: String,
    /// Themes, `;`-separated in the CSV.
    pub themes: Vec<String>,
    /// The holder's name.
    pub holder: String,
    /// Status.
    pub status: ExperimentStatus,
    /// First day.
    pub starts_on: Day,
    /// Planned last day.
    pub ends_on: Day,
    /// Outcome.
    pub outcome: Option<super::Outcome>,
    /// Outcome's reason.
    pub outcome_reason: Option<String>,
    /// Lessons learned.
    pub lessons: Option<String>,
    /// Spread from (experiment id).
    pub spread_from: Option<String>,
}
