//! AWS error responses: code, message, HTTP status and fault side.

use std::fmt;

/// An error as AWS answers it: `<Error><Type>Sender</Type><Code>…</Code><Message>…</Message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub status: u16,
    /// `Sender` (the client's fault) or `Receiver` (the server's).
    pub sender: bool,
    /// For denials: the sealed, encoded authorization details (`DecodeAuthorizationMessage`),
    /// sent in a response header so AWS's message text stays as AWS writes it.
    pub encoded_authorization: Option<String>,
}

impl ApiError {
    pub fn new(code: &str, status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
            status,
            sender: status < 500,
            encoded_authorization: None,
        }
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationError", 400, message)
    }
    pub fn invalid_input(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidInput", 400, message)
    }
    pub fn invalid_parameter_value(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidParameterValue", 400, message)
    }
    pub fn no_such_entity(message: impl Into<String>) -> ApiError {
        ApiError::new("NoSuchEntity", 404, message)
    }
    pub fn already_exists(message: impl Into<String>) -> ApiError {
        ApiError::new("EntityAlreadyExists", 409, message)
    }
    pub fn delete_conflict(message: impl Into<String>) -> ApiError {
        ApiError::new("DeleteConflict", 409, message)
    }
    pub fn limit_exceeded(message: impl Into<String>) -> ApiError {
        ApiError::new("LimitExceeded", 409, message)
    }
    pub fn access_denied(message: impl Into<String>) -> ApiError {
        ApiError::new("AccessDenied", 403, message)
    }
    pub fn service_failure() -> ApiError {
        ApiError::new(
            "ServiceFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}
