//! Signing in: access and refresh tokens, their renewal and logout, and the
//! throttling of failed attempts. A child of `component`.

use super::*;

pub(super) fn client_key(req: &Incoming) -> String {
    let addr = req.header("spin-client-addr").unwrap_or("unknown");
    // `ip:port` or `[v6]:port`: the address without the port.
    match addr.rsplit_once(':') {
        Some((ip, port))
            if port.chars().all(|c| c.is_ascii_digit())
                && (!ip.contains(':') || ip.starts_with('[')) =>
        {
            ip.trim_start_matches('[').trim_end_matches(']').to_owned()
        }
        _ => addr.to_owned(),
    }
}

pub(super) async fn throttle_state(
    db: &Db,
    scope: &str,
    key: &str,
) -> Result<throttle::State, Problem> {
    let rows = db
        .platform().run("SELECT failures, last_failure, blocked_until FROM sign_in_throttle WHERE scope = ? AND key = ?", vec![scope.into(), throttle::stored_key(key).into()])
        .await?;
    Ok(rows
        .first()
        .map(|r| throttle::State {
            failures: r.int("failures").unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
            last_failure: r.int("last_failure").unwrap_or(0),
            blocked_until: r.int("blocked_until").unwrap_or(0),
        })
        .unwrap_or_default())
}

pub(super) async fn save_throttle(
    db: &Db,
    scope: &str,
    key: &str,
    s: throttle::State,
) -> Result<(), Problem> {
    db.platform().run(
        "INSERT INTO sign_in_throttle (scope, key, failures, last_failure, blocked_until) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, blocked_until = excluded.blocked_until",
        vec![scope.into(), throttle::stored_key(key).into(), i64::from(s.failures).into(), s.last_failure.into(), s.blocked_until.into()],
    )
    .await?;
    Ok(())
}

async fn issuer() -> Result<Issuer, Problem> {
    let var = |name: &'static str| async move {
        spin_sdk::variables::get(name).await.unwrap_or_default()
    };
    let pem = var("jwt_private_key").await;
    if pem.trim().is_empty() {
        return Err(Problem::unavailable(
            "no signing key: set SPIN_VARIABLE_JWT_PRIVATE_KEY (qmi keys prints a pair)",
        ));
    }
    let issuer = Some(var("jwt_issuer").await)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "qmi".into());
    let audience = Some(var("jwt_audience").await)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "qmi-api".into());
    Issuer::new(issuer, audience, &pem).map_err(Problem::internal)
}

pub(super) async fn subject(db: &Db, account_id: &str) -> Result<Option<Subject>, Problem> {
    // The rights version is read with the account, before the memberships: a change
    // committed in between leaves this token older than the change, never newer.
    let rows = db
        .platform()
        .run(
            "SELECT id, name, lang, organisation_id, rights_version FROM accounts WHERE id = ?",
            vec![account_id.into()],
        )
        .await?;
    let Some(a) = rows.first() else {
        return Ok(None);
    };
    let ops = db
        .platform()
        .run(
            "SELECT role FROM platform_roles WHERE account_id = ? ORDER BY role",
            vec![account_id.into()],
        )
        .await?;
    // A suspended commune's memberships give no right until it is resumed: tokens
    // carry none (GET /api/me lists them apart).
    // The rights a token is minted with: read before any decision can be taken.
    let mem = db
        .facts()
        .select(MEMBERSHIPS, &["m.insee", "m.role"])
        .alias("m")
        .join_platform("communes c", "c.insee = m.insee", [])
        .filter("m.account_id = ?", [account_id.into()])
        .filter("c.status <> 'suspended'", [])
        .rows()
        .await?;
    Ok(Some(Subject {
        id: a.string("id"),
        name: a.string("name"),
        lang: a.string("lang"),
        ops: ops
            .iter()
            .filter_map(|r| PlatformRole::parse(r.text("role")?))
            .collect(),
        org: a.text("organisation_id").map(str::to_owned),
        mem: mem
            .iter()
            .filter_map(|r| {
                Some((
                    r.text("insee")?.parse().ok()?,
                    MembershipRole::parse(r.text("role")?)?,
                ))
            })
            .collect::<BTreeMap<_, _>>(),
        rights_version: a
            .int("rights_version")
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0),
    }))
}

/// Signs an access token and stores a new refresh token of `family`.
pub(super) async fn issue(
    db: &Db,
    subject: &Subject,
    family: &str,
) -> Result<TokenResponse, Problem> {
    let issuer = issuer().await?;
    let now = now();
    let claims = issuer.claims(subject, now, uuid::Uuid::new_v4().to_string());
    let access_token = issuer.sign(&claims).map_err(Problem::internal)?;
    let refresh_token = secrets::new_refresh_token().map_err(Problem::internal)?;
    db.platform().run(
        "INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        vec![secrets::token_hash(&refresh_token).into(), family.into(), subject.id.as_str().into(), now.into(), (now + REFRESH_TTL_SECONDS).into()],
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: crate::tokens::ACCESS_TTL_SECONDS as u64,
        session_id: Some(family.to_owned()),
    })
}

pub(super) async fn create_token(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: TokenRequest = cx.req.json()?;
    let email = body.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(Problem::invalid_field("email", "required"));
    }
    let client = client_key(cx.req);
    let now = now();
    let account_state = throttle_state(&cx.db, "account", &email).await?;
    let client_state = throttle_state(&cx.db, "client", &client).await?;
    let wait = [
        throttle::ACCOUNT.check(&account_state, now),
        throttle::CLIENT.check(&client_state, now),
    ]
    .into_iter()
    .filter_map(Result::err)
    .max();
    if let Some(wait) = wait {
        return Err(Problem::too_many_requests(
            wait,
            "too many failed sign-ins; try again later",
        ));
    }
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT id, password_hash FROM accounts WHERE email = ? COLLATE NOCASE",
            vec![email.as_str().into()],
        )
        .await?;
    let account = rows
        .first()
        .map(|r| (r.string("id"), r.text("password_hash").map(str::to_owned)));
    let verified = match &account {
        Some((id, Some(hash))) => {
            secrets::verify_password(&body.password, hash).then(|| id.clone())
        }
        // Unknown e-mail or invited account: spend the same time.
        _ => {
            let _ = secrets::verify_password(&body.password, secrets::DUMMY_HASH);
            None
        }
    };
    let Some(account_id) = verified else {
        cx.db
            .atomic(async |db| {
                save_throttle(
                    db,
                    "account",
                    &email,
                    throttle::ACCOUNT.fail(&account_state, now),
                )
                .await?;
                save_throttle(
                    db,
                    "client",
                    &client,
                    throttle::CLIENT.fail(&client_state, now),
                )
                .await?;
                // The account, when the e-mail names one (never the e-mail itself).
                let known = account.as_ref().map(|(id, _)| id.as_str()).unwrap_or("");
                db.audit_platform("sign-in-failed", "accounts", known)
                    .await?;
                Ok::<_, Problem>(())
            })
            .await?;
        return Err(
            Problem::new(401, "invalid-credentials", "Invalid credentials")
                .detail("unknown e-mail or wrong password"),
        );
    };
    let tokens = cx
        .db
        .atomic(async |db| {
            db.platform()
                .run(
                    "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key = ?",
                    vec![throttle::stored_key(&email).into()],
                )
                .await?;
            let subject = subject(db, &account_id)
                .await?
                .ok_or_else(|| Problem::internal("account vanished during sign-in"))?;
            let family = uuid::Uuid::new_v4().to_string();
            let tokens = issue(db, &subject, &family).await?;
            account::record_user_agent(db, &family, cx.req.header("user-agent")).await?;
            db.act_as(&account_id);
            db.audit_platform("sign-in", "accounts", &account_id)
                .await?;
            Ok::<_, Problem>(tokens)
        })
        .await?;
    // Messages waiting in the outbox (the demo seed's directory, say) go out now.
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(json(200, &tokens))
}

fn invalid_refresh(detail: &str) -> Problem {
    Problem::new(401, "invalid-refresh-token", "Invalid refresh token").detail(detail.to_owned())
}

pub(super) async fn refresh_token(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: RefreshRequest = cx.req.json()?;
    let hash = secrets::token_hash(body.refresh_token.trim());
    let now = now();
    let rows = cx
        .db
        .platform().run("SELECT family_id, account_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = ?", vec![hash.as_str().into()])
        .await?;
    let Some(row) = rows.first() else {
        return Err(invalid_refresh("unknown refresh token"));
    };
    let family = row.string("family_id");
    let account_id = row.string("account_id");
    if row.int("revoked_at").is_some() {
        return Err(invalid_refresh("this session was revoked"));
    }
    if row.int("rotated_at").is_some() {
        revoke_family(&cx.db, &family, now).await?;
        return Err(invalid_refresh(
            "refresh token reuse detected: the session was revoked",
        ));
    }
    if row.int("expires_at").unwrap_or(0) <= now {
        return Err(invalid_refresh("the refresh token expired"));
    }
    // The rotation and its successor commit together: a failure in between leaves
    // the old token usable rather than the session lost.
    let rotated = cx
        .db
        .atomic(async |db| {
            db.platform().run(
                "UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL AND revoked_at IS NULL",
                vec![now.into(), hash.as_str().into()],
            )
            .await?;
            if db.changes().await != 1 {
                return Ok(None);
            }
            // The current rights version and memberships.
            let subject = subject(db, &account_id).await?.ok_or_else(|| invalid_refresh("the account no longer exists"))?;
            issue(db, &subject, &family).await.map(Some)
        })
        .await?;
    match rotated {
        Some(tokens) => Ok(json(200, &tokens)),
        None => {
            // Another request rotated it first: that is reuse too.
            revoke_family(&cx.db, &family, now).await?;
            Err(invalid_refresh(
                "refresh token reuse detected: the session was revoked",
            ))
        }
    }
}

async fn revoke_family(db: &Db, family: &str, now: i64) -> Result<(), Problem> {
    db.platform()
        .run(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            vec![now.into(), family.into()],
        )
        .await?;
    Ok(())
}

pub(super) async fn logout(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: RefreshRequest = cx.req.json()?;
    let hash = secrets::token_hash(body.refresh_token.trim());
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = ?",
            vec![hash.into()],
        )
        .await?;
    // As RFC 7009: an unknown token is not an error.
    if let Some(row) = rows.first() {
        revoke_family(&cx.db, &row.string("family_id"), now()).await?;
    }
    Ok(no_content())
}
