//! What every handler shares: the request context (the kit's, with the database
//! and the day in Paris), an experiment looked up by id with the facts the
//! policy is asked about, its events (the history and the timeline), ids and
//! JSON helpers.

use qmi_api::Insee;
use qmi_api::experiments::{Day, ExperimentStatus};
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::sql::Row;
use qmi_kit::store::Db;
use qmi_kit::time::Instant;

pub(crate) use qmi_kit::policy::{Action, Facts};

pub(crate) use crate::tables::*;

/// The request context: the kit's (request, principal, `ask`, `sees`), the
/// database, the instant the request is answered at and its day in Paris.
pub(crate) struct Ctx<'a> {
    pub(crate) kit: qmi_kit::context::Ctx<'a>,
    pub(crate) db: Db,
    pub(crate) now: Instant,
    pub(crate) today: Day,
}

impl<'a> std::ops::Deref for Ctx<'a> {
    type Target = qmi_kit::context::Ctx<'a>;

    fn deref(&self) -> &Self::Target {
        &self.kit
    }
}

impl<'a> Ctx<'a> {
    /// The context of one request.
    pub(crate) fn new(kit: qmi_kit::context::Ctx<'a>, db: Db) -> Self {
        let now = kit.now();
        let today = Day::of_instant(now.0, qmi_kit::time::paris_offset(now));
        Self {
            kit,
            db,
            now,
            today,
        }
    }

    /// The caller's account id, or 401.
    pub(crate) fn actor(&self) -> Result<String, Problem> {
        Ok(self.me()?.sub.clone())
    }
}

/// A new id (UUID v7: ordered by creation).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// An instant as the API writes it (UTC, RFC 3339).
pub(crate) fn stamp(t: i64) -> String {
    Instant(t).to_string()
}

/// JSON text of a value (a stored column).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Problem> {
    serde_json::to_string(v).map_err(Problem::internal)
}

/// A stored JSON column (an empty value when absent or unreadable is a 500).
pub(crate) fn from_json<T: serde::de::DeserializeOwned + Default>(
    r: &Row<'_>,
    column: &str,
) -> Result<T, Problem> {
    match r.text(column) {
        None => Ok(T::default()),
        Some(s) => {
            serde_json::from_str(s).map_err(|e| Problem::internal(format!("stored {column}: {e}")))
        }
    }
}

/// A stored day column.
pub(crate) fn day(r: &Row<'_>, column: &str) -> Option<Day> {
    r.int(column).map(Day::from_days)
}

/// A stored INSEE code column.
pub(crate) fn insee(r: &Row<'_>, column: &str) -> Result<Insee, Problem> {
    r.string(column)
        .parse()
        .map_err(|e| Problem::internal(format!("stored {column}: {e}")))
}

/// Fails with 422 naming the fields when `errors` is not empty.
pub(crate) fn validation(errors: Vec<qmi_kit::FieldError>) -> Result<(), Problem> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut p = Problem::validation().detail(format!("{} field(s) are invalid", errors.len()));
    p.errors = errors;
    Err(p)
}

/// An id given in a body (`field`), trimmed: letters, digits and dashes, 64 at
/// most, as ids are (UUIDs) — it goes into another service's path as it is.
pub(crate) fn id_field<'v>(field: &str, value: &'v str) -> Result<&'v str, Problem> {
    let id = value.trim();
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(id)
    } else {
        Err(Problem::invalid_field(field, "not an id"))
    }
}

/// A text field's trimmed value, checked for length (in characters).
pub(crate) fn text(
    errors: &mut Vec<qmi_kit::FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(qmi_kit::FieldError::new(field, "must not be empty"));
    } else if v.chars().count() > max {
        errors.push(qmi_kit::FieldError::new(
            field,
            format!("{max} characters at most"),
        ));
    }
    v.to_owned()
}

// ---------------------------------------------------------------- one experiment

/// What an experiment's row says before the policy is asked: its commune, its
/// state, its publication, its holder.
#[derive(Clone, Debug)]
pub(crate) struct Exp {
    pub(crate) insee: Insee,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) status: ExperimentStatus,
    pub(crate) suspended_from: Option<ExperimentStatus>,
    pub(crate) published: bool,
    pub(crate) holder_id: String,
    pub(crate) starts_on: Day,
    pub(crate) ends_on: Day,
    pub(crate) report_every_months: u32,
}

/// The columns [`Exp`] reads.
pub(crate) const EXP_COLUMNS: &[&str] = &[
    "insee",
    "id",
    "title",
    "status",
    "suspended_from",
    "published",
    "holder_id",
    "starts_on",
    "ends_on",
    "report_every_months",
];

impl Exp {
    pub(crate) fn of(r: &Row<'_>) -> Result<Self, Problem> {
        let status = |c: &str| r.text(c).and_then(ExperimentStatus::parse);
        Ok(Self {
            insee: insee(r, "insee")?,
            id: r.string("id"),
            title: r.string("title"),
            status: status("status")
                .ok_or_else(|| Problem::internal("stored experiment status"))?,
            suspended_from: status("suspended_from"),
            published: r.int("published") == Some(1),
            holder_id: r.string("holder_id"),
            starts_on: day(r, "starts_on").unwrap_or(Day::from_days(0)),
            ends_on: day(r, "ends_on").unwrap_or(Day::from_days(0)),
            report_every_months: u32::try_from(r.int("report_every_months").unwrap_or(0))
                .unwrap_or(0),
        })
    }
}

impl Exp {
    /// A link to it (its commune, id and title).
    pub(crate) fn link(&self) -> qmi_api::experiments::ExperimentRef {
        qmi_api::experiments::ExperimentRef {
            insee: self.insee.clone(),
            id: self.id.clone(),
            title: self.title.clone(),
        }
    }
}

/// The experiment `id`'s row, looked up to state its facts (404 when none).
pub(crate) async fn find(cx: &Ctx<'_>, id: &str) -> Result<Exp, Problem> {
    let rows = cx
        .db
        .facts()
        .select(EXPERIMENTS, EXP_COLUMNS)
        .filter("id = ?", [id.into()])
        .limit(1)
        .rows()
        .await?;
    rows.first()
        .map(|r| Exp::of(&r))
        .transpose()?
        .ok_or_else(|| Problem::not_found(format!("no experiment {id}")))
}

/// The facts of `exp` for the caller: its commune, and the caller's own
/// organisation when it is in the consortium (else the holder); `published`
/// as given (the public page asks with it, the people who follow it without).
pub(crate) async fn facts(cx: &Ctx<'_>, exp: &Exp, published: bool) -> Result<Facts, Problem> {
    let mine = cx.who().and_then(|p| p.org.clone());
    let organisation = match mine {
        Some(org) if org == exp.holder_id => org,
        Some(org) => {
            let member = cx
                .db
                .facts()
                .select(PARTNERS, &["organisation_id"])
                .within(&exp.insee)
                .filter(
                    "experiment_id = ? AND organisation_id = ?",
                    [exp.id.as_str().into(), org.as_str().into()],
                )
                .exists()
                .await?;
            if member { org } else { exp.holder_id.clone() }
        }
        None => exp.holder_id.clone(),
    };
    Ok(Facts {
        tenant: Some(exp.insee.clone()),
        organisation: Some(organisation),
        published,
        ..Facts::default()
    })
}

/// The experiment of the route's `{id}` and the decision for `action` on it:
/// 404 when the caller may not know it exists (not published, and neither its
/// commune's staff, its partners nor a programme operator), else the policy's
/// answer (403 when refused).
pub(crate) async fn allowed(cx: &Ctx<'_>, action: Action) -> Result<(Exp, Allowed), Problem> {
    let exp = find(cx, cx.param("id")).await?;
    let followers = facts(cx, &exp, false).await?;
    let public = Facts {
        published: exp.published,
        ..followers.clone()
    };
    if !cx.sees(Action::ExperimentRead, &public) {
        return Err(Problem::not_found(format!("no experiment {}", exp.id)));
    }
    let allowed = cx.ask(action, &followers).await?;
    Ok((exp, allowed))
}

// ---------------------------------------------------------------- events

/// What an event records (`experiment_events.kind`).
pub(crate) use qmi_api::experiments::TimelineKind as EventKind;

/// One event to record in the same transaction as the change it records.
pub(crate) struct Event<'e> {
    pub(crate) kind: EventKind,
    pub(crate) from: Option<ExperimentStatus>,
    pub(crate) to: Option<ExperimentStatus>,
    pub(crate) detail: &'e str,
}

impl<'e> Event<'e> {
    /// An event with a detail only.
    pub(crate) fn said(kind: EventKind, detail: &'e str) -> Self {
        Self {
            kind,
            from: None,
            to: None,
            detail,
        }
    }
}

/// Changes experiment `id`'s row (its `updated_at` too) and records `event`
/// with it: call it inside `db.atomic`, so both commit or neither does.
pub(crate) async fn change(
    cx: &Ctx<'_>,
    db: &Db,
    allowed: &Allowed,
    id: &str,
    mut set: Vec<(&'static str, qmi_kit::Value)>,
    event: Option<Event<'_>>,
) -> Result<(), Problem> {
    set.push(("updated_at", cx.now.0.into()));
    db.tenant(allowed)?
        .update(EXPERIMENTS, set)
        .filter("id = ?", [id.into()])
        .run()
        .await?;
    match event {
        Some(e) => record(cx, db, allowed, id, e).await,
        None => Ok(()),
    }
}

/// Writes experiment `id`'s themes one per row, as the figures count them
/// (call it inside `db.atomic`, with the change of its `themes` column).
pub(crate) async fn write_themes(
    db: &Db,
    allowed: &Allowed,
    id: &str,
    themes: &[String],
) -> Result<(), Problem> {
    let t = db.tenant(allowed)?;
    t.delete(THEMES)
        .filter("experiment_id = ?", [id.into()])
        .run()
        .await?;
    for theme in themes {
        t.insert(
            THEMES,
            vec![
                ("experiment_id", id.into()),
                ("theme", theme.as_str().into()),
            ],
        )
        .or_ignore()
        .run()
        .await?;
    }
    Ok(())
}

/// Appends `event` to experiment `id`'s events (call it inside `db.atomic`).
pub(crate) async fn record(
    cx: &Ctx<'_>,
    db: &Db,
    allowed: &Allowed,
    id: &str,
    event: Event<'_>,
) -> Result<(), Problem> {
    let t = db.tenant(allowed)?;
    let last = t
        .select(EVENTS, &["MAX(seq) AS seq"])
        .filter("experiment_id = ?", [id.into()])
        .rows()
        .await?;
    let seq = last.first().and_then(|r| r.int("seq")).unwrap_or(0) + 1;
    t.insert(
        EVENTS,
        vec![
            ("experiment_id", id.into()),
            ("seq", seq.into()),
            ("at", cx.now.0.into()),
            ("actor", cx.who().map(|p| p.sub.clone()).into()),
            ("kind", event.kind.as_str().into()),
            ("from_status", event.from.map(|s| s.as_str()).into()),
            ("to_status", event.to.map(|s| s.as_str()).into()),
            ("detail", event.detail.into()),
        ],
    )
    .run()
    .await?;
    Ok(())
}
