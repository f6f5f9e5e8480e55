//! French-first number and date formatting, without ICU: the few rules the
//! app needs, written out and tested natively.

use qmi_api::identity::Lang;

/// Narrow no-break space: the French thousands separator (and before `%`).
const NNBSP: char = '\u{202f}';

/// An integer with thousands grouped: `2 103 778` (fr, narrow no-break
/// spaces) or `2,103,778` (en).
pub fn integer(n: u64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Fr => NNBSP,
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A non-negative decimal with `places` digits after the separator: `12,5`
/// (fr) or `12.5` (en); the integer part is grouped as [`integer`]. Negative
/// or non-finite input gives `—`.
pub fn decimal(x: f64, places: u32, lang: Lang) -> String {
    if !x.is_finite() || x < 0.0 {
        return "—".to_owned();
    }
    let scale = 10u64.pow(places);
    let scaled = (x * scale as f64).round() as u64;
    let mut out = integer(scaled / scale, lang);
    if places > 0 {
        out.push(match lang {
            Lang::Fr => ',',
            Lang::En => '.',
        });
        out.push_str(&format!(
            "{:0width$}",
            scaled % scale,
            width = places as usize
        ));
    }
    out
}

const MONTHS_FR: [&str; 12] = [
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
const MONTHS_EN: [&str; 12] = [
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

/// A calendar date read from the start of an ISO 8601 / RFC 3339 string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// Year.
    pub year: u32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` (anything after the tenth character is ignored).
    pub fn parse(iso: &str) -> Option<Self> {
        let part = |r: std::ops::Range<usize>| iso.get(r)?.parse::<u32>().ok();
        if iso.get(4..5)? != "-" || iso.get(7..8)? != "-" {
            return None;
        }
        let d = Self {
            year: part(0..4)?,
            month: part(5..7)?,
            day: part(8..10)?,
        };
        ((1..=12).contains(&d.month) && (1..=31).contains(&d.day)).then_some(d)
    }
}

/// A long date: `1er mars 2026`, `12 mars 2026` (fr) or `12 March 2026` (en);
/// the input itself when it is not a date.
pub fn date(iso: &str, lang: Lang) -> String {
    let Some(d) = Date::parse(iso) else {
        return iso.to_owned();
    };
    let m = (d.month - 1) as usize;
    match lang {
        Lang::Fr if d.day == 1 => format!("1er {} {}", MONTHS_FR[m], d.year),
        Lang::Fr => format!("{} {} {}", d.day, MONTHS_FR[m], d.year),
        Lang::En => format!("{} {} {}", d.day, MONTHS_EN[m], d.year),
    }
}

/// A date and time from RFC 3339, as Paris wall time: `12 mars 2026 à 14 h 05`
/// (fr) or `12 March 2026, 14:05` (en). A time with an offset
/// (`…T14:05:00+01:00`, the API's `_paris` fields) is shown as written; a UTC
/// instant (`…Z`: history, drafts) is first moved to Europe/Paris by the
/// browser's time-zone data (natively, where there is none, it stays UTC).
pub fn datetime(iso: &str, lang: Lang) -> String {
    let paris = if iso.ends_with('Z') {
        paris_wall_time(iso)
    } else {
        None
    };
    let iso = paris.as_deref().unwrap_or(iso);
    let day = date(iso, lang);
    let (Some(h), Some(min)) = (iso.get(11..13), iso.get(14..16)) else {
        return day;
    };
    if !h.bytes().chain(min.bytes()).all(|b| b.is_ascii_digit()) {
        return day;
    }
    match lang {
        Lang::Fr => format!("{day} à {} h {min}", h.parse::<u32>().unwrap_or(0)),
        Lang::En => format!("{day}, {h}:{min}"),
    }
}

/// A UTC instant as Europe/Paris wall time, `YYYY-MM-DDTHH:MM`.
#[cfg(target_arch = "wasm32")]
fn paris_wall_time(iso: &str) -> Option<String> {
    use js_sys::{Array, Intl, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let instant = js_sys::Date::new(&JsValue::from_str(iso));
    if instant.get_time().is_nan() {
        return None;
    }
    let options = Object::new();
    for (key, value) in [
        ("timeZone", "Europe/Paris"),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let format = Intl::DateTimeFormat::new(&Array::of1(&"en-GB".into()), &options);
    let part = |parts: &Array, kind: &str| {
        parts.iter().find_map(|p| {
            let p: Object = p.dyn_into().ok()?;
            (Reflect::get(&p, &"type".into()).ok()?.as_string()? == kind)
                .then(|| Reflect::get(&p, &"value".into()).ok()?.as_string())?
        })
    };
    let parts = format.format_to_parts(&instant);
    Some(format!(
        "{}-{}-{}T{}:{}",
        part(&parts, "year")?,
        part(&parts, "month")?,
        part(&parts, "day")?,
        part(&parts, "hour")?,
        part(&parts, "minute")?
    ))
}

#[cfg(not(target_arch = "wasm32"))]
fn paris_wall_time(_iso: &str) -> Option<String> {
    None
}

/// A country's name in `lang` from its ISO 3166 code (`DE` → `Allemagne`), by
/// the browser's `Intl.DisplayNames`: no table of names in the module. The
/// code itself where the browser (or a native test) has none.
pub fn country(code: &str, lang: Lang) -> String {
    country_name(code, lang).unwrap_or_else(|| code.to_owned())
}

#[cfg(target_arch = "wasm32")]
fn country_name(code: &str, lang: Lang) -> Option<String> {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let names: Function = Reflect::get(&intl, &"DisplayNames".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"region".into()).ok()?;
    let locales = Array::of1(&JsValue::from_str(lang.as_str()));
    let display = Reflect::construct(&names, &Array::of2(&locales, &options)).ok()?;
    let of: Function = Reflect::get(&display, &"of".into()).ok()?.dyn_into().ok()?;
    of.call1(&display, &JsValue::from_str(code))
        .ok()?
        .as_string()
        .filter(|name| name != code)
}

#[cfg(not(target_arch = "wasm32"))]
fn country_name(_code: &str, _lang: Lang) -> Option<String> {
    None
}

/// A count and its noun, grouped and agreed: French takes the singular for 0
/// and 1 (`0 commune affichée`), English for 1 only (`0 communes shown`).
/// `fr` and `en` give the singular and the plural.
pub fn count(n: u64, lang: Lang, fr: (&str, &str), en: (&str, &str)) -> String {
    let (one, many) = if lang == Lang::Fr { fr } else { en };
    let singular = if lang == Lang::Fr { n <= 1 } else { n == 1 };
    format!("{} {}", integer(n, lang), if singular { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_group_by_thousands() {
        assert_eq!(integer(0, Lang::Fr), "0");
        assert_eq!(integer(999, Lang::Fr), "999");
        assert_eq!(integer(1000, Lang::Fr), "1\u{202f}000");
        assert_eq!(integer(2_103_778, Lang::Fr), "2\u{202f}103\u{202f}778");
        assert_eq!(integer(2_103_778, Lang::En), "2,103,778");
        assert_eq!(integer(100_000, Lang::En), "100,000");
    }

    #[test]
    fn counts_agree_with_their_number() {
        let count = |n, lang| {
            count(
                n,
                lang,
                ("commune affichée", "communes affichées"),
                ("commune shown", "communes shown"),
            )
        };
        assert_eq!(count(0, Lang::Fr), "0 commune affichée");
        assert_eq!(count(1, Lang::Fr), "1 commune affichée");
        assert_eq!(count(2, Lang::Fr), "2 communes affichées");
        assert_eq!(count(1200, Lang::Fr), "1\u{202f}200 communes affichées");
        assert_eq!(count(0, Lang::En), "0 communes shown");
        assert_eq!(count(1, Lang::En), "1 commune shown");
    }

    #[test]
    fn decimals_use_the_local_separator() {
        assert_eq!(decimal(12.5, 1, Lang::Fr), "12,5");
        assert_eq!(decimal(12.5, 1, Lang::En), "12.5");
        assert_eq!(decimal(1234.567, 2, Lang::Fr), "1\u{202f}234,57");
        assert_eq!(decimal(3.0, 0, Lang::En), "3");
        assert_eq!(decimal(0.05, 2, Lang::Fr), "0,05");
        assert_eq!(decimal(-1.0, 1, Lang::Fr), "—");
    }

    #[test]
    fn dates() {
        assert_eq!(date("2026-03-01", Lang::Fr), "1er mars 2026");
        assert_eq!(date("2026-03-12T14:05:00Z", Lang::Fr), "12 mars 2026");
        assert_eq!(date("2026-08-12", Lang::En), "12 August 2026");
        assert_eq!(date("not a date", Lang::Fr), "not a date");
        assert_eq!(date("2026-13-01", Lang::Fr), "2026-13-01");
        assert_eq!(
            datetime("2026-03-12T14:05:00Z", Lang::Fr),
            "12 mars 2026 à 14 h 05"
        );
        assert_eq!(
            datetime("2026-03-12T09:05:00Z", Lang::Fr),
            "12 mars 2026 à 9 h 05"
        );
        assert_eq!(
            datetime("2026-03-12T00:30:00Z", Lang::Fr),
            "12 mars 2026 à 0 h 30"
        );
        assert_eq!(
            datetime("2026-03-12T14:05:00Z", Lang::En),
            "12 March 2026, 14:05"
        );
        assert_eq!(datetime("2026-03-12", Lang::En), "12 March 2026");
    }
}
