//! UTC instants and civil dates without a date library: the server clock,
//! day counts of the proleptic Gregorian calendar (Howard Hinnant's
//! algorithms), and RFC 3339 formatting. Shared by every service.

use std::fmt;

/// Seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

/// The server clock.
pub fn now() -> Instant {
    Instant(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    )
}

/// Now, to the millisecond (RFC 3339, UTC, `…:SS.mmmZ`): entries written in
/// one second, by several components, still sort in the order they were made.
pub fn now_millis() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = Instant(i64::try_from(since.as_secs()).unwrap_or(0)).to_string();
    format!(
        "{}.{:03}Z",
        seconds.trim_end_matches('Z'),
        since.subsec_millis()
    )
}

pub use qmi_api::calendar::{civil_from_days, days_from_civil, days_in_month};

/// The last Sunday of a month, as a day count.
fn last_sunday(y: i64, m: u32) -> i64 {
    let last = days_from_civil(y, m, days_in_month(y, m));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday ⇒ (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

/// Europe/Paris offset from UTC at an instant, in seconds (3600 or 7200). Since 1996
/// the EU rule is CET (UTC+1) with summer time (UTC+2) from the last Sunday of March
/// 01:00 UTC to the last Sunday of October 01:00 UTC: no time-zone database needed.
pub fn paris_offset(t: Instant) -> i64 {
    let (y, _, _) = civil_from_days(t.0.div_euclid(86_400));
    let start = last_sunday(y, 3) * 86_400 + 3600;
    let end = last_sunday(y, 10) * 86_400 + 3600;
    if (start..end).contains(&t.0) {
        7200
    } else {
        3600
    }
}

/// Writes `t` (seconds since the epoch, in some zone) as `YYYY-MM-DDTHH:MM:SS`.
pub fn write_local(f: &mut fmt::Formatter<'_>, t: i64) -> fmt::Result {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    write!(
        f,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

impl fmt::Display for Instant {
    /// RFC 3339 in UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_local(f, self.0)?;
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-1000, 0, 10_957, 20_000, 25_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2000, 1, 1), 10_957);
    }

    #[test]
    fn instants_format_as_rfc3339_utc() {
        assert_eq!(Instant(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Instant(1_777_636_800).to_string(), "2026-05-01T12:00:00Z");
        assert_eq!(Instant(-1).to_string(), "1969-12-31T23:59:59Z");
    }
}
