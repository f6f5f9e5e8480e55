//! The `applications` service's routes: campaigns and candidacies, calls,
//! applications, reviews, exports and open data.

use super::{PAGE, QueryParam, file_body, s};
use crate::applications::*;
use crate::page::Page;

const CALL_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "commune",
        ty: "string",
        description: "INSEE code of a commune: its own calls and the programme calls covering it.",
    },
    QueryParam {
        name: "theme",
        ty: "string",
        description: "One of the call's themes.",
    },
    QueryParam {
        name: "status",
        ty: "string",
        description: "open, upcoming or closed (server clock, Europe/Paris deadlines).",
    },
    QueryParam {
        name: "managed",
        ty: "boolean",
        description: "`true`: the calls the caller runs, published or not (a programme operator: every call; a commune admin: their communes' own calls). Needs a token.",
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

/// The CSV export's separator.
const EXPORT_CSV_PARAMS: &[QueryParam] = &[QueryParam {
    name: "separator",
    ty: "string",
    description: "`comma` (default, RFC 4180) or `semicolon` (fields separated by `;` and decimal commas: the CSV French Excel opens as columns).",
}];

const APPLICATION_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "status",
        ty: "string",
        description: "Only applications in this workflow state.",
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

/// The attachment's file name.
const ATTACHMENT_NAME: &[QueryParam] = &[QueryParam {
    name: "name",
    ty: "string",
    description: "The file's name, shown beside its question and given to it when downloaded.",
}];

super::catalogue! {
    /// The operations of the `applications` service.
    service Applications = "applications";
    CreateCampaign = "createCampaign": POST "/api/campaigns", Principal, 201,
        "Open a call for communes (programme operators)",
        query: &[], request: Some(s::<CampaignInput>), response: Some(s::<Campaign>);
    ListCampaigns = "listCampaigns": GET "/api/campaigns", Principal, 200,
        "Calls for communes (published ones; every one for operators)",
        query: PAGE, request: None, response: Some(s::<Page<Campaign>>);
    GetCampaign = "getCampaign": GET "/api/campaigns/{id}", Principal, 200,
        "One call for communes",
        query: &[], request: None, response: Some(s::<Campaign>);
    UpdateCampaign = "updateCampaign": PUT "/api/campaigns/{id}", Principal, 200,
        "Edit a call for communes while it is unpublished (programme operators); recorded in its history",
        query: &[], request: Some(s::<CampaignInput>), response: Some(s::<Campaign>);
    PublishCampaign = "publishCampaign": POST "/api/campaigns/{id}/publish", Principal, 200,
        "Publish a call for communes (programme operators); recorded in its history",
        query: &[], request: None, response: Some(s::<Campaign>);
    ListCandidacies = "listCandidacies": GET "/api/campaigns/{id}/candidacies", Principal, 200,
        "The submitted candidacies of a campaign (programme operators)",
        query: PAGE, request: None, response: Some(s::<Page<Candidacy>>);
    ListCommuneCandidacies = "listCommuneCandidacies": GET "/api/candidacies/{insee}", Tenant, 200,
        "The commune's candidacies to every campaign, drafts included, by campaign id (its admins and agents, programme operators)",
        query: PAGE, request: None, response: Some(s::<Page<Candidacy>>);
    GetCandidacy = "getCandidacy": GET "/api/campaigns/{id}/candidacies/{insee}", Principal, 200,
        "A commune's candidacy",
        query: &[], request: None, response: Some(s::<Candidacy>);
    SaveCandidacy = "saveCandidacy": PUT "/api/campaigns/{id}/candidacies/{insee}", Principal, 200,
        "Draft a commune's candidacy (idempotent autosave; the commune's admins)",
        query: &[], request: Some(s::<CandidacyInput>), response: Some(s::<Candidacy>);
    SubmitCandidacy = "submitCandidacy": POST "/api/campaigns/{id}/candidacies/{insee}/submit", Principal, 200,
        "Submit the candidacy before the deadline; the commune becomes a candidate",
        query: &[], request: None, response: Some(s::<Candidacy>);
    DecideCandidacy = "decideCandidacy": POST "/api/campaigns/{id}/candidacies/{insee}/decision", Principal, 200,
        "Select (the commune becomes a district and its district is created) or reject",
        query: &[], request: Some(s::<CandidacyDecision>), response: Some(s::<Candidacy>);
    CreateCall = "createCall": POST "/api/calls", Principal, 201,
        "Open a call for solutions: for a commune's district (its admins, programme operators) or a programme call for several districts (programme operators)",
        query: &[], request: Some(s::<CallInput>), response: Some(s::<Call>);
    ListCalls = "listCalls": GET "/api/calls", Public, 200,
        "Published calls for solutions (or, with `managed=true`, the calls the caller runs), filtered and cursor-paginated",
        query: CALL_FILTERS, request: None, response: Some(s::<Page<Call>>);
    GetCall = "getCall": GET "/api/calls/{id}", Public, 200,
        "One call (public once published)",
        query: &[], request: None, response: Some(s::<Call>);
    GetCallResults = "getCallResults": GET "/api/calls/{id}/results", Public, 200,
        "A call's results: its selected solutions, once its decisions are published (public with the call)",
        query: &[], request: None, response: Some(s::<CallResults>);
    UpdateCall = "updateCall": PUT "/api/calls/{id}", Principal, 200,
        "Change a call: form, criteria, workflow, dates",
        query: &[], request: Some(s::<CallInput>), response: Some(s::<Call>);
    PublishCall = "publishCall": POST "/api/calls/{id}/publish", Principal, 200,
        "Publish a call",
        query: &[], request: None, response: Some(s::<Call>);
    CloseCall = "closeCall": POST "/api/calls/{id}/close", Principal, 200,
        "Close a call before its deadline, on purpose, with a reason (decisions are taken only once a call is closed)",
        query: &[], request: Some(s::<CloseRequest>), response: Some(s::<Call>);
    CreateApplication = "createApplication": POST "/api/calls/{id}/applications", Principal, 201,
        "Start (and optionally submit) an application for the caller's organisation; `Idempotency-Key` makes retries safe",
        query: &[], request: Some(s::<ApplicationInput>), response: Some(s::<Application>);
    ListCallApplications = "listCallApplications": GET "/api/calls/{id}/applications", Principal, 200,
        "A call's applications (whoever runs the call)",
        query: APPLICATION_FILTERS, request: None, response: Some(s::<Page<Application>>);
    AssignReviewers = "assignReviewers": POST "/api/calls/{id}/assignments", Principal, 200,
        "Assign reviewers by hand or automatically (N per application, load balanced); when the reviewers who may review some applications are too few for N, the `QMI-Shortfall` header names them with the count each got",
        query: &[], request: Some(s::<AssignRequest>), response: Some(s::<Vec<Assignment>>);
    ListAssignments = "listAssignments": GET "/api/calls/{id}/assignments", Principal, 200,
        "A call's assignments and their progress",
        query: &[], request: None, response: Some(s::<Vec<Assignment>>);
    GetRanking = "getRanking": GET "/api/calls/{id}/ranking", Principal, 200,
        "Weighted scores, spread and review progress",
        query: &[], request: None, response: Some(s::<Ranking>);
    PublishDecisions = "publishDecisions": POST "/api/calls/{id}/decisions/publish", Principal, 200,
        "Make the call's decision letters visible to the applicants",
        query: &[], request: None, response: Some(s::<Call>);
    SendReminders = "sendReminders": POST "/api/calls/reminders", Operator, 200,
        "Remind now the holders of a draft to a call closing within 72 hours, each draft once (a scheduler's route; requests to applications also sweep); counts only",
        query: &[], request: None, response: Some(s::<ReminderRun>);
    ExportCsv = "exportCsv": GET "/api/calls/{id}/export.csv", Principal, 200,
        "Applications with answers, scores, decisions and every reviewer's score and comment per criterion (CSV; `?separator=semicolon` for French Excel)",
        query: EXPORT_CSV_PARAMS, request: None, response: Some(file_body);
    ExportXlsx = "exportXlsx": GET "/api/calls/{id}/export.xlsx", Principal, 200,
        "Applications with answers, scores, decisions and every reviewer's score and comment per criterion (XLSX, opens in Excel whatever its language)",
        query: &[], request: None, response: Some(file_body);
    ListOrganisationApplications = "listOrganisationApplications": GET "/api/applications/organisations/{id}", Public, 200,
        "An organisation's applications on its track record: selected ones of published decisions for everyone, more for those who may read them",
        query: &[], request: None, response: Some(s::<Vec<crate::partners::TrackApplication>>);
    AbsorbOrganisation = "absorbOrganisationApplications": POST "/api/applications/organisations/{id}/absorb", Operator, 200,
        "Move a merged record's applications to this organisation (programme operators): called by `partners` for `mergeOrganisation`",
        query: &[], request: Some(s::<crate::partners::Repoint>), response: Some(s::<crate::partners::Repointed>);
    ListMyApplications = "listMyApplications": GET "/api/applications", Principal, 200,
        "Every application of the caller's organisation, across every commune",
        query: PAGE, request: None, response: Some(s::<Page<Application>>);
    GetApplication = "getApplication": GET "/api/applications/{id}", Principal, 200,
        "An application with its status history (a recused reviewer sees the title only)",
        query: &[], request: None, response: Some(s::<Application>);
    SaveApplication = "saveApplication": PUT "/api/applications/{id}", Principal, 200,
        "Autosave a draft (idempotent)",
        query: &[], request: Some(s::<ApplicationInput>), response: Some(s::<Application>);
    SubmitApplication = "submitApplication": POST "/api/applications/{id}/submit", Principal, 200,
        "Submit: every answer validated (422 lists every problem), refused after the deadline",
        query: &[], request: None, response: Some(s::<Application>);
    WithdrawApplication = "withdrawApplication": POST "/api/applications/{id}/withdraw", Principal, 200,
        "Withdraw before a decision",
        query: &[], request: None, response: Some(s::<Application>);
    ReopenApplication = "reopenApplication": POST "/api/applications/{id}/reopen", Principal, 200,
        "Reopen a withdrawn application as a draft, while its call is open",
        query: &[], request: None, response: Some(s::<Application>);
    TransitionApplication = "transitionApplication": POST "/api/applications/{id}/transitions", Principal, 200,
        "Move along the call's workflow (eligibility, shortlist, decision with a reason)",
        query: &[], request: Some(s::<TransitionRequest>), response: Some(s::<Application>);
    UploadAttachment = "uploadAttachment": POST "/api/applications/{id}/attachments", Principal, 201,
        "Upload a file (PDF, PNG, JPEG by content; 10 MiB at most); the body is the file",
        query: ATTACHMENT_NAME, request: Some(file_body), response: Some(s::<Attachment>);
    GetAttachment = "getAttachment": GET "/api/applications/{id}/attachments/{attachment}", Principal, 200,
        "Download a file",
        query: &[], request: None, response: Some(file_body);
    DeclareConflict = "declareConflict": POST "/api/applications/{id}/conflict", Principal, 200,
        "Declare a conflict of interest, with its reason (required, shown to whoever runs the call): the reviewer is recused",
        query: &[], request: Some(s::<ConflictDeclaration>), response: Some(s::<ApplicationTitle>);
    SaveReview = "saveReview": PUT "/api/applications/{id}/review", Principal, 200,
        "Score every criterion 0-5 with comments (assigned reviewers)",
        query: &[], request: Some(s::<ScoreSheet>), response: Some(s::<Review>);
    ListReviews = "listReviews": GET "/api/applications/{id}/reviews", Principal, 200,
        "An application's reviews",
        query: &[], request: None, response: Some(s::<Vec<Review>>);
    GetLetter = "getLetter": GET "/api/applications/{id}/letter", Principal, 200,
        "The decision letter (the applicant sees it once published)",
        query: &[], request: None, response: Some(s::<Letter>);
    ListMyAssignments = "listMyAssignments": GET "/api/reviews", Principal, 200,
        "The caller's review assignments",
        query: &[], request: None, response: Some(s::<Vec<Assignment>>);
    OpenData = "openData": GET "/api/open-data/{file}", Public, 200,
        "Open data: calls.json, calls.csv, decisions.json, decisions.csv (published calls and decisions)",
        query: &[], request: None, response: Some(file_body);
}
