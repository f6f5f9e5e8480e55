//! `qmi-notifications`: what QMI tells people, in the app and by e-mail.
//!
//! Services deposit [`qmi_api::notifications::Envelope`]s on the internal route
//! `POST /internal/notifications/deposit` (from their outbox, `qmi_kit::outbox`).
//! This component keeps a directory of recipients (fed by identity's `account`
//! events), writes the in-app notices, renders each message in the recipient's
//! language ([`templates`]) and delivers the e-mails through an HTTP e-mail API
//! (Spin variables `mail_api_url`, `mail_api_key`, `mail_from`) with retries and
//! backoff ([`delivery`]). People read their notices and choose their e-mails on
//! `/api/notifications…`; who may do what is decided by the `policy` component.
//! The Spin handler lives in `component` (wasm32 only).

pub mod delivery;
pub mod templates;
pub mod when;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod deposit;
#[cfg(target_arch = "wasm32")]
mod mailer;
#[cfg(target_arch = "wasm32")]
mod personal;

/// The SQLite label of the notifications database.
pub const DATABASE: &str = "notifications";

/// The notifications database's tables (`migrations/`). None belongs to one
/// commune: every row is a recipient's (directory, preferences, notices, waiting
/// envelopes, mails) or a producer's envelope, whatever commune it came from
/// (`envelopes.tenant` and `notices.tenant` only say where an event happened), and
/// they are written on the producers' outbox deposits, not on a commune's
/// decision — so every query takes the platform path.
pub const SCHEMA: qmi_kit::sql::Schema = qmi_kit::sql::Schema {
    tenant: &[],
    platform: &[
        "envelopes",
        "directory",
        "waiting",
        "notices",
        "preferences",
        "mails",
    ],
};

/// The internal route services deposit envelopes on ([`qmi_api::internal`]).
pub const DEPOSIT_PATH: &str = qmi_api::internal::NOTIFICATIONS_DEPOSIT;
