//! Values parsed at the edge: e-mail addresses, countries, SIRET numbers.

use super::*;

macro_rules! string_newtype {
    ($(#[$m:meta])* $name:ident, $err:literal, $schema:tt) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

string_newtype!(
    /// An e-mail address, trimmed and lower-cased (accounts are unique by it,
    /// case-insensitively).
    Email, "email", { "type": "string", "format": "email", "maxLength": 254 }
);

impl FromStr for Email {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_lowercase();
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(format!("{s:?} is not an e-mail address"));
        };
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s))
        } else {
            Err(format!("{s:?} is not an e-mail address"))
        }
    }
}

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

string_newtype!(
    /// A country, ISO 3166-1 alpha-2 (`FR`, `DE`…), upper-cased.
    Country, "country", { "type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2" }
);

impl FromStr for Country {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let up = s.trim().to_ascii_uppercase();
        if up.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == up) {
            Ok(Self(up))
        } else {
            Err(format!("{s:?} is not an ISO 3166-1 alpha-2 country code"))
        }
    }
}

impl Country {
    /// Whether this is France (a SIRET is then required).
    pub fn is_france(&self) -> bool {
        self.0 == "FR"
    }
}

string_newtype!(
    /// A French establishment number: 14 digits passing the Luhn check (La
    /// Poste's establishments, SIREN 356000000, use a digit sum divisible by 5).
    Siret, "siret", { "type": "string", "pattern": "^[0-9]{14}$" }
);

impl FromStr for Siret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{s:?} is not a SIRET (14 digits)"));
        }
        let ok = if digits.starts_with("356000000") && digits != "35600000000048" {
            digits.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5 == 0
        } else {
            luhn(&digits)
        };
        if ok {
            Ok(Self(digits))
        } else {
            Err(format!("{s:?} fails the SIRET check digit (Luhn)"))
        }
    }
}

/// The Luhn checksum of a digit string.
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            "  Camille@Example.FR ".parse::<Email>().unwrap().as_str(),
            "camille@example.fr"
        );
        for bad in ["", "a", "a@b", "@b.fr", "a b@c.fr", "a@.fr", "a@b."] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
        assert!("fr".parse::<Country>().unwrap().is_france());
        assert!("DE".parse::<Country>().is_ok());
        assert!("XX".parse::<Country>().is_err());
        assert!("FRA".parse::<Country>().is_err());
    }

    #[test]
    fn sirets() {
        // Real establishments: INSEE's head office, Etalab (DINUM).
        assert!("12002701600357".parse::<Siret>().is_ok());
        assert!("130 025 265 00013".parse::<Siret>().is_ok());
        assert!("12002701600358".parse::<Siret>().is_err());
        assert!("1200270160035".parse::<Siret>().is_err());
        assert!("1200270160035a".parse::<Siret>().is_err());
        // La Poste: digit sum divisible by 5.
        assert!("35600000000048".parse::<Siret>().is_ok());
        assert!("35600000012346".parse::<Siret>().is_ok());
        assert!("35600000012345".parse::<Siret>().is_err());
        assert!(luhn("79927398713"));
    }
}
