//! Signing requests (header and presigned form), as botocore does. Used by tests, clients and
//! the load generator.

use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::canonical::uri_encode;
use crate::datetime::{format_amz_date, unix_seconds};
use crate::key::SigningKey;
use crate::parse::{ALGORITHM, MAX_PRESIGN_EXPIRES, TERMINATOR, UNSIGNED_PAYLOAD};
use crate::verify::{hex_lower, string_to_sign_from, write_canonical_request};
use crate::{AuthError, RequestParts};

/// Headers botocore never signs (hop-by-hop headers, `user-agent`, `expect`, …), plus
/// `authorization` itself.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// AWS credentials.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// `AKIA…` or `ASIA…`.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials (sent as `X-Amz-Security-Token`).
    pub session_token: Option<&'a str>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"..")
            .field("session_token", &self.session_token.map(|_| ".."))
            .finish()
    }
}

/// What to sign with.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The credentials.
    pub credentials: Credentials<'a>,
    /// Region of the credential scope (`us-east-1`).
    pub region: &'a str,
    /// Service of the credential scope (`iam`, `sts`).
    pub service: &'a str,
    /// The signing time (sub-seconds ignored).
    pub time: SystemTime,
    /// Header form only: send `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` instead of hashing the body.
    pub unsigned_payload: bool,
}

fn is_signable(name: &str) -> bool {
    !UNSIGNED_HEADERS
        .iter()
        .any(|u| name.eq_ignore_ascii_case(u))
}

/// Sorted, de-duplicated, lowercase names of the headers to sign; `host` must be among them.
fn signed_header_list<'h>(names: impl Iterator<Item = &'h str>) -> Result<String, AuthError> {
    let mut names: Vec<String> = names
        .filter(|n| is_signable(n))
        .map(str::to_ascii_lowercase)
        .collect();
    names.sort_unstable();
    names.dedup();
    if !names.iter().any(|n| n == "host") {
        return Err(AuthError::IncompleteSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }
    Ok(names.join(";"))
}

fn scope(date: &[u8; 16], p: &SigningParams<'_>) -> String {
    format!(
        "{}/{}/{}/{TERMINATOR}",
        String::from_utf8_lossy(date.get(0..8).unwrap_or(&[])),
        p.region,
        p.service
    )
}

fn signature(date: &[u8; 16], p: &SigningParams<'_>, canonical: &[u8]) -> String {
    let scope_date = String::from_utf8_lossy(date.get(0..8).unwrap_or(&[])).into_owned();
    let sts = string_to_sign_from(date, &scope_date, p.region, p.service, canonical);
    let key = SigningKey::derive(
        p.credentials.secret_access_key,
        &scope_date,
        p.region,
        p.service,
    );
    String::from_utf8_lossy(&hex_lower(&key.sign(&sts))).into_owned()
}

/// Signs a request in header form.
///
/// Every header of `req` is signed except hop-by-hop ones, `user-agent` and `expect` (as
/// botocore); `host` must be present. Returns the headers to add to the request, replacing any
/// of the same name: `X-Amz-Date`, `X-Amz-Security-Token` (with a session token),
/// `X-Amz-Content-Sha256` (with `unsigned_payload`) and `Authorization`.
pub fn sign(
    req: &RequestParts<'_>,
    params: &SigningParams<'_>,
) -> Result<Vec<(&'static str, String)>, AuthError> {
    let date = format_amz_date(unix_seconds(params.time));
    let date_str = String::from_utf8_lossy(&date).into_owned();
    let mut added: Vec<(&'static str, String)> = vec![("X-Amz-Date", date_str)];
    if let Some(t) = params.credentials.session_token {
        added.push(("X-Amz-Security-Token", t.to_owned()));
    }
    if params.unsigned_payload {
        added.push(("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD.to_owned()));
    }
    let mut headers: Vec<(&str, &[u8])> = req
        .headers
        .iter()
        .filter(|(n, _)| !added.iter().any(|(a, _)| n.eq_ignore_ascii_case(a)))
        .copied()
        .collect();
    headers.extend(added.iter().map(|(n, v)| (*n, v.as_bytes())));
    let signed = signed_header_list(headers.iter().map(|(n, _)| *n))?;
    let payload: Vec<u8> = if params.unsigned_payload {
        UNSIGNED_PAYLOAD.as_bytes().to_vec()
    } else {
        hex_lower(&Sha256::digest(req.body).into()).to_vec()
    };
    let full = RequestParts {
        headers: &headers,
        ..*req
    };
    let mut cr = Vec::with_capacity(512);
    write_canonical_request(&mut cr, &full, &signed, false, &payload, params.service);
    let sig = signature(&date, params, &cr);
    added.push((
        "Authorization",
        format!(
            "{ALGORITHM} Credential={}/{}, SignedHeaders={signed}, Signature={sig}",
            params.credentials.access_key_id,
            scope(&date, params)
        ),
    ));
    Ok(added)
}

/// Presigns a request: returns the new raw query string (the request's own query, then the
/// `X-Amz-*` parameters, then `X-Amz-Signature`), as botocore's `SigV4QueryAuth` does. The
/// request's headers (except hop-by-hop ones) are signed; `host` must be among them. The body
/// is hashed (empty for a GET). `expires` is at most 604800 (7 days).
pub fn presign(
    req: &RequestParts<'_>,
    params: &SigningParams<'_>,
    expires: u32,
) -> Result<String, AuthError> {
    if expires > MAX_PRESIGN_EXPIRES {
        return Err(AuthError::IncompleteSignature(format!(
            "X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_EXPIRES}."
        )));
    }
    let date = format_amz_date(unix_seconds(params.time));
    let signed = signed_header_list(req.headers.iter().map(|(n, _)| *n))?;
    let mut auth_params: Vec<(&str, String)> = vec![
        ("X-Amz-Algorithm", ALGORITHM.to_owned()),
        (
            "X-Amz-Credential",
            format!(
                "{}/{}",
                params.credentials.access_key_id,
                scope(&date, params)
            ),
        ),
        ("X-Amz-Date", String::from_utf8_lossy(&date).into_owned()),
        ("X-Amz-Expires", expires.to_string()),
        ("X-Amz-SignedHeaders", signed.clone()),
    ];
    if let Some(t) = params.credentials.session_token {
        auth_params.push(("X-Amz-Security-Token", t.to_owned()));
    }
    let mut query = String::from(req.query);
    for (k, v) in &auth_params {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(k);
        query.push('=');
        query.push_str(&uri_encode(v));
    }
    let payload = hex_lower(&Sha256::digest(req.body).into());
    let full = RequestParts {
        query: &query,
        ..*req
    };
    let mut cr = Vec::with_capacity(512);
    write_canonical_request(&mut cr, &full, &signed, true, &payload, params.service);
    let sig = signature(&date, params, &cr);
    query.push_str("&X-Amz-Signature=");
    query.push_str(&sig);
    Ok(query)
}
