//! Secrets at rest: access key secrets are sealed with AES-256-GCM under a master key that lives
//! outside the database, so the database alone reveals no secret.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;

use crate::IamError;

const VERSION: &str = "v1:";

/// The master key. Its bytes never leave this type.
pub struct MasterKey {
    cipher: Aes256Gcm,
    /// Key material for [`MasterKey::derive`], itself derived (never the raw key).
    derive_base: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// From 32 bytes of key material.
    pub fn from_bytes(bytes: &[u8]) -> Result<MasterKey, String> {
        let cipher = Aes256Gcm::new_from_slice(bytes)
            .map_err(|_| "the master key must be 32 bytes".to_string())?;
        let derive_base = sha2::Sha256::new()
            .chain_update(b"iamd-master-key-derivation\n")
            .chain_update(bytes)
            .finalize()
            .into();
        Ok(MasterKey {
            cipher,
            derive_base,
        })
    }

    /// A 32-byte key for one `purpose` (e.g. the audit trail's chain MAC), derived from the
    /// master key: whoever lacks the master key cannot compute it.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        sha2::Sha256::new()
            .chain_update(self.derive_base)
            .chain_update(purpose.as_bytes())
            .finalize()
            .into()
    }

    /// A fresh random key, returned with its bytes so the caller can persist them.
    pub fn generate() -> Result<(MasterKey, [u8; 32]), String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
        Ok((MasterKey::from_bytes(&bytes)?, bytes))
    }

    /// Seals `secret`, bound to `context` (the access key ID) so a sealed secret cannot be moved
    /// to another key's record.
    pub fn seal(&self, secret: &str, context: &str) -> Result<String, IamError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| IamError::internal(format!("sealing a secret: random source: {e}")))?;
        let n = Nonce::try_from(&nonce[..])
            .map_err(|_| IamError::internal("sealing a secret: bad nonce length"))?;
        let ct = self
            .cipher
            .encrypt(
                &n,
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| IamError::internal("sealing a secret: encryption failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(format!("{VERSION}{}", STANDARD.encode(blob)))
    }

    /// Opens a sealed secret; `None` when it was sealed under another key or context, or altered.
    pub fn open(&self, sealed: &str, context: &str) -> Option<String> {
        let blob = STANDARD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if blob.len() < 12 {
            return None;
        }
        let (nonce, ct) = blob.split_at(12);
        let n = Nonce::try_from(nonce).ok()?;
        let pt = self
            .cipher
            .decrypt(
                &n,
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(pt).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_binding() {
        let (k, _) = MasterKey::generate().unwrap();
        let s = k.seal("wJalrXUtnFEMI/K7MDENG", "AKIAEXAMPLE").unwrap();
        assert!(!s.contains("wJalr"));
        assert_eq!(
            k.open(&s, "AKIAEXAMPLE").as_deref(),
            Some("wJalrXUtnFEMI/K7MDENG")
        );
        assert_eq!(k.open(&s, "AKIAOTHER"), None);
        let (other, _) = MasterKey::generate().unwrap();
        assert_eq!(other.open(&s, "AKIAEXAMPLE"), None);
        assert_eq!(k.open("v1:AAAA", "AKIAEXAMPLE"), None);
        assert_eq!(k.open("garbage", "AKIAEXAMPLE"), None);
    }
}
