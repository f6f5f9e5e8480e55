//! The Spin component: the internal route (other components' calls) and the catalogued
//! `partners` routes behind the gateway, each asking the `policy` component
//! (`qmi:platform/authz`) before it acts, with its data in the SQLite label
//! `partners`.

use qmi_api::routes::partners::Op;
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply};
use qmi_kit::store::Db;
use spin_sdk::http::Request;

use crate::context::Ctx;
use crate::{directory, logo, merge, notes, personal, private, profiles};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    // The gateway's routes all start with /api/, the internal route's with
    // /internal/partners/ (spin.toml routes nothing else here).
    if !req.path.starts_with("/api/") {
        if personal::serves(&req.path) {
            return personal::route(req).await;
        }
        return private::route(req).await;
    }
    let (op, kit) = qmi_kit::context::Ctx::route::<Op>(req)?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    db.attend(&kit);
    let cx = Ctx { kit, db };
    let reply = async {
        match op {
            Op::ListOrganisations => directory::search(&cx).await,
            Op::CreateOrganisation => profiles::create(&cx).await,
            Op::GetOrganisation => profiles::get(&cx).await,
            Op::UpdateOrganisation => profiles::update(&cx).await,
            Op::GetLogo => logo::get(&cx).await,
            Op::PutLogo => logo::put(&cx).await,
            Op::DeleteLogo => logo::delete(&cx).await,
            Op::GetTrackRecord => merge::track_record(&cx).await,
            Op::MergeOrganisation => merge::merge(&cx).await,
            Op::ListProgrammeNotes => notes::programme_list(&cx).await,
            Op::AddProgrammeNote => notes::programme_add(&cx).await,
            Op::EditProgrammeNote => notes::programme_edit(&cx).await,
            Op::GetProgrammeNoteHistory => notes::programme_history(&cx).await,
            Op::ListNotes => notes::list(&cx).await,
            Op::AddNote => notes::add(&cx).await,
            Op::EditNote => notes::edit(&cx).await,
            Op::GetNoteHistory => notes::history(&cx).await,
        }
    }
    .await;
    cx.db.close(&cx.kit, &reply).await;
    reply
}
