//! The key ring that seals and opens session tokens.
//!
//! The newest active key seals; any key still in the ring opens the tokens that name it, so
//! rotating keeps older tokens valid until they expire. Removing a key invalidates every token
//! sealed with it at once.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::TokenError;

/// The longest a session can last (`GetSessionToken`/`GetFederationToken`: 36 hours): a key
/// superseded longer ago than this can have no live token left.
pub const MAX_SESSION_SECS: i64 = 129_600;

/// One AES-256 key of the ring.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingKey {
    /// The id written (in clear, authenticated) into every token sealed with this key.
    pub id: u32,
    /// The AES-256-GCM key; serialized as standard base64.
    #[serde(with = "key_b64")]
    pub key: [u8; 32],
    /// When the key was made (unix seconds).
    pub created_at: i64,
    /// A retired key no longer seals, but still opens the tokens it sealed.
    pub retired: bool,
}

impl RingKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate(id: u32, now_unix: i64) -> Result<RingKey, TokenError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| TokenError::Internal)?;
        Ok(RingKey {
            id,
            key,
            created_at: now_unix,
            retired: false,
        })
    }
}

impl fmt::Debug for RingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("retired", &self.retired)
            .finish()
    }
}

/// The set of keys tokens are sealed and opened with. The store persists it; every server loads
/// the same ring.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRing {
    /// The keys, in any order; ids are unique.
    pub keys: Vec<RingKey>,
}

impl KeyRing {
    /// A ring with one fresh key (id 1).
    pub fn generate(now_unix: i64) -> Result<KeyRing, TokenError> {
        Ok(KeyRing {
            keys: vec![RingKey::generate(1, now_unix)?],
        })
    }

    /// The key that seals new tokens: the newest (by `created_at`, then id) that is not retired.
    pub fn sealing_key(&self) -> Option<&RingKey> {
        self.keys
            .iter()
            .filter(|k| !k.retired)
            .max_by_key(|k| (k.created_at, k.id))
    }

    /// The key with this id, retired or not.
    pub fn get(&self, id: u32) -> Option<&RingKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Adds a fresh key that seals from now on and retires every older one (they keep opening
    /// their tokens). Returns the new key's id (one more than the largest id in the ring).
    pub fn rotate(&mut self, now_unix: i64) -> Result<u32, TokenError> {
        let id = match self.keys.iter().map(|k| k.id).max() {
            Some(max) => max.checked_add(1).ok_or(TokenError::Internal)?,
            None => 1,
        };
        let key = RingKey::generate(id, now_unix)?;
        for k in &mut self.keys {
            k.retired = true;
        }
        self.keys.push(key);
        Ok(id)
    }

    /// Stops key `id` from sealing; it still opens. Returns whether the key was found.
    pub fn retire(&mut self, id: u32) -> bool {
        match self.keys.iter_mut().find(|k| k.id == id) {
            Some(k) => {
                k.retired = true;
                true
            }
            None => false,
        }
    }

    /// Removes key `id`: every token sealed with it is refused from now on.
    pub fn remove(&mut self, id: u32) -> Option<RingKey> {
        let at = self.keys.iter().position(|k| k.id == id)?;
        Some(self.keys.remove(at))
    }

    /// Removes retired keys that can have sealed no token still alive: those superseded (a key
    /// with a larger id was created) at least `max_session_secs` before `now`. Use
    /// [`MAX_SESSION_SECS`] unless sessions are known to be shorter. Returns how many went.
    pub fn prune(&mut self, now_unix: i64, max_session_secs: i64) -> usize {
        let superseded_at = |id: u32, keys: &[RingKey]| {
            keys.iter()
                .filter(|k| k.id > id)
                .map(|k| k.created_at)
                .min()
        };
        let doomed: Vec<u32> = self
            .keys
            .iter()
            .filter(|k| k.retired)
            .filter(|k| {
                superseded_at(k.id, &self.keys)
                    .is_some_and(|t| t.saturating_add(max_session_secs) <= now_unix)
            })
            .map(|k| k.id)
            .collect();
        self.keys.retain(|k| !doomed.contains(&k.id));
        doomed.len()
    }
}

mod key_b64 {
    use super::{Engine, STANDARD};
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(key: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(key))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = STANDARD.decode(text.as_bytes()).map_err(D::Error::custom)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| D::Error::custom("a ring key must be 32 bytes"))
    }
}
