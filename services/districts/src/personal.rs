//! A person's data in districts, on the internal route (identity's calls, with
//! the internal token; `qmi_kit::personal`). A district names no account: its
//! rows say who changed them nowhere, and its stakeholders are free text of the
//! commune's. The export says so; the erasure has nothing to rewrite but still
//! checkpoints the file, so that the answer means the same everywhere.

use qmi_api::internal::{ERASE_SUFFIX, EXPORT_SUFFIX};
use qmi_api::personal::{Erased, ServicePart};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::store::Db;

/// The internal route's prefix.
const PREFIX: &str = "/internal/districts";

/// Answers the personal-data paths of the internal route.
pub(crate) async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let path = req.path.strip_prefix(PREFIX).unwrap_or("");
    match (req.method.as_str(), path) {
        ("GET", EXPORT_SUFFIX) => {
            let _subject = qmi_kit::personal::export_request(req).await?;
            let part = ServicePart {
                notes: vec!["districts name no account: nothing is held about a person".into()],
                ..ServicePart::default()
            };
            Ok(json(200, &part))
        }
        ("POST", ERASE_SUFFIX) => {
            let _erasure = qmi_kit::personal::erase_request(req).await?;
            let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
            qmi_kit::personal::checkpoint(&db).await?;
            db.finish().await;
            Ok(json(200, &Erased { rows: 0 }))
        }
        (method, _) => Err(Problem::not_found(format!(
            "no internal route {method} {}",
            req.path
        ))),
    }
}
