//! The IAM and STS Query API: decode → authenticate → `engine.call` → encode.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;

use iamd_engine::{Call, FrontEnd, Input};
use iamd_sigv4::RequestParts;
use iamd_wire::{ApiError, QueryParams, Service, encode_result, parse_query};

use crate::authenticate::authenticate;
use crate::{AppState, cloudtrail, request, respond};

pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    if cloudtrail::is_cloudtrail(request.headers()) {
        return cloudtrail::handle(state, request).await;
    }
    respond_to(state, request, false).await
}

/// `POST /_iamd/ec2-credentials`: AssumeRole's parameters, answered as EC2 answers an instance
/// for its instance profile's role (the engine's `AssumeRoleForInstance`).
pub async fn handle_ec2(State(state): State<Arc<AppState>>, request: Request) -> Response {
    respond_to(state, request, true).await
}

async fn respond_to(state: Arc<AppState>, request: Request, instance: bool) -> Response {
    let started = Instant::now();
    let request_id = respond::new_request_id();
    let (parts, body) = request.into_parts();
    let (service, action, outcome) = run(&state, &parts, body, &request_id, instance).await;
    let response = match &outcome {
        Ok(xml) => respond::xml(200, xml.clone(), &request_id),
        Err(e) => respond::error(service, e, &request_id),
    };
    let micros = started.elapsed().as_micros() as u64;
    match &outcome {
        Ok(_) => tracing::info!(request_id, action, status = 200, micros, "request"),
        Err(e) if e.status >= 500 => {
            tracing::error!(request_id, action, status = e.status, code = %e.code, "request failed")
        }
        Err(e) => {
            tracing::info!(request_id, action, status = e.status, code = %e.code, micros, "request")
        }
    }
    response
}

fn invalid_action(action: &str, version: &str) -> ApiError {
    ApiError::new(
        "InvalidAction",
        400,
        format!("Could not find operation {action} for version {version}"),
    )
}

async fn run(
    state: &Arc<AppState>,
    http: &axum::http::request::Parts,
    body: Body,
    request_id: &str,
    instance: bool,
) -> (Service, String, Result<String, ApiError>) {
    let engine = &state.engine;
    let body = match request::body(body, engine.config.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return (Service::Iam, String::new(), Err(e)),
    };
    // Decode.
    let raw_query = http.uri.query().unwrap_or("");
    let params = match decode_params(&http.method, raw_query, &body) {
        Ok(p) => p,
        Err(e) => return (Service::Iam, String::new(), Err(e)),
    };
    let action = params.get("Action").unwrap_or("").to_string();
    let version = params.get("Version");
    if action.is_empty() {
        let e = ApiError::new("MissingAction", 400, "Missing Action");
        return (Service::Iam, action, Err(e));
    }
    let op = match engine.model.operation(&action) {
        Some(op) if op.service.is_query() => op.clone(),
        _ => {
            let e = invalid_action(&action, version.unwrap_or(""));
            return (service_of_version(version), action, Err(e));
        }
    };
    if let Some(v) = version
        && v != op.service.version()
    {
        return (
            service_of_version(Some(v)),
            action.clone(),
            Err(invalid_action(&action, v)),
        );
    }
    let service = op.service;
    if instance && op.name != "AssumeRole" {
        return (
            service,
            action.clone(),
            Err(invalid_action(&action, op.service.version())),
        );
    }

    // Authenticate.
    let headers = request::header_list(http);
    let parts = RequestParts {
        method: http.method.as_str(),
        path: http.uri.path(),
        query: raw_query,
        headers: &headers,
        body: &body,
    };
    let operation = if instance {
        "AssumeRoleForInstance".to_string()
    } else {
        action.clone()
    };
    let unsigned_ok = iamd_engine::table::entry(&operation).is_some_and(|e| e.unsigned);
    let signer = match authenticate(
        state,
        &parts,
        service.name(),
        unsigned_ok,
        SystemTime::now(),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return (service, action, Err(e)),
    };
    let front_end = if instance {
        FrontEnd::Instance
    } else {
        FrontEnd::Api
    };
    let mut facts = request::facts(http, request_id, front_end);
    facts.region = signer.region;

    // The engine: validate, authorize, operate, audit.
    let call = Call {
        caller: signer.principal,
        subject: None,
        operation,
        input: Input::Query(params),
        facts,
    };
    let result = engine.call(call).await;

    // Encode.
    let encoded = result
        .map(|v| encode_result(&engine.model, &op, &v, request_id))
        .map_err(|e| e.to_api());
    (service, action, encoded)
}

fn service_of_version(version: Option<&str>) -> Service {
    if version == Some(Service::Sts.version()) {
        Service::Sts
    } else {
        Service::Iam
    }
}

fn decode_params(method: &Method, raw_query: &str, body: &[u8]) -> Result<QueryParams, ApiError> {
    let mut params = parse_query(raw_query.as_bytes())?;
    if *method == Method::POST {
        params.merge(parse_query(body)?)?;
    } else if *method != Method::GET {
        return Err(ApiError::new(
            "MethodNotAllowed",
            405,
            format!("The {method} method is not allowed; use GET or POST."),
        ));
    }
    Ok(params)
}
