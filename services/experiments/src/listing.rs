//! Lists of experiments: the public list and page, a commune's, and a
//! partner's across communes — each with what is due for those who follow them.

use std::collections::HashMap;

use qmi_api::experiments::*;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::{PageRequest, Problem};

use crate::context::*;
use crate::lifecycle::{self, summary_of};
use crate::{followed, reports, schedule};

/// How many rows of `table` match `filter` (one `?`, `value`), per experiment.
async fn per_experiment(
    t: &qmi_kit::sql::Tenant<'_>,
    table: qmi_kit::TenantTable,
    filter: &'static str,
    value: qmi_kit::Value,
) -> Result<HashMap<String, u32>, Problem> {
    let rows = t
        .select(table, &["experiment_id", "COUNT(*) AS n"])
        .filter(filter, [value])
        .group_by("experiment_id")
        .rows()
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let n = u32::try_from(r.int("n").unwrap_or(0)).unwrap_or(0);
            (r.string("experiment_id"), n)
        })
        .collect())
}

/// What is due for each of `ids`, experiments of the commune `allowed` was
/// decided for: milestones late, reports due and overdue, feedback waiting.
pub(crate) async fn due(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    exps: &[Exp],
) -> Result<HashMap<String, Due>, Problem> {
    let mut out: HashMap<String, Due> = exps
        .iter()
        .map(|e| (e.id.clone(), Due::default()))
        .collect();
    if exps.is_empty() {
        return Ok(out);
    }
    let t = cx.db.tenant(allowed)?;
    let today = cx.today.days();
    let late = per_experiment(
        &t,
        MILESTONES,
        "done_on IS NULL AND planned_on < ?",
        today.into(),
    )
    .await?;
    let waiting = per_experiment(
        &t,
        FEEDBACK,
        "status = ?",
        FeedbackStatus::Waiting.as_str().into(),
    )
    .await?;
    for (id, d) in out.iter_mut() {
        d.milestones_late = late.get(id).copied().unwrap_or(0);
        d.feedback_waiting = waiting.get(id).copied().unwrap_or(0);
    }
    let sent = t
        .select(REPORTS, &["experiment_id", "period"])
        .rows()
        .await?;
    let mut sent_by: HashMap<String, Vec<i64>> = HashMap::new();
    for r in sent.iter() {
        sent_by
            .entry(r.string("experiment_id"))
            .or_default()
            .push(r.int("period").unwrap_or(0));
    }
    for e in exps {
        if !matches!(
            e.status,
            ExperimentStatus::Preparing | ExperimentStatus::Running | ExperimentStatus::Evaluating
        ) {
            continue;
        }
        let Some(d) = out.get_mut(&e.id) else {
            continue;
        };
        let done = sent_by.get(&e.id);
        for p in schedule::periods(e.starts_on, e.ends_on, e.report_every_months, cx.today) {
            let is_sent = done.is_some_and(|v| v.contains(&p.starts.days()));
            match schedule::report_state(p, is_sent, cx.today) {
                ReportState::Due => d.reports_due += 1,
                ReportState::Overdue => d.reports_overdue += 1,
                ReportState::Sent => {}
            }
        }
    }
    Ok(out)
}

/// `GET /api/experiments/communes/{insee}`: the commune's experiments (its
/// staff, programme operators), with what is due.
pub(crate) async fn commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.me()?;
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::ExperimentRead, &Facts::tenant(&insee))
        .await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(EXPERIMENTS, &["*"])
        .filter("id > ?", [page.after_key().into()])
        .order_by("id")
        .limit(page.fetch())
        .rows()
        .await?;
    let exps = rows
        .iter()
        .map(|r| Exp::of(&r))
        .collect::<Result<Vec<_>, _>>()?;
    let dues = due(cx, &allowed, &exps).await?;
    let mut items = Vec::new();
    for r in rows.iter() {
        let mut s = summary_of(&r)?;
        s.due = dues.get(&s.id).copied().unwrap_or_default();
        items.push(s);
    }
    Ok(json(200, &page.page(items, |s| s.id.clone())))
}

/// `GET /api/experiments/mine`: the experiments of the caller's organisation
/// (holder or consortium), across communes, each shown only if the policy lets
/// the caller read it.
pub(crate) async fn mine(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let me = cx.me()?;
    let Some(org) = me.org.clone() else {
        return Ok(json(200, &Vec::<ExperimentSummary>::new()));
    };
    let links = cx
        .db
        .facts()
        .select(PARTNERS, &["insee", "experiment_id"])
        .filter("organisation_id = ?", [org.as_str().into()])
        .order_by("experiment_id")
        .limit(500)
        .rows()
        .await?;
    let mut items = Vec::new();
    for l in links.iter() {
        let exp = match find(cx, &l.string("experiment_id")).await {
            Ok(e) => e,
            Err(p) if p.status == 404 => continue,
            Err(p) => return Err(p),
        };
        let f = facts(cx, &exp, false).await?;
        if !cx.allows(Action::ExperimentRead, &f).await? {
            continue;
        }
        let allowed = cx.ask(Action::ExperimentRead, &f).await?;
        let rows = cx
            .db
            .tenant(&allowed)?
            .select(EXPERIMENTS, &["*"])
            .filter("id = ?", [exp.id.as_str().into()])
            .rows()
            .await?;
        let Some(r) = rows.first() else { continue };
        let mut s = summary_of(&r)?;
        s.due = due(cx, &allowed, std::slice::from_ref(&exp))
            .await?
            .remove(&exp.id)
            .unwrap_or_default();
        items.push(s);
    }
    Ok(json(200, &items))
}

/// `GET /api/experiments?commune=&theme=&status=`: published experiments.
pub(crate) async fn public_list(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let allowed = cx
        .ask(
            Action::ExperimentRead,
            &Facts {
                published: true,
                ..Facts::default()
            },
        )
        .await?;
    let q = &cx.req.query;
    let page = PageRequest::from_query(q)?;
    let mut sel = cx
        .db
        .across(&allowed)
        .select(EXPERIMENTS, &["*"])
        .filter("published = 1", [])
        .filter("id > ?", [page.after_key().into()]);
    if let Some(c) = q.non_empty("commune") {
        let insee: qmi_api::Insee = c
            .parse()
            .map_err(|e| Problem::invalid_field("commune", format!("{e}")))?;
        sel = sel.within(&insee);
    }
    if let Some(s) = q.non_empty("status") {
        let status = ExperimentStatus::parse(s).ok_or_else(|| {
            Problem::invalid_field(
                "status",
                "preparing, running, evaluating, concluded, suspended or stopped",
            )
        })?;
        sel = sel.filter("status = ?", [status.as_str().into()]);
    }
    if let Some(theme) = q.non_empty("theme") {
        sel = sel.filter(
            "EXISTS (SELECT 1 FROM json_each(themes) WHERE json_each.value = ?)",
            [theme.into()],
        );
    }
    let rows = sel.order_by("id").limit(page.fetch()).rows().await?;
    let items = rows
        .iter()
        .map(|r| summary_of(&r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |s| s.id.clone())))
}

/// `GET /api/experiments/{id}/public`: what anyone sees of a published
/// experiment (404 for an unpublished one, whoever asks).
pub(crate) async fn public_page(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let exp = find(cx, cx.param("id")).await?;
    if !exp.published {
        return Err(Problem::not_found(format!("no experiment {}", exp.id)));
    }
    let allowed = cx
        .ask(Action::ExperimentRead, &facts(cx, &exp, true).await?)
        .await?;
    let rows = cx
        .db
        .tenant(&allowed)?
        .select(EXPERIMENTS, &["*"])
        .filter("id = ?", [exp.id.as_str().into()])
        .rows()
        .await?;
    let r = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no experiment {}", exp.id)))?;
    let partners = lifecycle::partners(cx, &allowed, &exp.id).await?;
    let indicators = crate::indicators::indicators(cx, &allowed, &exp.id, true)
        .await?
        .into_iter()
        .map(|i| PublicIndicator {
            name: i.name,
            unit: i.unit,
            baseline: i.baseline,
            target: i.target,
            direction: i.direction,
            points: i.measurements.iter().map(|m| (m.on, m.value)).collect(),
        })
        .collect();
    Ok(json(
        200,
        &PublicExperiment {
            id: exp.id.clone(),
            insee: exp.insee.clone(),
            commune_name: r.string("commune_name"),
            district: r.text("district").map(str::to_owned),
            title: r.string("title"),
            summary: r.string("summary"),
            themes: from_json(&r, "themes")?,
            holder: r.string("holder_name"),
            partners: partners
                .into_iter()
                .filter(|p| !p.holder)
                .map(|p| p.name)
                .collect(),
            status: exp.status,
            starts_on: exp.starts_on,
            ends_on: exp.ends_on,
            sites: followed::sites(cx, &allowed, &exp.id).await?,
            milestones: followed::milestones(cx, &allowed, &exp.id).await?,
            indicators,
            feedback: reports::published(cx, &allowed, &exp.id).await?,
            outcome: lifecycle::outcome_of(&r)?,
            spread_from: lifecycle::spread_from(&r)?,
            spread_to: lifecycle::spread_to(cx, &allowed, &exp, true).await?,
        },
    ))
}
