//! What is followed during an experiment: sites, documents, milestones,
//! indicators and their measurements, progress reports.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Day, wire_enum};
use crate::geo::Perimeter;

/// A point: longitude and latitude in degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Longitude, in [-180, 180].
    pub lon: f64,
    /// Latitude, in [-90, 90].
    pub lat: f64,
}

impl Point {
    /// Whether it lies within WGS 84 bounds.
    pub fn is_valid(self) -> bool {
        (-180.0..=180.0).contains(&self.lon) && (-90.0..=90.0).contains(&self.lat)
    }
}

/// A place where the experiment runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Site {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// A point, if it is one.
    pub point: Option<Point>,
    /// An area (GeoJSON Polygon), if it is one.
    pub area: Option<Perimeter>,
}

/// `POST /api/experiments/{id}/sites`: a site, with a point or an area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// Name (one of the district's sites, or a new one).
    pub name: String,
    /// A point.
    #[serde(default)]
    pub point: Option<Point>,
    /// An area (GeoJSON Polygon).
    #[serde(default)]
    pub area: Option<Perimeter>,
}

wire_enum! {
    /// What a document is.
    DocumentKind {
        /// The experimentation agreement.
        Agreement => "agreement",
        /// A progress report's file.
        Report => "report",
        /// The holder's evaluation protocol.
        Protocol => "protocol",
        /// The holder's final report.
        FinalReport => "final_report",
        /// Evidence of a milestone.
        Evidence => "evidence",
        /// Anything else.
        Other => "other",
    }
}

/// A document of an experiment (its content is downloaded on its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Id.
    pub id: String,
    /// What it is.
    pub kind: DocumentKind,
    /// The file's name as sent.
    pub name: String,
    /// Its type, from its content (`application/pdf`, `image/png`, `image/jpeg`).
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Who sent it (account id).
    pub by: String,
    /// When (UTC).
    pub at: String,
}

/// A milestone of an experiment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Milestone {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Planned day.
    pub planned_on: Day,
    /// Day it was done.
    pub done_on: Option<Day>,
    /// Evidence (text; files are documents of kind `evidence`).
    pub evidence: String,
    /// Past its planned day and not done.
    pub late: bool,
}

/// `POST /api/experiments/{id}/milestones` (managers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// Title.
    pub title: String,
    /// Planned day.
    pub planned_on: Day,
}

/// `PUT /api/experiments/{id}/milestones/{milestone}`: marked done (or not)
/// by the holder or the commune.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDone {
    /// The day it was done (none: not done).
    pub done_on: Option<Day>,
    /// Evidence.
    #[serde(default)]
    pub evidence: String,
}

wire_enum! {
    /// Which way an indicator improves.
    Direction {
        /// More is better.
        Higher => "higher",
        /// Less is better.
        Lower => "lower",
    }
}

/// An indicator followed by an experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Indicator {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Value before the experiment.
    pub baseline: f64,
    /// Value aimed at.
    pub target: f64,
    /// Which way it improves.
    pub direction: Direction,
    /// Shown on the public page.
    pub public: bool,
    /// Measurements, oldest first.
    pub measurements: Vec<Measurement>,
    /// Whether the latest measurement reaches the target (none: not measured).
    pub on_target: Option<bool>,
}

/// `POST /api/experiments/{id}/indicators` (managers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    /// Name.
    pub name: String,
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// Value before the experiment.
    pub baseline: f64,
    /// Value aimed at.
    pub target: f64,
    /// Which way it improves.
    pub direction: Direction,
    /// Shown on the public page.
    #[serde(default)]
    pub public: bool,
}

/// One measurement of an indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// The day measured.
    pub on: Day,
    /// Value.
    pub value: f64,
    /// Comment.
    pub comment: String,
    /// Where the value comes from.
    pub source: String,
}

/// `POST /api/experiments/{id}/indicators/{indicator}/measurements`: one
/// measurement (a second one for the same day replaces the first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementInput {
    /// The day measured.
    pub on: Day,
    /// Value.
    pub value: f64,
    /// Comment.
    #[serde(default)]
    pub comment: String,
    /// Where the value comes from.
    #[serde(default)]
    pub source: String,
}

/// The columns of an experiment's measurements CSV, both ways.
pub const MEASUREMENT_COLUMNS: [&str; 5] = ["indicator", "date", "value", "comment", "source"];

/// `POST /api/experiments/{id}/measurements.csv`: what an import did (all of
/// it, or nothing with the lines at fault).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImportReport {
    /// Measurements written (0 when any line was refused).
    pub imported: u32,
}

/// A progress report of the holder for one period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The period's first day (the periods follow the experiment's start, one
    /// every `report_every_months` months).
    pub period: Day,
    /// The day it is due (the period's end).
    pub due_on: Day,
    /// Text, once sent.
    pub text: Option<String>,
    /// Who sent it (account id).
    pub by: Option<String>,
    /// When (UTC).
    pub sent_at: Option<String>,
    /// Its files (documents of kind `report`).
    pub documents: Vec<String>,
    /// Where it stands.
    pub state: ReportState,
}

wire_enum! {
    /// Where a period's report stands.
    ReportState {
        /// Sent.
        Sent => "sent",
        /// Its period is running: due at its end.
        Due => "due",
        /// Its period is over and it was never sent.
        Overdue => "overdue",
    }
}

/// `PUT /api/experiments/{id}/reports/{period}`: the holder's report for a
/// period (sent again, it replaces the text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// Text.
    pub text: String,
    /// Files already uploaded as documents (kind `report`).
    #[serde(default)]
    pub documents: Vec<String>,
}

/// `GET /api/experiments/{id}/followed`: everything followed, for the people
/// who follow the experiment (the public page shows its public part).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Followed {
    /// Sites.
    pub sites: Vec<Site>,
    /// Documents.
    pub documents: Vec<Document>,
    /// Milestones by planned day.
    pub milestones: Vec<Milestone>,
    /// Indicators with their measurements.
    pub indicators: Vec<Indicator>,
    /// Progress reports, one per period started.
    pub reports: Vec<Report>,
}
