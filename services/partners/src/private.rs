//! The internal route (`/internal/partners/…`, [`qmi_api::internal`]: only
//! requests carrying the internal token, from the components whose
//! `allowed_outbound_hosts` reach `partners_url`):
//! `POST …/presence` from applications and experiments (where an organisation
//! applied or experimented: the commune facet), `GET /cards?ids=…` for
//! identity (organisation names in invitations and on the account page, and
//! the check that an organisation it registers has a profile).

use qmi_api::identity::Organisation;
use qmi_api::partners::Presence;
use qmi_kit::http::{Incoming, Reply, json};
use qmi_kit::store::Db;
use qmi_kit::{Problem, Value};

use crate::context::{card_of, is_id};

use qmi_api::internal::{PARTNERS_CARDS as CARDS, PARTNERS_PRESENCE as PRESENCE};

/// Most cards asked at once.
const MAX_CARDS: usize = 100;

/// Answers a request of the internal route that carries the internal token.
pub(crate) async fn route(req: &Incoming) -> Result<Reply, Problem> {
    qmi_kit::internal::authorize(req).await?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    db.attend_platform(req.header(qmi_api::REQUEST_ID_HEADER));
    if let Some(reply) =
        qmi_kit::accountability::route(req, qmi_api::internal::PARTNERS.prefix, &db).await
    {
        db.finish().await;
        return reply;
    }
    let reply = async {
        match (req.method.as_str(), req.path.as_str()) {
        ("POST", PRESENCE) => {
            let p: Presence = req.json()?;
            if !is_id(&p.organisation_id) {
                return Err(Problem::invalid_field(
                    "organisation_id",
                    "an id: letters, digits and dashes",
                ));
            }
            db.platform()
                .run(
                    "INSERT INTO organisation_presence (organisation_id, insee, source) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    vec![p.organisation_id.as_str().into(), (&p.insee).into(), p.source.as_str().into()],
                )
                .await?;
            Ok(json(200, &serde_json::json!({ "recorded": true })))
        }
        ("GET", CARDS) => {
            let ids: Vec<&str> = req
                .query
                .get("ids")
                .unwrap_or("")
                .split(',')
                .filter(|id| is_id(id))
                .take(MAX_CARDS)
                .collect();
            if ids.is_empty() {
                return Ok(json(200, &Vec::<Organisation>::new()));
            }
            let marks = vec!["?"; ids.len()].join(", ");
            let params: Vec<Value> = ids.iter().map(|id| (*id).into()).collect();
            let rows = db
                .platform()
                .run(
                    &format!("SELECT id, name, kind, country, siret FROM organisations WHERE id IN ({marks})"),
                    params,
                )
                .await?;
            let mut cards = Vec::with_capacity(rows.len());
            for r in rows.iter() {
                cards.push(card_of(&r)?);
            }
            Ok(json(200, &cards))
        }
        (method, path) => Err(Problem::not_found(format!(
            "no internal route {method} {path}"
        ))),
    }
    }
    .await;
    db.finish().await;
    reply
}
