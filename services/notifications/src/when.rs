//! Instants as people read them in e-mails: Europe/Paris local time (CET, or CEST
//! from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC),
//! written out in French or English.

use qmi_api::identity::Lang;
use qmi_kit::time::{Instant, civil_from_days, days_from_civil, days_in_month, paris_offset};

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` (what the services write).
pub fn parse_utc(s: &str) -> Option<i64> {
    let b = s.trim();
    if b.len() != 20 || !b.ends_with('Z') || b.get(10..11) != Some("T") {
        return None;
    }
    let n = |r: std::ops::Range<usize>| b.get(r).and_then(|v| v.parse::<i64>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let (mo, d) = (u32::try_from(mo).ok()?, u32::try_from(d).ok()?);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2026-05-08T10:00:00Z` → « 8 mai 2026 à 12:00 » / "8 May 2026, 12:00 (Paris time)";
/// text that is not such an instant is returned as it is.
pub fn paris(rfc3339: &str, lang: Lang) -> String {
    let Some(t) = parse_utc(rfc3339) else {
        return rfc3339.to_owned();
    };
    let local = t + paris_offset(Instant(t));
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let (h, mi) = (s / 3600, s % 3600 / 60);
    let month = (m as usize).saturating_sub(1).min(11);
    match lang {
        Lang::Fr => format!("{d} {} {y} à {h:02}:{mi:02}", MOIS[month]),
        Lang::En => format!("{d} {} {y}, {h:02}:{mi:02} (Paris time)", MONTHS[month]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_time_in_summer_and_winter() {
        assert_eq!(
            paris("2026-05-08T10:00:00Z", Lang::Fr),
            "8 mai 2026 à 12:00"
        );
        assert_eq!(
            paris("2026-12-31T23:30:00Z", Lang::Fr),
            "1 janvier 2027 à 00:30"
        );
        assert_eq!(
            paris("2026-03-29T01:00:00Z", Lang::En),
            "29 March 2026, 03:00 (Paris time)"
        );
        assert_eq!(paris("soon", Lang::En), "soon");
        assert_eq!(parse_utc("2026-02-30T00:00:00Z"), None);
        assert_eq!(parse_utc("1970-01-01T00:00:10Z"), Some(10));
    }
}
