//! `GetWebIdentityToken`: a JSON Web Token for the calling principal, signed with its
//! account's outbound federation key (`iamd_iam::outbound_federation`), for an outside service
//! that trusts the account's issuer.

use iamd_iam::{Ctx, IamError, outbound_federation};
use iamd_store::Tx;
use iamd_wire::{ApiError, Params, Value};
use serde_json::json;
use time::Duration;

/// Claims larger than this are refused (`JWTPayloadSizeExceededException`).
const MAX_PAYLOAD: usize = 16 * 1024;

fn jti() -> Result<String, IamError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| IamError::internal(format!("random source: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

pub fn get_web_identity_token(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let o = outbound_federation::find(tx, ctx.account)?
        .filter(|o| o.enabled)
        .ok_or_else(|| {
            IamError::from(ApiError::new(
                "OutboundWebIdentityFederationDisabledException",
                403,
                "Outbound web identity federation is disabled for this account.",
            ))
        })?;
    let alg = p.str("SigningAlgorithm").unwrap_or_default();
    if alg != "RS256" && alg != "ES384" {
        return Err(IamError::validation(format!(
            "1 validation error detected: Value '{alg}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]"
        )));
    }
    let duration = p.int("DurationSeconds").unwrap_or(300);
    let expires = ctx.now + Duration::seconds(duration);
    if let Some(s) = &ctx.caller.session
        && expires.unix_timestamp() > s.expires_at
    {
        return Err(ApiError::new(
            "SessionDurationEscalationException",
            403,
            "The requested token duration would outlive the credentials that request it.",
        )
        .into());
    }
    let audiences: Vec<String> = p
        .list("Audience")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut request_tags = serde_json::Map::new();
    for t in p.list("Tags").unwrap_or_default() {
        let k = t.get("Key").and_then(Value::as_str).unwrap_or_default();
        let v = t.get("Value").and_then(Value::as_str).unwrap_or_default();
        request_tags.insert(k.to_string(), v.into());
    }
    let aud = match audiences.as_slice() {
        [one] => json!(one),
        many => json!(many),
    };
    let claims = json!({
        "iss": o.issuer,
        "sub": ctx.caller.arn,
        "aud": aud,
        "iat": ctx.now.unix_timestamp(),
        "nbf": ctx.now.unix_timestamp(),
        "exp": expires.unix_timestamp(),
        "jti": jti()?,
        "https://sts.amazonaws.com/": {
            "aws_account": ctx.account,
            "principal_id": ctx.caller.arn,
            "request_tags": request_tags,
        },
    });
    if claims.to_string().len() > MAX_PAYLOAD {
        return Err(ApiError::new(
            "JWTPayloadSizeExceededException",
            400,
            "The token's claims exceed the maximum payload size.",
        )
        .into());
    }
    let token = outbound_federation::sign(ctx.master, &o, alg, &claims)?;
    Ok(Value::object()
        .with("WebIdentityToken", token)
        .with("Expiration", expires))
}
