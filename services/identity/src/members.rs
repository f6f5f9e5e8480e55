//! A commune's memberships: listing and removing members (adding one is an
//! invitation, in `invitations`). A child of `component`.

use super::*;

pub(super) async fn list_members(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let allowed = cx.allow(Some(&p), Operation::ListMembers(&insee)).await?;
    require_commune(&cx.db, &insee).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let mut select = cx
        .db
        .tenant(&allowed)?
        .select(MEMBERSHIPS, &["account_id", "role"])
        .order_by("account_id")
        .limit(page.fetch());
    if let Some(after) = &page.after {
        select = select.filter("account_id > ?", [after.key().into()]);
    }
    let rows = select.rows().await?;
    let ids: Vec<String> = rows.iter().map(|r| r.string("account_id")).collect();
    let accounts = accounts_by_id(&cx.db, &ids).await?;
    let members = rows
        .iter()
        .filter_map(|r| {
            let id = r.string("account_id");
            let a = accounts
                .iter()
                .find(|a| a.text("id") == Some(id.as_str()))?;
            Some(Member {
                name: a.string("name"),
                email: a.string("email"),
                role: MembershipRole::parse(r.text("role")?)?,
                organisation: a.text("organisation_id").map(str::to_owned),
                account_id: id,
            })
        })
        .collect();
    Ok(json(
        200,
        &page.page(members, |m: &Member| m.account_id.clone()),
    ))
}

pub(super) async fn remove_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let allowed = cx.allow(Some(&p), Operation::ManageMembers(&insee)).await?;
    let account = cx.param("account").to_owned();
    // The removal and the raised rights version commit together; never the last
    // admin (checked in the same statement, so two removals cannot both pass).
    cx.db
        .atomic(async |db| {
            let members = db.tenant(&allowed)?;
            members
                .delete(MEMBERSHIPS)
                .filter("account_id = ?", [account.as_str().into()])
                .filter("(role <> 'admin' OR (SELECT COUNT(*) FROM memberships m WHERE m.insee = memberships.insee AND m.role = 'admin') > 1)", [])
                .run()
                .await?;
            if db.changes().await == 0 {
                let still = members.select(MEMBERSHIPS, &["role"]).filter("account_id = ?", [account.as_str().into()]).rows().await?;
                return Err(if still.is_empty() { Problem::not_found(format!("{account} is not a member of {insee}")) } else { last_admin(&insee) });
            }
            let place = require_commune(db, &insee).await?.name;
            events::membership_changed(db, &account, &place, Some((&insee, None)), false).await?;
            lower_rights(db, &account).await
        })
        .await?;
    publish_rights(&cx.db, &account).await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(no_content())
}

/// Why a commune's last admin stays one.
pub(super) fn last_admin(insee: &Insee) -> Problem {
    Problem::conflict(format!(
        "the last admin of {insee} can be neither removed nor given another role: make another member admin first"
    ))
}
