//! What authentication needs from the engine: long-term keys (cached, dropped when their
//! records change) and session tokens (opened with the key ring, no store read). The signature
//! check itself belongs to the front end.

use std::sync::Arc;

use iamd_iam::{IamError, Principal};
use iamd_token::{Session, TokenError};

use crate::Engine;
use crate::cache::Recording;

pub use iamd_iam::credentials::Credential;

/// Opened session tokens kept at most (then the memory starts over).
const MAX_OPEN_SESSIONS: usize = 50_000;

impl Engine {
    /// The long-term access key `key_id` (`None`: the store does not know it). Blocking on a
    /// cache miss: call from a blocking thread, or through [`Engine::credential`].
    pub fn credential_blocking(&self, key_id: &str) -> Result<Option<Arc<Credential>>, IamError> {
        // Commits by other processes are noticed (and announced) by the generation check.
        let _ = self.store.generation();
        let epoch = self.credentials.epoch();
        if let Some(hit) = self.credentials.get(key_id) {
            self.metrics.cache_lookup("credentials", true);
            return Ok(hit);
        }
        self.metrics.cache_lookup("credentials", false);
        let (found, reads) = iamd_store::read(self.store.as_ref(), |tx| {
            let mut r = Recording::new(tx);
            let found = iamd_iam::credentials::lookup(&mut r, &self.master, key_id)?;
            Ok::<_, IamError>((found.map(Arc::new), r.reads))
        })?;
        self.credentials
            .insert(epoch, key_id.to_string(), found.clone(), reads);
        Ok(found)
    }

    /// [`Engine::credential_blocking`] from an async front end: the store is read off the
    /// async threads, and only on a cache miss.
    pub async fn credential(
        self: &Arc<Engine>,
        key_id: &str,
    ) -> Result<Option<Arc<Credential>>, IamError> {
        // Commits by other processes are noticed (and announced) by the generation check.
        let _ = self.store.generation();
        if let Some(hit) = self.credentials.get(key_id) {
            self.metrics.cache_lookup("credentials", true);
            return Ok(hit);
        }
        let engine = self.clone();
        let id = key_id.to_string();
        tokio::task::spawn_blocking(move || engine.credential_blocking(&id))
            .await
            .map_err(|_| IamError::from(iamd_wire::ApiError::service_failure()))?
    }

    /// The principal of a session token presented with `key_id`, with the token's secret.
    /// Tokens already opened are remembered (the token is its own key: it cannot be altered
    /// without failing to open), and their key and expiry checked again on every use.
    pub fn session_principal_for(
        &self,
        token: &str,
        key_id: &str,
        now_unix: i64,
    ) -> Result<Principal, TokenError> {
        if let Some(p) = self
            .sessions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
        {
            let s = p.session.as_ref().ok_or(TokenError::Malformed)?;
            if s.access_key_id != key_id {
                return Err(TokenError::AccessKeyMismatch);
            }
            if s.is_expired(now_unix) {
                return Err(TokenError::Expired);
            }
            self.metrics.token_opened();
            return Ok(p.clone());
        }
        let p = self.session_principal(self.open_session(token, key_id, now_unix)?);
        let mut cache = self.sessions.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_OPEN_SESSIONS {
            cache.clear();
        }
        cache.insert(token.into(), p.clone());
        Ok(p)
    }

    /// Forgets opened tokens (the key ring changed).
    pub(crate) fn forget_sessions(&self) {
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Opens a session token presented with `key_id`. A token sealed under a key this server
    /// has not loaded (another server rotated the ring) reloads the ring once.
    pub fn open_session(
        &self,
        token: &str,
        key_id: &str,
        now_unix: i64,
    ) -> Result<Session, TokenError> {
        let mut ring = self.ring();
        let mut reloaded = false;
        loop {
            match iamd_token::open_for(token, key_id, &ring, now_unix) {
                Ok(s) => {
                    self.metrics.token_opened();
                    return Ok(s);
                }
                Err(TokenError::UnknownKey) if !reloaded => {
                    reloaded = true;
                    match self.reload_ring() {
                        Ok(fresh) if fresh.keys.len() != ring.keys.len() => ring = fresh,
                        _ => return Err(TokenError::UnknownKey),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The principal a session stands for.
    pub fn session_principal(&self, s: Session) -> Principal {
        Principal::from_session(Arc::new(s))
    }
}
