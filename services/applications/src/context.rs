//! What every aggregate shares: the request context `Ctx` (the kit's,
//! `qmi_kit::context::Ctx`, with the database and the instant), the tenant tables,
//! JSON and validation helpers, downloads, and calls to the other services through
//! the app's own API. The policy is asked through the kit (`Ctx::ask`, `Ctx::sees`).

use qmi_api::applications::*;
use qmi_kit::Problem;
use qmi_kit::http::Reply;
use qmi_kit::store::Db;

use crate::paris::Instant;

pub(super) use qmi_kit::policy::{Action, Facts};

pub(super) use crate::tables::{
    APPLICATIONS, ASSIGNMENTS, ATTACHMENTS, CALLS, CANDIDACIES, EVENTS, REMINDERS, SCORES,
};

/// `assignments.conflict_kind` of a reviewer kept from a call's files because
/// their organisation applied to it (a declared conflict is `declared`).
pub(super) const ORGANISATION_CONFLICT: &str = ConflictKind::Organisation.as_str_const();
/// `assignments.conflict_kind` of a conflict the reviewer declared.
pub(super) const DECLARED_CONFLICT: &str = ConflictKind::Declared.as_str_const();

// ---------------------------------------------------------------- context

/// The request context: the kit's (request, path parameters, principal, request
/// id, suspension cache; `ask`, `sees`), the database, and the instant the request
/// is answered at.
pub(super) struct Ctx<'a> {
    pub(super) kit: qmi_kit::context::Ctx<'a>,
    pub(super) db: Db,
    pub(super) now: Instant,
}

impl<'a> std::ops::Deref for Ctx<'a> {
    type Target = qmi_kit::context::Ctx<'a>;

    fn deref(&self) -> &Self::Target {
        &self.kit
    }
}

pub(super) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Problem> {
    serde_json::to_string(v).map_err(Problem::internal)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, Problem> {
    serde_json::from_str(s).map_err(|e| Problem::internal(format!("stored JSON: {e}")))
}

pub(super) fn validation(errors: Vec<qmi_kit::FieldError>) -> Result<(), Problem> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut p = Problem::validation().detail(format!("{} field(s) are invalid", errors.len()));
    p.errors = errors;
    Err(p)
}

/// A file to download: never rendered by the browser in the app's origin
/// (`attachment`), never re-typed by it (`nosniff`). `filename` is ours (ids,
/// fixed names), never the client's.
pub(super) fn download(content_type: &str, body: Vec<u8>, filename: &str) -> Reply {
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    qmi_kit::http::bytes(
        200,
        &[
            ("content-type", content_type.to_owned()),
            (
                "content-disposition",
                format!("attachment; filename=\"{safe}\""),
            ),
            ("x-content-type-options", "nosniff".to_owned()),
        ],
        body,
    )
}

// ---------------------------------------------------------------- other services

/// Calls to the app's own API as the caller (a Spin self-request), from the kit.
pub(super) use qmi_kit::api::{call_api, upstream};
