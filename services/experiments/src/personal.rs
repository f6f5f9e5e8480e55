//! A person's data in experiments, on the internal route (identity's calls,
//! with the internal token; `qmi_kit::personal`): `GET …/export`, what names the
//! account (the experiments it is a referent of, the events, documents and
//! reports it recorded, the feedback it moderated, and the feedback left with
//! its e-mail address); `POST …/erase`, its id replaced by the tombstone in all
//! of them, and the feedback left with its address deleted (its own words).

use qmi_api::internal::{ERASE_SUFFIX, EXPORT_SUFFIX};
use qmi_api::personal::{Erased, ServicePart};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::personal::{communes, rows_json};
use qmi_kit::sql::{TenantTable, Value};
use qmi_kit::store::Db;

use crate::tables::{DOCUMENTS, EVENTS, EXPERIMENTS, FEEDBACK, REPORTS};

/// The internal route's prefix.
const PREFIX: &str = "/internal/experiments";

/// Every tenant column that names an account, with its filter.
const AUTHORED: &[(TenantTable, &str, &str)] = &[
    (EVENTS, "actor", "actor = ?"),
    (DOCUMENTS, "actor", "actor = ?"),
    (REPORTS, "actor", "actor = ?"),
    (FEEDBACK, "moderated_by", "moderated_by = ?"),
];

/// What each kind of record shows of the account's rows (a referent is found
/// by its quoted id in the JSON list).
const EXPORTED: &[(&str, TenantTable, &[&str], &str)] = &[
    (
        "experiments_as_referent",
        EXPERIMENTS,
        &["insee", "id", "title", "status"],
        "instr(referents, ?) > 0",
    ),
    (
        "experiment_events",
        EVENTS,
        &[
            "insee",
            "experiment_id",
            "seq",
            "at",
            "kind",
            "from_status",
            "to_status",
            "detail",
        ],
        "actor = ?",
    ),
    (
        "documents",
        DOCUMENTS,
        &[
            "insee",
            "experiment_id",
            "id",
            "kind",
            "name",
            "content_type",
            "size",
            "at",
        ],
        "actor = ?",
    ),
    (
        "reports",
        REPORTS,
        &[
            "insee",
            "experiment_id",
            "period",
            "text",
            "documents",
            "at",
        ],
        "actor = ?",
    ),
    (
        "feedback_moderated",
        FEEDBACK,
        &["insee", "experiment_id", "id", "status", "reason", "at"],
        "moderated_by = ?",
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

/// The account id as it stands in a JSON list of ids.
fn quoted(id: &str) -> String {
    format!("\"{id}\"")
}

async fn export(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let subject = qmi_kit::personal::export_request(req).await?;
    let allowed = subject.across();
    let me = subject.account.as_str();
    let mut part = ServicePart::default();
    for &(kind, table, columns, filter) in EXPORTED {
        let bind = if table == EXPERIMENTS {
            quoted(me)
        } else {
            me.to_owned()
        };
        let rows = db
            .across(&allowed)
            .select(table, columns)
            .filter(filter, [Value::from(bind)])
            .rows()
            .await?;
        part.records
            .insert(kind.to_owned(), rows_json(&subject.visible(rows).await?));
    }
    // What a resident left with this address: their own words.
    if let Some(email) = &subject.email {
        let rows = db
            .across(&allowed)
            .select(
                FEEDBACK,
                &[
                    "insee",
                    "experiment_id",
                    "id",
                    "text",
                    "rating",
                    "first_name",
                    "neighbourhood",
                    "email",
                    "status",
                    "at",
                ],
            )
            .filter("lower(email) = ?", [email.as_str().into()])
            .rows()
            .await?;
        part.records.insert(
            "feedback_given".into(),
            rows_json(&subject.visible(rows).await?),
        );
    }
    part.withheld = subject.withheld_communes();
    part.notes.push(
        "documents: name and size only; their content is the experiment's, read through it".into(),
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
            let (was, now) = (quoted(me), quoted(tombstone));
            let found = db
                .across(&across)
                .select(EXPERIMENTS, &["insee"])
                .filter("instr(referents, ?) > 0", [was.as_str().into()])
                .rows()
                .await?;
            for insee in communes(&found, "insee") {
                let allowed = subject.within(&insee);
                db.tenant(&allowed)?
                    .update(EXPERIMENTS, Vec::new())
                    .set_expr(
                        "referents",
                        "replace(referents, ?, ?)",
                        [was.as_str().into(), now.as_str().into()],
                    )
                    .filter("instr(referents, ?) > 0", [was.as_str().into()])
                    .run()
                    .await?;
                changed += db.changes().await;
            }
            if let Some(email) = &subject.email {
                let found = db
                    .across(&across)
                    .select(FEEDBACK, &["insee"])
                    .filter("lower(email) = ?", [email.as_str().into()])
                    .rows()
                    .await?;
                for insee in communes(&found, "insee") {
                    let allowed = subject.within(&insee);
                    db.tenant(&allowed)?
                        .delete(FEEDBACK)
                        .filter("lower(email) = ?", [email.as_str().into()])
                        .run()
                        .await?;
                    changed += db.changes().await;
                }
            }
            Ok::<_, Problem>(changed)
        })
        .await?;
    qmi_kit::personal::checkpoint(db).await?;
    Ok(json(200, &Erased { rows }))
}
