//! An organisation on the partner directory: the experiments it holds or
//! joined, on its track record (`GET /api/experiments/organisations/{id}`),
//! and a merged record's experiments moved to the organisation kept (`POST
//! …/{id}/absorb`, called by `partners` when the programme team merges two
//! records).

use std::collections::BTreeSet;

use qmi_api::Insee;
use qmi_api::identity::Organisation;
use qmi_api::partners::{Repoint, Repointed, TrackExperiment};
use qmi_kit::Problem;
use qmi_kit::Value;
use qmi_kit::api::get_json;
use qmi_kit::http::{Reply, json};
use qmi_kit::store::Db;

use crate::context::*;

/// Most experiments a track record lists.
const TRACK_MAX: usize = 200;

/// The communes and ids of the experiments `org` holds or joined (every
/// commune: the organisation is the key here, not the tenant). Read to state
/// the facts of the decisions taken on each.
async fn links(db: &Db, org: &str) -> Result<BTreeSet<(Insee, String)>, Problem> {
    let mut out = BTreeSet::new();
    for (table, id, filter) in [
        (PARTNERS, "experiment_id", "organisation_id = ?"),
        (EXPERIMENTS, "id", "holder_id = ?"),
    ] {
        let rows = db
            .facts()
            .select(table, &["insee", id])
            .filter(filter, [org.into()])
            .rows()
            .await?;
        for r in rows.iter() {
            out.insert((insee(&r, "insee")?, r.string(id)));
        }
    }
    Ok(out)
}

/// `GET /api/experiments/organisations/{id}`: the experiments the
/// organisation holds or joined, newest first (at most 200): published ones
/// for everyone, the others for those `experiment-read` lets read them (their
/// commune's staff, their consortium's members, programme operators), as the
/// experiments' other lists decide.
pub(crate) async fn organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let org = id_field("id", cx.param("id"))?;
    let mut items: Vec<(i64, TrackExperiment)> = Vec::new();
    for (commune, id) in links(&cx.db, org).await? {
        let rows = cx
            .db
            .facts()
            .select(EXPERIMENTS, EXP_COLUMNS)
            .within(&commune)
            .filter("id = ?", [id.as_str().into()])
            .rows()
            .await?;
        let Some(exp) = rows.first().map(|r| Exp::of(&r)).transpose()? else {
            continue;
        };
        let f = Facts {
            published: exp.published,
            ..facts(cx, &exp, false).await?
        };
        if !cx.allows(Action::ExperimentRead, &f).await? {
            continue;
        }
        let allowed = cx.ask(Action::ExperimentRead, &f).await?;
        let rows = cx
            .db
            .tenant(&allowed)?
            .select(
                EXPERIMENTS,
                &[
                    "id",
                    "insee",
                    "title",
                    "commune_name",
                    "status",
                    "outcome",
                    "created_at",
                ],
            )
            .filter("id = ?", [exp.id.as_str().into()])
            .rows()
            .await?;
        let Some(r) = rows.first() else { continue };
        items.push((
            r.int("created_at").unwrap_or(0),
            TrackExperiment {
                experiment_id: r.string("id"),
                title: r.string("title"),
                insee: insee(&r, "insee")?,
                commune_name: r.string("commune_name"),
                status: r.string("status"),
                outcome: r.text("outcome").map(str::to_owned),
            },
        ));
    }
    items.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.experiment_id.cmp(&a.1.experiment_id))
    });
    let items: Vec<TrackExperiment> = items.into_iter().take(TRACK_MAX).map(|(_, t)| t).collect();
    Ok(json(200, &items))
}

/// `POST /api/experiments/organisations/{id}/absorb`: every experiment `from`
/// holds or joined (every commune) becomes `{id}`'s, in one transaction
/// (programme operators, `partner-curate`); where both were in one consortium,
/// one row stays (the holder's when either held it). The names kept with
/// them become the kept organisation's when the directory tells it. Nothing
/// else is recorded. `moved`: the experiments re-pointed.
pub(crate) async fn absorb(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _curates = cx.ask(Action::PartnerCurate, &Facts::default()).await?;
    let kept = id_field("id", cx.param("id"))?;
    let input: Repoint = cx.req.json()?;
    let from = id_field("from", &input.from)?;
    if from == kept {
        return Err(Problem::invalid_field(
            "from",
            "another organisation than the one kept",
        ));
    }
    // Read before the transaction (never wait on another service holding the
    // write lock); names stay as they are when it cannot be read.
    let name = match get_json::<Organisation>(cx, &format!("/api/organisations/{kept}")).await {
        Ok(org) => org.map(|o| o.name),
        Err(p) => {
            qmi_kit::log!("absorb into {kept}: its name was not read, names kept: {p}");
            None
        }
    };
    let moved = cx
        .db
        .atomic(async |db| {
            // Read in the transaction, so no link is added meanwhile.
            let links = links(db, from).await?;
            let communes: BTreeSet<&Insee> = links.iter().map(|(c, _)| c).collect();
            for commune in communes {
                let allowed = cx
                    .ask(Action::PartnerCurate, &Facts::tenant(commune))
                    .await?;
                repoint(db, &allowed, from, kept, name.as_deref()).await?;
            }
            Ok::<_, Problem>(links.len() as u64)
        })
        .await?;
    Ok(json(200, &Repointed { moved }))
}

/// Re-points one commune's experiments and consortium rows from `from` to
/// `kept` (inside the caller's transaction).
async fn repoint(
    db: &Db,
    allowed: &qmi_kit::decision::Allowed,
    from: &str,
    kept: &str,
    name: Option<&str>,
) -> Result<(), Problem> {
    let t = db.tenant(allowed)?;
    let named = |mut set: Vec<(&'static str, Value)>, column: &'static str| {
        if let Some(n) = name {
            set.push((column, n.into()));
        }
        set
    };
    t.update(
        EXPERIMENTS,
        named(vec![("holder_id", kept.into())], "holder_name"),
    )
    .filter("holder_id = ?", [from.into()])
    .run()
    .await?;
    let rows = t
        .select(PARTNERS, &["experiment_id", "holder"])
        .filter("organisation_id = ?", [from.into()])
        .rows()
        .await?;
    for r in rows.iter() {
        let exp = r.string("experiment_id");
        let holder = r.int("holder") == Some(1);
        let this = "experiment_id = ? AND organisation_id = ?";
        let both = t
            .select(PARTNERS, &["holder"])
            .filter(this, [exp.as_str().into(), kept.into()])
            .exists()
            .await?;
        if both {
            // One row per organisation and experiment (the key): the kept
            // organisation's stays, holding the experiment when either did.
            t.delete(PARTNERS)
                .filter(this, [exp.as_str().into(), from.into()])
                .run()
                .await?;
            if holder {
                t.update(PARTNERS, named(vec![("holder", true.into())], "name"))
                    .filter(this, [exp.as_str().into(), kept.into()])
                    .run()
                    .await?;
            }
        } else {
            t.update(
                PARTNERS,
                named(vec![("organisation_id", kept.into())], "name"),
            )
            .filter(this, [exp.as_str().into(), from.into()])
            .run()
            .await?;
        }
    }
    Ok(())
}
