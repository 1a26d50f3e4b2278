//! CloudTrail's `LookupEvents` over iamd's audit trail, in CloudTrail's JSON 1.1 protocol, on the
//! same endpoint as IAM and STS: `POST /` with `X-Amz-Target: <targetPrefix>.LookupEvents`,
//! signed for the `cloudtrail` service. So `aws cloudtrail lookup-events --endpoint-url …` and
//! boto3's `cloudtrail` client work unchanged.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::Response;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::VerifyOptions;
use iamd_wire::{ApiError, Params};

use crate::json_api::{self, error_response, output_response};
use crate::{AppState, respond};

/// botocore's `targetPrefix` for CloudTrail.
const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

pub fn is_cloudtrail(headers: &HeaderMap) -> bool {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with(TARGET_PREFIX))
}

pub async fn handle(state: Arc<AppState>, request: Request) -> Response {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .unwrap_or_default()
        .to_string();
    let engine = &state.engine;
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
        return error_response(&e, &respond::new_request_id());
    }
    let cloudtrail_only = VerifyOptions {
        services: &["cloudtrail"],
        ..VerifyOptions::IAM_STS
    };
    let r = match json_api::read(&state, request, &cloudtrail_only, FrontEnd::CloudTrail).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let call = Call {
        caller: r.caller,
        subject: None,
        operation,
        input: Input::Typed(Params(r.json)),
        facts: r.facts,
    };
    match engine.call(call).await {
        Ok(v) => output_response(&v, &r.request_id),
        Err(e) => error_response(&e.to_api(), &r.request_id),
    }
}
