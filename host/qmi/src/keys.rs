//! Development signing keys and the demo password: what `qmi up` provides
//! when the operator has not. Under real Spin the operator sets
//! `SPIN_VARIABLE_JWT_PRIVATE_KEY` and `SPIN_VARIABLE_JWT_PUBLIC_KEY`
//! (`qmi keys` prints a fresh pair).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};

/// The application variables holding the token signing key pair.
pub const PRIVATE_VARIABLE: &str = "jwt_private_key";
/// See [`PRIVATE_VARIABLE`].
pub const PUBLIC_VARIABLE: &str = "jwt_public_key";

/// The application variable holding the internal routes' shared token.
pub const INTERNAL_TOKEN_VARIABLE: &str = "internal_token";

/// The password of the demo accounts unless `QMI_DEMO_PASSWORD` says otherwise.
pub const DEFAULT_DEMO_PASSWORD: &str = "qmi-demo-2026";

/// An Ed25519 key pair as PEM: PKCS#8 private key, SPKI public key.
pub struct KeyPair {
    /// PKCS#8 PEM.
    pub private_pem: String,
    /// SPKI PEM.
    pub public_pem: String,
}

/// A fresh key pair from the operating system's randomness.
pub fn generate() -> Result<KeyPair> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    pair(&SigningKey::from_bytes(&seed))
}

fn pair(key: &SigningKey) -> Result<KeyPair> {
    Ok(KeyPair {
        private_pem: key
            .to_pkcs8_pem(LineEnding::LF)
            .context("encoding the private key")?
            .to_string(),
        public_pem: key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .context("encoding the public key")?,
    })
}

/// Variable values for the signing keys when the environment sets none:
/// the pair kept in `<data-dir>/keys/`, created on first use. Returns
/// environment-style overrides (`SPIN_VARIABLE_*` → value).
pub fn dev_overrides(
    declared: impl Fn(&str) -> bool,
    data_dir: &Path,
) -> Result<HashMap<String, String>> {
    let mut overrides = HashMap::new();
    let env_name = |v: &str| format!("SPIN_VARIABLE_{}", v.to_ascii_uppercase());
    if !declared(PRIVATE_VARIABLE) || std::env::var_os(env_name(PRIVATE_VARIABLE)).is_some() {
        return Ok(overrides);
    }
    let dir = data_dir.join("keys");
    let path = dir.join("jwt-ed25519.pem");
    let key = if path.exists() {
        let pem = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        SigningKey::from_pkcs8_pem(&pem)
            .with_context(|| format!("{} is not an Ed25519 PKCS#8 key", path.display()))?
    } else {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let key = SigningKey::from_bytes(&seed);
        std::fs::create_dir_all(&dir)?;
        write_private(&path, &pair(&key)?.private_pem)?;
        tracing::info!(path = %path.display(), "generated a development token signing key");
        key
    };
    let pair = pair(&key)?;
    overrides.insert(env_name(PRIVATE_VARIABLE), pair.private_pem);
    if declared(PUBLIC_VARIABLE) && std::env::var_os(env_name(PUBLIC_VARIABLE)).is_none() {
        overrides.insert(env_name(PUBLIC_VARIABLE), pair.public_pem);
    }
    Ok(overrides)
}

/// A fresh internal token: 32 random bytes, hex.
pub fn internal_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// The internal token's value when the environment sets none: the one kept
/// in `<data-dir>/keys/internal-token`, created on first use (so processes
/// sharing a data directory share it). An environment-style override.
pub fn internal_token_override(
    declared: impl Fn(&str) -> bool,
    data_dir: &Path,
) -> Result<Option<(String, String)>> {
    let env_name = format!(
        "SPIN_VARIABLE_{}",
        INTERNAL_TOKEN_VARIABLE.to_ascii_uppercase()
    );
    if !declared(INTERNAL_TOKEN_VARIABLE) || std::env::var_os(&env_name).is_some() {
        return Ok(None);
    }
    let dir = data_dir.join("keys");
    let path = dir.join("internal-token");
    if !path.exists() {
        std::fs::create_dir_all(&dir)?;
        match write_private(&path, &internal_token()?) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "generated a development internal token")
            }
            // Another process sharing the directory wrote it first.
            Err(_) if path.exists() => {}
            Err(e) => return Err(e.context(format!("writing {}", path.display()))),
        }
    }
    let token =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some((env_name, token.trim().to_owned())))
}

fn write_private(path: &Path, pem: &str) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(pem.as_bytes())?;
    Ok(())
}

/// The argon2id PHC hash (OWASP parameters) of the demo password.
pub fn demo_password_hash() -> Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let password =
        std::env::var("QMI_DEMO_PASSWORD").unwrap_or_else(|_| DEFAULT_DEMO_PASSWORD.to_owned());
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    let params = argon2::Params::new(19_456, 2, 1, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    Ok(argon
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_pairs_are_pem() {
        let pair = generate().unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn dev_keys_persist_in_the_data_dir() {
        let dir = std::env::temp_dir().join(format!("qmi-keys-test-{}", std::process::id()));
        let first = dev_overrides(|_| true, &dir).unwrap();
        let second = dev_overrides(|_| true, &dir).unwrap();
        assert_eq!(first, second);
        assert!(first["SPIN_VARIABLE_JWT_PUBLIC_KEY"].contains("PUBLIC KEY"));
        assert!(dev_overrides(|_| false, &dir).unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_dev_internal_token_persists_in_the_data_dir() {
        let dir = std::env::temp_dir().join(format!("qmi-token-test-{}", std::process::id()));
        let first = internal_token_override(|_| true, &dir).unwrap().unwrap();
        let second = internal_token_override(|_| true, &dir).unwrap().unwrap();
        assert_eq!(first, second);
        assert_eq!(first.0, "SPIN_VARIABLE_INTERNAL_TOKEN");
        assert_eq!(first.1.len(), 64);
        assert!(internal_token_override(|_| false, &dir).unwrap().is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn demo_hash_is_argon2id() {
        let hash = demo_password_hash().unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
