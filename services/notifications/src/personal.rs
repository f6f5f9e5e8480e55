//! A person's data in notifications, on the internal route (identity's calls,
//! with the internal token; `qmi_kit::personal`). `GET …/export`: the directory
//! entry, the e-mail preferences, and the notices and e-mails of the account as
//! a log (kind, when, status; their texts name other people and are not
//! repeated: the notices are read in the app). `POST …/erase`: its notices,
//! preferences, waiting messages, directory entry and every e-mail to its
//! address deleted; its address removed from what remains of other people's
//! messages (a join request's e-mail to an organisation's members, say), and the
//! envelopes that named it and serve nobody else deleted.

use qmi_api::internal::{ERASE_SUFFIX, EXPORT_SUFFIX};
use qmi_api::personal::{Erased, ServicePart};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::personal::rows_json;
use qmi_kit::sql::Value;
use qmi_kit::store::Db;

/// The internal route's prefix.
const PREFIX: &str = "/internal/notifications";

/// What replaces an erased address in other people's messages (text).
const ERASED_ADDRESS_TEXT: &str = "[adresse effacée]";

/// What replaces it in a stored event, which must still read as one.
const ERASED_ADDRESS: &str = "adresse-effacee@compte-supprime.invalid";

/// Whether `path` is one of this module's.
pub(crate) fn serves(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|p| p == EXPORT_SUFFIX || p == ERASE_SUFFIX)
}

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

/// The account's address: as identity gave it, else the directory's.
async fn address(db: &Db, account: &str, given: Option<&str>) -> Result<Option<String>, Problem> {
    if let Some(email) = given {
        return Ok(Some(email.to_lowercase()));
    }
    let rows = db
        .platform()
        .run(
            "SELECT email FROM directory WHERE account_id = ?",
            vec![account.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.string("email").to_lowercase()))
}

async fn export(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let subject = qmi_kit::personal::export_request(req).await?;
    let me = subject.account.as_str();
    let email = address(db, me, subject.email.as_deref())
        .await?
        .unwrap_or_default();
    let mut part = ServicePart::default();
    let queries: [(&str, &str, Vec<Value>); 5] = [
        (
            "directory",
            "SELECT account_id, email, name, lang, organisation_id, at FROM directory WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "preferences",
            "SELECT email AS topics, updated_at FROM preferences WHERE account_id = ?",
            vec![me.into()],
        ),
        (
            "notices",
            "SELECT id, kind, link, at, read_at, tenant FROM notices WHERE account_id = ? ORDER BY id",
            vec![me.into()],
        ),
        (
            "mails",
            "SELECT m.id, e.kind, m.to_address, m.status, m.attempts, m.created_at, m.sent_at FROM mails m \
             JOIN envelopes e ON e.id = m.envelope_id \
             WHERE m.account_id = ? OR lower(m.to_address) = ? ORDER BY m.id",
            vec![me.into(), email.as_str().into()],
        ),
        (
            "waiting",
            "SELECT envelope_id FROM waiting WHERE account_id = ? ORDER BY envelope_id",
            vec![me.into()],
        ),
    ];
    for (kind, sql, params) in queries {
        let rows = db.platform().run(sql, params).await?;
        part.records.insert(kind.to_owned(), rows_json(&rows));
    }
    part.notes.push(
        "notices and e-mails: kind, date and status only; their texts name other people (the notices are read in the app)".into(),
    );
    Ok(json(200, &part))
}

async fn erase(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let erasure = qmi_kit::personal::erase_request(req).await?;
    qmi_kit::personal::secure_delete(db).await?;
    let me = erasure.subject.account.as_str();
    let email = address(db, me, erasure.subject.email.as_deref()).await?;
    let rows = db
        .atomic(async |db| {
            let mut statements: Vec<(&str, Vec<Value>)> = vec![
                ("DELETE FROM notices WHERE account_id = ?", vec![me.into()]),
                ("DELETE FROM waiting WHERE account_id = ?", vec![me.into()]),
                ("DELETE FROM preferences WHERE account_id = ?", vec![me.into()]),
                ("DELETE FROM directory WHERE account_id = ?", vec![me.into()]),
                ("DELETE FROM mails WHERE account_id = ?", vec![me.into()]),
            ];
            if let Some(email) = &email {
                let e = || Value::from(email.as_str());
                let gone = || Value::from(ERASED_ADDRESS_TEXT);
                statements.extend([
                    ("DELETE FROM mails WHERE lower(to_address) = ?", vec![e()]),
                    (
                        "UPDATE mails SET subject = replace(subject, ?, ?), text = replace(text, ?, ?), html = replace(html, ?, ?) \
                         WHERE instr(lower(subject), ?) > 0 OR instr(lower(text), ?) > 0 OR instr(lower(html), ?) > 0",
                        vec![e(), gone(), e(), gone(), e(), gone(), e(), e(), e()],
                    ),
                    (
                        "UPDATE notices SET title = replace(title, ?, ?), body = replace(body, ?, ?) \
                         WHERE instr(lower(title), ?) > 0 OR instr(lower(body), ?) > 0",
                        vec![e(), gone(), e(), gone(), e(), e()],
                    ),
                ]);
            }
            // The envelopes that named it and that no remaining message needs.
            statements.push((
                "DELETE FROM envelopes WHERE (instr(event, ?) > 0 OR instr(lower(event), ?) > 0) \
                 AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.envelope_id = envelopes.id) \
                 AND NOT EXISTS (SELECT 1 FROM mails m WHERE m.envelope_id = envelopes.id) \
                 AND NOT EXISTS (SELECT 1 FROM waiting w WHERE w.envelope_id = envelopes.id)",
                vec![me.into(), email.as_deref().unwrap_or(me).into()],
            ));
            if let Some(email) = &email {
                statements.push((
                    "UPDATE envelopes SET event = replace(event, ?, ?) WHERE instr(event, ?) > 0",
                    vec![email.as_str().into(), ERASED_ADDRESS.into(), email.as_str().into()],
                ));
            }
            let mut changed = 0;
            for (sql, params) in statements {
                db.platform().run(sql, params).await?;
                changed += db.changes().await;
            }
            Ok::<_, Problem>(changed)
        })
        .await?;
    qmi_kit::personal::checkpoint(db).await?;
    Ok(json(200, &Erased { rows }))
}
