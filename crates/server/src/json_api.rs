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
    /// The body, read as a structure; empty when the body is.
    pub json: Value,
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
    let signer = authenticate_with(state, &parts, opts, false, SystemTime::now())
        .await
        .map_err(|e| error_response(&e, &request_id))?;
    let object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let json = if body.is_empty() {
        Value::object()
    } else {
        match Value::parse_json(&body) {
            Ok(v) if object => v,
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
    facts.region = signer.region;
    Ok(JsonRequest {
        request_id,
        caller: signer.principal,
        json,
        facts,
    })
}

pub fn json_response(status: u16, body: J, request_id: &str) -> Response {
    json_text_response(status, body.to_string().into_bytes(), request_id)
}

/// An operation's output as the JSON protocols' answer, written straight from the value.
pub fn output_response(v: &Value, request_id: &str) -> Response {
    let mut body = Vec::with_capacity(512);
    write_json(v, &mut body);
    json_text_response(200, body, request_id)
}

fn json_text_response(status: u16, body: Vec<u8>, request_id: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, body).into_response();
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

/// A value in the JSON protocol (timestamps as epoch seconds), written to `out` without an
/// intermediate document.
pub fn write_json(v: &Value, out: &mut Vec<u8>) {
    let number = |f: f64, out: &mut Vec<u8>| match serde_json::Number::from_f64(f) {
        Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    };
    match v {
        Value::Time(t) => number(t.unix_timestamp_nanos() as f64 / 1e9, out),
        Value::Str(s) => write_str(s, out),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Double(f) => number(*f, out),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Blob(_) => match v.to_json() {
            J::String(s) => write_str(&s, out),
            _ => out.extend_from_slice(b"null"),
        },
        Value::List(l) => {
            out.push(b'[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, out);
            }
            out.push(b']');
        }
        Value::Map(m) | Value::Struct(m) => {
            out.push(b'{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_json(item, out);
            }
            out.push(b'}');
        }
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    iamd_wire::write_json_str(out, s);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct writer gives the same document as building it with serde_json.
    #[test]
    fn written_json_parses_to_the_built_document() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let v = Value::object()
            .with("Name", "quote \" and \\ and \u{1}")
            .with("Count", 3i64)
            .with("Ok", true)
            .with("When", t)
            .with(
                "Items",
                vec![
                    Value::object().with("Ratio", Value::Double(0.5)),
                    Value::Blob(vec![1, 2]),
                ],
            )
            .with("Tags", Value::Map(vec![("k".into(), "v".into())]));
        let mut out = Vec::new();
        write_json(&v, &mut out);
        let parsed: J = serde_json::from_slice(&out).unwrap();
        let expected = serde_json::json!({
            "Name": "quote \" and \\ and \u{1}",
            "Count": 3,
            "Ok": true,
            "When": 1_700_000_000.0,
            "Items": [{"Ratio": 0.5}, "AQI="],
            "Tags": {"k": "v"},
        });
        assert_eq!(parsed, expected);
    }
}
