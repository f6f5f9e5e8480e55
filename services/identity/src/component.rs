//! The Spin component: dispatches the catalogued identity routes
//! (`qmi_api::routes::ROUTES`, service `identity`) to their handlers.

use std::collections::{BTreeMap, BTreeSet};

use qmi_api::identity::*;
use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use qmi_kit::http::{Incoming, Reply, json, no_content};
use qmi_kit::sql::{TenantTable, Value, tenant};
use qmi_kit::store::Db;
use qmi_kit::{Page, PageRequest, Problem, Rows};
use spin_sdk::http::Request;

use crate::authz::Operation;
use crate::policy::Asker;
use crate::secrets;
use crate::throttle;
use crate::tokens::{Issuer, REFRESH_TTL_SECONDS, Subject};

// The account page and passwords (issue 12), in their own files; children of this
// module, they use its handlers' helpers (tokens, throttle, rights).
#[path = "account.rs"]
mod account;
#[path = "passwords.rs"]
mod passwords;

// Invitations, partner sign-up and requests to join an organisation (issue 12), in
// their own files; children of this module, they use its handlers' helpers.
#[path = "events.rs"]
mod events;
#[path = "invitations.rs"]
mod invitations;
#[path = "invited.rs"]
mod invited;
#[path = "join.rs"]
mod join;
#[path = "signup.rs"]
mod signup;
// Suspending a commune with its reason, and its status history (issue 13).
#[path = "suspension.rs"]
mod suspension;

/// Memberships: tenant-scoped (`insee` first in the key).
const MEMBERSHIPS: TenantTable = TenantTable::new("memberships");

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

fn now() -> i64 {
    qmi_kit::time::now().0
}

/// Request context: the parsed request, its route parameters, the database.
struct Ctx<'a> {
    req: &'a Incoming,
    params: Vec<(&'static str, String)>,
    db: Db,
}

impl Ctx<'_> {
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The `{insee}` parameter; 404 when it is not an INSEE code.
    fn insee(&self) -> Result<Insee, Problem> {
        self.param("insee")
            .parse()
            .map_err(|e: qmi_api::InseeError| Problem::not_found(e.to_string()))
    }

    fn principal(&self) -> Result<Principal, Problem> {
        self.req.require_principal()
    }

    /// Asks the `policy` component whether `p` (`None`: anonymous) may perform `op`;
    /// a refusal becomes its problem+json (status and type from the refusal code).
    /// A question about a commune states whether it is suspended, as the
    /// registry says (a commune not in the registry is not suspended; the
    /// handler answers 404 for it once the policy has spoken).
    async fn allow(&self, p: Option<&Principal>, op: Operation<'_>) -> Result<(), Problem> {
        let suspended = match op.tenant() {
            Some(insee) => load_commune(&self.db, insee)
                .await?
                .is_some_and(|c| c.status == CommuneStatus::Suspended),
            None => false,
        };
        Asker::new(p)
            .ask(op.question_in(suspended))
            .map_err(|r| r.problem())
    }
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    let (doc, params) = qmi_kit::http::dispatch("identity", req)?;
    if doc.id == "openapi" {
        return Ok(json(200, &qmi_api::routes::openapi()));
    }
    let db = Db::open(crate::DATABASE).await?;
    let cx = Ctx { req, params, db };
    match doc.id {
        "createToken" => create_token(&cx).await,
        "refreshToken" => refresh_token(&cx).await,
        "logout" => logout(&cx).await,
        "requestPasswordReset" => passwords::request_reset(&cx).await,
        "confirmPasswordReset" => passwords::confirm_reset(&cx).await,
        "getMe" => get_me(&cx).await,
        "updateMe" => account::update_me(&cx).await,
        "changePassword" => passwords::change_password(&cx).await,
        "changeEmail" => account::change_email(&cx).await,
        "listSessions" => account::list_sessions(&cx).await,
        "revokeSession" => account::revoke_session(&cx).await,
        "listMyInvitations" => invited::list_my_invitations(&cx).await,
        "acceptInvitation" => invited::answer_invitation(&cx, true).await,
        "declineInvitation" => invited::answer_invitation(&cx, false).await,
        "getInvitationLink" => invited::preview(&cx).await,
        "acceptInvitationLink" => invited::accept(&cx).await,
        "signUp" => signup::sign_up(&cx).await,
        "confirmEmail" => signup::confirm_email(&cx).await,
        "listCommunes" => list_communes(&cx).await,
        "getCommune" => get_commune(&cx).await,
        "getFigures" => get_figures(&cx).await,
        "listMembers" => list_members(&cx).await,
        "addMember" => invitations::add_member(&cx).await,
        "listCommuneInvitations" => invitations::list(&cx, invitations::Kind::Commune).await,
        "resendCommuneInvitation" => invitations::resend(&cx, invitations::Kind::Commune).await,
        "revokeCommuneInvitation" => invitations::revoke(&cx, invitations::Kind::Commune).await,
        "inviteToProgramme" => invitations::invite_to_programme(&cx).await,
        "listProgrammeInvitations" => invitations::list(&cx, invitations::Kind::Programme).await,
        "resendProgrammeInvitation" => invitations::resend(&cx, invitations::Kind::Programme).await,
        "revokeProgrammeInvitation" => invitations::revoke(&cx, invitations::Kind::Programme).await,
        "removeMember" => remove_member(&cx).await,
        "createCommune" => create_commune(&cx).await,
        "suspendCommune" => suspension::set_suspended(&cx, true).await,
        "resumeCommune" => suspension::set_suspended(&cx, false).await,
        "listCommuneStatusHistory" => suspension::history(&cx).await,
        "setCommuneStatus" => set_status(&cx).await,
        "listOrganisations" => join::list_organisations(&cx).await,
        "createOrganisation" => create_organisation(&cx).await,
        "getOrganisation" => get_organisation(&cx).await,
        "updateOrganisation" => update_organisation(&cx).await,
        "listOrganisationMembers" => list_organisation_members(&cx).await,
        "addOrganisationMember" => invitations::add_organisation_member(&cx).await,
        "removeOrganisationMember" => remove_organisation_member(&cx).await,
        "listOrganisationInvitations" => {
            invitations::list(&cx, invitations::Kind::Organisation).await
        }
        "resendOrganisationInvitation" => {
            invitations::resend(&cx, invitations::Kind::Organisation).await
        }
        "revokeOrganisationInvitation" => {
            invitations::revoke(&cx, invitations::Kind::Organisation).await
        }
        "createJoinRequest" => join::create(&cx).await,
        "listJoinRequests" => join::list(&cx).await,
        "approveJoinRequest" => join::answer(&cx, true).await,
        "refuseJoinRequest" => join::answer(&cx, false).await,
        other => Err(Problem::internal(format!("route {other} has no handler"))),
    }
}

// ---------------------------------------------------------------- registry

const COMMUNE_COLUMNS: &str =
    "insee, name, departement, ept_code, ept_name, metropolis_code, population, status";

fn commune_of(row: qmi_kit::sql::Row<'_>) -> Result<Commune, Problem> {
    Ok(Commune {
        insee: row.string("insee").parse().map_err(Problem::internal)?,
        name: row.string("name"),
        departement: row.string("departement"),
        ept_code: row.text("ept_code").map(str::to_owned),
        ept_name: row.text("ept_name").map(str::to_owned),
        metropolis_code: row.text("metropolis_code").map(str::to_owned),
        population: row.int("population").and_then(|p| u64::try_from(p).ok()),
        status: CommuneStatus::parse(row.text("status").unwrap_or_default())
            .ok_or_else(|| Problem::internal("unknown commune status in the database"))?,
    })
}

async fn load_commune(db: &Db, insee: &Insee) -> Result<Option<Commune>, Problem> {
    let rows = db
        .global(
            &format!("SELECT {COMMUNE_COLUMNS} FROM communes WHERE insee = ?"),
            vec![insee.into()],
        )
        .await?;
    rows.first().map(commune_of).transpose()
}

async fn require_commune(db: &Db, insee: &Insee) -> Result<Commune, Problem> {
    load_commune(db, insee)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no commune {insee} in the registry")))
}

/// Writes `tenant-status/<insee>` for the gateway, once the change committed,
/// and returns the commune as the registry has it. The registry is read again
/// after writing: when two changes of one commune are published out of order,
/// the last writer still leaves the registry's latest status in the store.
async fn publish_status(db: &Db, insee: &Insee) -> Result<Commune, Problem> {
    let store = spin_sdk::key_value::Store::open_default()
        .await
        .map_err(|e| Problem::unavailable(format!("opening the key-value store: {e:?}")))?;
    let mut commune = require_commune(db, insee).await?;
    for _ in 0..4 {
        store
            .set(
                crate::tenant_status_key(insee),
                commune.status.as_str().as_bytes(),
            )
            .await
            .map_err(|e| {
                Problem::unavailable(format!("writing the tenant status of {insee}: {e:?}"))
            })?;
        let now = require_commune(db, insee).await?;
        if now.status == commune.status {
            return Ok(now);
        }
        commune = now;
    }
    Ok(commune)
}

/// Repairs a missing `tenant-status/<insee>` entry (e.g. a database prepared
/// without the host's sync); never overwrites one.
async fn ensure_status_published(commune: &Commune) {
    if let Ok(store) = spin_sdk::key_value::Store::open_default().await {
        let key = crate::tenant_status_key(&commune.insee);
        if matches!(store.exists(&key).await, Ok(false)) {
            let _ = store.set(&key, commune.status.as_str().as_bytes()).await;
        }
    }
}

/// Raises an account's rights version, inside the transaction of the change that
/// takes a right away from it; [`publish_rights`] tells the gateway once it commits.
async fn lower_rights(db: &Db, account: &str) -> Result<(), Problem> {
    db.global(
        "UPDATE accounts SET rights_version = rights_version + 1 WHERE id = ?",
        vec![account.into()],
    )
    .await?;
    Ok(())
}

/// An account's rights version in the database (0 for an unknown account).
async fn rights_version(db: &Db, account: &str) -> Result<u64, Problem> {
    let rows = db
        .global(
            "SELECT rights_version FROM accounts WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    Ok(rows
        .first()
        .and_then(|r| r.int("rights_version"))
        .and_then(|v| u64::try_from(v).ok())
        .unwrap_or(0))
}

/// Publishes an account's rights version as `rights/<account>` in the shared
/// store, after the change that raised it committed: from the next request on,
/// the gateway refuses every token issued before. The store never goes back:
/// a value is written only over a lower one, and the database is read again
/// after writing, so two changes published out of order still leave the latest.
async fn publish_rights(db: &Db, account: &str) -> Result<(), Problem> {
    let unavailable = |e: spin_sdk::key_value::Error| {
        Problem::unavailable(format!("the shared key-value store: {e:?}"))
    };
    let store = spin_sdk::key_value::Store::open_default()
        .await
        .map_err(unavailable)?;
    let key = crate::rights_key(account);
    let mut version = rights_version(db, account).await?;
    for _ in 0..4 {
        let stored = store.get(&key).await.map_err(unavailable)?;
        let stored = stored.and_then(|v| {
            std::str::from_utf8(&v)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        });
        if stored.is_none_or(|s| s < version) {
            store
                .set(&key, version.to_string().as_bytes())
                .await
                .map_err(unavailable)?;
        }
        let now = rights_version(db, account).await?;
        if now == version {
            return Ok(());
        }
        version = now;
    }
    Ok(())
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// The most INSEE codes one registry request may name (`?insee=`).
const MAX_CODES: usize = 500;

async fn list_communes(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.allow(cx.req.principal()?.as_ref(), Operation::ReadRegistry)
        .await?;
    let query = &cx.req.query;
    let page = PageRequest::from_query(query)?;
    let mut sql = format!("SELECT {COMMUNE_COLUMNS} FROM communes WHERE 1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(status) = query.non_empty("status") {
        let status = CommuneStatus::parse(status).ok_or_else(|| {
            Problem::bad_request("unknown status")
                .field("status", "one of member, candidate, district, suspended")
        })?;
        sql.push_str(" AND status = ?");
        params.push(status.as_str().into());
    }
    if let Some(dep) = query.non_empty("departement") {
        let dep = dep.trim().to_ascii_uppercase();
        if !(2..=3).contains(&dep.len()) || !dep.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Problem::bad_request("invalid departement")
                .field("departement", "a département code such as 75, 2A or 974"));
        }
        sql.push_str(" AND departement = ?");
        params.push(dep.into());
    }
    if let Some(territory) = query.non_empty("territory") {
        let territory = territory.trim();
        if !(1..=20).contains(&territory.len())
            || !territory.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Problem::bad_request("invalid territory")
                .field("territory", "a territory (EPT) SIREN such as 200057867"));
        }
        sql.push_str(" AND ept_code = ?");
        params.push(territory.to_owned().into());
    }
    if let Some(list) = query.non_empty("insee") {
        // Named communes only (a page naming the communes it shows): at most a
        // page's worth, each a valid code.
        let codes = list
            .split(',')
            .map(|code| code.trim().parse::<Insee>())
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|_| {
                Problem::bad_request("invalid insee")
                    .field("insee", "INSEE codes separated by commas, e.g. 93048,93066")
            })?;
        if codes.len() > MAX_CODES {
            return Err(Problem::bad_request("too many codes")
                .field("insee", format!("at most {MAX_CODES} codes")));
        }
        sql.push_str(&format!(
            " AND insee IN ({})",
            vec!["?"; codes.len()].join(", ")
        ));
        params.extend(codes.into_iter().map(|c| c.to_string().into()));
    }
    if let Some(q) = query.non_empty("q") {
        if q.chars().count() > 100 {
            return Err(Problem::bad_request("q is too long").field("q", "at most 100 characters"));
        }
        // A name, or the start of an INSEE code ("93066", "930", "2A004").
        let code = q.trim().to_ascii_uppercase();
        let q = qmi_kit::text::normalise(q);
        if !q.is_empty() {
            sql.push_str(" AND (name_norm LIKE ? ESCAPE '\\' OR insee LIKE ? ESCAPE '\\')");
            params.push(format!("%{}%", like_escape(&q)).into());
            params.push(format!("{}%", like_escape(&code)).into());
        }
    }
    if let Some(after) = &page.after {
        sql.push_str(" AND insee > ?");
        params.push(after.key().into());
    }
    sql.push_str(&format!(" ORDER BY insee LIMIT {}", page.fetch()));
    let rows = cx.db.global(&sql, params).await?;
    let items = rows.iter().map(commune_of).collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.insee.to_string())))
}

async fn get_figures(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.allow(cx.req.principal()?.as_ref(), Operation::ReadRegistry)
        .await?;
    // Three grouped scans of one table: a few milliseconds at 10,000 communes.
    let tally = |sql: &'static str| async move {
        let rows = cx.db.global(sql, Vec::new()).await?;
        Ok::<_, Problem>(
            rows.iter()
                .map(|row| Tally {
                    code: row.string("code"),
                    name: row.text("name").map(str::to_owned),
                    communes: row
                        .int("communes")
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    population: row
                        .int("population")
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                })
                .collect::<Vec<_>>(),
        )
    };
    let by_status = tally(
        "SELECT status AS code, NULL AS name, COUNT(*) AS communes, COALESCE(SUM(population), 0) AS population \
         FROM communes GROUP BY status ORDER BY status",
    )
    .await?;
    let by_departement = tally(
        "SELECT departement AS code, NULL AS name, COUNT(*) AS communes, COALESCE(SUM(population), 0) AS population \
         FROM communes GROUP BY departement ORDER BY departement",
    )
    .await?;
    let by_territory = tally(
        "SELECT ept_code AS code, MIN(ept_name) AS name, COUNT(*) AS communes, COALESCE(SUM(population), 0) AS population \
         FROM communes WHERE ept_code IS NOT NULL GROUP BY ept_code ORDER BY communes DESC, name",
    )
    .await?;
    let figures = Figures {
        communes: by_status.iter().map(|t| t.communes).sum(),
        population: by_status.iter().map(|t| t.population).sum(),
        by_status,
        by_departement,
        by_territory,
    };
    Ok(json(200, &figures))
}

async fn get_commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    cx.allow(cx.req.principal()?.as_ref(), Operation::ReadRegistry)
        .await?;
    let insee = cx.insee()?;
    let commune = require_commune(&cx.db, &insee).await?;
    ensure_status_published(&commune).await;
    Ok(json(200, &commune))
}

async fn create_commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    cx.allow(Some(&p), Operation::CreateCommune).await?;
    let new: NewCommune = cx.req.json()?;
    let name = new.name.trim();
    if let Some(message) = crate::name_problem(name) {
        return Err(Problem::invalid_field("name", message));
    }
    let status = new.status.unwrap_or(CommuneStatus::Member);
    if status == CommuneStatus::Suspended {
        return Err(Problem::invalid_field(
            "status",
            "a new commune cannot start suspended",
        ));
    }
    let result = cx
        .db
        .global(
            "INSERT INTO communes (insee, name, name_norm, departement, ept_code, ept_name, metropolis_code, population, status) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                (&new.insee).into(),
                name.into(),
                qmi_kit::text::normalise(name).into(),
                new.insee.departement().into(),
                new.ept_code.clone().into(),
                new.ept_name.clone().into(),
                new.metropolis_code.clone().into(),
                new.population.map(|n| n.min(i64::MAX as u64) as i64).into(),
                status.as_str().into(),
            ],
        )
        .await;
    match result {
        Err(e) if e.is_unique_violation() => {
            return Err(Problem::conflict(format!(
                "commune {} is already in the registry",
                new.insee
            ))
            .field("insee", "already registered"));
        }
        other => other?,
    };
    Ok(json(201, &publish_status(&cx.db, &new.insee).await?))
}

/// `PUT /api/admin/communes/{insee}/status`: the call for communes (service
/// `applications`, through Spin service chaining) makes a commune a candidate or a
/// district. A suspended commune stays suspended (409): resume it first.
async fn set_status(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    cx.allow(Some(&p), Operation::SetCommuneStatus(&insee))
        .await?;
    let change: qmi_api::applications::CommuneStatusChange = cx.req.json()?;
    if change.status == CommuneStatus::Suspended {
        return Err(Problem::invalid_field(
            "status",
            "use the suspend route to suspend a commune",
        ));
    }
    let commune = require_commune(&cx.db, &insee).await?;
    if commune.status == CommuneStatus::Suspended {
        return Err(Problem::conflict(format!(
            "commune {insee} is suspended; resume it first"
        )));
    }
    let sql = "UPDATE communes SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE insee = ? AND status <> 'suspended'";
    cx.db
        .global(sql, vec![change.status.as_str().into(), (&insee).into()])
        .await?;
    Ok(json(200, &publish_status(&cx.db, &insee).await?))
}

// ---------------------------------------------------------------- tokens

fn client_key(req: &Incoming) -> String {
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

async fn throttle_state(db: &Db, scope: &str, key: &str) -> Result<throttle::State, Problem> {
    let rows = db
        .global("SELECT failures, last_failure, blocked_until FROM sign_in_throttle WHERE scope = ? AND key = ?", vec![scope.into(), key.into()])
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

async fn save_throttle(db: &Db, scope: &str, key: &str, s: throttle::State) -> Result<(), Problem> {
    db.global(
        "INSERT INTO sign_in_throttle (scope, key, failures, last_failure, blocked_until) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, blocked_until = excluded.blocked_until",
        vec![scope.into(), key.into(), i64::from(s.failures).into(), s.last_failure.into(), s.blocked_until.into()],
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

async fn subject(db: &Db, account_id: &str) -> Result<Option<Subject>, Problem> {
    // The rights version is read with the account, before the memberships: a change
    // committed in between leaves this token older than the change, never newer.
    let rows = db
        .global(
            "SELECT id, name, lang, organisation_id, rights_version FROM accounts WHERE id = ?",
            vec![account_id.into()],
        )
        .await?;
    let Some(a) = rows.first() else {
        return Ok(None);
    };
    let ops = db
        .global(
            "SELECT role FROM platform_roles WHERE account_id = ? ORDER BY role",
            vec![account_id.into()],
        )
        .await?;
    // A suspended commune's memberships give no right until it is resumed: tokens
    // carry none (GET /api/me lists them apart).
    let mem = db
        .global(
            "SELECT m.insee, m.role FROM memberships m JOIN communes c ON c.insee = m.insee WHERE m.account_id = ? AND c.status <> 'suspended'",
            vec![account_id.into()],
        )
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
async fn issue(db: &Db, subject: &Subject, family: &str) -> Result<TokenResponse, Problem> {
    let issuer = issuer().await?;
    let now = now();
    let claims = issuer.claims(subject, now, uuid::Uuid::new_v4().to_string());
    let access_token = issuer.sign(&claims).map_err(Problem::internal)?;
    let refresh_token = secrets::new_refresh_token().map_err(Problem::internal)?;
    db.global(
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

async fn create_token(cx: &Ctx<'_>) -> Result<Reply, Problem> {
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
        .global(
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
                .await
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
            db.global(
                "DELETE FROM sign_in_throttle WHERE scope = 'account' AND key = ?",
                vec![email.as_str().into()],
            )
            .await?;
            let subject = subject(db, &account_id)
                .await?
                .ok_or_else(|| Problem::internal("account vanished during sign-in"))?;
            let family = uuid::Uuid::new_v4().to_string();
            let tokens = issue(db, &subject, &family).await?;
            account::record_user_agent(db, &family, cx.req.header("user-agent")).await?;
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

async fn refresh_token(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: RefreshRequest = cx.req.json()?;
    let hash = secrets::token_hash(body.refresh_token.trim());
    let now = now();
    let rows = cx
        .db
        .global("SELECT family_id, account_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = ?", vec![hash.as_str().into()])
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
            db.global(
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
    db.global(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        vec![now.into(), family.into()],
    )
    .await?;
    Ok(())
}

async fn logout(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let body: RefreshRequest = cx.req.json()?;
    let hash = secrets::token_hash(body.refresh_token.trim());
    let rows = cx
        .db
        .global(
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

// ---------------------------------------------------------------- accounts

async fn get_me(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let rows = cx
        .db
        .global(
            "SELECT id, email, name, lang, organisation_id FROM accounts WHERE id = ?",
            vec![p.sub.as_str().into()],
        )
        .await?;
    let a = rows
        .first()
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let organisation = match a.text("organisation_id") {
        Some(id) => load_organisation(&cx.db, id).await?,
        None => None,
    };
    let subject = subject(&cx.db, &p.sub)
        .await?
        .ok_or_else(|| Problem::unauthorized("the account no longer exists"))?;
    let rows = cx
        .db
        .global(
            "SELECT m.insee, m.role, c.name, c.status FROM memberships m JOIN communes c ON c.insee = m.insee WHERE m.account_id = ? ORDER BY m.insee",
            vec![p.sub.as_str().into()],
        )
        .await?;
    // Active memberships (exactly the token's), and apart those of suspended communes.
    let (mut memberships, mut suspended_memberships) = (Vec::new(), Vec::new());
    for r in rows.iter() {
        let (Some(insee), Some(role)) = (
            r.text("insee").and_then(|i| i.parse::<Insee>().ok()),
            r.text("role").and_then(MembershipRole::parse),
        ) else {
            continue;
        };
        let m = MyMembership {
            insee,
            name: r.string("name"),
            role,
        };
        if r.text("status") == Some(CommuneStatus::Suspended.as_str()) {
            suspended_memberships.push(m)
        } else {
            memberships.push(m)
        }
    }
    Ok(json(
        200,
        &Me {
            id: a.string("id"),
            email: a.string("email"),
            name: a.string("name"),
            lang: if a.text("lang") == Some("en") {
                Lang::En
            } else {
                Lang::Fr
            },
            platform_roles: subject.ops.clone(),
            organisation,
            memberships,
            suspended_memberships,
        },
    ))
}

struct AccountRef {
    id: String,
    name: String,
    email: String,
    organisation_id: Option<String>,
}

async fn account_by_email(db: &Db, email: &Email) -> Result<Option<AccountRef>, Problem> {
    let rows = db
        .global(
            "SELECT id, name, email, organisation_id FROM accounts WHERE email = ? COLLATE NOCASE",
            vec![email.as_str().into()],
        )
        .await?;
    Ok(rows.first().map(|r| AccountRef {
        id: r.string("id"),
        name: r.string("name"),
        email: r.string("email"),
        organisation_id: r.text("organisation_id").map(str::to_owned),
    }))
}

async fn accounts_by_id(db: &Db, ids: &[String]) -> Result<Rows, Problem> {
    if ids.is_empty() {
        return Ok(Rows::default());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    Ok(db
        .global(
            &format!("SELECT id, name, email, organisation_id FROM accounts WHERE id IN ({marks})"),
            ids.iter().map(Value::from).collect(),
        )
        .await?)
}

// ---------------------------------------------------------------- memberships

async fn list_members(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    cx.allow(Some(&p), Operation::ListMembers(&insee)).await?;
    require_commune(&cx.db, &insee).await?;
    let page = PageRequest::from_query(&cx.req.query)?;
    let mut select = tenant(&insee)
        .select(MEMBERSHIPS, &["account_id", "role"])
        .order_by("account_id")
        .limit(page.fetch());
    if let Some(after) = &page.after {
        select = select.filter("account_id > ?", [after.key().into()]);
    }
    let rows = cx.db.run(select.build()).await?;
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

async fn remove_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    cx.allow(Some(&p), Operation::ManageMembers(&insee)).await?;
    let account = cx.param("account").to_owned();
    // The removal and the raised rights version commit together; never the last
    // admin (checked in the same statement, so two removals cannot both pass).
    cx.db
        .atomic(async |db| {
            let delete = tenant(&insee)
                .delete(MEMBERSHIPS)
                .filter("account_id = ?", [account.as_str().into()])
                .filter("(role <> 'admin' OR (SELECT COUNT(*) FROM memberships m WHERE m.insee = memberships.insee AND m.role = 'admin') > 1)", []);
            db.run(delete.build()).await?;
            if db.changes().await == 0 {
                let still = db.run(tenant(&insee).select(MEMBERSHIPS, &["role"]).filter("account_id = ?", [account.as_str().into()]).build()).await?;
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
fn last_admin(insee: &Insee) -> Problem {
    Problem::conflict(format!(
        "the last admin of {insee} can be neither removed nor given another role: make another member admin first"
    ))
}

// ---------------------------------------------------------------- organisations

const ORG_COLUMNS: &str = "id, name, kind, country, siret";

fn organisation_of(r: qmi_kit::sql::Row<'_>) -> Result<Organisation, Problem> {
    Ok(Organisation {
        id: r.string("id"),
        name: r.string("name"),
        kind: OrganisationKind::parse(r.text("kind").unwrap_or_default())
            .ok_or_else(|| Problem::internal("unknown organisation kind"))?,
        country: r.string("country").parse().map_err(Problem::internal)?,
        siret: r
            .text("siret")
            .map(|s| s.parse())
            .transpose()
            .map_err(Problem::internal)?,
    })
}

async fn load_organisation(db: &Db, id: &str) -> Result<Option<Organisation>, Problem> {
    let rows = db
        .global(
            &format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = ?"),
            vec![id.into()],
        )
        .await?;
    rows.first().map(organisation_of).transpose()
}

async fn require_organisation(db: &Db, id: &str) -> Result<Organisation, Problem> {
    load_organisation(db, id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no organisation {id}")))
}

fn check_organisation(name: &str, country: &Country, siret: &Option<Siret>) -> Result<(), Problem> {
    let mut problem = Problem::validation();
    if let Some(message) = crate::name_problem(name) {
        problem = problem.field("name", message);
    }
    if country.is_france() && siret.is_none() {
        problem = problem.field("siret", "required for a French organisation");
    }
    if problem.errors.is_empty() {
        Ok(())
    } else {
        Err(problem)
    }
}

async fn create_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let unconfirmed = signup::unconfirmed(&cx.db, &p.sub).await?;
    cx.allow(Some(&p), Operation::CreateOrganisation { unconfirmed })
        .await?;
    let new: NewOrganisation = cx.req.json()?;
    check_organisation(&new.name, &new.country, &new.siret)?;
    let id = uuid::Uuid::now_v7().to_string();
    // The organisation and its first member commit together: a creator who joined
    // another organisation meanwhile leaves no organisation behind (409).
    cx.db
        .atomic(async |db| {
            let result = db
                .global(
                    "INSERT INTO organisations (id, name, kind, country, siret) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        id.as_str().into(),
                        new.name.trim().into(),
                        new.kind.as_str().into(),
                        new.country.as_str().into(),
                        new.siret.as_ref().map(|s| s.as_str().to_owned()).into(),
                    ],
                )
                .await;
            match result {
                Err(e) if e.is_unique_violation() => {
                    return Err(Problem::conflict("an organisation with this SIRET exists").field("siret", "already registered"));
                }
                other => other?,
            };
            if !p.is(PlatformRole::Programme) {
                db.global("UPDATE accounts SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL", vec![id.as_str().into(), p.sub.as_str().into()])
                    .await?;
                if db.changes().await != 1 {
                    return Err(Problem::conflict("an account belongs to at most one organisation: this one already has its own"));
                }
                events::account_changed(db, &p.sub).await?;
            }
            Ok(())
        })
        .await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(json(201, &require_organisation(&cx.db, &id).await?))
}

async fn get_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    cx.allow(Some(&p), Operation::ReadOrganisation(id)).await?;
    Ok(json(200, &require_organisation(&cx.db, id).await?))
}

async fn update_organisation(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    cx.allow(Some(&p), Operation::UpdateOrganisation(id))
        .await?;
    let current = require_organisation(&cx.db, id).await?;
    let patch: OrganisationPatch = cx.req.json()?;
    let name = patch.name.unwrap_or(current.name);
    let kind = patch.kind.unwrap_or(current.kind);
    let country = patch.country.unwrap_or(current.country);
    let siret = patch.siret.or(current.siret);
    check_organisation(&name, &country, &siret)?;
    let result = cx
        .db
        .global(
            "UPDATE organisations SET name = ?, kind = ?, country = ?, siret = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
            vec![name.trim().into(), kind.as_str().into(), country.as_str().into(), siret.map(|s| s.as_str().to_owned()).into(), id.into()],
        )
        .await;
    match result {
        Err(e) if e.is_unique_violation() => {
            return Err(Problem::conflict("an organisation with this SIRET exists")
                .field("siret", "already registered"));
        }
        other => other?,
    };
    Ok(json(200, &require_organisation(&cx.db, id).await?))
}

async fn list_organisation_members(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    cx.allow(Some(&p), Operation::ReadOrganisation(id)).await?;
    require_organisation(&cx.db, id).await?;
    let rows = cx
        .db
        .global(
            "SELECT id, name, email FROM accounts WHERE organisation_id = ? ORDER BY id",
            vec![id.into()],
        )
        .await?;
    let members: Vec<OrganisationMember> = rows
        .iter()
        .map(|r| OrganisationMember {
            account_id: r.string("id"),
            name: r.string("name"),
            email: r.string("email"),
        })
        .collect();
    Ok(json(200, &members))
}

async fn remove_organisation_member(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let id = cx.param("id");
    cx.allow(Some(&p), Operation::UpdateOrganisation(id))
        .await?;
    let account = cx.param("account");
    // Leaving and the raised rights version commit together.
    cx.db
        .atomic(async |db| {
            db.global(
                "UPDATE accounts SET organisation_id = NULL WHERE id = ? AND organisation_id = ?",
                vec![account.into(), id.into()],
            )
            .await?;
            if db.changes().await == 0 {
                return Err(Problem::not_found(format!(
                    "{account} is not a member of organisation {id}"
                )));
            }
            let place = require_organisation(db, id).await?.name;
            events::account_changed(db, account).await?;
            events::membership_changed(db, account, &place, None, false).await?;
            lower_rights(db, account).await
        })
        .await?;
    publish_rights(&cx.db, account).await?;
    qmi_kit::outbox::relay(&cx.db).await;
    Ok(no_content())
}
