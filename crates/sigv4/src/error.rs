//! Authentication errors, each with the AWS error code, HTTP status and message that IAM and STS
//! answer with.

use std::fmt;

/// Why a request failed authentication.
///
/// Every variant renders as an AWS Query-protocol error: [`AuthError::code`],
/// [`AuthError::status`] and [`AuthError::message`]. All are `Sender` faults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization` header and no `X-Amz-*` query authentication at all.
    MissingAuthenticationToken,
    /// The `Authorization` header or the presigned query parameters are malformed or incomplete.
    /// The string is AWS's message.
    IncompleteSignature(String),
    /// The signature does not match the one we computed (wrong secret, tampered request,
    /// signing bug on the client).
    SignatureDoesNotMatch,
    /// Well formed, but the credential scope is unacceptable (wrong service, invalid region,
    /// bad terminator, scope date not the request's date). Rendered as `SignatureDoesNotMatch`
    /// with AWS's specific message.
    InvalidScope(String),
    /// The request time is more than the allowed skew (15 minutes) before `now`.
    SignatureExpired {
        /// The request time, `YYYYMMDDTHHMMSSZ`.
        request_time: String,
        /// `now` minus the allowed skew.
        earliest: String,
        /// `now`.
        now: String,
        /// The skew, in whole minutes.
        skew_minutes: u64,
    },
    /// The request time is more than the allowed skew (15 minutes) after `now`.
    SignatureNotYetCurrent {
        /// The request time, `YYYYMMDDTHHMMSSZ`.
        request_time: String,
        /// `now` plus the allowed skew.
        latest: String,
        /// `now`.
        now: String,
        /// The skew, in whole minutes.
        skew_minutes: u64,
    },
    /// A presigned URL used after `X-Amz-Date + X-Amz-Expires`.
    RequestExpired,
    /// `X-Amz-Content-Sha256` is present but is neither `UNSIGNED-PAYLOAD` (when allowed) nor the
    /// SHA-256 of the body.
    ContentSha256Mismatch,
    /// The access key id is not known. Never produced by this crate (it has no key store); here so
    /// that the server renders every authentication failure the same way.
    InvalidClientTokenId,
}

const SIGNATURE_MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the \
     signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
     service documentation for details.";

impl AuthError {
    /// The AWS error code (`<Code>`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingAuthenticationToken => "MissingAuthenticationToken",
            AuthError::IncompleteSignature(_) => "IncompleteSignature",
            AuthError::SignatureDoesNotMatch
            | AuthError::InvalidScope(_)
            | AuthError::SignatureExpired { .. }
            | AuthError::SignatureNotYetCurrent { .. } => "SignatureDoesNotMatch",
            AuthError::RequestExpired => "RequestExpired",
            AuthError::ContentSha256Mismatch => "XAmzContentSHA256Mismatch",
            AuthError::InvalidClientTokenId => "InvalidClientTokenId",
        }
    }

    /// The HTTP status code AWS answers with.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::MissingAuthenticationToken
            | AuthError::SignatureDoesNotMatch
            | AuthError::InvalidScope(_)
            | AuthError::SignatureExpired { .. }
            | AuthError::SignatureNotYetCurrent { .. }
            | AuthError::InvalidClientTokenId => 403,
            AuthError::IncompleteSignature(_)
            | AuthError::RequestExpired
            | AuthError::ContentSha256Mismatch => 400,
        }
    }

    /// The error type in the AWS error document (`<Type>`): always `Sender`.
    pub fn error_type(&self) -> &'static str {
        "Sender"
    }

    /// AWS's message (`<Message>`).
    pub fn message(&self) -> String {
        match self {
            AuthError::MissingAuthenticationToken => {
                "Request is missing Authentication Token".to_owned()
            }
            AuthError::IncompleteSignature(m) | AuthError::InvalidScope(m) => m.clone(),
            AuthError::SignatureDoesNotMatch => SIGNATURE_MISMATCH_MESSAGE.to_owned(),
            AuthError::SignatureExpired {
                request_time,
                earliest,
                now,
                skew_minutes,
            } => format!(
                "Signature expired: {request_time} is now earlier than {earliest} \
                 ({now} - {skew_minutes} min.)"
            ),
            AuthError::SignatureNotYetCurrent {
                request_time,
                latest,
                now,
                skew_minutes,
            } => format!(
                "Signature not yet current: {request_time} is still later than {latest} \
                 ({now} + {skew_minutes} min.)"
            ),
            AuthError::RequestExpired => "Request has expired.".to_owned(),
            AuthError::ContentSha256Mismatch => {
                "The provided 'x-amz-content-sha256' header does not match what was computed."
                    .to_owned()
            }
            AuthError::InvalidClientTokenId => {
                "The security token included in the request is invalid.".to_owned()
            }
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AuthError {}
