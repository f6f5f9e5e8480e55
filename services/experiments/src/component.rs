//! The Spin component: dispatches the catalogued `experiments` routes, asks the
//! `policy` component (`qmi:platform/authz`) before every action, keeps its data
//! in the SQLite label `experiments`, and reads applications, calls, communes,
//! districts and organisations through the app's own API as the caller
//! (`qmi_kit::api`).

use qmi_api::routes::experiments::Op;
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply};
use qmi_kit::store::Db;
use spin_sdk::http::Request;

use crate::{
    consortium, context, evaluation, figures, followed, indicators, lifecycle, listing, reports,
    track,
};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    // The gateway's routes all start with /api/, the internal route's with
    // /internal/experiments/: its audit chains and usage counts, a person's data (`personal`).
    if !req.path.starts_with("/api/") {
        if qmi_kit::accountability::answers(&req.path, qmi_api::internal::EXPERIMENTS.prefix) {
            return qmi_kit::accountability::serve(
                req,
                qmi_api::internal::EXPERIMENTS.prefix,
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
    let cx = context::Ctx::new(kit, db);
    let reply = async {
        match op {
            Op::OpenDataExperimentsJson => figures::open_json(&cx).await,
            Op::OpenDataExperimentsCsv => figures::open_csv(&cx).await,
            Op::ListPublicExperiments => listing::public_list(&cx).await,
            Op::GetPublicFigures => figures::published(&cx).await,
            Op::GetProgrammeFigures => figures::programme(&cx).await,
            Op::ListOrganisationExperiments => track::organisation(&cx).await,
            Op::AbsorbOrganisation => track::absorb(&cx).await,
            Op::ListMyExperiments => listing::mine(&cx).await,
            Op::ListCommuneExperiments => listing::commune(&cx).await,
            Op::CreateExperiment => lifecycle::create(&cx).await,
            Op::GetCommuneFigures => figures::commune(&cx).await,
            Op::GetApplicationTimeline => evaluation::application_timeline(&cx).await,
            Op::GetExperiment => lifecycle::get(&cx).await,
            Op::UpdateExperiment => lifecycle::update(&cx).await,
            Op::GetPublicExperiment => listing::public_page(&cx).await,
            Op::MoveExperiment => lifecycle::move_to(&cx).await,
            Op::AddPartner => consortium::add_partner(&cx).await,
            Op::RemovePartner => consortium::remove_partner(&cx).await,
            Op::GetFollowed => followed::get(&cx).await,
            Op::AddSite => followed::add_site(&cx).await,
            Op::RemoveSite => followed::remove_site(&cx).await,
            Op::UploadDocument => followed::upload(&cx).await,
            Op::GetDocument => followed::download(&cx).await,
            Op::AddMilestone => followed::add_milestone(&cx).await,
            Op::MarkMilestone => followed::mark_milestone(&cx).await,
            Op::AddIndicator => indicators::add_indicator(&cx).await,
            Op::AddMeasurement => indicators::add_measurement(&cx).await,
            Op::ExportMeasurements => indicators::export_csv(&cx).await,
            Op::ImportMeasurements => indicators::import_csv(&cx).await,
            Op::SendReport => reports::send(&cx).await,
            Op::GiveFeedback => reports::give(&cx).await,
            Op::ListFeedback => reports::list(&cx).await,
            Op::ModerateFeedback => reports::moderate(&cx).await,
            Op::EraseFeedback => reports::erase(&cx).await,
            Op::GetEvaluation => evaluation::get(&cx).await,
            Op::SaveGrid => evaluation::save_grid(&cx).await,
            Op::SaveHolderEvaluation => evaluation::save_holder(&cx).await,
            Op::RecordOutcome => evaluation::record_outcome(&cx).await,
            Op::SpreadExperiment => evaluation::spread(&cx).await,
            Op::GetTimeline => evaluation::experiment_timeline(&cx).await,
        }
    }
    .await;
    cx.db.close(&cx.kit, &reply).await;
    reply
}
