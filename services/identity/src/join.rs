//! Finding an organisation and asking to join it (issue 12). A confirmed account
//! without an organisation searches the directory by name or SIRET (`GET
//! /api/organisations?q=|siret=` also lists the organisations it may ask to join),
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

/// Rows of the directory examined per `GET /api/organisations` request at most: a
/// principal who may read few organisations gets a short page and a cursor rather than
/// a scan of the whole directory.
const ORG_SCAN_BUDGET: usize = 2_000;

/// The search of a `GET /api/organisations` request.
enum Search {
    /// No search: the organisations the principal may read.
    None,
    /// Names containing these words (normalised).
    Name(String),
    /// The organisation with this SIRET.
    Siret(Siret),
}

fn search(query: &qmi_kit::Query) -> Result<Search, Problem> {
    if let Some(siret) = query.non_empty("siret") {
        let siret = siret
            .parse::<Siret>()
            .map_err(|e| Problem::invalid_field("siret", e))?;
        return Ok(Search::Siret(siret));
    }
    if let Some(q) = query.non_empty("q") {
        let count = q.trim().chars().count();
        if !(3..=100).contains(&count) {
            return Err(Problem::invalid_field("q", "3 to 100 characters"));
        }
        return Ok(Search::Name(qmi_kit::text::normalise(q)));
    }
    Ok(Search::None)
}

/// `GET /api/organisations`: the organisations the policy lets the principal read
/// (`organisation-read`, asked per organisation), in id order; with a search (`q`,
/// `siret`), also those it may ask to join (`organisation-join`). Pages stay correct
/// whatever the rules: rows are scanned in key order until the page is full, the
/// directory ends or [`ORG_SCAN_BUDGET`] rows were examined; `next_cursor` resumes
/// after the last row examined.
pub(super) async fn list_organisations(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let search = search(&cx.req.query)?;
    let unconfirmed = match search {
        Search::None => false,
        _ => super::signup::unconfirmed(&cx.db, &p.sub).await?,
    };
    let visible = |org: &Organisation| -> Result<bool, Problem> {
        let ops = [
            Some(Operation::ReadOrganisation(&org.id)),
            match search {
                Search::None => None,
                _ => Some(Operation::JoinOrganisation {
                    org: &org.id,
                    unconfirmed,
                }),
            },
        ];
        for op in ops.into_iter().flatten() {
            // No commune in these questions: no suspension to state.
            let q = op.question();
            match qmi_kit::policy::refusal(Some(&p), q.action, &q.facts, false) {
                Ok(_) => return Ok(true),
                // Not this principal's to see: left out of the listing.
                Err(r) if r.code.status() == 403 => {}
                Err(r) => return Err(r.problem()),
            }
        }
        Ok(false)
    };
    if let Search::Siret(siret) = &search {
        let rows = cx
            .db
            .platform()
            .run(
                &format!("SELECT {ORG_COLUMNS} FROM organisations WHERE siret = ?"),
                vec![siret.as_str().into()],
            )
            .await?;
        let mut items = Vec::new();
        for row in rows.iter() {
            let org = organisation_of(row)?;
            if visible(&org)? {
                items.push(org);
            }
        }
        return Ok(json(
            200,
            &Page {
                items,
                next_cursor: None,
            },
        ));
    }
    let batch = page.fetch();
    let mut after = page.after.as_ref().map(|c| c.key().to_owned());
    let mut items: Vec<Organisation> = Vec::new();
    let mut scanned = 0usize;
    loop {
        let (sql, params) = match &after {
            Some(key) => (
                format!(
                    "SELECT {ORG_COLUMNS} FROM organisations WHERE id > ? ORDER BY id LIMIT {batch}"
                ),
                vec![key.as_str().into()],
            ),
            None => (
                format!("SELECT {ORG_COLUMNS} FROM organisations ORDER BY id LIMIT {batch}"),
                vec![],
            ),
        };
        let rows = cx.db.platform().run(&sql, params).await?;
        let exhausted = rows.iter().count() < batch as usize;
        for row in rows.iter() {
            let org = organisation_of(row)?;
            scanned += 1;
            after = Some(org.id.clone());
            let wanted = match &search {
                Search::Name(words) => qmi_kit::text::normalise(&org.name).contains(words.as_str()),
                _ => true,
            };
            if wanted && visible(&org)? {
                items.push(org);
            }
            if items.len() > page.limit as usize {
                // One more than the page: another page follows.
                return Ok(json(
                    200,
                    &page.page(items, |o: &Organisation| o.id.clone()),
                ));
            }
        }
        if exhausted {
            return Ok(json(
                200,
                &Page {
                    items,
                    next_cursor: None,
                },
            ));
        }
        if scanned >= ORG_SCAN_BUDGET {
            let next_cursor = after.map(|key| qmi_kit::page::Cursor::after(key).encode());
            return Ok(json(200, &Page { items, next_cursor }));
        }
    }
}

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
