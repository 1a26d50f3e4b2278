use iamd_store::StoreError;
use iamd_wire::ApiError;

/// An operation's failure: an AWS error for the caller, or a storage failure (reported to the
/// caller as `ServiceFailure` and logged).
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl IamError {
    /// The error as the caller sees it.
    pub fn to_api(&self) -> ApiError {
        match self {
            IamError::Api(e) => e.clone(),
            IamError::Store(_) => ApiError::service_failure(),
        }
    }
}
