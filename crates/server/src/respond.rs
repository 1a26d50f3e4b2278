//! HTTP responses: AWS XML documents with the request ID header.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use iamd_wire::{ApiError, Service, encode_error};

pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

pub fn new_request_id() -> String {
    iamd_engine::ids::unique_id()
}

pub fn xml(status: u16, body: String, request_id: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert(REQUEST_ID_HEADER, v);
    }
    r
}

/// The header carrying a denial's encoded authorization message (see
/// `DecodeAuthorizationMessage`).
pub const AUTHORIZATION_MESSAGE_HEADER: &str = "x-iamd-encoded-authorization-message";

pub fn error(service: Service, e: &ApiError, request_id: &str) -> Response {
    let mut r = xml(e.status, encode_error(service, e, request_id), request_id);
    if let Some(m) = e
        .encoded_authorization
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
    {
        r.headers_mut().insert(AUTHORIZATION_MESSAGE_HEADER, m);
    }
    r
}

pub async fn not_found() -> Response {
    let id = new_request_id();
    let e = ApiError::new("NotFound", 404, "The requested path does not exist.");
    error(Service::Iam, &e, &id)
}
