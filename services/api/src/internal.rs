//! The internal routes: calls between components that no person makes.
//!
//! Each target component serves `/internal/<component>/…` without the gateway
//! and answers only requests carrying `Authorization: Bearer <internal_token>`
//! (a secret Spin variable shared by the components; the route exists on the
//! public listener of a single `spin up` too). A caller reaches it at the base
//! URL of a Spin variable: by default the target's service-chaining origin
//! (`http://<component>.spin.internal`, in-process), and, when the components
//! are deployed apart (SpinKube), the in-cluster Service of the target's
//! SpinApp — never the public Ingress, which does not route `/internal/`.

/// The Spin variable holding the shared token of the internal routes.
pub const TOKEN_VARIABLE: &str = "internal_token";

/// Where a component's internal route is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The Spin variable holding its base URL (an origin, no path).
    pub url_variable: &'static str,
    /// The base URL when the variable is unset or empty (service chaining).
    pub default_url: &'static str,
    /// The route's path prefix.
    pub prefix: &'static str,
}

/// The partner directory: presences (`POST`) and organisation cards (`GET`).
pub const PARTNERS: Target = Target {
    url_variable: "partners_url",
    default_url: "http://partners.spin.internal",
    prefix: "/internal/partners",
};

/// The notifications component: deposits of the services' outboxes (`POST`).
pub const NOTIFICATIONS: Target = Target {
    url_variable: "notifications_url",
    default_url: "http://notifications.spin.internal",
    prefix: "/internal/notifications",
};

/// Identity: its audit chains and usage (`GET`). A person's data it gathers from
/// the others ([`PERSONAL`]) and holds itself.
pub const IDENTITY: Target = Target {
    url_variable: "identity_url",
    default_url: "http://identity.spin.internal",
    prefix: "/internal/identity",
};

/// Applications: its audit chains and usage, a person's data.
pub const APPLICATIONS: Target = Target {
    url_variable: "applications_url",
    default_url: "http://applications.spin.internal",
    prefix: "/internal/applications",
};

/// Districts: its audit chains and usage, a person's data.
pub const DISTRICTS: Target = Target {
    url_variable: "districts_url",
    default_url: "http://districts.spin.internal",
    prefix: "/internal/districts",
};

/// Experiments: its audit chains and usage, a person's data.
pub const EXPERIMENTS: Target = Target {
    url_variable: "experiments_url",
    default_url: "http://experiments.spin.internal",
    prefix: "/internal/experiments",
};

/// The services that keep tenant content, in [`crate::accountability::AUDITED_SERVICES`]
/// order: each answers `GET <prefix>/audit` and `GET <prefix>/usage`.
pub const AUDITED: [Target; 5] = [IDENTITY, APPLICATIONS, DISTRICTS, EXPERIMENTS, PARTNERS];

/// `GET ?insee=&account=&record=&action=&from=&to=&before=&limit=`: a service's audit
/// entries, newest first ([`crate::accountability::AuditEntry`] list).
pub const AUDIT_SUFFIX: &str = "/audit";
/// `GET`: a service's rows and bytes per commune ([`crate::accountability::ServiceUsage`]).
pub const USAGE_SUFFIX: &str = "/usage";

/// `GET ?account=&organisation=&email=`: a person's records in a service
/// ([`crate::personal::ServicePart`]).
pub const EXPORT_SUFFIX: &str = "/export";
/// `POST`: a person's erasure in a service ([`crate::personal::EraseAccount`] →
/// [`crate::personal::Erased`]).
pub const ERASE_SUFFIX: &str = "/erase";

/// The services identity asks for a person's data, in the order an erasure runs
/// (notifications last: the others' outboxes may still name the account).
pub const PERSONAL: [(&str, Target); 5] = [
    ("applications", APPLICATIONS),
    ("districts", DISTRICTS),
    ("experiments", EXPERIMENTS),
    ("partners", PARTNERS),
    ("notifications", NOTIFICATIONS),
];

/// `POST`: where an organisation is present ([`crate::partners::Presence`]).
pub const PARTNERS_PRESENCE: &str = "/internal/partners/presence";
/// `GET ?ids=a,b`: organisation cards (`[identity::Organisation]`).
pub const PARTNERS_CARDS: &str = "/internal/partners/cards";
/// `POST`: a batch of envelopes ([`crate::notifications::Deposit`]).
pub const NOTIFICATIONS_DEPOSIT: &str = "/internal/notifications/deposit";

/// Whether two tokens are equal, in time independent of where they differ; an
/// empty expected token matches nothing (an unset token closes the routes).
pub fn tokens_match(expected: &str, given: &str) -> bool {
    if expected.is_empty() || expected.len() != given.len() {
        return false;
    }
    expected
        .bytes()
        .zip(given.bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lie_under_their_targets() {
        assert!(PARTNERS_PRESENCE.starts_with(&format!("{}/", PARTNERS.prefix)));
        assert!(PARTNERS_CARDS.starts_with(&format!("{}/", PARTNERS.prefix)));
        assert!(NOTIFICATIONS_DEPOSIT.starts_with(&format!("{}/", NOTIFICATIONS.prefix)));
        for (service, target) in PERSONAL {
            assert_eq!(target.prefix, format!("/internal/{service}"));
        }
        for (target, service) in AUDITED.iter().zip(crate::accountability::AUDITED_SERVICES) {
            assert_eq!(target.prefix, format!("/internal/{service}"));
            assert_eq!(
                target.default_url,
                format!("http://{service}.spin.internal")
            );
        }
    }

    #[test]
    fn tokens_match_exactly_and_never_when_unset() {
        assert!(tokens_match("s3cret", "s3cret"));
        assert!(!tokens_match("s3cret", "s3creT"));
        assert!(!tokens_match("s3cret", "s3cre"));
        assert!(!tokens_match("s3cret", ""));
        assert!(!tokens_match("", ""));
    }
}
