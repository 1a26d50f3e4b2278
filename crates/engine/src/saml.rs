//! `AssumeRoleWithSAML`: the SAML response is verified against the metadata of the provider
//! named by `PrincipalArn` (signature, issuer, audience and recipient, time window), then the
//! role's trust policy decides, in one write transaction that also records the assertion's ID
//! against replays, with the audit event.

use time::{Duration, OffsetDateTime};

use iamd_iam::{IamError, saml_providers};
use iamd_saml::{Expected, SamlError};
use iamd_sts::SamlIdentity;
use iamd_wire::{ApiError, Params, Value};

use crate::Engine;
use crate::audit::Draft;

/// The recipients and audiences AWS's sign-in endpoints accept: the global one, the server's
/// region's (`https://REGION.signin.aws.amazon.com/saml`), and the service URN.
fn audiences(region: &str) -> Vec<String> {
    vec![
        "https://signin.aws.amazon.com/saml".to_string(),
        format!("https://{region}.signin.aws.amazon.com/saml"),
        "urn:amazon:webservices".to_string(),
    ]
}

/// Clock difference allowed with the identity provider.
const SKEW: Duration = Duration::minutes(5);

fn saml_error(e: &SamlError) -> IamError {
    match e {
        SamlError::Expired => ApiError::new(
            "ExpiredTokenException",
            400,
            "Token has expired: the SAML assertion is no longer valid.",
        ),
        SamlError::NotYetValid => ApiError::new(
            "InvalidIdentityToken",
            400,
            "The SAML assertion is not yet valid.",
        ),
        other => ApiError::new(
            "InvalidIdentityToken",
            400,
            format!("Invalid SAML response received: {other}"),
        ),
    }
    .into()
}

pub fn assume_role_with_saml(
    engine: &Engine,
    input: &Params,
    draft: &mut Draft,
    now: OffsetDateTime,
) -> Result<Value, IamError> {
    let provider_arn = input.str("PrincipalArn").unwrap_or_default().to_string();
    let account = provider_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split(':').next())
        .unwrap_or_default()
        .to_string();
    draft.set_account(&account);
    let provider = iamd_store::read(engine.store.as_ref(), |tx| {
        saml_providers::by_arn(tx, &account, &provider_arn)
    })
    .map_err(|e| {
        if e.is_not_found(iamd_iam::EntityKind::SamlProvider) {
            ApiError::new(
                "InvalidIdentityToken",
                400,
                format!("SAML provider {provider_arn} not found in the account."),
            )
            .into()
        } else {
            e
        }
    })?;
    if provider.valid_until <= now {
        return Err(ApiError::new(
            "InvalidIdentityToken",
            400,
            "The SAML provider's metadata is no longer valid (ValidUntil has passed).",
        )
        .into());
    }
    let metadata = provider.metadata()?;
    let decryption_keys = provider.decryption_keys(&engine.master)?;
    let accepted = audiences(&engine.config.region);
    let accepted: Vec<&str> = accepted.iter().map(String::as_str).collect();
    let verified = iamd_saml::verify_response(
        input.str("SAMLAssertion").unwrap_or_default(),
        &Expected {
            issuer: &metadata.entity_id,
            keys: &metadata.signing_keys,
            audiences: &accepted,
            now,
            skew: SKEW,
            decryption_keys: &decryption_keys,
            require_encryption: provider.requires_encryption(),
        },
    )
    .map_err(|e| saml_error(&e))?;
    draft.set_saml_identity(&provider_arn, &verified.subject);
    let identity = SamlIdentity {
        provider_arn,
        provider_name: provider.name.clone(),
        account,
        verified,
    };
    let ring = engine.sealing_ring();
    let issued = engine.transact_write(draft, &mut |tx| {
        iamd_sts::assume_role_with_saml(tx, &ring, now, input, &identity)
    });
    if issued.is_ok() {
        engine.metrics.token_issued();
    }
    issued
}
