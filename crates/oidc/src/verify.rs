//! The pure core: verifying an ID token against a provider and a JWKS at a given time.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use crate::jwks::parse_signing_alg;
use crate::provider::WellKnown;
use crate::{Jwks, OidcError, ProviderConfig};

/// The longest token accepted: `WebIdentityToken`'s maximum length in the STS API.
pub const MAX_TOKEN_LEN: usize = 20_000;

/// Clock skew allowed for `nbf` and `iat`, in seconds: a token whose `nbf` or `iat` is at most
/// this far in the future is accepted (issuers' clocks run a little ahead of ours). `exp` gets no
/// leeway: AWS answers "current date/time … must be before the expiration date/time …".
pub const CLOCK_SKEW_LEEWAY_SECS: i64 = 300;

/// A verified ID token: the claims AWS uses and the condition keys a trust policy sees.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The provider's IAM name (URL without scheme), the prefix of its condition keys.
    pub provider_name: String,
    /// `iss`.
    pub iss: String,
    /// `sub` (AWS's `SubjectFromWebIdentityToken`).
    pub sub: String,
    /// The client ID that matched: the token's `aud` value (or `azp`) found in the provider's
    /// client ID list (AWS's `Audience` in the response).
    pub aud: String,
    /// Every `aud` value of the token (a string becomes one element).
    pub audiences: Vec<String>,
    /// `azp`, when present.
    pub azp: Option<String>,
    /// `amr`, a string or an array of strings (empty when absent).
    pub amr: Vec<String>,
    /// `exp`, Unix seconds.
    pub exp: i64,
    /// `iat`, Unix seconds, when present.
    pub iat: Option<i64>,
    /// `nbf`, Unix seconds, when present.
    pub nbf: Option<i64>,
    /// The header's `alg`, e.g. `RS256`.
    pub alg: String,
    /// The header's `kid`, when present.
    pub kid: Option<String>,
    /// Every claim of the token.
    pub claims: Map<String, Value>,
    /// Condition keys for the trust policy, each with its values (one value, or several for
    /// multi-valued keys such as `:amr`), e.g. `token.actions.githubusercontent.com:sub`.
    pub condition_keys: BTreeMap<String, Vec<String>>,
}

/// Verifies `token` as an ID token of `provider`, signed by a key of `jwks`, at `now_unix`.
///
/// Order of checks: structure and algorithm, issuer, key, signature, then `exp`, `nbf`/`iat`,
/// `aud`, `sub`. Claims are only looked at once the signature is good.
pub fn verify(
    token: &str,
    provider: &ProviderConfig,
    jwks: &Jwks,
    now_unix: i64,
) -> Result<VerifiedToken, OidcError> {
    let parts = split_token(token)?;
    let header = decode_json_part(parts.0)?;
    let alg_name = match header.get("alg") {
        Some(Value::String(a)) => a.clone(),
        _ => return Err(OidcError::Malformed),
    };
    let alg =
        parse_signing_alg(&alg_name).ok_or(OidcError::UnsupportedAlgorithm(alg_name.clone()))?;
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(OidcError::Malformed),
    };
    // The issuer (unverified yet) decides which provider and keys apply.
    let unverified = decode_json_part(parts.1)?;
    let iss = match unverified.get("iss") {
        Some(Value::String(s)) => s.clone(),
        None => return Err(OidcError::MissingClaim("iss")),
        Some(_) => return Err(OidcError::InvalidClaim("iss")),
    };
    if !provider.accepts_issuer(&iss) {
        return Err(OidcError::NoProvider { issuer: iss });
    }

    let candidates = jwks.candidates(alg, kid.as_deref());
    if candidates.is_empty() {
        return Err(OidcError::KeyRetrieval(match &kid {
            Some(k) => format!("no key with kid {k:?} for {alg_name}"),
            None => format!("no key for {alg_name}"),
        }));
    }
    let validation = signature_only(alg);
    let mut claims = None;
    for key in candidates {
        if let Ok(data) =
            jsonwebtoken::decode::<Map<String, Value>>(token, key.decoding_key(), &validation)
        {
            claims = Some(data.claims);
            break;
        }
    }
    let claims = claims.ok_or(OidcError::InvalidSignature)?;

    check_claims(claims, provider, iss, alg_name, kid, now_unix)
}

/// Reads the `iss` of a token without verifying anything, to find the provider (and its keys)
/// to verify it with. Never trust the answer beyond that lookup.
pub fn peek_issuer(token: &str) -> Result<String, OidcError> {
    let parts = split_token(token)?;
    let claims = decode_json_part(parts.1)?;
    match claims.get("iss") {
        Some(Value::String(s)) => Ok(s.clone()),
        None => Err(OidcError::MissingClaim("iss")),
        Some(_) => Err(OidcError::InvalidClaim("iss")),
    }
}

fn split_token(token: &str) -> Result<(&str, &str, &str), OidcError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(OidcError::Malformed);
    }
    let mut it = token.split('.');
    match (it.next(), it.next(), it.next(), it.next()) {
        (Some(h), Some(c), Some(s), None) if !h.is_empty() && !c.is_empty() && !s.is_empty() => {
            Ok((h, c, s))
        }
        _ => Err(OidcError::Malformed),
    }
}

fn decode_json_part(part: &str) -> Result<Map<String, Value>, OidcError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| OidcError::Malformed)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(OidcError::Malformed),
    }
}

/// jsonwebtoken checks only the signature (and the algorithm); we check the claims ourselves to
/// answer with AWS's errors.
fn signature_only(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.leeway = 0;
    v
}

fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, OidcError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                // Fractional seconds are allowed by RFC 7519; keep the whole seconds.
                if f >= i64::MAX as f64 || f <= i64::MIN as f64 {
                    Err(OidcError::InvalidClaim(name))
                } else {
                    Ok(Some(f.floor() as i64))
                }
            } else {
                Err(OidcError::InvalidClaim(name))
            }
        }
        Some(_) => Err(OidcError::InvalidClaim(name)),
    }
}

fn string_or_array(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Vec<String>, OidcError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(OidcError::InvalidClaim(name)),
            })
            .collect(),
        Some(_) => Err(OidcError::InvalidClaim(name)),
    }
}

fn check_claims(
    claims: Map<String, Value>,
    provider: &ProviderConfig,
    iss: String,
    alg: String,
    kid: Option<String>,
    now: i64,
) -> Result<VerifiedToken, OidcError> {
    // The signed claims must carry the issuer we matched on (they are the same bytes, but keep
    // the check local to the verified data).
    if claims.get("iss").and_then(Value::as_str) != Some(iss.as_str()) {
        return Err(OidcError::NoProvider { issuer: iss });
    }
    let exp = numeric_date(&claims, "exp")?.ok_or(OidcError::MissingClaim("exp"))?;
    if now >= exp {
        return Err(OidcError::Expired { now, exp });
    }
    let nbf = numeric_date(&claims, "nbf")?;
    if let Some(nbf) = nbf
        && nbf > now.saturating_add(CLOCK_SKEW_LEEWAY_SECS)
    {
        return Err(OidcError::NotYetValid { now, nbf });
    }
    let iat = numeric_date(&claims, "iat")?;
    if let Some(iat) = iat
        && iat > now.saturating_add(CLOCK_SKEW_LEEWAY_SECS)
    {
        return Err(OidcError::IssuedInFuture { now, iat });
    }

    let audiences = string_or_array(&claims, "aud")?;
    if audiences.is_empty() {
        return Err(OidcError::MissingClaim("aud"));
    }
    let azp = match claims.get("azp") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(OidcError::InvalidClaim("azp")),
    };
    let allowed = provider.client_ids();
    let aud = audiences
        .iter()
        .find(|a| allowed.iter().any(|c| c == *a))
        .or_else(|| azp.as_ref().filter(|z| allowed.iter().any(|c| c == *z)))
        .cloned()
        .ok_or(OidcError::IncorrectAudience)?;

    let sub = match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) => return Err(OidcError::MissingClaim("sub")),
        Some(Value::String(_)) => return Err(OidcError::MissingClaim("sub")),
        Some(_) => return Err(OidcError::InvalidClaim("sub")),
    };
    let amr = string_or_array(&claims, "amr")?;

    let provider_name = provider.name().to_owned();
    let condition_keys = condition_keys(
        &provider_name,
        provider.well_known(),
        &sub,
        &aud,
        &audiences,
        azp.as_deref(),
        &amr,
    );
    Ok(VerifiedToken {
        provider_name,
        iss,
        sub,
        aud,
        audiences,
        azp,
        amr,
        exp,
        iat,
        nbf,
        alg,
        kid,
        claims,
        condition_keys,
    })
}

/// The condition keys AWS puts in the request context of `AssumeRoleWithWebIdentity`.
///
/// For an OIDC provider named `P`: `P:sub`; `P:aud` (the token's `azp` when present, else
/// the matched `aud`); `P:oaud` (the token's `aud` values, only when `azp` is present); `P:amr`
/// (multi-valued, only when present). The well-known providers use their documented names:
/// `accounts.google.com:{sub,aud,oaud}`, `graph.facebook.com:{id,app_id}`,
/// `www.amazon.com:{user_id,app_id}`.
fn condition_keys(
    name: &str,
    well_known: Option<WellKnown>,
    sub: &str,
    aud: &str,
    audiences: &[String],
    azp: Option<&str>,
    amr: &[String],
) -> BTreeMap<String, Vec<String>> {
    let mut keys = BTreeMap::new();
    let mut put = |suffix: &str, values: Vec<String>| {
        keys.insert(format!("{name}:{suffix}"), values);
    };
    match well_known {
        Some(WellKnown::Facebook) => {
            put("id", vec![sub.to_owned()]);
            put("app_id", vec![aud.to_owned()]);
        }
        Some(WellKnown::Amazon) => {
            put("user_id", vec![sub.to_owned()]);
            put("app_id", vec![aud.to_owned()]);
        }
        Some(WellKnown::Google) | None => {
            put("sub", vec![sub.to_owned()]);
            match azp {
                Some(azp) => {
                    put("aud", vec![azp.to_owned()]);
                    put("oaud", audiences.to_vec());
                }
                None => put("aud", vec![aud.to_owned()]),
            }
            if !amr.is_empty() && well_known.is_none() {
                put("amr", amr.to_vec());
            }
        }
    }
    keys
}
