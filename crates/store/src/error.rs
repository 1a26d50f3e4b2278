use thiserror::Error;

/// A storage failure. The services turn these into `ServiceFailure` (500).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("storage backend error: {0}")]
    Backend(String),
    /// Another transaction changed what this one read; the caller may retry.
    #[error("transaction conflict")]
    Conflict,
    /// The transaction body failed and asked for a rollback.
    #[error("transaction aborted")]
    Aborted,
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseBusy
                    || f.code == rusqlite::ErrorCode::DatabaseLocked =>
            {
                StoreError::Conflict
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}
