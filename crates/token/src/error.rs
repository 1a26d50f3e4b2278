//! Why a token could not be sealed or opened, and how AWS answers each case.

use std::fmt;

/// A failure to seal or open a session token.
///
/// The opening failures (`Malformed`, `UnknownKey`, `Tampered`, `AccessKeyMismatch`) are told apart
/// for logs and tests only: the caller sees all of them as AWS's `InvalidClientTokenId`, so that a
/// forger learns nothing about which check refused the token. `Expired` is AWS's `ExpiredToken`,
/// which SDKs recognise and answer by refreshing their credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token of ours: bad base64, too short or too long, or an unknown layout version.
    Malformed,
    /// The token names a key id that is not in the ring (removed, or another ring's).
    UnknownKey,
    /// Authentication failed: the token was altered, or sealed under a different key with the
    /// same id.
    Tampered,
    /// The token is authentic but its session has expired.
    Expired,
    /// The token is authentic but belongs to another access key id than the one that signed the
    /// request.
    AccessKeyMismatch,
    /// Sealing: the ring has no active (non-retired) key.
    NoSealingKey,
    /// Sealing: the session is not one that can be sealed (the message says why).
    InvalidSession(&'static str),
    /// The operating system's random source failed, or encryption/encoding failed unexpectedly.
    Internal,
}

/// `InvalidClientTokenId`'s message for a session token that is not valid.
pub const INVALID_TOKEN_MESSAGE: &str = "The security token included in the request is invalid.";
/// `ExpiredToken`'s message (AWS writes it without a final full stop).
pub const EXPIRED_TOKEN_MESSAGE: &str = "The security token included in the request is expired";
const INTERNAL_MESSAGE: &str =
    "The request processing has failed because of an unknown error, exception or failure.";

impl TokenError {
    /// The AWS error code (`<Code>`).
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed
            | TokenError::UnknownKey
            | TokenError::Tampered
            | TokenError::AccessKeyMismatch => "InvalidClientTokenId",
            TokenError::Expired => "ExpiredToken",
            TokenError::NoSealingKey | TokenError::InvalidSession(_) | TokenError::Internal => {
                "ServiceFailure"
            }
        }
    }

    /// The HTTP status AWS answers with: 403 for both token failures (IAM and STS alike), 500
    /// for a failure to seal.
    pub fn status(&self) -> u16 {
        match self {
            TokenError::Malformed
            | TokenError::UnknownKey
            | TokenError::Tampered
            | TokenError::AccessKeyMismatch
            | TokenError::Expired => 403,
            TokenError::NoSealingKey | TokenError::InvalidSession(_) | TokenError::Internal => 500,
        }
    }

    /// The error type in the AWS error document: `Sender` for token failures, `Receiver` for
    /// ours.
    pub fn error_type(&self) -> &'static str {
        if self.status() == 500 {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// AWS's message (`<Message>`).
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Malformed
            | TokenError::UnknownKey
            | TokenError::Tampered
            | TokenError::AccessKeyMismatch => INVALID_TOKEN_MESSAGE,
            TokenError::Expired => EXPIRED_TOKEN_MESSAGE,
            TokenError::NoSealingKey | TokenError::InvalidSession(_) | TokenError::Internal => {
                INTERNAL_MESSAGE
            }
        }
    }

    /// Whether this is a failure of the caller's token (as opposed to ours while sealing).
    pub fn is_client_error(&self) -> bool {
        self.status() < 500
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = match self {
            TokenError::Malformed => "malformed token",
            TokenError::UnknownKey => "unknown ring key",
            TokenError::Tampered => "authentication failed",
            TokenError::Expired => "expired",
            TokenError::AccessKeyMismatch => "access key id does not match the token",
            TokenError::NoSealingKey => "the key ring has no active key",
            TokenError::InvalidSession(why) => why,
            TokenError::Internal => "random source or encryption failure",
        };
        write!(f, "{}: {} ({detail})", self.code(), self.message())
    }
}

impl std::error::Error for TokenError {}
