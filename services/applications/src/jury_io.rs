//! The jury's work read from the records (the component's side of
//! [`crate::jury`]): the reason a reviewer gave for their recusal, the
//! reviewers' names (identity lists the communes' members), every review of a
//! call for the exports, and the `QMI-Shortfall` header of an assignment that
//! could not give each application as many reviews as asked.

use std::collections::{BTreeMap, HashMap};

use qmi_api::Insee;
use qmi_api::applications::Score;
use qmi_kit::Problem;
use qmi_kit::decision::Allowed;
use qmi_kit::http::Reply;

use super::{ASSIGNMENTS, Ctx, SCORES, StoredApp, StoredCall, commune_members};
use crate::jury::Sheet;

/// The header naming the applications left short of reviews.
pub const SHORTFALL_HEADER: &str = "qmi-shortfall";

/// The reason the caller gave when they declared a conflict on `app`.
pub async fn my_conflict_reason(
    cx: &Ctx<'_>,
    allowed: &Allowed,
    app: &StoredApp,
) -> Result<Option<String>, Problem> {
    let Some(me) = cx.who() else {
        return Ok(None);
    };
    let rows = cx
        .db
        .across(allowed)
        .select(ASSIGNMENTS, &["conflict_reason"])
        .within(&app.insee)
        .filter("application_id = ?", [app.id.as_str().into()])
        .filter("reviewer = ?", [me.sub.as_str().into()])
        .rows()
        .await?;
    Ok(rows
        .first()
        .and_then(|r| r.text("conflict_reason").map(str::to_owned))
        .filter(|r| !r.is_empty()))
}

/// The names of the members of the communes `districts` (account → name), as
/// identity lists them to the caller; a commune whose members identity does not
/// list to the caller leaves its reviewers named by their account id (the
/// export is still given).
pub async fn names(cx: &Ctx<'_>, districts: &[Insee]) -> Result<HashMap<String, String>, Problem> {
    let mut out = HashMap::new();
    for insee in districts {
        if let Ok(members) = commune_members(cx, insee).await? {
            out.extend(
                members
                    .into_iter()
                    .filter(|m| !m.name.is_empty())
                    .map(|m| (m.account_id, m.name)),
            );
        }
    }
    Ok(out)
}

/// Every counted review of `call` (recused reviewers left out), by application,
/// each reviewer named by `names` (their account id otherwise), in the order of
/// the reviewers' names.
pub async fn sheets(
    cx: &Ctx<'_>,
    call: &StoredCall,
    names: &HashMap<String, String>,
) -> Result<BTreeMap<String, Vec<Sheet>>, Problem> {
    let rows = call
        .reads(&cx.db)?
        .select(
            SCORES,
            &[
                "s.application_id",
                "s.reviewer",
                "s.criterion",
                "s.score",
                "s.comment",
            ],
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
        .order_by("s.application_id, s.reviewer, s.criterion")
        .rows()
        .await?;
    let mut by: BTreeMap<String, BTreeMap<String, Vec<Score>>> = BTreeMap::new();
    for r in rows.iter() {
        by.entry(r.string("application_id"))
            .or_default()
            .entry(r.string("reviewer"))
            .or_default()
            .push(Score {
                criterion: r.string("criterion"),
                score: r.int("score").unwrap_or(0).clamp(0, 5) as u8,
                comment: r.string("comment"),
            });
    }
    Ok(by
        .into_iter()
        .map(|(app, reviewers)| {
            let mut list: Vec<Sheet> = reviewers
                .into_iter()
                .map(|(reviewer, scores)| Sheet {
                    reviewer: names.get(&reviewer).cloned().unwrap_or(reviewer),
                    scores,
                })
                .collect();
            list.sort_by(|a, b| a.reviewer.cmp(&b.reviewer));
            (app, list)
        })
        .collect())
}

/// `reply` with the `QMI-Shortfall` header when `value` is given.
pub fn with_shortfall(mut reply: Reply, value: Option<String>) -> Reply {
    if let Some(v) = value
        && let Ok(v) = v.parse()
    {
        reply.headers_mut().insert(SHORTFALL_HEADER, v);
    }
    reply
}
