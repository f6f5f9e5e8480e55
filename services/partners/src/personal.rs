//! A person's data in the partner directory, on the internal route (identity's
//! calls, with the internal token; `qmi_kit::personal`): `GET …/export`, the
//! notes the account wrote (a commune's and the programme's, with the versions
//! it wrote) and the profiles' contacts with its address; `POST …/erase`, its
//! id replaced by the tombstone and its name by "Compte supprimé" in the notes
//! and versions it wrote or last edited (free text: found by the name the
//! account has at its erasure), and its contacts removed from the profiles.

use qmi_api::partners::Contact;
use qmi_api::personal::{ERASED_NAME, Erased, ServicePart};
use qmi_kit::Problem;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::personal::{Subject, communes, rows_json};
use qmi_kit::sql::{TenantTable, Value};
use qmi_kit::store::Db;

use crate::tables::{NOTE_VERSIONS, NOTES};

/// The internal route's personal-data paths (`qmi_api::internal::EXPORT_SUFFIX`
/// and `ERASE_SUFFIX` under the partners' prefix).
const EXPORT: &str = "/internal/partners/export";
const ERASE: &str = "/internal/partners/erase";

/// Whether `path` is one of this module's (the rest of the internal route is
/// `private`'s).
pub(crate) fn serves(path: &str) -> bool {
    path == EXPORT || path == ERASE
}

/// Answers the personal-data paths of the internal route.
pub(crate) async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    let reply = match (req.method.as_str(), req.path.as_str()) {
        ("GET", EXPORT) => export(req, &db).await,
        ("POST", ERASE) => erase(req, &db).await,
        (method, path) => Err(Problem::not_found(format!(
            "no internal route {method} {path}"
        ))),
    };
    db.finish().await;
    reply
}

/// The profiles whose contacts hold `email`: (id, name, contacts).
async fn with_contact(
    db: &Db,
    email: &str,
) -> Result<Vec<(String, String, Vec<Contact>)>, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT id, name, contacts FROM organisations WHERE instr(lower(contacts), ?) > 0 ORDER BY id",
            vec![email.into()],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows.iter() {
        let contacts: Vec<Contact> = serde_json::from_str(r.text("contacts").unwrap_or("[]"))
            .map_err(|e| Problem::internal(format!("stored contacts: {e}")))?;
        out.push((r.string("id"), r.string("name"), contacts));
    }
    Ok(out)
}

async fn export(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let subject = qmi_kit::personal::export_request(req).await?;
    let allowed = subject.across();
    let me = subject.account.as_str();
    let mut part = ServicePart::default();
    let notes = db
        .across(&allowed)
        .select(
            NOTES,
            &[
                "insee",
                "id",
                "organisation_id",
                "text",
                "created_at",
                "updated_at",
                "versions",
            ],
        )
        .filter("author_id = ?", [me.into()])
        .rows()
        .await?;
    part.records
        .insert("notes".into(), rows_json(&subject.visible(notes).await?));
    // The versions it wrote of its notes (signed with the name it had then).
    let versions = db
        .across(&allowed)
        .select(
            NOTE_VERSIONS,
            &[
                "v.insee",
                "v.note_id",
                "v.version",
                "v.text",
                "v.written_at",
            ],
        )
        .alias("v")
        .join_as(NOTES, "n", "n.id = v.note_id AND n.author = v.author", [])
        .filter("n.author_id = ?", [me.into()])
        .rows()
        .await?;
    part.records.insert(
        "note_versions".into(),
        rows_json(&subject.visible(versions).await?),
    );
    let programme = db
        .platform()
        .run(
            "SELECT id, organisation_id, text, created_at, updated_at, versions FROM programme_notes WHERE author_id = ? ORDER BY id",
            vec![me.into()],
        )
        .await?;
    part.records
        .insert("programme_notes".into(), rows_json(&programme));
    let programme_versions = db
        .platform()
        .run(
            "SELECT v.note_id, v.version, v.text, v.written_at FROM programme_note_versions v \
             JOIN programme_notes n ON n.id = v.note_id AND n.author = v.author \
             WHERE n.author_id = ? ORDER BY v.note_id, v.version",
            vec![me.into()],
        )
        .await?;
    part.records.insert(
        "programme_note_versions".into(),
        rows_json(&programme_versions),
    );
    if let Some(email) = &subject.email {
        let mut contacts = Vec::new();
        for (id, name, all) in with_contact(db, email).await? {
            for c in all.into_iter().filter(|c| c.email.as_str() == email) {
                contacts.push(serde_json::json!({
                    "organisation_id": id, "organisation": name, "contact": c,
                }));
            }
        }
        part.records.insert("contacts".into(), contacts);
    }
    part.withheld = subject.withheld_communes();
    part.notes.push(
        "notes last edited by the account but written by someone else are theirs, and are not repeated".into(),
    );
    Ok(json(200, &part))
}

/// Tenant rows signed with the account's name, and what they become.
const SIGNED: &[(TenantTable, &str, &str)] = &[
    (NOTES, "edited_by", "edited_by = ?"),
    (NOTE_VERSIONS, "author", "author = ?"),
];

async fn erase(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    let erasure = qmi_kit::personal::erase_request(req).await?;
    qmi_kit::personal::secure_delete(db).await?;
    let subject: &Subject = &erasure.subject;
    let (me, tombstone) = (subject.account.as_str(), erasure.tombstone.as_str());
    let across = subject.across();
    let rows = db
        .atomic(async |db| {
            let mut changed = 0;
            let contacts = match &subject.email {
                Some(email) => with_contact(db, email).await?,
                None => Vec::new(),
            };
            let found = db
                .across(&across)
                .select(NOTES, &["insee"])
                .filter("author_id = ?", [me.into()])
                .rows()
                .await?;
            for insee in communes(&found, "insee") {
                let allowed = subject.within(&insee);
                db.tenant(&allowed)?
                    .update(
                        NOTES,
                        vec![
                            ("author_id", tombstone.into()),
                            ("author", ERASED_NAME.into()),
                        ],
                    )
                    .filter("author_id = ?", [me.into()])
                    .run()
                    .await?;
                changed += db.changes().await;
            }
            if let Some(name) = &subject.name {
                for &(table, column, filter) in SIGNED {
                    let found = db
                        .across(&across)
                        .select(table, &["insee"])
                        .filter(filter, [name.as_str().into()])
                        .rows()
                        .await?;
                    for insee in communes(&found, "insee") {
                        let allowed = subject.within(&insee);
                        db.tenant(&allowed)?
                            .update(table, vec![(column, ERASED_NAME.into())])
                            .filter(filter, [name.as_str().into()])
                            .run()
                            .await?;
                        changed += db.changes().await;
                    }
                }
            }
            let mut platform: Vec<(&str, Vec<Value>)> = vec![(
                "UPDATE programme_notes SET author_id = ?, author = ? WHERE author_id = ?",
                vec![tombstone.into(), ERASED_NAME.into(), me.into()],
            )];
            if let Some(name) = &subject.name {
                platform.push((
                    "UPDATE programme_notes SET edited_by = ? WHERE edited_by = ?",
                    vec![ERASED_NAME.into(), name.as_str().into()],
                ));
                platform.push((
                    "UPDATE programme_note_versions SET author = ? WHERE author = ?",
                    vec![ERASED_NAME.into(), name.as_str().into()],
                ));
            }
            for (id, _, all) in &contacts {
                let kept: Vec<&Contact> = all
                    .iter()
                    .filter(|c| Some(c.email.as_str()) != subject.email.as_deref())
                    .collect();
                let kept = serde_json::to_string(&kept).map_err(Problem::internal)?;
                platform.push((
                    "UPDATE organisations SET contacts = ? WHERE id = ?",
                    vec![kept.into(), id.as_str().into()],
                ));
            }
            for (sql, params) in platform {
                db.platform().run(sql, params).await?;
                changed += db.changes().await;
            }
            Ok::<_, Problem>(changed)
        })
        .await?;
    qmi_kit::personal::checkpoint(db).await?;
    Ok(json(200, &Erased { rows }))
}
