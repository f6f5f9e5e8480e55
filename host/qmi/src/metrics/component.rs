//! What one component did: requests by status class and their durations,
//! its live instances and their linear memory, its traps and the requests
//! the deadline cut. One [`ComponentMetrics`] per component of `spin.toml`,
//! shared by every handler that serves it (Spin gives a component one id per
//! trigger with middleware, `identity-for-http-trigger3`, each with its own
//! instances: they all count here, under `identity`).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use super::histogram::Histogram;

/// The status classes, as labelled.
pub const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// One component's counters and gauges; every update is one relaxed atomic.
#[derive(Default)]
pub struct ComponentMetrics {
    requests: [AtomicU64; CLASSES.len()],
    duration: Histogram,
    /// Stores alive (each holds one instance of the composition).
    instances: AtomicI64,
    /// Bytes of linear memory those instances hold.
    memory: AtomicI64,
    traps: AtomicU64,
    deadlines: AtomicU64,
}

/// One component's figures, read at one instant.
pub struct ComponentSnapshot {
    /// Requests per class of [`CLASSES`].
    pub requests: [u64; CLASSES.len()],
    /// Their durations.
    pub duration: super::histogram::Snapshot,
    /// Live instances.
    pub instances: u64,
    /// Their linear memory, in bytes.
    pub memory: u64,
    /// Instances discarded by a trap.
    pub traps: u64,
    /// Requests the deadline cut.
    pub deadlines: u64,
}

impl ComponentMetrics {
    /// Counts a request answered with `status` after `elapsed` (until the
    /// response head, as the request log line measures it).
    pub fn request(&self, status: u16, elapsed: Duration) {
        if let Some(counter) = (status / 100)
            .checked_sub(1)
            .and_then(|class| self.requests.get(usize::from(class)))
        {
            counter.fetch_add(1, Relaxed);
        }
        self.duration.observe(elapsed);
    }

    /// Counts requests cut by the request deadline.
    pub fn deadlines(&self, requests: usize) {
        self.deadlines
            .fetch_add(u64::try_from(requests).unwrap_or(u64::MAX), Relaxed);
    }

    /// Counts an instance discarded by a trap.
    pub fn trap(&self) {
        self.traps.fetch_add(1, Relaxed);
    }

    /// An instance starts (`+1`) or ends (`-1`).
    pub(super) fn instances_add(&self, delta: i64) {
        self.instances.fetch_add(delta, Relaxed);
    }

    /// Linear memory grew (or was given back, negative).
    pub(super) fn memory_add(&self, bytes: i64) {
        self.memory.fetch_add(bytes, Relaxed);
    }

    /// The figures now.
    pub fn snapshot(&self) -> ComponentSnapshot {
        ComponentSnapshot {
            requests: std::array::from_fn(|i| self.requests[i].load(Relaxed)),
            duration: self.duration.snapshot(),
            instances: self.instances.load(Relaxed).max(0).unsigned_abs(),
            memory: self.memory.load(Relaxed).max(0).unsigned_abs(),
            traps: self.traps.load(Relaxed),
            deadlines: self.deadlines.load(Relaxed),
        }
    }
}

/// Whether a request failed because its deadline passed while its guest was
/// waiting (the handler's expiration of the request). A guest still running
/// at its deadline is interrupted instead, and its overdue requests counted
/// there (`runtime.rs`, the epoch callback): each cut request counts once.
pub fn is_expired(error: &wasmtime::Error) -> bool {
    error.is::<wasmtime_wasi_http::handler::ExpirationError>()
}

/// Whether an instance that ended with `error` was discarded by a trap (a
/// guest fault, a panic, a memory blow-up), not by the request deadline (the
/// epoch interruption, the handler's expirations).
pub fn is_trap(error: &wasmtime::Error) -> bool {
    // The handler's own expiration of an instance whose requests are overdue.
    const TIMED_OUT: &str = "guest timed out";
    let interrupted = error.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt);
    !(interrupted || is_expired(error) || error.to_string() == TIMED_OUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_in_their_class() {
        let m = ComponentMetrics::default();
        for status in [101, 200, 204, 302, 404, 404, 500, 999] {
            m.request(status, Duration::from_millis(1));
        }
        let s = m.snapshot();
        assert_eq!(s.requests, [1, 2, 1, 2, 1]);
        // Every request is timed, even one whose status has no class.
        assert_eq!(s.duration.count(), 8);
    }

    #[test]
    fn deadlines_are_not_traps() {
        let interrupt = wasmtime::Error::from(wasmtime::Trap::Interrupt);
        assert!(!is_expired(&interrupt) && !is_trap(&interrupt));
        let expired = wasmtime::Error::from(wasmtime_wasi_http::handler::ExpirationError);
        assert!(is_expired(&expired) && !is_trap(&expired));
        assert!(!is_trap(&wasmtime::format_err!("guest timed out")));
        let fault = wasmtime::Error::from(wasmtime::Trap::UnreachableCodeReached);
        assert!(!is_expired(&fault) && is_trap(&fault));
    }
}
