//! The route catalogue of every service, from which the OpenAPI 3.1 document
//! (`GET /api/openapi.json`) is generated. A service dispatches through
//! [`find`] on this table, so a route it answers is documented by construction;
//! `tests/tests/identity.rs` checks `spin.toml`'s triggers against it.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::applications::*;
use crate::identity::*;
use crate::page::{DEFAULT_LIMIT, MAX_LIMIT, Page};

/// Who may call a route (the gateway enforces the first two, services the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Anyone, without a token.
    Public,
    /// Any signed-in principal.
    Principal,
    /// A member of the route's commune, or a programme operator.
    Tenant,
    /// A platform operator (programme or hosting).
    Operator,
}

impl Auth {
    fn describe(self) -> &'static str {
        match self {
            Self::Public => "Public: no token needed.",
            Self::Principal => "Any signed-in principal (bearer token).",
            Self::Tenant => "A member of the commune `{insee}` or a programme operator.",
            Self::Operator => "A platform operator (programme or hosting).",
        }
    }
}

/// A documented query parameter.
#[derive(Clone, Copy, Debug)]
pub struct QueryParam {
    /// Name.
    pub name: &'static str,
    /// JSON type (`string` or `integer`).
    pub ty: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// Produces a schema (a `$ref` into `components/schemas` for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// One route of one service.
#[derive(Clone, Copy, Debug)]
pub struct RouteDoc {
    /// `operationId`, also the service's dispatch key.
    pub id: &'static str,
    /// The Spin component serving it.
    pub service: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template, parameters as `{name}`.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Who may call it.
    pub auth: Auth,
    /// Query parameters.
    pub query: &'static [QueryParam],
    /// Request body schema (JSON).
    pub request: Option<SchemaFn>,
    /// Success status.
    pub status: u16,
    /// Success body schema (JSON); `None` for an empty body.
    pub response: Option<SchemaFn>,
}

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn any_object(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "object" })
}

fn file_body(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "string", "format": "binary", "description": "The file itself (CSV, XLSX, PDF, PNG or JPEG), not JSON" })
}

const CALL_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "commune",
        ty: "string",
        description: "INSEE code of a commune: its own calls and the programme calls covering it.",
    },
    QueryParam {
        name: "theme",
        ty: "string",
        description: "One of the call's themes.",
    },
    QueryParam {
        name: "status",
        ty: "string",
        description: "open, upcoming or closed (server clock, Europe/Paris deadlines).",
    },
    QueryParam {
        name: "managed",
        ty: "boolean",
        description: "`true`: the calls the caller runs, published or not (a programme operator: every call; a commune admin: their communes' own calls). Needs a token.",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

/// The CSV export's separator.
const EXPORT_CSV_PARAMS: &[QueryParam] = &[QueryParam {
    name: "separator",
    ty: "string",
    description: "`comma` (default, RFC 4180) or `semicolon` (fields separated by `;` and decimal commas: the CSV French Excel opens as columns).",
}];

const APPLICATION_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "status",
        ty: "string",
        description: "Only applications in this workflow state.",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

const PAGE: &[QueryParam] = &[
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

const ORGANISATION_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "q",
        ty: "string",
        description: "Name search (3 to 100 characters), accent- and case-insensitive.",
    },
    QueryParam {
        name: "siret",
        ty: "string",
        description: "Only the organisation with this SIRET (14 digits).",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

const COMMUNE_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "status",
        ty: "string",
        description: "member, candidate, district or suspended.",
    },
    QueryParam {
        name: "departement",
        ty: "string",
        description: "Département code, e.g. 93.",
    },
    QueryParam {
        name: "territory",
        ty: "string",
        description: "Territory (EPT) SIREN, e.g. 200057867 for Plaine Commune.",
    },
    QueryParam {
        name: "q",
        ty: "string",
        description: "Name search, accent- and case-insensitive, or the start of an INSEE code (93066, 930).",
    },
    QueryParam {
        name: "insee",
        ty: "string",
        description: "Only these communes: up to 500 INSEE codes separated by commas.",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Items per page, 1 to 500 (default 100).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

macro_rules! route {
    ($id:literal, $svc:literal, $m:literal, $p:literal, $sum:literal, $auth:ident, $q:expr, $req:expr, $st:literal, $resp:expr) => {
        RouteDoc {
            id: $id,
            service: $svc,
            method: $m,
            path: $p,
            summary: $sum,
            auth: Auth::$auth,
            query: $q,
            request: $req,
            status: $st,
            response: $resp,
        }
    };
}

/// Every route of every service under `/api`.
pub static ROUTES: &[RouteDoc] = &[
    route!(
        "health",
        "web",
        "GET",
        "/api/health",
        "Health of the platform",
        Public,
        &[],
        None,
        200,
        Some(any_object)
    ),
    route!(
        "openapi",
        "identity",
        "GET",
        "/api/openapi.json",
        "This OpenAPI document",
        Public,
        &[],
        None,
        200,
        Some(any_object)
    ),
    route!(
        "createToken",
        "identity",
        "POST",
        "/api/auth/token",
        "Sign in: e-mail and password for an access and a refresh token",
        Public,
        &[],
        Some(s::<TokenRequest>),
        200,
        Some(s::<TokenResponse>)
    ),
    route!(
        "refreshToken",
        "identity",
        "POST",
        "/api/auth/refresh",
        "Exchange a refresh token (rotated; reuse revokes its family)",
        Public,
        &[],
        Some(s::<RefreshRequest>),
        200,
        Some(s::<TokenResponse>)
    ),
    route!(
        "logout",
        "identity",
        "POST",
        "/api/auth/logout",
        "Revoke a refresh token and its family",
        Public,
        &[],
        Some(s::<RefreshRequest>),
        204,
        None
    ),
    route!(
        "requestPasswordReset",
        "identity",
        "POST",
        "/api/auth/password-reset",
        "E-mail a password reset link (valid 1 hour) to the account with this e-mail, if any: the answer is the same either way",
        Public,
        &[],
        Some(s::<PasswordResetRequest>),
        202,
        Some(s::<LinkSent>)
    ),
    route!(
        "confirmPasswordReset",
        "identity",
        "POST",
        "/api/auth/password-reset/confirm",
        "Set a new password with a reset link's token (single use); every session of the account is signed out",
        Public,
        &[],
        Some(s::<PasswordResetConfirm>),
        204,
        None
    ),
    route!(
        "getInvitationLink",
        "identity",
        "GET",
        "/api/auth/invitations/{token}",
        "What an invitation link offers (what is joined, by whom, for which e-mail, whether an account exists, expiry); an unknown, used, revoked or expired link is 410",
        Public,
        &[],
        None,
        200,
        Some(s::<InvitationPreview>)
    ),
    route!(
        "acceptInvitationLink",
        "identity",
        "POST",
        "/api/auth/invitations/{token}/accept",
        "Accept an invitation link: a newcomer chooses name, password and language, an existing account gives its current password; signed in",
        Public,
        &[],
        Some(s::<AcceptInvitation>),
        200,
        Some(s::<TokenResponse>)
    ),
    route!(
        "signUp",
        "identity",
        "POST",
        "/api/auth/sign-up",
        "A partner creates an account; a confirmation link (24 hours) is e-mailed. The answer is the same whether or not the e-mail is taken",
        Public,
        &[],
        Some(s::<SignUp>),
        202,
        Some(s::<SignUpReceived>)
    ),
    route!(
        "confirmEmail",
        "identity",
        "POST",
        "/api/auth/confirm-email",
        "Confirm a sign-up's e-mail with its link's token (single use); signed in",
        Public,
        &[],
        Some(s::<ConfirmEmail>),
        200,
        Some(s::<TokenResponse>)
    ),
    route!(
        "getMe",
        "identity",
        "GET",
        "/api/me",
        "The signed-in account, its organisation and memberships",
        Principal,
        &[],
        None,
        200,
        Some(s::<Me>)
    ),
    route!(
        "listMyInvitations",
        "identity",
        "GET",
        "/api/me/invitations",
        "The signed-in account's pending invitations to join an organisation",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<Invitation>>)
    ),
    route!(
        "acceptInvitation",
        "identity",
        "POST",
        "/api/me/invitations/{id}/accept",
        "Accept an invitation: the account joins the organisation (its next token says so)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Organisation>)
    ),
    route!(
        "declineInvitation",
        "identity",
        "POST",
        "/api/me/invitations/{id}/decline",
        "Decline an invitation",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "updateMe",
        "identity",
        "PATCH",
        "/api/me",
        "Change the signed-in account's name or language",
        Principal,
        &[],
        Some(s::<MePatch>),
        200,
        Some(s::<Me>)
    ),
    route!(
        "changePassword",
        "identity",
        "POST",
        "/api/me/password",
        "Change the password (current one required): every other session is signed out, the caller gets new tokens",
        Principal,
        &[],
        Some(s::<PasswordChange>),
        200,
        Some(s::<TokenResponse>)
    ),
    route!(
        "changeEmail",
        "identity",
        "POST",
        "/api/me/email",
        "Change the e-mail (password required): a link valid 24 hours goes to the new address, which applies once confirmed",
        Principal,
        &[],
        Some(s::<EmailChange>),
        202,
        Some(s::<LinkSent>)
    ),
    route!(
        "listSessions",
        "identity",
        "GET",
        "/api/me/sessions",
        "The account's signed-in sessions (the QMI-Session header marks the caller's own as current)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<Session>>)
    ),
    route!(
        "revokeSession",
        "identity",
        "DELETE",
        "/api/me/sessions/{id}",
        "Sign out one of the account's sessions (its refresh token stops working)",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "listCommunes",
        "identity",
        "GET",
        "/api/communes",
        "The tenant registry, filtered and cursor-paginated",
        Public,
        COMMUNE_FILTERS,
        None,
        200,
        Some(s::<Page<Commune>>)
    ),
    route!(
        "getFigures",
        "identity",
        "GET",
        "/api/figures",
        "The registry counted: communes and population per status, département and territory",
        Public,
        &[],
        None,
        200,
        Some(s::<Figures>)
    ),
    route!(
        "getCommune",
        "identity",
        "GET",
        "/api/communes/{insee}",
        "One commune of the registry",
        Public,
        &[],
        None,
        200,
        Some(s::<Commune>)
    ),
    route!(
        "listMembers",
        "identity",
        "GET",
        "/api/communes/{insee}/members",
        "The commune's people and their roles",
        Tenant,
        PAGE,
        None,
        200,
        Some(s::<Page<Member>>)
    ),
    route!(
        "addMember",
        "identity",
        "POST",
        "/api/communes/{insee}/members",
        "Invite a person to the commune with a role (commune admin or programme operator): 202 and the pending invitation, the same whether or not the e-mail has an account; for a person already a member, the role changes at once (200 and the Member)",
        Tenant,
        &[],
        Some(s::<AddMember>),
        202,
        Some(s::<InvitationSummary>)
    ),
    route!(
        "listCommuneInvitations",
        "identity",
        "GET",
        "/api/communes/{insee}/invitations",
        "The commune's pending invitations (commune admin or programme operator)",
        Tenant,
        &[],
        None,
        200,
        Some(s::<Vec<InvitationSummary>>)
    ),
    route!(
        "resendCommuneInvitation",
        "identity",
        "POST",
        "/api/communes/{insee}/invitations/{id}/resend",
        "Send a pending invitation again: a new link, valid 7 days; the old link no longer works",
        Tenant,
        &[],
        None,
        200,
        Some(s::<InvitationSummary>)
    ),
    route!(
        "revokeCommuneInvitation",
        "identity",
        "DELETE",
        "/api/communes/{insee}/invitations/{id}",
        "Revoke a pending invitation: its link no longer works",
        Tenant,
        &[],
        None,
        204,
        None
    ),
    route!(
        "removeMember",
        "identity",
        "DELETE",
        "/api/communes/{insee}/members/{account}",
        "Remove a person from the commune",
        Tenant,
        &[],
        None,
        204,
        None
    ),
    route!(
        "createCommune",
        "identity",
        "POST",
        "/api/admin/communes",
        "Add a commune of any metropolis to the registry",
        Operator,
        &[],
        Some(s::<NewCommune>),
        201,
        Some(s::<Commune>)
    ),
    route!(
        "suspendCommune",
        "identity",
        "POST",
        "/api/admin/communes/{insee}/suspend",
        "Suspend a commune, saying why (`reason`, required, kept in its status history): its people are refused",
        Operator,
        &[],
        Some(s::<Suspension>),
        200,
        Some(s::<Commune>)
    ),
    route!(
        "listCommuneStatusHistory",
        "identity",
        "GET",
        "/api/admin/communes/{insee}/history",
        "A commune's suspensions and resumptions, newest first, with their reasons",
        Operator,
        &[],
        None,
        200,
        Some(s::<Vec<CommuneStatusEntry>>)
    ),
    route!(
        "resumeCommune",
        "identity",
        "POST",
        "/api/admin/communes/{insee}/resume",
        "Resume a suspended commune (back to its previous status)",
        Operator,
        &[],
        None,
        200,
        Some(s::<Commune>)
    ),
    route!(
        "listOrganisations",
        "identity",
        "GET",
        "/api/organisations",
        "Organisations visible to the caller (a partner member sees only their own); searching by `q` or `siret`, an account without an organisation also finds those it may ask to join",
        Principal,
        ORGANISATION_FILTERS,
        None,
        200,
        Some(s::<Page<Organisation>>)
    ),
    route!(
        "createOrganisation",
        "identity",
        "POST",
        "/api/organisations",
        "Create an organisation (its creator joins it unless an operator)",
        Principal,
        &[],
        Some(s::<NewOrganisation>),
        201,
        Some(s::<Organisation>)
    ),
    route!(
        "getOrganisation",
        "identity",
        "GET",
        "/api/organisations/{id}",
        "One organisation",
        Principal,
        &[],
        None,
        200,
        Some(s::<Organisation>)
    ),
    route!(
        "updateOrganisation",
        "identity",
        "PATCH",
        "/api/organisations/{id}",
        "Change an organisation (its members or a programme operator)",
        Principal,
        &[],
        Some(s::<OrganisationPatch>),
        200,
        Some(s::<Organisation>)
    ),
    route!(
        "listOrganisationMembers",
        "identity",
        "GET",
        "/api/organisations/{id}/members",
        "The organisation's members",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<OrganisationMember>>)
    ),
    route!(
        "addOrganisationMember",
        "identity",
        "POST",
        "/api/organisations/{id}/members",
        "Invite a person by e-mail to join the organisation: a pending invitation, the same answer whether or not the e-mail has an account",
        Principal,
        &[],
        Some(s::<AddOrganisationMember>),
        202,
        Some(s::<InvitationSent>)
    ),
    route!(
        "removeOrganisationMember",
        "identity",
        "DELETE",
        "/api/organisations/{id}/members/{account}",
        "Detach an account from the organisation",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "listOrganisationInvitations",
        "identity",
        "GET",
        "/api/organisations/{id}/invitations",
        "The organisation's pending invitations (its members or a programme operator)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<InvitationSummary>>)
    ),
    route!(
        "resendOrganisationInvitation",
        "identity",
        "POST",
        "/api/organisations/{id}/invitations/{invitation}/resend",
        "Send a pending invitation again: a new link, valid 7 days; the old link no longer works",
        Principal,
        &[],
        None,
        200,
        Some(s::<InvitationSummary>)
    ),
    route!(
        "revokeOrganisationInvitation",
        "identity",
        "DELETE",
        "/api/organisations/{id}/invitations/{invitation}",
        "Revoke a pending invitation: its link no longer works",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "createJoinRequest",
        "identity",
        "POST",
        "/api/organisations/{id}/join-requests",
        "Ask to join the organisation (a confirmed account without one); its members are told. Asking again while pending changes nothing",
        Principal,
        &[],
        None,
        202,
        Some(s::<JoinRequest>)
    ),
    route!(
        "listJoinRequests",
        "identity",
        "GET",
        "/api/organisations/{id}/join-requests",
        "The pending requests to join the organisation (its members or a programme operator)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<JoinRequest>>)
    ),
    route!(
        "approveJoinRequest",
        "identity",
        "POST",
        "/api/organisations/{id}/join-requests/{request}/approve",
        "Approve a request: the account joins the organisation (a member or a programme operator)",
        Principal,
        &[],
        None,
        200,
        Some(s::<JoinRequest>)
    ),
    route!(
        "refuseJoinRequest",
        "identity",
        "POST",
        "/api/organisations/{id}/join-requests/{request}/refuse",
        "Refuse a request (a member or a programme operator)",
        Principal,
        &[],
        None,
        200,
        Some(s::<JoinRequest>)
    ),
    route!(
        "inviteToProgramme",
        "identity",
        "POST",
        "/api/admin/invitations",
        "Invite a person to the programme team (programme operators): 202 and the pending invitation, the same whether or not the e-mail has an account",
        Operator,
        &[],
        Some(s::<NewTeamInvitation>),
        202,
        Some(s::<InvitationSummary>)
    ),
    route!(
        "listProgrammeInvitations",
        "identity",
        "GET",
        "/api/admin/invitations",
        "The programme team's pending invitations (programme operators)",
        Operator,
        &[],
        None,
        200,
        Some(s::<Vec<InvitationSummary>>)
    ),
    route!(
        "resendProgrammeInvitation",
        "identity",
        "POST",
        "/api/admin/invitations/{id}/resend",
        "Send a pending invitation to the programme team again: a new link, valid 7 days; the old link no longer works",
        Operator,
        &[],
        None,
        200,
        Some(s::<InvitationSummary>)
    ),
    route!(
        "revokeProgrammeInvitation",
        "identity",
        "DELETE",
        "/api/admin/invitations/{id}",
        "Revoke a pending invitation to the programme team",
        Operator,
        &[],
        None,
        204,
        None
    ),
    route!(
        "setCommuneStatus",
        "identity",
        "PUT",
        "/api/admin/communes/{insee}/status",
        "Set a commune's programme status (member, candidate, district); used by the call for communes",
        Operator,
        &[],
        Some(s::<CommuneStatusChange>),
        200,
        Some(s::<Commune>)
    ),
    route!(
        "createCampaign",
        "applications",
        "POST",
        "/api/campaigns",
        "Open a call for communes (programme operators)",
        Principal,
        &[],
        Some(s::<CampaignInput>),
        201,
        Some(s::<Campaign>)
    ),
    route!(
        "listCampaigns",
        "applications",
        "GET",
        "/api/campaigns",
        "Calls for communes (published ones; every one for operators)",
        Principal,
        PAGE,
        None,
        200,
        Some(s::<Page<Campaign>>)
    ),
    route!(
        "getCampaign",
        "applications",
        "GET",
        "/api/campaigns/{id}",
        "One call for communes",
        Principal,
        &[],
        None,
        200,
        Some(s::<Campaign>)
    ),
    route!(
        "updateCampaign",
        "applications",
        "PUT",
        "/api/campaigns/{id}",
        "Edit a call for communes while it is unpublished (programme operators); recorded in its history",
        Principal,
        &[],
        Some(s::<CampaignInput>),
        200,
        Some(s::<Campaign>)
    ),
    route!(
        "publishCampaign",
        "applications",
        "POST",
        "/api/campaigns/{id}/publish",
        "Publish a call for communes (programme operators); recorded in its history",
        Principal,
        &[],
        None,
        200,
        Some(s::<Campaign>)
    ),
    route!(
        "listCandidacies",
        "applications",
        "GET",
        "/api/campaigns/{id}/candidacies",
        "The submitted candidacies of a campaign (programme operators)",
        Principal,
        PAGE,
        None,
        200,
        Some(s::<Page<Candidacy>>)
    ),
    route!(
        "listCommuneCandidacies",
        "applications",
        "GET",
        "/api/candidacies/{insee}",
        "The commune's candidacies to every campaign, drafts included, by campaign id (its admins and agents, programme operators)",
        Tenant,
        PAGE,
        None,
        200,
        Some(s::<Page<Candidacy>>)
    ),
    route!(
        "getCandidacy",
        "applications",
        "GET",
        "/api/campaigns/{id}/candidacies/{insee}",
        "A commune's candidacy",
        Principal,
        &[],
        None,
        200,
        Some(s::<Candidacy>)
    ),
    route!(
        "saveCandidacy",
        "applications",
        "PUT",
        "/api/campaigns/{id}/candidacies/{insee}",
        "Draft a commune's candidacy (idempotent autosave; the commune's admins)",
        Principal,
        &[],
        Some(s::<CandidacyInput>),
        200,
        Some(s::<Candidacy>)
    ),
    route!(
        "submitCandidacy",
        "applications",
        "POST",
        "/api/campaigns/{id}/candidacies/{insee}/submit",
        "Submit the candidacy before the deadline; the commune becomes a candidate",
        Principal,
        &[],
        None,
        200,
        Some(s::<Candidacy>)
    ),
    route!(
        "decideCandidacy",
        "applications",
        "POST",
        "/api/campaigns/{id}/candidacies/{insee}/decision",
        "Select (the commune becomes a district and its district is created) or reject",
        Principal,
        &[],
        Some(s::<CandidacyDecision>),
        200,
        Some(s::<Candidacy>)
    ),
    route!(
        "createCall",
        "applications",
        "POST",
        "/api/calls",
        "Open a call for solutions: for a commune's district (its admins, programme operators) or a programme call for several districts (programme operators)",
        Principal,
        &[],
        Some(s::<CallInput>),
        201,
        Some(s::<Call>)
    ),
    route!(
        "listCalls",
        "applications",
        "GET",
        "/api/calls",
        "Published calls for solutions (or, with `managed=true`, the calls the caller runs), filtered and cursor-paginated",
        Public,
        CALL_FILTERS,
        None,
        200,
        Some(s::<Page<Call>>)
    ),
    route!(
        "getCall",
        "applications",
        "GET",
        "/api/calls/{id}",
        "One call (public once published)",
        Public,
        &[],
        None,
        200,
        Some(s::<Call>)
    ),
    route!(
        "getCallResults",
        "applications",
        "GET",
        "/api/calls/{id}/results",
        "A call's results: its selected solutions, once its decisions are published (public with the call)",
        Public,
        &[],
        None,
        200,
        Some(s::<CallResults>)
    ),
    route!(
        "updateCall",
        "applications",
        "PUT",
        "/api/calls/{id}",
        "Change a call: form, criteria, workflow, dates",
        Principal,
        &[],
        Some(s::<CallInput>),
        200,
        Some(s::<Call>)
    ),
    route!(
        "publishCall",
        "applications",
        "POST",
        "/api/calls/{id}/publish",
        "Publish a call",
        Principal,
        &[],
        None,
        200,
        Some(s::<Call>)
    ),
    route!(
        "closeCall",
        "applications",
        "POST",
        "/api/calls/{id}/close",
        "Close a call before its deadline, on purpose, with a reason (decisions are taken only once a call is closed)",
        Principal,
        &[],
        Some(s::<CloseRequest>),
        200,
        Some(s::<Call>)
    ),
    route!(
        "createApplication",
        "applications",
        "POST",
        "/api/calls/{id}/applications",
        "Start (and optionally submit) an application for the caller's organisation; `Idempotency-Key` makes retries safe",
        Principal,
        &[],
        Some(s::<ApplicationInput>),
        201,
        Some(s::<Application>)
    ),
    route!(
        "listCallApplications",
        "applications",
        "GET",
        "/api/calls/{id}/applications",
        "A call's applications (whoever runs the call)",
        Principal,
        APPLICATION_FILTERS,
        None,
        200,
        Some(s::<Page<Application>>)
    ),
    route!(
        "assignReviewers",
        "applications",
        "POST",
        "/api/calls/{id}/assignments",
        "Assign reviewers by hand or automatically (N per application, load balanced); when the reviewers who may review some applications are too few for N, the `QMI-Shortfall` header names them with the count each got",
        Principal,
        &[],
        Some(s::<AssignRequest>),
        200,
        Some(s::<Vec<Assignment>>)
    ),
    route!(
        "listAssignments",
        "applications",
        "GET",
        "/api/calls/{id}/assignments",
        "A call's assignments and their progress",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<Assignment>>)
    ),
    route!(
        "getRanking",
        "applications",
        "GET",
        "/api/calls/{id}/ranking",
        "Weighted scores, spread and review progress",
        Principal,
        &[],
        None,
        200,
        Some(s::<Ranking>)
    ),
    route!(
        "publishDecisions",
        "applications",
        "POST",
        "/api/calls/{id}/decisions/publish",
        "Make the call's decision letters visible to the applicants",
        Principal,
        &[],
        None,
        200,
        Some(s::<Call>)
    ),
    route!(
        "sendReminders",
        "applications",
        "POST",
        "/api/calls/reminders",
        "Remind now the holders of a draft to a call closing within 72 hours, each draft once (a scheduler's route; requests to applications also sweep); counts only",
        Operator,
        &[],
        None,
        200,
        Some(s::<ReminderRun>)
    ),
    route!(
        "exportCsv",
        "applications",
        "GET",
        "/api/calls/{id}/export.csv",
        "Applications with answers, scores, decisions and every reviewer's score and comment per criterion (CSV; `?separator=semicolon` for French Excel)",
        Principal,
        EXPORT_CSV_PARAMS,
        None,
        200,
        Some(file_body)
    ),
    route!(
        "exportXlsx",
        "applications",
        "GET",
        "/api/calls/{id}/export.xlsx",
        "Applications with answers, scores, decisions and every reviewer's score and comment per criterion (XLSX, opens in Excel whatever its language)",
        Principal,
        &[],
        None,
        200,
        Some(file_body)
    ),
    route!(
        "listMyApplications",
        "applications",
        "GET",
        "/api/applications",
        "Every application of the caller's organisation, across every commune",
        Principal,
        PAGE,
        None,
        200,
        Some(s::<Page<Application>>)
    ),
    route!(
        "getApplication",
        "applications",
        "GET",
        "/api/applications/{id}",
        "An application with its status history (a recused reviewer sees the title only)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Application>)
    ),
    route!(
        "saveApplication",
        "applications",
        "PUT",
        "/api/applications/{id}",
        "Autosave a draft (idempotent)",
        Principal,
        &[],
        Some(s::<ApplicationInput>),
        200,
        Some(s::<Application>)
    ),
    route!(
        "submitApplication",
        "applications",
        "POST",
        "/api/applications/{id}/submit",
        "Submit: every answer validated (422 lists every problem), refused after the deadline",
        Principal,
        &[],
        None,
        200,
        Some(s::<Application>)
    ),
    route!(
        "withdrawApplication",
        "applications",
        "POST",
        "/api/applications/{id}/withdraw",
        "Withdraw before a decision",
        Principal,
        &[],
        None,
        200,
        Some(s::<Application>)
    ),
    route!(
        "reopenApplication",
        "applications",
        "POST",
        "/api/applications/{id}/reopen",
        "Reopen a withdrawn application as a draft, while its call is open",
        Principal,
        &[],
        None,
        200,
        Some(s::<Application>)
    ),
    route!(
        "transitionApplication",
        "applications",
        "POST",
        "/api/applications/{id}/transitions",
        "Move along the call's workflow (eligibility, shortlist, decision with a reason)",
        Principal,
        &[],
        Some(s::<TransitionRequest>),
        200,
        Some(s::<Application>)
    ),
    route!(
        "uploadAttachment",
        "applications",
        "POST",
        "/api/applications/{id}/attachments",
        "Upload a file (PDF, PNG, JPEG by content; 10 MiB at most); the body is the file",
        Principal,
        &[QueryParam {
            name: "name",
            ty: "string",
            description: "The file's name, shown beside its question and given to it when downloaded.",
        }],
        Some(file_body),
        201,
        Some(s::<Attachment>)
    ),
    route!(
        "getAttachment",
        "applications",
        "GET",
        "/api/applications/{id}/attachments/{attachment}",
        "Download a file",
        Principal,
        &[],
        None,
        200,
        Some(file_body)
    ),
    route!(
        "declareConflict",
        "applications",
        "POST",
        "/api/applications/{id}/conflict",
        "Declare a conflict of interest, with its reason (required, shown to whoever runs the call): the reviewer is recused",
        Principal,
        &[],
        Some(s::<ConflictDeclaration>),
        200,
        Some(s::<ApplicationTitle>)
    ),
    route!(
        "saveReview",
        "applications",
        "PUT",
        "/api/applications/{id}/review",
        "Score every criterion 0-5 with comments (assigned reviewers)",
        Principal,
        &[],
        Some(s::<ScoreSheet>),
        200,
        Some(s::<Review>)
    ),
    route!(
        "listReviews",
        "applications",
        "GET",
        "/api/applications/{id}/reviews",
        "An application's reviews",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<Review>>)
    ),
    route!(
        "getLetter",
        "applications",
        "GET",
        "/api/applications/{id}/letter",
        "The decision letter (the applicant sees it once published)",
        Principal,
        &[],
        None,
        200,
        Some(s::<Letter>)
    ),
    route!(
        "listMyAssignments",
        "applications",
        "GET",
        "/api/reviews",
        "The caller's review assignments",
        Principal,
        &[],
        None,
        200,
        Some(s::<Vec<Assignment>>)
    ),
    route!(
        "openData",
        "applications",
        "GET",
        "/api/open-data/{file}",
        "Open data: calls.json, calls.csv, decisions.json, decisions.csv (published calls and decisions)",
        Public,
        &[],
        None,
        200,
        Some(file_body)
    ),
    route!(
        "createDistrict",
        "districts",
        "POST",
        "/api/districts",
        "Create a district (programme operators; done by a selection)",
        Principal,
        &[],
        Some(s::<DistrictInput>),
        201,
        Some(s::<District>)
    ),
    route!(
        "listDistricts",
        "districts",
        "GET",
        "/api/districts",
        "Districts, cursor-paginated",
        Public,
        PAGE,
        None,
        200,
        Some(s::<Page<District>>)
    ),
    route!(
        "getDistrict",
        "districts",
        "GET",
        "/api/districts/{insee}",
        "One district",
        Public,
        &[],
        None,
        200,
        Some(s::<District>)
    ),
    route!(
        "updateDistrict",
        "districts",
        "PUT",
        "/api/districts/{insee}",
        "Complete a district (its commune's admins, programme operators)",
        Principal,
        &[],
        Some(s::<DistrictInput>),
        200,
        Some(s::<District>)
    ),
    route!(
        "listNotifications",
        "notifications",
        "GET",
        "/api/notifications",
        "The signed-in account's notices, newest first, cursor-paginated",
        Principal,
        PAGE,
        None,
        200,
        Some(s::<Page<crate::notifications::Notice>>)
    ),
    route!(
        "countUnreadNotifications",
        "notifications",
        "GET",
        "/api/notifications/unread",
        "How many of the signed-in account's notices are unread",
        Principal,
        &[],
        None,
        200,
        Some(s::<crate::notifications::Unread>)
    ),
    route!(
        "readNotification",
        "notifications",
        "POST",
        "/api/notifications/{id}/read",
        "Mark one of the signed-in account's notices read",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "readAllNotifications",
        "notifications",
        "POST",
        "/api/notifications/read-all",
        "Mark every notice of the signed-in account read",
        Principal,
        &[],
        None,
        204,
        None
    ),
    route!(
        "getNotificationPreferences",
        "notifications",
        "GET",
        "/api/notifications/preferences",
        "The e-mails the signed-in account receives",
        Principal,
        &[],
        None,
        200,
        Some(s::<crate::notifications::Preferences>)
    ),
    route!(
        "putNotificationPreferences",
        "notifications",
        "PUT",
        "/api/notifications/preferences",
        "Choose the e-mails the signed-in account receives (invitations, password and security messages are always sent)",
        Principal,
        &[],
        Some(s::<crate::notifications::Preferences>),
        200,
        Some(s::<crate::notifications::Preferences>)
    ),
    route!(
        "runDeliveries",
        "notifications",
        "POST",
        "/api/notifications/deliveries",
        "Run one e-mail delivery pass now (platform operators or a scheduler); counts only",
        Operator,
        &[],
        None,
        200,
        Some(s::<crate::notifications::DeliveryRun>)
    ),
];

/// Matches a path against a template; returns the parameters (a trailing
/// slash is ignored).
pub fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut params = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, ps.to_owned()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Why [`find`] matched nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMiss {
    /// No route has this path.
    NotFound,
    /// The path exists with other methods (listed for `Allow`).
    MethodNotAllowed(Vec<&'static str>),
}

/// Path parameters of a matched route: template name → value.
pub type PathParams = Vec<(&'static str, String)>;

/// The route of `service` for `method` and `path`, with its parameters.
pub fn find(
    service: &str,
    method: &str,
    path: &str,
) -> Result<(&'static RouteDoc, PathParams), RouteMiss> {
    let mut allowed = Vec::new();
    for route in ROUTES.iter().filter(|r| r.service == service) {
        if let Some(params) = match_template(route.path, path) {
            if route.method.eq_ignore_ascii_case(method) {
                return Ok((route, params));
            }
            allowed.push(route.method);
        }
    }
    if allowed.is_empty() {
        Err(RouteMiss::NotFound)
    } else {
        Err(RouteMiss::MethodNotAllowed(allowed))
    }
}

/// A route whose body (request or response) is a file rather than JSON.
#[derive(Clone, Copy)]
struct FileMedia {
    /// Whether the file is the request body (an upload) rather than the response.
    request: bool,
    /// The media types it may have.
    media: &'static [&'static str],
}

/// The media types of the routes that carry files (the services set exactly these
/// `content-type`s).
fn file_media(id: &str) -> Option<FileMedia> {
    const ATTACHMENT: &[&str] = &["application/pdf", "image/png", "image/jpeg"];
    let (request, media): (bool, &'static [&'static str]) = match id {
        "uploadAttachment" => (true, ATTACHMENT),
        "getAttachment" => (false, ATTACHMENT),
        "exportCsv" => (false, &["text/csv"]),
        "exportXlsx" => (
            false,
            &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        ),
        "openData" => (false, &["application/json", "text/csv"]),
        _ => return None,
    };
    Some(FileMedia { request, media })
}

/// An OpenAPI `content` map giving `schema` under each media type.
fn content(media: &[&str], schema: Schema) -> Value {
    let mut map = Map::new();
    for m in media {
        map.insert((*m).to_owned(), json!({ "schema": schema.clone() }));
    }
    Value::Object(map)
}

/// The schema of a path or query parameter, from the types the services parse it
/// with: an INSEE code (`insee`, `commune`) is [`crate::Insee`], `limit` is
/// 1..=[`MAX_LIMIT`].
fn parameter_schema(name: &str, ty: &str, generator: &mut SchemaGenerator) -> Value {
    match name {
        "insee" | "commune" => generator.subschema_for::<crate::Insee>().to_value(),
        "limit" => {
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT })
        }
        _ => json!({ "type": ty }),
    }
}

/// The refusals a route can answer, each a problem+json document.
fn error_responses(route: &RouteDoc, has_path_params: bool) -> Vec<(u16, &'static str)> {
    let mut out = vec![(
        400,
        "Malformed request: a query parameter or the body does not parse (`errors` names the field)",
    )];
    if route.auth != Auth::Public || route.method != "GET" {
        out.push((401, "No valid bearer token (`WWW-Authenticate` says why)"));
        out.push((403, "The policy refuses this principal (e.g. not a member of the commune, commune suspended)"));
    }
    if has_path_params {
        out.push((404, "No such record, or one the caller may not know exists"));
    }
    if route.request.is_some() {
        out.push((413, "Body over the limit (1 MiB; 10 MiB for attachments)"));
        out.push((415, "The body's content type is not the one expected"));
        out.push((
            422,
            "The body parses but breaks a rule (`errors` names each field)",
        ));
    }
    out
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details; `errors` names the fields at fault",
        "required": ["type", "title", "status"],
        "properties": {
            "type": { "type": "string", "format": "uri" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "instance": { "type": "string" },
            "errors": { "type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
            } }
        }
    })
}

/// The OpenAPI 3.1 document of every route in [`ROUTES`].
pub fn openapi() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut paths = Map::new();
    for route in ROUTES {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(route.id));
        op.insert("summary".into(), json!(route.summary));
        op.insert("description".into(), json!(route.auth.describe()));
        op.insert("tags".into(), json!([route.service]));
        if route.auth != Auth::Public {
            op.insert("security".into(), json!([{ "bearer": [] }]));
        }
        let path_params: Vec<&str> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|n| n.strip_suffix('}')))
            .collect();
        let mut params: Vec<Value> = path_params
            .iter()
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": parameter_schema(name, "string", &mut generator) }))
            .collect();
        params.extend(route.query.iter().map(|q| {
            json!({ "name": q.name, "in": "query", "required": false, "description": q.description, "schema": parameter_schema(q.name, q.ty, &mut generator) })
        }));
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        let files = file_media(route.id);
        if let Some(req) = route.request {
            let media = files
                .filter(|f| f.request)
                .map_or(&["application/json"][..], |f| f.media);
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": content(media, req(&mut generator)) }),
            );
        }
        let mut responses = Map::new();
        let ok = match route.response {
            Some(resp) => {
                let media = files
                    .filter(|f| !f.request)
                    .map_or(&["application/json"][..], |f| f.media);
                json!({ "description": "Success", "content": content(media, resp(&mut generator)) })
            }
            None => json!({ "description": "Success, no content" }),
        };
        responses.insert(route.status.to_string(), ok);
        for (status, description) in error_responses(route, !path_params.is_empty()) {
            responses.insert(
                status.to_string(),
                json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
            );
        }
        responses.insert(
            "default".into(),
            json!({ "description": "Error", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = entry.as_object_mut() {
            item.insert(route.method.to_ascii_lowercase(), Value::Object(op));
        }
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert("Problem".into(), problem_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "QMI API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Quartiers Métropolitains d'Innovation: every route of every service, generated from the route catalogue in qmi-api."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match() {
        let p = match_template(
            "/api/communes/{insee}/members/{account}",
            "/api/communes/93066/members/abc",
        )
        .unwrap();
        assert_eq!(
            p,
            vec![("insee", "93066".to_owned()), ("account", "abc".to_owned())]
        );
        assert!(match_template("/api/communes/{insee}", "/api/communes/").is_none());
        assert!(match_template("/api/communes/{insee}", "/api/communes/1/x").is_none());
        assert!(match_template("/api/communes", "/api/communes/").is_some());
    }

    #[test]
    fn find_distinguishes_404_and_405() {
        assert_eq!(
            find("identity", "GET", "/api/communes/93066").unwrap().0.id,
            "getCommune"
        );
        assert_eq!(
            find("identity", "PUT", "/api/communes/93066").unwrap_err(),
            RouteMiss::MethodNotAllowed(vec!["GET"])
        );
        assert_eq!(
            find("identity", "GET", "/api/nope").unwrap_err(),
            RouteMiss::NotFound
        );
    }

    #[test]
    fn ids_and_routes_are_unique() {
        let mut ids: Vec<_> = ROUTES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ROUTES.len());
        let mut keys: Vec<_> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), ROUTES.len());
    }

    #[test]
    fn openapi_document_is_complete_and_refs_resolve() {
        let doc = openapi();
        assert_eq!(doc["openapi"], "3.1.0");
        for r in ROUTES {
            assert!(
                doc["paths"][r.path][r.method.to_ascii_lowercase()].is_object(),
                "{} {}",
                r.method,
                r.path
            );
        }
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
        assert!(doc["components"]["schemas"]["Commune"]["properties"]["insee"].is_object());
    }

    #[test]
    fn openapi_states_constraints_errors_and_file_types() {
        let doc = openapi();
        let members = &doc["paths"]["/api/communes/{insee}/members"]["get"];
        let insee = members["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "insee")
            .unwrap();
        let schema = insee["schema"].to_string();
        assert!(
            schema.contains("$ref") || schema.contains("pattern"),
            "{schema}"
        );
        let limit = members["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap();
        assert_eq!(limit["schema"]["minimum"], 1);
        assert_eq!(limit["schema"]["maximum"], MAX_LIMIT);
        for status in ["400", "401", "403", "404"] {
            assert!(
                members["responses"][status].is_object(),
                "listMembers documents {status}"
            );
        }
        let create = &doc["paths"]["/api/calls"]["post"];
        assert!(create["responses"]["422"].is_object());
        let csv = &doc["paths"]["/api/calls/{id}/export.csv"]["get"]["responses"]["200"]["content"];
        assert!(
            csv["text/csv"].is_object() && csv["application/json"].is_null(),
            "{csv}"
        );
        let upload =
            &doc["paths"]["/api/applications/{id}/attachments"]["post"]["requestBody"]["content"];
        assert!(upload["application/pdf"].is_object() && upload["application/json"].is_null());
        for id in [
            "uploadAttachment",
            "getAttachment",
            "exportCsv",
            "exportXlsx",
            "openData",
        ] {
            assert!(
                ROUTES.iter().any(|r| r.id == id),
                "{id} is a catalogued route"
            );
        }
    }
}
