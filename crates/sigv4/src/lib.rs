//! AWS Signature Version 4 for iamd: parse, verify and sign requests, header and presigned form.
//!
//! Pure: no I/O, no clock (the current time is an argument), no global state. Built to match
//! what AWS IAM/STS accept and what botocore sends, for non-S3 services (the URI path is
//! normalized and double-encoded).
//!
//! Server flow:
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use iamd_sigv4::{parse, sign, verify, Credentials, RequestParts, SigningKeyCache, SigningParams};
//!
//! # let now = UNIX_EPOCH + Duration::from_secs(1_735_689_600);
//! # let creds = Credentials { access_key_id: "AKIDEXAMPLE", secret_access_key: "secret", session_token: None };
//! # let params = SigningParams { credentials: creds, region: "us-east-1", service: "iam", time: now, unsigned_payload: false };
//! # let body = b"Action=ListUsers&Version=2010-05-08";
//! # let mut headers: Vec<(String, String)> = vec![("Host".into(), "iam.amazonaws.com".into())];
//! # let unsigned: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
//! # let req = RequestParts { method: "POST", path: "/", query: "", headers: &unsigned, body };
//! # for (n, v) in sign(&req, &params).unwrap() { headers.push((n.to_string(), v)); }
//! let cache = SigningKeyCache::default(); // one per process
//! let hs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
//! let req = RequestParts { method: "POST", path: "/", query: "", headers: &hs, body };
//! let auth = parse(&req)?;                       // MissingAuthenticationToken, IncompleteSignature
//! let secret = "secret"; // look up auth.access_key_id(); unknown → AuthError::InvalidClientTokenId
//! verify(&req, &auth, secret, now, &cache)?;     // SignatureDoesNotMatch, RequestExpired, …
//! # Ok::<(), iamd_sigv4::AuthError>(())
//! ```

mod canonical;
mod datetime;
mod error;
mod key;
mod parse;
mod sign;
mod verify;

pub use error::AuthError;
pub use key::{SigningKey, SigningKeyCache};
pub use parse::{ALGORITHM, AuthForm, MAX_PRESIGN_EXPIRES, ParsedAuth, UNSIGNED_PAYLOAD, parse};
pub use sign::{Credentials, SigningParams, presign, sign};
pub use verify::{
    STREAMING_PAYLOADS, VerifyOptions, canonical_request, string_to_sign, verify, verify_with,
};

/// The parts of an HTTP request that SigV4 covers, borrowed from the server's request.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// `GET`, `POST`, … as received (uppercase).
    pub method: &'a str,
    /// The raw path as received on the wire, still percent-encoded, without the query
    /// (`/`, `/foo%20bar`).
    pub path: &'a str,
    /// The raw query string as received, still percent-encoded, without the `?` (may be empty).
    pub query: &'a str,
    /// Every header, in the order received; names in any case; repeated headers as separate
    /// entries.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The body bytes.
    pub body: &'a [u8],
}

/// Formats a time as SigV4's `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(t: std::time::SystemTime) -> String {
    datetime::amz_date_string(datetime::unix_seconds(t))
}

/// Formats a time as an HTTP date (IMF-fixdate), `Wed, 01 Jan 2025 00:00:00 GMT`.
pub fn format_http_date(t: std::time::SystemTime) -> String {
    datetime::format_http_date(datetime::unix_seconds(t))
}
