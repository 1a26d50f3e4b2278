//! The authenticate step of the HTTP front ends: SigV4 → access key → principal. Long-term keys
//! come from the engine's credential cache; session tokens are opened with the key ring (no
//! store read). The signature is verified here, with the secret the engine provides.

use std::sync::Arc;
use std::time::SystemTime;

use iamd_engine::Principal;
use iamd_sigv4::{AuthError, RequestParts, VerifyOptions};
use iamd_wire::ApiError;

use crate::AppState;

pub fn auth_error(e: &AuthError) -> ApiError {
    ApiError::new(e.code(), e.status(), e.message())
}

fn invalid_token() -> ApiError {
    auth_error(&AuthError::InvalidClientTokenId)
}

/// Who signed a request, and the region it was signed for (the audit event's `awsRegion`);
/// both `None` for an unsigned request.
pub struct Signer {
    pub principal: Option<Principal>,
    pub region: Option<String>,
}

/// Authenticates a request signed for `service` (`iam`, `sts`, `cloudtrail`). A `None`
/// principal is an unsigned request, allowed only when `unsigned_ok` (the operations AWS lets
/// anyone call).
pub async fn authenticate(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    service: &str,
    unsigned_ok: bool,
    now: SystemTime,
) -> Result<Signer, ApiError> {
    let opts = VerifyOptions {
        services: &[service],
        ..VerifyOptions::IAM_STS
    };
    authenticate_with(state, req, &opts, unsigned_ok, now).await
}

/// [`authenticate`] with explicit verification options (a forwarded request: any service, a
/// declared payload hash).
pub async fn authenticate_with(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    opts: &VerifyOptions<'_>,
    unsigned_ok: bool,
    now: SystemTime,
) -> Result<Signer, ApiError> {
    let auth = match iamd_sigv4::parse(req) {
        Ok(a) => a,
        Err(AuthError::MissingAuthenticationToken) if unsigned_ok => {
            return Ok(Signer {
                principal: None,
                region: None,
            });
        }
        Err(e) => return Err(auth_error(&e)),
    };
    let principal = principal_of(state, req, &auth, opts, now).await?;
    Ok(Signer {
        principal: Some(principal),
        region: Some(auth.region().to_string()),
    })
}

/// The principal whose key signed `req` (parsed as `auth`), once the signature verifies.
async fn principal_of(
    state: &Arc<AppState>,
    req: &RequestParts<'_>,
    auth: &iamd_sigv4::ParsedAuth<'_>,
    opts: &VerifyOptions<'_>,
    now: SystemTime,
) -> Result<Principal, ApiError> {
    let engine = &state.engine;
    let key_id = auth.access_key_id().to_string();
    let service = auth.service().to_string();
    if iamd_token::is_session_access_key_id(&key_id) {
        let Some(token) = auth.security_token() else {
            return Err(invalid_token());
        };
        let now_unix = now
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let principal = engine
            .session_principal_for(token, &key_id, now_unix)
            .map_err(|e| ApiError::new(e.code(), e.status(), e.message()))?;
        let secret = principal
            .session
            .as_ref()
            .map(|s| s.secret_access_key.as_str())
            .unwrap_or_default();
        iamd_sigv4::verify_with(req, auth, secret, now, Some(&state.signing_keys), opts)
            .map_err(|e| auth_error(&e))?;
        // Revoked early (`RevokeSessions`): refused like a token the server does not know.
        if engine.session_revoked(&principal).await.map_err(|e| {
            tracing::error!(error = %e, "revocation lookup failed");
            e.to_api()
        })? {
            return Err(invalid_token());
        }
        return Ok(principal);
    }
    let cred = engine.credential(&key_id).await.map_err(|e| {
        tracing::error!(error = %e, "credential lookup failed");
        e.to_api()
    })?;
    let Some(cred) = cred else {
        if engine.config.dev {
            // Local testing: an unknown key is a root user, unverified: of the account its ID
            // names when it is 12 digits (created on first use), else of the default account.
            let account = engine
                .account_for_unknown_key(&key_id)
                .await
                .map_err(|e| e.to_api())?;
            return Ok(Principal::dev_root(&account, key_id));
        }
        return Err(invalid_token());
    };
    iamd_sigv4::verify_with(
        req,
        auth,
        &cred.secret,
        now,
        Some(&state.signing_keys),
        opts,
    )
    .map_err(|e| auth_error(&e))?;
    if !cred.active || auth.security_token().is_some() {
        // Inactive keys, and session tokens presented with a long-term key, are refused as AWS
        // refuses them.
        return Err(invalid_token());
    }
    engine.last_used.note(&key_id, &service, auth.region());
    Ok(cred.principal.clone())
}
