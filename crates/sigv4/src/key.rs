//! Signing-key derivation and the derived-key cache.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub(crate) type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail; an empty tag is never produced.
    match HmacSha256::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().into()
        }
        Err(_) => [0u8; 32],
    }
}

/// A derived SigV4 signing key (`kSigning`) for one secret, date, region and service, kept as a
/// ready-keyed HMAC state so each use skips the key set-up.
#[derive(Clone)]
pub struct SigningKey {
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
    /// "aws4_request")`.
    pub fn derive(secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        SigningKey::from_bytes(&SigningKey::derive_bytes(secret, date, region, service))
    }

    /// The raw 32 bytes of [`SigningKey::derive`]: what a front end that checks S3's chunk
    /// signatures needs, valid for one date, region and service only.
    pub fn derive_bytes(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        let mut k_secret = Vec::with_capacity(4 + secret.len());
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.as_bytes());
        let k_date = hmac(&k_secret, date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        hmac(&k_service, b"aws4_request")
    }

    /// A signing key from its 32 raw bytes.
    pub fn from_bytes(k_signing: &[u8; 32]) -> SigningKey {
        let mac = match HmacSha256::new_from_slice(k_signing) {
            Ok(m) => m,
            // Unreachable: HMAC takes any key length. Keep a valid (useless) state.
            Err(_) => HmacSha256::new(&Default::default()),
        };
        SigningKey { mac }
    }

    /// HMAC-SHA256 of `data` under this key.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut m = self.mac.clone();
        m.update(data);
        m.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// The cache key: SHA-256 over the length-prefixed secret, date, region and service, so the raw
/// secret is never stored and no two tuples collide by concatenation.
pub(crate) fn cache_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"iamd-sigv4 signing key v1\0");
    for part in [secret, date, region, service] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

const SHARDS: usize = 16;

/// A bounded, thread-safe cache of derived signing keys.
///
/// Keyed by a SHA-256 of (secret, date, region, service): the raw secret is never stored. Split
/// into 16 shards, each a `Mutex<HashMap>` chosen by the first byte of the key hash, so
/// concurrent verifications rarely contend; lock hold times are a hash-map probe and a clone.
/// When a shard is full an arbitrary entry is evicted (keys change daily, so the working set is
/// the active keys × regions × services of the current UTC day and stale entries age out through
/// eviction). [`crate::verify`] inserts only after a signature verified, so a caller that knows a
/// key id but not its secret cannot churn the cache. A poisoned shard lock is recovered, never
/// propagated. Share one cache per process (`Arc` or a `static`).
pub struct SigningKeyCache {
    shards: Vec<Mutex<HashMap<[u8; 32], SigningKey>>>,
    per_shard: usize,
}

impl SigningKeyCache {
    /// A cache holding up to about `capacity` keys (rounded up to a multiple of 16, at least 16).
    pub fn new(capacity: usize) -> SigningKeyCache {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        SigningKeyCache {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard,
        }
    }

    /// The maximum number of keys held.
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    fn shard(&self, key: &[u8; 32]) -> Option<&Mutex<HashMap<[u8; 32], SigningKey>>> {
        let n = self.shards.len().max(1);
        self.shards.get(usize::from(key[0]) % n)
    }

    pub(crate) fn get(&self, key: &[u8; 32]) -> Option<SigningKey> {
        let shard = self.shard(key)?;
        let map = shard.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: [u8; 32], value: SigningKey) {
        let Some(shard) = self.shard(&key) else {
            return;
        };
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.per_shard
            && !map.contains_key(&key)
            && let Some(victim) = map.keys().next().copied()
        {
            map.remove(&victim);
        }
        map.insert(key, value);
    }

    /// The signing key for these inputs: from the cache, or derived and inserted.
    pub fn get_or_derive(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        let key = cache_key(secret, date, region, service);
        if let Some(k) = self.get(&key) {
            return k;
        }
        let k = SigningKey::derive(secret, date, region, service);
        self.insert(key, k.clone());
        k
    }

    /// The number of keys held now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every key (e.g. after a secret is deleted or rotated).
    pub fn clear(&self) {
        for s in &self.shards {
            s.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

impl Default for SigningKeyCache {
    /// 4096 keys.
    fn default() -> Self {
        SigningKeyCache::new(4096)
    }
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_matches_aws_example() {
        // AWS's documented example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
        // 20120215/us-east-1/iam.
        let k = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        let k_date = hmac(b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", b"20120215");
        let k_region = hmac(&k_date, b"us-east-1");
        let k_service = hmac(&k_region, b"iam");
        let k_signing = hmac(&k_service, b"aws4_request");
        assert_eq!(
            hex::encode(k_signing),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(k.sign(b"x"), hmac(&k_signing, b"x"));
    }

    #[test]
    fn cache_is_bounded_and_keyed_by_all_inputs() {
        let c = SigningKeyCache::new(32);
        assert_eq!(c.capacity(), 32);
        for i in 0..500 {
            c.get_or_derive(&format!("secret{i}"), "20250101", "us-east-1", "iam");
        }
        assert!(c.len() <= 32);
        let a = cache_key("s", "20250101", "us-east-1", "iam");
        assert_ne!(a, cache_key("s", "20250101", "us-east-1", "sts"));
        assert_ne!(a, cache_key("s", "20250102", "us-east-1", "iam"));
        assert_ne!(a, cache_key("s2", "20250101", "us-east-1", "iam"));
        assert_ne!(
            cache_key("ab", "c", "r", "s"),
            cache_key("a", "bc", "r", "s")
        );
        let k1 = c.get_or_derive("s", "20250101", "us-east-1", "iam");
        let k2 = c.get_or_derive("s", "20250101", "us-east-1", "iam");
        assert_eq!(k1.sign(b"m"), k2.sign(b"m"));
        c.clear();
        assert!(c.is_empty());
    }
}
