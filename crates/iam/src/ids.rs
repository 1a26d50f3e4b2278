//! Identifiers in AWS's forms: unique IDs (`AIDA…`), access key IDs (`AKIA…`), secrets and
//! account IDs, from the operating system's random source.

use crate::IamError;

/// AWS's unique IDs use upper-case letters and digits 2–7 after the four-letter prefix.
const ID_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The operating system's random source failed. A type of its own (not [`IamError`]) because
/// the CLI makes account IDs outside any operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the random source failed: {message}")]
pub struct RandomError {
    pub message: String,
}

impl From<RandomError> for IamError {
    fn from(e: RandomError) -> Self {
        IamError::Internal(e.to_string())
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| RandomError {
        message: e.to_string(),
    })?;
    Ok(b)
}

fn from_alphabet<const N: usize>(prefix: &str, alphabet: &[u8]) -> Result<String, RandomError> {
    // Both alphabets divide 256, so `b % len` is unbiased.
    let bytes = random_bytes::<N>()?;
    let mut s = String::with_capacity(prefix.len() + N);
    s.push_str(prefix);
    for b in bytes {
        let i = usize::from(b) % alphabet.len();
        s.push(char::from(alphabet.get(i).copied().unwrap_or(b'A')));
    }
    Ok(s)
}

/// A 21-character unique ID: `AIDA` users, `AGPA` groups, `AROA` roles, `ANPA` policies…
pub fn unique_id(prefix: &str) -> Result<String, RandomError> {
    from_alphabet::<17>(prefix, ID_ALPHABET)
}

/// A 20-character access key ID: `AKIA` long-term, `ASIA` temporary.
pub fn access_key_id(prefix: &str) -> Result<String, RandomError> {
    from_alphabet::<16>(prefix, ID_ALPHABET)
}

/// A 40-character secret access key (240 bits).
pub fn secret_access_key() -> Result<String, RandomError> {
    from_alphabet::<40>("", SECRET_ALPHABET)
}

/// A service-specific credential's password or secret: `len` characters of the base64
/// alphabet (6 bits each), at most 64.
pub fn service_secret(len: usize) -> Result<String, RandomError> {
    let s = from_alphabet::<64>("", SECRET_ALPHABET)?;
    Ok(s.chars().take(len).collect())
}

/// A random 12-digit account ID that does not start with 0.
pub fn account_id() -> Result<String, RandomError> {
    let mut s = String::with_capacity(12);
    while s.len() < 12 {
        for b in random_bytes::<16>()? {
            // Reject 250..=255 so every digit is equally likely.
            if b < 250 && s.len() < 12 && !(s.is_empty() && b % 10 == 0) {
                s.push(char::from(b'0' + b % 10));
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_identifiers() {
        let u = unique_id("AIDA").unwrap();
        assert_eq!(u.len(), 21);
        assert!(u.starts_with("AIDA"));
        assert!(u.bytes().all(|b| ID_ALPHABET.contains(&b)));
        let k = access_key_id("AKIA").unwrap();
        assert_eq!(k.len(), 20);
        assert_eq!(secret_access_key().unwrap().len(), 40);
        let a = account_id().unwrap();
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(a.as_bytes()[0], b'0');
        assert_ne!(unique_id("AIDA").unwrap(), unique_id("AIDA").unwrap());
    }
}
