//! `GET /api/me/export` (RGPD art. 15 and 20): everything QMI holds about the
//! signed-in account, as one JSON file to download. Identity writes its own part
//! and gathers the other services' over their internal routes
//! ([`qmi_api::internal::PERSONAL`], `qmi_kit::personal::fetch_part`), with the
//! decision it took here (`personal-data-export`). Other people appear by
//! their ids only: no invitee's address or name, no refresh token (hashes are
//! secrets and are not exported). A child of `component`.

use std::collections::BTreeMap;

use qmi_api::internal::PERSONAL;
use qmi_api::personal::{EXPORT_FORMAT, PersonalData, ServicePart, export_file_name};
use qmi_kit::Problem;
use qmi_kit::http::Reply;
use qmi_kit::personal::rows_json;
use qmi_kit::sql::Value;
use qmi_kit::time::{Instant, paris_offset};

use super::organisations::load_organisation;
use super::{Ctx, Operation, now};
use crate::tables::MEMBERSHIPS;
use crate::throttle;

/// Identity's own records about `account` (whose e-mail is `email`).
async fn own_part(
    cx: &Ctx<'_>,
    allowed: &qmi_kit::decision::Allowed,
    account: &str,
    email: &str,
) -> Result<ServicePart, Problem> {
    let me = || Value::from(account);
    let mut part = ServicePart::default();
    let queries: [(&str, &str, Vec<Value>); 10] = [
        (
            "account",
            "SELECT id, email, name, lang, organisation_id, created_at, email_confirmed_at FROM accounts WHERE id = ?",
            vec![me()],
        ),
        (
            "platform_roles",
            "SELECT role FROM platform_roles WHERE account_id = ? ORDER BY role",
            vec![me()],
        ),
        (
            "sessions",
            "SELECT family_id, issued_at, expires_at, rotated_at, revoked_at, user_agent FROM refresh_tokens \
             WHERE account_id = ? ORDER BY issued_at, family_id",
            vec![me()],
        ),
        (
            "invitations_sent",
            "SELECT id, kind, insee, role, organisation_id, status, created_at, expires_at, answered_at \
             FROM invitations WHERE invited_by = ? ORDER BY id",
            vec![me()],
        ),
        (
            "invitations_received",
            "SELECT id, kind, insee, role, organisation_id, email, name, invited_by, status, created_at, expires_at, answered_at \
             FROM invitations WHERE email = ? COLLATE NOCASE ORDER BY id",
            vec![email.into()],
        ),
        (
            "join_requests",
            "SELECT id, organisation_id, status, created_at, answered_at, answered_by FROM join_requests \
             WHERE account_id = ? ORDER BY id",
            vec![me()],
        ),
        (
            "join_requests_answered",
            "SELECT id, organisation_id, account_id, status, answered_at FROM join_requests \
             WHERE answered_by = ? ORDER BY id",
            vec![me()],
        ),
        (
            "commune_status_changes",
            "SELECT insee, status, reason, at FROM commune_status_history WHERE by_account = ? ORDER BY id",
            vec![me()],
        ),
        (
            "pending_links",
            "SELECT 'password_reset' AS kind, NULL AS new_email, created_at, expires_at FROM password_resets WHERE account_id = ? \
             UNION ALL SELECT 'email_change', new_email, created_at, expires_at FROM email_changes WHERE account_id = ? \
             UNION ALL SELECT 'email_confirmation', NULL, created_at, expires_at FROM email_confirmations WHERE account_id = ?",
            vec![me(), me(), me()],
        ),
        (
            "sign_in_throttle",
            "SELECT scope, failures, last_failure, blocked_until FROM sign_in_throttle \
             WHERE scope = 'account' AND key IN (?, ?)",
            vec![
                throttle::stored_key(email).into(),
                throttle::stored_key(&format!("reset:{email}")).into(),
            ],
        ),
    ];
    for (kind, sql, params) in queries {
        let rows = cx.db.platform().run(sql, params).await?;
        part.records.insert(kind.to_owned(), rows_json(&rows));
    }
    let memberships = cx
        .db
        .across(allowed)
        .select(
            MEMBERSHIPS,
            &["m.insee", "m.role", "m.created_at", "c.name AS commune"],
        )
        .alias("m")
        .join_platform("communes c", "c.insee = m.insee", [])
        .filter("m.account_id = ?", [me()])
        .order_by("m.insee")
        .rows()
        .await?;
    part.records
        .insert("memberships".into(), rows_json(&memberships));
    let organisation = match part.records["account"]
        .first()
        .and_then(|a| a["organisation_id"].as_str())
    {
        Some(id) => load_organisation(&cx.db, id).await?,
        None => None,
    };
    let organisation = serde_json::to_value(organisation).map_err(Problem::internal)?;
    part.records.insert(
        "organisation".into(),
        [organisation]
            .into_iter()
            .filter(|o| !o.is_null())
            .collect(),
    );
    part.notes.push(
        "sessions: refresh tokens are kept as hashes only, never exported; invitations sent: the invitees' addresses and names are theirs".into(),
    );
    Ok(part)
}

/// `GET /api/me/export`.
pub(super) async fn export(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let allowed = cx.allow(Some(&p), Operation::ExportOwnData).await?;
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT email, organisation_id FROM accounts WHERE id = ?",
            vec![p.sub.as_str().into()],
        )
        .await?;
    let account = rows
        .first()
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let (email, organisation) = (
        account.string("email"),
        account.text("organisation_id").map(str::to_owned),
    );
    let mut services = BTreeMap::new();
    let mut own = own_part(cx, &allowed, &p.sub, &email).await?;
    let entries = cx.db.audit_by_account(&p.sub).await?;
    own.records.insert("audit".to_owned(), to_values(&entries)?);
    services.insert("identity".to_owned(), own);
    // The other services' parts: all of them, or no file (an export that
    // silently misses a service would mislead).
    cx.db.finish().await;
    for (service, target) in PERSONAL {
        let mut part =
            qmi_kit::personal::fetch_part(&target, &p.sub, organisation.as_deref(), &email).await?;
        // The audit entries naming the person (ids only), in the services that keep a trail.
        if qmi_api::internal::AUDITED.contains(&target) {
            let query =
                qmi_kit::page::Query::encode([("account", p.sub.as_str()), ("everywhere", "1")]);
            let path = format!(
                "{}{}?{query}",
                target.prefix,
                qmi_api::internal::AUDIT_SUFFIX
            );
            let entries: Vec<qmi_api::accountability::AuditEntry> =
                qmi_kit::internal::get_json(&target, &path, target.prefix).await?;
            part.records
                .insert("audit".to_owned(), to_values(&entries)?);
        }
        services.insert(service.to_owned(), part);
    }
    let t = Instant(now());
    let data = PersonalData {
        format: EXPORT_FORMAT.to_owned(),
        generated_at: t.to_string(),
        account_id: p.sub.clone(),
        services,
    };
    let day = Instant(t.0 + paris_offset(t)).to_string();
    let file = export_file_name(day.get(..10).unwrap_or("export"));
    let body = serde_json::to_vec_pretty(&data).map_err(Problem::internal)?;
    Ok(qmi_kit::http::bytes(
        200,
        &[
            ("content-type", "application/json".to_owned()),
            (
                "content-disposition",
                format!("attachment; filename=\"{file}\""),
            ),
            ("cache-control", "no-store".to_owned()),
        ],
        body,
    ))
}

/// Audit entries as the export's records.
fn to_values(
    entries: &[qmi_api::accountability::AuditEntry],
) -> Result<Vec<serde_json::Value>, Problem> {
    entries
        .iter()
        .map(|e| serde_json::to_value(e).map_err(Problem::internal))
        .collect()
}
