//! Fresh temporary access keys.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::TokenError;

/// The prefix of temporary (STS-issued) access key ids.
pub const SESSION_KEY_PREFIX: &str = "ASIA";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A freshly minted `ASIA…` access key id and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `ASIA` + 16 characters of `[A-Z2-7]` (80 random bits).
    pub access_key_id: String,
    /// 40 characters of standard base64 (240 random bits), like AWS's secrets.
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Mints a new temporary access key id and secret from the operating system's generator.
pub fn mint_credentials() -> Result<Credentials, TokenError> {
    let mut id_bits = [0u8; 10];
    let mut secret = [0u8; 30];
    getrandom::fill(&mut id_bits).map_err(|_| TokenError::Internal)?;
    getrandom::fill(&mut secret).map_err(|_| TokenError::Internal)?;
    Ok(Credentials {
        access_key_id: session_key_id_from(&id_bits),
        secret_access_key: STANDARD.encode(secret),
    })
}

/// `ASIA` followed by the base32 spelling of 80 bits.
fn session_key_id_from(bits: &[u8; 10]) -> String {
    let mut n: u128 = 0;
    for b in bits {
        n = (n << 8) | u128::from(*b);
    }
    let mut id = String::with_capacity(20);
    id.push_str(SESSION_KEY_PREFIX);
    for i in (0..16).rev() {
        let digit = ((n >> (i * 5)) & 31) as usize;
        id.push(char::from(BASE32[digit]));
    }
    id
}

/// Whether `id` has the shape of a temporary access key id: `ASIA` + 16 of `[A-Z2-7]`.
pub fn is_session_access_key_id(id: &str) -> bool {
    id.len() == 20
        && id.starts_with(SESSION_KEY_PREFIX)
        && id.bytes().skip(4).all(|b| BASE32.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_shapes() {
        let c = mint_credentials().unwrap();
        assert!(
            is_session_access_key_id(&c.access_key_id),
            "{}",
            c.access_key_id
        );
        assert_eq!(c.secret_access_key.len(), 40);
        let d = mint_credentials().unwrap();
        assert_ne!(c.access_key_id, d.access_key_id);
        assert_ne!(c.secret_access_key, d.secret_access_key);
        assert!(!format!("{c:?}").contains(&c.secret_access_key));
    }

    #[test]
    fn base32_spelling() {
        assert_eq!(session_key_id_from(&[0; 10]), "ASIAAAAAAAAAAAAAAAAA");
        assert_eq!(session_key_id_from(&[0xff; 10]), "ASIA7777777777777777");
        assert!(!is_session_access_key_id("AKIAAAAAAAAAAAAAAAAA"));
        assert!(!is_session_access_key_id("ASIAAAAAAAAAAAAAAAA1"));
        assert!(!is_session_access_key_id("ASIAAAAAAAAAAAAAAAA"));
    }
}
