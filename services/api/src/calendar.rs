//! The proleptic Gregorian calendar (Howard Hinnant's day-count algorithms)
//! and [`Day`], a calendar day (`YYYY-MM-DD`) parsed where it enters. Shared
//! by the services (`qmi_kit::time`) and the frontend.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A calendar day between 1900-01-01 and 2999-12-31, on the wire `YYYY-MM-DD`.
/// Ordered by date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day {
    /// Days since 1970-01-01.
    days: i64,
}

/// Why a text is not a day.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a day (YYYY-MM-DD between 1900 and 2999)")]
pub struct DayError(pub String);

impl Day {
    /// The day `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        Self { days }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        self.days
    }

    /// The day of this Unix instant (seconds) at UTC offset `offset` (seconds).
    pub fn of_instant(seconds: i64, offset: i64) -> Self {
        Self::from_days((seconds + offset).div_euclid(86_400))
    }

    /// Year, month (1–12), day (1–31).
    pub fn civil(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }

    /// The day from year, month and day of month, if it exists.
    pub fn from_civil(y: i64, m: u32, d: u32) -> Option<Self> {
        if !(1900..=2999).contains(&y)
            || !(1..=12).contains(&m)
            || d == 0
            || d > days_in_month(y, m)
        {
            return None;
        }
        Some(Self::from_days(days_from_civil(y, m, d)))
    }

    /// The same day `months` months later, clamped to the month's last day
    /// (2026-08-31 + 6 months = 2027-02-28).
    pub fn add_months(self, months: u32) -> Self {
        let (y, m, d) = self.civil();
        let index = y * 12 + i64::from(m) - 1 + i64::from(months);
        let (y, m) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        Self::from_days(days_from_civil(y, m, d.min(days_in_month(y, m))))
    }

    /// Whole months from `self` to `later` (0 when `later` is earlier), counting
    /// a month once its day of month is reached.
    pub fn months_until(self, later: Day) -> u32 {
        let (y0, m0, d0) = self.civil();
        let (y1, m1, d1) = later.civil();
        let months = (y1 - y0) * 12 + i64::from(m1) - i64::from(m0) - i64::from(d1 < d0);
        u32::try_from(months.max(0)).unwrap_or(0)
    }
}

impl FromStr for Day {
    type Err = DayError;
    fn from_str(s: &str) -> Result<Self, DayError> {
        let err = || DayError(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, DayError> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Self::from_civil(y, m as u32, d as u32).ok_or_else(err)
    }
}

impl TryFrom<String> for Day {
    type Error = DayError;
    fn try_from(s: String) -> Result<Self, DayError> {
        s.parse()
    }
}

impl From<Day> for String {
    fn from(d: Day) -> String {
        d.to_string()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl JsonSchema for Day {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days in month `m` of year `y` (proleptic Gregorian).
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_round_trip() {
        for s in [
            "1970-01-01",
            "2024-02-29",
            "2026-12-03",
            "2999-12-31",
            "1900-03-01",
        ] {
            assert_eq!(day(s).to_string(), s);
        }
        assert_eq!(day("1970-01-02").days(), 1);
    }

    #[test]
    fn refuses_what_is_not_a_day() {
        for s in [
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-0a",
            "",
            "3000-01-01",
        ] {
            assert!(s.parse::<Day>().is_err(), "{s}");
        }
    }

    #[test]
    fn adds_months_clamped_to_the_month() {
        assert_eq!(day("2026-01-15").add_months(18), day("2027-07-15"));
        assert_eq!(day("2026-08-31").add_months(6), day("2027-02-28"));
        assert_eq!(day("2027-11-30").add_months(3), day("2028-02-29"));
    }

    #[test]
    fn counts_whole_months() {
        assert_eq!(day("2026-01-15").months_until(day("2026-04-14")), 2);
        assert_eq!(day("2026-01-15").months_until(day("2026-04-15")), 3);
        assert_eq!(day("2026-04-15").months_until(day("2026-01-15")), 0);
    }

    #[test]
    fn days_of_instants() {
        // 2026-12-02T23:30:00Z is already the 3rd in Paris (UTC+1).
        assert_eq!(Day::of_instant(1_796_254_200, 3600), day("2026-12-03"));
        assert_eq!(Day::of_instant(1_796_254_200, 0), day("2026-12-02"));
    }
}
