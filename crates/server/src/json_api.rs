//! What iamd's JSON front ends share (CloudTrail's `LookupEvents`, the authorization API,
//! session revocation): reading a signed JSON request, and AWS's JSON-protocol answers.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value as J;

use iamd_engine::{FrontEnd, Principal, RequestFacts};
use iamd_sigv4::{RequestParts, VerifyOptions};
use iamd_wire::{ApiError, Value};

use crate::authenticate::authenticate_with;
use crate::{AppState, request, respond};

/// A signed JSON request, authenticated and parsed.
pub struct JsonRequest {
    pub request_id: String,
    pub caller: Option<Principal>,
    /// The body; `{}` when empty.
    pub json: J,
    pub facts: RequestFacts,
}

/// Reads, authenticates (with `opts`) and parses a JSON request; `Err` is the answer to send.
pub async fn read(
    state: &Arc<AppState>,
    request: Request,
    opts: &VerifyOptions<'_>,
    front_end: FrontEnd,
) -> Result<JsonRequest, Response> {
    let request_id = respond::new_request_id();
    let (http, body) = request.into_parts();
    let body = request::body(body, state.engine.config.max_body_bytes)
        .await
        .map_err(|e| error_response(&e, &request_id))?;
    let headers = request::header_list(&http);
    let parts = RequestParts {
        method: http.method.as_str(),
        path: http.uri.path(),
        query: http.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let caller = authenticate_with(state, &parts, opts, false, SystemTime::now())
        .await
        .map_err(|e| error_response(&e, &request_id))?;
    let json: J = if body.is_empty() {
        J::Object(Default::default())
    } else {
        match serde_json::from_slice(&body) {
            Ok(j @ J::Object(_)) => j,
            _ => {
                let e = ApiError::new(
                    "SerializationException",
                    400,
                    "The request body is not a JSON object.",
                );
                return Err(error_response(&e, &request_id));
            }
        }
    };
    let mut facts = request::facts(&http, &request_id, front_end);
    facts.region = iamd_sigv4::parse(&parts)
        .ok()
        .map(|a| a.region().to_string());
    Ok(JsonRequest {
        request_id,
        caller,
        json,
        facts,
    })
}

pub fn json_response(status: u16, body: J, request_id: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert(respond::REQUEST_ID_HEADER, v);
    }
    r
}

/// The JSON protocol's error document, with the JSON protocols' names for the errors the Query
/// protocol calls `ValidationError` and `AccessDenied`.
pub fn error_response(e: &ApiError, request_id: &str) -> Response {
    let code = match e.code.as_str() {
        "ValidationError" => "ValidationException",
        "AccessDenied" => "AccessDeniedException",
        c => c,
    };
    json_response(
        e.status,
        serde_json::json!({"__type": code, "message": e.message}),
        request_id,
    )
}

/// A value in the JSON protocol: timestamps as epoch seconds.
pub fn to_json(v: &Value) -> J {
    match v {
        Value::Time(t) => {
            let secs = t.unix_timestamp_nanos() as f64 / 1e9;
            serde_json::Number::from_f64(secs).map_or(J::Null, J::Number)
        }
        Value::List(l) => J::Array(l.iter().map(to_json).collect()),
        Value::Map(m) | Value::Struct(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        other => other.to_json(),
    }
}
