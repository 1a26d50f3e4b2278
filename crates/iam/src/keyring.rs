//! The key ring that seals session tokens, kept in the store sealed under the master key, so
//! every server sharing the store opens every token, and the database alone reveals no key.

use time::OffsetDateTime;

use iamd_store::{Store, StoreError};
use iamd_token::KeyRing;

use crate::secrets::MasterKey;
use crate::{IamError, keys};

const CONTEXT: &str = "iamd-token-keyring";

fn decode(master: &MasterKey, sealed: &[u8]) -> Result<KeyRing, IamError> {
    let text = std::str::from_utf8(sealed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let json = master.open(text, CONTEXT).ok_or_else(|| {
        StoreError::Corrupt("the token key ring does not open with this master key".into())
    })?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()).into())
}

/// The stored key ring, created on first use.
pub fn load_or_create(
    store: &dyn Store,
    master: &MasterKey,
    now: OffsetDateTime,
) -> Result<KeyRing, IamError> {
    if let Some(sealed) = iamd_store::read(store, |tx| {
        Ok::<_, IamError>(tx.get(&keys::meta("keyring"))?)
    })? {
        return decode(master, &sealed);
    }
    iamd_store::write(store, |tx| {
        if let Some(sealed) = tx.get(&keys::meta("keyring"))? {
            return decode(master, &sealed);
        }
        let ring = KeyRing::generate(now.unix_timestamp())
            .map_err(|e| IamError::internal(format!("creating the token key ring: {e}")))?;
        let json = serde_json::to_string(&ring).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.put(
            &keys::meta("keyring"),
            master.seal(&json, CONTEXT)?.as_bytes(),
        )?;
        Ok(ring)
    })
}

/// Adds a new sealing key; older keys keep opening the tokens they sealed until those expire.
pub fn rotate(
    store: &dyn Store,
    master: &MasterKey,
    now: OffsetDateTime,
) -> Result<KeyRing, IamError> {
    iamd_store::write(store, |tx| {
        let Some(sealed) = tx.get(&keys::meta("keyring"))? else {
            return Err(IamError::internal(
                "no token key ring in the store to rotate (start a server first)",
            ));
        };
        let mut ring = decode(master, &sealed)?;
        ring.rotate(now.unix_timestamp())
            .map_err(|e| IamError::internal(format!("rotating the token key ring: {e}")))?;
        ring.prune(now.unix_timestamp(), 129_600);
        let json = serde_json::to_string(&ring).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.put(
            &keys::meta("keyring"),
            master.seal(&json, CONTEXT)?.as_bytes(),
        )?;
        Ok(ring)
    })
}
