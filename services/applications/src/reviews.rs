//! Reviews, the ranking of a call's applications, published decisions and letters.

use std::collections::{BTreeMap, HashMap};

use qmi_api::applications::*;
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};

use super::{
    ASSIGNMENTS, Action, CALLS, Ctx, REVIEWABLE, SCORES, StoredApp, StoredCall, app_allowed,
    app_for, app_of, assignments_of_call, call_apps, call_for, decisions, load_app, load_call,
    notify, relation, to_json, validation,
};
use crate::{letter, scoring, workflow};

pub(super) async fn reviews_of(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
    call: &StoredCall,
) -> Result<Vec<Review>, Problem> {
    let rows = cx
        .db
        .across(allowed)
        .select(SCORES, &["reviewer", "criterion", "score", "comment"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .order_by("reviewer, criterion")
        .rows()
        .await?;
    let mut by: BTreeMap<String, Vec<Score>> = BTreeMap::new();
    for r in rows.iter() {
        by.entry(r.string("reviewer")).or_default().push(Score {
            criterion: r.string("criterion"),
            score: r.int("score").unwrap_or(0) as u8,
            comment: r.string("comment"),
        });
    }
    Ok(by
        .into_iter()
        .map(|(reviewer, scores)| {
            let map: HashMap<String, u8> = scores
                .iter()
                .map(|s| (s.criterion.clone(), s.score))
                .collect();
            Review {
                reviewer,
                weighted: scoring::reviewer_total(&call.input.criteria, &map),
                scores,
            }
        })
        .collect())
}

pub(super) async fn save_review(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _, allowed) = app_allowed(cx, Action::ReviewScore).await?;
    let sheet: ScoreSheet = cx.req.json()?;
    let mut errors = Vec::new();
    for (i, s) in sheet.scores.iter().enumerate() {
        if !call.input.criteria.iter().any(|c| c.id == s.criterion) {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].criterion"),
                "no such criterion in this call",
            ));
        }
        if s.score > 5 {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].score"),
                "from 0 to 5",
            ));
        }
        if s.comment.chars().count() > 5000 {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].comment"),
                "at most 5000 characters",
            ));
        }
        if sheet
            .scores
            .iter()
            .take(i)
            .any(|t| t.criterion == s.criterion)
        {
            errors.push(qmi_kit::FieldError::new(
                format!("scores[{i}].criterion"),
                "scored twice in this sheet",
            ));
        }
    }
    validation(errors)?;
    let me = cx.me()?;
    // The sheet's scores all stored, or none; a recusal or a decision that came
    // meanwhile is seen, since the state is read again inside.
    cx.db
        .atomic(async |_| {
            let app = load_app(cx, &app.id).await?;
            if !REVIEWABLE.contains(&app.status.as_str()) {
                return Err(Problem::conflict(format!(
                    "an application that is {} is not reviewed",
                    app.status
                )));
            }
            if relation(cx, &app).await? != (true, false) {
                return Err(Problem::new(403, "conflict-of-interest", "Recused")
                    .detail("recused from this application meanwhile"));
            }
            for s in &sheet.scores {
                cx.db
                    .tenant(&allowed)?
                    .insert(
                        SCORES,
                        vec![
                            ("application_id", app.id.as_str().into()),
                            ("reviewer", me.sub.as_str().into()),
                            ("criterion", s.criterion.as_str().into()),
                            ("score", i64::from(s.score).into()),
                            ("comment", s.comment.as_str().into()),
                        ],
                    )
                    .upsert(
                        &["application_id", "reviewer", "criterion"],
                        &["score", "comment"],
                    )
                    .run()
                    .await?;
            }
            Ok(())
        })
        .await?;
    let mine = reviews_of(cx, &allowed, &app, &call)
        .await?
        .into_iter()
        .find(|r| r.reviewer == me.sub);
    Ok(json(
        200,
        &mine.unwrap_or(Review {
            reviewer: me.sub.clone(),
            scores: Vec::new(),
            weighted: None,
        }),
    ))
}

pub(super) async fn list_reviews(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ReviewRead).await?;
    let mut reviews = reviews_of(cx, &allowed, &app, &call).await?;
    // A reviewer sees their own review; whoever runs the call sees them all.
    if cx.ask(Action::ReviewAssign, &facts).await.is_err() {
        let me = cx.me()?.sub.clone();
        reviews.retain(|r| r.reviewer == me);
    }
    Ok(json(200, &reviews))
}

/// Scores and progress of every application of a call.
pub(super) async fn ranking(cx: &Ctx<'_>, call: &StoredCall) -> Result<Ranking, Problem> {
    let apps = call_apps(cx, call, &["*"], false).await?;
    let scores = call
        .reads(&cx.db)?
        .select(
            SCORES,
            &["s.application_id", "s.reviewer", "s.criterion", "s.score"],
        )
        .alias("s")
        .join_as(
            ASSIGNMENTS,
            "a",
            "a.application_id = s.application_id AND a.reviewer = s.reviewer",
            [],
        )
        .filter("a.call_id = ?", [call.id.as_str().into()])
        .filter("a.conflict = 0", [])
        .rows()
        .await?;
    let mut sheets: HashMap<(String, String), HashMap<String, u8>> = HashMap::new();
    for r in scores.iter() {
        sheets
            .entry((r.string("application_id"), r.string("reviewer")))
            .or_default()
            .insert(r.string("criterion"), r.int("score").unwrap_or(0) as u8);
    }
    let assignments = assignments_of_call(cx, call).await?;
    let mut out = Vec::new();
    let mut reviewers: BTreeMap<String, ReviewerProgress> = BTreeMap::new();
    for row in apps.iter() {
        let a = app_of(row)?;
        let mut totals = Vec::new();
        let (mut expected, mut recused) = (0, 0);
        for (app_id, reviewer, conflict) in assignments.iter().filter(|(x, _, _)| *x == a.id) {
            let p = reviewers
                .entry(reviewer.clone())
                .or_insert_with(|| ReviewerProgress {
                    reviewer: reviewer.clone(),
                    assigned: 0,
                    done: 0,
                    recused: 0,
                });
            if *conflict {
                recused += 1;
                p.recused += 1;
                continue;
            }
            expected += 1;
            p.assigned += 1;
            if let Some(t) = sheets
                .get(&(app_id.clone(), reviewer.clone()))
                .and_then(|s| scoring::reviewer_total(&call.input.criteria, s))
            {
                totals.push(t);
                p.done += 1;
            }
        }
        let agg = scoring::aggregate(&totals);
        out.push(RankedApplication {
            id: a.id,
            title: a.title,
            organisation: a.organisation,
            status: a.status,
            weighted_score: agg.map(|x| x.0),
            spread: agg.map(|x| x.1),
            reviews_done: totals.len() as u32,
            reviews_expected: expected,
            recused,
        });
    }
    out.sort_by(|x, y| match (x.weighted_score, y.weighted_score) {
        (Some(a), Some(b)) => b.total_cmp(&a).then_with(|| x.id.cmp(&y.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => x.id.cmp(&y.id),
    });
    Ok(Ranking {
        applications: out,
        reviewers: reviewers.into_values().collect(),
    })
}

pub(super) async fn get_ranking(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::ReviewAssign).await?;
    Ok(json(200, &ranking(cx, &call).await?))
}

// ---------------------------------------------------------------- decisions

pub(super) async fn publish_decisions(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut call = call_for(cx, Action::DecisionPublish).await?;
    decisions::require_closed(cx, &call)?;
    // The letters are signed: by the call's signatory, else by whoever publishes
    // them (name and role), kept with the call so every letter says the same.
    if !call.decisions_published {
        call.input.signatory = Some(decisions::signatory(cx, &call)?);
    }
    // Published once, with every applicant's letter in the outbox.
    cx.db
        .atomic(async |_| {
            cx.db
                .tenant(call.decision()?)?
                .update(
                    CALLS,
                    vec![
                        ("decisions_published", true.into()),
                        ("body", to_json(&call.input)?.into()),
                    ],
                )
                .filter("id = ?", [call.id.as_str().into()])
                .filter("decisions_published = 0", [])
                .run()
                .await?;
            notify::decisions_published(cx, &call).await
        })
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

pub(super) async fn get_letter(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, _) = app_for(cx, Action::DecisionRead).await?;
    if !workflow::is_decision(&call.workflow, &app.status) {
        return Err(Problem::not_found("no decision yet"));
    }
    let rank = ranking(cx, &call).await?;
    let score = rank
        .applications
        .iter()
        .find(|r| r.id == app.id)
        .and_then(|r| r.weighted_score);
    let reason = app.reason.clone().unwrap_or_default();
    let head = decisions::letterhead(cx, &call, &app).await;
    let text = letter::compose(
        &head,
        call.input.letter_template.as_deref(),
        &app.title,
        &call.input.title,
        workflow::label(&call.workflow, &app.status),
        &reason,
        score,
    );
    Ok(json(
        200,
        &Letter {
            application: app.id.clone(),
            decision: app.status.clone(),
            reason,
            text,
        },
    ))
}
