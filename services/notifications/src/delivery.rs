//! The e-mail delivery rules: what an answer of the e-mail API means for a mail,
//! and when a failed one is tried again (1 minute, doubling, at most 6 hours; after
//! [`MAX_ATTEMPTS`] failures it is `failed` for good).

use qmi_kit::outbox::backoff;

/// Attempts before a mail is given up.
pub const MAX_ATTEMPTS: u32 = 10;

/// How long a delivery pass holds the mails it claimed (seconds).
pub const LEASE_SECONDS: i64 = 120;

/// The wait after `attempts` failed attempts (seconds).
pub fn mail_backoff(attempts: u32) -> i64 {
    backoff(attempts, 60, 6 * 3600)
}

/// A mail's state after one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the e-mail API.
    Sent,
    /// Tried again from this instant (seconds since the epoch).
    Retry(i64),
    /// Given up: refused for good, or too many attempts.
    Failed,
}

/// What the answer `status` (`None`: no answer at all) to attempt number
/// `attempts` (counting this one) at `now` means: 2xx sent; a 4xx other than 408
/// and 429 is a refusal that no retry changes; anything else is retried with
/// backoff until [`MAX_ATTEMPTS`].
pub fn outcome(status: Option<u16>, attempts: u32, now: i64) -> Outcome {
    match status {
        Some(200..=299) => Outcome::Sent,
        Some(s @ 400..=499) if s != 408 && s != 429 => Outcome::Failed,
        _ if attempts >= MAX_ATTEMPTS => Outcome::Failed,
        _ => Outcome::Retry(now + mail_backoff(attempts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_backoff() {
        assert_eq!(outcome(Some(202), 1, 0), Outcome::Sent);
        assert_eq!(outcome(Some(422), 1, 0), Outcome::Failed);
        assert_eq!(outcome(Some(429), 1, 0), Outcome::Retry(60));
        assert_eq!(outcome(Some(408), 2, 0), Outcome::Retry(120));
        assert_eq!(outcome(Some(503), 3, 100), Outcome::Retry(100 + 240));
        assert_eq!(outcome(None, 9, 0), Outcome::Retry(15_360));
        assert_eq!(outcome(None, MAX_ATTEMPTS, 0), Outcome::Failed);
        let waits: Vec<i64> = (1..=10).map(mail_backoff).collect();
        assert_eq!(
            waits,
            [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]
        );
    }
}
