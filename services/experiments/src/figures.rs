//! Figures: a commune's dashboard, the programme's (every experiment, for its
//! operators; published ones, for anyone), and the open data. Aggregated in SQL
//! (`GROUP BY`) or from the indicators' latest values kept with each
//! measurement, never by reading the measurements.

use qmi_api::experiments::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::{Across, Rows};
use qmi_kit::{Problem, Value};

use crate::context::*;
use crate::lifecycle::summary_of;
use crate::listing::due;
use crate::schedule;

fn count(n: Option<i64>) -> u32 {
    u32::try_from(n.unwrap_or(0)).unwrap_or(0)
}

fn counts(rows: &Rows) -> Vec<Count> {
    rows.iter()
        .map(|r| Count {
            key: r.string("k"),
            count: count(r.int("n")),
        })
        .collect()
}

/// `GET /api/experiments/communes/{insee}/figures`.
pub(crate) async fn commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::ExperimentFigures, &Facts::tenant(&insee))
        .await?;
    let t = cx.db.tenant(&allowed)?;
    let by_status = t
        .select(EXPERIMENTS, &["status AS k", "COUNT(*) AS n"])
        .group_by("status")
        .order_by("status")
        .rows()
        .await?;
    let exps = t
        .select(EXPERIMENTS, EXP_COLUMNS)
        .rows()
        .await?
        .iter()
        .map(|r| Exp::of(&r))
        .collect::<Result<Vec<_>, _>>()?;
    let dues = due(cx, &allowed, &exps).await?;
    let mut figures = CommuneFigures {
        insee: insee.clone(),
        by_status: counts(&by_status),
        milestones_late: dues.values().map(|d| d.milestones_late).sum(),
        reports_overdue: dues.values().map(|d| d.reports_overdue).sum(),
        indicators_on_target: 0,
        indicators_off_target: 0,
        feedback_waiting: dues.values().map(|d| d.feedback_waiting).sum(),
    };
    let measured = t
        .select(INDICATORS, &["last_value", "target", "direction"])
        .filter("last_value IS NOT NULL", [])
        .rows()
        .await?;
    for r in measured.iter() {
        let Some(direction) = r.text("direction").and_then(Direction::parse) else {
            continue;
        };
        let on = schedule::on_target(
            r.real("last_value").unwrap_or(0.0),
            r.real("target").unwrap_or(0.0),
            direction,
        );
        if on {
            figures.indicators_on_target += 1;
        } else {
            figures.indicators_off_target += 1;
        }
    }
    Ok(json(200, &figures))
}

/// A select across communes of every experiment (`published_only`: the
/// published ones).
fn experiments<'a>(
    db: Across<'a>,
    columns: &'a [&'static str],
    published_only: bool,
) -> qmi_kit::sql::Select<'a> {
    let sel = db.select(EXPERIMENTS, columns);
    if published_only {
        sel.filter("published = 1", [])
    } else {
        sel
    }
}

/// The programme's figures over every experiment or the published ones.
async fn programme_figures(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    published_only: bool,
) -> Result<ProgrammeFigures, Problem> {
    let across = || cx.db.across(allowed);
    let by_status = experiments(across(), &["status AS k", "COUNT(*) AS n"], published_only)
        .group_by("status")
        .order_by("status")
        .rows()
        .await?;
    let by_commune = experiments(across(), &["insee AS k", "COUNT(*) AS n"], published_only)
        .group_by("insee")
        .order_by("insee")
        .rows()
        .await?;
    let outcomes = experiments(across(), &["outcome AS k", "COUNT(*) AS n"], published_only)
        .filter("status = ?", [ExperimentStatus::Concluded.as_str().into()])
        .group_by("outcome")
        .rows()
        .await?;
    let spread = experiments(
        across(),
        &["COUNT(*) AS n", "COUNT(DISTINCT insee) AS communes"],
        published_only,
    )
    .filter("spread_from_id IS NOT NULL", [])
    .rows()
    .await?;
    let themes = across().select(THEMES, &["theme AS k", "COUNT(*) AS n"]);
    let themes = if published_only {
        themes.filter(
            "EXISTS (SELECT 1 FROM experiments e WHERE e.insee = experiment_themes.insee AND e.id = experiment_themes.experiment_id AND e.published = 1)",
            [],
        )
    } else {
        themes
    };
    let by_theme = themes.group_by("theme").order_by("theme").rows().await?;
    let grid_sel = across().select(GRID, &["side", "axis", "AVG(score) AS average"]);
    let grid_sel = if published_only {
        grid_sel.filter(
            "EXISTS (SELECT 1 FROM experiments e WHERE e.insee = grid_scores.insee AND e.id = grid_scores.experiment_id AND e.published = 1)",
            [],
        )
    } else {
        grid_sel
    };
    let grid = grid_sel.group_by("side, axis").rows().await?;
    let average = |side: Side, axis: GridAxis| {
        grid.iter()
            .find(|r| {
                r.text("side") == Some(side.as_str()) && r.text("axis") == Some(axis.as_str())
            })
            .and_then(|r| r.real("average"))
            .map(|a| (a * 100.0).round() / 100.0)
    };
    let concluded: u32 = outcomes.iter().map(|r| count(r.int("n"))).sum();
    let lasting: u32 = outcomes
        .iter()
        .filter(|r| matches!(r.text("k"), Some("deployed" | "spread")))
        .map(|r| count(r.int("n")))
        .sum();
    let status_counts = counts(&by_status);
    let mut figures = ProgrammeFigures {
        total: status_counts.iter().map(|c| c.count).sum(),
        by_status: status_counts,
        by_commune: counts(&by_commune),
        by_theme: counts(&by_theme),
        deployed_permille: (lasting * 1000).checked_div(concluded).unwrap_or(0),
        spread: spread.first().map_or(0, |r| count(r.int("n"))),
        spread_communes: spread.first().map_or(0, |r| count(r.int("communes"))),
        grid: GridAxis::ALL
            .iter()
            .map(|&axis| AxisAverage {
                axis,
                commune: average(Side::Commune, axis),
                programme: average(Side::Programme, axis),
            })
            .collect(),
        milestones_late: 0,
        reports_overdue: 0,
        feedback_waiting: 0,
    };
    if !published_only {
        let today: Value = cx.today.days().into();
        figures.milestones_late = count(
            across()
                .select(MILESTONES, &["COUNT(*) AS n"])
                .filter("done_on IS NULL AND planned_on < ?", [today])
                .rows()
                .await?
                .first()
                .and_then(|r| r.int("n")),
        );
        figures.feedback_waiting = count(
            across()
                .select(FEEDBACK, &["COUNT(*) AS n"])
                .filter("status = ?", [FeedbackStatus::Waiting.as_str().into()])
                .rows()
                .await?
                .first()
                .and_then(|r| r.int("n")),
        );
        figures.reports_overdue = overdue(cx, allowed).await?;
    }
    Ok(figures)
}

/// Progress reports overdue across every running experiment, from each one's
/// schedule and the count of its reports kept with them (never the reports).
async fn overdue(cx: &Ctx<'_>, allowed: &Allowed) -> Result<u32, Problem> {
    let active = cx
        .db
        .across(allowed)
        .select(
            EXPERIMENTS,
            &[
                "starts_on",
                "ends_on",
                "report_every_months",
                "reports_sent",
                "last_report",
            ],
        )
        .filter(
            "status IN ('preparing', 'running', 'evaluating') AND report_every_months > 0",
            [],
        )
        .rows()
        .await?;
    let mut n = 0;
    for r in active.iter() {
        let (Some(starts), Some(ends)) = (day(&r, "starts_on"), day(&r, "ends_on")) else {
            continue;
        };
        let every = u32::try_from(r.int("report_every_months").unwrap_or(0)).unwrap_or(0);
        let periods = schedule::periods(starts, ends, every, cx.today);
        let ended = periods.iter().filter(|p| p.due < cx.today).count();
        // The running period's report, if sent, is not one of the ended ones'.
        let current = periods
            .iter()
            .find(|p| p.due >= cx.today)
            .is_some_and(|p| r.int("last_report") == Some(p.starts.days()));
        let sent = usize::try_from(r.int("reports_sent").unwrap_or(0)).unwrap_or(0);
        let sent_ended = sent.saturating_sub(usize::from(current));
        n += u32::try_from(ended.saturating_sub(sent_ended)).unwrap_or(0);
    }
    Ok(n)
}

/// `GET /api/experiments/programme/figures` (programme operators).
pub(crate) async fn programme(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let allowed = cx.ask(Action::ExperimentFigures, &Facts::default()).await?;
    Ok(json(200, &programme_figures(cx, &allowed, false).await?))
}

/// The decision to read published experiments (anyone).
async fn public(cx: &Ctx<'_>) -> Result<Allowed, Problem> {
    cx.ask(
        Action::ExperimentRead,
        &Facts {
            published: true,
            ..Facts::default()
        },
    )
    .await
}

/// `GET /api/experiments/figures`: over published experiments, for anyone.
pub(crate) async fn published(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let allowed = public(cx).await?;
    Ok(json(200, &programme_figures(cx, &allowed, true).await?))
}

/// Published experiments with their outcome, as open data.
async fn open_rows(cx: &Ctx<'_>) -> Result<Vec<OpenExperiment>, Problem> {
    let allowed = public(cx).await?;
    let rows = cx
        .db
        .across(&allowed)
        .select(EXPERIMENTS, &["*"])
        .filter("published = 1", [])
        .order_by("insee, id")
        .rows()
        .await?;
    rows.iter()
        .map(|r| {
            let s = summary_of(&r)?;
            Ok(OpenExperiment {
                id: s.id,
                insee: s.insee,
                commune_name: s.commune_name,
                title: s.title,
                themes: s.themes,
                holder: s.holder,
                status: s.status,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                outcome: s.outcome,
                outcome_reason: r.text("outcome_reason").map(str::to_owned),
                lessons: r.text("lessons").map(str::to_owned),
                spread_from: r.text("spread_from_id").map(str::to_owned),
            })
        })
        .collect()
}

/// `GET /api/open-data/experiments.json`.
pub(crate) async fn open_json(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    Ok(json(200, &open_rows(cx).await?))
}

/// `GET /api/open-data/experiments.csv`: the JSON's fields as columns.
pub(crate) async fn open_csv(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    use qmi_kit::csv::Cell;
    let header = [
        "id",
        "insee",
        "commune_name",
        "title",
        "themes",
        "holder",
        "status",
        "starts_on",
        "ends_on",
        "outcome",
        "outcome_reason",
        "lessons",
        "spread_from",
    ];
    let mut rows = vec![header.iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()];
    let opt = |o: Option<String>| o.map_or(Cell::Empty, Cell::Text);
    for e in open_rows(cx).await? {
        rows.push(vec![
            Cell::Text(e.id),
            Cell::Text(e.insee.to_string()),
            Cell::Text(e.commune_name),
            Cell::Text(e.title),
            Cell::Text(e.themes.join(";")),
            Cell::Text(e.holder),
            Cell::from(e.status.as_str()),
            Cell::Text(e.starts_on.to_string()),
            Cell::Text(e.ends_on.to_string()),
            opt(e.outcome.map(|o| o.as_str().to_owned())),
            opt(e.outcome_reason),
            opt(e.lessons),
            opt(e.spread_from),
        ]);
    }
    Ok(qmi_kit::http::bytes(
        200,
        &[
            ("content-type", "text/csv; charset=utf-8".to_owned()),
            (
                "content-disposition",
                "attachment; filename=\"experiments.csv\"".to_owned(),
            ),
        ],
        qmi_kit::csv::csv(&rows).into_bytes(),
    ))
}
