//! The wall clock the guests see: the system's (`qmi up --clock system`, the
//! default, as Spin), or a test-controlled one (`--clock manual`) that starts
//! at the real time and moves only when told to (`POST /clock` on the dev
//! port), so no test races the wall clock. Monotonic clocks stay real.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use wasmtime_wasi::HostWallClock;

/// Which wall clock the guests see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    /// The system clock.
    System,
    /// Starts at the real time, advances only when told to.
    Manual,
}

/// The application's wall clock; cheap to clone (clones share the time).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Nanoseconds since the Unix epoch, when manual.
    manual: Option<Arc<AtomicU64>>,
}

/// Advancing a clock that is the system's.
#[derive(Debug, thiserror::Error)]
#[error("the wall clock is the system's: start qmi up with --clock manual to advance it")]
pub struct NotManual;

impl Clock {
    /// The clock of `mode`; a manual clock starts at the current time.
    pub fn new(mode: ClockMode) -> Self {
        match mode {
            ClockMode::System => Self::default(),
            ClockMode::Manual => Self {
                manual: Some(Arc::new(AtomicU64::new(nanos(system_now())))),
            },
        }
    }

    /// Whether the clock moves only when told to.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// The current time, since the Unix epoch.
    pub fn now(&self) -> Duration {
        match &self.manual {
            Some(at) => Duration::from_nanos(at.load(Ordering::SeqCst)),
            None => system_now(),
        }
    }

    /// Moves a manual clock forward by `by`; returns the new time.
    pub fn advance(&self, by: Duration) -> Result<Duration, NotManual> {
        let at = self.manual.as_ref().ok_or(NotManual)?;
        let by = nanos(by);
        let before = at
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(by))
            })
            .unwrap_or_else(|t| t);
        Ok(Duration::from_nanos(before.saturating_add(by)))
    }

    /// The clock to give a guest's WASI context, when not the system's.
    pub fn guest_clock(&self) -> Option<impl HostWallClock + 'static> {
        self.manual.clone().map(|at| GuestClock { at })
    }
}

fn system_now() -> Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A manual clock as `wasi:clocks` reads it.
struct GuestClock {
    at: Arc<AtomicU64>,
}

impl HostWallClock for GuestClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        Duration::from_nanos(self.at.load(Ordering::SeqCst))
    }
}

/// RFC 3339 in UTC with whole seconds (`2026-12-02T15:19:04Z`).
pub fn rfc3339(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's days-to-civil conversion (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::new(ClockMode::Manual);
        let start = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), start);
        let guest = clock.guest_clock().unwrap();
        assert_eq!(guest.now(), start);
        let later = clock.advance(Duration::from_secs(3600)).unwrap();
        assert_eq!(later, start + Duration::from_secs(3600));
        assert_eq!(guest.now(), later);
        assert!(
            Clock::new(ClockMode::System)
                .advance(Duration::from_secs(1))
                .is_err()
        );
        assert!(Clock::new(ClockMode::System).guest_clock().is_none());
    }

    #[test]
    fn rfc3339_in_utc() {
        assert_eq!(rfc3339(Duration::ZERO), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(Duration::from_secs(1_796_225_944)),
            "2026-12-02T15:39:04Z"
        );
        assert_eq!(
            rfc3339(Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
