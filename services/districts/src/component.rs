//! The Spin component: districts by commune. Created by the programme (the call
//! for communes selects a commune: `applications` posts here through a
//! self-request), completed by the commune's admins, readable by anyone. Every
//! action asks the `policy` component (`qmi:platform/authz`); nothing here decides.

use qmi_api::Insee;
use qmi_api::applications::{District, DistrictInput};
use qmi_api::routes::districts::Op;
use qmi_kit::context::Ctx;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::policy::{Action, Facts};
use qmi_kit::sql::Row;
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem};
use spin_sdk::http::Request;

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

fn now() -> i64 {
    qmi_kit::time::now().0
}

fn stamp(t: i64) -> String {
    qmi_kit::time::Instant(t).to_string()
}

fn district_of(r: Row<'_>) -> Result<District, Problem> {
    let body: DistrictInput =
        serde_json::from_str(r.text("body").unwrap_or("{}")).map_err(Problem::internal)?;
    Ok(District {
        insee: body.insee,
        name: body.name,
        perimeter: body.perimeter,
        description: body.description,
        challenges: body.challenges,
        sites: body.sites,
        stakeholders: body.stakeholders,
        campaign_id: body.campaign_id,
        created_at: stamp(r.int("created_at").unwrap_or(0)),
    })
}

async fn load(db: &Db, insee: &Insee) -> Result<Option<District>, Problem> {
    let rows = db
        .platform()
        .run(
            "SELECT * FROM districts WHERE insee = ?",
            vec![insee.into()],
        )
        .await?;
    rows.first().map(district_of).transpose()
}

fn check(input: &DistrictInput) -> Result<(), Problem> {
    let mut p = Problem::validation();
    if input.name.trim().is_empty() {
        p = p.field("name", "must not be empty");
    }
    if p.errors.is_empty() { Ok(()) } else { Err(p) }
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let (op, cx) = Ctx::route::<Op>(req)?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    match op {
        Op::ListDistricts => {
            let page = PageRequest::from_query(&req.query)?;
            let after = page.after_key();
            let rows = db
                .platform()
                .run(
                    &format!(
                        "SELECT * FROM districts WHERE insee > ? ORDER BY insee LIMIT {}",
                        page.fetch()
                    ),
                    vec![after.into()],
                )
                .await?;
            let items = rows
                .iter()
                .map(district_of)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(json(200, &page.page(items, |d| d.insee.to_string())))
        }
        Op::GetDistrict => {
            let insee = cx.insee()?;
            Ok(json(
                200,
                &load(&db, &insee)
                    .await?
                    .ok_or_else(|| Problem::not_found(format!("no district in {insee}")))?,
            ))
        }
        Op::CreateDistrict => {
            cx.me()?;
            // A district is created by selecting the commune's candidacy.
            let _allowed = cx.ask(Action::CampaignSelect, &Facts::default()).await?;
            let input: DistrictInput = req.json()?;
            check(&input)?;
            // Idempotent: a selection retried finds the district it created.
            if let Some(existing) = load(&db, &input.insee).await? {
                return Ok(json(200, &existing));
            }
            let t = now();
            let body = serde_json::to_string(&input).map_err(Problem::internal)?;
            db.platform().run(
                "INSERT INTO districts (insee, body, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (insee) DO NOTHING",
                vec![(&input.insee).into(), body.into(), t.into(), t.into()],
            )
            .await?;
            Ok(json(
                201,
                &load(&db, &input.insee)
                    .await?
                    .ok_or_else(|| Problem::internal("district vanished"))?,
            ))
        }
        Op::UpdateDistrict => {
            cx.me()?;
            let insee = cx.insee()?;
            let _allowed = cx
                .ask(Action::DistrictUpdate, &Facts::tenant(&insee))
                .await?;
            let input: DistrictInput = req.json()?;
            if input.insee != insee {
                return Err(Problem::invalid_field("insee", "must match the path"));
            }
            check(&input)?;
            let existing = load(&db, &insee)
                .await?
                .ok_or_else(|| Problem::not_found(format!("no district in {insee}")))?;
            let mut input = input;
            input.campaign_id = existing.campaign_id;
            let body = serde_json::to_string(&input).map_err(Problem::internal)?;
            db.platform()
                .run(
                    "UPDATE districts SET body = ?, updated_at = ? WHERE insee = ?",
                    vec![body.into(), now().into(), (&insee).into()],
                )
                .await?;
            Ok(json(
                200,
                &load(&db, &insee)
                    .await?
                    .ok_or_else(|| Problem::internal("district vanished"))?,
            ))
        }
    }
}
