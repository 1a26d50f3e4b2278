//! Request and event IDs: version-4 UUIDs made from a per-process random seed and a counter, so
//! the request path makes no system call for randomness. They are unique, not secret: nothing
//! is authorized by knowing one.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh ID, unique within the process (and, by its random seed, across processes).
pub fn unique_id() -> String {
    static SEED: OnceLock<[u8; 16]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = SEED.get_or_init(|| *uuid::Uuid::new_v4().as_bytes());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = *seed;
    for (b, c) in bytes.iter_mut().zip(n.to_le_bytes()) {
        *b ^= c;
    }
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut buf)
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| unique_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            let u = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(u.get_version_num(), 4);
            assert_eq!(id, &id.to_lowercase());
        }
    }
}
