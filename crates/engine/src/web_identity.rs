//! `AssumeRoleWithWebIdentity`: verify the caller's ID token against its registered OpenID
//! Connect provider (keys discovered from the issuer, or configured), then let the role's trust
//! policy decide, in one write transaction with the audit event.

use time::OffsetDateTime;

use iamd_iam::{IamError, oidc};
use iamd_oidc::{OidcError, ProviderConfig, peek_issuer, provider_name_for_issuer};
use iamd_sts::WebIdentity;
use iamd_wire::{ApiError, Params, Value};

use crate::Engine;
use crate::audit::Draft;

fn oidc_error(e: &OidcError) -> IamError {
    ApiError::new(e.code(), e.status(), e.message()).into()
}

pub fn assume_role_with_web_identity(
    engine: &Engine,
    input: &Params,
    draft: &mut Draft,
    now: OffsetDateTime,
) -> Result<Value, IamError> {
    let token = input.str("WebIdentityToken").unwrap_or_default();
    let role_arn = input.str("RoleArn").unwrap_or_default();
    let account = role_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split(':').next())
        .unwrap_or_default()
        .to_string();
    draft.set_account(&account);
    let iss = peek_issuer(token).map_err(|e| oidc_error(&e))?;
    let name = provider_name_for_issuer(&iss).to_string();
    let provider = iamd_store::read(engine.store.as_ref(), |tx| oidc::find(tx, &account, &name))?
        .ok_or_else(|| {
        oidc_error(&OidcError::NoProvider {
            issuer: iss.clone(),
        })
    })?;
    let config = ProviderConfig::new(
        &provider.url,
        provider.client_ids.iter().map(String::as_str),
    );
    // Blocking I/O when the issuer's keys must be fetched: this runs on a blocking thread,
    // outside any transaction.
    let verified = engine
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
    draft.set_web_identity(&identity.provider, &identity.subject, &identity.audience);
    let ring = engine.sealing_ring();
    let issued = engine.transact_write(draft, &mut |tx| {
        iamd_sts::assume_role_with_web_identity(tx, &ring, now, input, &identity)
    });
    if issued.is_ok() {
        engine.metrics.token_issued();
    }
    issued
}
