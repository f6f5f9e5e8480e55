//! The `identity` service's routes: sign-in, accounts, the communes' registry
//! and members, organisations, programme invitations.

use super::{PAGE, QueryParam, any_object, file_body, s};
use crate::accountability::{AuditPage, EraseMe, RuntimeFigures, Usage};
use crate::applications::CommuneStatusChange;
use crate::identity::*;
use crate::page::Page;
use crate::partners::{Repoint, Repointed};
use crate::personal::PersonalData;

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
        description: "The start of an INSEE code (93066, 930, 2A), or a fragment of a name, accent- and case-insensitive: found anywhere in the name from three characters (ain: Saint-Denis), at the start of one of its words below (sa).",
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

const AUDIT_FILTERS: &[QueryParam] = &[
    QueryParam {
        name: "account",
        ty: "string",
        description: "Only this account's entries (its id).",
    },
    QueryParam {
        name: "record",
        ty: "string",
        description: "Only this record's entries (its id).",
    },
    QueryParam {
        name: "action",
        ty: "string",
        description: "Only this action's entries (e.g. `application-transition`, `sign-in`).",
    },
    QueryParam {
        name: "from",
        ty: "string",
        description: "From this day, inclusive (YYYY-MM-DD, UTC).",
    },
    QueryParam {
        name: "to",
        ty: "string",
        description: "To this day, inclusive (YYYY-MM-DD, UTC).",
    },
    QueryParam {
        name: "limit",
        ty: "integer",
        description: "Entries per page, 1 to 500 (default 50).",
    },
    QueryParam {
        name: "cursor",
        ty: "string",
        description: "`next_cursor` of the previous page.",
    },
];

super::catalogue! {
    /// The operations of the `identity` service.
    service Identity = "identity";
    Openapi = "openapi": GET "/api/openapi.json", Public, 200,
        "This OpenAPI document",
        query: &[], request: None, response: Some(any_object);
    CreateToken = "createToken": POST "/api/auth/token", Public, 200,
        "Sign in: e-mail and password for an access and a refresh token",
        query: &[], request: Some(s::<TokenRequest>), response: Some(s::<TokenResponse>);
    RefreshToken = "refreshToken": POST "/api/auth/refresh", Public, 200,
        "Exchange a refresh token (rotated; reuse revokes its family)",
        query: &[], request: Some(s::<RefreshRequest>), response: Some(s::<TokenResponse>);
    Logout = "logout": POST "/api/auth/logout", Public, 204,
        "Revoke a refresh token and its family",
        query: &[], request: Some(s::<RefreshRequest>), response: None;
    RequestPasswordReset = "requestPasswordReset": POST "/api/auth/password-reset", Public, 202,
        "E-mail a password reset link (valid 1 hour) to the account with this e-mail, if any: the answer is the same either way",
        query: &[], request: Some(s::<PasswordResetRequest>), response: Some(s::<LinkSent>);
    ConfirmPasswordReset = "confirmPasswordReset": POST "/api/auth/password-reset/confirm", Public, 204,
        "Set a new password with a reset link's token (single use); every session of the account is signed out",
        query: &[], request: Some(s::<PasswordResetConfirm>), response: None;
    GetInvitationLink = "getInvitationLink": GET "/api/auth/invitations/{token}", Public, 200,
        "What an invitation link offers (what is joined, by whom, for which e-mail, whether an account exists, expiry); an unknown, used, revoked or expired link is 410",
        query: &[], request: None, response: Some(s::<InvitationPreview>);
    AcceptInvitationLink = "acceptInvitationLink": POST "/api/auth/invitations/{token}/accept", Public, 200,
        "Accept an invitation link: a newcomer chooses name, password and language, an existing account gives its current password; signed in",
        query: &[], request: Some(s::<AcceptInvitation>), response: Some(s::<TokenResponse>);
    SignUp = "signUp": POST "/api/auth/sign-up", Public, 202,
        "A partner creates an account; a confirmation link (24 hours) is e-mailed. The answer is the same whether or not the e-mail is taken",
        query: &[], request: Some(s::<SignUp>), response: Some(s::<SignUpReceived>);
    ConfirmEmail = "confirmEmail": POST "/api/auth/confirm-email", Public, 200,
        "Confirm a sign-up's e-mail with its link's token (single use); signed in",
        query: &[], request: Some(s::<ConfirmEmail>), response: Some(s::<TokenResponse>);
    GetMe = "getMe": GET "/api/me", Account, 200,
        "The signed-in account, its organisation and memberships",
        query: &[], request: None, response: Some(s::<Me>);
    ListMyInvitations = "listMyInvitations": GET "/api/me/invitations", Account, 200,
        "The signed-in account's pending invitations to join an organisation",
        query: &[], request: None, response: Some(s::<Vec<Invitation>>);
    AcceptInvitation = "acceptInvitation": POST "/api/me/invitations/{id}/accept", Account, 200,
        "Accept an invitation: the account joins the organisation (its next token says so)",
        query: &[], request: None, response: Some(s::<Organisation>);
    DeclineInvitation = "declineInvitation": POST "/api/me/invitations/{id}/decline", Account, 204,
        "Decline an invitation",
        query: &[], request: None, response: None;
    UpdateMe = "updateMe": PATCH "/api/me", Account, 200,
        "Change the signed-in account's name or language",
        query: &[], request: Some(s::<MePatch>), response: Some(s::<Me>);
    ChangePassword = "changePassword": POST "/api/me/password", Account, 200,
        "Change the password (current one required): every other session is signed out, the caller gets new tokens",
        query: &[], request: Some(s::<PasswordChange>), response: Some(s::<TokenResponse>);
    ChangeEmail = "changeEmail": POST "/api/me/email", Account, 202,
        "Change the e-mail (password required): a link valid 24 hours goes to the new address, which applies once confirmed",
        query: &[], request: Some(s::<EmailChange>), response: Some(s::<LinkSent>);
    ExportMe = "exportMe": GET "/api/me/export", Account, 200,
        "Everything QMI holds about the signed-in account, across every service, as one JSON file to download (other people by their ids only)",
        query: &[], request: None, response: Some(s::<PersonalData>);
    DeleteMe = "deleteMe": DELETE "/api/me", Account, 204,
        "Erase the signed-in account (password required): its authored records keep their content under an anonymous id, what is only about it is deleted; refused (409) while it is a commune's last admin",
        query: &[], request: Some(s::<EraseMe>), response: None;
    ListSessions = "listSessions": GET "/api/me/sessions", Account, 200,
        "The account's signed-in sessions (the QMI-Session header marks the caller's own as current)",
        query: &[], request: None, response: Some(s::<Vec<Session>>);
    RevokeSession = "revokeSession": DELETE "/api/me/sessions/{id}", Account, 204,
        "Sign out one of the account's sessions (its refresh token stops working)",
        query: &[], request: None, response: None;
    ListCommunes = "listCommunes": GET "/api/communes", Public, 200,
        "The tenant registry, filtered and cursor-paginated",
        query: COMMUNE_FILTERS, request: None, response: Some(s::<Page<Commune>>);
    GetFigures = "getFigures": GET "/api/figures", Public, 200,
        "The registry counted: communes and population per status, département and territory",
        query: &[], request: None, response: Some(s::<Figures>);
    GetCommune = "getCommune": GET "/api/communes/{insee}", Public, 200,
        "One commune of the registry",
        query: &[], request: None, response: Some(s::<Commune>);
    ListMembers = "listMembers": GET "/api/communes/{insee}/members", Tenant, 200,
        "The commune's people and their roles",
        query: PAGE, request: None, response: Some(s::<Page<Member>>);
    AddMember = "addMember": POST "/api/communes/{insee}/members", Tenant, 202,
        "Invite a person to the commune with a role (commune admin or programme operator): 202 and the pending invitation, the same whether or not the e-mail has an account; for a person already a member, the role changes at once (200 and the Member)",
        query: &[], request: Some(s::<AddMember>), response: Some(s::<InvitationSummary>);
    ListCommuneInvitations = "listCommuneInvitations": GET "/api/communes/{insee}/invitations", Tenant, 200,
        "The commune's pending invitations (commune admin or programme operator)",
        query: &[], request: None, response: Some(s::<Vec<InvitationSummary>>);
    ResendCommuneInvitation = "resendCommuneInvitation": POST "/api/communes/{insee}/invitations/{id}/resend", Tenant, 200,
        "Send a pending invitation again: a new link, valid 7 days; the old link no longer works",
        query: &[], request: None, response: Some(s::<InvitationSummary>);
    RevokeCommuneInvitation = "revokeCommuneInvitation": DELETE "/api/communes/{insee}/invitations/{id}", Tenant, 204,
        "Revoke a pending invitation: its link no longer works",
        query: &[], request: None, response: None;
    RemoveMember = "removeMember": DELETE "/api/communes/{insee}/members/{account}", Tenant, 204,
        "Remove a person from the commune",
        query: &[], request: None, response: None;
    ListAudit = "listAudit": GET "/api/communes/{insee}/audit", Tenant, 200,
        "The commune's audit trail, newest first: who did what to which record, when, from which request (its admins and programme operators)",
        query: AUDIT_FILTERS, request: None, response: Some(s::<AuditPage>);
    ExportAudit = "exportAudit": GET "/api/communes/{insee}/audit.csv", Tenant, 200,
        "The commune's audit trail as CSV, with the same filters (up to 50,000 entries)",
        query: AUDIT_FILTERS, request: None, response: Some(file_body);
    ListPlatformAudit = "listPlatformAudit": GET "/api/admin/audit", Operator, 200,
        "The platform's audit trail, newest first: sign-ins and operator actions on no commune (programme operators)",
        query: AUDIT_FILTERS, request: None, response: Some(s::<AuditPage>);
    GetUsage = "getUsage": GET "/api/admin/usage", Operator, 200,
        "Usage per commune, counts only: requests, accounts, stored records and bytes (hosting and programme operators)",
        query: &[], request: None, response: Some(s::<Usage>);
    GetRuntime = "getRuntime": GET "/api/admin/runtime", Operator, 200,
        "The runtime's figures per component and database, from its metrics (hosting and programme operators)",
        query: &[], request: None, response: Some(s::<RuntimeFigures>);
    CreateCommune = "createCommune": POST "/api/admin/communes", Operator, 201,
        "Add a commune of any metropolis to the registry",
        query: &[], request: Some(s::<NewCommune>), response: Some(s::<Commune>);
    SuspendCommune = "suspendCommune": POST "/api/admin/communes/{insee}/suspend", Operator, 200,
        "Suspend a commune, saying why (`reason`, required, kept in its status history): its people are refused",
        query: &[], request: Some(s::<Suspension>), response: Some(s::<Commune>);
    ListCommuneStatusHistory = "listCommuneStatusHistory": GET "/api/admin/communes/{insee}/history", Operator, 200,
        "A commune's suspensions and resumptions, newest first, with their reasons",
        query: &[], request: None, response: Some(s::<Vec<CommuneStatusEntry>>);
    ResumeCommune = "resumeCommune": POST "/api/admin/communes/{insee}/resume", Operator, 200,
        "Resume a suspended commune (back to its previous status)",
        query: &[], request: None, response: Some(s::<Commune>);
    RegisterOrganisation = "registerOrganisation": POST "/api/me/organisation", Principal, 201,
        "Record a profile the partners service has just created as the caller's organisation (the caller joins it unless an operator): called by `partners` for `createOrganisation`",
        query: &[], request: Some(s::<RegisterOrganisation>), response: Some(s::<Organisation>);
    AbsorbOrganisation = "absorbOrganisation": POST "/api/admin/organisations/{id}/absorb", Operator, 200,
        "Move the members, invitations and join requests of a merged record to this organisation (programme operators): called by `partners` for `mergeOrganisation`",
        query: &[], request: Some(s::<Repoint>), response: Some(s::<Repointed>);
    ListOrganisationMembers = "listOrganisationMembers": GET "/api/organisations/{id}/members", Principal, 200,
        "The organisation's members",
        query: &[], request: None, response: Some(s::<Vec<OrganisationMember>>);
    AddOrganisationMember = "addOrganisationMember": POST "/api/organisations/{id}/members", Principal, 202,
        "Invite a person by e-mail to join the organisation: a pending invitation, the same answer whether or not the e-mail has an account",
        query: &[], request: Some(s::<AddOrganisationMember>), response: Some(s::<InvitationSent>);
    RemoveOrganisationMember = "removeOrganisationMember": DELETE "/api/organisations/{id}/members/{account}", Principal, 204,
        "Detach an account from the organisation",
        query: &[], request: None, response: None;
    ListOrganisationInvitations = "listOrganisationInvitations": GET "/api/organisations/{id}/invitations", Principal, 200,
        "The organisation's pending invitations (its members or a programme operator)",
        query: &[], request: None, response: Some(s::<Vec<InvitationSummary>>);
    ResendOrganisationInvitation = "resendOrganisationInvitation": POST "/api/organisations/{id}/invitations/{invitation}/resend", Principal, 200,
        "Send a pending invitation again: a new link, valid 7 days; the old link no longer works",
        query: &[], request: None, response: Some(s::<InvitationSummary>);
    RevokeOrganisationInvitation = "revokeOrganisationInvitation": DELETE "/api/organisations/{id}/invitations/{invitation}", Principal, 204,
        "Revoke a pending invitation: its link no longer works",
        query: &[], request: None, response: None;
    CreateJoinRequest = "createJoinRequest": POST "/api/organisations/{id}/join-requests", Principal, 202,
        "Ask to join the organisation (a confirmed account without one); its members are told. Asking again while pending changes nothing",
        query: &[], request: None, response: Some(s::<JoinRequest>);
    ListJoinRequests = "listJoinRequests": GET "/api/organisations/{id}/join-requests", Principal, 200,
        "The pending requests to join the organisation (its members or a programme operator)",
        query: &[], request: None, response: Some(s::<Vec<JoinRequest>>);
    ApproveJoinRequest = "approveJoinRequest": POST "/api/organisations/{id}/join-requests/{request}/approve", Principal, 200,
        "Approve a request: the account joins the organisation (a member or a programme operator)",
        query: &[], request: None, response: Some(s::<JoinRequest>);
    RefuseJoinRequest = "refuseJoinRequest": POST "/api/organisations/{id}/join-requests/{request}/refuse", Principal, 200,
        "Refuse a request (a member or a programme operator)",
        query: &[], request: None, response: Some(s::<JoinRequest>);
    InviteToProgramme = "inviteToProgramme": POST "/api/admin/invitations", Operator, 202,
        "Invite a person to the programme team (programme operators): 202 and the pending invitation, the same whether or not the e-mail has an account",
        query: &[], request: Some(s::<NewTeamInvitation>), response: Some(s::<InvitationSummary>);
    ListProgrammeInvitations = "listProgrammeInvitations": GET "/api/admin/invitations", Operator, 200,
        "The programme team's pending invitations (programme operators)",
        query: &[], request: None, response: Some(s::<Vec<InvitationSummary>>);
    ResendProgrammeInvitation = "resendProgrammeInvitation": POST "/api/admin/invitations/{id}/resend", Operator, 200,
        "Send a pending invitation to the programme team again: a new link, valid 7 days; the old link no longer works",
        query: &[], request: None, response: Some(s::<InvitationSummary>);
    RevokeProgrammeInvitation = "revokeProgrammeInvitation": DELETE "/api/admin/invitations/{id}", Operator, 204,
        "Revoke a pending invitation to the programme team",
        query: &[], request: None, response: None;
    SetCommuneStatus = "setCommuneStatus": PUT "/api/admin/communes/{insee}/status", Operator, 200,
        "Set a commune's programme status (member, candidate, district); used by the call for communes",
        query: &[], request: Some(s::<CommuneStatusChange>), response: Some(s::<Commune>);
}
