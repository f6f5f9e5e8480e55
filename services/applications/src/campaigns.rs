//! Calls for communes (campaigns) and their candidacies.

use qmi_api::Insee;
use qmi_api::applications::*;
use qmi_api::identity::CommuneStatus;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Reply, json};
use qmi_kit::sql::Row;
use qmi_kit::{PageRequest, Problem};

use super::{
    Action, CANDIDACIES, Ctx, Facts, call_api, decisions, from_json, new_id, notify, to_json,
    upstream, validation,
};
use crate::form;
use crate::paris::{Instant, Paris};

// ---------------------------------------------------------------- campaigns

pub(super) fn campaign_of(r: Row<'_>) -> Result<Campaign, Problem> {
    let (opens, closes) = (
        Instant(r.int("opens_at").unwrap_or(0)),
        Instant(r.int("closes_at").unwrap_or(0)),
    );
    Ok(Campaign {
        id: r.string("id"),
        title: r.string("title"),
        text: r.string("text"),
        opens_at: opens.to_string(),
        opens_at_paris: Paris(opens).to_string(),
        closes_at: closes.to_string(),
        closes_at_paris: Paris(closes).to_string(),
        questions: from_json(r.text("questions").unwrap_or("[]"))?,
        published: r.int("published") == Some(1),
        history: Vec::new(),
    })
}

pub(super) struct StoredCampaign {
    pub(super) campaign: Campaign,
    pub(super) closes_at: Instant,
}

pub(super) async fn load_campaign(cx: &Ctx<'_>) -> Result<StoredCampaign, Problem> {
    let id = cx.param("id");
    let rows = cx
        .db
        .platform()
        .run("SELECT * FROM campaigns WHERE id = ?", vec![id.into()])
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| Problem::not_found(format!("no campaign {id}")))?;
    Ok(StoredCampaign {
        closes_at: Instant(row.int("closes_at").unwrap_or(0)),
        campaign: campaign_of(row)?,
    })
}

pub(super) async fn create_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.ask(Action::CampaignOpen, &Facts::default()).await?;
    let input: CampaignInput = cx.req.json()?;
    let (opens, closes) = decisions::check_campaign(&input)?;
    let id = new_id();
    // The campaign and its history's first lines, together.
    cx.db
        .atomic(async |_| {
            cx.db
                .platform().run(
                    "INSERT INTO campaigns (id, title, text, opens_at, closes_at, questions, published, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        id.as_str().into(),
                        input.title.trim().into(),
                        input.text.as_str().into(),
                        opens.0.into(),
                        closes.0.into(),
                        to_json(&input.questions)?.into(),
                        input.published.into(),
                        cx.me()?.sub.as_str().into(),
                        cx.now.0.into(),
                    ],
                )
                .await?;
            decisions::record_campaign(cx, &id, CampaignAction::Created).await?;
            if input.published {
                decisions::record_campaign(cx, &id, CampaignAction::Published).await?;
            }
            Ok::<_, Problem>(())
        })
        .await?;
    let rows = cx
        .db
        .platform()
        .run("SELECT * FROM campaigns WHERE id = ?", vec![id.into()])
        .await?;
    Ok(json(
        201,
        &campaign_of(
            rows.first()
                .ok_or_else(|| Problem::internal("campaign vanished"))?,
        )?,
    ))
}

pub(super) async fn list_campaigns(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let page = PageRequest::from_query(&cx.req.query)?;
    let all = cx
        .ask(Action::CampaignRead, &Facts::default())
        .await
        .is_ok();
    let after = page.after_key();
    // Those the policy lets read every campaign see the unpublished ones too.
    let visible = if all { "TRUE" } else { "published = 1" };
    let sql = format!(
        "SELECT * FROM campaigns WHERE {visible} AND id > ? ORDER BY id LIMIT {}",
        page.fetch()
    );
    let rows = cx.db.platform().run(&sql, vec![after.into()]).await?;
    let items = rows
        .iter()
        .map(campaign_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.id.clone())))
}

pub(super) async fn get_campaign(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let mut c = load_campaign(cx).await?;
    let _allowed = cx
        .ask(
            Action::CampaignRead,
            &Facts {
                published: c.campaign.published,
                ..Facts::default()
            },
        )
        .await?;
    if cx
        .ask(Action::CampaignOpen, &Facts::default())
        .await
        .is_ok()
    {
        c.campaign.history = decisions::campaign_history(cx, &c.campaign.id).await?;
    }
    Ok(json(200, &c.campaign))
}

/// A stored `candidacies.status`.
fn stored_candidacy_status(s: Option<&str>) -> Result<CandidacyStatus, Problem> {
    let s = s.unwrap_or_default();
    CandidacyStatus::parse(s)
        .ok_or_else(|| Problem::internal(format!("stored candidacy status {s:?}")))
}

pub(super) fn candidacy_of(r: Row<'_>) -> Result<Candidacy, Problem> {
    let body: CandidacyInput = from_json(r.text("body").unwrap_or("{}"))?;
    Ok(Candidacy {
        campaign_id: r.string("campaign_id"),
        insee: r.string("insee").parse().map_err(Problem::internal)?,
        district_name: body.district_name,
        perimeter: body.perimeter,
        challenges: body.challenges,
        partners: body.partners,
        means: body.means,
        answers: body.answers,
        status: stored_candidacy_status(r.text("status"))?,
        reason: r.text("reason").map(str::to_owned),
    })
}

pub(super) async fn load_candidacy(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    insee: &Insee,
    campaign: &str,
) -> Result<Option<Candidacy>, Problem> {
    let rows = cx
        .db
        .across(allowed)
        .select(CANDIDACIES, &["*"])
        .within(insee)
        .filter("campaign_id = ?", [campaign.into()])
        .rows()
        .await?;
    rows.first().map(candidacy_of).transpose()
}

pub(super) async fn require_candidacy(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    insee: &Insee,
    campaign: &str,
) -> Result<Candidacy, Problem> {
    load_candidacy(cx, allowed, insee, campaign)
        .await?
        .ok_or_else(|| {
            Problem::not_found(format!("no candidacy of {insee} to campaign {campaign}"))
        })
}

pub(super) async fn list_candidacies(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let c = load_campaign(cx).await?;
    let allowed = cx.ask(Action::CampaignReview, &Facts::default()).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let after = page.after_key();
    // Every commune's candidacies: a decision without a commune, read across.
    let rows = cx
        .db
        .across(&allowed)
        .select(CANDIDACIES, &["*"])
        .filter("campaign_id = ?", [c.campaign.id.into()])
        .filter("status <> ?", [CandidacyStatus::Draft.as_str().into()])
        .filter("insee > ?", [after.into()])
        .order_by("insee")
        .limit(page.fetch())
        .rows()
        .await?;
    let items = rows
        .iter()
        .map(candidacy_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.insee.to_string())))
}

/// One commune's candidacies across campaigns, in campaign id order.
pub(super) async fn list_commune_candidacies(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::CandidacyRead, &Facts::tenant(&insee))
        .await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let mut select = cx
        .db
        .tenant(&allowed)?
        .select(CANDIDACIES, &["*"])
        .order_by("campaign_id")
        .limit(page.fetch());
    if let Some(after) = &page.after {
        select = select.filter("campaign_id > ?", [after.key().into()]);
    }
    let rows = select.rows().await?;
    let items = rows
        .iter()
        .map(candidacy_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.campaign_id.clone())))
}

pub(super) async fn get_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::CandidacyRead, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    Ok(json(
        200,
        &require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?,
    ))
}

pub(super) fn check_candidacy(input: &CandidacyInput) -> Vec<qmi_kit::FieldError> {
    let mut errors = Vec::new();
    if input.district_name.trim().is_empty() {
        errors.push(qmi_kit::FieldError::new(
            "district_name",
            "must not be empty",
        ));
    }
    errors
}

pub(super) async fn save_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::CandidacyDraft, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    if !c.campaign.published {
        return Err(Problem::not_found(format!("no campaign {}", c.campaign.id)));
    }
    if cx.now >= c.closes_at {
        return Err(Problem::conflict("the campaign is closed"));
    }
    let input: CandidacyInput = cx.req.json()?;
    validation(check_candidacy(&input))?;
    validation(form::check_draft(&c.campaign.questions, &input.answers))?;
    // Its state read and the draft written together: a decision cannot slip in between.
    cx.db
        .atomic(async |_| {
            if let Some(existing) = load_candidacy(cx, &allowed, &insee, &c.campaign.id).await?
                && !matches!(
                    existing.status,
                    CandidacyStatus::Draft | CandidacyStatus::Submitted
                )
            {
                return Err(Problem::conflict(format!(
                    "the candidacy is already {}",
                    existing.status
                )));
            }
            cx.db
                .tenant(&allowed)?
                .insert(
                    CANDIDACIES,
                    vec![
                        ("campaign_id", c.campaign.id.as_str().into()),
                        ("body", to_json(&input)?.into()),
                        ("status", CandidacyStatus::Draft.as_str().into()),
                        ("updated_at", cx.now.0.into()),
                    ],
                )
                .upsert(&["campaign_id"], &["body", "updated_at"])
                .run()
                .await?;
            Ok(())
        })
        .await?;
    Ok(json(
        200,
        &require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?,
    ))
}

pub(super) async fn submit_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    let allowed = cx
        .ask(Action::CandidacySubmit, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    if cx.now >= c.closes_at {
        return Err(Problem::conflict("the campaign is closed"));
    }
    // The draft checked and submitted as one: what was checked is what is submitted.
    cx.db
        .atomic(async |_| {
            let cand = require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?;
            if cand.status == CandidacyStatus::Submitted {
                return Ok(());
            }
            if cand.status != CandidacyStatus::Draft {
                return Err(Problem::conflict(format!(
                    "the candidacy is already {}",
                    cand.status
                )));
            }
            let input = CandidacyInput {
                district_name: cand.district_name.clone(),
                perimeter: cand.perimeter.clone(),
                challenges: cand.challenges.clone(),
                partners: cand.partners.clone(),
                means: cand.means.clone(),
                answers: cand.answers.clone(),
            };
            let mut errors = check_candidacy(&input);
            errors.extend(form::check_submission(
                &c.campaign.questions,
                &input.answers,
                &|_| false,
            ));
            validation(errors)?;
            cx.db
                .tenant(&allowed)?
                .update(
                    CANDIDACIES,
                    vec![
                        ("status", CandidacyStatus::Submitted.as_str().into()),
                        ("updated_at", cx.now.0.into()),
                        ("submitted_by", cx.me()?.sub.as_str().into()),
                    ],
                )
                .filter("campaign_id = ?", [c.campaign.id.as_str().into()])
                .filter("status = ?", [CandidacyStatus::Draft.as_str().into()])
                .run()
                .await?;
            notify::candidacy_received(cx, &insee, &c.campaign, &cand).await
        })
        .await?;
    Ok(json(
        200,
        &require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?,
    ))
}

pub(super) async fn decide_candidacy(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let insee = cx.insee()?;
    // Asked for the commune whose candidacy is decided: the decision is written
    // in its tenant tables (`db.tenant`), a suspended commune's frozen.
    let allowed = cx
        .ask(Action::CampaignSelect, &Facts::tenant(&insee))
        .await?;
    let c = load_campaign(cx).await?;
    let decision: CandidacyDecision = cx.req.json()?;
    let cand = require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?;
    let target = if decision.selected {
        CandidacyStatus::Selected
    } else {
        CandidacyStatus::Rejected
    };
    if cand.status == target {
        return Ok(json(200, &cand));
    }
    if cand.status != CandidacyStatus::Submitted {
        return Err(Problem::conflict(format!(
            "only a submitted candidacy can be decided (this one is {})",
            cand.status
        )));
    }
    if decision.selected {
        // The district first, then the registry: both calls are idempotent, so a
        // failure leaves the candidacy submitted and the operator may retry.
        let district = DistrictInput {
            insee: insee.clone(),
            name: cand.district_name.clone(),
            perimeter: cand.perimeter.clone(),
            description: String::new(),
            challenges: cand.challenges.clone(),
            sites: Vec::new(),
            stakeholders: cand.partners.clone(),
            campaign_id: Some(c.campaign.id.clone()),
        };
        let body = serde_json::to_value(&district).map_err(Problem::internal)?;
        let (status, text) = call_api(cx, "POST", "/api/districts", Some(body)).await?;
        if !(200..300).contains(&status) {
            return Err(upstream("districts", status, &text));
        }
        let path = format!("/api/admin/communes/{insee}/status");
        let (status, text) = call_api(
            cx,
            "PUT",
            &path,
            Some(
                serde_json::to_value(CommuneStatusChange {
                    status: CommuneStatus::District,
                })
                .map_err(Problem::internal)?,
            ),
        )
        .await?;
        if !(200..300).contains(&status) {
            return Err(upstream("identity", status, &text));
        }
    }
    // Compare-and-set: of two concurrent decisions, one wins and the other is told.
    // The decision and its message to the commune commit together.
    cx.db
        .atomic(async |_| {
            cx.db
                .tenant(&allowed)?
                .update(
                    CANDIDACIES,
                    vec![
                        ("status", target.as_str().into()),
                        ("reason", decision.reason.as_str().into()),
                        ("updated_at", cx.now.0.into()),
                    ],
                )
                .filter("campaign_id = ?", [c.campaign.id.as_str().into()])
                .filter("status = ?", [CandidacyStatus::Submitted.as_str().into()])
                .run()
                .await?;
            notify::candidacy_decided(
                cx,
                &allowed,
                &insee,
                &c.campaign,
                &cand,
                decision.selected,
                &decision.reason,
            )
            .await
        })
        .await?;
    let now = require_candidacy(cx, &allowed, &insee, &c.campaign.id).await?;
    if now.status != target {
        return Err(Problem::conflict(format!(
            "the candidacy was {} meanwhile",
            now.status
        )));
    }
    Ok(json(200, &now))
}
