//! Issue 13: a call for communes (campaign) edited while unpublished and then
//! published, each change kept in its history; a call for solutions closed
//! early on purpose, with a reason; decisions taken only once a call is closed;
//! a withdrawn application reopened as a draft while its call is open; the
//! letterhead (sender, date, signatory) of decision letters.

use qmi_api::MembershipRole;
use qmi_api::applications::{
    Campaign, CampaignAction, CampaignChange, CampaignInput, CloseRequest, EarlyClose,
    QuestionKind, Signatory,
};
use qmi_kit::Problem;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;

use super::{
    Action, CALLS, Ctx, Facts, StoredApp, StoredCall, app_allowed, call_api, call_for, campaign_of,
    load_call, load_campaign, move_to, opening_window, present_now, to_json, validation,
};
use crate::letterhead::{self, Letterhead};
use crate::paris::{Instant, Paris};
use crate::{form, workflow};

// ---------------------------------------------------------------- campaigns

/// Records `action` (`created`, `edited`, `published`) in a campaign's history.
pub(super) async fn record_campaign(
    cx: &Ctx<'_>,
    id: &str,
    action: CampaignAction,
) -> Result<(), Problem> {
    let actor = cx.who().map(|p| p.sub.clone()).unwrap_or_default();
    cx.db
        .platform().run(
            "INSERT INTO campaign_events (campaign_id, seq, at, action, actor) \
             SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM campaign_events WHERE campaign_id = ?",
            vec![
                id.into(),
                cx.now.0.into(),
                action.as_str().into(),
                actor.into(),
                id.into(),
            ],
        )
        .await?;
    Ok(())
}

/// A campaign's history, oldest first.
pub(super) async fn campaign_history(
    cx: &Ctx<'_>,
    id: &str,
) -> Result<Vec<CampaignChange>, Problem> {
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT at, action, actor FROM campaign_events WHERE campaign_id = ? ORDER BY seq",
            vec![id.into()],
        )
        .await?;
    rows.iter()
        .map(|r: Row<'_>| {
            let action = r.text("action").unwrap_or_default();
            Ok(CampaignChange {
                at: Instant(r.int("at").unwrap_or(0)).to_string(),
                action: CampaignAction::parse(action).ok_or_else(|| {
                    Problem::internal(format!("stored campaign action {action:?}"))
                })?,
                actor: r.string("actor"),
            })
        })
        .collect()
}

/// The campaign as stored now, with its history.
async fn campaign_now(cx: &Ctx<'_>, id: &str) -> Result<Campaign, Problem> {
    let rows = cx
        .db
        .platform()
        .run("SELECT * FROM campaigns WHERE id = ?", vec![id.into()])
        .await?;
    let mut c = campaign_of(
        rows.first()
            .ok_or_else(|| Problem::not_found(format!("no campaign {id}")))?,
    )?;
    c.history = campaign_history(cx, id).await?;
    Ok(c)
}

/// Problems of a campaign definition, by field; the opening window when valid.
pub(super) fn check_campaign(input: &CampaignInput) -> Result<(Instant, Instant), Problem> {
    let mut errors = form::check_form("questions", &input.questions);
    // A candidacy has no attachments: a file question could never be answered.
    for (i, q) in input.questions.iter().enumerate() {
        if q.kind == QuestionKind::File {
            errors.push(qmi_kit::FieldError::new(
                format!("questions[{i}].kind"),
                "a candidacy takes no files: ask for a link instead",
            ));
        }
    }
    if input.title.trim().is_empty() {
        errors.push(qmi_kit::FieldError::new("title", "must not be empty"));
    }
    let window = opening_window(&input.opens_at, &input.closes_at, &mut errors);
    validation(errors)?;
    window.ok_or_else(|| Problem::internal("an invalid window passed validation"))
}

/// `PUT /api/campaigns/{id}`: edits a campaign while it is unpublished (once
/// communes may have read it, it no longer changes); `published: true` also
/// publishes it.
pub(super) async fn update_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::CampaignOpen, &Facts::default()).await?;
    let c = load_campaign(cx).await?;
    let input: CampaignInput = cx.req.json()?;
    let (opens, closes) = check_campaign(&input)?;
    let id = c.campaign.id.as_str();
    cx.db
        .atomic(async |_| {
            cx.db
                .platform().run(
                    "UPDATE campaigns SET title = ?, text = ?, opens_at = ?, closes_at = ?, questions = ?, published = ? WHERE id = ? AND published = 0",
                    vec![
                        input.title.trim().into(),
                        input.text.as_str().into(),
                        opens.0.into(),
                        closes.0.into(),
                        to_json(&input.questions)?.into(),
                        input.published.into(),
                        id.into(),
                    ],
                )
                .await?;
            if cx.db.changes().await == 0 {
                return Err(Problem::conflict(
                    "a published call for communes can no longer be edited",
                ));
            }
            record_campaign(cx, id, CampaignAction::Edited).await?;
            if input.published {
                record_campaign(cx, id, CampaignAction::Published).await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    Ok(json(200, &campaign_now(cx, id).await?))
}

/// `POST /api/campaigns/{id}/publish`: publishes a campaign (once; publishing
/// a published one changes nothing).
pub(super) async fn publish_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::CampaignOpen, &Facts::default()).await?;
    let c = load_campaign(cx).await?;
    let id = c.campaign.id.as_str();
    cx.db
        .atomic(async |_| {
            cx.db
                .platform()
                .run(
                    "UPDATE campaigns SET published = 1 WHERE id = ? AND published = 0",
                    vec![id.into()],
                )
                .await?;
            if cx.db.changes().await > 0 {
                record_campaign(cx, id, CampaignAction::Published).await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    Ok(json(200, &campaign_now(cx, id).await?))
}

// ---------------------------------------------------------------- closing

/// The early close recorded on a call's row, if any.
pub(super) fn early_close(r: &Row<'_>) -> Option<EarlyClose> {
    let at = Instant(r.int("closed_early_at")?);
    Some(EarlyClose {
        at: at.to_string(),
        at_paris: Paris(at).to_string(),
        by: r.string("closed_early_by"),
        reason: r.string("closed_early_reason"),
    })
}

/// `POST /api/calls/{id}/close`: closes an open call now, with its reason
/// (whoever may change the call). Its deadline becomes now.
pub(super) async fn close_call(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let call = call_for(cx, Action::CallUpdate).await?;
    let input: CloseRequest = cx.req.json()?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(Problem::invalid_field(
            "reason",
            "say why the call closes before its deadline",
        ));
    }
    if cx.now >= call.closes_at {
        return Err(Problem::conflict("the call is already closed"));
    }
    let by = cx.me()?.sub.clone();
    cx.db
        .tenant(call.decision()?)?
        .update(
            CALLS,
            vec![
                ("closes_at", cx.now.0.into()),
                ("closed_early_at", cx.now.0.into()),
                ("closed_early_by", by.as_str().into()),
                ("closed_early_reason", reason.into()),
            ],
        )
        .filter("id = ?", [call.id.as_str().into()])
        .filter("closes_at > ?", [cx.now.0.into()])
        .run()
        .await?;
    Ok(json(200, &load_call(cx, &call.id).await?.view(cx.now)))
}

/// Refuses a decision on a call still open: decisions follow the deadline (or
/// the call's early close, with its reason).
pub(super) fn require_closed(cx: &Ctx<'_>, call: &StoredCall) -> Result<(), Problem> {
    if cx.now < call.closes_at {
        return Err(Problem::new(409, "call-still-open", "The call is still open").detail(
            format!(
                "decisions are taken once the call has closed (deadline {}); to decide sooner, close the call early with a reason",
                Paris(call.closes_at)
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- reopening

/// `POST /api/applications/{id}/reopen`: a withdrawn application becomes a
/// draft again while its call is open (the applicant may then submit it anew).
pub(super) async fn reopen_application(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let (app, call, facts, allowed) = app_allowed(cx, Action::ApplicationWithdraw).await?;
    if app.status == workflow::DRAFT {
        return Ok(json(
            200,
            &present_now(cx, &allowed, &app.id, &call, &facts).await?,
        ));
    }
    if app.status != workflow::WITHDRAWN {
        return Err(Problem::conflict(
            "only a withdrawn application can be reopened",
        ));
    }
    if !(call.opens_at <= cx.now && cx.now < call.closes_at) {
        return Err(Problem::conflict(
            "the call is closed: a withdrawn application can no longer be reopened",
        ));
    }
    if !move_to(
        cx,
        &allowed,
        &app,
        workflow::WITHDRAWN,
        workflow::DRAFT,
        None,
    )
    .await?
    {
        return Err(Problem::conflict(
            "the application changed meanwhile; reload it",
        ));
    }
    Ok(json(
        200,
        &present_now(cx, &allowed, &app.id, &call, &facts).await?,
    ))
}

// ---------------------------------------------------------------- letters

/// Who signs a call's letters: its signatory when complete, else the caller
/// (their name, and their role for this call).
pub(super) fn signatory(cx: &Ctx<'_>, call: &StoredCall) -> Result<Signatory, Problem> {
    if let Some(s) = &call.input.signatory
        && !s.name.trim().is_empty()
        && !s.role.trim().is_empty()
    {
        return Ok(s.clone());
    }
    let me = cx.me()?;
    let role = if me.mem.get(&call.insee) == Some(&MembershipRole::Admin) && !call.programme {
        "Administrateur de la commune / Commune administrator"
    } else {
        "Équipe du programme / Programme team"
    };
    Ok(Signatory {
        name: me.name.trim().to_owned(),
        role: role.to_owned(),
    })
}

/// The letterhead of `app`'s letter: its call's commune (named by identity's
/// registry) or the programme, the call's signatory, the decision's date.
pub(super) async fn letterhead(cx: &Ctx<'_>, call: &StoredCall, app: &StoredApp) -> Letterhead {
    let sender = if call.programme {
        letterhead::PROGRAMME.to_owned()
    } else {
        let name = match call_api(cx, "GET", &format!("/api/communes/{}", call.insee), None).await {
            Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["name"].as_str().map(str::to_owned)),
            _ => None,
        };
        letterhead::commune_sender(name.as_deref(), call.insee.as_str())
    };
    Letterhead {
        sender,
        signatory: call.input.signatory.clone(),
        date: Paris(Instant(app.updated_at)).to_string(),
    }
}
