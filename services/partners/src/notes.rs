//! Notes on organisations: a commune's (its admins and agents alone, in its
//! tenant tables) and the programme team's. Each edit keeps the earlier text:
//! the note and its new version commit together.

use qmi_api::partners::{NOTE_MAX, Note, NoteInput, NoteVersion};
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;
use qmi_kit::{Insee, Problem};

use crate::context::{Action, Ctx, Facts, is_id, new_id};
use crate::profiles::live;
use crate::tables::{NOTE_VERSIONS, NOTES};

const NOTE_COLUMNS: &[&str] = &[
    "id",
    "organisation_id",
    "text",
    "author",
    "created_at",
    "edited_by",
    "updated_at",
    "versions",
];

fn note_of(r: Row<'_>, insee: Option<&Insee>) -> Note {
    Note {
        id: r.string("id"),
        organisation_id: r.string("organisation_id"),
        insee: insee.cloned(),
        text: r.string("text"),
        author: r.string("author"),
        created_at: r.string("created_at"),
        edited_by: r.string("edited_by"),
        updated_at: r.string("updated_at"),
        versions: u32::try_from(r.int("versions").unwrap_or(1)).unwrap_or(1),
    }
}

fn version_of(r: Row<'_>) -> NoteVersion {
    NoteVersion {
        version: u32::try_from(r.int("version").unwrap_or(1)).unwrap_or(1),
        text: r.string("text"),
        author: r.string("author"),
        written_at: r.string("written_at"),
    }
}

/// A commune's notes on an organisation: its own and those written on records
/// merged into it (two parameters: the organisation's id twice).
const OF_ORGANISATION: &str =
    "organisation_id IN (SELECT id FROM organisations WHERE id = ? OR merged_into = ?)";

/// The note's text, trimmed: 1 to 10,000 characters, or a 422 naming `text`.
fn text(cx: &Ctx<'_>) -> Result<String, Problem> {
    let input: NoteInput = cx.req.json()?;
    let t = input.text.trim().to_owned();
    if t.is_empty() {
        Err(Problem::invalid_field("text", "required"))
    } else if t.chars().count() > NOTE_MAX {
        Err(Problem::invalid_field("text", "at most 10,000 characters"))
    } else if t
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(Problem::invalid_field(
            "text",
            "no control characters but line breaks and tabs",
        ))
    } else {
        Ok(t)
    }
}

/// The `{note}` path parameter (404 when it cannot be an id).
fn note_id(cx: &Ctx<'_>) -> Result<String, Problem> {
    let id = cx.param("note");
    if is_id(id) {
        Ok(id.to_owned())
    } else {
        Err(Problem::not_found(format!("no note {id:?}")))
    }
}

/// The question for a commune's notes (`Some`) or the programme's (`None`).
fn facts(insee: Option<&Insee>) -> Facts {
    insee.map(Facts::tenant).unwrap_or_default()
}

/// `GET /api/organisations/{id}/notes/{insee}`.
pub(crate) async fn list(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx.ask(Action::NoteRead, &facts(Some(&insee))).await?;
    let org = cx.org_id()?;
    live(cx, &org).await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(NOTES, NOTE_COLUMNS)
        .filter(OF_ORGANISATION, [org.as_str().into(), org.as_str().into()])
        .order_by("id DESC")
        .limit(500)
        .rows()
        .await?;
    Ok(json(
        200,
        &rows
            .iter()
            .map(|r| note_of(r, Some(&insee)))
            .collect::<Vec<_>>(),
    ))
}

/// `POST /api/organisations/{id}/notes/{insee}`.
pub(crate) async fn add(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx.ask(Action::NoteWrite, &facts(Some(&insee))).await?;
    let org = cx.org_id()?;
    live(cx, &org).await?;
    let text = text(cx)?;
    let me = cx.me()?;
    let (id, at) = (new_id(), cx.stamp());
    cx.db
        .atomic(async |db| {
            let t = db.tenant(&allowed)?;
            t.insert(
                NOTES,
                vec![
                    ("id", id.as_str().into()),
                    ("organisation_id", org.as_str().into()),
                    ("text", text.as_str().into()),
                    ("author_id", me.sub.as_str().into()),
                    ("author", me.name.as_str().into()),
                    ("created_at", at.as_str().into()),
                    ("edited_by", me.name.as_str().into()),
                    ("updated_at", at.as_str().into()),
                    ("versions", 1_i64.into()),
                ],
            )
            .run()
            .await?;
            t.insert(
                NOTE_VERSIONS,
                vec![
                    ("note_id", id.as_str().into()),
                    ("version", 1_i64.into()),
                    ("text", text.as_str().into()),
                    ("author", me.name.as_str().into()),
                    ("written_at", at.as_str().into()),
                ],
            )
            .run()
            .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    one(cx, &allowed, &insee, &id, 201).await
}

/// The commune's note `id` as JSON with `status`.
async fn one(
    cx: &Ctx<'_>,
    allowed: &qmi_kit::decision::Allowed,
    insee: &Insee,
    id: &str,
    status: u16,
) -> Result<Reply, Problem> {
    let rows = cx
        .db
        .tenant(allowed)?
        .select(NOTES, NOTE_COLUMNS)
        .filter("id = ?", [id.into()])
        .rows()
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no note {id}")))?;
    Ok(json(status, &note_of(row, Some(insee))))
}

/// `PATCH /api/organisations/{id}/notes/{insee}/{note}`.
pub(crate) async fn edit(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx.ask(Action::NoteWrite, &facts(Some(&insee))).await?;
    let org = cx.org_id()?;
    let id = note_id(cx)?;
    let text = text(cx)?;
    let me = cx.me()?;
    let at = cx.stamp();
    cx.db
        .atomic(async |db| {
            let t = db.tenant(&allowed)?;
            let rows = t
                .select(NOTES, &["versions"])
                .filter("id = ?", [id.as_str().into()])
                .filter(OF_ORGANISATION, [org.as_str().into(), org.as_str().into()])
                .rows()
                .await?;
            let version = rows
                .first()
                .and_then(|r| r.int("versions"))
                .ok_or_else(|| Problem::not_found(format!("no note {id}")))?
                + 1;
            t.update(
                NOTES,
                vec![
                    ("text", text.as_str().into()),
                    ("edited_by", me.name.as_str().into()),
                    ("updated_at", at.as_str().into()),
                    ("versions", version.into()),
                ],
            )
            .filter("id = ?", [id.as_str().into()])
            .run()
            .await?;
            t.insert(
                NOTE_VERSIONS,
                vec![
                    ("note_id", id.as_str().into()),
                    ("version", version.into()),
                    ("text", text.as_str().into()),
                    ("author", me.name.as_str().into()),
                    ("written_at", at.as_str().into()),
                ],
            )
            .run()
            .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    one(cx, &allowed, &insee, &id, 200).await
}

/// `GET /api/organisations/{id}/notes/{insee}/{note}/history`.
pub(crate) async fn history(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx.ask(Action::NoteRead, &facts(Some(&insee))).await?;
    let org = cx.org_id()?;
    let id = note_id(cx)?;
    let t = cx.db.tenant(&allowed)?;
    let known = t
        .select(NOTES, &["id"])
        .filter("id = ?", [id.as_str().into()])
        .filter(OF_ORGANISATION, [org.as_str().into(), org.as_str().into()])
        .exists()
        .await?;
    if !known {
        return Err(Problem::not_found(format!("no note {id}")));
    }
    let rows = t
        .select(NOTE_VERSIONS, &["version", "text", "author", "written_at"])
        .filter("note_id = ?", [id.as_str().into()])
        .order_by("version")
        .rows()
        .await?;
    Ok(json(200, &rows.iter().map(version_of).collect::<Vec<_>>()))
}

/// `GET /api/organisations/{id}/programme-notes`.
pub(crate) async fn programme_list(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::NoteRead, &facts(None)).await?;
    let org = cx.org_id()?;
    live(cx, &org).await?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT id, organisation_id, text, author, created_at, edited_by, updated_at, versions FROM programme_notes WHERE organisation_id = ? ORDER BY id DESC LIMIT 500",
            vec![org.as_str().into()],
        )
        .await?;
    Ok(json(
        200,
        &rows.iter().map(|r| note_of(r, None)).collect::<Vec<_>>(),
    ))
}

/// The programme note `id` as JSON with `status`.
async fn programme_one(cx: &Ctx<'_>, id: &str, status: u16) -> Result<Reply, Problem> {
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT id, organisation_id, text, author, created_at, edited_by, updated_at, versions FROM programme_notes WHERE id = ?",
            vec![id.into()],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no note {id}")))?;
    Ok(json(status, &note_of(row, None)))
}

/// `POST /api/organisations/{id}/programme-notes`.
pub(crate) async fn programme_add(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::NoteWrite, &facts(None)).await?;
    let org = cx.org_id()?;
    live(cx, &org).await?;
    let text = text(cx)?;
    let me = cx.me()?;
    let (id, at) = (new_id(), cx.stamp());
    cx.db
        .atomic(async |db| {
            db.platform()
                .run(
                    "INSERT INTO programme_notes (id, organisation_id, text, author_id, author, created_at, edited_by, updated_at, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    vec![id.as_str().into(), org.as_str().into(), text.as_str().into(), me.sub.as_str().into(), me.name.as_str().into(), at.as_str().into(), me.name.as_str().into(), at.as_str().into()],
                )
                .await?;
            db.platform()
                .run(
                    "INSERT INTO programme_note_versions (note_id, version, text, author, written_at) VALUES (?, 1, ?, ?, ?)",
                    vec![id.as_str().into(), text.as_str().into(), me.name.as_str().into(), at.as_str().into()],
                )
                .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    programme_one(cx, &id, 201).await
}

/// `PATCH /api/organisations/{id}/programme-notes/{note}`.
pub(crate) async fn programme_edit(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::NoteWrite, &facts(None)).await?;
    let org = cx.org_id()?;
    let id = note_id(cx)?;
    let text = text(cx)?;
    let me = cx.me()?;
    let at = cx.stamp();
    cx.db
        .atomic(async |db| {
            let rows = db
                .platform()
                .run(
                    "SELECT versions FROM programme_notes WHERE id = ? AND organisation_id = ?",
                    vec![id.as_str().into(), org.as_str().into()],
                )
                .await?;
            let version = rows
                .first()
                .and_then(|r| r.int("versions"))
                .ok_or_else(|| Problem::not_found(format!("no note {id}")))?
                + 1;
            db.platform()
                .run(
                    "UPDATE programme_notes SET text = ?, edited_by = ?, updated_at = ?, versions = ? WHERE id = ?",
                    vec![text.as_str().into(), me.name.as_str().into(), at.as_str().into(), version.into(), id.as_str().into()],
                )
                .await?;
            db.platform()
                .run(
                    "INSERT INTO programme_note_versions (note_id, version, text, author, written_at) VALUES (?, ?, ?, ?, ?)",
                    vec![id.as_str().into(), version.into(), text.as_str().into(), me.name.as_str().into(), at.as_str().into()],
                )
                .await?;
            Ok::<_, Problem>(())
        })
        .await?;
    programme_one(cx, &id, 200).await
}

/// `GET /api/organisations/{id}/programme-notes/{note}/history`.
pub(crate) async fn programme_history(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::NoteRead, &facts(None)).await?;
    let org = cx.org_id()?;
    let id = note_id(cx)?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT v.version, v.text, v.author, v.written_at FROM programme_note_versions v JOIN programme_notes n ON n.id = v.note_id WHERE v.note_id = ? AND n.organisation_id = ? ORDER BY v.version",
            vec![id.as_str().into(), org.as_str().into()],
        )
        .await?;
    if rows.is_empty() {
        return Err(Problem::not_found(format!("no note {id}")));
    }
    Ok(json(200, &rows.iter().map(version_of).collect::<Vec<_>>()))
}
