//! The Spin component: dispatches the catalogued `applications` routes, asks the
//! `policy` component (`qmi:platform/authz`) before every action, keeps its data
//! in the SQLite label `applications`, and reaches `identity` and `districts`
//! through the app's own API (a Spin self-request, base URL from the variable
//! `services_url`), forwarding the caller's bearer token so the gateway checks it
//! there too.

use std::cell::RefCell;
use std::collections::HashMap;

use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply};
use qmi_kit::store::Db;
use spin_sdk::http::Request;

use crate::paris::now;

// Shared by every aggregate: request context, policy client, helpers, other services.
#[path = "context.rs"]
mod context;

// One module per aggregate.
#[path = "apps.rs"]
mod apps;
#[path = "assignments.rs"]
mod assignments;
#[path = "calls.rs"]
mod calls;
#[path = "campaigns.rs"]
mod campaigns;
#[path = "exports.rs"]
mod exports;
#[path = "reviews.rs"]
mod reviews;
#[path = "submissions.rs"]
mod submissions;

#[path = "notify.rs"]
mod notify;

#[path = "decisions.rs"]
mod decisions;
#[path = "jury_io.rs"]
mod jury_io;

use apps::*;
use assignments::*;
use calls::*;
use campaigns::*;
use context::*;
use exports::*;
use reviews::*;
use submissions::*;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let (doc, params) = qmi_kit::http::dispatch("applications", req)?;
    let principal = req.principal()?;
    let db = Db::open(crate::DATABASE).await?;
    let cx = Ctx {
        req,
        params,
        db,
        principal,
        now: now(),
        suspended: RefCell::new(HashMap::new()),
    };
    let reply = match doc.id {
        "createCampaign" => create_campaign(&cx).await,
        "listCampaigns" => list_campaigns(&cx).await,
        "getCampaign" => get_campaign(&cx).await,
        "updateCampaign" => decisions::update_campaign(&cx).await,
        "publishCampaign" => decisions::publish_campaign(&cx).await,
        "listCandidacies" => list_candidacies(&cx).await,
        "listCommuneCandidacies" => list_commune_candidacies(&cx).await,
        "getCandidacy" => get_candidacy(&cx).await,
        "saveCandidacy" => save_candidacy(&cx).await,
        "submitCandidacy" => submit_candidacy(&cx).await,
        "decideCandidacy" => decide_candidacy(&cx).await,
        "createCall" => create_call(&cx).await,
        "listCalls" => list_calls(&cx).await,
        "getCall" => get_call(&cx).await,
        "getCallResults" => call_results(&cx).await,
        "updateCall" => update_call(&cx).await,
        "publishCall" => publish_call(&cx).await,
        "closeCall" => decisions::close_call(&cx).await,
        "createApplication" => create_application(&cx).await,
        "listCallApplications" => list_call_applications(&cx).await,
        "assignReviewers" => assign_reviewers(&cx).await,
        "listAssignments" => list_assignments(&cx).await,
        "getRanking" => get_ranking(&cx).await,
        "publishDecisions" => publish_decisions(&cx).await,
        "sendReminders" => notify::send_reminders(&cx).await,
        "exportCsv" => export(&cx, false).await,
        "exportXlsx" => export(&cx, true).await,
        "listMyApplications" => list_my_applications(&cx).await,
        "getApplication" => get_application(&cx).await,
        "saveApplication" => save_application(&cx).await,
        "submitApplication" => submit_application(&cx).await,
        "withdrawApplication" => withdraw_application(&cx).await,
        "reopenApplication" => decisions::reopen_application(&cx).await,
        "transitionApplication" => transition_application(&cx).await,
        "uploadAttachment" => upload_attachment(&cx).await,
        "getAttachment" => get_attachment(&cx).await,
        "declareConflict" => declare_conflict(&cx).await,
        "saveReview" => save_review(&cx).await,
        "listReviews" => list_reviews(&cx).await,
        "getLetter" => get_letter(&cx).await,
        "listMyAssignments" => list_my_assignments(&cx).await,
        "openData" => open_data(&cx).await,
        other => Err(Problem::internal(format!("route {other} has no handler"))),
    };
    // Reminders due and the outbox's messages, whatever the answer (best effort).
    notify::after(&cx).await;
    reply
}

