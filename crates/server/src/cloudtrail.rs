//! CloudTrail's `LookupEvents` over iamd's audit trail, in CloudTrail's JSON 1.1 protocol, on the
//! same endpoint as IAM and STS: `POST /` with `X-Amz-Target: <targetPrefix>.LookupEvents`,
//! signed for the `cloudtrail` service. So `aws cloudtrail lookup-events --endpoint-url …` and
//! boto3's `cloudtrail` client work unchanged.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value as J;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::RequestParts;
use iamd_wire::{ApiError, Params, Value};

use crate::authenticate::authenticate;
use crate::{AppState, request, respond};

/// botocore's `targetPrefix` for CloudTrail.
const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

pub fn is_cloudtrail(headers: &HeaderMap) -> bool {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with(TARGET_PREFIX))
}

pub(crate) fn json_response(status: u16, body: J, request_id: &str) -> Response {
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

/// The JSON protocol's error document, with CloudTrail's names for the errors the Query
/// protocol calls `ValidationError` and `AccessDenied`.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Response {
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
pub(crate) fn to_json(v: &Value) -> J {
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

pub async fn handle(state: Arc<AppState>, request: Request) -> Response {
    let request_id = respond::new_request_id();
    let (http, body) = request.into_parts();
    let engine = &state.engine;
    let body = match request::body(body, engine.config.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return error_response(&e, &request_id),
    };
    let operation = http
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .unwrap_or_default()
        .to_string();
    if engine
        .model
        .operation(&operation)
        .is_none_or(|op| op.service != iamd_wire::Service::CloudTrail)
    {
        let e = ApiError::new(
            "UnknownOperationException",
            400,
            format!("iamd answers LookupEvents of CloudTrail, not {operation}."),
        );
        return error_response(&e, &request_id);
    }
    let headers = request::header_list(&http);
    let parts = RequestParts {
        method: http.method.as_str(),
        path: http.uri.path(),
        query: http.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let caller = match authenticate(&state, &parts, "cloudtrail", false, SystemTime::now()).await {
        Ok(c) => c,
        Err(e) => return error_response(&e, &request_id),
    };
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
                return error_response(&e, &request_id);
            }
        }
    };
    let mut facts = request::facts(&http, &request_id, FrontEnd::CloudTrail);
    facts.region = iamd_sigv4::parse(&parts)
        .ok()
        .map(|a| a.region().to_string());
    let call = Call {
        caller,
        subject: None,
        operation,
        input: Input::Typed(Params(Value::from_json(&json))),
        facts,
    };
    match engine.call(call).await {
        Ok(v) => json_response(200, to_json(&v), &request_id),
        Err(e) => error_response(&e.to_api(), &request_id),
    }
}
