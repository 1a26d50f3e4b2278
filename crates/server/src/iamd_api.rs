//! iamd's own JSON operations beside the authorization API: `POST /_iamd/revoke-sessions` and
//! `POST /_iamd/list-session-revocations` (shapes in `crates/wire/model/iamd.json`). Signed with
//! SigV4 for any service name, authorized (`iamd:RevokeSessions`, `iamd:ListSessionRevocations`)
//! and audited by the engine like every call.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::VerifyOptions;
use iamd_wire::Params;

use crate::AppState;
use crate::json_api::{self, error_response, output_response};

pub async fn revoke_sessions(State(state): State<Arc<AppState>>, request: Request) -> Response {
    handle(state, request, "RevokeSessions").await
}

pub async fn list_session_revocations(
    State(state): State<Arc<AppState>>,
    request: Request,
) -> Response {
    handle(state, request, "ListSessionRevocations").await
}

pub(crate) async fn handle(state: Arc<AppState>, request: Request, operation: &str) -> Response {
    let any_service = VerifyOptions {
        services: &[],
        ..VerifyOptions::IAM_STS
    };
    let r = match json_api::read(&state, request, &any_service, FrontEnd::Api).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let call = Call {
        caller: r.caller,
        operation: operation.to_string(),
        subject: None,
        input: Input::Typed(Params(r.json)),
        facts: r.facts,
    };
    match state.engine.call(call).await {
        Ok(v) => output_response(&v, &r.request_id),
        Err(e) => error_response(&e.to_api(), &r.request_id),
    }
}
