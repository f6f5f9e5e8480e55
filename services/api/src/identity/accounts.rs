//! Tokens, the signed-in account, a commune's members and the account page.

use super::*;

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
