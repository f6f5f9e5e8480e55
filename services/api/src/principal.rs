//! The verified principal the gateway passes to services in one internal
//! header (see `docs/design/tenancy-contract.md`).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::tenancy::{Insee, MembershipRole, PlatformRole};

/// The internal header carrying the principal (base64url JSON).
pub const PRINCIPAL_HEADER: &str = "x-qmi-principal";
/// The internal header carrying the route's tenant.
pub const TENANT_HEADER: &str = "x-qmi-tenant";
/// The internal header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-qmi-request-id";

/// Who is calling, as verified by the gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Account id.
    pub sub: String,
    /// Display name.
    pub name: String,
    /// Preferred language (`fr` or `en`).
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Platform roles.
    #[serde(default)]
    pub ops: Vec<PlatformRole>,
    /// The organisation the account is a member of, if any.
    #[serde(default)]
    pub org: Option<String>,
    /// Commune memberships.
    #[serde(default)]
    pub mem: BTreeMap<Insee, MembershipRole>,
}

fn default_lang() -> String {
    "fr".to_owned()
}

/// Why a principal header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PrincipalError {
    /// Not base64url.
    #[error("principal header is not base64url")]
    Encoding,
    /// Not the expected JSON.
    #[error("principal header is not a principal: {0}")]
    Json(#[from] serde_json::Error),
}

impl Principal {
    /// Encodes the principal for the internal header.
    pub fn to_header(&self) -> String {
        // A struct of strings always serialises; were it not to, the empty header
        // is refused by `from_header` (never a panic on a request path).
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes the internal header.
    pub fn from_header(value: &str) -> Result<Self, PrincipalError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(value)
            .map_err(|_| PrincipalError::Encoding)?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Whether the principal holds a platform role.
    pub fn is(&self, role: PlatformRole) -> bool {
        self.ops.contains(&role)
    }

    /// The principal's role in a commune, if any.
    pub fn role_in(&self, insee: &Insee) -> Option<MembershipRole> {
        self.mem.get(insee).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let p = Principal {
            sub: "a".into(),
            name: "Camille".into(),
            lang: "fr".into(),
            ops: vec![PlatformRole::Programme],
            org: None,
            mem: [("93066".parse().unwrap(), MembershipRole::Admin)].into(),
        };
        assert_eq!(Principal::from_header(&p.to_header()).unwrap(), p);
        assert!(Principal::from_header("!!").is_err());
    }
}
