//! An experiment's indicators and their measurements: one by one, or a CSV
//! imported whole (every line or none) and exported with the same columns.
//! Each indicator keeps its latest measurement, written with it, for the
//! dashboards.

use qmi_api::experiments::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::{FieldError, Problem};

use crate::context::*;
use crate::schedule;

const INDICATOR_COLUMNS: &[&str] = &[
    "id",
    "name",
    "unit",
    "baseline",
    "target",
    "direction",
    "public",
    "last_value",
];

/// The indicators of experiment `id` with their measurements (only the public
/// ones when `public_only`).
pub(crate) async fn indicators(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
    public_only: bool,
) -> Result<Vec<Indicator>, Problem> {
    let t = cx.db.tenant(allowed)?;
    let rows = if public_only {
        t.select(INDICATORS, INDICATOR_COLUMNS)
            .filter("experiment_id = ? AND public = 1", [id.into()])
    } else {
        t.select(INDICATORS, INDICATOR_COLUMNS)
            .filter("experiment_id = ?", [id.into()])
    }
    .order_by("name")
    .rows()
    .await?;
    let mut out = Vec::new();
    for r in rows.iter() {
        let direction = r
            .text("direction")
            .and_then(Direction::parse)
            .ok_or_else(|| Problem::internal("stored indicator direction"))?;
        let target = r.real("target").unwrap_or(0.0);
        let measurements = t
            .select(MEASUREMENTS, &["on_day", "value", "comment", "source"])
            .filter("indicator_id = ?", [r.string("id").into()])
            .order_by("on_day")
            .rows()
            .await?
            .iter()
            .map(|m| Measurement {
                on: day(&m, "on_day").unwrap_or(Day::from_days(0)),
                value: m.real("value").unwrap_or(0.0),
                comment: m.string("comment"),
                source: m.string("source"),
            })
            .collect();
        out.push(Indicator {
            id: r.string("id"),
            name: r.string("name"),
            unit: r.string("unit"),
            baseline: r.real("baseline").unwrap_or(0.0),
            target,
            direction,
            public: r.int("public") == Some(1),
            measurements,
            on_target: r
                .real("last_value")
                .map(|v| schedule::on_target(v, target, direction)),
        });
    }
    Ok(out)
}

/// `POST /api/experiments/{id}/indicators`.
pub(crate) async fn add_indicator(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentManage).await?;
    let input: IndicatorInput = cx.req.json()?;
    let mut errors = Vec::new();
    let name = text(&mut errors, "name", &input.name, true, 120);
    let unit = text(&mut errors, "unit", &input.unit, false, 40);
    if !input.baseline.is_finite() {
        errors.push(FieldError::new("baseline", "must be a number"));
    }
    if !input.target.is_finite() {
        errors.push(FieldError::new("target", "must be a number"));
    }
    if name.contains(',') || name.contains('"') {
        errors.push(FieldError::new(
            "name",
            "no comma or quote (it names the CSV column value)",
        ));
    }
    validation(errors)?;
    let id = new_id();
    cx.db
        .tenant(&allowed)?
        .insert(
            INDICATORS,
            vec![
                ("experiment_id", exp.id.as_str().into()),
                ("id", id.as_str().into()),
                ("name", name.as_str().into()),
                ("unit", unit.into()),
                ("baseline", input.baseline.into()),
                ("target", input.target.into()),
                ("direction", input.direction.as_str().into()),
                ("public", input.public.into()),
            ],
        )
        .or_ignore()
        .run()
        .await?;
    if cx.db.changes().await == 0 {
        return Err(Problem::invalid_field(
            "name",
            "this experiment already has an indicator by this name",
        ));
    }
    let all = indicators(cx, &allowed, &exp.id, false).await?;
    let one = all
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| Problem::internal("indicator vanished"))?;
    Ok(json(201, &one))
}

/// Writes measurements (inside `db.atomic`), then each indicator's latest one.
async fn write_measurements(
    db: &qmi_kit::store::Db,
    allowed: &Allowed,
    lines: &[crate::import::Line],
) -> Result<(), Problem> {
    let t = db.tenant(allowed)?;
    let mut touched: Vec<&str> = Vec::new();
    for l in lines {
        let m = &l.measurement;
        t.insert(
            MEASUREMENTS,
            vec![
                ("indicator_id", l.indicator.as_str().into()),
                ("on_day", m.on.days().into()),
                ("value", m.value.into()),
                ("comment", m.comment.as_str().into()),
                ("source", m.source.as_str().into()),
            ],
        )
        .upsert(&["indicator_id", "on_day"], &["value", "comment", "source"])
        .run()
        .await?;
        if !touched.contains(&l.indicator.as_str()) {
            touched.push(&l.indicator);
        }
    }
    for indicator in touched {
        let last = t
            .select(MEASUREMENTS, &["on_day", "value"])
            .filter("indicator_id = ?", [indicator.into()])
            .order_by("on_day DESC")
            .limit(1)
            .rows()
            .await?;
        if let Some(r) = last.first() {
            t.update(
                INDICATORS,
                vec![
                    ("last_on", r.int("on_day").into()),
                    ("last_value", r.real("value").into()),
                ],
            )
            .filter("id = ?", [indicator.into()])
            .run()
            .await?;
        }
    }
    Ok(())
}

/// The `(id, name)` of experiment `id`'s indicators.
async fn indicator_names(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    id: &str,
) -> Result<Vec<(String, String)>, Problem> {
    Ok(cx
        .db
        .tenant(allowed)?
        .select(INDICATORS, &["id", "name"])
        .filter("experiment_id = ?", [id.into()])
        .rows()
        .await?
        .iter()
        .map(|r| (r.string("id"), r.string("name")))
        .collect())
}

/// `POST /api/experiments/{id}/indicators/{indicator}/measurements`.
pub(crate) async fn add_measurement(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentReport).await?;
    let input: MeasurementInput = cx.req.json()?;
    let names = indicator_names(cx, &allowed, &exp.id).await?;
    let indicator = cx.param("indicator");
    if !names.iter().any(|(i, _)| i == indicator) {
        return Err(Problem::not_found(format!("no indicator {indicator}")));
    }
    let mut errors = Vec::new();
    if !input.value.is_finite() {
        errors.push(FieldError::new("value", "must be a number"));
    }
    let comment = text(&mut errors, "comment", &input.comment, false, 500);
    let source = text(&mut errors, "source", &input.source, false, 200);
    validation(errors)?;
    let line = crate::import::Line {
        indicator: indicator.to_owned(),
        measurement: MeasurementInput {
            comment,
            source,
            ..input
        },
    };
    cx.db
        .atomic(async |db| write_measurements(db, &allowed, std::slice::from_ref(&line)).await)
        .await?;
    let one = indicators(cx, &allowed, &exp.id, false)
        .await?
        .into_iter()
        .find(|i| i.id == indicator)
        .ok_or_else(|| Problem::internal("indicator vanished"))?;
    Ok(json(200, &one))
}

/// `GET /api/experiments/{id}/measurements.csv`: the import's columns.
pub(crate) async fn export_csv(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    use qmi_kit::csv::Cell;
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentRead).await?;
    let mut rows = vec![
        MEASUREMENT_COLUMNS
            .iter()
            .map(|c| Cell::from(*c))
            .collect::<Vec<_>>(),
    ];
    for i in indicators(cx, &allowed, &exp.id, false).await? {
        for m in i.measurements {
            rows.push(vec![
                Cell::from(i.name.as_str()),
                Cell::from(m.on.to_string()),
                Cell::Number(m.value),
                Cell::from(m.comment),
                Cell::from(m.source),
            ]);
        }
    }
    Ok(qmi_kit::http::bytes(
        200,
        &[
            ("content-type", "text/csv; charset=utf-8".to_owned()),
            (
                "content-disposition",
                format!("attachment; filename=\"mesures-{}.csv\"", exp.id),
            ),
        ],
        qmi_kit::csv::csv(&rows).into_bytes(),
    ))
}

/// `POST /api/experiments/{id}/measurements.csv`: every line, or none with
/// the lines at fault named (422).
pub(crate) async fn import_csv(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let (exp, allowed) = allowed(cx, Action::ExperimentReport).await?;
    let text = std::str::from_utf8(&cx.req.body)
        .map_err(|_| Problem::invalid_field("body", "the CSV must be UTF-8 text"))?;
    let names = indicator_names(cx, &allowed, &exp.id).await?;
    let lines = crate::import::read(text, &names, crate::MAX_IMPORT_LINES).map_err(|errors| {
        let mut p = Problem::validation().detail(format!(
            "{} line(s) refused; nothing was imported",
            errors.len()
        ));
        p.errors = errors;
        p
    })?;
    cx.db
        .atomic(async |db| write_measurements(db, &allowed, &lines).await)
        .await?;
    Ok(json(
        200,
        &ImportReport {
            imported: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        },
    ))
}
