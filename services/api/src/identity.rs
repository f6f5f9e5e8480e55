//! Request and response types of the identity service: the tenant registry,
//! accounts, tokens, memberships, organisations. Validated values are parsed
//! at the edge (`Email`, `Country`, `Siret`…), so a handler never holds an
//! invalid one.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tenancy::{Insee, MembershipRole, PlatformRole};

macro_rules! string_newtype {
    ($(#[$m:meta])* $name:ident, $err:literal, $schema:tt) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

string_newtype!(
    /// An e-mail address, trimmed and lower-cased (accounts are unique by it,
    /// case-insensitively).
    Email, "email", { "type": "string", "format": "email", "maxLength": 254 }
);

impl FromStr for Email {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_lowercase();
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(format!("{s:?} is not an e-mail address"));
        };
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s))
        } else {
            Err(format!("{s:?} is not an e-mail address"))
        }
    }
}

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

string_newtype!(
    /// A country, ISO 3166-1 alpha-2 (`FR`, `DE`…), upper-cased.
    Country, "country", { "type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2" }
);

impl FromStr for Country {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let up = s.trim().to_ascii_uppercase();
        if up.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == up) {
            Ok(Self(up))
        } else {
            Err(format!("{s:?} is not an ISO 3166-1 alpha-2 country code"))
        }
    }
}

impl Country {
    /// Whether this is France (a SIRET is then required).
    pub fn is_france(&self) -> bool {
        self.0 == "FR"
    }
}

string_newtype!(
    /// A French establishment number: 14 digits passing the Luhn check (La
    /// Poste's establishments, SIREN 356000000, use a digit sum divisible by 5).
    Siret, "siret", { "type": "string", "pattern": "^[0-9]{14}$" }
);

impl FromStr for Siret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{s:?} is not a SIRET (14 digits)"));
        }
        let ok = if digits.starts_with("356000000") && digits != "35600000000048" {
            digits.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0
        } else {
            luhn(&digits)
        };
        if ok {
            Ok(Self(digits))
        } else {
            Err(format!("{s:?} fails the SIRET check digit (Luhn)"))
        }
    }
}

/// The Luhn checksum of a digit string.
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A commune's place in the programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommuneStatus {
    /// A member of the metropolis, not (yet) in the programme.
    Member,
    /// Has applied to host a district.
    Candidate,
    /// Hosts an active innovation district.
    District,
    /// Suspended by an operator: its people are refused.
    Suspended,
}

impl CommuneStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Member,
        Self::Candidate,
        Self::District,
        Self::Suspended,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Candidate => "candidate",
            Self::District => "district",
            Self::Suspended => "suspended",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A commune of the tenant registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Commune {
    /// INSEE code (tenant key).
    pub insee: Insee,
    /// Official name.
    pub name: String,
    /// Département code (`75`, `93`, `2A`, `974`).
    pub departement: String,
    /// Territorial establishment (EPT) SIREN; Paris is its own territory.
    pub ept_code: Option<String>,
    /// Territorial establishment name.
    pub ept_name: Option<String>,
    /// The metropolis (EPCI SIREN), `200054781` for the Métropole du Grand Paris.
    pub metropolis_code: Option<String>,
    /// INSEE legal population.
    pub population: Option<u64>,
    /// Status in the programme.
    pub status: CommuneStatus,
}

/// `GET /api/figures`: the registry counted — what the home page shows, without
/// reading the registry page by page (10,000 communes stay one request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Figures {
    /// Communes in the registry.
    pub communes: u64,
    /// Their total legal population.
    pub population: u64,
    /// Per status in the programme (`code` is the status wire name).
    pub by_status: Vec<Tally>,
    /// Per département (`code` is the département code).
    pub by_departement: Vec<Tally>,
    /// Per territory (`code` is the EPT SIREN, `name` its name), largest first.
    pub by_territory: Vec<Tally>,
}

impl Figures {
    /// The number of communes with `status`.
    pub fn with_status(&self, status: CommuneStatus) -> u64 {
        self.by_status
            .iter()
            .find(|t| t.code == status.as_str())
            .map_or(0, |t| t.communes)
    }
}

/// Communes and population of one group of [`Figures`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// The group's code.
    pub code: String,
    /// The group's name, where it has one.
    pub name: Option<String>,
    /// Communes in the group.
    pub communes: u64,
    /// Their total legal population.
    pub population: u64,
}

/// `POST /api/admin/communes`: adds a commune of any metropolis.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommune {
    /// INSEE code.
    pub insee: Insee,
    /// Official name.
    pub name: String,
    /// EPT SIREN, if any.
    #[serde(default)]
    pub ept_code: Option<String>,
    /// EPT name, if any.
    #[serde(default)]
    pub ept_name: Option<String>,
    /// The metropolis (EPCI SIREN).
    #[serde(default)]
    pub metropolis_code: Option<String>,
    /// Population.
    #[serde(default)]
    pub population: Option<u64>,
    /// Initial status (default `member`; not `suspended`).
    #[serde(default)]
    pub status: Option<CommuneStatus>,
}

/// `POST /api/admin/communes/{insee}/suspend`: why the commune is suspended
/// (required; kept with the commune's status history).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suspension {
    /// The reason, 3 to 500 characters.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One change of a commune's status (`GET /api/admin/communes/{insee}/history`),
/// newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommuneStatusEntry {
    /// The status the commune took.
    pub status: CommuneStatus,
    /// Why (required for a suspension).
    pub reason: Option<String>,
    /// The account that made the change, if a person made it.
    pub by: Option<String>,
    /// When, RFC 3339 (UTC).
    pub at: String,
}

/// `POST /api/auth/token`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TokenRequest {
    /// Account e-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `POST /api/auth/refresh` and `POST /api/auth/logout`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RefreshRequest {
    /// The refresh token of a previous token response.
    pub refresh_token: String,
}

/// A token response (RFC 6749 §5.1).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TokenResponse {
    /// JWT (EdDSA), 15 minutes.
    pub access_token: String,
    /// Opaque, single use: exchange it at `/api/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (900).
    pub expires_in: u64,
    /// The session (refresh-token family) these tokens belong to, as listed by
    /// `GET /api/me/sessions`: send it back in [`SESSION_HEADER`] to have that
    /// session marked `current`. Absent from answers of older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// Preferred language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// French (default).
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }
}

/// A membership of the signed-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MyMembership {
    /// The commune.
    pub insee: Insee,
    /// Its name.
    pub name: String,
    /// The role held there.
    pub role: MembershipRole,
}

/// `GET /api/me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Me {
    /// Account id (UUID v7).
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Preferred language.
    pub lang: Lang,
    /// Platform roles.
    pub platform_roles: Vec<PlatformRole>,
    /// The organisation the account belongs to.
    pub organisation: Option<Organisation>,
    /// Commune memberships that give rights now: exactly those of the access token.
    pub memberships: Vec<MyMembership>,
    /// Memberships in suspended communes: they give no right (tokens leave them
    /// out) until the commune is resumed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspended_memberships: Vec<MyMembership>,
}

/// A member of a commune (tenant content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Member {
    /// Account id.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role in the commune.
    pub role: MembershipRole,
    /// The organisation the account belongs to, if any (for conflict-of-interest
    /// checks: a reviewer whose organisation applied to a call).
    #[serde(default)]
    pub organisation: Option<String>,
}

/// `POST /api/communes/{insee}/members`: gives an account a role in the
/// commune (replacing its previous role there). An unknown e-mail creates an
/// invited account (no password yet) when `name` is given.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The person's e-mail.
    pub email: Email,
    /// The role to give.
    pub role: MembershipRole,
    /// Display name, for a person without an account yet.
    #[serde(default)]
    pub name: Option<String>,
}

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

/// `POST /api/organisations`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Country,
    /// SIRET, required when the country is FR.
    #[serde(default)]
    pub siret: Option<Siret>,
}

/// `PATCH /api/organisations/{id}`: the fields to change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New kind.
    #[serde(default)]
    pub kind: Option<OrganisationKind>,
    /// New country.
    #[serde(default)]
    pub country: Option<Country>,
    /// New SIRET.
    #[serde(default)]
    pub siret: Option<Siret>,
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

// ---------------------------------------------------------------- the account page

/// The request header (`QMI-Session`; not `X-QMI-…`, a prefix the gateway strips as
/// internal) naming the caller's own session (the `session_id` of its
/// [`TokenResponse`]), so that `GET /api/me/sessions` marks it `current`. It only
/// marks: every session listed is the caller's, whatever the header says.
pub const SESSION_HEADER: &str = "qmi-session";

/// Minimum length of a password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;

/// `POST /api/auth/password-reset`: sends a reset link to the account with this
/// e-mail, if there is one.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's e-mail.
    pub email: String,
}

/// `POST /api/auth/password-reset/confirm`: the token of the e-mailed link
/// (`/reinitialiser/{token}`) and the new password.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token of the link.
    pub token: String,
    /// The new password (at least 12 characters).
    pub password: String,
}

/// The answer (202) to a request that e-mails a link (`POST
/// /api/auth/password-reset`, `POST /api/me/email`): the same whether or not a
/// link was sent, so that it tells nothing about who is registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LinkSent {
    /// The address written to (if it may receive the link).
    pub email: Email,
    /// How long the link stays valid, in seconds.
    pub expires_in: u64,
}

/// `POST /api/me/password`: change the signed-in account's password.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 12 characters).
    pub new_password: String,
}

/// `PATCH /api/me`: the signed-in account's name and language (absent: unchanged).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// Display name (1 to 200 characters, no control character).
    #[serde(default)]
    pub name: Option<String>,
    /// Preferred language.
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// `POST /api/me/email`: change the signed-in account's e-mail. A confirmation
/// link goes to the new address; the change applies once it is followed.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    /// The new e-mail.
    pub email: String,
    /// The current password.
    pub password: String,
}

/// `GET /api/me/sessions`: one signed-in session of the account (a refresh-token
/// family: one sign-in and its renewals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Session {
    /// Session id (the `session_id` of its token responses); sign it out with
    /// `DELETE /api/me/sessions/{id}`.
    pub id: String,
    /// When it signed in (RFC 3339, UTC).
    pub started_at: String,
    /// When its tokens were last renewed (RFC 3339, UTC).
    pub last_used_at: String,
    /// The browser or client that signed in (its `User-Agent`, shortened), if known.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Whether it is the session named by the request's [`SESSION_HEADER`].
    pub current: bool,
}

// ---------------------------------------------------------------- invitations and sign-up

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            "  Camille@Example.FR ".parse::<Email>().unwrap().as_str(),
            "camille@example.fr"
        );
        for bad in ["", "a", "a@b", "@b.fr", "a b@c.fr", "a@.fr", "a@b."] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
        assert!("fr".parse::<Country>().unwrap().is_france());
        assert!("DE".parse::<Country>().is_ok());
        assert!("XX".parse::<Country>().is_err());
        assert!("FRA".parse::<Country>().is_err());
    }

    #[test]
    fn sirets() {
        // Real establishments: INSEE's head office, Etalab (DINUM).
        assert!("12002701600357".parse::<Siret>().is_ok());
        assert!("130 025 265 00013".parse::<Siret>().is_ok());
        assert!("12002701600358".parse::<Siret>().is_err());
        assert!("1200270160035".parse::<Siret>().is_err());
        assert!("1200270160035a".parse::<Siret>().is_err());
        // La Poste: digit sum divisible by 5.
        assert!("35600000000048".parse::<Siret>().is_ok());
        assert!("35600000012346".parse::<Siret>().is_ok());
        assert!("35600000012345".parse::<Siret>().is_err());
        assert!(luhn("79927398713"));
    }
}
