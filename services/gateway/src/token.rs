//! Bearer token verification (contract "Access token" and rule 3): EdDSA only, every
//! claim required and checked, claims turned into the [`Principal`] services receive.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use qmi_api::{Insee, MembershipRole, PlatformRole, Principal};
use serde::Deserialize;

use crate::problem::Refusal;

/// Clock skew tolerated on `exp` and `nbf`, in seconds (the contract allows 60 at most).
pub const LEEWAY_SECS: u64 = 30;

/// Tokens longer than this are refused without being parsed.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// The claims of an access token. `iss` and `aud` are checked by the validation and not
/// kept; `org`, `ops` and `mem` default to empty.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: uuid::Uuid,
    name: String,
    lang: String,
    exp: u64,
    nbf: u64,
    #[allow(dead_code)]
    iat: u64,
    #[allow(dead_code)]
    jti: String,
    #[serde(default)]
    ops: Vec<PlatformRole>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    mem: BTreeMap<Insee, MembershipRole>,
    /// The account's rights version when the token was issued (absent: 0).
    #[serde(default)]
    rv: u64,
}

/// What a verified token says: the principal services receive, and the rights
/// version the gateway checks against the account's current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The principal.
    pub principal: Principal,
    /// The `rv` claim (0 when absent).
    pub rights_version: u64,
}

impl From<Claims> for Verified {
    fn from(c: Claims) -> Self {
        Verified {
            principal: Principal {
                sub: c.sub.to_string(),
                name: c.name,
                lang: c.lang,
                ops: c.ops,
                org: c.org,
                mem: c.mem,
            },
            rights_version: c.rv,
        }
    }
}

/// Reads the `Authorization` header values: `Ok(None)` when there is none, the token
/// when there is exactly one `Bearer <token>`.
pub fn bearer<'a>(values: &[&'a [u8]]) -> Result<Option<&'a str>, Refusal> {
    let value = match values {
        [] => return Ok(None),
        [one] => *one,
        _ => {
            return Err(Refusal::InvalidAuthorization(
                "more than one Authorization header".to_owned(),
            ));
        }
    };
    let text = std::str::from_utf8(value)
        .map_err(|_| Refusal::InvalidAuthorization("the header is not ASCII".to_owned()))?;
    let (scheme, token) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| Refusal::InvalidAuthorization("expected `Bearer <token>`".to_owned()))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::InvalidAuthorization(format!(
            "the `{scheme}` scheme is not accepted, only Bearer"
        )));
    }
    let token = token.trim();
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(Refusal::InvalidToken("empty or oversized token".to_owned()));
    }
    Ok(Some(token))
}

/// Verifies access tokens against one public key, issuer and audience.
pub struct Verifier {
    key: Arc<DecodingKey>,
    validation: Validation,
    /// Identifies the configuration the verified-token cache belongs to.
    fingerprint: String,
}

/// Tokens whose signature and claims were verified by this instance, with
/// their validity window. A signature check costs hundreds of µs in wasm;
/// the window is still checked on every use. Bounded, and dropped whenever
/// the key, issuer or audience change.
struct VerifiedTokens {
    fingerprint: String,
    entries: std::collections::HashMap<String, (Verified, u64, u64)>,
}

/// How many verified tokens an instance remembers.
const VERIFIED_CAPACITY: usize = 1024;

static VERIFIED: Mutex<Option<VerifiedTokens>> = Mutex::new(None);

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Verifier {
    /// A verifier for the Ed25519 public key `pem` (SPKI PEM). The parsed key is cached
    /// per instance, keyed by the PEM text, since it is immutable configuration.
    pub fn new(pem: &str, issuer: &str, audience: &str) -> Result<Self, Refusal> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.leeway = LEEWAY_SECS;
        let fingerprint = format!("{issuer}\n{audience}\n{pem}");
        Ok(Verifier {
            key: cached_key(pem)?,
            validation,
            fingerprint,
        })
    }

    /// Verifies a token and returns its principal and rights version; every
    /// failure is an [`Refusal::InvalidToken`] naming the reason.
    pub fn verify(&self, token: &str) -> Result<Verified, Refusal> {
        let now = now_secs();
        {
            let cache = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(cache) = cache.as_ref().filter(|c| c.fingerprint == self.fingerprint)
                && let Some((verified, exp, nbf)) = cache.entries.get(token)
            {
                if now > exp.saturating_add(LEEWAY_SECS) {
                    return Err(Refusal::InvalidToken(reason(&ErrorKind::ExpiredSignature)));
                }
                if *nbf > now.saturating_add(LEEWAY_SECS) {
                    return Err(Refusal::InvalidToken(reason(&ErrorKind::ImmatureSignature)));
                }
                return Ok(verified.clone());
            }
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| Refusal::InvalidToken(reason(e.kind())))?;
        let (exp, nbf) = (data.claims.exp, data.claims.nbf);
        let verified: Verified = data.claims.into();
        let mut cache = VERIFIED.lock().unwrap_or_else(|p| p.into_inner());
        let cache = match cache.as_mut() {
            Some(c) if c.fingerprint == self.fingerprint => c,
            _ => cache.insert(VerifiedTokens {
                fingerprint: self.fingerprint.clone(),
                entries: Default::default(),
            }),
        };
        if cache.entries.len() >= VERIFIED_CAPACITY {
            cache.entries.clear();
        }
        cache
            .entries
            .insert(token.to_owned(), (verified.clone(), exp, nbf));
        Ok(verified)
    }
}

/// A client-facing reason for a verification failure.
fn reason(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".to_owned(),
        ErrorKind::InvalidIssuer => "the token's issuer (iss) is not accepted".to_owned(),
        ErrorKind::InvalidAudience => "the token's audience (aud) is not accepted".to_owned(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".to_owned(),
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not EdDSA".to_owned(),
        ErrorKind::MissingRequiredClaim(c) => format!("the token lacks the `{c}` claim"),
        ErrorKind::InvalidClaimFormat(c) => format!("the token's `{c}` claim is malformed"),
        ErrorKind::Json(e) => format!("the token's claims are not valid: {e}"),
        _ => "the token is malformed".to_owned(),
    }
}

/// The parsed key for `pem`, parsed at most once per distinct PEM text per instance.
fn cached_key(pem: &str) -> Result<Arc<DecodingKey>, Refusal> {
    static KEY: Mutex<Option<(String, Arc<DecodingKey>)>> = Mutex::new(None);
    let mut slot = KEY.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((text, key)) = slot.as_ref()
        && text == pem
    {
        return Ok(key.clone());
    }
    let key = DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| {
        Refusal::Unavailable(format!(
            "the gateway's jwt_public_key is not an Ed25519 public key in PEM: {e}"
        ))
    })?;
    let key = Arc::new(key);
    *slot = Some((pem.to_owned(), key.clone()));
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    struct Keys {
        private_pem: String,
        public_pem: String,
    }

    fn keys(seed: u8) -> Keys {
        let sk = SigningKey::from_bytes(&[seed; 32]);
        Keys {
            private_pem: sk.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            public_pem: sk
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        }
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn claims() -> serde_json::Value {
        json!({
            "iss": "qmi", "aud": "qmi-api", "sub": "0190c5f2-0000-7000-8000-000000000001",
            "iat": now(), "nbf": now(), "exp": now() + 900, "jti": "j1",
            "name": "Camille Martin", "lang": "fr",
            "ops": ["programme"], "mem": { "93066": "admin" }
        })
    }

    fn sign(k: &Keys, claims: &serde_json::Value) -> String {
        let key = EncodingKey::from_ed_pem(k.private_pem.as_bytes()).unwrap();
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), claims, &key).unwrap()
    }

    fn verifier(k: &Keys) -> Verifier {
        Verifier::new(&k.public_pem, "qmi", "qmi-api").unwrap()
    }

    #[test]
    fn a_valid_token_gives_its_principal() {
        let k = keys(1);
        let v = verifier(&k).verify(&sign(&k, &claims())).unwrap();
        assert_eq!(v.rights_version, 0, "absent rv is 0");
        let p = v.principal;
        assert_eq!(p.name, "Camille Martin");
        assert_eq!(p.ops, vec![PlatformRole::Programme]);
        assert_eq!(
            p.role_in(&"93066".parse().unwrap()),
            Some(MembershipRole::Admin)
        );
        assert_eq!(p.org, None);
        let mut c = claims();
        c["rv"] = json!(7);
        assert_eq!(
            verifier(&k).verify(&sign(&k, &c)).unwrap().rights_version,
            7
        );
    }

    #[test]
    fn every_claim_is_checked() {
        let k = keys(2);
        let v = verifier(&k);
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("expired", Box::new(|c| c["exp"] = json!(now() - 3600))),
            (
                "not yet valid",
                Box::new(|c| c["nbf"] = json!(now() + 3600)),
            ),
            ("wrong iss", Box::new(|c| c["iss"] = json!("evil"))),
            ("wrong aud", Box::new(|c| c["aud"] = json!("other"))),
            (
                "no sub",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("sub");
                }),
            ),
            ("sub not a uuid", Box::new(|c| c["sub"] = json!("root"))),
            (
                "no nbf",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("nbf");
                }),
            ),
            (
                "no exp",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("exp");
                }),
            ),
            (
                "no iss",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("iss");
                }),
            ),
            (
                "no aud",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("aud");
                }),
            ),
            (
                "no jti",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("jti");
                }),
            ),
            (
                "no name",
                Box::new(|c| {
                    c.as_object_mut().unwrap().remove("name");
                }),
            ),
            (
                "bad insee",
                Box::new(|c| c["mem"] = json!({ "123": "admin" })),
            ),
            ("bad role", Box::new(|c| c["ops"] = json!(["root"]))),
            ("negative rv", Box::new(|c| c["rv"] = json!(-1))),
        ];
        for (what, edit) in cases {
            let mut c = claims();
            edit(&mut c);
            let err = v.verify(&sign(&k, &c)).unwrap_err();
            assert!(matches!(err, Refusal::InvalidToken(_)), "{what}: {err:?}");
        }
    }

    #[test]
    fn forged_tokens_are_refused() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let k = keys(3);
        let v = verifier(&k);
        let good = sign(&k, &claims());

        // alg: none
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = b64.encode(claims().to_string());
        assert!(v.verify(&format!("{header}.{payload}.")).is_err());

        // HS256 with the public key as the secret
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(k.public_pem.as_bytes()),
        )
        .unwrap();
        assert!(v.verify(&hs).is_err());

        // tampered payload with the original signature
        let parts: Vec<&str> = good.split('.').collect();
        let mut c = claims();
        c["ops"] = json!(["programme", "hosting"]);
        let forged = format!("{}.{}.{}", parts[0], b64.encode(c.to_string()), parts[2]);
        assert!(v.verify(&forged).is_err());

        // signed by another key
        assert!(v.verify(&sign(&keys(4), &claims())).is_err());
    }

    #[test]
    fn authorization_header_forms() {
        assert_eq!(bearer(&[]), Ok(None));
        assert_eq!(bearer(&[b"Bearer abc"]), Ok(Some("abc")));
        assert_eq!(bearer(&[b"bearer  abc "]), Ok(Some("abc")));
        assert_eq!(bearer(&[b"Basic dXNlcjpwYXNz"]).unwrap_err().status(), 401);
        assert_eq!(bearer(&[b"Bearer"]).unwrap_err().status(), 401);
        assert_eq!(
            bearer(&[b"Bearer a", b"Bearer b"]).unwrap_err().status(),
            401
        );
    }

    #[test]
    fn a_bad_key_is_a_configuration_problem() {
        let err = Verifier::new("not a pem", "qmi", "qmi-api").err().unwrap();
        assert_eq!(err.status(), 503);
    }
}
