//! The Spin component: dispatches the catalogued `applications` routes, asks the
//! `policy` component (`qmi:platform/authz`) before every action, keeps its data
//! in the SQLite label `applications`, and reaches `identity` and `districts`
//! through the app's own API (a Spin self-request, base URL from the variable
//! `services_url`), forwarding the caller's bearer token so the gateway checks it
//! there too.

use qmi_api::routes::applications::Op;

use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply};
use qmi_kit::store::Db;
use spin_sdk::http::Request;

// Shared by every aggregate: request context, helpers, other services.
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

// The partner directory: track records and merges.
#[path = "track.rs"]
mod track;

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
    // The gateway's routes all start with /api/, the internal route's with
    // /internal/applications/: its audit chains and usage counts, a person's data (`personal`).
    if !req.path.starts_with("/api/") {
        if qmi_kit::accountability::answers(&req.path, qmi_api::internal::APPLICATIONS.prefix) {
            return qmi_kit::accountability::serve(
                req,
                qmi_api::internal::APPLICATIONS.prefix,
                crate::DATABASE,
                &crate::SCHEMA,
            )
            .await;
        }
        return crate::personal::route(req).await;
    }
    let (op, kit) = qmi_kit::context::Ctx::route::<Op>(req)?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    db.attend(&kit);
    let cx = Ctx {
        now: kit.now(),
        kit,
        db,
    };
    let reply = match op {
        Op::CreateCampaign => create_campaign(&cx).await,
        Op::ListCampaigns => list_campaigns(&cx).await,
        Op::GetCampaign => get_campaign(&cx).await,
        Op::UpdateCampaign => decisions::update_campaign(&cx).await,
        Op::PublishCampaign => decisions::publish_campaign(&cx).await,
        Op::ListCandidacies => list_candidacies(&cx).await,
        Op::ListCommuneCandidacies => list_commune_candidacies(&cx).await,
        Op::GetCandidacy => get_candidacy(&cx).await,
        Op::SaveCandidacy => save_candidacy(&cx).await,
        Op::SubmitCandidacy => submit_candidacy(&cx).await,
        Op::DecideCandidacy => decide_candidacy(&cx).await,
        Op::CreateCall => create_call(&cx).await,
        Op::ListCalls => list_calls(&cx).await,
        Op::GetCall => get_call(&cx).await,
        Op::GetCallResults => call_results(&cx).await,
        Op::UpdateCall => update_call(&cx).await,
        Op::PublishCall => publish_call(&cx).await,
        Op::CloseCall => decisions::close_call(&cx).await,
        Op::CreateApplication => create_application(&cx).await,
        Op::ListCallApplications => list_call_applications(&cx).await,
        Op::AssignReviewers => assign_reviewers(&cx).await,
        Op::ListAssignments => list_assignments(&cx).await,
        Op::GetRanking => get_ranking(&cx).await,
        Op::PublishDecisions => publish_decisions(&cx).await,
        Op::SendReminders => notify::send_reminders(&cx).await,
        Op::ExportCsv => export(&cx, false).await,
        Op::ExportXlsx => export(&cx, true).await,
        Op::ListOrganisationApplications => track::list_organisation_applications(&cx).await,
        Op::AbsorbOrganisation => track::absorb_organisation(&cx).await,
        Op::ListMyApplications => list_my_applications(&cx).await,
        Op::GetApplication => get_application(&cx).await,
        Op::SaveApplication => save_application(&cx).await,
        Op::SubmitApplication => submit_application(&cx).await,
        Op::WithdrawApplication => withdraw_application(&cx).await,
        Op::ReopenApplication => decisions::reopen_application(&cx).await,
        Op::TransitionApplication => transition_application(&cx).await,
        Op::UploadAttachment => upload_attachment(&cx).await,
        Op::GetAttachment => get_attachment(&cx).await,
        Op::DeclareConflict => declare_conflict(&cx).await,
        Op::SaveReview => save_review(&cx).await,
        Op::ListReviews => list_reviews(&cx).await,
        Op::GetLetter => get_letter(&cx).await,
        Op::ListMyAssignments => list_my_assignments(&cx).await,
        Op::OpenData => open_data(&cx).await,
    };
    // Reminders due and the outbox's messages, whatever the answer (best effort).
    notify::after(&cx).await;
    cx.db.close(&cx.kit, &reply).await;
    reply
}
