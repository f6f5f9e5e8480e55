//! Organisations, their members and invitations, invitation links, sign-up
//! and requests to join.

use super::*;

/// What an organisation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A startup.
    Startup,
    /// A non-profit association.
    Association,
    /// A small or medium enterprise.
    Sme,
    /// A large company.
    LargeCompany,
    /// A public body.
    PublicBody,
    /// A funder (e.g. a public investment bank).
    Funder,
    /// A research organisation.
    Research,
}

impl OrganisationKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::Startup,
        Self::Association,
        Self::Sme,
        Self::LargeCompany,
        Self::PublicBody,
        Self::Funder,
        Self::Research,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Startup => "startup",
            Self::Association => "association",
            Self::Sme => "sme",
            Self::LargeCompany => "large_company",
            Self::PublicBody => "public_body",
            Self::Funder => "funder",
            Self::Research => "research",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A partner organisation (the shared directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Organisation {
    /// Id (UUID v7).
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country.
    pub country: Country,
    /// SIRET (French organisations).
    pub siret: Option<Siret>,
}

/// `POST /api/me/organisation`: the profile `partners` has just created,
/// recorded by identity (the organisation's id, and the caller's membership).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganisation {
    /// The new profile's id.
    pub id: String,
}

/// A member of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationMember {
    /// Account id.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// `POST /api/organisations/{id}/members`: invites a person, by e-mail, to join
/// the organisation. Nobody is enrolled without consenting: the invitation waits
/// until the person accepts it (`POST /api/me/invitations/{id}/accept`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddOrganisationMember {
    /// The person's e-mail.
    pub email: Email,
}

/// The answer to `POST /api/organisations/{id}/members` (202): the same whether
/// or not the e-mail has an account, or belongs to an organisation, so that it
/// tells nothing about who is registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationSent {
    /// The organisation.
    pub organisation_id: String,
    /// The e-mail invited.
    pub email: Email,
    /// Always `pending`: the person accepts or declines.
    pub status: String,
}

/// `GET /api/me/invitations`: an invitation, addressed to the signed-in
/// account's e-mail, to join an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Invitation {
    /// Invitation id (UUID v7): accept or decline it at
    /// `/api/me/invitations/{id}/accept|decline`.
    pub id: String,
    /// The organisation to join.
    pub organisation: Organisation,
    /// When it was sent (RFC 3339, UTC).
    pub invited_at: String,
}

/// What an invitation lets its addressee join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Joining {
    /// A commune, with a role.
    Commune {
        /// The commune.
        insee: Insee,
        /// Its name.
        name: String,
        /// The role given.
        role: MembershipRole,
    },
    /// The programme team (platform role `programme`).
    Programme,
    /// An organisation.
    Organisation {
        /// The organisation's id.
        organisation_id: String,
        /// Its name.
        name: String,
    },
}

/// A pending invitation as its inviters see it: the answer (202) of
/// `POST /api/communes/{insee}/members` and `POST /api/admin/invitations`, the
/// items of the invitation lists, the answer of a resend. The same whether or not
/// the e-mail has an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationSummary {
    /// Invitation id (UUID v7): resend it or revoke it by this id.
    pub id: String,
    /// The address invited.
    pub email: Email,
    /// What it joins.
    pub joining: Joining,
    /// Who invited (display name).
    pub invited_by: String,
    /// When it was (last) sent (RFC 3339, UTC).
    pub sent_at: String,
    /// When its link expires (RFC 3339, UTC): 7 days after it was sent.
    pub expires_at: String,
}

/// `POST /api/admin/invitations`: invite a person to the programme team.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeamInvitation {
    /// The person's e-mail.
    pub email: Email,
    /// Display name proposed to a person without an account yet.
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /api/auth/invitations/{token}`: what an invitation link offers, before it
/// is accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationPreview {
    /// What it joins.
    pub joining: Joining,
    /// Who invited (display name).
    pub invited_by: String,
    /// The address invited.
    pub email: Email,
    /// The name the inviter gave, proposed to a newcomer.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether an account with a password has this e-mail: accepting then takes
    /// its current password (no name, no new password).
    pub account_exists: bool,
    /// When the link expires (RFC 3339, UTC).
    pub expires_at: String,
}

/// `POST /api/auth/invitations/{token}/accept`. A newcomer (or an invited
/// account without a password yet) chooses `name`, `password` (at least 12
/// characters) and `lang`; an existing account gives its current `password` only.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// Display name (a newcomer).
    #[serde(default)]
    pub name: Option<String>,
    /// The new password (a newcomer), or the account's current one.
    pub password: String,
    /// Preferred language (a newcomer; default `fr`).
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// `POST /api/auth/sign-up`: a partner creates an account. The answer (202,
/// [`SignUpReceived`]) is the same whether or not the e-mail is taken; the account
/// can apply once its e-mail is confirmed (`POST /api/auth/confirm-email`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// E-mail (confirmed by a link valid 24 hours).
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Password (at least 12 characters).
    pub password: String,
    /// Preferred language (default `fr`).
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// The answer (202) to `POST /api/auth/sign-up`: the same whether or not the
/// e-mail was free.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignUpReceived {
    /// The address a message was sent to.
    pub email: Email,
    /// How long the confirmation link stays valid, in seconds (86,400).
    pub expires_in: u64,
}

/// `POST /api/auth/confirm-email`: the token of a sign-up's confirmation link
/// (`/confirmer/{token}`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmail {
    /// The token of the link.
    pub token: String,
}

/// A request to join an organisation (`GET /api/organisations/{id}/join-requests`,
/// the answer of `POST` there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JoinRequest {
    /// Request id (UUID v7): approve or refuse it by this id.
    pub id: String,
    /// The organisation.
    pub organisation_id: String,
    /// The account asking.
    pub account_id: String,
    /// Its display name.
    pub name: String,
    /// Its e-mail.
    pub email: Email,
    /// `pending`, `approved` or `refused`.
    pub status: JoinRequestStatus,
    /// When it was made (RFC 3339, UTC).
    pub requested_at: String,
}

/// Where a request to join stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestStatus {
    /// Waiting for a member's answer.
    Pending,
    /// Approved: the account joined.
    Approved,
    /// Refused.
    Refused,
}

impl JoinRequestStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Refused]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}
