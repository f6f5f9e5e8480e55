//! Access tokens: EdDSA JWTs with the claims of the tenancy contract.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use qmi_api::{Insee, MembershipRole, PlatformRole};
use serde::{Deserialize, Serialize};

/// Lifetime of an access token.
pub const ACCESS_TTL_SECONDS: i64 = 900;
/// Lifetime of a refresh token family member.
pub const REFRESH_TTL_SECONDS: i64 = 30 * 24 * 3600;

/// The claims of an access token (see `docs/design/tenancy-contract.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer (`jwt_issuer`).
    pub iss: String,
    /// Audience (`jwt_audience`).
    pub aud: String,
    /// Account id.
    pub sub: String,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Token id.
    pub jti: String,
    /// Display name.
    pub name: String,
    /// Preferred language.
    pub lang: String,
    /// Platform roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<PlatformRole>,
    /// Organisation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Commune memberships.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mem: BTreeMap<Insee, MembershipRole>,
    /// The account's rights version when the token was issued (absent: 0). The
    /// gateway refuses the token once the account's version is higher.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rv: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Who the token is for, as read from the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// Account id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `fr` or `en`.
    pub lang: String,
    /// Platform roles.
    pub ops: Vec<PlatformRole>,
    /// Organisation.
    pub org: Option<String>,
    /// Memberships.
    pub mem: BTreeMap<Insee, MembershipRole>,
    /// Rights version, read before the memberships (so a change committed in
    /// between leaves the token older than the change, never newer).
    pub rights_version: u64,
}

/// Issuer settings (from Spin variables).
#[derive(Clone)]
pub struct Issuer {
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: String,
    /// The Ed25519 private key.
    pub key: EncodingKey,
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The private key is not an Ed25519 PKCS#8 PEM.
    #[error("jwt_private_key is not an Ed25519 private key (PKCS#8 PEM): {0}")]
    Key(jsonwebtoken::errors::Error),
    /// Signing failed.
    #[error("signing the access token: {0}")]
    Sign(jsonwebtoken::errors::Error),
}

impl Issuer {
    /// Reads the PEM private key.
    pub fn new(issuer: String, audience: String, private_pem: &str) -> Result<Self, TokenError> {
        let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).map_err(TokenError::Key)?;
        Ok(Self {
            issuer,
            audience,
            key,
        })
    }

    /// The claims for `subject` at `now` with token id `jti`.
    pub fn claims(&self, subject: &Subject, now: i64, jti: String) -> Claims {
        Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.id.clone(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL_SECONDS,
            jti,
            name: subject.name.clone(),
            lang: subject.lang.clone(),
            ops: subject.ops.clone(),
            org: subject.org.clone(),
            mem: subject.mem.clone(),
            rv: subject.rights_version,
        }
    }

    /// Signs the claims (EdDSA).
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &self.key)
            .map_err(TokenError::Sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(rights_version: u64) -> Subject {
        Subject {
            id: "a1".into(),
            name: "Camille".into(),
            lang: "fr".into(),
            ops: Vec::new(),
            org: None,
            mem: BTreeMap::new(),
            rights_version,
        }
    }

    #[test]
    fn the_rights_version_is_the_rv_claim_and_absent_when_zero() {
        let key = EncodingKey::from_secret(b"unused");
        let issuer = Issuer {
            issuer: "qmi".into(),
            audience: "qmi-api".into(),
            key,
        };
        let zero = serde_json::to_value(issuer.claims(&subject(0), 0, "j".into())).unwrap();
        assert!(zero.get("rv").is_none(), "{zero}");
        let three = serde_json::to_value(issuer.claims(&subject(3), 0, "j".into())).unwrap();
        assert_eq!(three["rv"], 3);
        let back: Claims = serde_json::from_value(zero).unwrap();
        assert_eq!(back.rv, 0);
    }
}
