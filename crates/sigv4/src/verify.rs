//! Checking a parsed request against the secret of its access key.

use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::canonical::{
    write_canonical_headers, write_canonical_query, write_canonical_uri, write_s3_canonical_uri,
};
use crate::datetime::{amz_date_string, unix_seconds};
use crate::key::{SigningKey, cache_key};
use crate::parse::{ALGORITHM, AuthForm, ParsedAuth, TERMINATOR, UNSIGNED_PAYLOAD};
use crate::{AuthError, RequestParts, SigningKeyCache};

/// Policy knobs for [`verify_with`]. [`VerifyOptions::default`] is what IAM and STS do.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// Services the credential scope may name. Empty: any. Default `["iam", "sts"]`. The error
    /// message names the first.
    pub services: &'a [&'a str],
    /// Largest accepted distance between the request time and `now`. Default 15 minutes.
    pub max_skew: Duration,
    /// Whether `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` is accepted. Default true.
    pub allow_unsigned_payload: bool,
    /// Whether a declared `X-Amz-Content-Sha256` hash is taken as the payload's without the
    /// body to check it against: for a request forwarded without its body by a service that
    /// checks the body itself. Default false.
    pub trust_declared_payload_hash: bool,
}

impl VerifyOptions<'static> {
    /// IAM and STS: services `iam` and `sts`, 15 minutes of skew, unsigned payloads accepted.
    pub const IAM_STS: VerifyOptions<'static> = VerifyOptions {
        services: &["iam", "sts"],
        max_skew: Duration::from_secs(15 * 60),
        allow_unsigned_payload: true,
        trust_declared_payload_hash: false,
    };
}

impl Default for VerifyOptions<'static> {
    fn default() -> Self {
        VerifyOptions::IAM_STS
    }
}

/// Checks the request time against `now`.
///
/// Header form: `|now - t| <= max_skew`. Presigned form: `t - max_skew <= now` and, when
/// `X-Amz-Expires` is given, `now <= t + expires` (past it: [`AuthError::RequestExpired`]); without
/// `X-Amz-Expires` the header-form window applies.
pub(crate) fn check_time(
    auth: &ParsedAuth<'_>,
    now: i64,
    max_skew: Duration,
) -> Result<(), AuthError> {
    let skew = i64::try_from(max_skew.as_secs()).unwrap_or(i64::MAX);
    let t = auth.request_time;
    let skew_minutes = max_skew.as_secs() / 60;
    if t.saturating_sub(skew) > now {
        return Err(AuthError::SignatureNotYetCurrent {
            request_time: auth.amz_date().to_owned(),
            latest: amz_date_string(now.saturating_add(skew)),
            now: amz_date_string(now),
            skew_minutes,
        });
    }
    match auth.form {
        AuthForm::Presigned {
            expires: Some(expires),
        } => {
            if now > t.saturating_add(i64::from(expires)) {
                return Err(AuthError::RequestExpired);
            }
        }
        AuthForm::Header | AuthForm::Presigned { expires: None } => {
            if t.saturating_add(skew) < now {
                return Err(AuthError::SignatureExpired {
                    request_time: auth.amz_date().to_owned(),
                    earliest: amz_date_string(now.saturating_sub(skew)),
                    now: amz_date_string(now),
                    skew_minutes,
                });
            }
        }
    }
    Ok(())
}

fn valid_region(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 64
        && r.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Checks the credential scope: service allowed, region well formed, scope date = request date.
pub(crate) fn check_scope(auth: &ParsedAuth<'_>, services: &[&str]) -> Result<(), AuthError> {
    if let Some(first) = services.first()
        && !services.contains(&auth.service())
    {
        return Err(AuthError::InvalidScope(format!(
            "Credential should be scoped to correct service: '{first}'. "
        )));
    }
    if !valid_region(auth.region()) {
        return Err(AuthError::InvalidScope(
            "Credential should be scoped to a valid region. ".to_owned(),
        ));
    }
    let request_date = auth.amz_date.get(0..8).unwrap_or(&[]);
    if auth.scope_date().as_bytes() != request_date {
        return Err(AuthError::InvalidScope(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
             HTTP: '{}' != '{}', from '{}'.",
            auth.scope_date(),
            String::from_utf8_lossy(request_date),
            auth.amz_date()
        )));
    }
    Ok(())
}

/// The payload line of the canonical request, checking a declared `X-Amz-Content-Sha256`
/// against the body.
fn payload_hash<'p>(
    req: &RequestParts<'_>,
    auth: &'p ParsedAuth<'_>,
    allow_unsigned: bool,
    trust_declared: bool,
) -> Result<PayloadLine<'p>, AuthError> {
    let body_hash = || -> [u8; 32] { Sha256::digest(req.body).into() };
    match auth.content_sha256() {
        None => Ok(PayloadLine::Hex(hex_lower(&body_hash()))),
        Some(UNSIGNED_PAYLOAD) if allow_unsigned => Ok(PayloadLine::Unsigned),
        // S3's chunked uploads: the literal is the payload line; the caller checks each
        // chunk's signature as the body streams (it has the body, iamd does not).
        Some(declared) if trust_declared && STREAMING_PAYLOADS.contains(&declared) => {
            Ok(PayloadLine::Literal(declared.as_bytes()))
        }
        Some(declared) => {
            let mut want = [0u8; 32];
            let decoded = hex::decode_to_slice(declared, &mut want).is_ok();
            if decoded && (trust_declared || want == body_hash()) {
                let mut line = [0u8; 64];
                line.copy_from_slice(declared.as_bytes());
                Ok(PayloadLine::Hex(line))
            } else {
                Err(AuthError::ContentSha256Mismatch)
            }
        }
    }
}

/// The `X-Amz-Content-Sha256` values of S3's chunked (`aws-chunked`) uploads.
pub const STREAMING_PAYLOADS: &[&str] = &[
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
];

enum PayloadLine<'a> {
    Hex([u8; 64]),
    Unsigned,
    Literal(&'a [u8]),
}

impl PayloadLine<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadLine::Hex(h) => h,
            PayloadLine::Unsigned => UNSIGNED_PAYLOAD.as_bytes(),
            PayloadLine::Literal(l) => l,
        }
    }
}

pub(crate) fn hex_lower(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // Cannot fail: the output is exactly twice the input.
    let _ = hex::encode_to_slice(bytes, &mut out);
    out
}

/// Appends the canonical request with the given payload line. Service `s3` has its own
/// canonical URI (see [`write_s3_canonical_uri`]).
pub(crate) fn write_canonical_request(
    out: &mut Vec<u8>,
    req: &RequestParts<'_>,
    signed_headers: &str,
    presigned: bool,
    payload: &[u8],
    service: &str,
) {
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    if service == "s3" {
        write_s3_canonical_uri(out, req.path);
    } else {
        write_canonical_uri(out, req.path);
    }
    out.push(b'\n');
    write_canonical_query(out, req.query, presigned);
    out.push(b'\n');
    write_canonical_headers(out, req, signed_headers);
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload);
}

/// Builds the string to sign from a canonical request.
pub(crate) fn string_to_sign_from(
    amz_date: &[u8],
    scope_date: &str,
    region: &str,
    service: &str,
    canonical_request: &[u8],
) -> Vec<u8> {
    let hash: [u8; 32] = Sha256::digest(canonical_request).into();
    let mut sts = Vec::with_capacity(
        ALGORITHM.len() + 16 + scope_date.len() + region.len() + service.len() + 100,
    );
    sts.extend_from_slice(ALGORITHM.as_bytes());
    sts.push(b'\n');
    sts.extend_from_slice(amz_date);
    sts.push(b'\n');
    for part in [scope_date, region, service, TERMINATOR] {
        sts.extend_from_slice(part.as_bytes());
        if part != TERMINATOR {
            sts.push(b'/');
        }
    }
    sts.push(b'\n');
    sts.extend_from_slice(&hex_lower(&hash));
    sts
}

/// The canonical request the server computes for this request (for debugging and logs). Fails
/// like [`verify`] when a declared `X-Amz-Content-Sha256` does not match the body.
pub fn canonical_request(
    req: &RequestParts<'_>,
    auth: &ParsedAuth<'_>,
) -> Result<String, AuthError> {
    let payload = payload_hash(req, auth, true, false)?;
    let mut out = Vec::with_capacity(512);
    write_canonical_request(
        &mut out,
        req,
        &auth.signed_headers,
        matches!(auth.form, AuthForm::Presigned { .. }),
        payload.as_bytes(),
        auth.service(),
    );
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The string to sign the server computes for this request (for debugging and logs).
pub fn string_to_sign(req: &RequestParts<'_>, auth: &ParsedAuth<'_>) -> Result<String, AuthError> {
    let cr = canonical_request(req, auth)?;
    let sts = string_to_sign_from(
        &auth.amz_date,
        auth.scope_date(),
        auth.region(),
        auth.service(),
        cr.as_bytes(),
    );
    Ok(String::from_utf8_lossy(&sts).into_owned())
}

/// Verifies a request with [`VerifyOptions::IAM_STS`] and the given key cache.
///
/// `secret` is the secret access key of [`ParsedAuth::access_key_id`]; `now` is the server's
/// current time.
pub fn verify(
    req: &RequestParts<'_>,
    auth: &ParsedAuth<'_>,
    secret: &str,
    now: SystemTime,
    cache: &SigningKeyCache,
) -> Result<(), AuthError> {
    verify_with(req, auth, secret, now, Some(cache), &VerifyOptions::IAM_STS)
}

/// Verifies a request: time window, credential scope, payload hash, then the signature
/// (constant-time comparison). With a cache, the derived signing key is looked up and, after a
/// successful verification only, stored.
pub fn verify_with(
    req: &RequestParts<'_>,
    auth: &ParsedAuth<'_>,
    secret: &str,
    now: SystemTime,
    cache: Option<&SigningKeyCache>,
    opts: &VerifyOptions<'_>,
) -> Result<(), AuthError> {
    check_time(auth, unix_seconds(now), opts.max_skew)?;
    check_scope(auth, opts.services)?;
    let payload = payload_hash(
        req,
        auth,
        opts.allow_unsigned_payload,
        opts.trust_declared_payload_hash,
    )?;
    let mut cr = Vec::with_capacity(512);
    write_canonical_request(
        &mut cr,
        req,
        &auth.signed_headers,
        matches!(auth.form, AuthForm::Presigned { .. }),
        payload.as_bytes(),
        auth.service(),
    );
    let sts = string_to_sign_from(
        &auth.amz_date,
        auth.scope_date(),
        auth.region(),
        auth.service(),
        &cr,
    );
    let Some(given) = auth.signature else {
        return Err(AuthError::SignatureDoesNotMatch);
    };
    let (key, miss) = match cache {
        Some(c) => {
            let ck = cache_key(secret, auth.scope_date(), auth.region(), auth.service());
            match c.get(&ck) {
                Some(k) => (k, None),
                None => (
                    SigningKey::derive(secret, auth.scope_date(), auth.region(), auth.service()),
                    Some((c, ck)),
                ),
            }
        }
        None => (
            SigningKey::derive(secret, auth.scope_date(), auth.region(), auth.service()),
            None,
        ),
    };
    let expected = key.sign(&sts);
    if bool::from(expected.ct_eq(&given)) {
        if let Some((c, ck)) = miss {
            c.insert(ck, key);
        }
        Ok(())
    } else {
        Err(AuthError::SignatureDoesNotMatch)
    }
}
