//! iamd's own JSON operations beside the authorization API: `POST /_iamd/revoke-sessions` and
//! `POST /_iamd/list-session-revocations` (shapes in `crates/wire/model/iamd.json`). Signed with
//! SigV4 for any service name, authorized (`iamd:RevokeSessions`, `iamd:ListSessionRevocations`)
//! and audited by the engine like every call.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value as J;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::{RequestParts, VerifyOptions};
use iamd_wire::{ApiError, Params, Value};

use crate::authenticate::authenticate_with;
use crate::cloudtrail::{error_response, json_response, to_json};
use crate::{AppState, request, respond};

pub async fn revoke_sessions(State(state): State<Arc<AppState>>, request: Request) -> Response {
    handle(state, request, "RevokeSessions").await
}

pub async fn list_session_revocations(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Response {
    handle(state, request, "ListSessionRevocations").await
}

async fn handle(state: Arc<AppState>, request: Request, operation: &str) -> Response {
    let request_id = respond::new_request_id();
    let (http, body) = request.into_parts();
    let engine = &state.engine;
    let body = match request::body(body, engine.config.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return error_response(&e, &request_id),
    };
    let headers = request::header_list(&http);
    let parts = RequestParts {
        method: http.method.as_str(),
        path: http.uri.path(),
        query: http.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let any_service = VerifyOptions {
        services: &[],
        ..VerifyOptions::IAM_STS
    };
    let caller =
        match authenticate_with(&state, &parts, &any_service, false, SystemTime::now()).await {
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
    let mut facts = request::facts(&http, &request_id, FrontEnd::Api);
    facts.region = iamd_sigv4::parse(&parts)
        .ok()
        .map(|a| a.region().to_string());
    let call = Call {
        caller,
        operation: operation.to_string(),
        subject: None,
        input: Input::Typed(Params(Value::from_json(&json))),
        facts,
    };
    match engine.call(call).await {
        Ok(v) => json_response(200, to_json(&v), &request_id),
        Err(e) => error_response(&e.to_api(), &request_id),
    }
}
