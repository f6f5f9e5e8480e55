//! Passwords (argon2id, OWASP parameters) and refresh tokens (random 256-bit,
//! stored as SHA-256).

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// OWASP's argon2id parameters: m = 19456 KiB, t = 2, p = 1.
pub fn argon2() -> Argon2<'static> {
    // `Params::DEFAULT` is exactly OWASP's (checked by a test): nothing to fail at run time.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Why a secret operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Hashing failed.
    #[error("hashing a password: {0}")]
    Hash(String),
    /// The system RNG failed.
    #[error("random bytes: {0}")]
    Random(String),
}

/// The PHC string of `password`, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// A valid argon2id hash of nothing anybody knows, verified against for unknown
/// e-mails so that they take as long as known ones.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W3BzSlVPl2QN/7UuZkU8Ls4kdCKMlhsJvAdhwCxaqcU";

/// Whether `password` matches the PHC string (a malformed hash never matches).
pub fn verify_password(password: &str, phc: &str) -> bool {
    argon2().verify_password(password.as_bytes(), phc).is_ok()
}

/// The most characters a password may have (hashing cost stays bounded).
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// What is wrong with a new password, if anything: 12 to 1,024 characters
/// ([`qmi_api::identity::PASSWORD_MIN_CHARS`]). Any character is allowed.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < qmi_api::identity::PASSWORD_MIN_CHARS {
        Some("at least 12 characters")
    } else if chars > PASSWORD_MAX_CHARS {
        Some("at most 1024 characters")
    } else {
        None
    }
}

/// A new refresh token: 256 random bits, base64url.
pub fn new_refresh_token() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a refresh token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_with_owasp_parameters() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn dummy_hash_parses_and_matches_nothing_obvious() {
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
    }

    #[test]
    fn passwords_have_12_to_1024_characters() {
        assert!(password_problem("").is_some());
        assert!(password_problem("elevenchars").is_some());
        assert_eq!(password_problem("twelve chars"), None);
        // Characters, not bytes.
        assert!(password_problem(&"é".repeat(11)).is_some());
        assert_eq!(password_problem(&"é".repeat(12)), None);
        assert_eq!(password_problem(&"x".repeat(1024)), None);
        assert!(password_problem(&"x".repeat(1025)).is_some());
    }

    #[test]
    fn refresh_tokens() {
        let a = new_refresh_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_refresh_token().unwrap());
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
