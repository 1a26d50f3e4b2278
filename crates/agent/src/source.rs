//! Where role credentials come from.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

/// A boxed, sendable future (the trait below is used as `dyn CredentialSource`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Temporary credentials for the instance profile's role.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// `ASIA…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token.
    pub token: String,
    /// When the credentials stop working.
    pub expiration: SystemTime,
}

impl fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"..")
            .field("token", &"..")
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// Why a credential source failed. `code` is shown to SDKs in IMDS's failure document
/// (`{"Code": …, "Message": …}`) once no valid credentials remain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// A short code: STS's error code (`AccessDenied`, …) or one of the agent's own
    /// (`CredentialSourceUnavailable`, `InvalidCredentialResponse`).
    pub code: String,
    /// A human-readable message.
    pub message: String,
}

impl SourceError {
    /// A new error.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> SourceError {
        SourceError {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SourceError {}

/// Produces fresh role credentials; called by the agent's refresher, never by request
/// handlers.
pub trait CredentialSource: Send + Sync {
    /// Fetches a new set of credentials.
    fn fetch(&self) -> BoxFuture<'_, Result<RoleCredentials, SourceError>>;
}
