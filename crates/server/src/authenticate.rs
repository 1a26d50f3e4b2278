//! The authenticate step: SigV4 → access key → principal.
//!
//! Long-term keys are looked up in the store once and then served from memory; the cache is
//! dropped whenever the store's generation moves (any committed write), so a deleted or
//! deactivated key is refused on the very next request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use iamd_iam::Principal;
use iamd_iam::credentials::{self, Credential};
use iamd_sigv4::{AuthError, RequestParts, VerifyOptions};
use iamd_wire::{ApiError, Service};

use crate::AppState;

/// Past this many entries the cache starts over (bounds memory under a flood of unknown keys).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct CredentialCache {
    inner: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    generation: u64,
    /// `None`: the store does not know the key.
    map: HashMap<String, Option<Arc<Credential>>>,
}

impl CredentialCache {
    fn get(&self, generation: u64, key_id: &str) -> Option<Option<Arc<Credential>>> {
        let e = self.inner.read().unwrap_or_else(|p| p.into_inner());
        if e.generation != generation {
            return None;
        }
        e.map.get(key_id).cloned()
    }

    fn insert(&self, generation: u64, key_id: &str, c: Option<Arc<Credential>>) {
        let mut e = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if e.generation != generation || e.map.len() >= MAX_ENTRIES {
            e.map.clear();
            e.generation = generation;
        }
        e.map.insert(key_id.to_string(), c);
    }
}

pub fn auth_error(e: &AuthError) -> ApiError {
    ApiError::new(e.code(), e.status(), e.message())
}

fn invalid_token() -> ApiError {
    auth_error(&AuthError::InvalidClientTokenId)
}

async fn lookup(state: &Arc<AppState>, key_id: &str) -> Result<Option<Arc<Credential>>, ApiError> {
    // Read the generation before the store: a write racing with this lookup then makes the
    // entry stale instead of hiding the write.
    let generation = state.store.generation();
    if let Some(hit) = state.credentials.get(generation, key_id) {
        return Ok(hit);
    }
    let st = state.clone();
    let id = key_id.to_string();
    let found = tokio::task::spawn_blocking(move || {
        iamd_store::read(st.store.as_ref(), |tx| {
            credentials::lookup(tx, &st.master, &id)
        })
    })
    .await
    .map_err(|_| ApiError::service_failure())?
    .map_err(|e| {
        tracing::error!(error = %e, "credential lookup failed");
        e.to_api()
    })?
    .map(Arc::new);
    state.credentials.insert(generation, key_id, found.clone());
    Ok(found)
}

/// Authenticates a request for `service`. `Ok(None)` is an anonymous request, allowed only
/// when `anonymous_ok` (the operations AWS lets anyone call).
pub async fn authenticate(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    service: Service,
    anonymous_ok: bool,
    now: SystemTime,
) -> Result<Option<Principal>, ApiError> {
    let auth = match iamd_sigv4::parse(req) {
        Ok(a) => a,
        Err(AuthError::MissingAuthenticationToken) if anonymous_ok => return Ok(None),
        Err(e) => return Err(auth_error(&e)),
    };
    let key_id = auth.access_key_id().to_string();
    if iamd_token::is_session_access_key_id(&key_id) {
        return authenticate_session(state, req, &auth, &key_id, service, now)
            .await
            .map(Some);
    }
    let Some(cred) = lookup(state, &key_id).await? else {
        if state.config.dev {
            // Local testing: an unknown key is a root user, unverified: of the account its ID
            // names when it is 12 digits (created on first use), else of the default account.
            let account = crate::dev::account_for_unknown_key(state, &key_id).await?;
            return Ok(Some(Principal::root(&account, Some(key_id))));
        }
        return Err(invalid_token());
    };
    let opts = VerifyOptions {
        services: &[service.name()],
        ..VerifyOptions::IAM_STS
    };
    iamd_sigv4::verify_with(
        req,
        &auth,
        &cred.secret,
        now,
        Some(&state.signing_keys),
        &opts,
    )
    .map_err(|e| auth_error(&e))?;
    if !cred.active || auth.security_token().is_some() {
        // Inactive keys, and session tokens presented with a long-term key, are refused as AWS
        // refuses them.
        return Err(invalid_token());
    }
    state.last_used.note(&key_id, service.name(), auth.region());
    Ok(Some(cred.principal.clone()))
}

fn token_error(e: &iamd_token::TokenError) -> ApiError {
    ApiError::new(e.code(), e.status(), e.message())
}

/// Temporary credentials: the session token is opened with the key ring (no store read) and
/// the signature verified with the secret it carries.
async fn authenticate_session(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    auth: &iamd_sigv4::ParsedAuth<'_>,
    key_id: &str,
    service: Service,
    now: SystemTime,
) -> Result<Principal, ApiError> {
    let Some(token) = auth.security_token() else {
        return Err(invalid_token());
    };
    let now_unix = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let mut ring = state.ring();
    let session = loop {
        match iamd_token::open_for(token, key_id, &ring, now_unix) {
            Ok(s) => break s,
            Err(iamd_token::TokenError::UnknownKey) => {
                // Another server may have rotated the ring: reload once.
                let st = state.clone();
                let fresh = tokio::task::spawn_blocking(move || st.reload_ring())
                    .await
                    .map_err(|_| ApiError::service_failure())?
                    .map_err(|_| ApiError::service_failure())?;
                if fresh.keys.len() == ring.keys.len() {
                    return Err(invalid_token());
                }
                ring = fresh;
            }
            Err(e) => return Err(token_error(&e)),
        }
    };
    let opts = VerifyOptions {
        services: &[service.name()],
        ..VerifyOptions::IAM_STS
    };
    iamd_sigv4::verify_with(
        req,
        auth,
        &session.secret_access_key,
        now,
        Some(&state.signing_keys),
        &opts,
    )
    .map_err(|e| auth_error(&e))?;
    Ok(Principal::from_session(Arc::new(session)))
}
