//! `AssumeRoleWithWebIdentity`: verify the caller's ID token against its registered OpenID
//! Connect provider (keys discovered from the issuer, or configured), then let the role's trust
//! policy decide.

use std::sync::Arc;

use time::OffsetDateTime;

use iamd_iam::{IamError, oidc};
use iamd_oidc::{OidcError, ProviderConfig, peek_issuer, provider_name_for_issuer};
use iamd_sts::WebIdentity;
use iamd_wire::{ApiError, Params, Value};

use crate::AppState;

fn oidc_error(e: &OidcError) -> ApiError {
    ApiError::new(e.code(), e.status(), e.message())
}

pub async fn assume_role_with_web_identity(
    state: &Arc<AppState>,
    input: Params,
) -> Result<Value, ApiError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let now = OffsetDateTime::now_utc();
        let token = input.str("WebIdentityToken").unwrap_or_default();
        let role_arn = input.str("RoleArn").unwrap_or_default();
        let account = role_arn
            .strip_prefix("arn:aws:iam::")
            .and_then(|r| r.split(':').next())
            .unwrap_or_default()
            .to_string();
        let iss = peek_issuer(token).map_err(|e| oidc_error(&e))?;
        let name = provider_name_for_issuer(&iss).to_string();
        let provider = iamd_store::read(st.store.as_ref(), |tx| oidc::find(tx, &account, &name))
            .map_err(|e: IamError| e.to_api())?
            .ok_or_else(|| {
                oidc_error(&OidcError::NoProvider {
                    issuer: iss.clone(),
                })
            })?;
        let config = ProviderConfig::new(
            &provider.url,
            provider.client_ids.iter().map(String::as_str),
        );
        // Blocking I/O when the issuer's keys must be fetched: this runs on a blocking thread.
        let verified = st
            .oidc
            .verify(token, &config, now.unix_timestamp())
            .map_err(|e| oidc_error(&e))?;
        let identity = WebIdentity {
            provider: oidc::arn_of(&account, &name),
            issuer: verified.iss.clone(),
            subject: verified.sub.clone(),
            audience: verified.aud.clone(),
            condition_keys: verified.condition_keys.into_iter().collect(),
        };
        let ring = st.sealing_ring();
        iamd_store::write(st.store.as_ref(), |tx| {
            iamd_sts::assume_role_with_web_identity(tx, &ring, now, &input, &identity)
        })
        .map_err(|e: IamError| e.to_api())
    })
    .await
    .map_err(|_| ApiError::service_failure())?
}
