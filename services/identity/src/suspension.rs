//! Suspending and resuming a commune (issue 13): a suspension says why (`reason`,
//! required), and every change of status by these routes is kept in the
//! commune's status history (`commune_status_history`), written in the same
//! transaction as the change. `listCommuneStatusHistory` reads it back.

use super::*;

/// The shortest and longest reason a suspension takes, in characters.
const REASON_CHARS: std::ops::RangeInclusive<usize> = 3..=500;

/// `suspendCommune` (`suspend`) and `resumeCommune`: the status changes and its
/// history row commit together; the gateway's copy is published after.
pub(super) async fn set_suspended(cx: &Ctx<'_>, suspend: bool) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let op = if suspend {
        Operation::SuspendCommune(&insee)
    } else {
        Operation::ResumeCommune(&insee)
    };
    let allowed = cx.allow(Some(&p), op).await?;
    require_commune(&cx.db, &insee).await?;
    let reason = if suspend { Some(reason(cx)?) } else { None };
    let stamp = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    let change = if suspend {
        format!(
            "UPDATE communes SET resume_status = status, status = 'suspended', updated_at = {stamp} WHERE insee = ? AND status <> 'suspended'"
        )
    } else {
        format!(
            "UPDATE communes SET status = COALESCE(resume_status, 'member'), resume_status = NULL, updated_at = {stamp} WHERE insee = ? AND status = 'suspended'"
        )
    };
    let was_suspended = "SELECT status FROM communes WHERE insee = ? AND status = 'suspended'";
    cx.db
        .atomic(async |db| {
            let before = db.platform().run(was_suspended, vec![(&insee).into()]).await?;
            if before.is_empty() != suspend {
                // Already in the asked state: nothing changes, nothing to record.
                return Ok::<(), Problem>(());
            }
            db.platform().run(&change, vec![(&insee).into()]).await?;
            db.platform().run(
                &format!(
                    "INSERT INTO commune_status_history (insee, status, reason, by_account, at) SELECT insee, status, ?, ?, {stamp} FROM communes WHERE insee = ?"
                ),
                vec![
                    reason.clone().map_or(Value::Null, Value::Text),
                    p.sub.as_str().into(),
                    (&insee).into(),
                ],
            )
            .await?;
            // The operator's action, in the commune's chain.
            db.audit(&allowed, "communes", insee.as_str()).await?;
            Ok(())
        })
        .await?;
    Ok(json(200, &publish_status(&cx.db, &insee).await?))
}

/// The suspension's reason from the body: required (an empty or missing body
/// lacks it), trimmed, 3 to 500 characters.
fn reason(cx: &Ctx<'_>) -> Result<String, Problem> {
    let body: Suspension = if cx.req.body.iter().all(u8::is_ascii_whitespace) {
        Suspension::default()
    } else {
        cx.req.json()?
    };
    let reason = body.reason.map(|r| r.trim().to_owned()).unwrap_or_default();
    if reason.is_empty() {
        return Err(Problem::invalid_field(
            "reason",
            "a reason is required: say why the commune is suspended",
        ));
    }
    if !REASON_CHARS.contains(&reason.chars().count()) {
        return Err(Problem::invalid_field(
            "reason",
            "a short reason, 3 to 500 characters",
        ));
    }
    Ok(reason)
}

/// `listCommuneStatusHistory`: who may suspend a commune reads its
/// suspensions and resumptions, newest first.
pub(super) async fn history(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let _allowed = cx
        .allow(Some(&p), Operation::SuspendCommune(&insee))
        .await?;
    require_commune(&cx.db, &insee).await?;
    let rows = cx
        .db
        .platform().run(
            "SELECT status, reason, by_account, at FROM commune_status_history WHERE insee = ? ORDER BY id DESC LIMIT 200",
            vec![(&insee).into()],
        )
        .await?;
    let changes = rows
        .iter()
        .map(|row| {
            Ok(CommuneStatusEntry {
                status: CommuneStatus::parse(row.text("status").unwrap_or_default())
                    .ok_or_else(|| Problem::internal("unknown commune status in the history"))?,
                reason: row.text("reason").map(str::to_owned),
                by: row.text("by_account").map(str::to_owned),
                at: row.string("at"),
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    Ok(json(200, &changes))
}
