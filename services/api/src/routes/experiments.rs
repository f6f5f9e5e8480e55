//! The `experiments` service's routes: experiments from a selected application
//! to their outcome and spread, what is followed, residents' feedback, the
//! evaluation grid, timelines, figures and open data.

use super::{PAGE, QueryParam, file_body, s};
use crate::experiments::*;
use crate::page::Page;

const PUBLIC_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "commune",
        ty: "string",
        description: "INSEE code of the commune where they run.",
    },
    QueryParam {
        name: "theme",
        ty: "string",
        description: "One of their themes.",
    },
    QueryParam {
        name: "status",
        ty: "string",
        description: "preparing, running, evaluating, concluded, suspended or stopped.",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

const DOCUMENT_QUERY: &[QueryParam] = &[
    QueryParam {
        name: "kind",
        ty: "string",
        description: "agreement, report, protocol, final_report, evidence or other.",
    },
    QueryParam {
        name: "name",
        ty: "string",
        description: "The file's name (shown, never trusted for its type).",
    },
];

super::catalogue! {
    /// The operations of the `experiments` service.
    service Experiments = "experiments";
    OpenDataExperimentsJson = "openDataExperimentsJson": GET "/api/open-data/experiments.json", Public, 200,
        "Published experiments and their outcome (JSON)",
        query: &[], request: None, response: Some(s::<Vec<OpenExperiment>>);
    OpenDataExperimentsCsv = "openDataExperimentsCsv": GET "/api/open-data/experiments.csv", Public, 200,
        "Published experiments and their outcome (CSV, same columns)",
        query: &[], request: None, response: Some(file_body);
    ListPublicExperiments = "listPublicExperiments": GET "/api/experiments", Public, 200,
        "Published experiments, filtered by commune, theme and status",
        query: PUBLIC_FILTERS, request: None, response: Some(s::<Page<ExperimentSummary>>);
    GetPublicFigures = "getPublicFigures": GET "/api/experiments/figures", Public, 200,
        "The programme's figures over published experiments",
        query: &[], request: None, response: Some(s::<ProgrammeFigures>);
    GetProgrammeFigures = "getProgrammeFigures": GET "/api/experiments/programme/figures", Operator, 200,
        "The programme's dashboard over every experiment (programme operators)",
        query: &[], request: None, response: Some(s::<ProgrammeFigures>);
    ListOrganisationExperiments = "listOrganisationExperiments": GET "/api/experiments/organisations/{id}", Public, 200,
        "The experiments an organisation holds or joined, on its track record: published ones for everyone, more for those who may read them",
        query: &[], request: None, response: Some(s::<Vec<crate::partners::TrackExperiment>>);
    AbsorbOrganisation = "absorbOrganisationExperiments": POST "/api/experiments/organisations/{id}/absorb", Operator, 200,
        "Move a merged record's experiments (held or joined) to this organisation (programme operators): called by `partners` for `mergeOrganisation`",
        query: &[], request: Some(s::<crate::partners::Repoint>), response: Some(s::<crate::partners::Repointed>);
    ListMyExperiments = "listMyExperiments": GET "/api/experiments/mine", Principal, 200,
        "The experiments of the caller's organisation, across communes, with what is due",
        query: &[], request: None, response: Some(s::<Vec<ExperimentSummary>>);
    ListCommuneExperiments = "listCommuneExperiments": GET "/api/experiments/communes/{insee}", Tenant, 200,
        "A commune's experiments (its staff, programme operators)",
        query: PAGE, request: None, response: Some(s::<Page<ExperimentSummary>>);
    CreateExperiment = "createExperiment": POST "/api/experiments/communes/{insee}", Tenant, 201,
        "Turn a selected application into an experiment (idempotent: 200 with the existing one)",
        query: &[], request: Some(s::<ExperimentInput>), response: Some(s::<Experiment>);
    GetCommuneFigures = "getCommuneFigures": GET "/api/experiments/communes/{insee}/figures", Tenant, 200,
        "A commune's experiment dashboard (its staff, programme operators)",
        query: &[], request: None, response: Some(s::<CommuneFigures>);
    GetApplicationTimeline = "getApplicationTimeline": GET "/api/experiments/applications/{id}/timeline", Principal, 200,
        "An application's timeline, from the call to its experiment's spread",
        query: &[], request: None, response: Some(s::<Timeline>);
    GetExperiment = "getExperiment": GET "/api/experiments/{id}", Principal, 200,
        "One experiment (its commune's staff, its partners, programme operators)",
        query: &[], request: None, response: Some(s::<Experiment>);
    UpdateExperiment = "updateExperiment": PUT "/api/experiments/{id}", Principal, 200,
        "Change an experiment's details, referents, rhythm of reports, publication",
        query: &[], request: Some(s::<ExperimentUpdate>), response: Some(s::<Experiment>);
    GetPublicExperiment = "getPublicExperiment": GET "/api/experiments/{id}/public", Public, 200,
        "A published experiment's public page",
        query: &[], request: None, response: Some(s::<PublicExperiment>);
    MoveExperiment = "moveExperiment": POST "/api/experiments/{id}/moves", Principal, 200,
        "Move an experiment in its lifecycle (409 names the allowed moves)",
        query: &[], request: Some(s::<MoveInput>), response: Some(s::<Experiment>);
    AddPartner = "addPartner": POST "/api/experiments/{id}/partners", Principal, 200,
        "An organisation joins the consortium",
        query: &[], request: Some(s::<PartnerInput>), response: Some(s::<Experiment>);
    RemovePartner = "removePartner": DELETE "/api/experiments/{id}/partners/{organisation}", Principal, 200,
        "An organisation leaves the consortium (not the holder)",
        query: &[], request: None, response: Some(s::<Experiment>);
    GetFollowed = "getFollowed": GET "/api/experiments/{id}/followed", Principal, 200,
        "Sites, documents, milestones, indicators with measurements, reports",
        query: &[], request: None, response: Some(s::<Followed>);
    AddSite = "addSite": POST "/api/experiments/{id}/sites", Principal, 201,
        "Add a site (a point or an area)",
        query: &[], request: Some(s::<SiteInput>), response: Some(s::<Site>);
    RemoveSite = "removeSite": DELETE "/api/experiments/{id}/sites/{site}", Principal, 204,
        "Remove a site",
        query: &[], request: None, response: None;
    UploadDocument = "uploadDocument": POST "/api/experiments/{id}/documents", Principal, 201,
        "Upload a document (PDF, PNG or JPEG, checked by content, 10 MiB at most)",
        query: DOCUMENT_QUERY, request: Some(file_body), response: Some(s::<Document>);
    GetDocument = "getDocument": GET "/api/experiments/{id}/documents/{document}", Principal, 200,
        "Download a document",
        query: &[], request: None, response: Some(file_body);
    AddMilestone = "addMilestone": POST "/api/experiments/{id}/milestones", Principal, 201,
        "Plan a milestone",
        query: &[], request: Some(s::<MilestoneInput>), response: Some(s::<Milestone>);
    MarkMilestone = "markMilestone": PUT "/api/experiments/{id}/milestones/{milestone}", Principal, 200,
        "Mark a milestone done (or not), with its evidence",
        query: &[], request: Some(s::<MilestoneDone>), response: Some(s::<Milestone>);
    AddIndicator = "addIndicator": POST "/api/experiments/{id}/indicators", Principal, 201,
        "Define an indicator",
        query: &[], request: Some(s::<IndicatorInput>), response: Some(s::<Indicator>);
    AddMeasurement = "addMeasurement": POST "/api/experiments/{id}/indicators/{indicator}/measurements", Principal, 200,
        "Record a measurement (the same day again replaces it)",
        query: &[], request: Some(s::<MeasurementInput>), response: Some(s::<Indicator>);
    ExportMeasurements = "exportMeasurements": GET "/api/experiments/{id}/measurements.csv", Principal, 200,
        "Every measurement as CSV (indicator, date, value, comment, source)",
        query: &[], request: None, response: Some(file_body);
    ImportMeasurements = "importMeasurements": POST "/api/experiments/{id}/measurements.csv", Principal, 200,
        "Import measurements from CSV, the export's columns: all lines or none",
        query: &[], request: Some(file_body), response: Some(s::<ImportReport>);
    SendReport = "sendReport": PUT "/api/experiments/{id}/reports/{period}", Principal, 200,
        "The holder's progress report for a period",
        query: &[], request: Some(s::<ReportInput>), response: Some(s::<Report>);
    GiveFeedback = "giveFeedback": POST "/api/experiments/{id}/feedback", Public, 202,
        "A resident's feedback on a published experiment (waits for moderation)",
        query: &[], request: Some(s::<FeedbackInput>), response: None;
    ListFeedback = "listFeedback": GET "/api/experiments/{id}/feedback", Principal, 200,
        "Every feedback with its status (the commune's moderators)",
        query: &[], request: None, response: Some(s::<Vec<Feedback>>);
    ModerateFeedback = "moderateFeedback": POST "/api/experiments/{id}/feedback/{feedback}/moderation", Principal, 200,
        "Publish or reject a feedback",
        query: &[], request: Some(s::<Moderation>), response: Some(s::<Feedback>);
    EraseFeedback = "eraseFeedback": DELETE "/api/experiments/{id}/feedback/{feedback}", Principal, 204,
        "Erase a feedback on its author's request: its text and any contact it holds are deleted (the commune's moderators)",
        query: &[], request: None, response: None;
    GetEvaluation = "getEvaluation": GET "/api/experiments/{id}/evaluation", Principal, 200,
        "The common grid side by side, and the holder's evaluation",
        query: &[], request: None, response: Some(s::<Evaluation>);
    SaveGrid = "saveGrid": PUT "/api/experiments/{id}/grid/{side}", Principal, 200,
        "One side's scores on the common grid (commune or programme)",
        query: &[], request: Some(s::<GridInput>), response: Some(s::<Evaluation>);
    SaveHolderEvaluation = "saveHolderEvaluation": PUT "/api/experiments/{id}/holder-evaluation", Principal, 200,
        "The holder's evaluation protocol and final report",
        query: &[], request: Some(s::<HolderEvaluation>), response: Some(s::<Evaluation>);
    RecordOutcome = "recordOutcome": PUT "/api/experiments/{id}/outcome", Principal, 200,
        "Record what came of a concluded or stopped experiment",
        query: &[], request: Some(s::<OutcomeInput>), response: Some(s::<Experiment>);
    SpreadExperiment = "spreadExperiment": POST "/api/experiments/{id}/spreads", Principal, 201,
        "Start a concluded experiment again in another commune (linked both ways)",
        query: &[], request: Some(s::<SpreadInput>), response: Some(s::<Experiment>);
    GetTimeline = "getTimeline": GET "/api/experiments/{id}/timeline", Principal, 200,
        "An experiment's timeline, from the call to the spread",
        query: &[], request: None, response: Some(s::<Timeline>);
}
