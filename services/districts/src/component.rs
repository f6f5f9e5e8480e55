//! The Spin component: districts by commune. Created by the programme (the call
//! for communes selects a commune: `applications` posts here through a
//! self-request), completed by the commune's admins, readable by anyone. Every
//! action asks the `policy` component (`qmi:platform/authz`); nothing here decides.

use qmi_api::Insee;
use qmi_api::applications::{District, DistrictInput};
use qmi_api::routes::districts::Op;
use qmi_kit::context::Ctx;
use qmi_kit::decision::Allowed;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::policy::{Action, Facts};
use qmi_kit::sql::Row;
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem};
use spin_sdk::http::Request;

use crate::DISTRICTS;

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

/// Commune `insee`'s district, read under `allowed` (a public read of the
/// registry, narrowed to the commune by the builder, or a decision for it).
async fn load(db: &Db, allowed: &Allowed, insee: &Insee) -> Result<Option<District>, Problem> {
    let rows = db
        .across(allowed)
        .select(DISTRICTS, &["*"])
        .within(insee)
        .rows()
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
    // The gateway's routes all start with /api/, the internal route's with
    // /internal/districts/: its audit chains and usage counts, a person's data (`personal`).
    if !req.path.starts_with("/api/") {
        if qmi_kit::accountability::answers(&req.path, qmi_api::internal::DISTRICTS.prefix) {
            return qmi_kit::accountability::serve(
                req,
                qmi_api::internal::DISTRICTS.prefix,
                crate::DATABASE,
                &crate::SCHEMA,
            )
            .await;
        }
        return crate::personal::route(req).await;
    }
    let (op, cx) = Ctx::route::<Op>(req)?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    db.attend(&cx);
    let reply = async {
        match op {
            Op::ListDistricts => {
                // Districts are public: every commune's, read across.
                let allowed = cx.ask(Action::RegistryRead, &Facts::default()).await?;
                let page = PageRequest::from_query(&req.query)?;
                let rows = db
                    .across(&allowed)
                    .select(DISTRICTS, &["*"])
                    .filter("insee > ?", [page.after_key().into()])
                    .order_by("insee")
                    .limit(page.fetch())
                    .rows()
                    .await?;
                let items = rows
                    .iter()
                    .map(district_of)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(json(200, &page.page(items, |d| d.insee.to_string())))
            }
            Op::GetDistrict => {
                let insee = cx.insee()?;
                let allowed = cx.ask(Action::RegistryRead, &Facts::default()).await?;
                Ok(json(
                    200,
                    &load(&db, &allowed, &insee)
                        .await?
                        .ok_or_else(|| Problem::not_found(format!("no district in {insee}")))?,
                ))
            }
            Op::CreateDistrict => {
                cx.me()?;
                // A district is created by selecting the commune's candidacy; asked
                // before the body is read, then for the commune whose row it writes.
                let _selects = cx.ask(Action::CampaignSelect, &Facts::default()).await?;
                let input: DistrictInput = req.json()?;
                let allowed = cx
                    .ask(Action::CampaignSelect, &Facts::tenant(&input.insee))
                    .await?;
                check(&input)?;
                // Idempotent: a selection retried finds the district it created.
                if let Some(existing) = load(&db, &allowed, &input.insee).await? {
                    return Ok(json(200, &existing));
                }
                let t = now();
                let body = serde_json::to_string(&input).map_err(Problem::internal)?;
                db.tenant(&allowed)?
                    .insert(
                        DISTRICTS,
                        vec![
                            ("body", body.into()),
                            ("created_at", t.into()),
                            ("updated_at", t.into()),
                        ],
                    )
                    .or_ignore()
                    .run()
                    .await?;
                Ok(json(
                    201,
                    &load(&db, &allowed, &input.insee)
                        .await?
                        .ok_or_else(|| Problem::internal("district vanished"))?,
                ))
            }
            Op::UpdateDistrict => {
                cx.me()?;
                let insee = cx.insee()?;
                let allowed = cx
                    .ask(Action::DistrictUpdate, &Facts::tenant(&insee))
                    .await?;
                let input: DistrictInput = req.json()?;
                if input.insee != insee {
                    return Err(Problem::invalid_field("insee", "must match the path"));
                }
                check(&input)?;
                let existing = load(&db, &allowed, &insee)
                    .await?
                    .ok_or_else(|| Problem::not_found(format!("no district in {insee}")))?;
                let mut input = input;
                input.campaign_id = existing.campaign_id;
                let body = serde_json::to_string(&input).map_err(Problem::internal)?;
                db.tenant(&allowed)?
                    .update(
                        DISTRICTS,
                        vec![("body", body.into()), ("updated_at", now().into())],
                    )
                    .run()
                    .await?;
                Ok(json(
                    200,
                    &load(&db, &allowed, &insee)
                        .await?
                        .ok_or_else(|| Problem::internal("district vanished"))?,
                ))
            }
        }
    }
    .await;
    db.close(&cx, &reply).await;
    reply
}
