//! Tenants and roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A commune's INSEE code: the tenant key (e.g. `75056` for Paris, `2A004`
/// for Ajaccio). Five characters: two for the département (`01`–`95`,
/// `2A`, `2B`, or `97x` overseas) then digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Insee(String);

/// Why a string is not an INSEE code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not an INSEE commune code (five characters, e.g. 75056 or 2A004)")]
pub struct InseeError(pub String);

impl Insee {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département part: `75`, `2A`, or three digits overseas (`974`).
    pub fn departement(&self) -> &str {
        if self.0.starts_with("97") {
            &self.0[..3]
        } else {
            &self.0[..2]
        }
    }
}

impl FromStr for Insee {
    type Err = InseeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit)
                || (b[0] == b'2' && matches!(b[1], b'A' | b'B')))
            && b[2..].iter().all(u8::is_ascii_digit)
            && &s[..2] != "00";
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InseeError(s.to_owned()))
        }
    }
}

impl TryFrom<String> for Insee {
    type Error = InseeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Insee> for String {
    fn from(i: Insee) -> Self {
        i.0
    }
}

impl schemars::JsonSchema for Insee {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Insee".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "INSEE commune code (tenant key), e.g. 75056",
            "pattern": "^([0-9]{2}|2[AB])[0-9]{3}$"
        })
    }
}

impl MembershipRole {
    /// The wire name (`admin`, `agent`, `reviewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
            Self::Reviewer => "reviewer",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Admin, Self::Agent, Self::Reviewer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

impl PlatformRole {
    /// The wire name (`programme`, `hosting`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Programme => "programme",
            Self::Hosting => "hosting",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Programme, Self::Hosting]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Insee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's role within one commune.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MembershipRole {
    /// The commune's innovation lead: manages people, district, calls, selections.
    Admin,
    /// Commune staff: reviews, follows experiments, moderates feedback.
    Agent,
    /// A jury member scoring assigned applications.
    Reviewer,
}

/// A platform-wide role.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    /// The metropolis's programme team: sees every tenant.
    Programme,
    /// Runs the servers: manages tenants, never reads their content.
    Hosting,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_codes_parse() {
        assert_eq!("75056".parse::<Insee>().unwrap().departement(), "75");
        assert_eq!("2A004".parse::<Insee>().unwrap().departement(), "2A");
        assert_eq!("97411".parse::<Insee>().unwrap().departement(), "974");
        for bad in ["7505", "750567", "2C004", "ABCDE", "00123", "75 56"] {
            assert!(bad.parse::<Insee>().is_err(), "{bad}");
        }
    }
}
