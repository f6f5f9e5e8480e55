//! Failed sign-ins: slowed, then refused for a while — per account and per
//! client address. Pure arithmetic on a stored counter, so it is tested natively.

/// Limits of one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Failures allowed without delay.
    pub free: u32,
    /// From this many failures on, the key is locked for `lock_seconds`.
    pub lock_after: u32,
    /// Length of the lock.
    pub lock_seconds: i64,
    /// Failures are forgotten after this long without one.
    pub window_seconds: i64,
}

/// Per account (by e-mail, whether or not it exists): 3 free failures, then
/// 1, 2, 4… s between attempts, locked 15 min at 10.
pub const ACCOUNT: Limits = Limits {
    free: 3,
    lock_after: 10,
    lock_seconds: 900,
    window_seconds: 900,
};
/// Per client address: more tolerant (shared addresses), locked 15 min at 30.
pub const CLIENT: Limits = Limits {
    free: 10,
    lock_after: 30,
    lock_seconds: 900,
    window_seconds: 900,
};

/// The stored state of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Failures in the current window.
    pub failures: u32,
    /// When the last failure happened (unix seconds).
    pub last_failure: i64,
    /// No attempt is accepted before this (unix seconds).
    pub blocked_until: i64,
}

/// The key a counter is stored under: the SHA-256 (hex) of what it counts (an
/// e-mail, a client address, `reset:<e-mail>`), so that the table names no
/// address and no erased person's e-mail stays in it.
pub fn stored_key(raw: &str) -> String {
    crate::secrets::token_hash(raw)
}

impl Limits {
    /// `Err(seconds to wait)` when an attempt must be refused now. Times are whole
    /// seconds, so the second `blocked_until` names is still blocked: a delay of one
    /// second lasts at least one second, however late in its second it began.
    pub fn check(&self, state: &State, now: i64) -> Result<(), u64> {
        if state.blocked_until != 0 && state.blocked_until >= now {
            Err((state.blocked_until - now + 1).unsigned_abs())
        } else {
            Ok(())
        }
    }

    /// The state after one more failure at `now`.
    pub fn fail(&self, state: &State, now: i64) -> State {
        let failures = if now - state.last_failure > self.window_seconds {
            1
        } else {
            state.failures.saturating_add(1)
        };
        let blocked_until = if failures >= self.lock_after {
            now + self.lock_seconds
        } else if failures > self.free {
            now + (1_i64 << (failures - self.free - 1).min(10))
        } else {
            0
        };
        State {
            failures,
            last_failure: now,
            blocked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowed_then_locked() {
        let mut s = State::default();
        let t = 1_000_000;
        for i in 1..=3 {
            s = ACCOUNT.fail(&s, t);
            assert_eq!(ACCOUNT.check(&s, t), Ok(()), "failure {i} is free");
        }
        s = ACCOUNT.fail(&s, t);
        assert_eq!(ACCOUNT.check(&s, t), Err(2));
        // Still blocked in the second the delay ends in.
        assert_eq!(ACCOUNT.check(&s, t + 1), Err(1));
        assert_eq!(ACCOUNT.check(&s, t + 2), Ok(()));
        s = ACCOUNT.fail(&s, t + 2);
        assert_eq!(ACCOUNT.check(&s, t + 2), Err(3));
        for _ in 6..=10 {
            s = ACCOUNT.fail(&s, t + 2);
        }
        assert_eq!(s.failures, 10);
        assert_eq!(ACCOUNT.check(&s, t + 2), Err(901));
        assert_eq!(ACCOUNT.check(&s, t + 2 + 901), Ok(()));
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let s = State {
            failures: 9,
            last_failure: 0,
            blocked_until: 0,
        };
        assert_eq!(ACCOUNT.fail(&s, 10_000).failures, 1);
        assert_eq!(CLIENT.fail(&State::default(), 5).blocked_until, 0);
    }
}
