//! Asking to join an organisation (issue 12). A confirmed account without an
//! organisation finds it in the partner directory (the `partners` component: `GET
//! /api/organisations?q=|siret=` also lists, by SIRET, the one it may ask to join),
//! asks (`POST /api/organisations/{id}/join-requests`; the members are told), and a
//! member approves — the account joins, its rights version is raised as for every
//! change of organisation — or refuses.
//!
//! A child of `component`, as [`super::invitations`].

use qmi_api::notifications::{Event, Recipient};
use qmi_kit::outbox;
use qmi_kit::time::Instant;

use super::invited::join_organisation;
use super::*;

const REQUEST_COLUMNS: &str =
    "r.id, r.organisation_id, r.account_id, r.status, r.created_at, a.name, a.email";

fn request_of(r: qmi_kit::sql::Row<'_>) -> Result<JoinRequest, Problem> {
    Ok(JoinRequest {
        id: r.string("id"),
        organisation_id: r.string("organisation_id"),
        account_id: r.string("account_id"),
        name: r.string("name"),
        email: r.string("email").parse().map_err(Problem::internal)?,
        status: JoinRequestStatus::parse(r.text("status").unwrap_or_default())
            .ok_or_else(|| Problem::internal("unknown join request status"))?,
        requested_at: Instant(r.int("created_at").unwrap_or(0)).to_string(),
    })
}

async fn load_request(db: &Db, org: &str, id: &str) -> Result<Option<JoinRequest>, Problem> {
    let rows = db
        .platform().run(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM join_requests r JOIN accounts a ON a.id = r.account_id WHERE r.id = ? AND r.organisation_id = ?"
            ),
            vec![id.into(), org.into()],
        )
        .await?;
    rows.first().map(request_of).transpose()
}

/// `POST /api/organisations/{id}/join-requests`: a confirmed account without an
/// organisation asks to join; the members are told. Asking again while a request
/// is pending answers that request and tells nobody again.
pub(super) async fn create(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let org = cx.param("id");
    let unconfirmed = super::signup::unconfirmed(&cx.db, &p.sub).await?;
    let _allowed = cx
        .allow(Some(&p), Operation::JoinOrganisation { org, unconfirmed })
        .await?;
    let organisation = require_organisation(&cx.db, org).await?;
    let t = now();
    let request = cx
        .db
        .atomic(async |db| {
            // The database's word, not the token's: an account that joined an
            // organisation since its token was issued asks nothing.
            let rows = db
                .platform().run(
                    "SELECT name, email, organisation_id FROM accounts WHERE id = ?",
                    vec![p.sub.as_str().into()],
                )
                .await?;
            let me = rows
                .first()
                .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
            if me.text("organisation_id").is_some() {
                return Err(Problem::new(403, "already-in-organisation", "Forbidden")
                    .detail("an account belongs to at most one organisation"));
            }
            let requester = format!("{} <{}>", me.string("name"), me.string("email"));
            let id = uuid::Uuid::now_v7().to_string();
            db.platform().run(
                "INSERT INTO join_requests (id, organisation_id, account_id, created_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (organisation_id, account_id) WHERE status = 'pending' DO NOTHING",
                vec![id.as_str().into(), org.into(), p.sub.as_str().into(), t.into()],
            )
            .await?;
            if db.changes().await == 1 {
                outbox::enqueue(
                    db,
                    Event::JoinRequest {
                        recipient: Recipient::Organisation {
                            organisation_id: org.to_owned(),
                        },
                        requester,
                        organisation: organisation.name.clone(),
                        link: outbox::public_link("/espace/organisation").await,
                    },
                )
                .await?;
            }
            let rows = db
                .platform().run(
                    &format!(
                        "SELECT {REQUEST_COLUMNS} FROM join_requests r JOIN accounts a ON a.id = r.account_id \
                         WHERE r.organisation_id = ? AND r.account_id = ? AND r.status = 'pending'"
                    ),
                    vec![org.into(), p.sub.as_str().into()],
                )
                .await?;
            rows.first()
                .map(request_of)
                .transpose()?
                .ok_or_else(|| Problem::internal("a join request vanished as it was written"))
        })
        .await?;
    outbox::relay(&cx.db).await;
    Ok(json(202, &request))
}

/// `GET /api/organisations/{id}/join-requests`: the pending requests, oldest first.
pub(super) async fn list(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let org = cx.param("id");
    let _allowed = cx.allow(Some(&p), Operation::ReadOrganisation(org)).await?;
    require_organisation(&cx.db, org).await?;
    let rows = cx
        .db
        .platform().run(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM join_requests r JOIN accounts a ON a.id = r.account_id \
                 WHERE r.organisation_id = ? AND r.status = 'pending' ORDER BY r.id LIMIT 500"
            ),
            vec![org.into()],
        )
        .await?;
    let items = rows.iter().map(request_of).collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &items))
}

/// `POST /api/organisations/{id}/join-requests/{request}/approve|refuse`. Approving
/// makes the account a member (409 when it joined another organisation meanwhile)
/// and raises its rights version; the person is told either way.
pub(super) async fn answer(cx: &Ctx<'_>, approve: bool) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let org = cx.param("id");
    let _allowed = cx
        .allow(Some(&p), Operation::UpdateOrganisation(org))
        .await?;
    let organisation = require_organisation(&cx.db, org).await?;
    let id = cx.param("request");
    let t = now();
    let status = if approve {
        JoinRequestStatus::Approved
    } else {
        JoinRequestStatus::Refused
    };
    let request = cx
        .db
        .atomic(async |db| {
            db.platform().run(
                "UPDATE join_requests SET status = ?, answered_at = ?, answered_by = ? WHERE id = ? AND organisation_id = ? AND status = 'pending'",
                vec![status.as_str().into(), t.into(), p.sub.as_str().into(), id.into(), org.into()],
            )
            .await?;
            if db.changes().await != 1 {
                return Err(Problem::not_found(format!("no pending request {id} to join {org}")));
            }
            let request = load_request(db, org, id)
                .await?
                .ok_or_else(|| Problem::internal("a join request vanished as it was answered"))?;
            if approve {
                join_organisation(db, &request.account_id, org).await?;
                lower_rights(db, &request.account_id).await?;
            } else {
                outbox::enqueue(
                    db,
                    Event::JoinRefused {
                        recipient: Recipient::Account {
                            account_id: request.account_id.clone(),
                        },
                        organisation: organisation.name.clone(),
                    },
                )
                .await?;
            }
            Ok(request)
        })
        .await?;
    if approve {
        publish_rights(&cx.db, &request.account_id).await?;
    }
    outbox::relay(&cx.db).await;
    Ok(json(200, &request))
}
