//! The errors of `AssumeRoleWithWebIdentity` that token verification can produce, with the
//! codes, HTTP statuses and messages AWS STS answers with.

use std::fmt;

/// AWS's message when the issuer's signing keys cannot be obtained (two spaces after the comma,
/// as STS writes it).
pub const MSG_KEY_RETRIEVAL: &str = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/// The message for a token that cannot be validated (bad structure, algorithm, signature).
pub const MSG_INVALID_TOKEN: &str = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.";

/// Why a web identity token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcError {
    /// Not a compact JWS (three base64url parts with JSON header and claims), or too long.
    Malformed,
    /// The header's `alg` is `none`, an HMAC algorithm, or unknown.
    UnsupportedAlgorithm(String),
    /// No key of the issuer's JWKS verifies the signature.
    InvalidSignature,
    /// The issuer's JWKS could not be obtained, or has no key for the token (`kid`/`alg`).
    KeyRetrieval(String),
    /// The identity provider could not be reached in time (timeout, refused connection).
    IdpCommunication(String),
    /// No OIDC provider in the account for this issuer (`iss`).
    NoProvider {
        /// The token's `iss`, as AWS echoes it.
        issuer: String,
    },
    /// The token's `aud` (and `azp`) contains none of the provider's client IDs.
    IncorrectAudience,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type (e.g. `exp` not a number, `sub` not a string).
    InvalidClaim(&'static str),
    /// `exp` is not in the future.
    Expired {
        /// Verification time, Unix seconds.
        now: i64,
        /// The token's `exp`, Unix seconds.
        exp: i64,
    },
    /// `nbf` is later than now plus the allowed clock skew.
    NotYetValid {
        /// Verification time, Unix seconds.
        now: i64,
        /// The token's `nbf`, Unix seconds.
        nbf: i64,
    },
    /// `iat` is later than now plus the allowed clock skew.
    IssuedInFuture {
        /// Verification time, Unix seconds.
        now: i64,
        /// The token's `iat`, Unix seconds.
        iat: i64,
    },
    /// The identity provider rejected the claim (`IDPRejectedClaim`, 403); for callers that
    /// consult a provider about a token.
    IdpRejectedClaim(String),
}

impl OidcError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::Expired { .. } => "ExpiredTokenException",
            OidcError::IdpCommunication(_) => "IDPCommunicationError",
            OidcError::IdpRejectedClaim(_) => "IDPRejectedClaim",
            _ => "InvalidIdentityToken",
        }
    }

    /// The HTTP status STS answers with.
    pub fn status(&self) -> u16 {
        match self {
            OidcError::IdpRejectedClaim(_) => 403,
            _ => 400,
        }
    }

    /// The message, worded as AWS words it where its wording is known.
    pub fn message(&self) -> String {
        match self {
            OidcError::Malformed
            | OidcError::UnsupportedAlgorithm(_)
            | OidcError::InvalidSignature
            | OidcError::InvalidClaim(_) => MSG_INVALID_TOKEN.to_owned(),
            OidcError::KeyRetrieval(_) => MSG_KEY_RETRIEVAL.to_owned(),
            OidcError::IdpCommunication(_) => "The identity provider that was asked to verify the incoming identity token could not be reached. Retry the request.".to_owned(),
            OidcError::NoProvider { issuer } => {
                format!("No OpenIDConnect provider found in your account for {issuer}")
            }
            OidcError::IncorrectAudience => "Incorrect token audience".to_owned(),
            OidcError::MissingClaim(name) => format!("Missing a required claim: {name}"),
            OidcError::Expired { now, exp } => format!(
                "Token expired: current date/time {now} must be before the expiration date/time {exp}"
            ),
            OidcError::NotYetValid { now, nbf } => format!(
                "Token is not yet valid: current date/time {now} must be after the not-before date/time {nbf}"
            ),
            OidcError::IssuedInFuture { now, iat } => format!(
                "Token was issued in the future: current date/time {now} must be after the issue date/time {iat}"
            ),
            OidcError::IdpRejectedClaim(detail) => {
                if detail.is_empty() {
                    "The identity provider reported that authentication failed.".to_owned()
                } else {
                    detail.clone()
                }
            }
        }
    }

    /// Whether a fresh JWKS might cure this error (the token names a key we do not have).
    pub(crate) fn wants_key_refresh(&self) -> bool {
        matches!(self, OidcError::KeyRetrieval(_))
    }
}

impl fmt::Display for OidcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())?;
        match self {
            OidcError::KeyRetrieval(d) | OidcError::IdpCommunication(d) if !d.is_empty() => {
                write!(f, " ({d})")
            }
            OidcError::UnsupportedAlgorithm(a) => write!(f, " (alg {a})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for OidcError {}
