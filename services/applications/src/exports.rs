//! Exports of a call (CSV, XLSX), open data, and a call's published results.

use qmi_api::applications::*;
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json};

use super::{
    Action, CALLS, Ctx, Facts, StoredCall, app_of, call_apps, call_for, call_of, download, jury_io,
    ranking,
};
use crate::export::Cell;
use crate::paris::Instant;
use crate::workflow;

// ---------------------------------------------------------------- exports

pub(super) async fn export(cx: &Ctx<'_>, xlsx: bool) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ExportApplications).await?;
    let rank = ranking(cx, &call).await?;
    let apps = call_apps(cx, &call, &["*"], true).await?;
    let mut header: Vec<Cell> = [
        "id",
        "title",
        "organisation",
        "organisation_name",
        "status",
        "submitted_at",
        "weighted_score",
        "spread",
        "reviews",
        "reason",
    ]
    .into_iter()
    .map(Cell::from)
    .collect();
    header.extend(call.input.form.iter().map(|q| Cell::from(q.id.as_str())));
    // Then every reviewer's scores and comments per criterion (the jury's work).
    let names = jury_io::names(cx, &call.districts).await?;
    let sheets = jury_io::sheets(cx, &call, &names).await?;
    let slots = sheets.values().map(Vec::len).max().unwrap_or(0);
    let criteria = &call.input.criteria;
    header.extend(crate::jury::header(criteria, slots));
    let mut rows = vec![header];
    for r in apps.iter() {
        let a = app_of(r)?;
        let ranked = rank.applications.iter().find(|x| x.id == a.id);
        let mut row = vec![
            Cell::from(a.id.as_str()),
            Cell::from(a.title.as_str()),
            Cell::from(a.organisation.as_str()),
            Cell::from(a.organisation_name.as_str()),
            Cell::from(a.status.as_str()),
            Cell::from(
                a.submitted_at
                    .map(|t| Instant(t).to_string())
                    .unwrap_or_default(),
            ),
            Cell::from(ranked.and_then(|x| x.weighted_score)),
            Cell::from(ranked.and_then(|x| x.spread)),
            Cell::Number(f64::from(ranked.map_or(0, |x| x.reviews_done))),
            Cell::from(a.reason.clone().unwrap_or_default()),
        ];
        for q in &call.input.form {
            row.push(match a.answers.get(&q.id) {
                None | Some(serde_json::Value::Null) => Cell::Empty,
                Some(serde_json::Value::String(s)) => Cell::from(s.as_str()),
                Some(serde_json::Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or(0.0)),
                Some(serde_json::Value::Array(items)) => Cell::from(
                    items
                        .iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Some(other) => Cell::from(other.to_string()),
            });
        }
        let none = Vec::new();
        row.extend(crate::jury::cells(
            criteria,
            sheets.get(&a.id).unwrap_or(&none),
            slots,
        ));
        rows.push(row);
    }
    let name = format!("applications-{}", call.id);
    Ok(if xlsx {
        download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            crate::export::xlsx("Candidatures", &rows),
            &format!("{name}.xlsx"),
        )
    } else {
        // `?separator=semicolon`: the CSV French Excel opens as columns (`;`,
        // decimal commas). A byte-order mark: spreadsheet software then reads
        // the file as UTF-8.
        let text = match cx.req.query.non_empty("separator") {
            None | Some("comma") => crate::export::csv(&rows),
            Some("semicolon") => crate::export::csv_french(&rows),
            Some(_) => {
                return Err(Problem::invalid_field("separator", "comma or semicolon"));
            }
        };
        download(
            "text/csv; charset=utf-8",
            format!("\u{feff}{text}").into_bytes(),
            &format!("{name}.csv"),
        )
    })
}

pub(super) async fn open_data(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let file = cx.param("file");
    let (what, csv) = match file {
        "calls.json" => ("calls", false),
        "calls.csv" => ("calls", true),
        "decisions.json" => ("decisions", false),
        "decisions.csv" => ("decisions", true),
        _ => {
            return Err(Problem::not_found(
                "open data files: calls.json, calls.csv, decisions.json, decisions.csv",
            ));
        }
    };
    let allowed = cx
        .ask(
            Action::ExportOpenData,
            &Facts {
                published: true,
                ..Facts::default()
            },
        )
        .await?;
    // Every commune's published calls: the open-data decision, read across.
    let calls = cx
        .db
        .across(&allowed)
        .select(CALLS, &["*"])
        .filter("published = 1", [])
        .order_by("id")
        .rows()
        .await?;
    let calls: Vec<StoredCall> = calls
        .iter()
        .map(|r| {
            call_of(r).map(|c| StoredCall {
                decision: Some(allowed.clone()),
                ..c
            })
        })
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut items: Vec<serde_json::Value> = Vec::new();
    if what == "calls" {
        rows.push(
            [
                "id",
                "insee",
                "title",
                "themes",
                "opens_at",
                "closes_at",
                "target_selections",
            ]
            .into_iter()
            .map(Cell::from)
            .collect(),
        );
        for c in &calls {
            rows.push(vec![
                Cell::from(c.id.as_str()),
                Cell::from(c.insee.to_string()),
                Cell::from(c.input.title.as_str()),
                Cell::from(c.input.themes.join("; ")),
                Cell::from(c.opens_at.to_string()),
                Cell::from(c.closes_at.to_string()),
                Cell::Number(f64::from(c.input.target_selections)),
            ]);
            items.push(serde_json::json!({ "id": c.id, "insee": c.insee, "districts": c.districts, "title": c.input.title, "themes": c.input.themes, "opens_at": c.opens_at.to_string(), "closes_at": c.closes_at.to_string(), "target_selections": c.input.target_selections }));
        }
    } else {
        // Published decisions: the call, the solution and the outcome (no scores,
        // no reasons: those are for the applicant).
        rows.push(
            [
                "call_id",
                "insee",
                "call_title",
                "application_id",
                "title",
                "organisation",
                "organisation_name",
                "decision",
            ]
            .into_iter()
            .map(Cell::from)
            .collect(),
        );
        for c in calls.iter().filter(|c| c.decisions_published) {
            let apps = call_apps(cx, c, &["*"], false).await?;
            for r in apps.iter() {
                let a = app_of(r)?;
                if !workflow::is_decision(&c.workflow, &a.status) || a.status == "ineligible" {
                    continue;
                }
                rows.push(vec![
                    Cell::from(c.id.as_str()),
                    Cell::from(c.insee.to_string()),
                    Cell::from(c.input.title.as_str()),
                    Cell::from(a.id.as_str()),
                    Cell::from(a.title.as_str()),
                    Cell::from(a.organisation.as_str()),
                    Cell::from(a.organisation_name.as_str()),
                    Cell::from(a.status.as_str()),
                ]);
                items.push(serde_json::json!({ "call_id": c.id, "insee": c.insee, "call_title": c.input.title, "application_id": a.id, "title": a.title, "organisation": a.organisation, "organisation_name": a.organisation_name, "decision": a.status }));
            }
        }
    }
    // Every file names its licence: a `Link` header, and `licence` in JSON.
    let link = format!("<{LICENCE_URL}>; rel=\"license\"; title=\"{LICENCE_NAME}\"");
    Ok(if csv {
        qmi_kit::http::bytes(
            200,
            &[
                ("content-type", "text/csv; charset=utf-8".to_owned()),
                (
                    "content-disposition",
                    format!("attachment; filename=\"{file}\""),
                ),
                ("x-content-type-options", "nosniff".to_owned()),
                ("link", link),
            ],
            crate::export::csv(&rows).into_bytes(),
        )
    } else {
        let body = serde_json::json!({
            "licence": { "name": LICENCE_NAME, "url": LICENCE_URL },
            "items": items,
        });
        qmi_kit::http::bytes(
            200,
            &[
                ("content-type", "application/json".to_owned()),
                ("link", link),
            ],
            serde_json::to_vec(&body).map_err(|e| Problem::internal(e.to_string()))?,
        )
    })
}

/// The licence of the open data: Etalab's Licence Ouverte 2.0.
pub(super) const LICENCE_NAME: &str = "Licence Ouverte 2.0";
/// Where the licence is published.
pub(super) const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

/// `GET /api/calls/{id}/results`: the selected solutions of a call, once its
/// decisions are published; readable by whoever may read the call.
pub(super) async fn call_results(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallRead).await?;
    let mut selected = Vec::new();
    if call.decisions_published {
        for r in call_apps(cx, &call, &["*"], true).await?.iter() {
            let a = app_of(r)?;
            if a.status == crate::notice::SELECTED {
                selected.push(SelectedSolution {
                    application_id: a.id,
                    title: a.title,
                    organisation_name: a.organisation_name,
                    district: a.insee,
                });
            }
        }
    }
    selected.sort_by(|a, b| a.title.cmp(&b.title));
    Ok(json(
        200,
        &CallResults {
            call_id: call.id,
            decisions_published: call.decisions_published,
            selected,
        },
    ))
}
