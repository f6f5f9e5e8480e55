//! The Spin component: dispatches the catalogued identity routes
//! (`qmi_api::routes::ROUTES`, service `identity`) to their handlers.

use qmi_api::routes::identity::Op;
use std::collections::{BTreeMap, BTreeSet};

use qmi_api::identity::*;
use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use qmi_kit::http::{Incoming, Reply, json, no_content};
use qmi_kit::sql::Value;
use qmi_kit::store::Db;
use qmi_kit::{PageRequest, Problem, Rows};
use spin_sdk::http::Request;

use crate::authz::Operation;
use crate::secrets;
use crate::throttle;
use crate::tokens::{Issuer, REFRESH_TTL_SECONDS, Subject};
use qmi_kit::decision::Allowed;

// The account page and passwords (issue 12), in their own files; children of this
// module, they use its handlers' helpers (tokens, throttle, rights).
#[path = "account.rs"]
mod account;
#[path = "passwords.rs"]
mod passwords;
// A person's data rights (issue 18): the export and the erasure.
#[path = "erasure.rs"]
mod erasure;
#[path = "personal.rs"]
mod personal;

// Invitations, partner sign-up and requests to join an organisation (issue 12), in
// their own files; children of this module, they use its handlers' helpers.
#[path = "events.rs"]
mod events;
#[path = "invitations.rs"]
mod invitations;
#[path = "invited.rs"]
mod invited;
#[path = "inviting.rs"]
mod inviting;
#[path = "join.rs"]
mod join;
#[path = "signup.rs"]
mod signup;
// Suspending a commune with its reason, and its status history (issue 13).
#[path = "suspension.rs"]
mod suspension;
// The registry, signing in, memberships and organisations, each in its own file.
#[path = "members.rs"]
mod members;
#[path = "organisations.rs"]
mod organisations;
// Organisation cards from the partner directory (issue 16).
#[path = "cards.rs"]
mod cards;
#[path = "registry.rs"]
mod registry;
#[path = "signin.rs"]
mod signin;
// A commune's audit trail, and the hosting operator's usage and runtime figures (issue 18).
#[path = "trail.rs"]
mod trail;
#[path = "usage.rs"]
mod usage;

use members::last_admin;
use organisations::require_organisation;
use registry::{load_commune, publish_status, require_commune};
use signin::{client_key, issue, save_throttle, subject, throttle_state};

use crate::tables::{COMMUNE_INVITATIONS, MEMBERSHIPS};

#[spin_sdk::http_service]
async fn handle(req: Request) -> Reply {
    qmi_kit::http::serve(req, route).await
}

fn now() -> i64 {
    qmi_kit::time::now().0
}

/// Request context: the kit's (request, route parameters, principal, request id),
/// and the database.
struct Ctx<'a> {
    kit: qmi_kit::context::Ctx<'a>,
    db: Db,
}

impl<'a> std::ops::Deref for Ctx<'a> {
    type Target = qmi_kit::context::Ctx<'a>;

    fn deref(&self) -> &Self::Target {
        &self.kit
    }
}

impl Ctx<'_> {
    /// The principal the kit parsed once, or 401.
    fn principal(&self) -> Result<Principal, Problem> {
        self.who()
            .cloned()
            .ok_or_else(|| Problem::unauthorized("this route needs a bearer token"))
    }

    /// Asks the `policy` component whether `p` (`None`: anonymous) may perform `op`;
    /// a refusal becomes its problem+json (`qmi_kit::refusal`).
    /// A question about a commune states whether it is suspended, as the
    /// registry says (a commune not in the registry is not suspended; the
    /// handler answers 404 for it once the policy has spoken).
    async fn allow(&self, p: Option<&Principal>, op: Operation<'_>) -> Result<Allowed, Problem> {
        let suspended = match op.tenant() {
            Some(insee) => load_commune(&self.db, insee)
                .await?
                .is_some_and(|c| c.status == CommuneStatus::Suspended),
            None => false,
        };
        let q = op.question();
        let decision = qmi_kit::policy::decide(p, q.action, &q.facts, suspended);
        if decision.is_err() {
            self.kit.note_refusal(q.facts.tenant.as_ref(), q.action);
        }
        decision
    }
}

async fn route(req: &Incoming) -> Result<Reply, Problem> {
    // The internal route (`/internal/identity/…`, no gateway): audit chains and usage.
    if req.path.starts_with(qmi_api::internal::IDENTITY.prefix) {
        return qmi_kit::accountability::serve(
            req,
            qmi_api::internal::IDENTITY.prefix,
            crate::DATABASE,
            &crate::SCHEMA,
        )
        .await;
    }
    let (op, kit) = qmi_kit::context::Ctx::route::<Op>(req)?;
    let db = Db::open(crate::DATABASE, &crate::SCHEMA).await?;
    db.attend(&kit);
    let cx = Ctx { kit, db };
    let reply = async {
        match op {
            Op::Openapi => Ok(json(200, &qmi_api::routes::openapi())),
            Op::CreateToken => signin::create_token(&cx).await,
            Op::RefreshToken => signin::refresh_token(&cx).await,
            Op::Logout => signin::logout(&cx).await,
            Op::RequestPasswordReset => passwords::request_reset(&cx).await,
            Op::ConfirmPasswordReset => passwords::confirm_reset(&cx).await,
            Op::GetMe => account::get_me(&cx).await,
            Op::UpdateMe => account::update_me(&cx).await,
            Op::ChangePassword => passwords::change_password(&cx).await,
            Op::ChangeEmail => account::change_email(&cx).await,
            Op::ExportMe => personal::export(&cx).await,
            Op::DeleteMe => erasure::erase(&cx).await,
            Op::ListSessions => account::list_sessions(&cx).await,
            Op::RevokeSession => account::revoke_session(&cx).await,
            Op::ListMyInvitations => invited::list_my_invitations(&cx).await,
            Op::AcceptInvitation => invited::answer_invitation(&cx, true).await,
            Op::DeclineInvitation => invited::answer_invitation(&cx, false).await,
            Op::GetInvitationLink => invited::preview(&cx).await,
            Op::AcceptInvitationLink => invited::accept(&cx).await,
            Op::SignUp => signup::sign_up(&cx).await,
            Op::ConfirmEmail => signup::confirm_email(&cx).await,
            Op::ListCommunes => registry::list_communes(&cx).await,
            Op::GetCommune => registry::get_commune(&cx).await,
            Op::GetFigures => registry::get_figures(&cx).await,
            Op::ListMembers => members::list_members(&cx).await,
            Op::AddMember => inviting::add_member(&cx).await,
            Op::ListCommuneInvitations => invitations::list(&cx, invitations::Kind::Commune).await,
            Op::ResendCommuneInvitation => {
                invitations::resend(&cx, invitations::Kind::Commune).await
            }
            Op::RevokeCommuneInvitation => {
                invitations::revoke(&cx, invitations::Kind::Commune).await
            }
            Op::InviteToProgramme => inviting::invite_to_programme(&cx).await,
            Op::ListProgrammeInvitations => {
                invitations::list(&cx, invitations::Kind::Programme).await
            }
            Op::ResendProgrammeInvitation => {
                invitations::resend(&cx, invitations::Kind::Programme).await
            }
            Op::RevokeProgrammeInvitation => {
                invitations::revoke(&cx, invitations::Kind::Programme).await
            }
            Op::RemoveMember => members::remove_member(&cx).await,
            Op::CreateCommune => registry::create_commune(&cx).await,
            Op::SuspendCommune => suspension::set_suspended(&cx, true).await,
            Op::ResumeCommune => suspension::set_suspended(&cx, false).await,
            Op::ListCommuneStatusHistory => suspension::history(&cx).await,
            Op::SetCommuneStatus => registry::set_status(&cx).await,
            Op::RegisterOrganisation => organisations::register_organisation(&cx).await,
            Op::AbsorbOrganisation => organisations::absorb_organisation(&cx).await,
            Op::ListOrganisationMembers => organisations::list_organisation_members(&cx).await,
            Op::AddOrganisationMember => inviting::add_organisation_member(&cx).await,
            Op::RemoveOrganisationMember => organisations::remove_organisation_member(&cx).await,
            Op::ListOrganisationInvitations => {
                invitations::list(&cx, invitations::Kind::Organisation).await
            }
            Op::ResendOrganisationInvitation => {
                invitations::resend(&cx, invitations::Kind::Organisation).await
            }
            Op::RevokeOrganisationInvitation => {
                invitations::revoke(&cx, invitations::Kind::Organisation).await
            }
            Op::ListAudit | Op::ListPlatformAudit => trail::list(&cx, op).await,
            Op::ExportAudit => trail::export(&cx).await,
            Op::GetUsage => usage::usage(&cx).await,
            Op::GetRuntime => usage::runtime(&cx).await,
            Op::CreateJoinRequest => join::create(&cx).await,
            Op::ListJoinRequests => join::list(&cx).await,
            Op::ApproveJoinRequest => join::answer(&cx, true).await,
            Op::RefuseJoinRequest => join::answer(&cx, false).await,
        }
    }
    .await;
    cx.db.close(&cx.kit, &reply).await;
    reply
}

/// Raises an account's rights version, inside the transaction of the change that
/// takes a right away from it; [`publish_rights`] tells the gateway once it commits.
async fn lower_rights(db: &Db, account: &str) -> Result<(), Problem> {
    db.platform()
        .run(
            "UPDATE accounts SET rights_version = rights_version + 1 WHERE id = ?",
            vec![account.into()],
        )
        .await?;
    Ok(())
}

/// An account's rights version in the database (0 for an unknown account).
async fn rights_version(db: &Db, account: &str) -> Result<u64, Problem> {
    let rows = db
        .platform()
        .run(
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

// ---------------------------------------------------------------- accounts

struct AccountRef {
    id: String,
    name: String,
    email: String,
    organisation_id: Option<String>,
}

async fn account_by_email(db: &Db, email: &Email) -> Result<Option<AccountRef>, Problem> {
    let rows = db
        .platform()
        .run(
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
        .platform()
        .run(
            &format!("SELECT id, name, email, organisation_id FROM accounts WHERE id IN ({marks})"),
            ids.iter().map(Value::from).collect(),
        )
        .await?)
}
