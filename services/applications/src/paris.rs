//! Instants and the Europe/Paris time zone, without a time-zone database: since
//! 1996 the EU rule is CET (UTC+1) with summer time (UTC+2) from the last Sunday of
//! March 01:00 UTC to the last Sunday of October 01:00 UTC. Deadlines are stored as
//! UTC seconds and compared with the server clock.

use std::fmt;

pub use qmi_kit::time::{
    Instant, civil_from_days, days_from_civil, days_in_month, now, paris_offset,
};

/// Why a date or time could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimeError(pub String);

/// Reads `YYYY-MM-DD` into a day count.
pub fn parse_date(s: &str) -> Result<i64, TimeError> {
    let bad = || TimeError(format!("`{s}` is not a date YYYY-MM-DD"));
    let (Some(y), Some("-"), Some(m), Some("-"), Some(d), 10) = (
        s.get(0..4),
        s.get(4..5),
        s.get(5..7),
        s.get(7..8),
        s.get(8..10),
        s.len(),
    ) else {
        return Err(bad());
    };
    let y: i64 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let d: u32 = d.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

/// Reads an instant: RFC 3339 with `Z` or an offset, or a Europe/Paris local time
/// `YYYY-MM-DDTHH:MM[:SS]` (a local time skipped by the spring change is refused; an
/// ambiguous one in autumn is the earlier, summer-time instant).
pub fn parse_instant(s: &str) -> Result<Instant, TimeError> {
    let bad = |why: &str| {
        TimeError(format!(
            "`{s}` is not a date-time ({why}); use 2026-05-01T12:00 (Paris) or RFC 3339"
        ))
    };
    let s = s.trim();
    let (Some(date), Some("T" | "t" | " "), Some(rest), true) =
        (s.get(..10), s.get(10..11), s.get(11..), s.len() >= 16)
    else {
        return Err(bad("expected YYYY-MM-DDTHH:MM"));
    };
    let days = parse_date(date).map_err(|_| bad("invalid date"))?;
    let (clock, zone) = match rest
        .find(['Z', 'z', '+', '-'])
        .and_then(|i| rest.split_at_checked(i))
    {
        Some((clock, zone)) => (clock, Some(zone)),
        None => (rest, None),
    };
    let clock = clock.split('.').next().unwrap_or(clock);
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return Err(bad("invalid time"));
    }
    let num = |p: &str, max: i64| {
        p.parse::<i64>()
            .ok()
            .filter(|v| (0..=max).contains(v))
            .ok_or_else(|| bad("invalid time"))
    };
    let part = |i: usize| parts.get(i).copied().unwrap_or("00");
    let secs = num(part(0), 23)? * 3600 + num(part(1), 59)? * 60 + num(part(2), 59)?;
    let local = days * 86_400 + secs;
    match zone {
        Some("Z" | "z") => Ok(Instant(local)),
        Some(z) => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            // `±HH:MM`, read without slicing inside a multi-byte character.
            let (Some(hh), Some(":"), Some(mm)) = (z.get(1..3), z.get(3..4), z.get(4..)) else {
                return Err(bad("invalid offset"));
            };
            if mm.len() != 2 {
                return Err(bad("invalid offset"));
            }
            let off = num(hh, 23)? * 3600 + num(mm, 59)? * 60;
            Ok(Instant(local - sign * off))
        }
        None => [7200, 3600]
            .into_iter()
            .map(|off| Instant(local - off))
            .find(|t| paris_offset(*t) == local - t.0)
            .ok_or_else(|| {
                bad("this local time does not exist in Europe/Paris (summer-time change)")
            }),
    }
}

/// The Europe/Paris local time with its offset (`2026-05-01T12:00:00+02:00`).
pub struct Paris(pub Instant);

impl fmt::Display for Paris {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let off = paris_offset(self.0);
        qmi_kit::time::write_local(f, self.0.0 + off)?;
        write!(f, "+{:02}:00", off / 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summer_time_boundaries_2026() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            paris_offset(parse_instant("2026-03-29T00:59:59Z").unwrap()),
            3600
        );
        assert_eq!(
            paris_offset(parse_instant("2026-03-29T01:00:00Z").unwrap()),
            7200
        );
        assert_eq!(
            paris_offset(parse_instant("2026-10-25T00:59:59Z").unwrap()),
            7200
        );
        assert_eq!(
            paris_offset(parse_instant("2026-10-25T01:00:00Z").unwrap()),
            3600
        );
    }

    #[test]
    fn local_paris_times() {
        assert_eq!(
            parse_instant("2026-06-30T12:00").unwrap().to_string(),
            "2026-06-30T10:00:00Z"
        );
        assert_eq!(
            parse_instant("2026-01-15T23:59:59").unwrap().to_string(),
            "2026-01-15T22:59:59Z"
        );
        assert!(parse_instant("2026-03-29T02:30").is_err(), "skipped hour");
        assert_eq!(
            parse_instant("2026-10-25T02:30").unwrap().to_string(),
            "2026-10-25T00:30:00Z"
        );
        assert_eq!(
            Paris(parse_instant("2026-06-30T10:00:00Z").unwrap()).to_string(),
            "2026-06-30T12:00:00+02:00"
        );
        assert_eq!(
            parse_instant("2026-06-30T12:00:00+02:00").unwrap(),
            parse_instant("2026-06-30T10:00:00.5Z").unwrap()
        );
        // Multi-byte characters where digits are expected: refused, never a panic.
        for bad in [
            "2026-06-30T12:00+0é00",
            "2026-06-30T12:00+é:00",
            "2026-06-30T12:00-00:é",
            "2026-06-30T12:é",
            "2026-0é-30T12:00",
            "2026-06-30é12:00",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "2026-02-30T10:00",
            "2026-06-30",
            "2026-06-30T25:00",
            "2026-06-30T10:00+2",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
