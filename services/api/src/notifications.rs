//! Notifications: what a service tells people (in the app and by e-mail), and the
//! envelope in which it hands them to the `notifications` component.
//!
//! A service writes an [`Envelope`] into its own outbox in the same transaction as
//! the change that causes it (`qmi_kit::outbox`), then relays it to the
//! notifications component (`POST /internal/notifications/deposit`, an internal
//! route: [`crate::internal`]). The notifications component keeps the in-app notices, the
//! people's e-mail preferences and a directory of recipients (e-mail, name,
//! language, organisation — fed by identity's [`Event::Account`] events), renders
//! each message in the recipient's language and delivers e-mails through the HTTP
//! e-mail API. The envelope id makes every step idempotent: a relay retried after
//! a lost answer deposits nothing twice, and an e-mail is sent at most once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::identity::{Email, Lang};
use crate::tenancy::{Insee, MembershipRole};

/// One message or fact, as a service deposits it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Envelope {
    /// The producer's outbox id (UUID v7): the idempotency key of every later step.
    pub id: String,
    /// When the change was committed (RFC 3339, UTC).
    pub at: String,
    /// The commune whose content the message carries (a call, an application, a
    /// decision), if any: its notices are hidden while that commune is suspended, as
    /// the rest of its content is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Insee>,
    /// What happened.
    pub event: Event,
}

/// `POST /deposit` on the notifications component (private route).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deposit {
    /// Envelopes, oldest first.
    pub envelopes: Vec<Envelope>,
}

/// Who a message is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Recipient {
    /// An account (its e-mail, name and language come from the directory).
    Account {
        /// Account id.
        account_id: String,
    },
    /// Every member of an organisation.
    Organisation {
        /// Organisation id.
        organisation_id: String,
    },
    /// An address without an account yet (an invitation, a confirmation).
    Address {
        /// The e-mail.
        email: Email,
        /// The name to greet, if known.
        #[serde(default)]
        name: Option<String>,
        /// The language to write in.
        lang: Lang,
    },
}

/// What a service tells the notifications component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// An account's current profile (identity, on every change): keeps the
    /// directory of recipients. Not a message.
    Account {
        /// Account id.
        account_id: String,
        /// Current e-mail.
        email: Email,
        /// Display name.
        name: String,
        /// Language.
        lang: Lang,
        /// The organisation it belongs to.
        #[serde(default)]
        organisation_id: Option<String>,
    },
    /// An invitation to join QMI (a commune, the programme team, an organisation).
    Invitation {
        /// To whom.
        recipient: Recipient,
        /// Who invites (display name).
        inviter: String,
        /// What is joined ("Commune de Montreuil — agent", an organisation's name…).
        joining: String,
        /// The single-use link (absolute URL).
        link: String,
        /// When the link expires (RFC 3339, UTC).
        expires_at: String,
    },
    /// Confirm an e-mail address (sign-up or change of address).
    EmailConfirmation {
        /// To whom (the address to confirm).
        recipient: Recipient,
        /// The single-use link (absolute URL).
        link: String,
        /// When it expires (RFC 3339, UTC).
        expires_at: String,
    },
    /// Reset a forgotten password.
    PasswordReset {
        /// To whom.
        recipient: Recipient,
        /// The single-use link (absolute URL).
        link: String,
        /// When it expires (RFC 3339, UTC).
        expires_at: String,
    },
    /// The password was changed (a security message).
    PasswordChanged {
        /// To whom.
        recipient: Recipient,
    },
    /// Someone asks to join an organisation; its members approve or refuse.
    JoinRequest {
        /// The organisation's members.
        recipient: Recipient,
        /// Who asks (display name and e-mail).
        requester: String,
        /// The organisation's name.
        organisation: String,
        /// Where to answer (absolute URL).
        link: String,
    },
    /// A request to join an organisation was refused (an approval is a [`Event::Membership`]).
    JoinRefused {
        /// The person who asked.
        recipient: Recipient,
        /// The organisation's name.
        organisation: String,
    },
    /// A person was added to, or removed from, a commune or an organisation.
    Membership {
        /// Who is told (the person, or the organisation's members).
        recipient: Recipient,
        /// The person concerned (display name).
        person: String,
        /// The commune or organisation (display name).
        place: String,
        /// The commune, for a commune membership.
        #[serde(default)]
        commune: Option<Insee>,
        /// The role given, for a commune membership.
        #[serde(default)]
        role: Option<MembershipRole>,
        /// Added (`true`) or removed.
        added: bool,
    },
    /// An application or candidacy was received: a receipt with a copy of the answers.
    ApplicationReceived {
        /// The applicant.
        recipient: Recipient,
        /// The call's title.
        call: String,
        /// The answers, as submitted (label, value).
        answers: Vec<(String, String)>,
        /// Where to follow it (absolute URL).
        link: String,
    },
    /// An application to review was assigned.
    ReviewAssigned {
        /// The reviewer.
        recipient: Recipient,
        /// The call's title.
        call: String,
        /// The application's title or applicant.
        application: String,
        /// Where to review (absolute URL).
        link: String,
    },
    /// A call closes within 72 hours and the recipient holds a draft.
    CallClosing {
        /// The organisation (or account) holding the draft.
        recipient: Recipient,
        /// The call's title.
        call: String,
        /// When it closes (RFC 3339, UTC).
        closes_at: String,
        /// Where to finish the draft (absolute URL).
        link: String,
    },
    /// A decision on an application or candidacy was published.
    DecisionPublished {
        /// The applicant.
        recipient: Recipient,
        /// The call's title.
        call: String,
        /// Selected (`true`) or not.
        selected: bool,
        /// The decision letter, as published.
        letter: String,
        /// Where to read it (absolute URL).
        link: String,
    },
}

/// The e-mails a person may choose not to receive. Invitations, confirmations,
/// password and security messages are always sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Receipts of applications and candidacies.
    Receipts,
    /// Assignments to review.
    Reviews,
    /// Reminders before a call closes.
    Deadlines,
    /// Published decisions.
    Decisions,
    /// Members added to or removed from one's commune or organisation.
    Memberships,
}

impl Topic {
    /// Every topic, in display order.
    pub const ALL: [Topic; 5] = [
        Self::Receipts,
        Self::Reviews,
        Self::Deadlines,
        Self::Decisions,
        Self::Memberships,
    ];
}

impl Event {
    /// The topic a person may opt out of by e-mail; `None`: always sent (or not a message).
    pub fn topic(&self) -> Option<Topic> {
        match self {
            Self::Account { .. }
            | Self::Invitation { .. }
            | Self::EmailConfirmation { .. }
            | Self::PasswordReset { .. }
            | Self::PasswordChanged { .. }
            | Self::JoinRequest { .. }
            | Self::JoinRefused { .. } => None,
            Self::Membership { .. } => Some(Topic::Memberships),
            Self::ApplicationReceived { .. } => Some(Topic::Receipts),
            Self::ReviewAssigned { .. } => Some(Topic::Reviews),
            Self::CallClosing { .. } => Some(Topic::Deadlines),
            Self::DecisionPublished { .. } => Some(Topic::Decisions),
        }
    }

    /// Whether the event is a message to somebody (every kind but [`Event::Account`]).
    pub fn recipient(&self) -> Option<&Recipient> {
        match self {
            Self::Account { .. } => None,
            Self::Invitation { recipient, .. }
            | Self::EmailConfirmation { recipient, .. }
            | Self::PasswordReset { recipient, .. }
            | Self::PasswordChanged { recipient }
            | Self::JoinRequest { recipient, .. }
            | Self::JoinRefused { recipient, .. }
            | Self::Membership { recipient, .. }
            | Self::ApplicationReceived { recipient, .. }
            | Self::ReviewAssigned { recipient, .. }
            | Self::CallClosing { recipient, .. }
            | Self::DecisionPublished { recipient, .. } => Some(recipient),
        }
    }
}

/// An in-app notification (`GET /api/notifications`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Notice {
    /// Notice id.
    pub id: String,
    /// The event kind (`application_received`, `review_assigned`…).
    pub kind: String,
    /// One line, in the person's language.
    pub title: String,
    /// A few lines, in the person's language.
    pub body: String,
    /// Where it leads in the app (a path), if anywhere.
    #[serde(default)]
    pub link: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// Whether the person has read it.
    pub read: bool,
}

/// `GET /api/notifications/unread`: the count shown in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Unread {
    /// Unread notices.
    pub unread: u32,
}

/// `GET|PUT /api/notifications/preferences`: which e-mails a person receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The topics received by e-mail (the others appear in the app only).
    pub email: Vec<Topic>,
}

/// `POST /api/notifications/deliveries` (hosting operator, or a scheduler):
/// what one delivery pass did. Counts only: no content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryRun {
    /// E-mails accepted by the e-mail API.
    pub sent: u32,
    /// Attempts that failed (retried later with backoff).
    pub failed: u32,
    /// E-mails still waiting (not yet due, or failed).
    pub pending: u32,
}
