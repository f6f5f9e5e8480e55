//! A person's data in applications, on the internal route (identity's calls,
//! with the internal token; `qmi_kit::personal`): `GET …/export`, what names
//! the account (the applications it authored, as their applicant sees them, and
//! the steps it moved applications through, its reviews and scores,
//! its declared conflicts, the calls, candidacies and campaigns it wrote, their
//! events); `POST …/erase`, its id replaced by the tombstone in all of them — a
//! review's scores stay in the ranking, an application stays its organisation's.

use qmi_api::applications::{CallInput, Workflow};
use qmi_api::internal::{ERASE_SUFFIX, EXPORT_SUFFIX};
use qmi_api::personal::{Erased, ServicePart};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::personal::{Subject, communes, rows_json};
use qmi_kit::sql::{TenantTable, Value};
use qmi_kit::store::Db;
use serde_json::Value as Json;

use crate::tables::{APPLICATIONS, ASSIGNMENTS, ATTACHMENTS, CALLS, CANDIDACIES, EVENTS, SCORES};
use crate::workflow;

/// The internal route's prefix.
const PREFIX: &str = "/internal/applications";

/// Every tenant column that names an account, with its filter.
const AUTHORED: &[(TenantTable, &str, &str)] = &[
    (CANDIDACIES, "submitted_by", "submitted_by = ?"),
    (CALLS, "created_by", "created_by = ?"),
    (CALLS, "closed_early_by", "closed_early_by = ?"),
    (APPLICATIONS, "created_by", "created_by = ?"),
    (EVENTS, "actor", "actor = ?"),
    (ASSIGNMENTS, "reviewer", "reviewer = ?"),
    (SCORES, "reviewer", "reviewer = ?"),
];

/// What each kind of record shows of the account's rows.
const EXPORTED: &[(&str, TenantTable, &[&str], &str)] = &[
    (
        "application_events",
        EVENTS,
        &["insee", "application_id", "seq", "at", "status", "reason"],
        "actor = ?",
    ),
    (
        "assignments",
        ASSIGNMENTS,
        &[
            "insee",
            "application_id",
            "call_id",
            "assigned_at",
            "conflict",
            "conflict_kind",
            "conflict_reason",
        ],
        "reviewer = ?",
    ),
    (
        "scores",
        SCORES,
        &["insee", "application_id", "criterion", "score", "comment"],
        "reviewer = ?",
    ),
    (
        "calls",
        CALLS,
        &[
            "insee",
            "id",
            "body",
            "published",
            "created_at",
            "closed_early_at",
            "closed_early_reason",
        ],
        "created_by = ? OR closed_early_by = ?",
    ),
    (
        "candidacies",
        CANDIDACIES,
        &[
            "insee",
            "campaign_id",
            "body",
            "status",
            "reason",
            "updated_at",
        ],
        "submitted_by = ?",
    ),
];

/// Answers the personal-data paths of the internal route.
pub(crate) async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let path = req.path.strip_prefix(PREFIX).unwrap_or("");
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    let reply = match (req.method.as_str(), path) {
        ("GET", EXPORT_SUFFIX) => export(req, &db).await,
        ("POST", ERASE_SUFFIX) => erase(req, &db).await,
        (method, _) => Err(Problem::not_found(format!(
            "no internal route {method} {}",
            req.path
        ))),
    };
    db.finish().await;
    reply
}

/// The applications the subject authored, as their applicant sees them: until
/// its call's decisions are published, a decided one shows the step before its
/// decision (`workflow::hide_decision`), its reason with it.
async fn authored_applications(db: &Db, subject: &Subject) -> Result<Vec<Json>, Problem> {
    let allowed = subject.across();
    let rows = db
        .across(&allowed)
        .select(
            APPLICATIONS,
            &[
                "insee",
                "id",
                "call_id",
                "organisation_id",
                "organisation_name",
                "title",
                "answers",
                "status",
                "reason",
                "created_at",
                "updated_at",
                "submitted_at",
            ],
        )
        .filter("created_by = ?", [subject.account.as_str().into()])
        .order_by("id")
        .rows()
        .await?;
    let rows = subject.visible(rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, mut json) in rows.iter().zip(rows_json(&rows)) {
        let call = db
            .across(&allowed)
            .select(CALLS, &["body", "decisions_published"])
            .filter("id = ?", [row.string("call_id").into()])
            .rows()
            .await?;
        let workflow = call
            .first()
            .and_then(|c| serde_json::from_str::<CallInput>(c.text("body")?).ok())
            .and_then(|c| c.workflow)
            .unwrap_or_else(Workflow::standard);
        let published = call.first().and_then(|c| c.int("decisions_published")) == Some(1);
        let status = row.string("status");
        if !published && workflow::is_decision(&workflow, &status) {
            let steps = db
                .across(&allowed)
                .select(EVENTS, &["status", "reason", "at"])
                .filter("application_id = ?", [row.string("id").into()])
                .order_by("seq")
                .rows()
                .await?;
            let before = steps
                .iter()
                .filter(|e| !workflow::is_decision(&workflow, &e.string("status")))
                .last();
            json["status"] = before
                .map_or(workflow::SUBMITTED.to_owned(), |e| e.string("status"))
                .into();
            json["reason"] = before
                .and_then(|e| e.text("reason").map(str::to_owned))
                .into();
        }
        out.push(json);
    }
    Ok(out)
}

async fn export(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let subject = qmi_kit::personal::export_request(req).await?;
    let allowed = subject.across();
    let me = subject.account.as_str();
    let mut part = ServicePart::default();
    part.records.insert(
        "applications".into(),
        authored_applications(db, &subject).await?,
    );
    for &(kind, table, columns, filter) in EXPORTED {
        let binds = vec![Value::from(me); filter.matches('?').count()];
        let rows = db
            .across(&allowed)
            .select(table, columns)
            .filter(filter, binds)
            .rows()
            .await?;
        let rows = subject.visible(rows).await?;
        part.records.insert(kind.to_owned(), rows_json(&rows));
    }
    // The files of the applications it authored (their content is the
    // organisation's: read it through the application).
    let files = db
        .across(&allowed)
        .select(
            ATTACHMENTS,
            &[
                "f.insee",
                "f.id",
                "f.application_id",
                "f.name",
                "f.content_type",
                "f.size",
                "f.created_at",
            ],
        )
        .alias("f")
        .join_as(APPLICATIONS, "a", "a.id = f.application_id", [])
        .filter("a.created_by = ?", [me.into()])
        .rows()
        .await?;
    part.records.insert(
        "attachments".into(),
        rows_json(&subject.visible(files).await?),
    );
    let campaigns = db
        .platform()
        .run(
            "SELECT id, title, created_at FROM campaigns WHERE created_by = ? ORDER BY id",
            vec![me.into()],
        )
        .await?;
    part.records
        .insert("campaigns".into(), rows_json(&campaigns));
    let events = db
        .platform()
        .run(
            "SELECT campaign_id, seq, at, action FROM campaign_events WHERE actor = ? ORDER BY campaign_id, seq",
            vec![me.into()],
        )
        .await?;
    part.records
        .insert("campaign_events".into(), rows_json(&events));
    part.withheld = subject.withheld_communes();
    part.notes.push(
        "attachments: name and size only; their content is the organisation's, read through the application".into(),
    );
    Ok(json(200, &part))
}

async fn erase(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let erasure = qmi_kit::personal::erase_request(req).await?;
    qmi_kit::personal::secure_delete(db).await?;
    let subject = &erasure.subject;
    let (me, tombstone) = (subject.account.as_str(), erasure.tombstone.as_str());
    let across = subject.across();
    let rows = db
        .atomic(async |db| {
            let mut changed = 0;
            for &(table, column, filter) in AUTHORED {
                let found = db
                    .across(&across)
                    .select(table, &["insee"])
                    .filter(filter, [me.into()])
                    .rows()
                    .await?;
                for insee in communes(&found, "insee") {
                    let allowed = subject.within(&insee);
                    db.tenant(&allowed)?
                        .update(table, vec![(column, tombstone.into())])
                        .filter(filter, [me.into()])
                        .run()
                        .await?;
                    changed += db.changes().await;
                }
            }
            for sql in [
                "UPDATE campaigns SET created_by = ? WHERE created_by = ?",
                "UPDATE campaign_events SET actor = ? WHERE actor = ?",
            ] {
                db.platform()
                    .run(sql, vec![tombstone.into(), me.into()])
                    .await?;
                changed += db.changes().await;
            }
            // Messages to it or about it, relayed or not: it is gone.
            db.platform()
                .run(
                    "DELETE FROM outbox WHERE instr(event, ?) > 0",
                    vec![me.into()],
                )
                .await?;
            changed += db.changes().await;
            Ok::<_, Problem>(changed)
        })
        .await?;
    qmi_kit::personal::checkpoint(db).await?;
    Ok(json(200, &Erased { rows }))
}
