//! A request-duration histogram with fixed buckets, kept in atomics: one
//! relaxed increment per bucket hit and one for the sum, no lock. Buckets are
//! stored per interval and made cumulative when rendered, so `+Inf` always
//! equals `_count` in one scrape.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The upper bounds of the buckets, in seconds (Prometheus' `le`).
pub const BOUNDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The same bounds in nanoseconds, compared against each observation.
const BOUNDS_NANOS: [u64; 14] = [
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

/// Observations per bucket (the last one past every bound: `+Inf`) and their
/// sum in nanoseconds.
#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_nanos: AtomicU64,
}

/// A histogram read at one instant: cumulative counts per bound, then `+Inf`.
pub struct Snapshot {
    /// Cumulative counts, one per [`BOUNDS`] entry, then `+Inf`.
    pub cumulative: [u64; BOUNDS.len() + 1],
    /// The sum of the observations, in seconds.
    pub sum_seconds: f64,
}

impl Snapshot {
    /// How many observations in all (the `+Inf` bucket).
    pub fn count(&self) -> u64 {
        self.cumulative[BOUNDS.len()]
    }
}

impl Histogram {
    /// Records one duration.
    pub fn observe(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let index = BOUNDS_NANOS
            .iter()
            .position(|bound| nanos <= *bound)
            .unwrap_or(BOUNDS.len());
        self.buckets[index].fetch_add(1, Relaxed);
        self.sum_nanos.fetch_add(nanos, Relaxed);
    }

    /// The cumulative counts and the sum.
    pub fn snapshot(&self) -> Snapshot {
        let mut cumulative = [0; BOUNDS.len() + 1];
        let mut running = 0;
        for (slot, bucket) in cumulative.iter_mut().zip(&self.buckets) {
            running += bucket.load(Relaxed);
            *slot = running;
        }
        Snapshot {
            cumulative,
            sum_seconds: self.sum_nanos.load(Relaxed) as f64 / 1e9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_agree() {
        for (seconds, nanos) in BOUNDS.iter().zip(BOUNDS_NANOS) {
            assert_eq!((seconds * 1e9).round() as u64, nanos);
        }
    }

    #[test]
    fn buckets_are_cumulative_and_inclusive() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(100));
        h.observe(Duration::from_micros(500)); // on the bound: `le` is inclusive
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(60));
        let s = h.snapshot();
        assert_eq!(s.cumulative[0], 2);
        assert_eq!(s.cumulative[1], 2);
        assert_eq!(s.cumulative[3], 3);
        assert_eq!(s.cumulative[BOUNDS.len() - 1], 3);
        assert_eq!(s.count(), 4);
        assert!((s.sum_seconds - 60.0036).abs() < 1e-9);
    }
}
